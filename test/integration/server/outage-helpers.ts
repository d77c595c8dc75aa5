// What the outage suites share: a TCP relay that can cut the app off from a
// real server, an app whose log is read back as JSON lines, and a wait loop.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import type { DatabaseHandle, Db } from '../../../src/db/index.js';

/** Forwards TCP to a real server until stopped; 'blackhole' accepts connections and never answers. */
export class Relay {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  mode: 'forward' | 'blackhole' = 'forward';
  constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      if (this.mode === 'blackhole') return;
      const upstream = net.connect(this.target);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}

export interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string; message?: string; code?: string };
  [key: string]: unknown;
}

export interface LoggedApp {
  app: FastifyInstance;
  /** Every line the app has logged so far. */
  log(): LogLine[];
  close(): Promise<void>;
}

/** The real app with its real logger writing JSON lines to a file of its own. */
export async function createLoggedApp(database: DatabaseHandle, env: Record<string, string> = {}): Promise<LoggedApp> {
  const dir = mkdtempSync(join(tmpdir(), 'mathsoc-outage-'));
  const file = join(dir, 'app.log');
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'info',
    LOG_TO_STDOUT: 'false',
    LOG_FILE: file,
    ...env,
  });
  const app = await buildApp(config, { database });
  await app.ready();
  return {
    app,
    log() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LogLine);
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/** Polls until `check` gives a truthy value (or throws after `ms`), and returns it. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 15_000, every = 200): Promise<Truthy<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export const UNAVAILABLE = 'The site is briefly unavailable. Please try again in a minute.';

/** A user row written straight to the database (the app may not be able to). */
export async function insertUser(db: Db, isAdmin = false): Promise<number> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto('users')
    .values({
      email: `outage-${Math.random().toString(36).slice(2)}@school.example.org`,
      first_name: 'Olive',
      last_name: 'Outage',
      password_hash: 'x',
      year_group: isAdmin ? null : 9,
      key_stage: isAdmin ? null : 'KS4',
      maths_class: null,
      school_id: null,
      user_type: isAdmin ? 'teacher' : 'student',
      is_admin: isAdmin ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
