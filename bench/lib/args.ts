// Command-line options shared by `npm run bench:data` and `npm run bench`.
import { parseArgs } from 'node:util';

export function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number of at least ${min} (got "${raw}")`);
  }
  return value;
}

export function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(
  options: T,
  argv = process.argv.slice(2),
) {
  return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
}
