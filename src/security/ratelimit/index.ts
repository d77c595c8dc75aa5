// Rate limiting with Flask-Limiter's semantics (docs/rate-limiting.md):
// - every route without its own `config.rateLimit` gets RATELIMIT_DEFAULT, or
//   RATELIMIT_DEFAULT_AUTHENTICATED for a signed-in user; `rateLimit: false`
//   (static assets) and health probes are exempt;
// - the key is the user id when signed in, else the client IP after proxy trust
//   (an IPv6 client by its /64);
// - limits count per route (method and URL pattern), HEAD together with GET;
// - named limits (`app.rateLimits`) count things a route cannot see before its
//   handler runs: login attempts per account and per account and address (or
//   known device), wrong answers per user, emailed links per address.
// Limit strings are parsed at start-up; a malformed one stops the start.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ConfigError } from '../../config/index.js';
import { addressKey } from './address.js';
import { FallbackStore } from './fallback.js';
import { LimitStringError, parseLimits, type LimitItem } from './grammar.js';
import { MultiLimiter, type Decision } from './limiter.js';
import { retryAfterSeconds, sendTooManyRequests, setRateLimitHeaders } from './response.js';
import {
  checkCombination,
  checkKeyPrefix,
  COMMAND_TIMEOUT_MS,
  memoryStore,
  openStorage,
  parseStorageUri,
} from './storage.js';
import type { ErrorPageSender } from '../types.js';
import type { MemoryOptions } from './memory-table.js';
import type { MemoryStats, WindowStore } from './types.js';

export type LimitName =
  'login-account' | 'login-pair' | 'login-audit' | 'wrong-answer' | 'login-ip' | 'register' | 'email-address';

export interface LimitResult {
  allowed: boolean;
  retryAfterSeconds: number;
  limit: number;
  remaining: number;
  resetEpochSeconds: number;
}

export interface NamedLimits {
  /** Counts one hit against the named limit for `key`; allowed=false once over. */
  hit(name: LimitName, key: string): Promise<LimitResult>;
  /** Whether `key` is currently over the named limit, without counting. */
  peek(name: LimitName, key: string): Promise<LimitResult>;
  reset(name: LimitName, key: string): Promise<void>;
}

export interface RateLimitStatus {
  enabled: boolean;
  strategy: string;
  storage: 'memory' | 'redis' | 'memcached';
  /** True while an outage of the shared store has counting in memory. */
  usingFallback: boolean;
  /** How full the in-memory store (or the shared store's fallback) is; null when off. */
  memory: MemoryStats | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: NamedLimits;
    rateLimitStatus(): RateLimitStatus;
  }
}

/** Routes under this path get RATELIMIT_MATH_API unless they declare a limit. */
const MATH_API_PREFIX = '/api/math/';

const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 30_000;

function parseSetting(name: string, value: string): LimitItem[] {
  try {
    return parseLimits(value);
  } catch (err) {
    if (err instanceof LimitStringError) throw new ConfigError(`${name}: ${err.message}`);
    throw err;
  }
}

function toResult(decision: Decision): LimitResult {
  return {
    allowed: decision.allowed,
    retryAfterSeconds: decision.allowed ? 0 : retryAfterSeconds(decision.state.resetAtMs),
    limit: decision.item.amount,
    remaining: decision.state.remaining,
    resetEpochSeconds: Math.ceil(decision.state.resetAtMs / 1000),
  };
}

/** Account e-mails are compared case-insensitively; so are their counters. */
const normaliseKey = (key: string): string => key.trim().toLowerCase();

function clientIdentity(request: FastifyRequest): string {
  return request.user ? `user:${request.user.id}` : `ip:${addressKey(request.clientIp)}`;
}

export interface RateLimitPluginOptions {
  /** Sends the 429 page to browsers. */
  errorPage: ErrorPageSender;
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: RateLimitPluginOptions) => {
    const settings = app.config.rateLimit;

    // Every limit string is checked at start-up, whether limiting is on or not.
    const defaults = parseSetting('RATELIMIT_DEFAULT', settings.default);
    const defaultsAuthenticated = parseSetting('RATELIMIT_DEFAULT_AUTHENTICATED', settings.defaultAuthenticated);
    const named: Record<LimitName, LimitItem[]> = {
      'login-account': parseSetting('RATELIMIT_LOGIN_ACCOUNT', settings.loginAccountFailures),
      'login-pair': parseSetting('RATELIMIT_LOGIN_PAIR', settings.loginPairFailures),
      // One audit entry per throttle and key in this window: refused attempts cost an attacker nothing.
      'login-audit': parseLimits('1 per hour'),
      'wrong-answer': parseSetting('RATELIMIT_WRONG_ANSWERS', settings.wrongAnswers),
      'login-ip': parseSetting('RATELIMIT_LOGIN', settings.login),
      register: parseSetting('RATELIMIT_REGISTER', settings.register),
      // Emails with a link to one address, whoever asks for them (key: the address).
      'email-address': parseSetting('RATELIMIT_EMAIL_ADDRESS', settings.emailAddress),
    };
    parseSetting('RATELIMIT_PASSWORD_CONFIRM', settings.passwordConfirm);
    parseSetting('RATELIMIT_CSP_REPORT', settings.cspReport);
    parseSetting('RATELIMIT_MATH_API', settings.mathApi);
    parseSetting('RATELIMIT_EMAIL_LINKS', settings.emailLinks);
    const spec = parseStorageUri(settings.storageUri);
    checkCombination(spec, settings.strategy);
    checkKeyPrefix(settings.keyPrefix);

    const routeLimits = new Map<string, LimitItem[]>();
    app.addHook('onRoute', (route) => {
      // The math engine's JSON API is costly per call: RATELIMIT_MATH_API is its
      // default, so no route under it can forget the limit.
      const config = (route.config ?? {}) as { rateLimit?: unknown };
      if (route.url.startsWith(MATH_API_PREFIX) && config.rateLimit === undefined) {
        route.config = { ...config, rateLimit: settings.mathApi };
      }
      const limit = (route.config as { rateLimit?: unknown } | undefined)?.rateLimit;
      if (limit === undefined || limit === false) return;
      const where = `route ${[route.method].flat().join(',')} ${route.url}`;
      if (typeof limit !== 'string') throw new Error(`${where}: config.rateLimit must be a limit string or false`);
      if (routeLimits.has(limit)) return;
      try {
        routeLimits.set(limit, parseLimits(limit));
      } catch (err) {
        if (err instanceof LimitStringError) throw new Error(`${where}: ${err.message}`, { cause: err });
        throw err;
      }
    });

    const namedItems = (name: LimitName): LimitItem[] => {
      const items = named[name];
      if (!items) throw new Error(`unknown named rate limit "${String(name)}"`);
      return items;
    };

    if (!settings.enabled) {
      const open = (name: LimitName): LimitResult => {
        const tightest = namedItems(name).reduce((a, b) => (b.amount < a.amount ? b : a));
        return {
          allowed: true,
          retryAfterSeconds: 0,
          limit: tightest.amount,
          remaining: tightest.amount,
          resetEpochSeconds: Math.ceil(Date.now() / 1000),
        };
      };
      app.decorate('rateLimits', {
        hit: async (name: LimitName) => open(name),
        peek: async (name: LimitName) => open(name),
        reset: async (name: LimitName) => {
          namedItems(name);
        },
      } satisfies NamedLimits);
      app.decorate('rateLimitStatus', () => ({
        enabled: false,
        strategy: settings.strategy,
        storage: spec.kind,
        usingFallback: false,
        memory: null,
      }));
      return;
    }

    const memory: MemoryOptions = { maxKeys: settings.memoryMaxKeys, log: app.log };
    const opened = await openStorage(spec, settings.strategy, settings.keyPrefix, memory);
    let store: WindowStore = opened.store;
    let fallback: FallbackStore | null = null;
    if (opened.backend) {
      fallback = new FallbackStore(opened.store, opened.backend, memoryStore(settings.strategy, memory), {
        fallbackEnabled: settings.inMemoryFallback,
        log: app.log,
        timeoutMs: COMMAND_TIMEOUT_MS,
        initialBackoffMs: BACKOFF_INITIAL_MS,
        maxBackoffMs: BACKOFF_MAX_MS,
      });
      store = fallback;
    }
    app.addHook('onClose', async () => store.close());
    const limiter = new MultiLimiter(store);

    app.decorate('rateLimits', {
      hit: async (name: LimitName, key: string) =>
        toResult(await limiter.hit(`named:${name}`, normaliseKey(key), namedItems(name))),
      peek: async (name: LimitName, key: string) =>
        toResult(await limiter.peek(`named:${name}`, normaliseKey(key), namedItems(name))),
      reset: (name: LimitName, key: string) => limiter.reset(`named:${name}`, normaliseKey(key), namedItems(name)),
    } satisfies NamedLimits);
    app.decorate('rateLimitStatus', () => ({
      enabled: true,
      strategy: settings.strategy,
      storage: spec.kind,
      usingFallback: fallback?.usingFallback ?? false,
      memory: store.memoryStats?.() ?? null,
    }));

    app.addHook('onRequest', async (request, reply) => {
      const config = request.routeOptions.config;
      if (config?.probe || config?.rateLimit === false) return;
      const own = typeof config?.rateLimit === 'string' ? routeLimits.get(config.rateLimit) : undefined;
      const items = own ?? (request.user ? defaultsAuthenticated : defaults);
      // Unmatched addresses share one counter, so probing for pages is limited too.
      const scope = `${request.method === 'HEAD' ? 'GET' : request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
      const decision = await limiter.hit(scope, clientIdentity(request), items);
      if (settings.headersEnabled) setRateLimitHeaders(reply, decision);
      if (!decision.allowed) {
        request.log.info({ scope, limit: decision.item.text, signedIn: request.user !== null }, 'rate limit exceeded');
        return sendTooManyRequests(request, reply, decision, opts.errorPage);
      }
    });
  },
  { name: 'mathsoc-ratelimit', dependencies: ['mathsoc-session'] },
);
