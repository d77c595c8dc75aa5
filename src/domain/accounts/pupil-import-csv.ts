// Reading a pupil list exported from a school's MIS (docs/operations.md,
// "Importing pupils from the MIS"): UTF-8 with or without a byte-order mark,
// comma- or semicolon-separated (decided from the header line), columns found
// by their header under the usual MIS spellings or under names the admin gives.
// Only the reading happens here; what each row means is pupil-import.ts.
import { parse } from 'csv-parse/sync';

/** The largest file taken: a whole school's export is far below it. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** The most pupil rows in one file (the header not counted). */
export const IMPORT_MAX_ROWS = 20_000;

export const IMPORT_COLUMNS = ['firstName', 'lastName', 'email', 'year', 'class'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Header names given by the admin, by column; an empty one means "use the defaults". */
export type ColumnNames = Partial<Record<ImportColumn, string>>;

/** What the column is called on pages, in messages and in the CLI's flags. */
export const COLUMN_LABELS: Record<ImportColumn, string> = {
  firstName: 'first name',
  lastName: 'last name',
  email: 'email',
  year: 'year',
  class: 'class',
};

/**
 * The header names each column is found under when the admin names none, in
 * order of preference (the first present wins: a legal forename before a
 * preferred one). Compared without case, spaces or punctuation.
 */
export const DEFAULT_HEADERS: Record<ImportColumn, readonly string[]> = {
  firstName: ['First name', 'Forename', 'Legal Forename', 'Given name', 'Preferred Forename', 'First names'],
  lastName: ['Surname', 'Last name', 'Legal Surname', 'Family name', 'Preferred Surname'],
  email: ['Email', 'Email address', 'Pupil email', 'School email', 'Primary email'],
  year: ['Year', 'Year group', 'NC Year', 'National Curriculum Year', 'Curriculum year'],
  class: ['Class', 'Reg group', 'Registration group', 'Form', 'Form group', 'Tutor group', 'Maths class'],
};

/** One pupil row as read: cells trimmed, `row` its line in the file (the header is line 1). */
export interface CsvPupilRow {
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  year: string;
  /** Null when the file has no class column. */
  class: string | null;
}

export type CsvReading =
  | {
      ok: true;
      rows: CsvPupilRow[];
      delimiter: ',' | ';';
      /** The header each column was read from. */
      headers: Record<ImportColumn, string | null>;
    }
  | { ok: false; error: string };

/** "E-mail Address" → "emailaddress": how header names are compared. */
export function headerKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Comma or semicolon: whichever the header line (outside quotes) has more of; a comma on a tie. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ',') commas += 1;
    else if (!quoted && c === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The file's text, without its byte-order mark; null when it is not UTF-8. */
function decode(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Reads the file; any problem with the file as a whole is one clear message and no rows. */
export function readPupilCsv(bytes: Uint8Array, names: ColumnNames = {}): CsvReading {
  if (bytes.length === 0) return { ok: false, error: 'The file is empty.' };
  if (bytes.length > IMPORT_MAX_BYTES)
    return {
      ok: false,
      error: `The file is too large (${(bytes.length / 1024 / 1024).toFixed(1)} MB); the limit is ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into several files.`,
    };
  const text = decode(bytes);
  if (text === null)
    return {
      ok: false,
      error:
        'The file is not UTF-8 text. Export it again as “CSV UTF-8” (Excel: File › Save As › CSV UTF-8 (Comma delimited)).',
    };
  const delimiter = detectDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      // One row past the limit is enough to know the file is too long.
      to: IMPORT_MAX_ROWS + 2,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
    return { ok: false, error: `The file is not valid CSV: ${message}` };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, error: 'The file is empty.' };
  if (body.length > IMPORT_MAX_ROWS)
    return {
      ok: false,
      error: `The file has more than ${IMPORT_MAX_ROWS.toLocaleString('en-GB')} pupil rows; the limit is ${IMPORT_MAX_ROWS.toLocaleString('en-GB')}. Split it into several files.`,
    };

  const found = findColumns(header.record, names);
  if (!found.ok) return found;
  const { index, headers } = found;
  const cell = (record: string[], i: number | null) => (i === null ? '' : (record[i] ?? ''));

  const rows: CsvPupilRow[] = [];
  for (const { record, info } of body) {
    // A spreadsheet's blank line comes out as ",,,,": nothing to import, nothing to refuse.
    if (record.every((v) => v === '')) continue;
    rows.push({
      row: info.lines,
      firstName: cell(record, index.firstName),
      lastName: cell(record, index.lastName),
      email: cell(record, index.email),
      year: cell(record, index.year),
      class: index.class === null ? null : cell(record, index.class),
    });
  }
  return { ok: true, rows, delimiter, headers };
}

function findColumns(
  header: string[],
  names: ColumnNames,
):
  | { ok: true; index: Record<ImportColumn, number | null>; headers: Record<ImportColumn, string | null> }
  | { ok: false; error: string } {
  const keys = header.map(headerKey);
  const index = {} as Record<ImportColumn, number | null>;
  const headers = {} as Record<ImportColumn, string | null>;
  const problems: string[] = [];
  for (const column of IMPORT_COLUMNS) {
    const given = names[column]?.trim();
    let at = -1;
    if (given) {
      at = keys.indexOf(headerKey(given));
      if (at < 0) problems.push(`There is no column called “${given}” for the ${COLUMN_LABELS[column]}.`);
    } else {
      for (const candidate of DEFAULT_HEADERS[column]) {
        at = keys.indexOf(headerKey(candidate));
        if (at >= 0) break;
      }
      // The class is optional: without it pupils are put in no class.
      if (at < 0 && column !== 'class')
        problems.push(
          `No ${COLUMN_LABELS[column]} column: name it “${DEFAULT_HEADERS[column][0]!}” or give its header name.`,
        );
    }
    index[column] = at >= 0 ? at : null;
    headers[column] = at >= 0 ? (header[at] ?? null) : null;
  }
  if (problems.length) {
    const shown = header
      .filter((h) => h !== '')
      .slice(0, 30)
      .map((h) => `“${h}”`);
    return {
      ok: false,
      error: `${problems.join(' ')} The file's first line has ${shown.length ? shown.join(', ') : 'no column names'}.`,
    };
  }
  return { ok: true, index, headers };
}
