// Which failures are outages (503, logged once) rather than bugs (500, logged
// with their stack), and how an outage is logged: once when it starts, a count
// each minute while it lasts, once when it ends.
import { afterEach, describe, expect, it } from 'vitest';
import { OutageLog, ServiceUnavailableError, unavailability } from '../../../src/lib/outage.js';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('unavailability', () => {
  it.each([
    ['connection refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'database', 'ECONNREFUSED'],
    ['connection reset', coded('ECONNRESET'), 'database', 'ECONNRESET'],
    [
      'PostgreSQL shutting down (57P01)',
      coded('57P01', 'terminating connection due to administrator command'),
      'database',
      '57P01',
    ],
    ['PostgreSQL starting up (57P03)', coded('57P03', 'the database system is starting up'), 'database', '57P03'],
    ['too many connections (53300)', coded('53300', 'sorry, too many clients already'), 'database', '53300'],
    ['connection failure (08006)', coded('08006'), 'database', '08006'],
    ['a full SQLite database', coded('SQLITE_FULL', 'database or disk is full'), 'database', 'SQLITE_FULL'],
    ['a SQLite write error', coded('SQLITE_IOERR_WRITE', 'disk I/O error'), 'database', 'SQLITE_IOERR_WRITE'],
    ['a SQLite lock held too long', coded('SQLITE_BUSY', 'database is locked'), 'database', 'SQLITE_BUSY'],
    ['a full disk', coded('ENOSPC', 'no space left on device'), 'disk', 'ENOSPC'],
    [
      'a dropped pg connection',
      new Error('Connection terminated unexpectedly'),
      'database',
      'Connection terminated unexpectedly',
    ],
    [
      'the pg pool timing out',
      new Error('timeout exceeded when trying to connect'),
      'database',
      'timeout exceeded when trying to connect',
    ],
  ])('%s is an outage', (_name, err, service, code) => {
    expect(unavailability(err)).toMatchObject({ service, code });
  });

  it('looks through causes and AggregateErrors (a host with several addresses)', () => {
    const refused = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed');
    expect(unavailability(refused)).toMatchObject({ service: 'database', code: 'ECONNREFUSED' });
    expect(unavailability(new Error('query failed', { cause: coded('57P01') }))).toMatchObject({ code: '57P01' });
  });

  it('names the service a store reports itself', () => {
    const err = new ServiceUnavailableError('session store', new Error('Connection is closed.'));
    expect(unavailability(err)).toEqual({
      service: 'session store',
      code: 'Connection is closed.',
      reason: 'Connection is closed.',
    });
    expect(unavailability(new ServiceUnavailableError('session store', coded('ECONNREFUSED')))).toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation (23505)', coded('23505', 'duplicate key value violates unique constraint')],
    ['a SQLite constraint', coded('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.email')],
    ['a SQL error', coded('SQLITE_ERROR', 'no such table: nope')],
    ['a failed rollback', coded('SQLITE_ERROR', 'cannot rollback - no transaction is active')],
    ['a not-found', Object.assign(new Error('There is nothing here'), { statusCode: 404 })],
    ['not an error at all', 'ECONNREFUSED'],
    ['nothing', null],
  ])('%s is not an outage', (_name, err) => {
    expect(unavailability(err)).toBeNull();
  });
});

describe('OutageLog', () => {
  let log: OutageLog | null = null;
  afterEach(() => log?.close());

  function harness(probeAnswer: { ok: boolean }) {
    const lines: Array<{ level: 'error' | 'warn'; fields: Record<string, unknown>; message: string }> = [];
    let now = 1_000_000;
    log = new OutageLog({
      log: {
        error: (fields, message) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
        warn: (fields, message) => lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
      },
      probes: { database: async () => probeAnswer.ok },
      // Checked by hand below: the timer never fires during the test.
      checkEveryMs: 3_600_000,
      now: () => now,
    });
    return {
      lines,
      outages: log,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }
  const refusedDb = { service: 'database', code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:5432' };

  it('logs the start once, a count each minute, and the end once the service answers and requests stop failing', async () => {
    const probe = { ok: false };
    const { lines, outages, advance } = harness(probe);
    for (let i = 0; i < 500; i++) outages.refused(refusedDb);
    expect(lines).toEqual([
      {
        level: 'error',
        fields: expect.objectContaining({ outage: 'started', service: 'database', code: 'ECONNREFUSED' }) as unknown,
        message: expect.stringContaining('database unavailable') as unknown,
      },
    ]);

    advance(30_000);
    await outages.check();
    expect(lines).toHaveLength(1);

    advance(30_000);
    for (let i = 0; i < 40; i++) outages.refused(refusedDb);
    await outages.check();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: 'warn',
      fields: { outage: 'ongoing', service: 'database', refused: 540, total: 540 },
    });

    // Quiet, but the database still does not answer: not over.
    advance(10_000);
    await outages.check();
    expect(outages.services()).toEqual(['database']);

    probe.ok = true;
    await outages.check();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      level: 'warn',
      fields: { outage: 'ended', service: 'database', refused: 540, seconds: 70 },
    });
    expect(outages.services()).toEqual([]);

    outages.refused(refusedDb);
    expect(lines[3]).toMatchObject({ level: 'error', fields: { outage: 'started' } });
  });

  it('keeps an outage open while requests still fail, even if the probe answers (a full disk still reads)', async () => {
    const { lines, outages, advance } = harness({ ok: true });
    const full = { service: 'database', code: 'SQLITE_FULL', reason: 'database or disk is full' };
    outages.refused(full);
    for (let i = 0; i < 10; i++) {
      advance(2_000);
      outages.refused(full);
      await outages.check();
    }
    expect(lines.map((l) => l.fields.outage)).toEqual(['started']);
    advance(5_000);
    await outages.check();
    expect(lines.map((l) => l.fields.outage)).toEqual(['started', 'ended']);
  });

  it('keeps one outage per service', () => {
    const { lines, outages } = harness({ ok: false });
    outages.refused(refusedDb);
    outages.refused({ service: 'session store', code: 'ECONNREFUSED', reason: '' });
    outages.refused({ service: 'session store', code: 'ECONNREFUSED', reason: '' });
    expect(lines.map((l) => l.fields.service)).toEqual(['database', 'session store']);
    expect(outages.services().sort()).toEqual(['database', 'session store']);
  });
});
