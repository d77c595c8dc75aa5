// Tree guard: bounds that depend on values rather than on the text. Constant exponents,
// factorials and binomials past the limits are refused before any comparison runs, so
// no later step can be asked for a gigantic exact power or a billion-step factorial.
import { children, freeVariables, type Node } from './ast.js';
import { complexValue, hasImaginaryUnit, modulus } from './complex.js';
import { fail } from './errors.js';
import { numericValue } from './evaluate.js';
import { LIMITS } from './limits.js';

/** The value of a constant subtree; for one with i, its modulus (so 2^{5000i} is bounded too). */
function constantNumber(node: Node): number | null {
  if (freeVariables(node).size > 0) return null;
  try {
    return hasImaginaryUnit(node) ? modulus(complexValue(node)) : numericValue(node);
  } catch {
    return null; // not a number (a unit, a list…): other layers report that
  }
}

export function guardTree(node: Node): void {
  switch (node.type) {
    case 'pow': {
      const e = constantNumber(node.exp);
      if (e !== null && !(Math.abs(e) <= LIMITS.maxExponent)) {
        if (!Number.isNaN(e)) fail('out-of-bounds', `exponents are limited to ±${LIMITS.maxExponent}`);
      }
      break;
    }
    case 'fact': {
      const n = constantNumber(node.arg);
      if (n !== null && n > LIMITS.maxFactorial)
        fail('out-of-bounds', `factorials are limited to ${LIMITS.maxFactorial}!`);
      break;
    }
    case 'binom': {
      const n = constantNumber(node.n);
      if (n !== null && n > LIMITS.maxBinomial)
        fail('out-of-bounds', `binomials are limited to n ≤ ${LIMITS.maxBinomial}`);
      break;
    }
    default:
      break;
  }
  for (const c of children(node)) guardTree(c);
}
