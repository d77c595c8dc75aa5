// Answering one box of a challenge, weekly or competition alike: the same
// steps and the same messages. The route says which challenge and box, why a
// student may not answer, and where the try is recorded and scored.
import { mathProseToText } from '../lib/latex-text.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerBox, Challenge } from '../db/schema.js';
import { boxOptions, boxProgress, MAX_ANSWER_LENGTH, type TryOutcome } from '../domain/challenges/challenges.js';
import type { Reason } from '../math/index.js';
import { REASON_MESSAGES, verdictMessage } from './answer-messages.js';
import { formFields } from './multipart.js';
import type { Flash } from './types.js';
import { plural } from '../lib/plural.js';

/**
 * Engine outcomes that say nothing about the answer (the checker was busy or
 * slow, or the box itself cannot be graded): the try is not counted against
 * the student's attempts. A timeout still counts towards the wrong-answer rate
 * limit, so slow input cannot be sent without end.
 */
export function uncountedMessage(reason: Reason): Flash | null {
  switch (reason) {
    case 'busy':
    case 'worker-error':
    case 'internal-error':
    case 'timeout':
    case 'invalid-expected':
    case 'invalid-options':
      return { type: 'warning', text: REASON_MESSAGES[reason] };
    default:
      return null;
  }
}

/**
 * The message for a right value in a form the box does not accept, when such
 * a try does not use an attempt (the box's setting). `attemptsLeft` is null
 * for an admin, whose tries are never limited.
 */
export function freeWrongFormMessage(feedback: string, attemptsLeft: number | null): Flash {
  const left = attemptsLeft === null ? '' : ` You still have ${plural(attemptsLeft, 'attempt')} left for this box.`;
  return { type: 'warning', text: `${feedback} This try did not use an attempt.${left}` };
}

const NOT_QUITE = REASON_MESSAGES['not-equivalent'];

/**
 * The message a student sees after answering a box. `feedback` says why a
 * wrong answer is wrong (verdictMessage); without it, a plain "Not quite."
 */
export function answerMessage(
  outcome: TryOutcome,
  rawTitle: string,
  feedback: string = NOT_QUITE,
  staffTry = 'Admin try',
): Flash {
  // Flash messages are plain text: a title with maths in it is read aloud, not shown as LaTeX.
  const title = mathProseToText(rawTitle);
  switch (outcome.kind) {
    case 'gone':
      return {
        type: 'error',
        text: 'That answer box no longer exists: the challenge was changed while your answer was being checked. Please look again.',
      };
    case 'locked':
      return { type: 'warning', text: 'This challenge is closed, so answers are no longer accepted.' };
    case 'solved':
      return { type: 'info', text: 'You have already answered this box correctly.' };
    case 'no-attempts':
      return { type: 'warning', text: 'You have used all your attempts for this box.' };
    case 'recorded':
      break;
  }
  if (outcome.adminTry) {
    return outcome.correct
      ? { type: 'success', text: `Correct. (${staffTry}: not scored.)` }
      : { type: 'error', text: `${feedback === NOT_QUITE ? 'Incorrect.' : feedback} (${staffTry}: not scored.)` };
  }
  if (outcome.correct) {
    if (outcome.completion) {
      const c = outcome.completion;
      return {
        type: 'success',
        text: c.first
          ? `Correct — you have completed «${title}»! You were the first to finish: +${plural(c.points, 'point')}.`
          : `Correct — you have completed «${title}»! +${plural(c.points, 'point')}.`,
      };
    }
    return { type: 'success', text: 'Correct! Now answer the remaining boxes to complete the challenge.' };
  }
  if (outcome.attemptsLeft && outcome.attemptsLeft > 0)
    return {
      type: 'error',
      text: `${feedback} You have ${plural(outcome.attemptsLeft, 'attempt')} left for this box.`,
    };
  return {
    type: 'error',
    text:
      feedback === NOT_QUITE
        ? 'Not quite, and that was your last attempt for this box.'
        : `${feedback} That was your last attempt for this box.`,
  };
}

/** What recording a try can answer: an outcome of `answerMessage`, or a refusal worded by the route. */
export type AnswerOutcome = TryOutcome | { kind: 'refused'; message: Flash };

export interface AnswerTarget {
  challenge: Pick<Challenge, 'id' | 'title' | 'attempts_per_box'>;
  box: AnswerBox;
  /** The challenge's page: every answer returns to its box there. */
  page: string;
  /** Why a student may not answer at all now (locked, not taking part), or null. */
  refusal: () => Promise<Flash | null>;
  /** Stores the graded try and scores it; checks again what `refusal` checked, in its transaction. */
  record: (answer: string, correct: boolean) => Promise<AnswerOutcome>;
  /** The answerer's tries are staff tries (never limited, never scored); by default an admin's are. */
  staff?: boolean;
}

/** Checks the submitted answer with the math engine, records the try and returns to the box with a message. */
export async function answerBox(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  target: AnswerTarget,
): Promise<FastifyReply> {
  const user = request.user!;
  const { challenge, box } = target;
  /** Before this try; null for an admin (never limited). */
  let attemptsLeft: number | null = null;
  const back = (message: Flash) =>
    reply.flash(message.type, message.text).redirect(`${target.page}#box-${box.position}`, 303);

  const answer = (formFields(request.body).answer ?? '').trim();
  if (answer === '') return back({ type: 'error', text: 'Type an answer before checking it.' });
  if (answer.length > MAX_ANSWER_LENGTH) {
    return back({
      type: 'error',
      text: `Your answer is too long: answers can be at most ${MAX_ANSWER_LENGTH} characters.`,
    });
  }
  const staff = target.staff ?? user.isAdmin;
  if (!staff) {
    // Cheap checks before the engine runs; `record` repeats them in its transaction.
    const refused = await target.refusal();
    if (refused) return back(refused);
    const prior = await boxProgress(app.db, user.id, challenge.id, box.id);
    if (prior.solved) return back(answerMessage({ kind: 'solved' }, challenge.title));
    if (prior.tries >= challenge.attempts_per_box) return back(answerMessage({ kind: 'no-attempts' }, challenge.title));
    attemptsLeft = challenge.attempts_per_box - prior.tries;
  }
  const key = String(user.id);
  const limit = await app.rateLimits.peek('wrong-answer', key);
  if (!limit.allowed) {
    reply.header('retry-after', String(limit.retryAfterSeconds));
    return back({
      type: 'error',
      text: `Too many wrong answers in a short time. Please wait ${plural(Math.max(1, limit.retryAfterSeconds), 'second')} before trying again.`,
    });
  }

  const options = boxOptions(box);
  const verdict = await app.math.check(box.correct_answer, answer, options);
  const uncounted = uncountedMessage(verdict.reason);
  if (uncounted) {
    if (verdict.reason === 'timeout') await app.rateLimits.hit('wrong-answer', key);
    return back(uncounted);
  }
  const feedback = verdict.equivalent ? undefined : verdictMessage(verdict, options);
  if (verdict.reason === 'wrong-form' && box.wrong_form_costs_attempt !== 1) {
    // The right value in another form: explained, not stored, no attempt used. It still
    // counts towards the wrong-answer rate limit, so free tries cannot be sent without end.
    await app.rateLimits.hit('wrong-answer', key);
    return back(freeWrongFormMessage(feedback!, attemptsLeft));
  }
  const outcome = await target.record(answer, verdict.equivalent);
  if (outcome.kind === 'recorded' && !outcome.correct) await app.rateLimits.hit('wrong-answer', key);
  const staffTry = user.role === 'teacher' ? 'Teacher try' : 'Admin try';
  return back(
    outcome.kind === 'refused' ? outcome.message : answerMessage(outcome, challenge.title, feedback, staffTry),
  );
}
