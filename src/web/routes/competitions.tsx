// Public competition pages: /competition (the current or most recent
// competition), /competitions/:id, registration through a school, joining
// with an existing account, and the competition challenges, answered under
// the competition's rules (participants of the matching key stage, duration
// lock) and scored on the competition board.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../domain/audit.js';
import { boxOptions, boxProgress, boxStates, challengeBoxes, isReleased, MAX_ANSWER_LENGTH, userCompletion, userTries } from '../../domain/challenges/challenges.js';
import {
  answerEligibility, closesAt, competitionBoards, findCompetitionChallenge, isCompetitionChallengeLocked, listCompetitionChallenges,
  recordCompetitionTry,
} from '../../domain/competitions/scoring.js';
import {
  competitionPhase, competitionSchools, currentCompetition, findCompetition, findParticipation, joinCompetition, listCompetitions,
  registerParticipant, registrationClosedReason, schoolForJoin, validateCompetitionRegistration,
} from '../../domain/competitions/competitions.js';
import { passwordRules } from '../../domain/accounts/password-policy.js';
import { field } from '../../domain/accounts/user-forms.js';
import { EmailTakenError, findUserById, hashNewPassword } from '../../domain/accounts/users.js';
import { HttpError } from '../../security/access.js';
import { logIn } from '../../security/session.js';
import { formFields } from '../multipart.js';
import type { Flash } from '../types.js';
import { ChallengeDetailPage } from '../views/challenges/detail.js';
import { plural } from '../views/challenges/parts.js';
import { CompetitionChallengesPage, CompetitionPage, CompetitionRegisterPage, NoCompetitionPage } from '../views/competitions/public.js';
import { viewContext } from '../views/context.js';
import { answerMessage, parseId, uncountedMessage } from './challenges.js';

const NO_COMPETITION = 'There is no competition at this address.';
const NO_CHALLENGE = 'There is no challenge at this address.';

export async function competitionRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;

  async function competitionOf(request: FastifyRequest) {
    const id = parseId((request.params as { id: string }).id);
    const c = id ? await findCompetition(app.db, id) : undefined;
    if (!c) throw new HttpError(404, NO_COMPETITION);
    return c;
  }

  /** The competition a form or link names (?competition=), else the current one. */
  async function chosenCompetition(raw: unknown) {
    const id = parseId(raw);
    if (id) return findCompetition(app.db, id);
    return currentCompetition(app.db, new Date().toISOString());
  }

  async function renderCompetition(request: FastifyRequest, reply: FastifyReply, id: number | null) {
    const now = new Date().toISOString();
    const c = id ? await findCompetition(app.db, id) : await currentCompetition(app.db, now);
    if (!c) {
      if (id) throw new HttpError(404, NO_COMPETITION);
      return reply.render(<NoCompetitionPage ctx={viewContext(request)} />);
    }
    const user = request.user;
    const [schools, boards, all, participation, dbUser] = await Promise.all([
      competitionSchools(app.db, c.id), competitionBoards(app.db, c.id), listCompetitions(app.db),
      user ? findParticipation(app.db, c.id, user.id) : undefined,
      user ? findUserById(app.db, user.id) : undefined,
    ]);
    const canJoin = Boolean(dbUser && dbUser.key_stage && !participation && (await schoolForJoin(app.db, c.id, dbUser)));
    if (user) reply.header('cache-control', 'no-store');
    return reply.render(<CompetitionPage ctx={viewContext(request)} d={{
      competition: c, phase: competitionPhase(c, now), schools, boards, participation: participation ?? null, canJoin,
      others: all.filter((o) => o.id !== c.id), zone,
    }} />);
  }

  app.get('/competition', { config: { access: 'public' } }, (request, reply) => renderCompetition(request, reply, null));
  app.get('/competitions/:id', { config: { access: 'public' } }, (request, reply) => {
    const id = parseId((request.params as { id: string }).id);
    if (!id) throw new HttpError(404, NO_COMPETITION);
    return renderCompetition(request, reply, id);
  });

  // ---------------------------------------------------------------- registration

  const registerPage = async (request: FastifyRequest, reply: FastifyReply, c: NonNullable<Awaited<ReturnType<typeof chosenCompetition>>>,
    status = 200, extra: { values?: Record<string, string>; errors?: Record<string, string>; existingAccount?: boolean } = {}) =>
    reply.render(<CompetitionRegisterPage ctx={viewContext(request)} d={{
      competition: c, schools: await competitionSchools(app.db, c.id), rules: passwordRules(app.config, { isAdmin: false }),
      closed: registrationClosedReason(c, new Date().toISOString()), ...extra,
    }} />, status);

  app.get('/competition/register', { config: { access: 'public' } }, async (request, reply) => {
    const c = await chosenCompetition((request.query as Record<string, unknown>).competition);
    if (!c) throw new HttpError(404, 'There is no competition to register for at the moment.');
    if (request.user) return reply.redirect(`/competitions/${c.id}`, 303);
    return registerPage(request, reply, c);
  });

  app.post('/competition/register', { config: { access: 'public', rateLimit: app.config.rateLimit.register } }, async (request, reply) => {
    const c = await chosenCompetition((request.query as Record<string, unknown>).competition ?? field(request.body, 'competition_id'));
    if (!c) throw new HttpError(404, 'There is no competition to register for at the moment.');
    if (request.user) return reply.redirect(`/competitions/${c.id}`, 303);
    if (registrationClosedReason(c, new Date().toISOString())) return registerPage(request, reply, c, 400);
    const result = await validateCompetitionRegistration(app.db, app.config, c.id, request.body);
    if (!result.ok) return registerPage(request, reply, c, 400, { values: result.values, errors: result.errors, existingAccount: result.existingAccount });
    const d = result.data;
    let userId: number;
    try {
      userId = await registerParticipant(app.db, c.id, {
        email: d.email, firstName: d.firstName, lastName: d.lastName, passwordHash: await hashNewPassword(d.password),
        yearGroup: d.yearGroup, keyStage: d.keyStage, mathsClass: null, schoolId: d.schoolId, userType: 'student',
        isAdmin: false, mustChangePassword: false,
      }, requestActor(request));
    } catch (err) {
      if (err instanceof EmailTakenError) {
        return registerPage(request, reply, c, 400, {
          values: result.values, existingAccount: true,
          errors: { email: 'An account with this email address already exists. Log in, then join the competition from this page.' },
        });
      }
      throw err;
    }
    await logIn(request, reply, userId, { remember: false });
    reply.flash('success', `Welcome, ${d.firstName}! You are registered for ${c.name} in ${d.keyStage}.`);
    return reply.redirect(`/competitions/${c.id}/challenges`, 303);
  });

  app.post('/competition/join', { config: { access: 'user' } }, async (request, reply) => {
    const c = await chosenCompetition(field(request.body, 'competition_id'));
    if (!c) throw new HttpError(404, NO_COMPETITION);
    const back = `/competitions/${c.id}`;
    const closed = registrationClosedReason(c, new Date().toISOString());
    if (closed) return reply.flash('warning', closed).redirect(back, 303);
    const user = await findUserById(app.db, request.user!.id);
    if (!user) throw new HttpError(404, NO_COMPETITION);
    const outcome = await joinCompetition(app.db, c.id, user, requestActor(request));
    const message: Flash = outcome.kind === 'joined'
      ? { type: 'success', text: `You have joined ${c.name} for ${outcome.school.name} in ${outcome.keyStage}.` }
      : outcome.kind === 'already' ? { type: 'info', text: `You already take part in ${c.name}.` }
        : outcome.kind === 'no-key-stage' ? { type: 'error', text: 'Your account has no school year, so your key stage is unknown. Ask a teacher to set your year first.' }
          : { type: 'error', text: `Your email address does not belong to one of the schools in ${c.name}, so you cannot join it.` };
    reply.flash(message.type, message.text);
    return reply.redirect(outcome.kind === 'joined' ? `/competitions/${c.id}/challenges` : back, 303);
  });

  // ---------------------------------------------------------------- challenges

  app.get('/competitions/:id/challenges', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const c = await competitionOf(request);
    const user = request.user!;
    const now = new Date().toISOString();
    const [challenges, participation] = await Promise.all([
      listCompetitionChallenges(app.db, c.id, { now, includeScheduled: user.isAdmin }), findParticipation(app.db, c.id, user.id),
    ]);
    const done = new Set((await app.db.selectFrom('completions').select('challenge_id')
      .where('user_id', '=', user.id).where('competition_id', '=', c.id).execute()).map((r) => r.challenge_id));
    return reply.render(<CompetitionChallengesPage ctx={viewContext(request)} competition={c} participation={participation ?? null}
      isAdmin={user.isAdmin} zone={zone} items={challenges.map((ch) => ({
        challenge: ch, locked: isCompetitionChallengeLocked(ch, now), closesAt: closesAt(ch), completed: done.has(ch.id),
      }))} />);
  });

  async function visibleChallenge(request: FastifyRequest) {
    const params = request.params as { id: string; challengeId: string };
    const competitionId = parseId(params.id);
    const challengeId = parseId(params.challengeId);
    const now = new Date().toISOString();
    const ch = competitionId && challengeId ? await findCompetitionChallenge(app.db, competitionId, challengeId) : undefined;
    if (!ch || (!request.user!.isAdmin && !isReleased(ch, now))) throw new HttpError(404, NO_CHALLENGE);
    return { ch, now };
  }

  app.get('/competitions/:id/challenges/:challengeId', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const user = request.user!;
    const { ch, now } = await visibleChallenge(request);
    const competitionId = ch.competition_id!;
    const [boxes, tries, completion, eligibility] = await Promise.all([
      challengeBoxes(app.db, ch.id), userTries(app.db, user.id, ch.id), userCompletion(app.db, user.id, ch.id),
      answerEligibility(app.db, ch, user.id),
    ]);
    const base = `/competitions/${competitionId}/challenges/${ch.id}`;
    return reply.render(<ChallengeDetailPage ctx={viewContext(request)} d={{
      challenge: ch,
      boxes: boxStates(boxes, tries, ch.attempts_per_box, user.isAdmin),
      completion,
      locked: isCompetitionChallengeLocked(ch, now),
      released: isReleased(ch, now),
      autoLockAt: closesAt(ch),
      isAdmin: user.isAdmin,
      zone,
      links: {
        base, back: { href: `/competitions/${competitionId}/challenges`, label: 'Competition challenges' },
        edit: `/admin/competitions/${competitionId}/challenges/${ch.id}/edit`,
      },
      readOnlyReason: eligibility.ok ? null : eligibility.message,
    }} />);
  });

  app.post('/competitions/:id/challenges/:challengeId/boxes/:boxId/answer', { config: { access: 'user' } }, async (request, reply) => {
    const user = request.user!;
    const { ch, now } = await visibleChallenge(request);
    const boxId = parseId((request.params as { boxId: string }).boxId);
    const box = boxId ? await app.db.selectFrom('answer_boxes').selectAll().where('id', '=', boxId).where('challenge_id', '=', ch.id).executeTakeFirst() : undefined;
    if (!box) throw new HttpError(404, NO_CHALLENGE);
    const page = `/competitions/${ch.competition_id}/challenges/${ch.id}`;
    const refuse = (type: Flash['type'], text: string) => reply.flash(type, text).redirect(`${page}#box-${box.position}`, 303);

    const answer = (formFields(request.body).answer ?? '').trim();
    if (answer === '') return refuse('error', 'Type an answer before checking it.');
    if (answer.length > MAX_ANSWER_LENGTH) return refuse('error', `Your answer is too long: answers can be at most ${MAX_ANSWER_LENGTH} characters.`);
    if (!user.isAdmin) {
      // Cheap checks before the engine runs; recordCompetitionTry repeats them in its transaction.
      const eligible = await answerEligibility(app.db, ch, user.id);
      if (!eligible.ok) return refuse('error', eligible.message);
      if (isCompetitionChallengeLocked(ch, now)) return refuse('warning', 'This challenge is closed, so answers are no longer accepted.');
      const prior = await boxProgress(app.db, user.id, ch.id, box.id);
      if (prior.solved) return refuse('info', 'You have already answered this box correctly.');
      if (prior.tries >= ch.attempts_per_box) return refuse('warning', 'You have used all your attempts for this box.');
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
    const outcome = await recordCompetitionTry(app.db, {
      competitionId: ch.competition_id!, challengeId: ch.id, boxId: box.id, userId: user.id, isAdmin: user.isAdmin, answer, correct: verdict.equivalent,
    });
    if (outcome.kind === 'recorded' && !outcome.correct) await app.rateLimits.hit('wrong-answer', key);
    if (outcome.kind === 'gone') throw new HttpError(404, NO_CHALLENGE);
    if (outcome.kind === 'ineligible') return refuse('error', outcome.message);
    if (outcome.kind === 'locked') return refuse('warning', 'This challenge is closed, so answers are no longer accepted.');
    const message = answerMessage(outcome, ch.title);
    return refuse(message.type, message.text);
  });
}
