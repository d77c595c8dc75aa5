// Admin pages of a school's sign-in (ADR 036): its providers with their
// actions, the password switch, the redirect URI to register at a provider,
// and the provider form. The client secret field is always empty: a stored
// secret is never sent back to the browser.
import type { School, SsoProviderKind } from '../../../db/schema.js';
import {
  ISSUER_MAX,
  LABEL_MAX,
  type ProviderFormValues,
  type ProviderListing,
} from '../../../domain/sso/provider-admin.js';
import { PRESETS } from '../../../domain/sso/providers.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, PasswordField, PostButton, TextField } from '../form.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

const KIND_NAMES: Record<SsoProviderKind, string> = {
  microsoft: 'Microsoft Entra ID (Microsoft 365)',
  google: 'Google Workspace',
  oidc: 'Another OpenID Connect provider',
};

function RedirectUri({ uri }: { uri: string | null }) {
  return uri ? (
    <p>
      Redirect URI to register at the provider: <code>{uri}</code>
    </p>
  ) : (
    <p class="flash flash-warning" role="status">
      This site cannot name its own address: set SERVER_NAME to its public host name (docs/operations.md). The redirect
      URI to register at the provider is that address followed by /login/sso/callback.
    </p>
  );
}

export function SchoolSignInPage({
  ctx,
  school,
  providers,
  redirectUri,
}: {
  ctx: ViewContext;
  school: School;
  providers: ProviderListing[];
  redirectUri: string | null;
}) {
  const base = `/admin/schools/${school.id}/sign-in`;
  const usable = providers.filter((p) => p.enabled && p.secretReadable).length;
  const passwordOn = school.password_sign_in === 1;
  return (
    <AdminLayout ctx={ctx} title={`Sign-in of ${school.name}`}>
      <p>
        <a href="/admin/schools">← Schools</a>
      </p>
      <h1>Sign-in of {school.name}</h1>
      <p>
        Pupils and teachers of {school.name} can sign in with their school account: each enabled provider shows a button
        on the login page. An account is linked to its school account by its address, which must end in one of the
        provider’s allowed domains.
      </p>
      <RedirectUri uri={redirectUri} />

      <h2>Providers</h2>
      {providers.length === 0 ? (
        <p class="muted">No sign-in provider yet: pupils sign in with a password.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Sign-in providers">
          <table>
            <thead>
              <tr>
                <th scope="col">Name on the button</th>
                <th scope="col">Kind</th>
                <th scope="col">Issuer</th>
                <th scope="col">Allowed domains</th>
                <th scope="col">Linked accounts</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((p) => (
                <tr>
                  <td>{p.label}</td>
                  <td>{KIND_NAMES[p.kind]}</td>
                  <td>
                    <code>{p.issuer}</code>
                  </td>
                  <td>{p.allowedDomains.map((d) => `@${d}`).join(', ')}</td>
                  <td>{p.linkedAccounts}</td>
                  <td>
                    {p.enabled ? <span class="badge badge-ok">Enabled</span> : <span class="badge">Disabled</span>}
                    {!p.secretReadable && (
                      <p class="field-error">
                        The client secret can no longer be read (SECRET_KEY has changed): edit the provider and enter
                        the client secret again.
                      </p>
                    )}
                  </td>
                  <td class="actions">
                    <a class="button small secondary" href={`${base}/${p.id}/edit`}>
                      Edit
                    </a>{' '}
                    <PostButton ctx={ctx} action={`${base}/${p.id}/check`} label="Check connection" />{' '}
                    {p.enabled ? (
                      <PostButton ctx={ctx} action={`${base}/${p.id}/disable`} label="Disable" />
                    ) : (
                      <PostButton ctx={ctx} action={`${base}/${p.id}/enable`} label="Enable" />
                    )}{' '}
                    <PostButton ctx={ctx} action={`${base}/${p.id}/delete`} label="Delete" danger />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a class="button secondary" href={`${base}/new?kind=microsoft`}>
          Add Microsoft
        </a>{' '}
        <a class="button secondary" href={`${base}/new?kind=google`}>
          Add Google
        </a>{' '}
        <a class="button secondary" href={`${base}/new?kind=oidc`}>
          Add another OpenID provider
        </a>
      </p>
      <p class="hint">
        A new provider starts disabled: check its connection, then enable it. Deleting a provider unlinks the accounts
        linked to it; they can link again the next time they sign in.
      </p>

      <h2>Password sign-in</h2>
      <form method="post" action={`${base}/password`}>
        <CsrfField ctx={ctx} />
        <div class="field">
          <label class="check">
            <input
              type="checkbox"
              name="password_sign_in"
              checked={passwordOn}
              aria-describedby="password_sign_in-hint"
            />{' '}
            Pupils and teachers of this school may also sign in with a password
          </label>
          <p class="hint" id="password_sign_in-hint">
            Switched off, they sign in with their school account only: the login form refuses their password, “Forgot
            your password?” sends no reset link, and new pupils cannot register with a password. Admins always keep
            their password. It can be switched off only while an enabled provider works (
            {plural(usable, 'enabled provider')} now).
          </p>
        </div>
        <p>
          <button type="submit">Save</button>
        </p>
      </form>
    </AdminLayout>
  );
}

export function ProviderFormPage({
  ctx,
  school,
  kind,
  id,
  values,
  errors,
  secretReadable,
  redirectUri,
  production,
}: {
  ctx: ViewContext;
  school: School;
  kind: SsoProviderKind;
  id: number | null;
  values: ProviderFormValues;
  errors?: FieldErrors;
  secretReadable: boolean;
  redirectUri: string | null;
  production: boolean;
}) {
  const base = `/admin/schools/${school.id}/sign-in`;
  const title = id ? `Edit ${values.label || PRESETS[kind].label}` : `Add ${KIND_NAMES[kind]}`;
  const secretHint = !id
    ? 'The secret’s value (Microsoft: Certificates & secrets → Value, not the Secret ID). It is stored encrypted and never shown again.'
    : secretReadable
      ? 'Leave empty to keep the stored secret. It is never shown; type a new one to replace it (for example before it expires).'
      : 'The stored secret can no longer be read (SECRET_KEY has changed): enter the client secret again.';
  return (
    <AdminLayout ctx={ctx} title={title}>
      <p>
        <a href={base}>← Sign-in of {school.name}</a>
      </p>
      <h1>{title}</h1>
      <RedirectUri uri={redirectUri} />
      {id && !secretReadable && (
        <p class="flash flash-warning" role="status">
          The client secret of this provider can no longer be read (SECRET_KEY has changed): enter the client secret
          again.
        </p>
      )}
      <ErrorSummary errors={errors} />
      <form method="post" action={id ? `${base}/${id}/edit` : `${base}/new`} autocomplete="off">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="kind" value={kind} />
        <TextField
          name="label"
          label="Name on the button"
          value={values.label}
          errors={errors}
          maxLength={LABEL_MAX}
          hint={`The login page shows “Sign in with …” this name. Empty: “${PRESETS[kind].label}”.`}
        />
        {kind === 'microsoft' && (
          <TextField
            name="tenant"
            label="Directory (tenant) ID"
            value={values.tenant}
            errors={errors}
            required
            maxLength={253}
            hint="On the Overview page of Microsoft Entra ID, or of the app registration. A domain verified in your directory (school.org) is looked up at Microsoft. Never “common”, “organizations” or “consumers”: they let in accounts of other directories."
          />
        )}
        {kind === 'google' && (
          <p class="hint">
            Issuer: <code>{PRESETS.google.issuerTemplate}</code>. Google signs in every Google account, so the allowed
            domains below decide who gets in: only your Workspace domains.
          </p>
        )}
        {kind === 'oidc' && (
          <TextField
            name="issuer"
            label="Issuer"
            value={values.issuer}
            errors={errors}
            required
            maxLength={ISSUER_MAX}
            hint={
              production
                ? 'The “issuer” of the provider’s discovery document, starting with https://.'
                : 'The “issuer” of the provider’s discovery document, starting with https:// (http:// only for a provider on this machine while testing).'
            }
          />
        )}
        <TextField
          name="client_id"
          label="Client ID"
          value={values.client_id}
          errors={errors}
          required
          hint="Microsoft: Application (client) ID. Google: Client ID of the OAuth client."
        />
        {id && (
          <p class="flash flash-warning" role="note">
            Changing the {kind === 'microsoft' ? 'directory (tenant) ID' : kind === 'oidc' ? 'issuer' : 'client'}
            {kind === 'google' ? ' ID' : ' or the client ID'} makes this another provider: every account linked to it is
            unlinked when you save, and links again by its address at its next sign-in.
          </p>
        )}
        <PasswordField
          name="client_secret"
          label="Client secret"
          errors={errors}
          required={!id || !secretReadable}
          autocomplete="new-password"
          hint={secretHint}
        />
        <TextField
          name="allowed_domains"
          label="Allowed email domains"
          value={values.allowed_domains}
          errors={errors}
          hint={`Only accounts whose address ends in one of these may sign in, separated by commas. Empty: the school’s own, @${school.email_domain}.`}
        />
        <p>
          <button type="submit">{id ? 'Save' : 'Add provider'}</button> <a href={base}>Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}
