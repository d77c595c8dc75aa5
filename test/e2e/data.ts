// Preconditions for browser journeys, set up through the domain layer (the
// same functions the admin pages call). The journeys themselves go through
// the pages; only what a test needs to exist beforehand is made here.
import { crc32, deflateSync } from 'node:zlib';
import { createAnnouncement } from '../../src/domain/content/announcements.js';
import { createArticle, type ArticleType } from '../../src/domain/content/articles.js';
import type { AuditActor } from '../../src/domain/audit.js';
import { createChallenge } from '../../src/domain/challenges/challenges.js';
import { createCompetition } from '../../src/domain/competitions/competitions.js';
import { createSchool } from '../../src/domain/schools.js';
import { DEFAULT_OPTIONS } from '../../src/math/options.js';
import type { Site } from './harness.js';

const SETUP_ACTOR: AuditActor = { id: null, email: 'e2e-setup', ip: null, userAgent: null };

export interface ChallengeSpec {
  title: string;
  contentHtml?: string;
  keyStage?: 'KS3' | 'KS4' | 'KS5';
  /** Default: an hour ago (released). */
  releaseAt?: string;
  lockAfterHours?: number | null;
  attemptsPerBox?: number;
  boxes: Array<{ label: string; answer: string }>;
}

export function seedChallenge(
  site: Site,
  spec: ChallengeSpec,
  competition?: { competitionId: number; durationHours: number },
): Promise<number> {
  return createChallenge(
    site.test.db,
    {
      title: spec.title,
      contentHtml: spec.contentHtml ?? '<p>Work it out and type your answers below.</p>',
      keyStage: spec.keyStage ?? 'KS4',
      releaseAt: spec.releaseAt ?? new Date(Date.now() - 3600_000).toISOString(),
      lockAfterHours: spec.lockAfterHours ?? null,
      attemptsPerBox: spec.attemptsPerBox ?? 3,
      boxes: spec.boxes.map((b) => ({ id: null, label: b.label, correctAnswer: b.answer, options: DEFAULT_OPTIONS })),
    },
    SETUP_ACTOR,
    competition,
  );
}

export interface CompetitionSpec {
  name: string;
  /** Schools added for the competition: guests unless `kind` says member. */
  schools: Array<{ name: string; domain: string; kind?: 'member' | 'guest' }>;
  /** Days from now; default: started yesterday, ends in a week. */
  startsInDays?: number;
  endsInDays?: number;
}

/** A competition with its schools (created as the admin pages create them). */
export async function seedCompetition(site: Site, spec: CompetitionSpec): Promise<{ id: number; schoolIds: number[] }> {
  const schoolIds: number[] = [];
  for (const s of spec.schools) {
    schoolIds.push(
      await createSchool(
        site.test.db,
        { name: s.name, emailDomain: s.domain, address: null, kind: s.kind ?? 'guest' },
        SETUP_ACTOR,
      ),
    );
  }
  const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString();
  const id = await createCompetition(
    site.test.db,
    {
      name: spec.name,
      aboutHtml: '<p>Schools compete on the same problems for a week.</p>',
      startsAt: day(spec.startsInDays ?? -1),
      endsAt: day(spec.endsInDays ?? 7),
      schoolIds,
    },
    SETUP_ACTOR,
  );
  return { id, schoolIds };
}

export function seedArticle(
  site: Site,
  spec: { type?: ArticleType; title: string; authorName?: string; contentHtml?: string; pdf?: Buffer },
): Promise<number> {
  return createArticle(
    site.test.db,
    site.test.config.uploads,
    SETUP_ACTOR,
    {
      type: spec.type ?? 'article',
      title: spec.title,
      authorName: spec.authorName ?? 'Maths Department',
      contentHtml: spec.contentHtml ?? '<p>An article about primes.</p>',
    },
    spec.pdf ? { buffer: spec.pdf, filename: `${spec.title}.pdf` } : null,
  );
}

export function seedAnnouncement(site: Site, spec: { title: string; contentHtml?: string }): Promise<number> {
  return createAnnouncement(site.test.db, SETUP_ACTOR, {
    title: spec.title,
    contentHtml: spec.contentHtml ?? '<p>Welcome back to the Maths Society.</p>',
  });
}

/** A small, valid one-page PDF showing `text` (offsets in the xref table computed, not guessed). */
export function minimalPdf(text: string): Buffer {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const stream = `BT /F1 24 Tf 72 720 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) body += `${String(o).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A valid PNG of a solid colour, made here (chunk CRCs computed), for image uploads. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
