// Several limits guard one thing ("5 per minute;20 per hour"). As in
// Flask-Limiter they are hit in the order written and evaluation stops at the
// first one refused, so that one is reported; when all admit, the tightest is
// reported (fewest hits left, then the earliest reset).
import { createHash } from 'node:crypto';
import { TextCache } from '../../lib/text-cache.js';
import type { LimitItem } from './grammar.js';
import type { WindowState, WindowStore } from './types.js';

export interface Decision {
  allowed: boolean;
  /** The limit the headers report: the refused one, else the tightest. */
  item: LimitItem;
  state: WindowState;
}

// Every request hashes its client's key, and the same clients ask again and again.
const recentKeys = new TextCache(1_000_000);

/**
 * The storage key of one client in one scope. Hashed: scopes and identities
 * hold e-mail addresses and URL patterns, and Memcached keys must be short and
 * plain; a dump of the store also reveals no addresses.
 */
export function storageKey(scope: string, identity: string): string {
  const text = `${scope}\n${identity}`;
  return recentKeys.remember(text, () => createHash('sha256').update(text).digest('hex').slice(0, 40));
}

function tighter(a: Decision, b: Decision): Decision {
  if (a.state.remaining !== b.state.remaining) return a.state.remaining < b.state.remaining ? a : b;
  return a.state.resetAtMs <= b.state.resetAtMs ? a : b;
}

export class MultiLimiter {
  constructor(private readonly store: WindowStore) {}

  async hit(scope: string, identity: string, items: readonly LimitItem[], cost = 1): Promise<Decision> {
    const key = storageKey(scope, identity);
    let reported: Decision | null = null;
    for (const item of items) {
      const state = await this.store.hit(key, item, cost);
      const decision = { allowed: state.allowed, item, state };
      if (!state.allowed) return decision;
      reported = reported ? tighter(reported, decision) : decision;
    }
    return reported!;
  }

  async peek(scope: string, identity: string, items: readonly LimitItem[], cost = 1): Promise<Decision> {
    const key = storageKey(scope, identity);
    let reported: Decision | null = null;
    let blocking: Decision | null = null;
    for (const item of items) {
      const state = await this.store.peek(key, item, cost);
      const decision = { allowed: state.allowed, item, state };
      if (!state.allowed) {
        // Nothing is counted here, so every limit can be asked: report the one that blocks longest.
        if (!blocking || state.resetAtMs > blocking.state.resetAtMs) blocking = decision;
      }
      reported = reported ? tighter(reported, decision) : decision;
    }
    return blocking ?? reported!;
  }

  async reset(scope: string, identity: string, items: readonly LimitItem[]): Promise<void> {
    const key = storageKey(scope, identity);
    for (const item of items) await this.store.clear(key, item);
  }
}
