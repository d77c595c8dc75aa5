// Admin: a school's sign-in (ADR 036). Its identity providers (add, edit,
// enable, disable, delete, check the connection) and the switch that lets its
// pupils and teachers also sign in with a password. The client secret travels
// one way only: typed into the form, sealed, never sent back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../domain/audit.js';
import { findSchool } from '../../../domain/schools.js';
import {
  checkProviderConnection,
  createProvider,
  deleteProvider,
  findProvider,
  isProviderKind,
  providerFormValues,
  schoolProviders,
  setPasswordSignIn,
  setProviderEnabled,
  SSO_CALLBACK_PATH,
  updateProvider,
  validateProviderForm,
  type ProviderChange,
  type ProviderFormValues,
} from '../../../domain/sso/provider-admin.js';
import { openSecret } from '../../../domain/sso/secret-box.js';
import type { School, SsoProviderKind } from '../../../db/schema.js';
import { checkbox, field, type FieldErrors } from '../../../lib/forms.js';
import { HttpError } from '../../../security/access.js';
import { absoluteLink } from '../../links.js';
import { idParam, queryValue } from '../../params.js';
import { ProviderFormPage, SchoolSignInPage } from '../../views/admin/school-sign-in.js';
import { viewContext } from '../../views/context.js';

const NO_SCHOOL = 'There is no school with that number.';
const NO_PROVIDER = 'This school has no sign-in provider with that number.';

export async function adminSchoolSignInRoutes(app: FastifyInstance): Promise<void> {
  const admin = { access: 'admin' } as const;
  const production = app.config.profile === 'production';
  const secretKey = app.config.secretKey;

  const schoolOf = async (request: FastifyRequest): Promise<School> => {
    const school = await findSchool(app.db, idParam(request, NO_SCHOOL));
    if (!school) throw new HttpError(404, NO_SCHOOL);
    return school;
  };
  const providerOf = async (request: FastifyRequest, school: School) => {
    const p = await findProvider(app.db, school.id, idParam(request, NO_PROVIDER, 'providerId'));
    if (!p) throw new HttpError(404, NO_PROVIDER);
    return p;
  };
  const pagePath = (school: School) => `/admin/schools/${school.id}/sign-in`;

  /** The redirect URI to register at each provider; null when this site cannot name its own host. */
  const redirectUri = (request: FastifyRequest): string | null => {
    try {
      return absoluteLink(request, SSO_CALLBACK_PATH);
    } catch (err) {
      if (err instanceof HttpError) return null;
      throw err;
    }
  };

  app.get('/schools/:id/sign-in', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    return reply.render(
      <SchoolSignInPage
        ctx={viewContext(request)}
        school={school}
        providers={await schoolProviders(app.db, secretKey, school.id)}
        redirectUri={redirectUri(request)}
      />,
    );
  });

  const form = async (
    request: FastifyRequest,
    reply: FastifyReply,
    opts: {
      school: School;
      kind: SsoProviderKind;
      id: number | null;
      values: ProviderFormValues;
      errors?: FieldErrors;
      secretReadable?: boolean;
    },
    status = 200,
  ) =>
    reply.render(
      <ProviderFormPage
        ctx={viewContext(request)}
        school={opts.school}
        kind={opts.kind}
        id={opts.id}
        values={opts.values}
        errors={opts.errors}
        secretReadable={opts.secretReadable ?? true}
        redirectUri={redirectUri(request)}
        production={production}
      />,
      status,
    );

  const chosenKind = (raw: string | undefined): SsoProviderKind => {
    if (raw && isProviderKind(raw)) return raw;
    throw new HttpError(404, 'Choose Microsoft, Google or another OpenID provider.');
  };

  app.get('/schools/:id/sign-in/new', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const kind = chosenKind(queryValue(request, 'kind'));
    return form(request, reply, {
      school,
      kind,
      id: null,
      values: { kind, label: '', tenant: '', issuer: '', client_id: '', allowed_domains: school.email_domain },
    });
  });

  app.post('/schools/:id/sign-in/new', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const kind = chosenKind(field(request.body, 'kind'));
    const outcome = await validateProviderForm(
      app.db,
      { schoolId: school.id, kind, editing: false, production },
      request.body,
    );
    if (!outcome.ok)
      return form(request, reply, { school, kind, id: null, values: outcome.values, errors: outcome.errors }, 400);
    const id = await createProvider(app.db, secretKey, school.id, outcome.data, requestActor(request));
    if (id === null) throw new HttpError(404, NO_SCHOOL);
    reply.flash(
      'success',
      `${outcome.data.label} added for ${school.name}. Check its connection, then enable it to show its button on the login page.`,
    );
    return reply.redirect(pagePath(school), 303);
  });

  app.get('/schools/:id/sign-in/:providerId/edit', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const p = await providerOf(request, school);
    return form(request, reply, {
      school,
      kind: p.kind,
      id: p.id,
      values: providerFormValues(p),
      secretReadable: openSecret(secretKey, p.client_secret_enc) !== null,
    });
  });

  app.post('/schools/:id/sign-in/:providerId/edit', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const p = await providerOf(request, school);
    const readable = openSecret(secretKey, p.client_secret_enc) !== null;
    // A secret that can no longer be opened is no secret to keep: the field is required again.
    const outcome = await validateProviderForm(
      app.db,
      { schoolId: school.id, kind: p.kind, editing: readable, production },
      request.body,
    );
    if (!outcome.ok)
      return form(
        request,
        reply,
        {
          school,
          kind: p.kind,
          id: p.id,
          values: outcome.values,
          errors: outcome.errors,
          secretReadable: readable,
        },
        400,
      );
    if (!(await updateProvider(app.db, secretKey, school.id, p.id, outcome.data, requestActor(request))))
      throw new HttpError(404, NO_PROVIDER);
    reply.flash('success', `${outcome.data.label} saved.`);
    return reply.redirect(pagePath(school), 303);
  });

  const changed = (reply: FastifyReply, school: School, result: ProviderChange, done: (label: string) => string) => {
    if (result.kind === 'missing') throw new HttpError(404, NO_PROVIDER);
    if (result.kind === 'secret-unreadable')
      reply.flash(
        'error',
        `${result.label} cannot be enabled: its client secret can no longer be read (SECRET_KEY has changed). Edit it and enter the client secret again.`,
      );
    else if (result.kind === 'last-provider')
      reply.flash(
        'error',
        `${result.label} is the only way the pupils and teachers of ${result.school} can sign in, because password sign-in is off. Switch password sign-in back on first.`,
      );
    else reply.flash('success', done(result.label));
    return reply.redirect(pagePath(school), 303);
  };

  app.post('/schools/:id/sign-in/:providerId/enable', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const id = idParam(request, NO_PROVIDER, 'providerId');
    const result = await setProviderEnabled(app.db, secretKey, school.id, id, true, requestActor(request));
    return changed(reply, school, result, (label) => `${label} enabled: its button shows on the login page.`);
  });

  app.post('/schools/:id/sign-in/:providerId/disable', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const id = idParam(request, NO_PROVIDER, 'providerId');
    const result = await setProviderEnabled(app.db, secretKey, school.id, id, false, requestActor(request));
    return changed(reply, school, result, (label) => `${label} disabled: no one can sign in with it now.`);
  });

  app.post('/schools/:id/sign-in/:providerId/delete', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const id = idParam(request, NO_PROVIDER, 'providerId');
    const result = await deleteProvider(app.db, secretKey, school.id, id, requestActor(request));
    return changed(reply, school, result, (label) => `${label} deleted.`);
  });

  // Reads the provider's discovery document; changes nothing.
  app.post('/schools/:id/sign-in/:providerId/check', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const p = await providerOf(request, school);
    const result = await checkProviderConnection(p.issuer, { production });
    if (result.ok)
      reply.flash(
        'success',
        `${p.label}: connection works. The provider’s discovery document at ${result.discoveryUrl} was read. Sign-in goes to ${result.authorizationEndpoint}.`,
      );
    else reply.flash('error', `${p.label}: the connection does not work: ${result.reason}.`);
    return reply.redirect(pagePath(school), 303);
  });

  app.post('/schools/:id/sign-in/password', { config: admin }, async (request, reply) => {
    const school = await schoolOf(request);
    const on = checkbox(request.body, 'password_sign_in');
    const result = await setPasswordSignIn(app.db, secretKey, school.id, on, requestActor(request));
    if (result.kind === 'missing') throw new HttpError(404, NO_SCHOOL);
    if (result.kind === 'no-provider')
      reply.flash(
        'error',
        `Password sign-in stays on: ${result.school} has no enabled sign-in provider, so its pupils and teachers could not sign in at all. Add a provider, check its connection and enable it first.`,
      );
    else
      reply.flash(
        'success',
        result.on
          ? `Pupils and teachers of ${result.school} may sign in with a password as well as with their school account.`
          : `Pupils and teachers of ${result.school} now sign in with their school account only. Admins keep their password.`,
      );
    return reply.redirect(pagePath(school), 303);
  });
}
