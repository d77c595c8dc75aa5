// Hard bounds for the answer engine. Every input, however hostile, is checked
// against these before (or while) any work proportional to its size is done.
export const LIMITS = {
  /** Characters per answer, after Unicode NFC normalisation. */
  maxInputLength: 500,
  /** Nesting of brackets and braces (hygiene) and of parser recursion. */
  maxBracketDepth: 32,
  maxParseDepth: 96,
  /** Nodes in one parsed answer, after ± expansion. */
  maxNodes: 1000,
  /** |n| for any constant exponent. */
  maxExponent: 1000,
  /** Largest n in n! (170! is the last finite double). */
  maxFactorial: 170,
  /** Largest n in \binom{n}{k}. */
  maxBinomial: 1000,
  /** Size of exact intermediate results; beyond this the value is treated as inexact. */
  maxBigIntBits: 4096,
  /** Digits in one numeric literal (integer plus decimal places). */
  maxLiteralDigits: 200,
  /** Items in a list, set or point. */
  maxListItems: 50,
  /** Numeric node evaluations per check (sampling, list matching): a deterministic time bound. */
  maxEvalSteps: 2_000_000,
  /** Distinct variables in one comparison. */
  maxVariables: 12,
} as const;
