// Flask-Limiter's limit strings: "200 per day; 50 per hour", "5/minute",
// "10 per 2 hours". Several limits are joined with ; , or |. Units follow the
// `limits` library, including its calendar-free month (30 days) and year
// (12 such months), so a deployment moving from the old platform keeps its
// numbers. Anything else is refused with the offending text.

export const UNIT_SECONDS = {
  second: 1,
  minute: 60,
  hour: 60 * 60,
  day: 24 * 60 * 60,
  month: 30 * 24 * 60 * 60,
  year: 12 * 30 * 24 * 60 * 60,
} as const;

export type LimitUnit = keyof typeof UNIT_SECONDS;

export interface LimitItem {
  /** Hits allowed per window. */
  amount: number;
  /** How many units the window spans ("per 2 hours" → 2). */
  multiple: number;
  unit: LimitUnit;
  windowSeconds: number;
  /** Stable, storage-safe name, e.g. "5-per-1minute". */
  id: string;
  /** Human form, e.g. "5 per minute", "10 per 2 hours". */
  text: string;
}

export class LimitStringError extends Error {
  override name = 'LimitStringError';
}

/** Upper bounds that keep arithmetic exact and windows meaningful. */
const MAX_AMOUNT = 1_000_000_000;
const MAX_WINDOW_SECONDS = 10 * UNIT_SECONDS.year;

const ITEM = /^(\d+)\s*(?:\/|per\s)\s*(?:(\d+)\s*)?(second|minute|hour|day|month|year)s?$/i;

function describeItem(amount: number, multiple: number, unit: LimitUnit): string {
  return multiple === 1 ? `${amount} per ${unit}` : `${amount} per ${multiple} ${unit}s`;
}

function parseItem(segment: string, whole: string): LimitItem {
  const m = ITEM.exec(segment);
  if (!m) {
    throw new LimitStringError(
      `rate limit "${whole}": "${segment}" is not a limit (write e.g. "5 per minute", "10/hour" or "100 per 2 days")`,
    );
  }
  const amount = Number(m[1]);
  const multiple = m[2] === undefined ? 1 : Number(m[2]);
  const unit = m[3]!.toLowerCase() as LimitUnit;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_AMOUNT) {
    throw new LimitStringError(`rate limit "${whole}": "${segment}" must allow from 1 to ${MAX_AMOUNT} hits`);
  }
  const windowSeconds = multiple * UNIT_SECONDS[unit];
  if (!Number.isSafeInteger(multiple) || multiple < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
    throw new LimitStringError(`rate limit "${whole}": "${segment}" needs a window from 1 second to 10 years`);
  }
  return {
    amount,
    multiple,
    unit,
    windowSeconds,
    id: `${amount}-per-${multiple}${unit}`,
    text: describeItem(amount, multiple, unit),
  };
}

/** Parses a limit string into its limits, in the order written. Throws LimitStringError. */
export function parseLimits(text: string): LimitItem[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new LimitStringError(
      'rate limit is empty (write e.g. "5 per minute"; routes that need none declare rateLimit: false)',
    );
  }
  if (text.length > 500) throw new LimitStringError(`rate limit "${text.slice(0, 60)}…" is too long`);
  const items = text.split(/[;,|]/).map((segment) => segment.trim());
  return items.map((segment) => {
    if (segment === '') throw new LimitStringError(`rate limit "${text}" has an empty part between separators`);
    return parseItem(segment, text);
  });
}
