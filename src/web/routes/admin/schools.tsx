// Admin: schools (create, edit, delete). Names are unique (case-insensitive,
// with a friendly message); a school with competition participants is kept.
import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../../domain/audit.js';
import {
  createSchool,
  deleteSchool,
  findSchool,
  readSchoolForm,
  SchoolNameTakenError,
  schoolRows,
  updateSchool,
  validateSchoolForm,
} from '../../../domain/schools.js';
import { HttpError } from '../../../security/access.js';
import { formFields } from '../../multipart.js';
import { AdminSchoolFormPage, AdminSchoolListPage } from '../../views/admin/competitions.js';
import { viewContext } from '../../views/context.js';
import { idParam } from '../../params.js';
import { plural } from '../../../lib/plural.js';

const NOT_FOUND = 'There is no school with that number.';

export async function adminSchoolRoutes(app: FastifyInstance): Promise<void> {
  const admin = { access: 'admin' } as const;

  app.get('/schools', { config: admin }, async (request, reply) =>
    reply.render(<AdminSchoolListPage ctx={viewContext(request)} schools={await schoolRows(app.db)} />),
  );

  app.get('/schools/new', { config: admin }, async (request, reply) =>
    reply.render(<AdminSchoolFormPage ctx={viewContext(request)} id={null} values={{}} />),
  );

  app.post('/schools/new', { config: admin }, async (request, reply) => {
    const values = readSchoolForm(formFields(request.body));
    const outcome = validateSchoolForm(values);
    if (!outcome.ok)
      return reply.render(
        <AdminSchoolFormPage ctx={viewContext(request)} id={null} values={values} errors={outcome.errors} />,
        400,
      );
    try {
      await createSchool(app.db, outcome.data, requestActor(request));
    } catch (err) {
      if (err instanceof SchoolNameTakenError)
        return reply.render(
          <AdminSchoolFormPage ctx={viewContext(request)} id={null} values={values} errors={{ name: err.message }} />,
          400,
        );
      throw err;
    }
    reply.flash('success', `School «${outcome.data.name}» created.`);
    return reply.redirect('/admin/schools', 303);
  });

  app.get('/schools/:id/edit', { config: admin }, async (request, reply) => {
    const s = await findSchool(app.db, idParam(request, NOT_FOUND));
    if (!s) throw new HttpError(404, NOT_FOUND);
    return reply.render(
      <AdminSchoolFormPage
        ctx={viewContext(request)}
        id={s.id}
        values={{ name: s.name, email_domain: s.email_domain, address: s.address ?? '', kind: s.kind }}
      />,
    );
  });

  app.post('/schools/:id/edit', { config: admin }, async (request, reply) => {
    const id = idParam(request, NOT_FOUND);
    const values = readSchoolForm(formFields(request.body));
    const outcome = validateSchoolForm(values);
    if (!outcome.ok)
      return reply.render(
        <AdminSchoolFormPage ctx={viewContext(request)} id={id} values={values} errors={outcome.errors} />,
        400,
      );
    try {
      if (!(await updateSchool(app.db, id, outcome.data, requestActor(request)))) throw new HttpError(404, NOT_FOUND);
    } catch (err) {
      if (err instanceof SchoolNameTakenError)
        return reply.render(
          <AdminSchoolFormPage ctx={viewContext(request)} id={id} values={values} errors={{ name: err.message }} />,
          400,
        );
      throw err;
    }
    reply.flash('success', `School «${outcome.data.name}» saved.`);
    return reply.redirect('/admin/schools', 303);
  });

  app.post('/schools/:id/delete', { config: admin }, async (request, reply) => {
    const result = await deleteSchool(app.db, idParam(request, NOT_FOUND), requestActor(request));
    if (result.kind === 'missing') throw new HttpError(404, NOT_FOUND);
    if (result.kind === 'has-participants') {
      reply.flash(
        'error',
        `«${result.name}» cannot be deleted: ${plural(result.participants, 'competition participant')} ${result.participants === 1 ? 'belongs' : 'belong'} to it. Remove them from their competitions first.`,
      );
    } else {
      reply.flash('success', `School «${result.name}» deleted.`);
    }
    return reply.redirect('/admin/schools', 303);
  });
}
