// The pages measured, as a browser behind an HTTPS-terminating proxy asks for
// them: X-Forwarded-Proto: https (the production profile redirects anything
// else), compression accepted, HTML wanted; anonymous ones with the cookies
// of an earlier visit. Signed-in scenarios rotate over a
// pool of real sessions; the answer scenario sends the planned tries with the
// session's CSRF token, as the challenge page's form does.
import { request } from 'node:http';
import type { BenchSession } from '../server.js';
import type { Fixtures } from './fixtures.js';
import type { LoadSpec } from './load.js';

export type ScenarioName = 'home' | 'challenges' | 'challenge' | 'answer' | 'leaderboard' | 'article' | 'health';

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** Needs a signed-in student. */
  signedIn: boolean;
  /** Measured a second time with the security layer off (anonymous pages only). */
  compareSecurity: boolean;
  spec: LoadSpec;
}

export const SCENARIO_ORDER: readonly ScenarioName[] = [
  'home',
  'challenges',
  'challenge',
  'leaderboard',
  'article',
  'health',
  'answer',
];

const BROWSER: Record<string, string> = {
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '203.0.113.10',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-GB,en;q=0.9',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) mathsoc-bench',
};

/** Round-robin over the sessions: consecutive requests come from different students. */
function rotate(sessions: BenchSession[]): () => BenchSession {
  let i = 0;
  return () => sessions[i++ % sessions.length]!;
}

export interface AnswerProgress {
  sent: number;
  planned: number;
}

/**
 * The cookies a browser holds after its first page (the anonymous CSRF cookie):
 * anonymous scenarios send them, as a returning visitor does.
 */
export async function visitorCookies(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: BROWSER, redirect: 'manual' });
  await res.arrayBuffer();
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0]!)
    .join('; ');
}

export function buildScenarios(
  f: Fixtures,
  students: BenchSession[],
  submitters: BenchSession[],
  visitor = '',
  /** Shared by the servers of one run, so each takes the plan's next tries, never ones already made. */
  progress: AnswerProgress = { sent: 0, planned: f.plan.length },
): { scenarios: Scenario[]; answerProgress: AnswerProgress } {
  const student = rotate(students);
  const signedIn = (path: string): LoadSpec => ({
    method: 'GET',
    path,
    headers: BROWSER,
    expectStatus: 200,
    next: () => ({ headers: { cookie: student().cookie } }),
  });
  const anonymous = (path: string, extra: Record<string, string> = {}): LoadSpec => ({
    method: 'GET',
    path,
    headers: { ...BROWSER, ...(visitor ? { cookie: visitor } : {}), ...extra },
    expectStatus: 200,
  });

  const bySubmitter = new Map(submitters.map((s) => [s.userId, s]));
  const answer: LoadSpec = {
    method: 'POST',
    path: '/challenges/0/boxes/0/answer',
    headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
    // The form's POST answers with a redirect back to the challenge page.
    expectStatus: 303,
    next: () => {
      const t = f.plan[progress.sent++ % f.plan.length]!;
      const s = bySubmitter.get(t.userId)!;
      const body = new URLSearchParams({ answer: t.answer, _csrf: s.csrf }).toString();
      return { path: `/challenges/${t.challengeId}/boxes/${t.boxId}/answer`, headers: { cookie: s.cookie }, body };
    },
  };

  const scenarios: Scenario[] = [
    { name: 'home', title: 'Home page', signedIn: false, compareSecurity: true, spec: anonymous('/') },
    {
      name: 'challenges',
      title: 'Challenge list (signed in)',
      signedIn: true,
      compareSecurity: false,
      spec: signedIn('/challenges'),
    },
    {
      name: 'challenge',
      title: 'Challenge page (signed in)',
      signedIn: true,
      compareSecurity: false,
      spec: signedIn(`/challenges/${f.challengeId}`),
    },
    {
      name: 'leaderboard',
      title: 'Leaderboard',
      signedIn: false,
      compareSecurity: true,
      spec: anonymous('/leaderboard?ks=KS4'),
    },
    {
      name: 'article',
      title: 'Article page',
      signedIn: false,
      compareSecurity: true,
      spec: anonymous(`/articles/${f.articleId}`),
    },
    {
      name: 'health',
      title: '/health',
      signedIn: false,
      compareSecurity: true,
      spec: anonymous('/health', { accept: 'application/json' }),
    },
    {
      name: 'answer',
      title: 'Answer submission (signed in, CSRF)',
      signedIn: true,
      compareSecurity: false,
      spec: answer,
    },
  ];
  return { scenarios, answerProgress: progress };
}

/** One request as the scenario sends it: checks that the page exists and answers as expected. */
export async function probe(port: number, spec: LoadSpec): Promise<{ ok: boolean; status: number }> {
  const v = spec.next?.() ?? {};
  const res = await fetch(`http://127.0.0.1:${port}${v.path ?? spec.path}`, {
    method: spec.method,
    headers: { ...spec.headers, ...v.headers },
    body: v.body,
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { ok: res.status === spec.expectStatus, status: res.status };
}

/** Bytes of a page's body as sent: without Accept-Encoding, and with the browser's (and the encoding chosen). */
export interface PageBytes {
  identity: number;
  compressed: number;
  encoding: string | null;
}

function rawBody(port: number, path: string, headers: Record<string, string>) {
  return new Promise<{ bytes: number; encoding: string | null }>((resolve, reject) => {
    // node:http hands over the bytes as they came, undecoded (fetch would decompress them).
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] ?? null }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function pageBytes(port: number, spec: LoadSpec): Promise<PageBytes> {
  const v = spec.next?.() ?? {};
  const path = v.path ?? spec.path;
  const headers = { ...spec.headers, ...v.headers };
  const { 'accept-encoding': _dropped, ...plain } = headers;
  const identity = await rawBody(port, path, plain);
  const compressed = await rawBody(port, path, headers);
  return { identity: identity.bytes, compressed: compressed.bytes, encoding: compressed.encoding };
}
