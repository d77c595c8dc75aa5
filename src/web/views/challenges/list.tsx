// /challenges: released weekly challenges, newest first, filterable by key stage.
import { KEY_STAGES, type KeyStage } from '../../../config/index.js';
import type { ChallengePage } from '../../../domain/challenges/challenges.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';
import { pageHref, Pagination } from '../pagination.js';
import { KeyStageBadge, SchoolTime } from './parts.js';

/** Characters of a card's excerpt: the problem's first words, its maths read as plain text. */
const EXCERPT_LENGTH = 160;

export function ChallengeListPage({
  ctx,
  list,
  keyStage,
  zone,
}: {
  ctx: ViewContext;
  list: ChallengePage;
  keyStage: KeyStage | null;
  zone: string;
}) {
  const tabs: Array<[string, string | null]> = [['All', null], ...KEY_STAGES.map((ks): [string, string] => [ks, ks])];
  return (
    <Layout ctx={ctx} title="Challenges">
      <h1>Challenges</h1>
      <p class="lead">
        A new problem every week. Solve every answer box to complete a challenge: the first to finish gets 3 points,
        everyone after 1.
      </p>
      <nav aria-label="Key stage">
        <ul class="tabs">
          {tabs.map(([label, ks]) => (
            <li>
              <a href={ks ? `/challenges?ks=${ks}` : '/challenges'} aria-current={ks === keyStage ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {list.items.length === 0 ? (
        <p class="card">No challenges have been released{keyStage ? ` for ${keyStage}` : ''} yet. Check back soon.</p>
      ) : (
        <ul class="challenge-grid">
          {list.items.map((c) => (
            <li class="card challenge-card">
              {c.hasImage && <img class="challenge-thumb" src={`/challenges/${c.id}/image`} alt="" loading="lazy" />}
              <h2>
                <a href={`/challenges/${c.id}`}>{mathProseToText(c.title)}</a>
              </h2>
              <p class="challenge-meta">
                <KeyStageBadge keyStage={c.keyStage} /> {c.locked && <span class="badge badge-locked">Closed</span>}{' '}
                {c.completed && <span class="badge badge-ok">Completed ✓</span>}{' '}
                <span class="muted">
                  Released <SchoolTime iso={c.releaseAt} zone={zone} />
                </span>
              </p>
              {c.excerpt && <p class="challenge-excerpt">{mathProseToText(c.excerpt, EXCERPT_LENGTH)}</p>}
            </li>
          ))}
        </ul>
      )}
      <Pagination page={list.page} pages={list.pages} href={pageHref('/challenges', { ks: keyStage })} />
    </Layout>
  );
}
