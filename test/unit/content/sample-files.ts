// Small real files of each accepted format, and the hostile ones, built in
// code so the tests need no binary fixtures.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG of width × height pixels (RGB); `extra` bytes of noise make it larger. */
export function png(width = 2, height = 2, noiseBytes = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x7f);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
  const chunks = [pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw))];
  if (noiseBytes > 0) {
    // A private ancillary chunk of incompressible-looking bytes (no markup in it).
    const noise = Buffer.alloc(noiseBytes);
    for (let i = 0; i < noiseBytes; i++) noise[i] = ((i * 7919 + (i >> 8)) & 0x7f) | 0x80;
    chunks.push(pngChunk('prVt', noise));
  }
  chunks.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

export const gif = (): Buffer => Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function jpeg(): Buffer {
  return Buffer.from(
    'ffd8ffe000104a46494600010101004800480000ffdb004300030202020202030202020303030304060404040404080606050609080a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9',
    'hex',
  );
}

export function webp(): Buffer {
  const data = Buffer.from('2f0000001007101111888888fe07', 'hex').subarray(0, 13);
  const chunk = Buffer.concat([Buffer.from('VP8L'), Buffer.from([data.length, 0, 0, 0]), data, Buffer.from([0])]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from('RIFF'), size, Buffer.from('WEBP'), chunk]);
}

/** A one-page PDF; `extraDict` adds entries to the catalog. */
export function pdf(text = 'Maths Society newsletter', extraDict = ''): Buffer {
  const stream = `BT /F1 24 Tf 40 700 Td (${text}) Tj ET`;
  return Buffer.from(
    [
      '%PDF-1.4',
      `1 0 obj <</Type/Catalog/Pages 2 0 R${extraDict}>> endobj`,
      '2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj',
      '3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>> endobj',
      `4 0 obj <</Length ${stream.length}>> stream`,
      stream,
      'endstream endobj',
      '5 0 obj <</Type/Font/Subtype/Type1/BaseFont/Helvetica>> endobj',
      'trailer <</Root 1 0 R>>',
      '%%EOF',
      '',
    ].join('\n'),
    'latin1',
  );
}

export const svg = (): Buffer =>
  Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>',
  );

/** Hostile files whose first bytes are a real image or PDF magic number. */
export const polyglots = {
  gifScript: (): Buffer =>
    Buffer.concat([gif().subarray(0, -1), Buffer.from('<script>alert(1)</script>'), Buffer.from([0x3b])]),
  pngHtml: (): Buffer => {
    const p = png();
    return Buffer.concat([
      p.subarray(0, 33),
      pngChunk('tEXt', Buffer.from('c\0<html><body><img src=x onerror=alert(1)>')),
      p.subarray(33),
    ]);
  },
  pngZip: (): Buffer => Buffer.concat([png(), Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000evil.jar payload')]),
  jpegHtml: (): Buffer =>
    Buffer.concat([jpeg().subarray(0, -2), Buffer.from('<svg onload=alert(1)>'), Buffer.from([0xff, 0xd9])]),
  pdfJavaScript: (): Buffer => pdf('x', '/OpenAction<</S/JavaScript/JS(app.alert(1))>>'),
  pdfHiddenName: (): Buffer => pdf('x', '/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>'),
  pdfLaunch: (): Buffer => pdf('x', '/OpenAction<</S/Launch/F(cmd.exe)>>'),
  pdfHtmlTail: (): Buffer => Buffer.concat([pdf(), Buffer.from('<html><script>alert(1)</script></html>\n%%EOF\n')]),
};
