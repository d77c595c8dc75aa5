// School year → key stage, through the configurable map (KEY_STAGE_YEARS;
// default Y7–8 KS3, Y9–11 KS4, Y12–13 KS5). One function, used by
// registration, the admin forms and anything that recomputes a key stage.
import { KEY_STAGES, type KeyStage } from '../config/index.js';

export const SCHOOL_YEARS: readonly number[] = [7, 8, 9, 10, 11, 12, 13];

export function keyStageForYear(map: Record<number, KeyStage>, year: number | null): KeyStage | null {
  if (year === null) return null;
  return map[year] ?? null;
}

/** "9" → 9; anything that is not a school year → null. */
export function parseYear(raw: unknown): number | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).trim();
  if (!/^\d{1,2}$/.test(text)) return null;
  const year = Number(text);
  return SCHOOL_YEARS.includes(year) ? year : null;
}

export function isKeyStage(value: unknown): value is KeyStage {
  return typeof value === 'string' && (KEY_STAGES as readonly string[]).includes(value);
}
