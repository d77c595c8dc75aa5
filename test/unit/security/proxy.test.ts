import { describe, expect, it } from 'vitest';
import { trustedEntry } from '../../../src/security/proxy.js';

describe('trustedEntry (ProxyFix hop counting)', () => {
  it('takes the entry the Nth trusted proxy wrote, counting from the right', () => {
    expect(trustedEntry('203.0.113.7', 1)).toBe('203.0.113.7');
    expect(trustedEntry('203.0.113.7, 10.0.0.2', 1)).toBe('10.0.0.2');
    expect(trustedEntry('203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
  });

  it('never believes an entry the client wrote itself', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; our one proxy appended the real address.
    expect(trustedEntry('1.2.3.4, 198.51.100.9', 1)).toBe('198.51.100.9');
    // Repeated headers count as one list.
    expect(trustedEntry(['1.2.3.4', '198.51.100.9'], 1)).toBe('198.51.100.9');
  });

  it('ignores the header when it has fewer entries than trusted hops, or when no hop is trusted', () => {
    expect(trustedEntry('198.51.100.9', 2)).toBeNull();
    expect(trustedEntry('198.51.100.9', 0)).toBeNull();
    expect(trustedEntry(undefined, 1)).toBeNull();
    expect(trustedEntry(' , ', 1)).toBeNull();
  });
});
