// Files for the checks that look past an upload's first bytes: PDFs whose
// objects sit in compressed object streams (as PDF 1.5 writers make them), and
// images whose headers declare their size in pixels. Built in code, with a
// real cross-reference stream, so a PDF reader would open them.
import { crc32, deflateSync } from 'node:zlib';
import { jpeg } from './sample-files.js';

export interface PdfStreamObject {
  /** Stream dictionary entries other than /Length. */
  dict: string;
  data: Buffer;
}

export interface PdfParts {
  /** Entries added to the catalog (kept in the object stream). */
  catalogExtra?: string;
  /** How the object stream is stored: its dictionary entries besides /N, /First and /Length, and its bytes. */
  objStm?: { dict: string; encode: (plain: Buffer) => Buffer };
  /** The page's content stream. */
  content?: PdfStreamObject;
  /** Further indirect objects written as they are (numbered from 8 on). */
  extra?: Array<string | Buffer>;
  /** Trailer entries added to the cross-reference stream's dictionary. */
  trailerExtra?: string;
}

const flate: PdfParts['objStm'] = { dict: '/Filter /FlateDecode', encode: (b) => deflateSync(b) };

function streamObject(num: number, dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${num} 0 obj\n<<${dict} /Length ${data.length}>>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
}

/**
 * A one-page PDF 1.5: catalog, page tree and page inside a compressed object
 * stream (object 6), the page's content stream (4), a font (5), an image (7)
 * and a cross-reference stream.
 */
export function objectStreamPdf(parts: PdfParts = {}): Buffer {
  const members = [
    `<</Type/Catalog/Pages 2 0 R${parts.catalogExtra ?? ''}>>`,
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>/XObject<</Im1 7 0 R>>>>>>',
  ];
  let header = '';
  let body = '';
  members.forEach((m, i) => {
    header += `${i + 1} ${body.length} `;
    body += `${m}\n`;
  });
  const plain = Buffer.from(header + body, 'latin1');
  const objStm = parts.objStm ?? flate!;
  const text = 'BT /F1 24 Tf 40 700 Td (Maths Society newsletter) Tj ET q 100 0 0 100 40 500 cm /Im1 Do Q';
  const content = parts.content ?? { dict: '/Filter /FlateDecode', data: deflateSync(Buffer.from(text, 'latin1')) };

  const chunks: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: Record<number, number> = {};
  let at = chunks[0]!.length;
  const put = (num: number, bytes: Buffer) => {
    offsets[num] = at;
    chunks.push(bytes);
    at += bytes.length;
  };
  put(4, streamObject(4, content.dict, content.data));
  put(5, Buffer.from('5 0 obj\n<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>\nendobj\n', 'latin1'));
  put(
    6,
    streamObject(6, `/Type /ObjStm /N ${members.length} /First ${header.length} ${objStm.dict}`, objStm.encode(plain)),
  );
  put(
    7,
    streamObject(
      7,
      '/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode',
      jpeg(),
    ),
  );
  const extra = parts.extra ?? [];
  extra.forEach((e, i) => {
    const num = 8 + i;
    put(num, typeof e === 'string' ? Buffer.from(`${num} 0 obj\n${e}\nendobj\n`, 'latin1') : e);
  });

  // Cross-reference stream: W [1 4 2]; objects 1–3 live in object stream 6.
  const size = 9 + extra.length;
  const xrefNum = size - 1;
  offsets[xrefNum] = at;
  const rows: Buffer[] = [];
  const row = (type: number, a: number, b: number) => {
    const r = Buffer.alloc(7);
    r[0] = type;
    r.writeUInt32BE(a, 1);
    r.writeUInt16BE(b, 5);
    rows.push(r);
  };
  row(0, 0, 65535);
  for (let n = 1; n <= 3; n++) row(2, 6, n - 1);
  for (let n = 4; n < size; n++) row(1, offsets[n]!, 0);
  const xref = deflateSync(Buffer.concat(rows));
  chunks.push(
    streamObject(
      xrefNum,
      `/Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R${parts.trailerExtra ?? ''} /Filter /FlateDecode`,
      xref,
    ),
  );
  chunks.push(Buffer.from(`startxref\n${at}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** A stream object numbered from 8 on, for `extra`. */
export function extraStream(num: number, dict: string, data: Buffer): Buffer {
  return streamObject(num, dict, data);
}

/** PNG predictor 12 ("Up" on every row), as some writers store cross-reference and object streams. */
export function pngUpPredicted(plain: Buffer, columns: number): Buffer {
  const out: number[] = [];
  for (let o = 0; o < plain.length; o += columns) {
    out.push(2);
    for (let x = 0; x < columns; x++) {
      const cur = plain[o + x] ?? 0;
      const up = o >= columns ? plain[o - columns + x]! : 0;
      out.push((cur - up) & 0xff);
    }
  }
  return Buffer.from(out);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG of a few dozen bytes whose header declares width × height pixels. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline JPEG header (SOF0) declaring width × height, with an empty scan. */
export function jpegDeclaring(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  const app0 = Buffer.from('ffe000104a46494600010101004800480000', 'hex');
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, sos, Buffer.from([0x00, 0xff, 0xd9])]);
}

/** A one-frame GIF: logical screen and frame sizes given separately. */
export function gifDeclaring(screen: [number, number], frame: [number, number] = screen): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(screen[0], 6);
  head.writeUInt16LE(screen[1], 8);
  head[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(frame[0], 5);
  descriptor.writeUInt16LE(frame[1], 7);
  const image = Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00]);
  return Buffer.concat([head, palette, descriptor, image, Buffer.from([0x3b])]);
}

/** An extended WebP (VP8X) whose canvas is width × height. */
export function webpDeclaring(width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const lossless = Buffer.from('VP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00\x00', 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + vp8x.length + lossless.length);
  return Buffer.concat([Buffer.from('RIFF'), size, Buffer.from('WEBP'), vp8x, lossless]);
}
