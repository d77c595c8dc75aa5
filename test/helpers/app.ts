// A real app instance on a test database, and a cookie-keeping client that
// talks to it through app.inject (no sockets, no mocks of our own code).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { hashPassword } from '../../src/domain/accounts/passwords.js';
import { hashToken } from '../../src/security/session.js';
import { createTestDatabase, type Dialect, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase['db'];
  database: TestDatabase;
  config: Config;
  client(opts?: { ip?: string; https?: boolean }): TestClient;
  createUser(fields?: Partial<TestUserFields>): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUserFields {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
  isAdmin: boolean;
  /** A teacher (user_type "teacher", not an admin): no year or key stage unless given. */
  teacher: boolean;
  yearGroup: number | null;
  keyStage: string | null;
  mathsClass: string | null;
  mustChangePassword: boolean;
  schoolId: number | null;
  /** Confirmed address (default): false makes an account still waiting for its confirmation link. */
  emailVerified: boolean;
}

export interface TestUser extends TestUserFields {
  id: number;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** The number of proxies declared for test apps whose requests carry X-Forwarded-* headers. */
export const ONE_PROXY = {
  PROXY_FIX_X_FOR: '1',
  PROXY_FIX_X_PROTO: '1',
  PROXY_FIX_X_HOST: '1',
  PROXY_FIX_X_PORT: '1',
} as const;

let cachedHash: Promise<string> | null = null;

/** Builds the app in the testing profile; `env` overrides any setting (e.g. APP_ENV: 'production'). */
export async function createTestApp(
  dialect: Dialect = 'sqlite',
  env: Record<string, string> = {},
  /** `onQuery` sees the SQL of every statement run on the test database. */
  opts: { onQuery?: (sql: string) => void } = {},
): Promise<TestApp> {
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'silent',
    // One proxy in front: the client's `ip` and `https` options travel as X-Forwarded-For/-Proto.
    ...ONE_PROXY,
    ...env,
  });
  const database = await createTestDatabase(dialect, { onQuery: opts.onQuery });
  const app = await buildApp(config, { database, logger: false });
  await app.ready();
  let counter = 0;
  const testApp: TestApp = {
    app,
    db: database.db,
    database,
    config,
    client: (opts) => new TestClient(app, opts),
    async createUser(fields = {}) {
      counter += 1;
      const password = fields.password ?? TEST_PASSWORD;
      const hash =
        password === TEST_PASSWORD ? await (cachedHash ??= hashPassword(TEST_PASSWORD)) : await hashPassword(password);
      const now = new Date().toISOString();
      const f: TestUserFields = {
        email: fields.email ?? `user${counter}-${randomBytes(3).toString('hex')}@school.example.org`,
        firstName: fields.firstName ?? 'Test',
        lastName: fields.lastName ?? `User${counter}`,
        password,
        isAdmin: fields.isAdmin ?? false,
        teacher: fields.teacher ?? false,
        yearGroup: fields.yearGroup === undefined ? (fields.isAdmin || fields.teacher ? null : 9) : fields.yearGroup,
        keyStage: fields.keyStage === undefined ? (fields.isAdmin || fields.teacher ? null : 'KS4') : fields.keyStage,
        mathsClass: fields.mathsClass ?? null,
        mustChangePassword: fields.mustChangePassword ?? false,
        schoolId: fields.schoolId ?? null,
        emailVerified: fields.emailVerified ?? true,
      };
      const row = await database.db
        .insertInto('users')
        .values({
          email: f.email.toLowerCase(),
          first_name: f.firstName,
          last_name: f.lastName,
          password_hash: hash,
          year_group: f.yearGroup,
          key_stage: f.keyStage,
          maths_class: f.mathsClass,
          school_id: f.schoolId,
          user_type: f.isAdmin || f.teacher ? 'teacher' : 'student',
          is_admin: f.isAdmin ? 1 : 0,
          must_change_password: f.mustChangePassword ? 1 : 0,
          email_verified_at: f.emailVerified ? now : null,
          created_at: now,
          updated_at: now,
          password_changed_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...f, id: row.id };
    },
    async close() {
      await app.close();
      await database.dispose();
    },
  };
  return testApp;
}

type Body = Record<string, unknown> | string;

/** A form field's text: tests pass numbers and booleans as well as strings. */
function fieldText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly opts: { ip?: string; https?: boolean } = {},
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.opts.ip) h['x-forwarded-for'] = this.opts.ip;
    if (this.opts.https) h['x-forwarded-proto'] = 'https';
    return h;
  }

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: this.headers(headers) }));
  }

  /** The CSRF token the server expects from this client right now (read from a page's meta tag). */
  async csrfToken(): Promise<string> {
    const res = await this.get('/');
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (!m) throw new Error('no csrf-token meta tag on /');
    return m[1]!;
  }

  /** POSTs a form (urlencoded) or JSON; adds the CSRF token unless `csrf: false`. */
  async post(
    url: string,
    body: Body = {},
    opts: { csrf?: boolean | string; json?: boolean; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    return this.send('POST', url, body, opts);
  }

  async send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body: Body = {},
    opts: { csrf?: boolean | string; json?: boolean; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const token = opts.csrf === false ? null : typeof opts.csrf === 'string' ? opts.csrf : await this.csrfToken();
    const headers = this.headers(opts.headers);
    let payload: string;
    if (opts.json) {
      headers['content-type'] = 'application/json';
      if (token) headers['x-csrf-token'] = token;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const params = new URLSearchParams();
      if (typeof body !== 'string') {
        for (const [k, v] of Object.entries(body)) if (v !== undefined) params.append(k, fieldText(v));
      }
      if (token) params.set('_csrf', token);
      payload = typeof body === 'string' ? body : params.toString();
    }
    return this.keep(await this.app.inject({ method, url, headers, payload }));
  }

  /** Signs in as the user without going through the login form (for tests of other areas). */
  async loginAs(user: { id: number }, opts: { remember?: boolean } = {}): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
    await this.app.sessions.create({
      id: hashToken(token),
      userId: user.id,
      csrfToken: randomBytes(32).toString('base64url'),
      remember: opts.remember ?? false,
      ip: this.opts.ip ?? '127.0.0.1',
      userAgent: 'test',
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      idleExpiresAt: later(3600_000),
      absoluteExpiresAt: later(86400_000),
    });
    const name = this.opts.https ? `__Host-${this.app.config.session.cookieName}` : this.app.config.session.cookieName;
    this.cookies.set(name, this.app.signCookie(token));
  }
}
