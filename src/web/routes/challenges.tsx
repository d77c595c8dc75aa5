// Student challenge pages: the list, one challenge, its image, and answering
// a box. Unreleased challenges answer 404 to everyone but the staff (teachers and
// admins) at every address here (page, image, answer), exactly as if they did not
// exist. Staff tries are recorded as admin tries: never scored, never limited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  boxStates,
  challengeBoxes,
  findChallengeBox,
  findVisibleChallenge,
  isLocked,
  isReleased,
  listReleasedChallenges,
  lockTime,
  recordTry,
  userCompletion,
  userTries,
} from '../../domain/challenges/challenges.js';
import { weeklyAccess } from '../../domain/competitions/standing.js';
import { isKeyStage } from '../../domain/key-stage.js';
import { namesInWords } from '../../domain/schools.js';
import { contentDisposition, findUploadById, openUpload } from '../../domain/content/uploads.js';
import { HttpError } from '../../security/access.js';
import type { SessionUser } from '../../security/types.js';
import { answerBox, answerMessage } from '../answer-flow.js';
import { idParam, pageParam, queryValue } from '../params.js';
import { ChallengeDetailPage } from '../views/challenges/detail.js';
import { ChallengeListPage } from '../views/challenges/list.js';
import { MembersOnlyPage } from '../views/challenges/members-only.js';
import { viewContext } from '../views/context.js';

const NOT_FOUND = 'There is no challenge at this address.';

/** Teachers and admins write the challenges: they preview them, and their tries never score. */
const isStaff = (user: SessionUser): boolean => user.role !== 'student';

export async function challengeRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;

  /** Pupils of guest schools (competitions only) get a page pointing to their competition instead. */
  async function guestPage(request: FastifyRequest, reply: FastifyReply) {
    const access = await weeklyAccess(app.db, request.user!, new Date().toISOString());
    if (access.kind === 'member') return null;
    return reply.render(<MembersOnlyPage ctx={viewContext(request)} access={access} />, 403);
  }

  app.get('/challenges', { config: { access: 'user' } }, async (request, reply) => {
    const refused = await guestPage(request, reply);
    if (refused) return refused;
    const ks = queryValue(request, 'ks');
    const keyStage = isKeyStage(ks) ? ks : null;
    const list = await listReleasedChallenges(app.db, {
      now: new Date().toISOString(),
      page: pageParam(request),
      keyStage,
      userId: request.user!.id,
    });
    return reply.render(<ChallengeListPage ctx={viewContext(request)} list={list} keyStage={keyStage} zone={zone} />);
  });

  app.get('/challenges/:id', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const refused = await guestPage(request, reply);
    if (refused) return refused;
    const user = request.user!;
    const now = new Date().toISOString();
    const challenge = await findVisibleChallenge(app.db, idParam(request, NOT_FOUND), user, now);
    if (!challenge) throw new HttpError(404, NOT_FOUND);
    const [boxes, tries, completion] = await Promise.all([
      challengeBoxes(app.db, challenge.id),
      userTries(app.db, user.id, challenge.id),
      userCompletion(app.db, user.id, challenge.id),
    ]);
    return reply.render(
      <ChallengeDetailPage
        ctx={viewContext(request)}
        d={{
          challenge,
          boxes: boxStates(boxes, tries, challenge.attempts_per_box, isStaff(user)),
          completion,
          locked: isLocked(challenge, challenge.lock_after_hours, now),
          released: isReleased(challenge, now),
          autoLockAt: lockTime(challenge.release_at, challenge.lock_after_hours),
          isAdmin: isStaff(user),
          zone,
        }}
      />,
    );
  });

  // Public, because released challenges appear on the public home page; a
  // scheduled challenge's image is 404 for everyone but teachers and admins.
  app.get('/challenges/:id/image', { config: { access: 'public' } }, async (request, reply) => {
    const now = new Date().toISOString();
    const challenge = await findVisibleChallenge(app.db, idParam(request, NOT_FOUND), request.user, now);
    if (!challenge || challenge.image_upload_id === null) throw new HttpError(404, NOT_FOUND);
    const upload = await findUploadById(app.db, challenge.image_upload_id);
    if (!upload || upload.kind !== 'image') throw new HttpError(404, NOT_FOUND);
    const file = await openUpload(app.db, app.config.uploads, upload);
    if (!file) {
      request.log.warn({ upload: upload.id }, 'challenge image file is missing');
      throw new HttpError(404, NOT_FOUND);
    }
    return reply
      .type(upload.mime)
      .header('content-length', String(file.size))
      .header(
        'content-disposition',
        contentDisposition('inline', upload.original_name, upload.stored_name.split('.').pop()!),
      )
      .header('cache-control', isReleased(challenge, now) ? 'public, max-age=300' : 'private, no-store')
      .send(file.stream);
  });

  app.post('/challenges/:id/boxes/:boxId/answer', { config: { access: 'user' } }, async (request, reply) => {
    const user = request.user!;
    const access = await weeklyAccess(app.db, user, new Date().toISOString());
    if (access.kind === 'guest')
      throw new HttpError(
        403,
        `The weekly challenges are for pupils of ${namesInWords(access.members) || 'our member schools'}: answer your competition’s challenges instead.`,
      );
    const id = idParam(request, NOT_FOUND);
    const boxId = idParam(request, NOT_FOUND, 'boxId');
    const now = new Date().toISOString();
    const challenge = await findVisibleChallenge(app.db, id, user, now);
    const box = challenge && (await findChallengeBox(app.db, challenge.id, boxId));
    if (!challenge || !box) throw new HttpError(404, NOT_FOUND);
    return answerBox(app, request, reply, {
      challenge,
      box,
      page: `/challenges/${challenge.id}`,
      staff: isStaff(user),
      refusal: async () =>
        isLocked(challenge, challenge.lock_after_hours, now)
          ? answerMessage({ kind: 'locked' }, challenge.title)
          : null,
      // 'gone': the box was removed (or the challenge unpublished) while the answer was being checked.
      record: (answer, correct) =>
        recordTry(app.db, {
          challengeId: challenge.id,
          boxId: box.id,
          userId: user.id,
          isAdmin: isStaff(user),
          answer,
          correct,
        }),
    });
  });
}
