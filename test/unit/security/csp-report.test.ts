import { describe, expect, it } from 'vitest';
import { parseCspReports } from '../../../src/security/csp-report.js';

describe('parseCspReports', () => {
  it('reads the classic application/csp-report body', () => {
    const [v, ...rest] = parseCspReports({
      'csp-report': {
        'document-uri': 'https://maths.example.org/challenges/3?token=secret#x',
        referrer: '',
        'violated-directive': "script-src-elem 'self'",
        'effective-directive': 'script-src-elem',
        'original-policy': "default-src 'self'",
        disposition: 'enforce',
        'blocked-uri': 'https://evil.example/x.js?a=1',
        'line-number': 12,
        'column-number': '7',
        'source-file': 'https://maths.example.org/assets/app.js',
        'status-code': 200,
        'script-sample': '',
      },
    });
    expect(rest).toEqual([]);
    expect(v).toEqual({
      documentUri: 'https://maths.example.org/challenges/3',
      blockedUri: 'https://evil.example/x.js',
      effectiveDirective: 'script-src-elem',
      disposition: 'enforce',
      sourceFile: 'https://maths.example.org/assets/app.js',
      line: 12,
      column: 7,
      sample: null,
      statusCode: 200,
    });
  });

  it('reads a Reporting API batch, keeping only csp-violation reports', () => {
    const list = parseCspReports([
      {
        type: 'csp-violation',
        age: 10,
        url: 'https://m.example/',
        user_agent: 'x',
        body: {
          documentURL: 'https://m.example/p',
          blockedURL: 'inline',
          effectiveDirective: 'script-src-elem',
          disposition: 'report',
          lineNumber: 3,
          columnNumber: 1,
          sample: 'alert(1)',
          statusCode: 200,
        },
      },
      { type: 'deprecation', body: { id: 'x' } },
      {
        type: 'csp-violation',
        body: { documentURL: 'https://m.example/q', blockedURL: 'eval', effectiveDirective: 'script-src' },
      },
    ]);
    expect(list.map((v) => [v.documentUri, v.blockedUri, v.effectiveDirective, v.disposition])).toEqual([
      ['https://m.example/p', 'inline', 'script-src-elem', 'report'],
      ['https://m.example/q', 'eval', 'script-src', null],
    ]);
    expect(list[0]!.sample).toBe('alert(1)');
  });

  it('returns nothing for bodies that are not reports', () => {
    expect(parseCspReports({})).toEqual([]);
    expect(parseCspReports(null)).toEqual([]);
    expect(parseCspReports('csp-report')).toEqual([]);
    expect(parseCspReports({ 'csp-report': 'x' })).toEqual([]);
    expect(parseCspReports([{ type: 'csp-violation' }])).toEqual([]);
  });

  it('bounds what it keeps: long text cut, control characters removed, data: payloads dropped, at most 20 per batch', () => {
    const [v] = parseCspReports({
      'csp-report': {
        'document-uri': 'https://m.example/' + 'a'.repeat(5000),
        'blocked-uri': 'data:text/javascript;base64,' + 'QUFB'.repeat(100),
        'script-sample': 'x\n\u0000y',
        'line-number': -4,
      },
    });
    expect(v!.documentUri!.length).toBeLessThanOrEqual(300);
    expect(v!.blockedUri).toBe('data:');
    expect(v!.sample).toBe('x  y');
    expect(v!.line).toBeNull();
    const many = Array.from({ length: 50 }, () => ({ type: 'csp-violation', body: { effectiveDirective: 'img-src' } }));
    expect(parseCspReports(many)).toHaveLength(20);
  });
});
