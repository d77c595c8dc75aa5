// Admin: competitions (create, edit, delete), their challenges (the weekly
// challenge form and validation with a duration instead of auto-lock), the
// participants and board (filters, bulk reset/delete, adjustments),
// analytics and exports (CSV safe against formula injection, and JSON).
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural } from '../../../lib/plural.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KEY_STAGES } from '../../../config/index.js';
import { requestActor } from '../../../domain/audit.js';
import {
  blankChallengeForm,
  challengeToForm,
  readChallengeForm,
  withAnotherBox,
} from '../../../domain/challenges/challenge-form.js';
import {
  ChallengeEditError,
  challengeBoxes,
  createChallenge,
  isReleased,
  regradeForEdit,
  triesPerBox,
  updateChallenge,
} from '../../../domain/challenges/challenges.js';
import {
  addCompetitionAdjustment,
  allEntries,
  BULK_BOARD_ACTIONS,
  bulkBoardAction,
  competitionAnalytics,
  deleteCompetitionAdjustment,
  ENTRY_SORTS,
  exportCsv,
  exportRecords,
  listCompetitionAdjustments,
  listEntries,
  PAGE_SIZES,
  type EntryFilters,
} from '../../../domain/competitions/analytics.js';
import { competitionDeletionCounts, completionsPerChallenge } from '../../../domain/competitions/competition-admin.js';
import {
  competitionToForm,
  readCompetitionForm,
  validateCompetitionAdjustment,
  validateCompetitionChallengeForm,
  validateCompetitionForm,
  type CompetitionChallengeValues,
  type CompetitionFormValues,
} from '../../../domain/competitions/competition-form.js';
import {
  closesAt,
  deleteCompetitionChallenge,
  DURATION_HOURS,
  findCompetitionChallenge,
  isCompetitionChallengeLocked,
  listCompetitionChallenges,
  rescoreCompetitionChallenge,
  setCompetitionChallengeLock,
} from '../../../domain/competitions/scoring.js';
import {
  CompetitionSchoolInUseError,
  competitionSchools,
  createCompetition,
  deleteCompetition,
  findCompetition,
  listCompetitions,
  updateCompetition,
} from '../../../domain/competitions/competitions.js';
import { csvDisposition } from '../../../lib/csv.js';
import { isKeyStage } from '../../../domain/key-stage.js';
import { listSchools } from '../../../domain/schools.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { HttpError } from '../../../security/access.js';
import { formFields } from '../../multipart.js';
import { AdminChallengeFormPage } from '../../views/admin/challenges.js';
import {
  AdminCompetitionAnalyticsPage,
  AdminCompetitionBoardPage,
  AdminCompetitionDeletePage,
  AdminCompetitionFormPage,
  AdminCompetitionListPage,
  AdminCompetitionPage,
} from '../../views/admin/competitions.js';
import { viewContext } from '../../views/context.js';
import { TextField } from '../../views/form.js';
import { idParam, parseId, parseQuery } from '../../params.js';
import { answerValidator, grader } from './challenges.js';

const NOT_FOUND = 'There is no competition with that number.';
const NO_CHALLENGE = 'There is no challenge with that number in this competition.';
const NO_ADJUSTMENT = 'There is no such adjustment.';

/** One query value, cut to 100 characters ('' when absent or repeated). */
const queryText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v.slice(0, 100) : ''));
const points = (v: string) => (/^-?\d{1,7}$/.test(v.trim()) ? Number(v.trim()) : null);

/** Board filters from the query string; anything unreadable is ignored. */
const boardQuerySchema = z
  .object({
    q: queryText,
    ks: queryText.transform((v) => (isKeyStage(v) ? v : null)),
    school: queryText.transform(parseId),
    min: queryText.transform(points),
    max: queryText.transform(points),
    sort: queryText.pipe(z.enum(ENTRY_SORTS).catch('points')),
    dir: queryText.transform((v) => (v === 'asc' ? 'asc' : 'desc')),
    per: queryText.transform(Number).transform((n) => ((PAGE_SIZES as readonly number[]).includes(n) ? n : 25)),
    page: queryText.transform((v) => parseId(v) ?? 1),
  })
  .transform((f) => {
    const filters: EntryFilters = {
      q: f.q,
      keyStage: f.ks,
      schoolId: f.school,
      minPoints: f.min,
      maxPoints: f.max,
      sort: f.sort,
      dir: f.dir,
    };
    const raw = {
      q: f.q,
      ks: f.ks ?? '',
      school: f.school ? String(f.school) : '',
      min: f.min === null ? '' : String(f.min),
      max: f.max === null ? '' : String(f.max),
      sort: f.sort,
      dir: f.dir,
    };
    return { filters, raw, page: f.page, perPage: f.per };
  });

export async function adminCompetitionRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;
  const admin = { access: 'admin' } as const;

  async function competitionOf(request: FastifyRequest) {
    const c = await findCompetition(app.db, idParam(request, NOT_FOUND));
    if (!c) throw new HttpError(404, NOT_FOUND);
    return c;
  }

  async function renderForm(
    request: FastifyRequest,
    id: number | null,
    values: CompetitionFormValues,
    errors?: FieldErrors,
  ) {
    return (
      <AdminCompetitionFormPage
        ctx={viewContext(request)}
        id={id}
        values={values}
        schools={await listSchools(app.db)}
        errors={errors}
        zone={zone}
      />
    );
  }

  app.get('/competitions', { config: admin }, async (request, reply) =>
    reply.render(
      <AdminCompetitionListPage ctx={viewContext(request)} competitions={await listCompetitions(app.db)} zone={zone} />,
    ),
  );

  app.get('/competitions/new', { config: admin }, async (request, reply) =>
    reply.render(
      await renderForm(request, null, { name: '', about_html: '', starts_at: '', ends_at: '', schoolIds: [] }),
    ),
  );

  app.post('/competitions/new', { config: admin }, async (request, reply) => {
    const values = readCompetitionForm(formFields(request.body));
    const outcome = await validateCompetitionForm(app.db, values, { timeZone: zone });
    if (!outcome.ok) return reply.render(await renderForm(request, null, outcome.values, outcome.errors), 400);
    const id = await createCompetition(app.db, outcome.data, requestActor(request));
    reply.flash('success', `Competition «${outcome.data.name}» created.`);
    return reply.redirect(`/admin/competitions/${id}`, 303);
  });

  app.get('/competitions/:id/edit', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    return reply.render(await renderForm(request, c.id, await competitionToForm(app.db, c, zone)));
  });

  app.post('/competitions/:id/edit', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const values = readCompetitionForm(formFields(request.body));
    const outcome = await validateCompetitionForm(app.db, values, { timeZone: zone, exceptId: c.id });
    if (!outcome.ok) return reply.render(await renderForm(request, c.id, outcome.values, outcome.errors), 400);
    try {
      await updateCompetition(app.db, c.id, outcome.data, requestActor(request));
    } catch (err) {
      if (err instanceof CompetitionSchoolInUseError)
        return reply.render(await renderForm(request, c.id, outcome.values, { schools: err.message }), 400);
      throw err;
    }
    reply.flash('success', `Competition «${outcome.data.name}» saved.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  app.get('/competitions/:id/delete', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const counts = await competitionDeletionCounts(app.db, c.id);
    return reply.render(
      <AdminCompetitionDeletePage
        ctx={viewContext(request)}
        competition={c}
        challenges={counts.challenges}
        participants={counts.participants}
      />,
    );
  });

  app.post('/competitions/:id/delete', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    await deleteCompetition(app.db, c.id, requestActor(request));
    reply.flash('success', `Competition «${c.name}» deleted.`);
    return reply.redirect('/admin/competitions', 303);
  });

  // ---------------------------------------------------------------- challenges

  app.get('/competitions/:id', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const now = new Date().toISOString();
    const challenges = await listCompetitionChallenges(app.db, c.id, { now, includeScheduled: true });
    const comps = challenges.length ? await completionsPerChallenge(app.db, c.id) : new Map<number, number>();
    return reply.render(
      <AdminCompetitionPage
        ctx={viewContext(request)}
        competition={c}
        zone={zone}
        rows={challenges.map((ch) => ({
          challenge: ch,
          locked: isCompetitionChallengeLocked(ch, now),
          closesAt: closesAt(ch),
          released: isReleased(ch, now),
          completions: comps.get(ch.id) ?? 0,
        }))}
      />,
    );
  });

  const challengeChecks = () => ({
    timeZone: zone,
    now: new Date().toISOString(),
    validateAnswer: answerValidator(app.math),
  });

  function formTarget(competitionId: number, challengeId: number | null, duration: string, error?: string) {
    const base = `/admin/competitions/${competitionId}/challenges`;
    return {
      heading: challengeId ? 'Edit competition challenge' : 'New competition challenge',
      action: challengeId ? `${base}/${challengeId}/edit` : `${base}/new`,
      cancelHref: `/admin/competitions/${competitionId}`,
      viewHref: challengeId ? `/competitions/${competitionId}/challenges/${challengeId}` : null,
      timingField: (
        <TextField
          name="duration_hours"
          label="Duration (hours)"
          type="number"
          value={duration}
          required
          errors={error ? { duration_hours: error } : {}}
          hint={`${DURATION_HOURS.min}–${DURATION_HOURS.max} hours from release; then it closes.`}
        />
      ),
    };
  }

  /** The shared challenge form for a competition's challenge: new (ch null) or an existing one with its tries. */
  async function showChallengeForm(
    request: FastifyRequest,
    reply: FastifyReply,
    c: { id: number },
    ch: { id: number } | null,
    values: CompetitionChallengeValues,
    errors: FieldErrors = {},
    status = 200,
  ) {
    return reply.render(
      <AdminChallengeFormPage
        ctx={viewContext(request)}
        id={ch?.id ?? null}
        values={values}
        errors={errors}
        tries={ch ? await triesPerBox(app.db, ch.id) : undefined}
        zone={zone}
        maxImageMb={0}
        target={formTarget(c.id, ch?.id ?? null, values.duration_hours, errors.duration_hours)}
      />,
      status,
    );
  }

  /** "Add another answer" without JavaScript: the form back with one more box, nothing saved. */
  function addBox(
    request: FastifyRequest,
    reply: FastifyReply,
    c: { id: number },
    ch: { id: number } | null,
    fields: Record<string, string>,
  ) {
    const more = withAnotherBox(readChallengeForm({ ...fields, lock_after_hours: '' }));
    const values = { ...more.values, duration_hours: fields.duration_hours ?? '' };
    return showChallengeForm(
      request,
      reply,
      c,
      ch,
      values,
      more.error ? { boxes: more.error } : {},
      more.error ? 400 : 200,
    );
  }

  app.get('/competitions/:id/challenges/new', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    return showChallengeForm(request, reply, c, null, { ...blankChallengeForm(), duration_hours: '24' });
  });

  app.post('/competitions/:id/challenges/new', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const fields = formFields(request.body);
    if (fields.add_box !== undefined) return addBox(request, reply, c, null, fields);
    const outcome = await validateCompetitionChallengeForm(fields, challengeChecks());
    if (!outcome.ok) return showChallengeForm(request, reply, c, null, outcome.values, outcome.errors, 400);
    const { challenge, durationHours } = outcome.data;
    await createChallenge(app.db, challenge, requestActor(request), { competitionId: c.id, durationHours });
    reply.flash('success', `Competition challenge «${mathProseToText(challenge.title)}» created.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  async function challengeOf(request: FastifyRequest) {
    const c = await competitionOf(request);
    const ch = await findCompetitionChallenge(app.db, c.id, idParam(request, NO_CHALLENGE, 'challengeId'));
    if (!ch) throw new HttpError(404, NO_CHALLENGE);
    return { c, ch };
  }

  app.get('/competitions/:id/challenges/:challengeId/edit', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    const values = {
      ...challengeToForm(ch, await challengeBoxes(app.db, ch.id), zone),
      duration_hours: String(ch.duration_hours ?? ''),
    };
    return showChallengeForm(request, reply, c, ch, values);
  });

  app.post('/competitions/:id/challenges/:challengeId/edit', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    const fields = formFields(request.body);
    if (fields.add_box !== undefined) return addBox(request, reply, c, ch, fields);
    const outcome = await validateCompetitionChallengeForm(fields, challengeChecks());
    const showErrors = (errors: FieldErrors) => showChallengeForm(request, reply, c, ch, outcome.values, errors, 400);
    if (!outcome.ok) return showErrors(outcome.errors);
    const { challenge, durationHours } = outcome.data;
    const regrading = await regradeForEdit(app.db, ch.id, challenge.boxes, grader(app.math));
    try {
      await updateChallenge(app.db, ch.id, challenge, regrading, requestActor(request), {
        competitionId: c.id,
        durationHours,
        rescore: (trx, id, now) => rescoreCompetitionChallenge(trx, id, now),
      });
    } catch (err) {
      if (err instanceof ChallengeEditError) return showErrors({ boxes: err.message });
      throw err;
    }
    reply.flash('success', `Competition challenge «${mathProseToText(challenge.title)}» saved.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  for (const action of ['lock', 'unlock'] as const) {
    app.post(`/competitions/:id/challenges/:challengeId/${action}`, { config: admin }, async (request, reply) => {
      const { c, ch } = await challengeOf(request);
      await setCompetitionChallengeLock(app.db, c.id, ch.id, action === 'lock', requestActor(request));
      reply.flash(
        'success',
        `«${mathProseToText(ch.title)}» is ${action === 'lock' ? 'locked' : 'unlocked (its duration still applies)'}.`,
      );
      return reply.redirect(`/admin/competitions/${c.id}`, 303);
    });
  }

  app.post('/competitions/:id/challenges/:challengeId/delete', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    await deleteCompetitionChallenge(app.db, c.id, ch.id, requestActor(request));
    reply.flash(
      'success',
      `«${mathProseToText(ch.title)}» deleted with its tries; the competition board was recalculated.`,
    );
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  // ---------------------------------------------------------------- board

  app.get('/competitions/:id/board', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const { filters, raw, page, perPage } = parseQuery(request, boardQuerySchema);
    const [list, schools, adjustments] = await Promise.all([
      listEntries(app.db, c.id, filters, page, perPage),
      competitionSchools(app.db, c.id),
      listCompetitionAdjustments(app.db, c.id),
    ]);
    return reply.render(
      <AdminCompetitionBoardPage
        ctx={viewContext(request)}
        d={{ competition: c, schools, filters, rawFilters: raw, perPage, list, adjustments, zone }}
      />,
    );
  });

  app.post('/competitions/:id/board/bulk', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const fields = formFields(request.body);
    const back = () => reply.redirect(`/admin/competitions/${c.id}/board`, 303);
    const chosen = z.enum(BULK_BOARD_ACTIONS).safeParse(fields.action);
    if (!chosen.success) {
      reply.flash('error', 'Choose reset or delete.');
      return back();
    }
    const action = chosen.data;
    const ids = Object.entries(fields)
      .filter(([k, v]) => /^user-[1-9]\d{0,9}$/.test(k) && v)
      .map(([k]) => Number(k.slice(5)));
    if (!ids.length) {
      reply.flash('error', 'Select at least one participant.');
      return back();
    }
    const n = await bulkBoardAction(app.db, c.id, action, ids, requestActor(request));
    reply.flash('success', `${action === 'reset' ? 'Reset' : 'Removed'} ${plural(n, 'participant')}.`);
    return back();
  });

  app.post('/competitions/:id/adjustments', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const back = () => reply.redirect(`/admin/competitions/${c.id}/board`, 303);
    const form = validateCompetitionAdjustment(formFields(request.body));
    if (!form.ok) {
      // The form is one line on the board page: its first problem is shown as a message.
      reply.flash('error', Object.values(form.errors)[0] ?? '');
      return back();
    }
    if (!(await addCompetitionAdjustment(app.db, c.id, form.data, requestActor(request)))) {
      reply.flash('error', 'That student is not a participant of this competition.');
      return back();
    }
    const { points } = form.data;
    reply.flash('success', `Adjustment of ${points > 0 ? '+' : ''}${points} recorded.`);
    return back();
  });

  app.post('/competitions/:id/adjustments/:adjustmentId/delete', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const id = idParam(request, NO_ADJUSTMENT, 'adjustmentId');
    if (!(await deleteCompetitionAdjustment(app.db, c.id, id, requestActor(request))))
      throw new HttpError(404, NO_ADJUSTMENT);
    reply.flash('success', 'Adjustment removed.');
    return reply.redirect(`/admin/competitions/${c.id}/board`, 303);
  });

  // ---------------------------------------------------------------- analytics and export

  app.get('/competitions/:id/analytics', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    return reply.render(
      <AdminCompetitionAnalyticsPage
        ctx={viewContext(request)}
        competition={c}
        a={await competitionAnalytics(app.db, c.id)}
      />,
    );
  });

  app.get('/competitions/:id/export.csv', { config: { ...admin, personal: true } }, async (request, reply) => {
    const c = await competitionOf(request);
    const { filters } = parseQuery(request, boardQuerySchema);
    const rows = await allEntries(app.db, c.id, { ...filters, q: '' });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', csvDisposition(`competition-${c.id}-leaderboard`))
      .send(exportCsv(rows));
  });

  app.get(
    '/competitions/:id/export.json',
    { config: { ...admin, personal: true, json: true } },
    async (request, reply) => {
      const c = await competitionOf(request);
      const { filters } = parseQuery(request, boardQuerySchema);
      const rows = await allEntries(app.db, c.id, { ...filters, q: '' });
      return reply.header('content-disposition', `attachment; filename="competition-${c.id}-leaderboard.json"`).send({
        competition: { id: c.id, name: c.name, startsAt: c.starts_at, endsAt: c.ends_at },
        filters: {
          keyStage: filters.keyStage,
          schoolId: filters.schoolId,
          minPoints: filters.minPoints,
          maxPoints: filters.maxPoints,
        },
        keyStages: KEY_STAGES,
        entries: exportRecords(rows),
      });
    },
  );
}
