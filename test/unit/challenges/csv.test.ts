import { describe, expect, it } from 'vitest';
import { csvCell, csvDisposition, csvRow, toCsv } from '../../../src/lib/csv.js';

describe('CSV cells', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('\r=cmd')).toBe('"\'\r=cmd"');
    expect(csvCell('=HYPERLINK("http://evil.example","Click")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""Click"")"',
    );
  });

  it('quotes commas, quotes, semicolons and line breaks, and doubles quotes', () => {
    expect(csvCell('Smith, Jo')).toBe('"Smith, Jo"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell("O'Brien")).toBe("O'Brien");
  });

  it('keeps numbers (negative ones too) as numbers, and empties as empty', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('builds a document with a BOM and CRLF line ends', () => {
    expect(csvRow(['a', 1, null])).toBe('a,1,');
    expect(
      toCsv(
        ['Name', 'Points'],
        [
          ['=evil', 3],
          ['Ann', -1],
        ],
      ),
    ).toBe("\uFEFFName,Points\r\n'=evil,3\r\nAnn,-1\r\n");
  });

  it('makes a safe download name', () => {
    expect(csvDisposition('leaderboard-KS4-2026-01-01')).toBe('attachment; filename="leaderboard-KS4-2026-01-01.csv"');
    expect(csvDisposition('../"evil"\r\n')).toBe('attachment; filename="evil.csv"');
  });
});
