// Student challenge pages: the list, one challenge, its image, and answering
// a box. Unreleased challenges answer 404 to everyone but admins at every
// address here (page, image, answer), exactly as if they did not exist.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  autoLockAt, boxOptions, boxProgress, boxStates, challengeBoxes, findVisibleChallenge, isLocked, isReleased,
  listReleasedChallenges, MAX_ANSWER_LENGTH, recordTry, userCompletion, userTries, type TryOutcome,
} from '../../domain/challenges/challenges.js';
import { isKeyStage } from '../../domain/key-stage.js';
import { contentDisposition, uploadPath } from '../../domain/content/uploads.js';
import type { Reason } from '../../math/index.js';
import { HttpError } from '../../security/access.js';
import { formFields } from '../multipart.js';
import type { Flash } from '../types.js';
import { ChallengeDetailPage } from '../views/challenges/detail.js';
import { ChallengeListPage } from '../views/challenges/list.js';
import { plural } from '../views/challenges/parts.js';
import { viewContext } from '../views/context.js';

const NOT_FOUND = 'There is no challenge at this address.';

/** A database id from a URL segment or query value, or null. */
export function parseId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 2_147_483_647 ? n : null;
}

function parsePage(raw: unknown): number {
  return typeof raw === 'string' && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : 1;
}

/**
 * Engine outcomes that say nothing about the answer: the try is not counted
 * against the student's attempts. A timeout still counts towards the
 * wrong-answer rate limit, so slow input cannot be sent without end.
 */
export function uncountedMessage(reason: Reason): Flash | null {
  switch (reason) {
    case 'busy':
    case 'worker-error':
    case 'internal-error':
      return { type: 'warning', text: 'The answer checker is busy right now, so your answer was not counted. Please try again in a moment.' };
    case 'timeout':
      return { type: 'warning', text: 'The answer checker could not finish checking that answer in time, so it was not counted. Please try again, or write it more simply.' };
    default:
      return null;
  }
}

/** The message a student sees after answering a box. */
export function answerMessage(outcome: TryOutcome, title: string): Flash {
  switch (outcome.kind) {
    case 'gone':
      return { type: 'error', text: 'That answer box no longer exists: the challenge was changed while your answer was being checked. Please look again.' };
    case 'locked':
      return { type: 'warning', text: 'This challenge is locked, so answers are no longer accepted.' };
    case 'solved':
      return { type: 'info', text: 'You have already answered this box correctly.' };
    case 'no-attempts':
      return { type: 'warning', text: 'You have used all your attempts for this box.' };
    case 'recorded':
      break;
  }
  if (outcome.adminTry) {
    return outcome.correct
      ? { type: 'success', text: 'Correct. (Admin try: not scored.)' }
      : { type: 'error', text: 'Incorrect. (Admin try: not scored.)' };
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
  return outcome.attemptsLeft && outcome.attemptsLeft > 0
    ? { type: 'error', text: `Not quite. You have ${plural(outcome.attemptsLeft, 'attempt')} left for this box.` }
    : { type: 'error', text: 'Not quite, and that was your last attempt for this box.' };
}

export async function challengeRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;

  app.get('/challenges', { config: { access: 'user' } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const keyStage = isKeyStage(q.ks) ? q.ks : null;
    const list = await listReleasedChallenges(app.db, {
      now: new Date().toISOString(), page: parsePage(q.page), keyStage, userId: request.user!.id,
    });
    return reply.render(<ChallengeListPage ctx={viewContext(request)} list={list} keyStage={keyStage} zone={zone} />);
  });

  app.get('/challenges/:id', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const user = request.user!;
    const now = new Date().toISOString();
    const id = parseId((request.params as { id: string }).id);
    const challenge = id ? await findVisibleChallenge(app.db, id, user, now) : undefined;
    if (!challenge) throw new HttpError(404, NOT_FOUND);
    const [boxes, tries, completion] = await Promise.all([
      challengeBoxes(app.db, challenge.id),
      userTries(app.db, user.id, challenge.id),
      userCompletion(app.db, user.id, challenge.id),
    ]);
    return reply.render(<ChallengeDetailPage ctx={viewContext(request)} d={{
      challenge,
      boxes: boxStates(boxes, tries, challenge.attempts_per_box, user.isAdmin),
      completion,
      locked: isLocked(challenge, now),
      released: isReleased(challenge, now),
      autoLockAt: autoLockAt(challenge),
      isAdmin: user.isAdmin,
      zone,
    }} />);
  });

  // Public, because released challenges appear on the public home page; a
  // scheduled challenge's image is 404 for everyone but admins.
  app.get('/challenges/:id/image', { config: { access: 'public' } }, async (request, reply) => {
    const now = new Date().toISOString();
    const id = parseId((request.params as { id: string }).id);
    const challenge = id ? await findVisibleChallenge(app.db, id, request.user, now) : undefined;
    if (!challenge || challenge.image_upload_id === null) throw new HttpError(404, NOT_FOUND);
    const upload = await app.db.selectFrom('uploads').selectAll().where('id', '=', challenge.image_upload_id).executeTakeFirst();
    if (!upload || upload.kind !== 'image') throw new HttpError(404, NOT_FOUND);
    const path = uploadPath(app.config.uploads, upload.stored_name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      request.log.warn({ upload: upload.id }, 'challenge image file is missing');
      throw new HttpError(404, NOT_FOUND);
    }
    return reply
      .type(upload.mime)
      .header('content-length', String(info.size))
      .header('content-disposition', contentDisposition('inline', upload.original_name, upload.stored_name.split('.').pop()!))
      .header('cache-control', isReleased(challenge, now) ? 'public, max-age=300' : 'private, no-store')
      .send(createReadStream(path));
  });

  app.post('/challenges/:id/boxes/:boxId/answer', { config: { access: 'user' } }, async (request, reply) => {
    const user = request.user!;
    const now = new Date().toISOString();
    const params = request.params as { id: string; boxId: string };
    const id = parseId(params.id);
    const boxId = parseId(params.boxId);
    const challenge = id ? await findVisibleChallenge(app.db, id, user, now) : undefined;
    const box = challenge && boxId ? await app.db.selectFrom('answer_boxes').selectAll()
      .where('id', '=', boxId).where('challenge_id', '=', challenge.id).executeTakeFirst() : undefined;
    if (!challenge || !box) throw new HttpError(404, NOT_FOUND);
    const back = (r: FastifyReply) => r.redirect(`/challenges/${challenge.id}#box-${box.position}`, 303);
    const refuse = (type: Flash['type'], text: string) => back(reply.flash(type, text));

    const answer = (formFields(request.body).answer ?? '').trim();
    if (answer === '') return refuse('error', 'Type an answer before checking it.');
    if (answer.length > MAX_ANSWER_LENGTH) {
      return refuse('error', `Your answer is too long: answers can be at most ${MAX_ANSWER_LENGTH} characters.`);
    }
    if (!user.isAdmin) {
      // Cheap checks before the engine runs; recordTry repeats them in its transaction.
      if (isLocked(challenge, now)) return refuse('warning', 'This challenge is locked, so answers are no longer accepted.');
      const prior = await boxProgress(app.db, user.id, challenge.id, box.id);
      const early = prior.solved ? answerMessage({ kind: 'solved' }, '')
        : prior.tries >= challenge.attempts_per_box ? answerMessage({ kind: 'no-attempts' }, '') : null;
      if (early) return refuse(early.type, early.text);
    }
    const key = String(user.id);
    const limit = await app.rateLimits.peek('wrong-answer', key);
    if (!limit.allowed) {
      reply.header('retry-after', String(limit.retryAfterSeconds));
      return refuse('error', `Too many wrong answers in a short time. Please wait ${plural(Math.max(1, limit.retryAfterSeconds), 'second')} before trying again.`);
    }

    const verdict = await app.math.check(box.correct_answer, answer, boxOptions(box));
    const uncounted = uncountedMessage(verdict.reason);
    if (uncounted) {
      if (verdict.reason === 'timeout') await app.rateLimits.hit('wrong-answer', key);
      return refuse(uncounted.type, uncounted.text);
    }
    const outcome = await recordTry(app.db, {
      challengeId: challenge.id, boxId: box.id, userId: user.id, isAdmin: user.isAdmin, answer, correct: verdict.equivalent,
    });
    if (outcome.kind === 'recorded' && !outcome.correct) await app.rateLimits.hit('wrong-answer', key);
    // 'gone': the box was removed (or the challenge unpublished) while the answer was being checked.
    const message = answerMessage(outcome, challenge.title);
    return back(reply.flash(message.type, message.text));
  });
}
