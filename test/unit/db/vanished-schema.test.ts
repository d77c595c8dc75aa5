// Another schema dropped while the migrator describes every schema's tables is
// not our failure: the migration is tried again. Any other failure is not.
import type { MigrationResultSet } from 'kysely';
import { describe, expect, it } from 'vitest';
import { retryOnVanishedSchema } from '../../../src/db/index.js';

function failing(code: string) {
  return { error: Object.assign(new Error(`failed with ${code}`), { code }), results: [] } as MigrationResultSet;
}
const done: MigrationResultSet = { results: [] };

describe('migrations and vanished schemas', () => {
  it.each(['3F000', '42P01'])('tries again after %s and returns the success', async (code) => {
    const answers = [failing(code), failing(code), done];
    let calls = 0;
    const result = await retryOnVanishedSchema(async () => answers[calls++]!);
    expect(result).toBe(done);
    expect(calls).toBe(3);
  });

  it('gives up after five attempts with the last error', async () => {
    let calls = 0;
    const result = await retryOnVanishedSchema(async () => {
      calls++;
      return failing('42P01');
    });
    expect(calls).toBe(5);
    expect((result.error as { code: string }).code).toBe('42P01');
  });

  it('returns any other failure at once', async () => {
    let calls = 0;
    const result = await retryOnVanishedSchema(async () => {
      calls++;
      return failing('23505');
    });
    expect(calls).toBe(1);
    expect((result.error as { code: string }).code).toBe('23505');
  });
});
