// The control-character check: which characters each kind of text may hold,
// and how parsed queries, parameters and bodies (urlencoded, JSON, multipart)
// are walked.
import { describe, expect, it } from 'vitest';
import { findControlCharacters, hasControlCharacters } from '../../../src/security/input-hygiene.js';

const C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i));
const LINE_BREAKS = ['\t', '\n', '\r'];

describe('hasControlCharacters', () => {
  it.each(C0.map((c) => [c.charCodeAt(0), c] as const))('a single value refuses U+%s', (_code, c) => {
    expect(hasControlCharacters(`a${c}b`, 'line')).toBe(true);
  });

  it.each(C0.filter((c) => !LINE_BREAKS.includes(c)).map((c) => [c.charCodeAt(0), c] as const))(
    'body text refuses U+%s',
    (_code, c) => {
      expect(hasControlCharacters(`a${c}b`, 'text')).toBe(true);
    },
  );

  it('DEL is refused in both', () => {
    expect(hasControlCharacters('a\u007fb', 'line')).toBe(true);
    expect(hasControlCharacters('a\u007fb', 'text')).toBe(true);
  });

  it('body text may hold tab, CR and LF; a single value may not', () => {
    for (const c of LINE_BREAKS) {
      expect(hasControlCharacters(`line one${c}line two`, 'text')).toBe(false);
      expect(hasControlCharacters(`x${c}`, 'line')).toBe(true);
    }
  });

  it('ordinary text, other scripts, math and emoji pass', () => {
    for (const s of [
      '',
      'Ada Lovelace',
      'Zoë Brontë-O’Neil',
      'x² + √2 ≤ π',
      '日本語',
      '🙂',
      'a b',
      '<p>x &amp; y</p>',
      '\u00a0\u2028',
    ]) {
      expect(hasControlCharacters(s, 'line')).toBe(false);
    }
  });

  it('C1 controls, lone surrogates and noncharacters pass: PostgreSQL stores them', () => {
    for (const s of ['a\u0085b', 'a\u009fb', 'a\ud800b', 'a\udfff', 'a\ufffeb', 'a\uffffb', 'a\ufdd0b']) {
      expect(hasControlCharacters(s, 'line')).toBe(false);
    }
  });
});

describe('findControlCharacters', () => {
  it('finds a value in a query or parameter set, with its name', () => {
    expect(findControlCharacters({ q: 'ok', page: '2' }, 'query', 'line')).toBeNull();
    expect(findControlCharacters({ q: 'a\u0000' }, 'query', 'line')).toEqual({ where: 'query.q' });
    expect(findControlCharacters({ q: 'a\tb' }, 'query', 'line')).toEqual({ where: 'query.q' });
    expect(findControlCharacters({ id: '\u0000' }, 'params', 'line')).toEqual({ where: 'params.id' });
  });

  it('looks at every value of a repeated query name', () => {
    expect(findControlCharacters({ ks: ['KS3', 'KS4\u0000'] }, 'query', 'line')).toEqual({ where: 'query.ks' });
  });

  it('refuses a control character in a name, and logs it printable', () => {
    expect(findControlCharacters({ 'a\u0000b': 'x' }, 'body', 'text')).toEqual({ where: 'body.a?b' });
    expect(findControlCharacters({ 'a\nb': 'x' }, 'body', 'text')).toEqual({ where: 'body.a?b' });
  });

  it('body text allows line breaks and refuses the rest', () => {
    expect(findControlCharacters({ content: 'one\r\ntwo\tthree' }, 'body', 'text')).toBeNull();
    expect(findControlCharacters({ content: 'one\u0007two' }, 'body', 'text')).toEqual({ where: 'body.content' });
  });

  it('walks nested JSON: objects, arrays, and ignores numbers, booleans and null', () => {
    const body = {
      action: 'promote',
      ids: [1, 2, 3],
      options: { keep: true, note: null, tags: ['a', { deep: 'b\u0000' }] },
    };
    expect(findControlCharacters(body, 'body', 'text')).toEqual({ where: 'body.options.tags.deep' });
    expect(findControlCharacters({ ...body, options: {} }, 'body', 'text')).toBeNull();
  });

  it('a top-level string body (text/plain) is text', () => {
    expect(findControlCharacters('hello\n', 'body', 'text')).toBeNull();
    expect(findControlCharacters('hello\u0000', 'body', 'text')).toEqual({ where: 'body' });
  });

  it('a body nested 100,000 deep does not exhaust the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"x\\u0000"${']'.repeat(100_000)}`) as unknown;
    expect(findControlCharacters(deep, 'body', 'text')).toEqual({ where: 'body' });
  });

  it('buffers (file bytes) are not text', () => {
    expect(findControlCharacters({ file: Buffer.from([0, 1, 2, 0x7f]) }, 'body', 'text')).toBeNull();
    expect(findControlCharacters({ file: new Uint8Array([0]) }, 'body', 'text')).toBeNull();
  });

  it('nothing at all (no query, no body) passes', () => {
    for (const v of [undefined, null, {}, []]) expect(findControlCharacters(v, 'body', 'text')).toBeNull();
  });

  describe('multipart bodies (@fastify/multipart parts)', () => {
    function multipartBody(fields: Record<string, string>, file: { name: string; filename: string; bytes: Buffer }) {
      const body: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(fields)) {
        body[name] = { type: 'field', fieldname: name, mimetype: 'text/plain', encoding: '7bit', value, fields: body };
      }
      body[file.name] = {
        type: 'file',
        fieldname: file.name,
        filename: file.filename,
        mimetype: 'image/png',
        encoding: '7bit',
        _buf: file.bytes,
        fields: body,
      };
      return body;
    }
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

    it('checks text fields as body text and skips the file bytes (and the parts pointing back at the body)', () => {
      const body = multipartBody(
        { title: 'Diagram', content_html: '<p>a</p>\r\n<p>b</p>' },
        { name: 'image', filename: 'diagram.png', bytes: png },
      );
      expect(findControlCharacters(body, 'body', 'text', { multipart: true })).toBeNull();
    });

    it('refuses a control character in a text field', () => {
      const body = multipartBody({ title: 'Dia\u0000gram' }, { name: 'image', filename: 'diagram.png', bytes: png });
      expect(findControlCharacters(body, 'body', 'text', { multipart: true })).toEqual({ where: 'body.title' });
    });

    it('refuses any control character in a file name, even a line break', () => {
      for (const filename of ['a\u0000.png', 'a\n.png', 'a\t.png']) {
        const body = multipartBody({}, { name: 'image', filename, bytes: png });
        expect(findControlCharacters(body, 'body', 'text', { multipart: true })).toEqual({
          where: 'body.image (file name)',
        });
      }
    });

    it('checks every part of a repeated name', () => {
      const body: Record<string, unknown> = {};
      body.tag = [
        { type: 'field', fieldname: 'tag', value: 'a', fields: body },
        { type: 'field', fieldname: 'tag', value: 'b\u001b', fields: body },
      ];
      expect(findControlCharacters(body, 'body', 'text', { multipart: true })).toEqual({ where: 'body.tag' });
    });

    it('a JSON body cannot pass itself off as a file part', () => {
      const body = { image: { type: 'file', fieldname: 'image', filename: 'ok.png', value: 'x\u0000' } };
      expect(findControlCharacters(body, 'body', 'text')).toEqual({ where: 'body.image.value' });
      // Nor a JSON value inside a multipart field.
      const nested = {
        data: {
          type: 'field',
          fieldname: 'data',
          value: { inner: { type: 'file', fieldname: 'f', filename: 'ok', value: 'x\u0000' } },
          fields: {},
        },
      };
      expect(findControlCharacters(nested, 'body', 'text', { multipart: true })).toEqual({
        where: 'body.data.inner.value',
      });
    });
  });
});
