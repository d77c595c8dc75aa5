import type { Reason } from './types.js';

/** A verdict-bearing failure: the input cannot be graded, so the answer is "not equivalent". */
export class MathInputError extends Error {
  readonly reason: Reason;
  constructor(reason: Reason, message: string) {
    super(message);
    this.name = 'MathInputError';
    this.reason = reason;
  }
}

export function fail(reason: Reason, message: string): never {
  throw new MathInputError(reason, message);
}
