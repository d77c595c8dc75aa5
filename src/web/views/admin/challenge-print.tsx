// Printable pages for projectors and paper: one challenge or a week's set,
// with big type, typeset maths and no site navigation. Answers appear only on
// an answer sheet, and only for challenges that are locked (students already
// see those answers).
import type { ComponentChildren } from 'preact';
import { boxOptions } from '../../../domain/challenges/challenges.js';
import type { PrintableChallenge } from '../../../domain/challenges/challenge-admin.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { RichContent } from '../content/parts.js';
import type { ViewContext } from '../context.js';
import { MathAnswer } from '../math-answer.js';
import { SchoolTime } from '../challenges/parts.js';

function PrintDocument({
  ctx,
  title,
  back,
  children,
}: {
  ctx: ViewContext;
  title: string;
  back: { href: string; label: string };
  children: ComponentChildren;
}) {
  return (
    <html lang="en-GB">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Maths Society`}</title>
        <link rel="stylesheet" href={ctx.asset('site.css')} />
        <link rel="stylesheet" href={ctx.asset('katex.css')} />
        <link rel="stylesheet" href={ctx.asset('print.css')} />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      </head>
      <body class="print-page">
        <p class="print-tools">
          <a href={back.href}>← {back.label}</a> · Print with your browser’s Print command (Ctrl+P or ⌘P); these links
          are not printed.
        </p>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

function PrintedChallenge({
  item,
  zone,
  answers,
  heading,
}: {
  item: PrintableChallenge;
  zone: string;
  answers: boolean;
  heading: 'h1' | 'h2';
}) {
  const c = item.challenge;
  const title = mathProseToText(c.title);
  const H = heading;
  return (
    <article class="print-challenge" data-challenge-id={c.id}>
      <H>{title}</H>
      <p class="print-meta">
        {c.key_stage} · <SchoolTime iso={c.release_at} zone={zone} />
      </p>
      {c.image_upload_id !== null && (
        <img class="challenge-image" src={`/challenges/${c.id}/image`} alt={`Diagram for ${title}`} />
      )}
      <RichContent html={c.content_html} class="print-content" />
      <ol class="print-boxes">
        {item.boxes.map((b) => (
          <li>
            <span class="print-label">{b.label ? mathProseToText(b.label) : 'Answer'}:</span>{' '}
            {answers && item.answersRevealed ? (
              <strong class="print-answer">
                <MathAnswer latex={b.correct_answer} asText={boxOptions(b).kind === 'text'} />
              </strong>
            ) : (
              <span class="print-blank" aria-hidden="true" />
            )}
          </li>
        ))}
      </ol>
      {answers && !item.answersRevealed && (
        <p class="print-note">
          Answers are not shown: this challenge is still open. Lock it (or wait for its auto-lock) to print its answer
          sheet.
        </p>
      )}
    </article>
  );
}

export function ChallengePrintPage({
  ctx,
  item,
  zone,
  answers,
}: {
  ctx: ViewContext;
  item: PrintableChallenge;
  zone: string;
  answers: boolean;
}) {
  const title = mathProseToText(item.challenge.title);
  const back = item.challenge.competition_id
    ? { href: `/admin/competitions/${item.challenge.competition_id}`, label: 'Back to the competition' }
    : { href: `/admin/challenges/${item.challenge.id}/edit`, label: 'Back to the challenge' };
  return (
    <PrintDocument ctx={ctx} title={answers ? `Answers: ${title}` : title} back={back}>
      {answers && <p class="print-kind">Answer sheet</p>}
      <PrintedChallenge item={item} zone={zone} answers={answers} heading="h1" />
    </PrintDocument>
  );
}

export function WeekPrintPage({
  ctx,
  monday,
  items,
  zone,
  answers,
}: {
  ctx: ViewContext;
  monday: string;
  items: PrintableChallenge[];
  zone: string;
  answers: boolean;
}) {
  const day = new Date(`${monday}T12:00:00Z`).toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  const heading = `${answers ? 'Answers: challenges' : 'Challenges'} for the week of ${day}`;
  return (
    <PrintDocument ctx={ctx} title={heading} back={{ href: '/admin/challenges', label: 'Back to challenges' }}>
      <h1>{heading}</h1>
      {items.length === 0 ? (
        <p>No weekly challenge is released that week.</p>
      ) : (
        items.map((item) => <PrintedChallenge item={item} zone={zone} answers={answers} heading="h2" />)
      )}
    </PrintDocument>
  );
}
