// Looks inside an upload past its magic number: web page code or PDF active
// content anywhere, also inside a PDF's compressed streams (a PDF 1.5 keeps
// most of its objects in compressed object streams, where a plain scan of the
// file sees only noise), and the size in pixels an image declares (a file of
// a hundred bytes can ask a browser for gigabytes). Each check returns the
// message for the admin, or null when the file is acceptable.
import { promisify } from 'node:util';
import { constants, inflate, inflateSync } from 'node:zlib';

const inflateAsync = promisify(inflate);

/** Used when the settings give no limit; the configuration's default is the same. */
export const DEFAULT_MAX_IMAGE_MEGAPIXELS = 40;

/**
 * What all of one PDF's compressed streams may decompress to, how many streams
 * it may have and how many filters one stream may chain: beyond any of them the
 * file is refused rather than judged on part of its content.
 */
const PDF_LIMITS = { inflatedBytes: 128 * 1024 * 1024, streams: 20_000, filtersPerStream: 4 } as const;

// Markup a browser or another interpreter could act on, anywhere in the file.
const HIDDEN_MARKUP =
  /<(?:script|iframe|object|embed|html|body|svg)[\s/>]|<!doctype\s+html|<\?php|javascript:|vbscript:/i;
// PDF names for active content (scripts, launching programs, embedded files).
const PDF_ACTIVE = new Set([
  'JavaScript',
  'JS',
  'Launch',
  'EmbeddedFile',
  'EmbeddedFiles',
  'RichMedia',
  'SubmitForm',
  'ImportData',
]);
const PDF_ENCRYPTED = new Set(['Encrypt']);
const PDF_NAME = /\/([^\s/<>[\]()%{}]{1,40})/g;

const markupMessage = (label: string) =>
  `The ${label} file also contains web page code (HTML or script), so it was refused. Export it again from a drawing or office program.`;
const activeMessage = (name: string) =>
  `The PDF contains active content (/${name}), which is not accepted. Print it to a new PDF without scripts, attachments or forms, and upload that.`;
const uncheckableMessage = (reason: string) =>
  `The PDF has a compressed part that cannot be checked (${reason}), so it was refused. Print it to a new PDF and upload that.`;
const TOO_MANY_STREAMS_MESSAGE = `The PDF has too many parts to check (more than ${PDF_LIMITS.streams} streams), so it was refused. Print it to a new PDF and upload that.`;
const ENCRYPTED_MESSAGE =
  'The PDF is encrypted (password-protected or locked against changes), so its contents cannot be checked. Save or print it to a new PDF without protection, and upload that.';

// PDF names may hide letters as #xx escapes (/J#61vaScript).
function decodeName(name: string): string {
  return name.includes('#')
    ? name.replace(/#([0-9a-fA-F]{2})/g, (_s, h: string) => String.fromCharCode(parseInt(h, 16)))
    : name;
}

/** The first of `names` used in `text`; a name cut off by the end of an incomplete text does not count. */
function findName(text: string, names: Set<string>, complete = true): string | null {
  const re = new RegExp(PDF_NAME);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!complete && m.index + m[0].length === text.length) break;
    const name = decodeName(m[1]!);
    if (names.has(name)) return name;
  }
  return null;
}

function pdfSyntaxProblem(text: string, complete = true): string | null {
  if (HIDDEN_MARKUP.test(text)) return markupMessage('PDF');
  const active = findName(text, PDF_ACTIVE, complete);
  return active ? activeMessage(active) : null;
}

/** Markup and active content in decoded stream bytes, a window at a time (no huge strings). */
function decodedProblem(data: Buffer): string | null {
  const window = 1024 * 1024;
  const overlap = 256; // longer than any match
  for (let start = 0; ; start += window - overlap) {
    const end = Math.min(data.length, start + window);
    const complete = end === data.length;
    const problem = pdfSyntaxProblem(data.toString('latin1', start, end), complete);
    if (problem || complete) return problem;
  }
}

// ---------------------------------------------------------------- PDF syntax

function skipString(s: string, i: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c)
      i++; // backslash escape
    else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return i + 1;
  }
  return s.length;
}

function skipComment(s: string, i: number): number {
  while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
  return i;
}

type PdfValue = string | number | PdfValue[] | Map<string, PdfValue>;

const TOKEN = /\s+|%[^\r\n]*|<<|>>|<[^>]*>?|[[\]{}]|\/[^\s/<>[\]()%{}]*|[^\s/<>[\]()%{}]+|[\s\S]/y;

/** Tokens of a dictionary's text: names decoded, strings and comments reduced or dropped. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '(') {
      i = skipString(s, i);
      out.push('(string)');
      continue;
    }
    TOKEN.lastIndex = i;
    const t = TOKEN.exec(s)![0];
    i = TOKEN.lastIndex;
    if (/^\s/.test(t) || t.startsWith('%')) continue;
    if (t.startsWith('<') && t !== '<<') out.push('(string)');
    else out.push(t.startsWith('/') ? `/${decodeName(t.slice(1))}` : t);
  }
  return out;
}

/** One value; an indirect reference becomes 'R'. Throws on anything malformed or ambiguous. */
function parseValue(t: string[], pos: { i: number }): PdfValue {
  const tok = t[pos.i++];
  if (tok === undefined) throw new Error('unexpected end');
  if (tok === '<<') {
    const dict = new Map<string, PdfValue>();
    while (t[pos.i] !== '>>') {
      const key = t[pos.i++];
      if (!key?.startsWith('/') || dict.has(key)) throw new Error('bad key');
      dict.set(key, parseValue(t, pos));
    }
    pos.i++;
    return dict;
  }
  if (tok === '[') {
    const list: PdfValue[] = [];
    while (t[pos.i] !== ']') {
      if (t[pos.i] === undefined) throw new Error('unexpected end');
      list.push(parseValue(t, pos));
    }
    pos.i++;
    return list;
  }
  if (/^\d+$/.test(tok) && /^\d+$/.test(t[pos.i] ?? '') && t[pos.i + 1] === 'R') {
    pos.i += 2;
    return 'R';
  }
  return /^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(tok) ? Number(tok) : tok;
}

interface StreamSpan {
  dict: string;
  start: number;
  end: number;
}

function directLength(dictText: string): number | null {
  try {
    const dict = parseValue(tokenize(dictText), { i: 0 });
    const length = dict instanceof Map ? dict.get('/Length') : undefined;
    return typeof length === 'number' && Number.isInteger(length) && length >= 0 ? length : null;
  } catch {
    return null;
  }
}

/**
 * Finds every stream's dictionary and data by reading the file in order, as a
 * reader does: a "stream" inside a string or a comment is not one. Null when
 * a stream has no end.
 */
function findStreams(s: string): StreamSpan[] | null {
  const spans: StreamSpan[] = [];
  const opens: number[] = [];
  let dict: [number, number] | null = null; // the last complete top-level dictionary
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      i = skipComment(s, i);
    } else if (c === 0x28) {
      i = skipString(s, i);
    } else if (c === 0x3c) {
      if (s.charCodeAt(i + 1) === 0x3c) {
        opens.push(i);
        i += 2;
      } else {
        const close = s.indexOf('>', i + 1);
        i = close < 0 ? s.length : close + 1;
      }
    } else if (c === 0x3e && s.charCodeAt(i + 1) === 0x3e) {
      const open = opens.pop();
      if (open !== undefined && opens.length === 0) dict = [open, i + 2];
      i += 2;
    } else if (
      c === 0x73 &&
      dict &&
      s.startsWith('stream', i) &&
      i - dict[1] <= 64 &&
      /^\s*$/.test(s.slice(dict[1], i)) &&
      /\s/.test(s[i + 6] ?? '')
    ) {
      const dictText = s.slice(dict[0], dict[1]);
      dict = null;
      // The data starts on the line after the keyword.
      let start = skipComment(s, i + 6);
      if (s[start] === '\r') start++;
      if (s[start] === '\n') start++;
      const length = directLength(dictText);
      let end: number;
      if (length !== null && /^\s*endstream/.test(s.slice(start + length, start + length + 64))) {
        end = start + length;
      } else {
        const keyword = s.indexOf('endstream', start);
        if (keyword < 0) return null;
        end = keyword;
        if (end > start && s[end - 1] === '\n') end--;
        if (end > start && s[end - 1] === '\r') end--;
      }
      spans.push({ dict: dictText, start, end });
      i = s.indexOf('endstream', end) + 'endstream'.length;
    } else {
      i++;
    }
  }
  return spans;
}

// ---------------------------------------------------------------- PDF streams

const FLATE = new Set(['/FlateDecode', '/Fl']);
// Codecs that only ever carry pixels.
const IMAGE_CODECS = new Set(['/DCTDecode', '/DCT', '/JPXDecode', '/JBIG2Decode', '/CCITTFaxDecode', '/CCF']);
// Streams a reader takes as pixels, font programs, colour profiles, sampled
// functions, shading meshes or cross-reference tables: binary data, never PDF
// objects, and so not worth decompressing (their bytes would only give false alarms).
const DATA_SUBTYPES = new Set(['/Image', '/Type1C', '/CIDFontType0C', '/OpenType']);
const DATA_KEYS = ['/Length1', '/Length2', '/Length3', '/Width', '/N', '/ShadingType', '/FunctionType'];

type Plan = { skip: true } | { reason: string } | { filters: Array<Map<string, PdfValue> | null> };

function planFor(dictText: string): Plan {
  let dict: PdfValue;
  try {
    dict = parseValue(tokenize(dictText), { i: 0 });
  } catch {
    return { reason: 'its description cannot be read' };
  }
  if (!(dict instanceof Map)) return { reason: 'its description cannot be read' };
  // A reader reads objects from any stream with /N and /First, whatever else it says.
  const objectStream = dict.get('/Type') === '/ObjStm' || dict.has('/First');
  // Readers also take the short names /F and /DP.
  if (dict.has('/Filter') && dict.has('/F')) return { reason: 'it names two filters' };
  const filter = dict.get('/Filter') ?? dict.get('/F');
  const isName = (v: PdfValue | undefined): v is string => typeof v === 'string' && v.startsWith('/');
  const names =
    filter === undefined
      ? []
      : isName(filter)
        ? [filter]
        : Array.isArray(filter) && filter.every(isName)
          ? filter
          : null;
  if (!objectStream) {
    const binary =
      dict.get('/Type') === '/XRef' ||
      DATA_SUBTYPES.has(dict.get('/Subtype') as string) ||
      DATA_KEYS.some((k) => dict.has(k));
    if (binary || names?.some((n) => IMAGE_CODECS.has(n))) return { skip: true };
  }
  if (!names) return { reason: 'its filter cannot be read' };
  if (names.length > PDF_LIMITS.filtersPerStream) return { reason: 'it chains too many filters' };
  const unknown = names.find((n) => !FLATE.has(n));
  if (unknown) return { reason: `it uses ${unknown.slice(1)}, which cannot be decoded here` };
  const parms = dict.get('/DecodeParms') ?? dict.get('/DP');
  if (names.length > 1 && parms !== undefined && !Array.isArray(parms))
    return { reason: 'its decoding parameters cannot be read' };
  const parmsAt = (k: number) => (Array.isArray(parms) ? parms[k] : k === 0 ? parms : undefined);
  const filters: Array<Map<string, PdfValue> | null> = [];
  for (let k = 0; k < names.length; k++) {
    const p = parmsAt(k);
    if (p !== undefined && p !== 'null' && !(p instanceof Map))
      return { reason: 'its decoding parameters cannot be read' };
    filters.push(p instanceof Map ? p : null);
  }
  return { filters };
}

/** Undoes a PNG predictor (PDF Predictor 10–15). A string is the reason it cannot. */
function unpredict(data: Buffer, parms: Map<string, PdfValue> | null): Buffer | string {
  const get = (key: string, fallback: number) => parms?.get(key) ?? fallback;
  const predictor = get('/Predictor', 1);
  if (predictor === 1) return data;
  const colors = get('/Colors', 1);
  const bits = get('/BitsPerComponent', 8);
  const columns = get('/Columns', 1);
  const ok = (v: PdfValue, max: number): v is number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
  if (
    typeof predictor !== 'number' ||
    predictor < 10 ||
    predictor > 15 ||
    !ok(colors, 32) ||
    !ok(bits, 16) ||
    !ok(columns, 1 << 24)
  ) {
    return 'it uses a predictor that cannot be decoded here';
  }
  const rowLength = Math.ceil((colors * bits * columns) / 8);
  const bpp = Math.max(1, Math.ceil((colors * bits) / 8));
  const rows: Buffer[] = [];
  let prev = Buffer.alloc(Math.min(rowLength, data.length));
  for (let o = 0; o < data.length; o += rowLength + 1) {
    const type = data[o]!;
    const raw = data.subarray(o + 1, o + 1 + rowLength);
    const row = Buffer.alloc(raw.length);
    for (let x = 0; x < raw.length; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const b = prev[x] ?? 0;
      const c = x >= bpp ? (prev[x - bpp] ?? 0) : 0;
      let add: number;
      if (type === 0) add = 0;
      else if (type === 1) add = a;
      else if (type === 2) add = b;
      else if (type === 3) add = (a + b) >> 1;
      else if (type === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else return 'it does not decompress';
      row[x] = (raw[x]! + add) & 0xff;
    }
    rows.push(row);
    prev = row;
  }
  return Buffer.concat(rows);
}

/** Applies a chain of FlateDecode filters within the budget. A string is the reason it cannot. */
async function decode(
  data: Buffer,
  filters: Array<Map<string, PdfValue> | null>,
  budget: { bytes: number },
): Promise<Buffer | string> {
  const tooLarge = `it decompresses to more than ${PDF_LIMITS.inflatedBytes / 1024 / 1024} MB`;
  let out = data;
  for (const parms of filters) {
    try {
      // A truncated stream gives what it holds, as readers show it. Small inputs
      // (at most ~16 MB out) are quicker inline; larger ones go to the thread pool.
      const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: budget.bytes + 1 };
      out = out.length <= 16 * 1024 ? inflateSync(out, options) : await inflateAsync(out, options);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge : 'it does not decompress';
    }
    if (out.length > budget.bytes) return tooLarge;
    budget.bytes -= out.length;
    const plain = unpredict(out, parms);
    if (typeof plain === 'string') return plain;
    out = plain;
  }
  return out;
}

async function pdfProblem(buffer: Buffer): Promise<string | null> {
  const text = buffer.toString('latin1');
  const spans = findStreams(text);
  if (!spans) return 'The PDF file is damaged (a stream has no end).';
  if (spans.length > PDF_LIMITS.streams) return TOO_MANY_STREAMS_MESSAGE;
  // Outside stream data everything is PDF syntax, judged as it is.
  const parts: string[] = [];
  let at = 0;
  for (const span of spans) {
    parts.push(text.slice(at, span.start));
    at = span.end;
  }
  parts.push(text.slice(at));
  const outside = parts.join(' ');
  const problem = pdfSyntaxProblem(outside);
  if (problem) return problem;
  // Encrypted streams and strings cannot be read without the key.
  if (findName(outside, PDF_ENCRYPTED)) return ENCRYPTED_MESSAGE;

  const budget = { bytes: PDF_LIMITS.inflatedBytes };
  for (const span of spans) {
    const plan = planFor(span.dict);
    if ('skip' in plan) continue;
    if ('reason' in plan) return uncheckableMessage(plan.reason);
    const raw = buffer.subarray(span.start, span.end);
    const data = plan.filters.length ? await decode(raw, plan.filters, budget) : raw;
    if (typeof data === 'string') return uncheckableMessage(data);
    const found = decodedProblem(data);
    if (found) return found;
  }
  return null;
}

/** Web page code in any file, and for a PDF also active content, in its streams too. */
export async function hiddenContentProblem(
  buffer: Buffer,
  kind: 'image' | 'pdf',
  label: string,
): Promise<string | null> {
  if (kind === 'pdf') return pdfProblem(buffer);
  return HIDDEN_MARKUP.test(buffer.toString('latin1')) ? markupMessage(label) : null;
}

// ---------------------------------------------------------------- image size

interface Size {
  width: number;
  height: number;
}

function pngSize(b: Buffer): Size | null {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Marker segments up to the first frame header (any SOF, also progressive, lossless or arithmetic). */
function jpegSize(b: Buffer): Size | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i++; // stray bytes between segments, skipped as decoders do
      continue;
    }
    const code = b[i + 1]!;
    if (code === 0xff) {
      i++; // fill byte
    } else if ((code >= 0xd0 && code <= 0xd8) || code === 0x01) {
      i += 2; // markers without a length
    } else if (code === 0xd9 || code === 0xda) {
      return null; // image data before any frame header
    } else if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
      return i + 9 <= b.length ? { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) } : null;
    } else {
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return null;
}

/** The logical screen, grown to any frame that reaches past it (browsers grow it too). */
function gifSize(b: Buffer): Size | null {
  if (b.length < 13) return null;
  let width = b.readUInt16LE(6);
  let height = b.readUInt16LE(8);
  let i = 13;
  if (b[10]! & 0x80) i += 3 << ((b[10]! & 7) + 1);
  const skipSubBlocks = () => {
    while (i < b.length && b[i] !== 0) i += b[i]! + 1;
    i++;
  };
  while (i < b.length) {
    const kind = b[i];
    if (kind === 0x3b) return { width, height };
    if (kind === 0x21) {
      i += 2;
      skipSubBlocks();
    } else if (kind === 0x2c && i + 10 <= b.length) {
      width = Math.max(width, b.readUInt16LE(i + 1) + b.readUInt16LE(i + 5));
      height = Math.max(height, b.readUInt16LE(i + 3) + b.readUInt16LE(i + 7));
      const flags = b[i + 9]!;
      i += 10;
      if (flags & 0x80) i += 3 << ((flags & 7) + 1);
      i++; // LZW minimum code size
      skipSubBlocks();
    } else {
      return null;
    }
  }
  return null;
}

function webpSize(b: Buffer): Size | null {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X' && b.length >= 30) {
    return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  return null;
}

const SIZE_READERS: Record<string, (b: Buffer) => Size | null> = {
  'image/png': pngSize,
  'image/jpeg': jpegSize,
  'image/gif': gifSize,
  'image/webp': webpSize,
};

/** Refuses an image whose declared width × height is over the limit, or cannot be read. */
export function imageSizeProblem(buffer: Buffer, mime: string, label: string, maxMegapixels: number): string | null {
  const size = SIZE_READERS[mime]?.(buffer);
  if (!size || size.width === 0 || size.height === 0)
    return `The ${label} file is damaged (its size in pixels cannot be read).`;
  if (size.width * size.height > maxMegapixels * 1_000_000) {
    return `The image is too large: ${size.width} × ${size.height} pixels; the most is ${maxMegapixels} megapixel${maxMegapixels === 1 ? '' : 's'}. Make it smaller and upload it again.`;
  }
  return null;
}
