// A real OpenID Connect provider for the tests: node-oidc-provider (the
// certified implementation), listening on 127.0.0.1 on a free port, with the
// clients and accounts a test chooses. Its own login page (the "dev
// interactions": any account id, any password) is what a browser test fills
// in; `signIn` completes the same page over HTTP without a browser, as a
// person's browser would (cookies, redirects), and answers the address the
// provider sends the browser back to: the app's callback with code and state.
// `startOidcProviderProcess` runs one in a child process whose clock runs
// behind, so the ID tokens it signs have already expired.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface OidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  /** Google's Workspace domain claim. */
  hd?: string;
  /** Microsoft Entra's sign-in name (often the address). */
  preferred_username?: string;
  /** Microsoft Entra's directory (tenant) ID of the account. */
  tid?: string;
}

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface OidcProviderOptions {
  clients: OidcClient[];
  accounts?: OidcAccount[];
  /** Served over https with this certificate (the browser suite's app runs in production). */
  tls?: { key: string; cert: string };
  /**
   * The issuer's path, e.g. `/<tenant-id>/v2.0` as Microsoft's issuers have:
   * the provider is served below it (none: at the root).
   */
  path?: string;
}

export interface TestOidcProvider {
  issuer: string;
  addAccount(account: OidcAccount): void;
  /**
   * Opens `authorizationUrl` (where the app sent the browser), signs in as
   * `sub` on the provider's login page, and answers the URL the provider
   * redirects back to (the app's callback), without following it.
   */
  signIn(authorizationUrl: string, sub: string): Promise<string>;
  /** Like signIn, but the person presses "Cancel" on the login page: the callback carries error=access_denied. */
  cancel(authorizationUrl: string): Promise<string>;
  close(): Promise<void>;
}

function providerConfiguration(opts: OidcProviderOptions, accounts: Map<string, OidcAccount>): Configuration {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [{ ...jwk, use: 'sig', alg: 'RS256', kid: 'test-key' }] },
    cookies: { keys: ['oidc-test-provider-cookie-key'] },
    claims: {
      openid: ['sub', 'tid'],
      email: ['email', 'email_verified', 'hd'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    // The claims of the requested scopes go into the ID token itself, as Google's and Microsoft's do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => {
          const name = [account.given_name, account.family_name].filter(Boolean).join(' ');
          return { ...account, ...(name ? { name } : {}) };
        },
      };
    },
    // A first-party client: the school's own site needs no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
}

/** Minimal cookie jar for one browser's visit to the provider. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the provider's redirects like a browser, acting on its interaction pages, until it sends us away. */
export async function walkProvider(
  issuer: string,
  authorizationUrl: string,
  act: { login: string } | { cancel: true },
): Promise<string> {
  const origin = new URL(issuer).origin;
  const jar = new Jar();
  let url = new URL(authorizationUrl);
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    jar.take(res);
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`the provider answered ${res.status} at ${url.pathname}`);
    }
    const next = new URL(location, url);
    if (next.origin !== origin) return next.href;
    method = 'GET';
    body = undefined;
    const interaction = /\/interaction\/([^/]+)$/.exec(next.pathname);
    if (interaction) {
      if ('cancel' in act) {
        next.pathname += '/abort';
      } else {
        method = 'POST';
        body = new URLSearchParams({ prompt: 'login', login: act.login, password: 'any' }).toString();
      }
    }
    url = next;
  }
  throw new Error('the provider redirected too many times');
}

/** Starts a provider in this process. */
export async function startOidcProvider(opts: OidcProviderOptions): Promise<TestOidcProvider> {
  const accounts = new Map<string, OidcAccount>((opts.accounts ?? []).map((a) => [a.sub, a]));
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }) : http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const path = (opts.path ?? '').replace(/\/$/, '');
  const issuer = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`;
  const provider = new Provider(issuer, providerConfiguration(opts, accounts));
  const handle = provider.callback();
  server.on('request', (req: http.IncomingMessage & { originalUrl?: string }, res: http.ServerResponse) => {
    if (!path) return handle(req, res);
    // Mounted below the issuer's path, as a framework mounts it: the provider sees the rest.
    const url = req.url ?? '/';
    if (url !== path && !url.startsWith(`${path}/`) && !url.startsWith(`${path}?`)) {
      res.writeHead(404).end();
      return;
    }
    req.originalUrl = url;
    req.url = url.slice(path.length) || '/';
    return handle(req, res);
  });
  return {
    issuer,
    addAccount: (a) => accounts.set(a.sub, a),
    signIn: (authorizationUrl, sub) => walkProvider(issuer, authorizationUrl, { login: sub }),
    cancel: (authorizationUrl) => walkProvider(issuer, authorizationUrl, { cancel: true }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts a provider in a child process whose clock is `clockOffsetSeconds`
 * off (negative: behind). Everything it signs is dated by that clock.
 */
export async function startOidcProviderProcess(
  opts: OidcProviderOptions & { clockOffsetSeconds: number },
): Promise<Omit<TestOidcProvider, 'addAccount'>> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(here, 'oidc-provider-process.ts')], {
    env: { ...process.env, OIDC_TEST_PROVIDER: JSON.stringify(opts) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /READY (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the provider process ended (${code}) before it was ready`)));
  });
  return {
    issuer,
    signIn: (authorizationUrl, sub) => walkProvider(issuer, authorizationUrl, { login: sub }),
    cancel: (authorizationUrl) => walkProvider(issuer, authorizationUrl, { cancel: true }),
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
