// What the upload check finds past a file's first bytes: active content in a
// PDF's compressed streams (and what it cannot inspect), and images whose
// declared size in pixels would take too much memory to show.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { inspectUpload, type UploadSettings } from '../../../src/domain/content/uploads.js';
import { jpeg, pdf, png } from './sample-files.js';
import {
  extraStream,
  gifDeclaring,
  jpegDeclaring,
  objectStreamPdf,
  pngDeclaring,
  pngUpPredicted,
  webpDeclaring,
} from './sample-inspection-files.js';

const settings: UploadSettings = { dir: '/nonexistent', maxMb: 20, maxImageMegapixels: 40 };
const ACTIVE_JS = /The PDF contains active content \(\/JavaScript\), which is not accepted/;
const UNCHECKABLE = /The PDF has a compressed part that cannot be checked/;
const OPEN_ACTION = '/OpenAction<</S/JavaScript/JS(app.alert(1))>>';

describe('PDF compressed streams', () => {
  it('accepts an ordinary PDF 1.5: compressed content, an object stream, a JPEG image, a cross-reference stream', async () => {
    await expect(inspectUpload(objectStreamPdf(), ['pdf'], settings)).resolves.toMatchObject({ ext: 'pdf' });
  });

  it('accepts compressed image and font data whose bytes happen to spell a refused name', async () => {
    const pixels = Buffer.from('\x00\x01/JS /Launch\x02\x03'.repeat(64), 'latin1');
    const file = objectStreamPdf({
      extra: [
        extraStream(
          8,
          '/Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
          deflateSync(pixels),
        ),
        extraStream(9, `/Length1 ${pixels.length} /Filter /FlateDecode`, deflateSync(pixels)),
      ],
    });
    await expect(inspectUpload(file, ['pdf'], settings)).resolves.toMatchObject({ ext: 'pdf' });
  });

  it('refuses /JavaScript hidden in a compressed object stream', async () => {
    const file = objectStreamPdf({ catalogExtra: OPEN_ACTION });
    expect(file.includes('JavaScript')).toBe(false);
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(ACTIVE_JS);
  });

  it.each([
    ['a #xx-escaped name', '/OpenAction<</S/J#61vaScript/JS(app.alert(1))>>', /active content \(\/JavaScript\)/],
    ['a program launch', '/OpenAction<</S/Launch/F(cmd.exe)>>', /active content \(\/Launch\)/],
    ['an embedded file', '/Names<</EmbeddedFiles<</Names[(a.exe) 9 0 R]>>>>', /active content \(\/EmbeddedFiles\)/],
    ['a javascript: link', '/OpenAction<</S/URI/URI(javascript:alert(1))>>', /web page code/],
  ])('refuses %s hidden in a compressed object stream', async (_label, extra, message) => {
    await expect(inspectUpload(objectStreamPdf({ catalogExtra: extra }), ['pdf'], settings)).rejects.toThrow(message);
  });

  it('refuses /JavaScript in an object stream behind a PNG predictor or two FlateDecode filters', async () => {
    const predicted = objectStreamPdf({
      catalogExtra: OPEN_ACTION,
      objStm: {
        dict: '/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 16 >>',
        encode: (b) => deflateSync(pngUpPredicted(b, 16)),
      },
    });
    await expect(inspectUpload(predicted, ['pdf'], settings)).rejects.toThrow(ACTIVE_JS);
    const twice = objectStreamPdf({
      catalogExtra: OPEN_ACTION,
      objStm: { dict: '/Filter [/FlateDecode /FlateDecode]', encode: (b) => deflateSync(deflateSync(b)) },
    });
    await expect(inspectUpload(twice, ['pdf'], settings)).rejects.toThrow(ACTIVE_JS);
  });

  it('refuses an object stream dressed as an image (a reader only needs /N and /First)', async () => {
    const file = objectStreamPdf({
      catalogExtra: OPEN_ACTION,
      objStm: { dict: '/Subtype /Image /Width 1 /Height 1 /Filter /FlateDecode', encode: (b) => deflateSync(b) },
    });
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(ACTIVE_JS);
  });

  it('refuses a compressed stream that does not decompress', async () => {
    const file = objectStreamPdf({
      content: { dict: '/Filter /FlateDecode', data: Buffer.from('this is not deflate data at all') },
    });
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(UNCHECKABLE);
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(/does not decompress/);
  });

  it.each([
    ['an object stream', { objStm: { dict: '/Filter /LZWDecode', encode: (b: Buffer) => b } }],
    ['a content stream', { content: { dict: '/Filter /ASCII85Decode', data: Buffer.from('87cURD]i,"Ebo80~>') } }],
    ['a content stream with an indirect filter', { content: { dict: '/Filter 12 0 R', data: Buffer.from('x') } }],
  ])('refuses %s with a filter it cannot decode', async (_label, parts) => {
    await expect(inspectUpload(objectStreamPdf(parts), ['pdf'], settings)).rejects.toThrow(UNCHECKABLE);
  });

  it('refuses a stream that decompresses to more than the bound (a zip bomb)', async () => {
    const bomb = deflateSync(Buffer.alloc(129 * 1024 * 1024, 0x20));
    const file = objectStreamPdf({ content: { dict: '/Filter /FlateDecode', data: bomb } });
    expect(file.length).toBeLessThan(1024 * 1024);
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(/decompresses to more than 128 MB/);
  });

  it('refuses more streams than it will look at, and a longer chain of filters than a writer makes', async () => {
    const small = deflateSync(Buffer.from('q Q'));
    const extra = Array.from({ length: 20_000 }, (_, i) => extraStream(8 + i, '/Filter /FlateDecode', small));
    await expect(inspectUpload(objectStreamPdf({ extra }), ['pdf'], settings)).rejects.toThrow(
      'The PDF has too many parts to check (more than 20000 streams)',
    );
    let data = Buffer.from('q Q');
    for (let k = 0; k < 5; k++) data = deflateSync(data);
    const chained = objectStreamPdf({ content: { dict: `/Filter [${'/FlateDecode '.repeat(5)}]`, data } });
    await expect(inspectUpload(chained, ['pdf'], settings)).rejects.toThrow(
      /cannot be checked \(it chains too many filters\)/,
    );
  });

  it('refuses an encrypted PDF, whose streams and strings cannot be read', async () => {
    const file = objectStreamPdf({
      extra: ['<</Filter/Standard/V 2/R 3/O(x)/U(y)/P -4>>'],
      trailerExtra: ' /Encrypt 8 0 R',
    });
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(/The PDF is encrypted/);
  });

  it('does not take a "stream" keyword inside a string for the start of stream data', async () => {
    const file = pdf('x', `/Title (>> stream\n) ${OPEN_ACTION} /Subject (\nendstream)`);
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(ACTIVE_JS);
  });

  it('refuses a stream with no end', async () => {
    const file = Buffer.from('%PDF-1.4\n1 0 obj <</Length 999>> stream\nBT ET\n%%EOF\n', 'latin1');
    await expect(inspectUpload(file, ['pdf'], settings)).rejects.toThrow(/damaged/);
  });
});

describe('image size in pixels', () => {
  it('refuses a 100-byte PNG declaring 60,000 × 60,000 pixels', async () => {
    const bomb = pngDeclaring(60000, 60000);
    expect(bomb.length).toBeLessThanOrEqual(100);
    await expect(inspectUpload(bomb, ['image'], settings)).rejects.toThrow(
      'The image is too large: 60000 × 60000 pixels; the most is 40 megapixels.',
    );
  });

  it.each([
    ['JPEG', jpegDeclaring(60000, 60000), '60000 × 60000'],
    ['GIF', gifDeclaring([60000, 60000]), '60000 × 60000'],
    ['GIF whose first frame is larger than its screen', gifDeclaring([1, 1], [10000, 10000]), '10000 × 10000'],
    ['WebP', webpDeclaring(16384, 16384), '16384 × 16384'],
  ])('refuses a %s declaring too many pixels', async (_label, data, size) => {
    await expect(inspectUpload(data, ['image'], settings)).rejects.toThrow(`The image is too large: ${size} pixels`);
  });

  it('accepts ordinary small images and one exactly at the limit', async () => {
    await expect(inspectUpload(png(), ['image'], settings)).resolves.toMatchObject({ ext: 'png' });
    await expect(inspectUpload(jpeg(), ['image'], settings)).resolves.toMatchObject({ ext: 'jpg' });
    await expect(inspectUpload(jpegDeclaring(640, 480), ['image'], settings)).resolves.toMatchObject({ ext: 'jpg' });
    await expect(inspectUpload(gifDeclaring([320, 200]), ['image'], settings)).resolves.toMatchObject({ ext: 'gif' });
    await expect(inspectUpload(webpDeclaring(800, 600), ['image'], settings)).resolves.toMatchObject({ ext: 'webp' });
    await expect(inspectUpload(pngDeclaring(8000, 5000), ['image'], settings)).resolves.toMatchObject({ ext: 'png' });
    await expect(inspectUpload(pngDeclaring(8000, 5001), ['image'], settings)).rejects.toThrow(
      /the most is 40 megapixels/,
    );
  });

  it('honours the configured limit', async () => {
    const one = { ...settings, maxImageMegapixels: 1 };
    await expect(inspectUpload(pngDeclaring(1000, 1000), ['image'], one)).resolves.toMatchObject({ ext: 'png' });
    await expect(inspectUpload(pngDeclaring(1001, 1000), ['image'], one)).rejects.toThrow(
      'The image is too large: 1001 × 1000 pixels; the most is 1 megapixel.',
    );
  });

  it('refuses an image whose size cannot be read', async () => {
    // A JPEG whose scan starts before any frame header gave its size.
    const noFrame = Buffer.from('ffd8ffe000104a46494600010101004800480000ffda000801010000003f0000ffd9', 'hex');
    await expect(inspectUpload(noFrame, ['image'], settings)).rejects.toThrow(/size in pixels cannot be read/);
  });
});

describe('MAX_IMAGE_MEGAPIXELS', () => {
  it('defaults to 40 in every profile and takes a whole number', () => {
    for (const profile of ['development', 'testing']) {
      expect(loadConfig({ APP_ENV: profile }).uploads.maxImageMegapixels).toBe(40);
    }
    expect(loadConfig({ APP_ENV: 'production', SECRET_KEY: 'x'.repeat(32) }).uploads.maxImageMegapixels).toBe(40);
    expect(loadConfig({ APP_ENV: 'testing', MAX_IMAGE_MEGAPIXELS: '12' }).uploads.maxImageMegapixels).toBe(12);
    for (const bad of ['0', '2.5', 'lots']) {
      expect(() => loadConfig({ APP_ENV: 'testing', MAX_IMAGE_MEGAPIXELS: bad })).toThrow(ConfigError);
    }
  });
});
