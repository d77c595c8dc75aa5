// /challenges/:id: the problem, one answer form per box (a MathLive field that
// enhances a plain text input), attempts left, the history of tries, and the
// completed / locked banners. A locked challenge shows its correct answers.
import type { Challenge } from '../../../db/schema.js';
import { boxOptions, MAX_ANSWER_LENGTH, type BoxState } from '../../../domain/challenges/challenges.js';
import { FIRST_COMPLETER_POINTS } from '../../../domain/challenges/scoring.js';
import { RichContent } from '../content/parts.js';
import type { ViewContext } from '../context.js';
import { CsrfField, Layout } from '../layout.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { MathAnswer } from '../math-answer.js';
import { KeyStageBadge, plural, SchoolTime } from './parts.js';

export interface ChallengeDetail {
  challenge: Challenge;
  boxes: BoxState[];
  completion: { points: number; completed_at: string } | undefined;
  locked: boolean;
  released: boolean;
  autoLockAt: string | null;
  isAdmin: boolean;
  zone: string;
  /** Addresses for a challenge outside the weekly list (competition challenges). */
  links?: ChallengeLinks;
  /** Why this viewer may look but not answer (e.g. another key stage), shown instead of the forms. */
  readOnlyReason?: string | null;
}

export interface ChallengeLinks {
  /** Where the answer forms post: `${base}/boxes/:boxId/answer`. */
  base: string;
  back: { href: string; label: string };
  edit: string;
}

function linksOf(d: ChallengeDetail): ChallengeLinks {
  return (
    d.links ?? {
      base: `/challenges/${d.challenge.id}`,
      back: { href: '/challenges', label: 'All challenges' },
      edit: `/admin/challenges/${d.challenge.id}/edit`,
    }
  );
}

function BoxStatus({ s, isAdmin, locked }: { s: BoxState; isAdmin: boolean; locked: boolean }) {
  if (s.solved && !isAdmin) return <p class="box-status box-solved">✓ Answered correctly</p>;
  // A closed challenge takes no more answers, so attempts left would mislead.
  if (locked && !isAdmin) return <p class="box-status box-closed">Closed: no more answers</p>;
  if (isAdmin)
    return (
      <p class="box-status muted">
        {plural(s.attemptsUsed, 'admin try', 'admin tries')} so far (not limited, never scored)
      </p>
    );
  if (s.attemptsLeft === 0) return <p class="box-status box-failed">✗ No attempts left</p>;
  return <p class="box-status">{plural(s.attemptsLeft ?? 0, 'attempt')} left</p>;
}

function AnswerBoxCard({ ctx, d, s }: { ctx: ViewContext; d: ChallengeDetail; s: BoxState }) {
  const asText = boxOptions(s.box).kind === 'text';
  const open = d.isAdmin || (!s.closed && !d.locked && !d.readOnlyReason);
  const inputId = `answer-${s.box.id}`;
  const heading = s.box.label ? `Answer ${s.position}: ${mathProseToText(s.box.label)}` : `Answer ${s.position}`;
  return (
    <section
      class={`card answer-box${s.solved && !d.isAdmin ? ' is-solved' : ''}`}
      id={`box-${s.position}`}
      aria-labelledby={`box-${s.position}-title`}
    >
      <h2 id={`box-${s.position}-title`}>{heading}</h2>
      <BoxStatus s={s} isAdmin={d.isAdmin} locked={d.locked} />
      {d.locked && (
        <p class="revealed">
          Correct answer: <MathAnswer latex={s.box.correct_answer} asText={asText} />
        </p>
      )}
      {open && (
        <form method="post" action={`${linksOf(d).base}/boxes/${s.box.id}/answer`} class="answer-form">
          <CsrfField ctx={ctx} />
          <label for={inputId}>Your answer</label>
          <input
            type="text"
            id={inputId}
            name="answer"
            maxLength={MAX_ANSWER_LENGTH}
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby={`${inputId}-hint`}
            data-mathfield={asText ? undefined : ''}
          />
          <p class="hint" id={`${inputId}-hint`}>
            {asText
              ? 'Type your answer in words. Press Enter to check it.'
              : 'Press Enter to check your answer. Type maths as text if the maths keyboard does not appear: 3/4, 2*sqrt(2), x^2, (1, -2).'}
          </p>
          {/* Filled by the maths box's script as the answer is typed (client/lib/answer-preview.ts). */}
          {!asText && <p class="answer-preview" id={`${inputId}-preview`} aria-live="polite" data-answer-preview="" />}
          <button type="submit">Check answer</button>
        </form>
      )}
      {s.tries.length > 0 && (
        <details class="tries" open>
          <summary>Your tries ({s.tries.length})</summary>
          <ol>
            {s.tries.map((t) => (
              <li class={t.is_correct ? 'try try-right' : 'try try-wrong'}>
                <span class="try-mark" aria-hidden="true">
                  {t.is_correct ? '✓' : '✗'}
                </span>
                <span class="visually-hidden">{t.is_correct ? 'Correct:' : 'Incorrect:'}</span>{' '}
                <MathAnswer latex={t.answer} asText={asText} />{' '}
                <span class="muted try-time">
                  <SchoolTime iso={t.created_at} zone={d.zone} />
                </span>
                {t.is_admin_try === 1 && <span class="badge badge-admin">admin try</span>}
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

export function ChallengeDetailPage({ ctx, d }: { ctx: ViewContext; d: ChallengeDetail }) {
  const c = d.challenge;
  const links = linksOf(d);
  const title = mathProseToText(c.title);
  return (
    <Layout ctx={ctx} title={title} scripts={['mathfield.js']} styles={['katex.css']}>
      <p>
        <a href={links.back.href}>← {links.back.label}</a>
      </p>
      <article class="challenge">
        <header>
          <h1>{title}</h1>
          <p class="challenge-meta">
            <KeyStageBadge keyStage={c.key_stage} /> {d.locked && <span class="badge badge-locked">Closed</span>}{' '}
            <span class="muted">
              {d.released ? 'Released' : 'Releases'} <SchoolTime iso={c.release_at} zone={d.zone} />
              {!d.locked && d.autoLockAt && (
                <>
                  {' '}
                  · closes <SchoolTime iso={d.autoLockAt} zone={d.zone} />
                </>
              )}
              {!d.locked && (
                <>
                  {' · '}
                  {plural(c.attempts_per_box, 'attempt')} per answer
                </>
              )}
            </span>
          </p>
        </header>
        {d.isAdmin && (
          <div class="flash flash-info" role="status">
            {ctx.user?.role === 'teacher' ? 'Teacher view' : 'Admin view'}: your tries are recorded as staff tries. They
            are never scored and not limited.
            {!d.released && (
              <>
                {' '}
                This challenge is scheduled: students cannot see it before{' '}
                <SchoolTime iso={c.release_at} zone={d.zone} />.
              </>
            )}{' '}
            <a href={links.edit}>Edit this challenge</a>
          </div>
        )}
        {d.completion && (
          <div class="flash flash-success banner-completed" role="status">
            You completed this challenge on <SchoolTime iso={d.completion.completed_at} zone={d.zone} /> and earned{' '}
            {plural(d.completion.points, 'point')}
            {d.completion.points === FIRST_COMPLETER_POINTS ? ' — the first to finish!' : '.'}
          </div>
        )}
        {d.readOnlyReason && !d.isAdmin && (
          <div class="flash flash-info banner-read-only" role="status">
            {d.readOnlyReason}
          </div>
        )}
        {d.locked && (
          <div class="flash flash-warning banner-locked" role="status">
            This challenge is closed: answers are no longer accepted. The correct answers are shown below.
          </div>
        )}
        {c.image_upload_id !== null && (
          <img class="challenge-image" src={`/challenges/${c.id}/image`} alt={`Diagram for ${title}`} />
        )}
        <RichContent html={c.content_html} />
      </article>
      {d.boxes.length === 0 ? (
        <p class="card">This challenge has no answer boxes yet.</p>
      ) : (
        d.boxes.map((s) => <AnswerBoxCard ctx={ctx} d={d} s={s} />)
      )}
    </Layout>
  );
}
