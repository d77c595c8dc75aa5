// "New school year" (ADR 035): the preview (GET, changes nothing), the run
// (POST: one transaction with its audit entry, in the domain; then the
// leavers' sessions are ended in the session store), and reopening a leaver's
// account from their admin page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../domain/audit.js';
import { unarchiveUser } from '../../../domain/accounts/leavers.js';
import {
  currentRolloverYear,
  pastRollovers,
  planRollover,
  RolloverRefused,
  runRollover,
  schoolYearLabel,
  validateRolloverForm,
} from '../../../domain/accounts/year-rollover.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import { HttpError } from '../../../security/access.js';
import { idParam } from '../../params.js';
import { viewContext } from '../../views/context.js';
import { YearRolloverPage } from '../../views/admin/year-rollover.js';

const NO_USER = 'There is no such user.';

export async function adminYearRolloverRoutes(app: FastifyInstance): Promise<void> {
  const admin = { access: 'admin' } as const;
  const tz = app.config.school.timeZone;
  const map = app.config.accounts.keyStageByYear;

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    opts: { status?: number; values?: FormValues; errors?: FieldErrors; message?: string } = {},
  ) =>
    reply.render(
      <YearRolloverPage
        ctx={viewContext(request)}
        plan={await planRollover(app.db, map)}
        past={await pastRollovers(app.db)}
        values={opts.values ?? { school_year: String(currentRolloverYear(new Date(), tz)) }}
        errors={opts.errors}
        message={opts.message}
        retentionDays={app.config.accounts.leaverRetentionDays}
        timeZone={tz}
      />,
      opts.status ?? 200,
    );

  app.get('/year-rollover', { config: admin }, async (request, reply) => page(request, reply));

  app.post('/year-rollover', { config: admin }, async (request, reply) => {
    const form = validateRolloverForm(request.body, currentRolloverYear(new Date(), tz));
    if (!form.ok) return page(request, reply, { status: 400, values: form.values, errors: form.errors });
    let result;
    try {
      result = await runRollover(app.db, {
        schoolYear: form.data.schoolYear,
        keyStageByYear: map,
        actor: requestActor(request),
        timeZone: tz,
        resetBoards: form.data.resetBoards,
      });
    } catch (err) {
      if (err instanceof RolloverRefused)
        return page(request, reply, { status: 409, values: form.values, message: err.message });
      throw err;
    }
    for (const id of result.archivedIds) await app.sessions.destroyForUser(id);
    reply.flash(
      'success',
      `School year ${schoolYearLabel(result.schoolYear)} started: ${plural(result.movedUp, 'pupil')} moved up, ` +
        `${plural(result.archived, 'leaver’s account', 'leavers’ accounts')} closed, ${plural(result.leftAlone, 'pupil')} without a school year left as they are` +
        `${result.boardsReset ? '; every board starts from zero' : ''}.`,
    );
    return reply.redirect('/admin/year-rollover', 303);
  });

  // Part of the users area (/admin/users/:id/…), kept here with the rest of the leavers' handling.
  app.post('/users/:id/unarchive', { config: admin }, async (request, reply) => {
    const id = idParam(request, NO_USER);
    const outcome = await unarchiveUser(app.db, requestActor(request), id);
    if (outcome === 'missing') throw new HttpError(404, NO_USER);
    reply.flash(
      outcome === 'reopened' ? 'success' : 'info',
      outcome === 'reopened'
        ? 'The account is open again: they can sign in and are back on their board.'
        : 'This account was not closed.',
    );
    return reply.redirect(`/admin/users/${id}/edit`, 303);
  });
}
