// Public competition pages: /competition (the current or most recent
// competition), /competitions/:id, registration through a school, joining
// with an existing account, and the competition challenges, answered under
// the competition's rules (participants of the matching key stage, duration
// lock) and scored on the competition board.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../domain/audit.js';
import { boardVisibility } from '../../domain/accounts/board-visibility.js';
import { registerPending } from '../../domain/accounts/email-verification.js';
import {
  boxStates,
  challengeBoxes,
  findChallengeBox,
  isReleased,
  userCompletion,
  userTries,
} from '../../domain/challenges/challenges.js';
import {
  answerEligibility,
  closesAt,
  competitionBoards,
  completedCompetitionChallenges,
  findCompetitionChallenge,
  isCompetitionChallengeLocked,
  listCompetitionChallenges,
  recordCompetitionTry,
} from '../../domain/competitions/scoring.js';
import {
  competitionPhase,
  competitionSchools,
  currentCompetition,
  findCompetition,
  findParticipation,
  joinCompetition,
  listCompetitions,
  registerParticipant,
  registrationClosedReason,
  schoolForJoin,
  validateCompetitionRegistration,
} from '../../domain/competitions/competitions.js';
import { passwordRules } from '../../domain/accounts/password-policy.js';
import { EmailTakenError, findUserById, hashNewPassword } from '../../domain/accounts/users.js';
import { field } from '../../lib/forms.js';
import { HttpError } from '../../security/access.js';
import { logIn } from '../../security/session.js';
import { answerBox } from '../answer-flow.js';
import { idParam, parseId, queryValue } from '../params.js';
import type { Flash } from '../types.js';
import { ChallengeDetailPage } from '../views/challenges/detail.js';
import {
  CompetitionChallengesPage,
  CompetitionPage,
  CompetitionRegisterPage,
  NoCompetitionPage,
} from '../views/competitions/public.js';
import { viewContext } from '../views/context.js';
import { answerCheckInbox, linksFor, mayEmail } from './email-links.js';

const NO_COMPETITION = 'There is no competition at this address.';
const NO_CHALLENGE = 'There is no challenge at this address.';
const CLOSED: Flash = { type: 'warning', text: 'This challenge is closed, so answers are no longer accepted.' };

export async function competitionRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;

  async function competitionOf(request: FastifyRequest) {
    const c = await findCompetition(app.db, idParam(request, NO_COMPETITION));
    if (!c) throw new HttpError(404, NO_COMPETITION);
    return c;
  }

  /** The competition a form or link names (?competition=), else the current one. */
  async function chosenCompetition(raw: string | undefined) {
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
      competitionSchools(app.db, c.id),
      competitionBoards(app.db, c.id, boardVisibility(app.config)),
      listCompetitions(app.db),
      user ? findParticipation(app.db, c.id, user.id) : undefined,
      user ? findUserById(app.db, user.id) : undefined,
    ]);
    const canJoin = Boolean(
      dbUser && dbUser.key_stage && !participation && (await schoolForJoin(app.db, c.id, dbUser)),
    );
    if (user) reply.header('cache-control', 'no-store');
    return reply.render(
      <CompetitionPage
        ctx={viewContext(request)}
        d={{
          competition: c,
          phase: competitionPhase(c, now),
          schools,
          boards,
          participation: participation ?? null,
          canJoin,
          others: all.filter((o) => o.id !== c.id),
          zone,
        }}
      />,
    );
  }

  app.get('/competition', { config: { access: 'public' } }, (request, reply) =>
    renderCompetition(request, reply, null),
  );
  app.get('/competitions/:id', { config: { access: 'public' } }, (request, reply) =>
    renderCompetition(request, reply, idParam(request, NO_COMPETITION)),
  );

  // ---------------------------------------------------------------- registration

  const registerPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    c: NonNullable<Awaited<ReturnType<typeof chosenCompetition>>>,
    status = 200,
    extra: { values?: Record<string, string>; errors?: Record<string, string>; existingAccount?: boolean } = {},
  ) =>
    reply.render(
      <CompetitionRegisterPage
        ctx={viewContext(request)}
        d={{
          competition: c,
          schools: await competitionSchools(app.db, c.id),
          rules: passwordRules(app.config, { isAdmin: false }),
          closed: registrationClosedReason(c, new Date().toISOString()),
          ...extra,
        }}
      />,
      status,
    );

  app.get('/competition/register', { config: { access: 'public' } }, async (request, reply) => {
    const c = await chosenCompetition(queryValue(request, 'competition'));
    if (!c) throw new HttpError(404, 'There is no competition to register for at the moment.');
    if (request.user) return reply.redirect(`/competitions/${c.id}`, 303);
    return registerPage(request, reply, c);
  });

  app.post(
    '/competition/register',
    { config: { access: 'public', rateLimit: app.config.rateLimit.register } },
    async (request, reply) => {
      const c = await chosenCompetition(queryValue(request, 'competition') ?? field(request.body, 'competition_id'));
      if (!c) throw new HttpError(404, 'There is no competition to register for at the moment.');
      if (request.user) return reply.redirect(`/competitions/${c.id}`, 303);
      if (registrationClosedReason(c, new Date().toISOString())) return registerPage(request, reply, c, 400);
      // When addresses must be confirmed, a taken address is answered like a new one (auth.tsx, /register).
      const confirm = app.config.mail.requireVerification;
      const result = await validateCompetitionRegistration(app.db, app.config, c.id, request.body, {
        revealTaken: !confirm,
      });
      if (!result.ok)
        return registerPage(request, reply, c, 400, {
          values: result.values,
          errors: result.errors,
          existingAccount: result.existingAccount,
        });
      const d = result.data;
      const account = {
        email: d.email,
        firstName: d.firstName,
        lastName: d.lastName,
        passwordHash: await hashNewPassword(d.password),
        yearGroup: d.yearGroup,
        keyStage: d.keyStage,
        mathsClass: null,
        schoolId: d.schoolId,
        userType: 'student' as const,
        isAdmin: false,
        mustChangePassword: false,
        emailVerified: !confirm,
      };
      if (confirm) {
        await registerPending(
          app.db,
          { account, competition: { id: c.id, name: c.name } },
          requestActor(request),
          linksFor(request),
          { mailAllowed: await mayEmail(app, d.email) },
        );
        return answerCheckInbox(reply, d.email);
      }
      let userId: number;
      try {
        userId = await registerParticipant(app.db, c.id, account, requestActor(request));
      } catch (err) {
        if (err instanceof EmailTakenError) {
          return registerPage(request, reply, c, 400, {
            values: result.values,
            existingAccount: true,
            errors: {
              email:
                'An account with this email address already exists. Log in, then join the competition from this page.',
            },
          });
        }
        throw err;
      }
      await logIn(request, reply, userId, { remember: false });
      reply.flash('success', `Welcome, ${d.firstName}! You are registered for ${c.name} in ${d.keyStage}.`);
      return reply.redirect(`/competitions/${c.id}/challenges`, 303);
    },
  );

  app.post('/competition/join', { config: { access: 'user' } }, async (request, reply) => {
    const c = await chosenCompetition(field(request.body, 'competition_id'));
    if (!c) throw new HttpError(404, NO_COMPETITION);
    const back = `/competitions/${c.id}`;
    const closed = registrationClosedReason(c, new Date().toISOString());
    if (closed) return reply.flash('warning', closed).redirect(back, 303);
    const user = await findUserById(app.db, request.user!.id);
    if (!user) throw new HttpError(404, NO_COMPETITION);
    const outcome = await joinCompetition(app.db, c.id, user, requestActor(request));
    const message: Flash =
      outcome.kind === 'joined'
        ? { type: 'success', text: `You have joined ${c.name} for ${outcome.school.name} in ${outcome.keyStage}.` }
        : outcome.kind === 'already'
          ? { type: 'info', text: `You already take part in ${c.name}.` }
          : outcome.kind === 'no-key-stage'
            ? {
                type: 'error',
                text: 'Your account has no school year, so your key stage is unknown. Ask a teacher to set your year first.',
              }
            : {
                type: 'error',
                text: `Your email address does not belong to one of the schools in ${c.name}, so you cannot join it.`,
              };
    reply.flash(message.type, message.text);
    return reply.redirect(outcome.kind === 'joined' ? `/competitions/${c.id}/challenges` : back, 303);
  });

  // ---------------------------------------------------------------- challenges

  app.get('/competitions/:id/challenges', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const c = await competitionOf(request);
    const user = request.user!;
    const now = new Date().toISOString();
    const [challenges, participation, done] = await Promise.all([
      listCompetitionChallenges(app.db, c.id, { now, includeScheduled: user.isAdmin }),
      findParticipation(app.db, c.id, user.id),
      completedCompetitionChallenges(app.db, c.id, user.id),
    ]);
    return reply.render(
      <CompetitionChallengesPage
        ctx={viewContext(request)}
        competition={c}
        participation={participation ?? null}
        isAdmin={user.isAdmin}
        zone={zone}
        items={challenges.map((ch) => ({
          challenge: ch,
          locked: isCompetitionChallengeLocked(ch, now),
          closesAt: closesAt(ch),
          completed: done.has(ch.id),
        }))}
      />,
    );
  });

  async function visibleChallenge(request: FastifyRequest) {
    const competitionId = idParam(request, NO_CHALLENGE);
    const challengeId = idParam(request, NO_CHALLENGE, 'challengeId');
    const now = new Date().toISOString();
    const ch = await findCompetitionChallenge(app.db, competitionId, challengeId);
    if (!ch || (!request.user!.isAdmin && !isReleased(ch, now))) throw new HttpError(404, NO_CHALLENGE);
    return { ch, now };
  }

  app.get(
    '/competitions/:id/challenges/:challengeId',
    { config: { access: 'user', personal: true } },
    async (request, reply) => {
      const user = request.user!;
      const { ch, now } = await visibleChallenge(request);
      const competitionId = ch.competition_id!;
      const [boxes, tries, completion, eligibility] = await Promise.all([
        challengeBoxes(app.db, ch.id),
        userTries(app.db, user.id, ch.id),
        userCompletion(app.db, user.id, ch.id),
        answerEligibility(app.db, ch, user.id),
      ]);
      const base = `/competitions/${competitionId}/challenges/${ch.id}`;
      return reply.render(
        <ChallengeDetailPage
          ctx={viewContext(request)}
          d={{
            challenge: ch,
            boxes: boxStates(boxes, tries, ch.attempts_per_box, user.isAdmin),
            completion,
            locked: isCompetitionChallengeLocked(ch, now),
            released: isReleased(ch, now),
            autoLockAt: closesAt(ch),
            isAdmin: user.isAdmin,
            zone,
            links: {
              base,
              back: { href: `/competitions/${competitionId}/challenges`, label: 'Competition challenges' },
              edit: `/admin/competitions/${competitionId}/challenges/${ch.id}/edit`,
            },
            readOnlyReason: eligibility.ok ? null : eligibility.message,
          }}
        />,
      );
    },
  );

  app.post(
    '/competitions/:id/challenges/:challengeId/boxes/:boxId/answer',
    { config: { access: 'user' } },
    async (request, reply) => {
      const user = request.user!;
      const { ch, now } = await visibleChallenge(request);
      const competitionId = ch.competition_id!;
      const box = await findChallengeBox(app.db, ch.id, idParam(request, NO_CHALLENGE, 'boxId'));
      if (!box) throw new HttpError(404, NO_CHALLENGE);
      return answerBox(app, request, reply, {
        challenge: ch,
        box,
        page: `/competitions/${competitionId}/challenges/${ch.id}`,
        refusal: async () => {
          const eligible = await answerEligibility(app.db, ch, user.id);
          if (!eligible.ok) return { type: 'error', text: eligible.message };
          return isCompetitionChallengeLocked(ch, now) ? CLOSED : null;
        },
        record: async (answer, correct) => {
          const outcome = await recordCompetitionTry(app.db, {
            competitionId,
            challengeId: ch.id,
            boxId: box.id,
            userId: user.id,
            isAdmin: user.isAdmin,
            answer,
            correct,
          });
          if (outcome.kind === 'gone') throw new HttpError(404, NO_CHALLENGE);
          if (outcome.kind === 'ineligible')
            return { kind: 'refused', message: { type: 'error', text: outcome.message } };
          if (outcome.kind === 'locked') return { kind: 'refused', message: CLOSED };
          return outcome;
        },
      });
    },
  );
}
