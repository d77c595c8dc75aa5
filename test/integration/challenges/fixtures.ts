// Challenge fixtures for the integration suites: rows written through the
// domain functions the admin pages use, so tests start from real data.
import { createChallenge, type BoxInput } from '../../../src/domain/challenges/challenges.js';
import { answerOptionsSchema, type AnswerOptionsInput } from '../../../src/math/index.js';
import type { TestApp } from '../../helpers/app.js';

export const ADMIN_ACTOR = { id: null, email: 'fixture@school.example.org', ip: '127.0.0.1', userAgent: 'test' };

export interface ChallengeFixture {
  title?: string;
  content?: string;
  keyStage?: 'KS3' | 'KS4' | 'KS5';
  releaseAt?: string;
  lockAfterHours?: number | null;
  attempts?: number;
  boxes?: Array<{ label?: string; answer: string; options?: AnswerOptionsInput }>;
}

export const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

export async function seedChallenge(t: TestApp, f: ChallengeFixture = {}): Promise<{ id: number; boxIds: number[] }> {
  const boxes: BoxInput[] = (f.boxes ?? [{ label: 'x =', answer: '\\frac{3}{4}' }]).map((b) => ({
    id: null,
    label: b.label ?? '',
    correctAnswer: b.answer,
    options: answerOptionsSchema.parse(b.options ?? {}),
  }));
  const id = await createChallenge(
    t.db,
    {
      title: f.title ?? 'Fractions',
      contentHtml:
        f.content ?? '<p>Simplify <span class="math-inline" data-latex="\\frac{6}{8}">\\frac{6}{8}</span>.</p>',
      keyStage: f.keyStage ?? 'KS4',
      releaseAt: f.releaseAt ?? hoursFromNow(-1),
      lockAfterHours: f.lockAfterHours ?? null,
      attemptsPerBox: f.attempts ?? 3,
      boxes,
    },
    ADMIN_ACTOR,
  );
  const rows = await t.db
    .selectFrom('answer_boxes')
    .select('id')
    .where('challenge_id', '=', id)
    .orderBy('position')
    .execute();
  return { id, boxIds: rows.map((r) => r.id) };
}

/** The flash messages a page shows (the cookie is read and cleared by the next GET). */
export function flashes(body: string): string[] {
  return [...body.matchAll(/<div class="flash flash-(\w+)" role="(?:alert|status)">([^<]*)<\/div>/g)].map(
    (m) => `${m[1]}: ${decode(m[2]!)}`,
  );
}

export function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** One part of a multipart/form-data body: a field (value) or a file (filename, type, data). */
export type Part = { name: string; value?: string; filename?: string; type?: string; data?: Buffer };

/** A multipart/form-data body as a browser sends it, for the forms that take a file. */
export function multipartBody(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined)
      head += `; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
