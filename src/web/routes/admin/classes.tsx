// Admin area: classes (ADR 033). Open to teachers and admins; a teacher sees
// and changes only the classes they teach (403 for any other), an admin all.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { boardVisibility } from '../../../domain/accounts/board-visibility.js';
import { requestActor } from '../../../domain/audit.js';
import { classBoardEntries } from '../../../domain/classes/class-board.js';
import { classProgress, progressFilter } from '../../../domain/classes/class-progress.js';
import {
  addedMessage,
  addPupils,
  addTeacher,
  classPupils,
  classTeachers,
  ClassNameTakenError,
  createClass,
  deleteClass,
  listClasses,
  openClass,
  pupilsToAdd,
  removePupil,
  removeTeacher,
  renameClass,
  schoolsForNewClass,
  teachersToAdd,
  validateAddPupils,
  validateAddTeacher,
  validateNewClass,
  validateRename,
  type ClassDetail,
  type ClassViewer,
} from '../../../domain/classes/classes.js';
import { csvDisposition, toCsv } from '../../../lib/csv.js';
import { formatSchoolDay, formatSchoolTime } from '../../../lib/school-time.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural } from '../../../lib/plural.js';
import { HttpError } from '../../../security/access.js';
import { idParam, queryValue } from '../../params.js';
import {
  ClassListPage,
  ClassPage,
  ClassProgressPage,
  NewClassPage,
  type ClassPageView,
} from '../../views/admin/classes.js';
import { viewContext } from '../../views/context.js';

const NOT_FOUND = 'There is no class with that number.';
const NOT_YOURS = 'You do not teach this class. Ask an administrator or one of its teachers to add you.';

function viewer(request: FastifyRequest): ClassViewer {
  const u = request.user!;
  return { id: u.id, role: u.role, schoolId: u.schoolId };
}

export async function adminClassRoutes(app: FastifyInstance): Promise<void> {
  const teacher = { access: 'teacher' } as const;
  const visibility = boardVisibility(app.config);
  const zone = app.config.school.timeZone;

  /** The class of the URL, if the viewer manages it: 404 when missing, 403 when not theirs. */
  async function load(request: FastifyRequest): Promise<ClassDetail> {
    const opened = await openClass(app.db, viewer(request), idParam(request, NOT_FOUND));
    if (opened.kind === 'missing') throw new HttpError(404, NOT_FOUND);
    if (opened.kind === 'forbidden') throw new HttpError(403, NOT_YOURS);
    return opened.cls;
  }

  async function renderClass(
    request: FastifyRequest,
    reply: FastifyReply,
    cls: ClassDetail,
    failed: Pick<ClassPageView, 'rename' | 'addPupils' | 'addTeacher'> = {},
  ) {
    const [teachers, pupils, board, candidates, teacherCandidates] = await Promise.all([
      classTeachers(app.db, cls.id),
      classPupils(app.db, cls.id),
      classBoardEntries(app.db, cls.id, visibility),
      pupilsToAdd(app.db, cls),
      teachersToAdd(app.db, cls),
    ]);
    const v: ClassPageView = { cls, teachers, pupils, board, candidates, teacherCandidates, ...failed };
    const failedForm = failed.rename ?? failed.addPupils ?? failed.addTeacher;
    return reply.render(<ClassPage ctx={viewContext(request)} v={v} />, failedForm ? 400 : 200);
  }

  app.get('/classes', { config: teacher }, async (request, reply) =>
    reply.render(<ClassListPage ctx={viewContext(request)} classes={await listClasses(app.db, viewer(request))} />),
  );

  app.get('/classes/new', { config: teacher }, async (request, reply) => {
    const me = viewer(request);
    return reply.render(
      <NewClassPage
        ctx={viewContext(request)}
        schools={await schoolsForNewClass(app.db, me)}
        values={{ name: '', school_id: me.role === 'admin' ? '' : String(me.schoolId ?? '') }}
      />,
    );
  });

  app.post('/classes/new', { config: teacher }, async (request, reply) => {
    const me = viewer(request);
    const outcome = await validateNewClass(app.db, me, request.body);
    const again = async (errors: Record<string, string>) =>
      reply.render(
        <NewClassPage
          ctx={viewContext(request)}
          schools={await schoolsForNewClass(app.db, me)}
          values={outcome.values}
          errors={errors}
        />,
        400,
      );
    if (!outcome.ok) return again(outcome.errors);
    let id: number;
    try {
      id = await createClass(app.db, outcome.data, me, requestActor(request));
    } catch (err) {
      if (err instanceof ClassNameTakenError) return again({ name: err.message });
      throw err;
    }
    reply.flash('success', `Class ${outcome.data.name} created. Now add its pupils.`);
    return reply.redirect(`/admin/classes/${id}`, 303);
  });

  app.get('/classes/:id', { config: teacher }, async (request, reply) =>
    renderClass(request, reply, await load(request)),
  );

  app.post('/classes/:id/rename', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    const outcome = await validateRename(app.db, cls, request.body);
    if (!outcome.ok) return renderClass(request, reply, cls, { rename: outcome });
    try {
      await renameClass(app.db, cls, outcome.data, requestActor(request));
    } catch (err) {
      if (err instanceof ClassNameTakenError)
        return renderClass(request, reply, cls, { rename: { values: outcome.values, errors: { name: err.message } } });
      throw err;
    }
    reply.flash('success', `Class ${cls.name} renamed to ${outcome.data}.`);
    return reply.redirect(`/admin/classes/${cls.id}`, 303);
  });

  app.post('/classes/:id/delete', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    await deleteClass(app.db, cls, requestActor(request));
    reply.flash('success', `Class ${cls.name} deleted. Its pupils keep their accounts and points.`);
    return reply.redirect('/admin/classes', 303);
  });

  // Each post may name 200 addresses: a bound on how fast anyone can try addresses here.
  const addingLimit = '60 per minute;600 per hour';
  app.post('/classes/:id/members', { config: { ...teacher, rateLimit: addingLimit } }, async (request, reply) => {
    const cls = await load(request);
    const outcome = await validateAddPupils(app.db, cls, request.body);
    if (!outcome.ok) return renderClass(request, reply, cls, { addPupils: outcome });
    const added = await addPupils(app.db, cls, outcome.data, requestActor(request));
    reply.flash('success', addedMessage(added, outcome.data.length, cls));
    return reply.redirect(`/admin/classes/${cls.id}`, 303);
  });

  app.post('/classes/:id/members/:userId/remove', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    const userId = idParam(request, 'That pupil is not in this class.', 'userId');
    if (!(await removePupil(app.db, cls, userId, requestActor(request))))
      throw new HttpError(404, 'That pupil is not in this class.');
    reply.flash('success', `Pupil removed from ${cls.name}.`);
    return reply.redirect(`/admin/classes/${cls.id}`, 303);
  });

  app.post('/classes/:id/teachers', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    const outcome = await validateAddTeacher(app.db, cls, request.body);
    if (!outcome.ok) return renderClass(request, reply, cls, { addTeacher: outcome });
    await addTeacher(app.db, cls, outcome.data, requestActor(request));
    reply.flash('success', `Teacher added to ${cls.name}.`);
    return reply.redirect(`/admin/classes/${cls.id}`, 303);
  });

  app.post('/classes/:id/teachers/:userId/remove', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    const me = viewer(request);
    const userId = idParam(request, 'That teacher does not teach this class.', 'userId');
    const result = await removeTeacher(app.db, cls, userId, me, requestActor(request));
    if (result.kind === 'not-teacher') throw new HttpError(404, 'That teacher does not teach this class.');
    if (result.kind === 'last-teacher') {
      reply.flash('error', `${cls.name} keeps at least one teacher: add another teacher before removing this one.`);
      return reply.redirect(`/admin/classes/${cls.id}`, 303);
    }
    reply.flash('success', `Teacher removed from ${cls.name}.`);
    // A teacher who took themselves off no longer sees the class.
    return reply.redirect(userId === me.id && me.role !== 'admin' ? '/admin/classes' : `/admin/classes/${cls.id}`, 303);
  });

  const filterOf = (request: FastifyRequest) =>
    progressFilter({ ks: queryValue(request, 'ks'), weeks: queryValue(request, 'weeks') });

  app.get('/classes/:id/progress', { config: teacher }, async (request, reply) => {
    const cls = await load(request);
    const filter = filterOf(request);
    const progress = await classProgress(app.db, cls.id, filter);
    return reply.render(
      <ClassProgressPage ctx={viewContext(request)} cls={cls} filter={filter} progress={progress} zone={zone} />,
    );
  });

  app.get('/classes/:id/progress.csv', { config: { ...teacher, personal: true } }, async (request, reply) => {
    const cls = await load(request);
    const filter = filterOf(request);
    const progress = await classProgress(app.db, cls.id, filter);
    const csv = toCsv(
      [
        'First name',
        'Last name',
        'Email',
        'Year',
        ...progress.challenges.map(
          (c) => `${mathProseToText(c.title)} (${c.keyStage}, ${formatSchoolDay(c.releaseAt, zone)})`,
        ),
        'Completed',
      ],
      progress.rows.map((r) => [
        r.pupil.firstName,
        r.pupil.lastName,
        r.pupil.email,
        r.pupil.yearGroup,
        ...r.cells.map((cell) =>
          cell.state === 'completed'
            ? `Completed ${formatSchoolTime(cell.at, zone)}`
            : cell.state === 'tried'
              ? `Not solved, ${plural(cell.tries, 'try', 'tries')}`
              : 'Not tried',
        ),
        r.completed,
      ]),
    );
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', csvDisposition(`class-${cls.name}-progress-${day}`))
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
