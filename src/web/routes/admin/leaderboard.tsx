// Admin leaderboard management: adjustments (create / edit / delete, each
// with a reason and an audit entry), resets, recalculation from submissions,
// and the CSV export (formula-safe, see lib/csv.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KEY_STAGES, type KeyStage } from '../../../config/index.js';
import { requestActor } from '../../../domain/audit.js';
import { csvDisposition, toCsv } from '../../../lib/csv.js';
import { plural } from '../../../lib/plural.js';
import { isKeyStage } from '../../../domain/key-stage.js';
import { findUserById } from '../../../domain/accounts/users.js';
import { validateAdjustmentForm, type AdjustmentFormValues } from '../../../domain/challenges/adjustment-form.js';
import {
  boardStats,
  createAdjustment,
  deleteAdjustment,
  exportBoards,
  findAdjustment,
  listAdjustments,
  recalculateLeaderboards,
  resetLeaderboards,
  updateAdjustment,
} from '../../../domain/challenges/leaderboards.js';
import { boardResetTimes } from '../../../domain/challenges/scoring.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { HttpError } from '../../../security/access.js';
import { formFields } from '../../multipart.js';
import { viewContext } from '../../views/context.js';
import { AdminAdjustmentEditPage, AdminLeaderboardPage } from '../../views/admin/leaderboard.js';
import { idParam, pageParam, queryValue } from '../../params.js';

const EMPTY_FORM: AdjustmentFormValues = { user: '', key_stage: '', points: '', reason: '' };
const NO_ADJUSTMENT = 'There is no adjustment with that number.';

export async function adminLeaderboardRoutes(app: FastifyInstance): Promise<void> {
  // Teachers see the boards and export them; adjustments, resets and recalculation stay with the administrators.
  const teacher = { access: 'teacher' } as const;
  const admin = { access: 'admin' } as const;
  const zone = app.config.school.timeZone;

  async function page(request: FastifyRequest, form = EMPTY_FORM, errors: FieldErrors = {}) {
    const pageNo = pageParam(request);
    const now = new Date().toISOString();
    const resets = await boardResetTimes(app.db);
    const boards = [];
    for (const ks of KEY_STAGES)
      boards.push({ keyStage: ks, stats: await boardStats(app.db, ks, now), resetAt: resets[ks] });
    const canChange = request.user?.role === 'admin';
    // The adjustments name pupils of every school with their addresses, and the admins who made
    // them: administrators only, so a teacher's page never loads them.
    const adjustments = canChange ? await listAdjustments(app.db, pageNo) : null;
    return (
      <AdminLeaderboardPage
        ctx={viewContext(request)}
        boards={boards}
        adjustments={adjustments}
        form={form}
        errors={errors}
        zone={zone}
        canChange={canChange}
      />
    );
  }

  app.get('/leaderboard', { config: teacher }, async (request, reply) => reply.render(await page(request)));

  app.post('/leaderboard/adjustments', { config: admin }, async (request, reply) => {
    const outcome = await validateAdjustmentForm(app.db, formFields(request.body));
    if (!outcome.ok) return reply.render(await page(request, outcome.values, outcome.errors), 400);
    await createAdjustment(app.db, outcome.data, requestActor(request));
    const p = outcome.data.points;
    reply.flash(
      'success',
      `Adjustment of ${p > 0 ? '+' : ''}${p} ${Math.abs(p) === 1 ? 'point' : 'points'} added to the ${outcome.data.keyStage} board.`,
    );
    return reply.redirect('/admin/leaderboard', 303);
  });

  async function adjustmentAndStudent(request: FastifyRequest) {
    const adjustment = await findAdjustment(app.db, idParam(request, NO_ADJUSTMENT));
    if (!adjustment) throw new HttpError(404, NO_ADJUSTMENT);
    const user = await findUserById(app.db, adjustment.user_id);
    return {
      adjustment,
      student: user ? `${user.first_name} ${user.last_name} (${user.email})` : `account ${adjustment.user_id}`,
    };
  }

  app.get('/leaderboard/adjustments/:id/edit', { config: admin }, async (request, reply) => {
    const { adjustment: a, student } = await adjustmentAndStudent(request);
    const values = { user: String(a.user_id), key_stage: a.key_stage, points: String(a.points), reason: a.reason };
    return reply.render(
      <AdminAdjustmentEditPage ctx={viewContext(request)} id={a.id} student={student} values={values} />,
    );
  });

  app.post('/leaderboard/adjustments/:id/edit', { config: admin }, async (request, reply) => {
    const { adjustment: a, student } = await adjustmentAndStudent(request);
    const outcome = await validateAdjustmentForm(app.db, formFields(request.body), a.user_id);
    if (!outcome.ok) {
      return reply.render(
        <AdminAdjustmentEditPage
          ctx={viewContext(request)}
          id={a.id}
          student={student}
          values={outcome.values}
          errors={outcome.errors}
        />,
        400,
      );
    }
    if (!(await updateAdjustment(app.db, a.id, outcome.data, requestActor(request))))
      throw new HttpError(404, NO_ADJUSTMENT);
    reply.flash('success', 'Adjustment saved.');
    return reply.redirect('/admin/leaderboard', 303);
  });

  app.post('/leaderboard/adjustments/:id/delete', { config: admin }, async (request, reply) => {
    if (!(await deleteAdjustment(app.db, idParam(request, NO_ADJUSTMENT), requestActor(request))))
      throw new HttpError(404, NO_ADJUSTMENT);
    reply.flash('success', 'Adjustment deleted.');
    return reply.redirect('/admin/leaderboard', 303);
  });

  app.post('/leaderboard/reset', { config: admin }, async (request, reply) => {
    const fields = formFields(request.body);
    const stage = fields.stage ?? '';
    const stages: KeyStage[] | null = stage === 'all' ? [...KEY_STAGES] : isKeyStage(stage) ? [stage] : null;
    if (!stages) {
      reply.flash('error', 'Choose which board to reset.');
    } else if (fields.confirm !== 'yes') {
      reply.flash('error', 'Tick the box to confirm the reset: nothing was changed.');
    } else {
      await resetLeaderboards(app.db, stages, requestActor(request));
      reply.flash('success', stage === 'all' ? 'Every board was reset.' : `The ${stage} board was reset.`);
    }
    return reply.redirect('/admin/leaderboard', 303);
  });

  app.post('/leaderboard/recalculate', { config: admin }, async (request, reply) => {
    const s = await recalculateLeaderboards(app.db, requestActor(request));
    reply.flash(
      'success',
      `Recalculated ${plural(s.challenges, 'challenge')} from their submissions: ${plural(s.completions, 'completion')}, ${plural(s.boardRows, 'board row')}.`,
    );
    return reply.redirect('/admin/leaderboard', 303);
  });

  // Every pupil's address is in the export: personal data stays with administrators.
  app.get('/leaderboard/export.csv', { config: admin }, async (request, reply) => {
    const ks = queryValue(request, 'ks');
    const stages = isKeyStage(ks) ? [ks] : [...KEY_STAGES];
    const rows = await exportBoards(app.db, stages);
    const csv = toCsv(
      [
        'Rank',
        'Key stage',
        'First name',
        'Last name',
        'Email',
        'Year',
        'Class',
        'Points',
        'Challenges completed',
        'Answers submitted',
        'School',
      ],
      rows.map((r) => [
        r.rank,
        r.keyStage,
        r.firstName,
        r.lastName,
        r.email,
        r.yearGroup,
        r.mathsClass,
        r.points,
        r.completed,
        r.submissions,
        r.school,
      ]),
    );
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', csvDisposition(`leaderboard-${isKeyStage(ks) ? ks : 'all'}-${day}`))
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
