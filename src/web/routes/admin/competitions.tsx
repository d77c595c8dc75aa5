// Admin: competitions (create, edit, delete), their challenges (the weekly
// challenge form and validation with a duration instead of auto-lock), the
// participants and board (filters, bulk reset/delete, adjustments),
// analytics and exports (CSV safe against formula injection, and JSON).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KEY_STAGES } from '../../../config/index.js';
import { requestActor } from '../../../domain/audit.js';
import { blankChallengeForm, challengeToForm, readChallengeForm, validateChallengeForm } from '../../../domain/challenges/challenge-form.js';
import { ChallengeEditError, challengeBoxes, createChallenge, isReleased, regradeForEdit, triesPerBox, updateChallenge } from '../../../domain/challenges/challenges.js';
import {
  addCompetitionAdjustment, ADJUSTMENT_LIMIT, allEntries, BULK_BOARD_ACTIONS, bulkBoardAction, competitionAnalytics, deleteCompetitionAdjustment,
  ENTRY_SORTS, exportCsv, exportRecords, listCompetitionAdjustments, listEntries, PAGE_SIZES, type BulkBoardAction, type EntryFilters, type EntrySort,
} from '../../../domain/competitions/analytics.js';
import {
  closesAt, deleteCompetitionChallenge, DURATION_HOURS, findCompetitionChallenge, isCompetitionChallengeLocked, listCompetitionChallenges,
  rescoreCompetitionChallenge, setCompetitionChallengeLock,
} from '../../../domain/competitions/scoring.js';
import {
  CompetitionSchoolInUseError, competitionSchools, competitionToForm, createCompetition, deleteCompetition, findCompetition, listCompetitions,
  readCompetitionForm, updateCompetition, validateCompetitionForm, type CompetitionFormValues,
} from '../../../domain/competitions/competitions.js';
import { csvDisposition } from '../../../lib/csv.js';
import { isKeyStage } from '../../../domain/key-stage.js';
import { listSchools } from '../../../domain/schools.js';
import { HttpError } from '../../../security/access.js';
import { formFields } from '../../multipart.js';
import { AdminChallengeFormPage } from '../../views/admin/challenges.js';
import {
  AdminCompetitionAnalyticsPage, AdminCompetitionBoardPage, AdminCompetitionDeletePage, AdminCompetitionFormPage, AdminCompetitionListPage,
  AdminCompetitionPage,
} from '../../views/admin/competitions.js';
import { viewContext } from '../../views/context.js';
import { TextField } from '../../views/form.js';
import { answerValidator } from './challenges.js';
import { parseId } from '../challenges.js';

const NOT_FOUND = 'There is no competition with that number.';
const NO_CHALLENGE = 'There is no challenge with that number in this competition.';

function num(raw: unknown): number | null {
  return typeof raw === 'string' && /^-?\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

/** Board filters from the query string; anything unreadable is ignored. */
export function readFilters(q: Record<string, unknown>): { filters: EntryFilters; raw: Record<string, string>; page: number; perPage: number } {
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).slice(0, 100) : '');
  const sort = (ENTRY_SORTS as readonly string[]).includes(s('sort')) ? (s('sort') as EntrySort) : 'points';
  const dir = s('dir') === 'asc' ? 'asc' : 'desc';
  const per = Number(s('per'));
  const perPage = (PAGE_SIZES as readonly number[]).includes(per) ? per : 25;
  const filters: EntryFilters = {
    q: s('q'), keyStage: isKeyStage(s('ks')) ? (s('ks') as EntryFilters['keyStage']) : null, schoolId: parseId(s('school')),
    minPoints: num(s('min')), maxPoints: num(s('max')), sort, dir,
  };
  const raw = { q: filters.q, ks: filters.keyStage ?? '', school: filters.schoolId ? String(filters.schoolId) : '',
    min: filters.minPoints === null ? '' : String(filters.minPoints), max: filters.maxPoints === null ? '' : String(filters.maxPoints), sort, dir };
  return { filters, raw, page: parseId(s('page')) ?? 1, perPage };
}

export async function adminCompetitionRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;
  const admin = { access: 'admin' } as const;

  async function competitionOf(request: FastifyRequest) {
    const id = parseId((request.params as { id: string }).id);
    const c = id ? await findCompetition(app.db, id) : undefined;
    if (!c) throw new HttpError(404, NOT_FOUND);
    return c;
  }

  async function renderForm(request: FastifyRequest, id: number | null, values: CompetitionFormValues, errors?: Record<string, string>) {
    return <AdminCompetitionFormPage ctx={viewContext(request)} id={id} values={values} schools={await listSchools(app.db)} errors={errors} zone={zone} />;
  }

  app.get('/competitions', { config: admin }, async (request, reply) =>
    reply.render(<AdminCompetitionListPage ctx={viewContext(request)} competitions={await listCompetitions(app.db)} zone={zone} />));

  app.get('/competitions/new', { config: admin }, async (request, reply) =>
    reply.render(await renderForm(request, null, { name: '', about_html: '', starts_at: '', ends_at: '', schoolIds: [] })));

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
      if (err instanceof CompetitionSchoolInUseError) return reply.render(await renderForm(request, c.id, outcome.values, { schools: err.message }), 400);
      throw err;
    }
    reply.flash('success', `Competition «${outcome.data.name}» saved.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  app.get('/competitions/:id/delete', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const [ch, p] = await Promise.all([
      app.db.selectFrom('challenges').select((eb) => eb.fn.countAll<number>().as('n')).where('competition_id', '=', c.id).executeTakeFirstOrThrow(),
      app.db.selectFrom('competition_participants').select((eb) => eb.fn.countAll<number>().as('n')).where('competition_id', '=', c.id).executeTakeFirstOrThrow(),
    ]);
    return reply.render(<AdminCompetitionDeletePage ctx={viewContext(request)} competition={c} challenges={Number(ch.n)} participants={Number(p.n)} />);
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
    const comps = challenges.length ? await app.db.selectFrom('completions').select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('competition_id', '=', c.id).groupBy('challenge_id').execute() : [];
    return reply.render(<AdminCompetitionPage ctx={viewContext(request)} competition={c} zone={zone} rows={challenges.map((ch) => ({
      challenge: ch, locked: isCompetitionChallengeLocked(ch, now), closesAt: closesAt(ch), released: isReleased(ch, now),
      completions: Number(comps.find((x) => x.challenge_id === ch.id)?.n ?? 0),
    }))} />);
  });

  const durationError = `The duration must be a whole number of hours from ${DURATION_HOURS.min} to ${DURATION_HOURS.max}.`;
  function readDuration(raw: string | undefined): number | null {
    const v = (raw ?? '').trim();
    if (!/^\d{1,3}$/.test(v)) return null;
    const n = Number(v);
    return n >= DURATION_HOURS.min && n <= DURATION_HOURS.max ? n : null;
  }

  function formTarget(competitionId: number, challengeId: number | null, duration: string, error?: string) {
    const base = `/admin/competitions/${competitionId}/challenges`;
    return {
      heading: challengeId ? 'Edit competition challenge' : 'New competition challenge',
      action: challengeId ? `${base}/${challengeId}/edit` : `${base}/new`,
      cancelHref: `/admin/competitions/${competitionId}`,
      viewHref: challengeId ? `/competitions/${competitionId}/challenges/${challengeId}` : null,
      timingField: <TextField name="duration_hours" label="Duration (hours)" type="number" value={duration} required
        errors={error ? { duration_hours: error } : {}} hint={`${DURATION_HOURS.min}–${DURATION_HOURS.max} hours from release; then it closes.`} />,
    };
  }

  app.get('/competitions/:id/challenges/new', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    return reply.render(<AdminChallengeFormPage ctx={viewContext(request)} id={null} values={blankChallengeForm()} zone={zone} maxImageMb={0}
      target={formTarget(c.id, null, '24')} />);
  });

  app.post('/competitions/:id/challenges/new', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const fields = formFields(request.body);
    const values = readChallengeForm({ ...fields, lock_after_hours: '' });
    const outcome = await validateChallengeForm(values, { timeZone: zone, now: new Date().toISOString(), validateAnswer: answerValidator(app.math) });
    const duration = readDuration(fields.duration_hours);
    if (!outcome.ok || duration === null) {
      const errors = { ...(outcome.ok ? {} : outcome.errors), ...(duration === null ? { duration_hours: durationError } : {}) };
      return reply.render(<AdminChallengeFormPage ctx={viewContext(request)} id={null} values={outcome.values} errors={errors} zone={zone} maxImageMb={0}
        target={formTarget(c.id, null, fields.duration_hours ?? '', errors.duration_hours)} />, 400);
    }
    await createChallenge(app.db, outcome.data, requestActor(request), { competitionId: c.id, durationHours: duration });
    reply.flash('success', `Competition challenge «${outcome.data.title}» created.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  async function challengeOf(request: FastifyRequest) {
    const c = await competitionOf(request);
    const id = parseId((request.params as { challengeId: string }).challengeId);
    const ch = id ? await findCompetitionChallenge(app.db, c.id, id) : undefined;
    if (!ch) throw new HttpError(404, NO_CHALLENGE);
    return { c, ch };
  }

  app.get('/competitions/:id/challenges/:challengeId/edit', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    const [boxes, tries] = await Promise.all([challengeBoxes(app.db, ch.id), triesPerBox(app.db, ch.id)]);
    return reply.render(<AdminChallengeFormPage ctx={viewContext(request)} id={ch.id} values={challengeToForm(ch, boxes, zone)} tries={tries} zone={zone}
      maxImageMb={0} target={formTarget(c.id, ch.id, String(ch.duration_hours ?? ''))} />);
  });

  app.post('/competitions/:id/challenges/:challengeId/edit', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    const fields = formFields(request.body);
    const values = readChallengeForm({ ...fields, lock_after_hours: '' });
    const outcome = await validateChallengeForm(values, { timeZone: zone, now: new Date().toISOString(), validateAnswer: answerValidator(app.math) });
    const duration = readDuration(fields.duration_hours);
    const showErrors = async (errors: Record<string, string>) =>
      reply.render(<AdminChallengeFormPage ctx={viewContext(request)} id={ch.id} values={values} errors={errors} tries={await triesPerBox(app.db, ch.id)}
        zone={zone} maxImageMb={0} target={formTarget(c.id, ch.id, fields.duration_hours ?? '', errors.duration_hours)} />, 400);
    if (!outcome.ok || duration === null) {
      return showErrors({ ...(outcome.ok ? {} : outcome.errors), ...(duration === null ? { duration_hours: durationError } : {}) });
    }
    const regrading = await regradeForEdit(app.db, ch.id, outcome.data.boxes, async (e, s, o) => (await app.math.check(e, s, o)).equivalent);
    try {
      await updateChallenge(app.db, ch.id, outcome.data, regrading, requestActor(request), {
        competitionId: c.id, durationHours: duration, rescore: (trx, id, now) => rescoreCompetitionChallenge(trx, id, now),
      });
    } catch (err) {
      if (err instanceof ChallengeEditError) return showErrors({ boxes: err.message });
      throw err;
    }
    reply.flash('success', `Competition challenge «${outcome.data.title}» saved.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  for (const action of ['lock', 'unlock'] as const) {
    app.post(`/competitions/:id/challenges/:challengeId/${action}`, { config: admin }, async (request, reply) => {
      const { c, ch } = await challengeOf(request);
      await setCompetitionChallengeLock(app.db, c.id, ch.id, action === 'lock', requestActor(request));
      reply.flash('success', `«${ch.title}» is ${action === 'lock' ? 'locked' : 'unlocked (its duration still applies)'}.`);
      return reply.redirect(`/admin/competitions/${c.id}`, 303);
    });
  }

  app.post('/competitions/:id/challenges/:challengeId/delete', { config: admin }, async (request, reply) => {
    const { c, ch } = await challengeOf(request);
    await deleteCompetitionChallenge(app.db, c.id, ch.id, requestActor(request));
    reply.flash('success', `«${ch.title}» deleted with its tries; the competition board was recalculated.`);
    return reply.redirect(`/admin/competitions/${c.id}`, 303);
  });

  // ---------------------------------------------------------------- board

  app.get('/competitions/:id/board', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const { filters, raw, page, perPage } = readFilters(request.query as Record<string, unknown>);
    const [list, schools, adjustments] = await Promise.all([
      listEntries(app.db, c.id, filters, page, perPage), competitionSchools(app.db, c.id), listCompetitionAdjustments(app.db, c.id),
    ]);
    return reply.render(<AdminCompetitionBoardPage ctx={viewContext(request)} d={{ competition: c, schools, filters, rawFilters: raw, perPage, list, adjustments, zone }} />);
  });

  app.post('/competitions/:id/board/bulk', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const fields = formFields(request.body);
    const action = fields.action as BulkBoardAction;
    const back = () => reply.redirect(`/admin/competitions/${c.id}/board`, 303);
    if (!(BULK_BOARD_ACTIONS as readonly string[]).includes(action)) {
      reply.flash('error', 'Choose reset or delete.');
      return back();
    }
    const ids = Object.entries(fields).filter(([k, v]) => /^user-[1-9]\d{0,9}$/.test(k) && v).map(([k]) => Number(k.slice(5)));
    if (!ids.length) {
      reply.flash('error', 'Select at least one participant.');
      return back();
    }
    const n = await bulkBoardAction(app.db, c.id, action, ids, requestActor(request));
    reply.flash('success', `${action === 'reset' ? 'Reset' : 'Removed'} ${n} participant${n === 1 ? '' : 's'}.`);
    return back();
  });

  app.post('/competitions/:id/adjustments', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const fields = formFields(request.body);
    const back = () => reply.redirect(`/admin/competitions/${c.id}/board`, 303);
    const userId = parseId(fields.user_id);
    const points = num(fields.points);
    const reason = (fields.reason ?? '').replace(/\s+/g, ' ').trim();
    const problem = !userId ? 'Choose a participant.'
      : points === null || points === 0 || Math.abs(points) > ADJUSTMENT_LIMIT ? `Points must be a whole number from −${ADJUSTMENT_LIMIT} to ${ADJUSTMENT_LIMIT}, not 0.`
        : !reason ? 'Give a reason for the adjustment.' : reason.length > 300 ? 'The reason must be at most 300 characters.' : null;
    if (problem) {
      reply.flash('error', problem);
      return back();
    }
    if (!(await addCompetitionAdjustment(app.db, c.id, { userId: userId!, points: points!, reason }, requestActor(request)))) {
      reply.flash('error', 'That student is not a participant of this competition.');
      return back();
    }
    reply.flash('success', `Adjustment of ${points! > 0 ? '+' : ''}${points} recorded.`);
    return back();
  });

  app.post('/competitions/:id/adjustments/:adjustmentId/delete', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    const id = parseId((request.params as { adjustmentId: string }).adjustmentId);
    if (!id || !(await deleteCompetitionAdjustment(app.db, c.id, id, requestActor(request)))) throw new HttpError(404, 'There is no such adjustment.');
    reply.flash('success', 'Adjustment removed.');
    return reply.redirect(`/admin/competitions/${c.id}/board`, 303);
  });

  // ---------------------------------------------------------------- analytics and export

  app.get('/competitions/:id/analytics', { config: admin }, async (request, reply) => {
    const c = await competitionOf(request);
    return reply.render(<AdminCompetitionAnalyticsPage ctx={viewContext(request)} competition={c} a={await competitionAnalytics(app.db, c.id)} />);
  });

  app.get('/competitions/:id/export.csv', { config: { ...admin, personal: true } }, async (request, reply) => {
    const c = await competitionOf(request);
    const { filters } = readFilters(request.query as Record<string, unknown>);
    const rows = await allEntries(app.db, c.id, { ...filters, q: '' });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', csvDisposition(`competition-${c.id}-leaderboard`)).send(exportCsv(rows));
  });

  app.get('/competitions/:id/export.json', { config: { ...admin, personal: true, json: true } }, async (request, reply) => {
    const c = await competitionOf(request);
    const { filters } = readFilters(request.query as Record<string, unknown>);
    const rows = await allEntries(app.db, c.id, { ...filters, q: '' });
    return reply.header('content-disposition', `attachment; filename="competition-${c.id}-leaderboard.json"`).send({
      competition: { id: c.id, name: c.name, startsAt: c.starts_at, endsAt: c.ends_at },
      filters: { keyStage: filters.keyStage, schoolId: filters.schoolId, minPoints: filters.minPoints, maxPoints: filters.maxPoints },
      keyStages: KEY_STAGES,
      entries: exportRecords(rows),
    });
  });
}
