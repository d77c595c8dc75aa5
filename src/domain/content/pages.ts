// Editable pages (About, Privacy policy, Competition about): stored in the
// `pages` table and edited by admins. Until an admin first saves a page, it
// shows the default text below (nothing is written on a read), so a fresh
// installation has sensible pages and an admin can change every word.
// The defaults contain no dates: a saved page shows when it was last updated.
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { audit, type AuditActor } from '../audit.js';
import { validateForm, type FormOutcome } from '../../lib/forms.js';
import { richContentField, titleField } from './content-forms.js';
import { sanitizeRichHtml } from './sanitize.js';
import { EXPIRED_TOKEN_KEEP_DAYS } from '../accounts/email-tokens.js';
import { OUTBOX_KEEP_DAYS } from '../mail/outbox.js';

export interface PageDefinition {
  slug: string;
  /** Public address of the page. */
  path: string;
  title: string;
  defaultHtml: string;
}

export const PAGES: readonly PageDefinition[] = [
  {
    slug: 'about',
    path: '/about',
    title: 'About the Maths Society',
    defaultHtml: [
      '<p>The Maths Society is a club for students who enjoy mathematics and want more of it than lessons can give.</p>',
      '<h2>Weekly challenges</h2>',
      '<p>A new challenge is set every week for each key stage. Type your answer into the answer box: the platform checks whether it is mathematically right, so <span class="math-inline" data-latex="\\frac{1}{2}">\\frac{1}{2}</span> and 0.5 both count.</p>',
      '<p>The first person to solve a challenge gets 3 points and everyone who solves it later gets 1 point. Points go onto your key stage’s leaderboard.</p>',
      '<h2>Articles and newsletters</h2>',
      '<p>Members and teachers write articles about mathematics they find interesting, and the society publishes a newsletter each term.</p>',
      '<h2>Joining</h2>',
      '<p>Any student with a school email address can register. Ask your maths teacher if you have questions.</p>',
    ].join(''),
  },
  {
    slug: 'privacy',
    path: '/privacy',
    title: 'Privacy policy',
    defaultHtml: [
      '<p>This notice explains, in line with the UK GDPR and the UK’s Data Protection Act, what the Maths Society platform keeps about you, why, for how long, and your rights. The school runs the society and is responsible for your data (the data controller).</p>',
      '<h2>What we keep and for how long</h2>',
      '<ul>',
      '<li><strong>Your account</strong>: your name, school email address, school, school year, key stage and maths class, and your password stored only as a one-way hash that nobody can read back. Kept until you or an administrator delete the account.</li>',
      '<li><strong>Your answers</strong>: every answer you submit, whether it was right, the challenges you complete and your points. Kept until your account is deleted; deleting it removes them.</li>',
      '<li><strong>Your sign-ins (sessions)</strong>: the device description, network address and times of each place you are signed in. A sign-in ends after 2 hours without use and at the latest after 24 hours, or after 30 days on a device you ask us to remember (the standard settings); the record is then deleted. Signing out, changing your password or deleting your account ends them at once.</li>',
      `<li><strong>Emails we send you</strong> (links to confirm your address or reset your password, notices about your account): the message is emptied once sent, and the record that it was sent is deleted ${OUTBOX_KEEP_DAYS} days later. Links in them stop working after at most 24 hours and are deleted ${EXPIRED_TOKEN_KEEP_DAYS} days after that.</li>`,
      '<li><strong>The security log (audit log)</strong>: sign-in attempts and every administrator action, with the time and network address. It is how misuse is traced, so it is kept while the platform runs and is not deleted when an account is; ask the teacher in charge if you want to know what it holds about you.</li>',
      '</ul>',
      '<h2>Why we keep it (lawful basis)</h2>',
      '<p>The school runs the society as part of its educational work (a public task): we need this data to set challenges, check answers, run the leaderboards and competitions, and keep accounts safe. We do not sell or share your data, show advertising, or use tracking cookies.</p>',
      '<h2>Cookies</h2>',
      '<p>The platform uses only the cookies it needs to work: one that keeps you signed in and one that protects forms against forgery. They need no consent because the site cannot work without them.</p>',
      '<h2>Who can see it</h2>',
      '<p>Your first name and the first letter of your last name, your school, your points and your completed challenges may appear on the public leaderboards. Everything else is visible only to you and to the society’s administrators (teachers).</p>',
      '<h2>Your rights</h2>',
      '<p>You can see and correct your details on your profile page, download everything we hold about you with “Download my data”, and delete your account at any time. You also have the right to object, and to complain to the Information Commissioner’s Office (ico.org.uk). For anything else, contact the teacher in charge of the Maths Society or the school’s data protection officer.</p>',
      '<h2>If you are under 13</h2>',
      '<p>We keep as little about you as we can, we never show your full name publicly, and there are no adverts, no tracking and no settings that share more than this page says. If anything here worries you or is hard to understand, ask a parent, carer or your maths teacher to go through it with you; they can also ask us to delete your account.</p>',
    ].join(''),
  },
  {
    slug: 'competition-about',
    path: '/competition/about',
    title: 'About the competition',
    defaultHtml: [
      '<p>The inter-school competition brings students from several schools together to solve the same challenges.</p>',
      '<h2>How it works</h2>',
      '<ul><li>Register with your school email address; it must belong to one of the participating schools.</li>',
      '<li>Each competition challenge is open for a limited number of hours from its release.</li>',
      '<li>The first student to solve a challenge earns 3 points; every later solver earns 1 point.</li>',
      '<li>Points count for you and for your school on the competition leaderboard, per key stage.</li></ul>',
      '<p>Dates, participating schools and results are shown on the competition pages.</p>',
    ].join(''),
  },
];

export function pageBySlug(slug: string): PageDefinition | undefined {
  return PAGES.find((p) => p.slug === slug);
}

export interface StoredPage {
  slug: string;
  path: string;
  title: string;
  contentHtml: string;
  /** Null while the page still shows its default text. */
  updatedAt: string | null;
  updatedBy: number | null;
}

/** The stored page, or its default text when no admin has saved it yet. */
export async function getPage(db: Db, slug: string): Promise<StoredPage | null> {
  const def = pageBySlug(slug);
  if (!def) return null;
  const row = await db.selectFrom('pages').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) {
    return {
      slug,
      path: def.path,
      title: def.title,
      contentHtml: sanitizeRichHtml(def.defaultHtml),
      updatedAt: null,
      updatedBy: null,
    };
  }
  return {
    slug,
    path: def.path,
    title: row.title,
    contentHtml: row.content_html,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface PageInput {
  title: string;
  contentHtml: string;
}

const schema = z
  .object({ title: titleField(150), content_html: richContentField({ required: true }) })
  .transform((v): PageInput => ({ title: v.title, contentHtml: v.content_html }));

export function validatePage(fields: Record<string, string>): FormOutcome<PageInput> {
  return validateForm(schema, { title: fields.title ?? '', content_html: fields.content_html ?? '' });
}

export async function updatePage(db: Db, actor: AuditActor, slug: string, input: PageInput): Promise<boolean> {
  const def = pageBySlug(slug);
  if (!def) return false;
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    await trx
      .insertInto('pages')
      .values({
        slug,
        title: input.title,
        content_html: input.contentHtml,
        updated_by: actor.id,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('slug').doUpdateSet({
          title: input.title,
          content_html: input.contentHtml,
          updated_by: actor.id,
          updated_at: now,
        }),
      )
      .execute();
    await audit(trx, actor, {
      action: 'page.update',
      targetType: 'page',
      targetId: slug,
      details: { title: input.title },
    });
  });
  return true;
}
