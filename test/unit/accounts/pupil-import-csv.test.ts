// Reading the MIS export: delimiter, byte-order mark, header spellings and
// overrides, row numbers, blank rows, the limits; and the year spellings.
import { describe, expect, it } from 'vitest';
import { parseImportYear } from '../../../src/domain/accounts/pupil-import.js';
import {
  detectDelimiter,
  headerKey,
  IMPORT_MAX_ROWS,
  readPupilCsv,
} from '../../../src/domain/accounts/pupil-import-csv.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('readPupilCsv', () => {
  it('reads comma and semicolon files alike, with or without a byte-order mark', () => {
    const comma = 'First name,Surname,Email,Year,Class\nAnn,Lee,ann@s.org,9,9X1\n';
    const semi = 'First name;Surname;Email;Year;Class\r\nAnn;Lee;ann@s.org;9;9X1\r\n';
    for (const file of [
      bytes(comma),
      Buffer.concat([BOM, bytes(comma)]),
      bytes(semi),
      Buffer.concat([BOM, bytes(semi)]),
    ]) {
      const r = readPupilCsv(file);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.rows).toEqual([
        { row: 2, firstName: 'Ann', lastName: 'Lee', email: 'ann@s.org', year: '9', class: '9X1' },
      ]);
      expect(r.headers.firstName).toBe('First name');
    }
    expect(detectDelimiter('a;b;c,d\n1,2,3,4,5')).toBe(';');
    expect(detectDelimiter('"a;b;c",d\n')).toBe(',');
  });

  it('finds the usual MIS spellings, preferring the legal forename, and takes the class as optional', () => {
    const r = readPupilCsv(
      bytes('Preferred Forename,Legal Forename,Legal Surname,E-mail Address,NC Year\nAl,Alan,Turing,a@s.org,Y12\n'),
    );
    expect(r.ok && r.rows[0]).toEqual({
      row: 2,
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'a@s.org',
      year: 'Y12',
      class: null,
    });
    expect(headerKey(' E-mail  Address ')).toBe('emailaddress');
  });

  it('header names given override the defaults; a missing one is named in the message', () => {
    const file = bytes('Given,Family,Mail,Yr,Set\nLou,Reed,l@s.org,9,9S\n');
    const r = readPupilCsv(file, { firstName: 'given', lastName: 'FAMILY', email: 'Mail', year: 'Yr', class: 'Set' });
    expect(r.ok && r.rows[0]).toMatchObject({ firstName: 'Lou', lastName: 'Reed', class: '9S' });
    const bad = readPupilCsv(file, { firstName: 'Given', lastName: 'Family', email: 'Mail', year: 'Year of entry' });
    expect(bad).toEqual({
      ok: false,
      error:
        "There is no column called “Year of entry” for the year. The file's first line has “Given”, “Family”, “Mail”, “Yr”, “Set”.",
    });
  });

  it('numbers rows by their line in the file and skips blank ones', () => {
    const r = readPupilCsv(bytes('First name,Surname,Email,Year\n\nA,B,a@s.org,9\n,,,\nC,D,c@s.org,10\n'));
    expect(r.ok && r.rows.map((x) => x.row)).toEqual([3, 5]);
  });

  it('refuses empty, non-UTF-8, malformed, too long and too large files with a message', () => {
    expect(readPupilCsv(bytes(''))).toEqual({ ok: false, error: 'The file is empty.' });
    expect(readPupilCsv(Buffer.from('First name,Surname\nJosé,R\n', 'latin1'))).toMatchObject({
      ok: false,
      error: expect.stringContaining('not UTF-8') as unknown,
    });
    expect(readPupilCsv(bytes('First name,Surname,Email,Year\n"A,B,c,9\n'))).toMatchObject({
      ok: false,
      error: expect.stringContaining('not valid CSV') as unknown,
    });
    const long = 'First name,Surname,Email,Year\n' + 'A,B,c@s.org,9\n'.repeat(IMPORT_MAX_ROWS + 1);
    expect(readPupilCsv(bytes(long))).toMatchObject({
      ok: false,
      error: expect.stringContaining('more than 20,000 pupil rows') as unknown,
    });
    const exactly = 'First name,Surname,Email,Year\n' + 'A,B,c@s.org,9\n'.repeat(IMPORT_MAX_ROWS);
    expect(readPupilCsv(bytes(exactly)).ok).toBe(true);
    expect(readPupilCsv(Buffer.alloc(5 * 1024 * 1024 + 1, 'a'))).toMatchObject({
      ok: false,
      error: expect.stringContaining('the limit is 5 MB') as unknown,
    });
  });
});

describe('parseImportYear', () => {
  it('reads the spellings MIS exports use, and only years 7 to 13', () => {
    for (const [raw, year] of [
      ['9', 9],
      ['09', 9],
      ['Y9', 9],
      ['Yr 10', 10],
      ['Year 13', 13],
      ['year 7', 7],
      ['NC Year 12', 12],
      ['14', null],
      ['6', null],
      ['Reception', null],
      ['', null],
      ['9.5', null],
    ] as const)
      expect(parseImportYear(raw), raw).toBe(year);
  });
});
