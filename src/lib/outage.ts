// Outages of what a request depends on (the database, the session store, the
// disk under them). `unavailability` tells an outage ("try again shortly": a
// refused or dropped connection, a server shutting down, a full disk) from a
// bug; `OutageLog` reports each outage once when it starts, with a count each
// minute while it lasts and once when it ends, instead of one stack trace per
// refused request.

/** An outage a store has recognised itself; `service` names it in the log. */
export class ServiceUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(
    readonly service: string,
    cause: unknown,
  ) {
    super(`${service} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ServiceUnavailableError';
  }
}

export interface Unavailable {
  service: string;
  /** The cause's code (ECONNREFUSED, SQLITE_FULL, 57P01, …), or its message when it has none. */
  code: string;
  reason: string;
}

// Socket failures: the server is down, unreachable or dropped the connection.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);
// PostgreSQL SQLSTATEs: 08 connection exception, 53 insufficient resources (disk
// full, out of memory, too many connections), 57P01–57P03 shutting down or not
// accepting connections yet, 58030 I/O error.
const PG_STATE = /^(?:08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-3]|58030)$/;
// SQLite: a full or failing disk, a lock held past busy_timeout, a file it cannot open or write.
const SQLITE_CODE = /^SQLITE_(?:FULL|IOERR(?:_\w+)?|BUSY(?:_\w+)?|CANTOPEN(?:_\w+)?|READONLY(?:_\w+)?|NOMEM|PROTOCOL)$/;
// The pg client and pool, and better-sqlite3, say some of it in words only.
const MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable$/,
  /^Query read timeout$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^The database connection is not open$/,
];

function classify(err: object): Unavailable | null {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    if (DISK_CODES.has(code)) return { service: 'disk', code, reason: text };
    if (NETWORK_CODES.has(code) || PG_STATE.test(code) || SQLITE_CODE.test(code))
      return { service: 'database', code, reason: text };
  }
  if (MESSAGES.some((m) => m.test(text)))
    return { service: 'database', code: typeof code === 'string' ? code : text, reason: text };
  return null;
}

/**
 * What is unavailable when `err` is an outage rather than a bug, else null.
 * Looks through `cause` chains and AggregateErrors (a host with several addresses).
 */
export function unavailability(err: unknown, depth = 0): Unavailable | null {
  if (typeof err !== 'object' || err === null || depth > 5) return null;
  if (err instanceof ServiceUnavailableError) {
    const inner = unavailability(err.cause, depth + 1);
    const { code } = (err.cause ?? {}) as { code?: unknown };
    return {
      service: err.service,
      code:
        inner?.code ?? (typeof code === 'string' ? code : err.cause instanceof Error ? err.cause.message : 'unknown'),
      reason: err.cause instanceof Error ? err.cause.message : err.message,
    };
  }
  const own = classify(err);
  if (own) return own;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const found = unavailability(e, depth + 1);
      if (found) return found;
    }
  }
  return 'cause' in err ? unavailability(err.cause, depth + 1) : null;
}

export interface OutageLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface OutageLogOptions {
  log: OutageLogger;
  /** Asks a service whether it answers again; a service without one ends after a quiet spell. */
  probes?: Record<string, () => Promise<boolean>>;
  /** How often the count of refused requests is written while an outage lasts. */
  summaryEveryMs?: number;
  /** How often an open outage is looked at (probe, summary). */
  checkEveryMs?: number;
  /** An outage ends only after this long without a refused request (and a probe that answers). */
  quietMs?: number;
  now?: () => number;
}

interface Outage extends Unavailable {
  startedAt: number;
  lastRefusedAt: number;
  lastSummaryAt: number;
  refused: number;
  sinceSummary: number;
}

const seconds = (ms: number) => Math.round(ms / 1000);

export class OutageLog {
  private readonly open = new Map<string, Outage>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private readonly now: () => number;
  private readonly summaryEveryMs: number;
  private readonly checkEveryMs: number;
  private readonly quietMs: number;

  constructor(private readonly options: OutageLogOptions) {
    this.now = options.now ?? Date.now;
    this.summaryEveryMs = options.summaryEveryMs ?? 60_000;
    this.checkEveryMs = options.checkEveryMs ?? 1000;
    this.quietMs = options.quietMs ?? 5000;
  }

  /** Counts a request refused because of `what`; the first one of an outage is logged. */
  refused(what: Unavailable): void {
    const now = this.now();
    const outage = this.open.get(what.service);
    if (outage) {
      outage.refused += 1;
      outage.sinceSummary += 1;
      outage.lastRefusedAt = now;
      return;
    }
    this.open.set(what.service, {
      ...what,
      startedAt: now,
      lastRefusedAt: now,
      lastSummaryAt: now,
      refused: 1,
      sinceSummary: 1,
    });
    this.options.log.error(
      { outage: 'started', service: what.service, code: what.code, reason: what.reason },
      `${what.service} unavailable (${what.code}): requests that need it are answered 503 until it is back`,
    );
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.checkEveryMs);
      this.timer.unref();
    }
  }

  /** The services currently out. */
  services(): string[] {
    return [...this.open.keys()];
  }

  /** Writes the count of a minute that has passed, and ends the outages that are over. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const outage of [...this.open.values()]) await this.checkOne(outage);
    } finally {
      this.checking = false;
      if (this.open.size === 0) this.stopTimer();
    }
  }

  private async checkOne(outage: Outage): Promise<void> {
    const { log, probes } = this.options;
    const now = this.now();
    if (now - outage.lastSummaryAt >= this.summaryEveryMs) {
      log.warn(
        {
          outage: 'ongoing',
          service: outage.service,
          refused: outage.sinceSummary,
          total: outage.refused,
          seconds: seconds(now - outage.startedAt),
        },
        `${outage.service} still unavailable: ${outage.sinceSummary} requests refused in the last ${seconds(now - outage.lastSummaryAt)} s`,
      );
      outage.lastSummaryAt = now;
      outage.sinceSummary = 0;
    }
    if (now - outage.lastRefusedAt < this.quietMs) return;
    const lastRefused = outage.lastRefusedAt;
    const probe = probes?.[outage.service];
    const back = probe ? await probe().catch(() => false) : true;
    // A request refused while the probe ran means it is not over yet.
    if (!back || outage.lastRefusedAt !== lastRefused || this.open.get(outage.service) !== outage) return;
    this.open.delete(outage.service);
    const lasted = seconds(this.now() - outage.startedAt);
    log.warn(
      { outage: 'ended', service: outage.service, refused: outage.refused, seconds: lasted },
      `${outage.service} available again after ${lasted} s; ${outage.refused} requests were refused meanwhile`,
    );
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stopTimer();
  }
}
