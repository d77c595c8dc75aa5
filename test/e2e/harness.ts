// The browser suite's world: the real app in the production profile, reached
// by Chromium through a local TLS-terminating proxy (as nginx would sit in
// front of it), so the browser sees https, the __Host- cookies and the real
// production CSP. See docs/decisions/003-browser-tests-behind-local-tls.md for why.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { generate } from 'selfsigned';
import { initialiseData } from '../../src/domain/setup.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const REQUIRE_BROWSER = process.env.REQUIRE_BROWSER === '1';

/**
 * True when Chromium can be started. Absent and not required: false, with a
 * loud notice. Absent and required (CI sets REQUIRE_BROWSER=1): throws.
 */
export function browserAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    const msg = `Chromium is not at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium)`;
    if (REQUIRE_BROWSER) throw new Error(`${msg} and REQUIRE_BROWSER=1`);
    console.warn(
      `\n!!!!! SKIPPING THE BROWSER SUITE: ${msg}. Run bash .ci/run, or set REQUIRE_BROWSER=1 to make this a failure. !!!!!\n`,
    );
    return false;
  }
}

/** Never downloads a browser: Debian's Chromium, headless, with nothing phoning home. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // The Reporting API batches CSP reports for up to a minute; a test must see them now.
      '--short-reporting-delay',
    ],
  });
}

/** One request the proxy passed on, as the harness saw it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
}

/** A CSP report that reached the server's report endpoint. */
export interface ReceivedCspReport {
  contentType: string;
  body: string;
}

/** The site's first admin, made as `mathsoc db:init` makes it in production. */
export const ADMIN = {
  email: 'head.of.maths@school.example.org',
  password: 'Quadratic-Sunflower-Ledger-42',
  firstName: 'Ada',
  lastName: 'Lovelace',
} as const;

export interface Site {
  /** https://127.0.0.1:PORT — what the browser opens. */
  baseUrl: string;
  /** The app, its database and helpers (createUser with a known password). */
  test: TestApp;
  /** CSP reports the browser sent, in arrival order. */
  cspReports: ReceivedCspReport[];
  /** Every answer of 500 or more (a server fault is a test failure). */
  serverErrors: ProxiedRequest[];
  close(): Promise<void>;
}

/** Settings for the production profile that a test run on one machine needs. */
function productionEnv(uploadDir: string, backupDir: string): Record<string, string> {
  return {
    APP_ENV: 'production',
    SECRET_KEY: 'e2e-production-secret-key-0123456789abcdefghij',
    LOG_LEVEL: 'silent',
    UPLOAD_DIR: uploadDir,
    BACKUP_DIR: backupDir,
    // Rate limiting stays on (production), with room for a suite's worth of
    // logins and registrations from one address.
    RATELIMIT_ENABLED: 'true',
    RATELIMIT_DEFAULT: '100000 per hour',
    RATELIMIT_DEFAULT_AUTHENTICATED: '100000 per hour',
    RATELIMIT_LOGIN: '1000 per minute',
    RATELIMIT_LOGIN_ACCOUNT: '1000 per hour',
    RATELIMIT_REGISTER: '1000 per minute',
    RATELIMIT_WRONG_ANSWERS: '1000 per minute',
    RATELIMIT_CSP_REPORT: '1000 per minute',
    RATELIMIT_MATH_API: '1000 per minute',
  };
}

let certificate: Promise<{ key: string; cert: string }> | null = null;

/** A throwaway self-signed certificate for 127.0.0.1, made once per test file. */
function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 86400_000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * Terminates TLS and forwards to the app over plain HTTP, adding what a
 * reverse proxy adds (one hop: X-Forwarded-For and X-Forwarded-Proto). It also
 * keeps what a test needs to see: CSP reports and server errors.
 */
async function startTlsProxy(appPort: number, reportPath: string, site: Pick<Site, 'cspReports' | 'serverErrors'>) {
  const { key, cert } = await selfSignedCertificate();
  const server = https.createServer({ key, cert }, (req, res) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && !name.startsWith('x-forwarded-')) headers[name] = value;
    }
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] = 'https';
    const path = req.url ?? '/';
    const isReport = path.split('?')[0] === reportPath;
    const chunks: Buffer[] = [];
    if (isReport) req.on('data', (c: Buffer) => chunks.push(c));

    const upstream = http.request({ host: '127.0.0.1', port: appPort, method: req.method, path, headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (status >= 500) site.serverErrors.push({ method: req.method ?? 'GET', path, status });
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(status, out);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      site.serverErrors.push({ method: req.method ?? 'GET', path, status: 502 });
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on('end', () => {
      if (isReport)
        site.cspReports.push({
          contentType: String(req.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Starts the app (production profile, on PostgreSQL when it is there — as in
 * production — else SQLite) and the TLS proxy in front of it.
 */
export async function startSite(extraEnv: Record<string, string> = {}): Promise<Site> {
  const scratch = mkdtempSync(join(tmpdir(), 'mathsoc-e2e-'));
  const [dialect] = (await availableDialects()).slice(-1);
  const test = await createTestApp(dialect, {
    ...productionEnv(join(scratch, 'uploads'), join(scratch, 'backups')),
    // Without SMTP_URL the site's emails are files: keep them with the run's other scratch files.
    MAIL_DIRECTORY: join(scratch, 'mail'),
    ...extraEnv,
  });
  // The default school (its email domain is the one registration accepts) and the first admin.
  await initialiseData(test.config, test.database, { ...ADMIN, mustChangePassword: false });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  const appPort = (test.app.server.address() as AddressInfo).port;

  const site = { cspReports: [] as ReceivedCspReport[], serverErrors: [] as ProxiedRequest[] };
  const proxy = await startTlsProxy(appPort, test.config.csp.reportUri, site);
  const { port } = proxy.address() as AddressInfo;
  return {
    ...site,
    baseUrl: `https://127.0.0.1:${port}`,
    test,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await test.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Page sizes the suite looks at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 812 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
