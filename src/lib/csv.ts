// CSV for spreadsheet users (RFC 4180), safe to open in Excel or LibreOffice.
// A cell that starts with = + - @ (or a tab / carriage return, which some
// spreadsheets skip before reading a formula) would run as a formula when the
// file is opened — "CSV injection". Such cells get a leading single quote, so
// the spreadsheet shows the text instead of evaluating it. Every cell that
// contains a quote, comma, semicolon or line break is quoted, quotes doubled.

export type CsvCell = string | number | boolean | null | undefined | Date;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\r\n]/;

/** One cell, escaped for formulas and quoted when needed. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'number') {
    // A negative number is data, not a formula: keep it a number for the spreadsheet.
    if (Number.isFinite(value)) return String(value);
    text = String(value);
  } else text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line (without the line break). */
export function csvRow(cells: readonly CsvCell[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * A whole document: header + rows, CRLF line ends (RFC 4180), and a UTF-8 byte
 * order mark so Excel reads accented names correctly.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [csvRow(header)];
  for (const row of rows) lines.push(csvRow(row));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A Content-Disposition value for a download with a plain, safe file name. */
export function csvDisposition(baseName: string): string {
  const safe = baseName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'export';
  return `attachment; filename="${safe}.csv"`;
}
