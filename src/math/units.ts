// Quantities with units: every unit is a scale times a product of base dimensions,
// so 2 km and 2000 m compare equal and 8 m and 8 s do not.
import type { Node } from './ast.js';
import { fail } from './errors.js';
import { constantValue, type Value } from './evaluate.js';
import { LIMITS } from './limits.js';
import * as Q from './rational.js';

export type Dims = Readonly<Record<string, number>>;

interface UnitDef {
  scale: Value;
  dims: Dims;
}

export interface Quantity {
  /** Value in base units (m, kg, s, degree, £ …). */
  value: Value;
  /** Scale of the unit part alone, to express a value back in the answer's own unit. */
  unitScale: Value;
  dims: Dims;
}

const exactScale = (n: bigint, d: bigint = 1n): Value => {
  const r = Q.rat(n, d);
  return { exact: r, approx: Q.toNumber(r) };
};
const decimalScale = (text: string): Value => {
  const r = Q.fromDecimal(text);
  return { exact: r, approx: Q.toNumber(r) };
};

const DEFS: Array<[string[], Value, Dims]> = [
  [['m', 'metre', 'metres', 'meter', 'meters'], exactScale(1n), { L: 1 }],
  [['km', 'kilometre', 'kilometres', 'kilometer', 'kilometers'], exactScale(1000n), { L: 1 }],
  [['cm', 'centimetre', 'centimetres', 'centimeter', 'centimeters'], exactScale(1n, 100n), { L: 1 }],
  [['mm', 'millimetre', 'millimetres', 'millimeter', 'millimeters'], exactScale(1n, 1000n), { L: 1 }],
  [['μm', 'µm', 'um'], exactScale(1n, 1000000n), { L: 1 }],
  [['mi', 'mile', 'miles'], decimalScale('1609.344'), { L: 1 }],
  [['yd', 'yard', 'yards'], decimalScale('0.9144'), { L: 1 }],
  [['ft', 'foot', 'feet'], decimalScale('0.3048'), { L: 1 }],
  [['in', 'inch', 'inches'], decimalScale('0.0254'), { L: 1 }],
  [['ha', 'hectare', 'hectares'], exactScale(10000n), { L: 2 }],
  [['l', 'L', 'litre', 'litres', 'liter', 'liters'], exactScale(1n, 1000n), { L: 3 }],
  [['ml', 'mL', 'millilitre', 'millilitres', 'milliliter', 'milliliters'], exactScale(1n, 1000000n), { L: 3 }],
  [['cl', 'cL', 'centilitre', 'centilitres'], exactScale(1n, 100000n), { L: 3 }],
  [['kg', 'kilogram', 'kilograms'], exactScale(1n), { M: 1 }],
  [['g', 'gram', 'grams'], exactScale(1n, 1000n), { M: 1 }],
  [['mg', 'milligram', 'milligrams'], exactScale(1n, 1000000n), { M: 1 }],
  [['t', 'tonne', 'tonnes'], exactScale(1000n), { M: 1 }],
  [['lb', 'lbs', 'pound', 'pounds'], decimalScale('0.45359237'), { M: 1 }],
  [['oz', 'ounce', 'ounces'], decimalScale('0.028349523125'), { M: 1 }],
  [['s', 'sec', 'second', 'seconds'], exactScale(1n), { T: 1 }],
  [['ms', 'millisecond', 'milliseconds'], exactScale(1n, 1000n), { T: 1 }],
  [['min', 'mins', 'minute', 'minutes'], exactScale(60n), { T: 1 }],
  [['h', 'hr', 'hrs', 'hour', 'hours'], exactScale(3600n), { T: 1 }],
  [['day', 'days'], exactScale(86400n), { T: 1 }],
  [['week', 'weeks'], exactScale(604800n), { T: 1 }],
  [['mph'], { exact: Q.div(Q.fromDecimal('1609.344'), Q.fromInt(3600)), approx: 1609.344 / 3600 }, { L: 1, T: -1 }],
  [['°', 'deg', 'degree', 'degrees'], exactScale(1n), { A: 1 }],
  [['rad', 'radian', 'radians'], { exact: null, approx: 180 / Math.PI }, { A: 1 }],
  [['£'], exactScale(1n), { GBP: 1 }],
  [['p', 'pence'], exactScale(1n, 100n), { GBP: 1 }],
  [['$'], exactScale(1n), { USD: 1 }],
];

const UNITS: ReadonlyMap<string, UnitDef> = new Map(
  DEFS.flatMap(([names, scale, dims]) => names.map((n) => [n, { scale, dims }] as [string, UnitDef])),
);
const DIMENSIONLESS: Quantity = { value: exactScale(1n), unitScale: exactScale(1n), dims: {} };
const DEGREE: Quantity = { value: exactScale(1n), unitScale: exactScale(1n), dims: { A: 1 } };

export function isUnitName(text: string): boolean {
  return UNITS.has(text.trim());
}

// ---- value and quantity arithmetic -------------------------------------------

function vmul(a: Value, b: Value): Value {
  return { exact: a.exact && b.exact ? Q.mul(a.exact, b.exact) : null, approx: a.approx * b.approx };
}
function vdiv(a: Value, b: Value): Value {
  if (b.approx === 0 && (!b.exact || Q.isZero(b.exact))) fail('undefined', 'division by zero');
  return { exact: a.exact && b.exact ? Q.div(a.exact, b.exact) : null, approx: a.approx / b.approx };
}
function vpow(a: Value, n: number): Value {
  let exact: Q.Rational | null = null;
  try {
    exact = a.exact ? Q.powInt(a.exact, BigInt(n)) : null;
  } catch (e) {
    if (!(e instanceof Q.TooBigError)) throw e;
  }
  return { exact, approx: Math.pow(a.approx, n) };
}

function combine(a: Dims, b: Dims, sign: 1 | -1): Dims {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const n = (out[k] ?? 0) + sign * v;
    if (n === 0) delete out[k];
    else out[k] = n;
  }
  return out;
}

export function sameDims(a: Dims, b: Dims): boolean {
  const ka = Object.keys(a).filter((k) => a[k] !== 0);
  const kb = Object.keys(b).filter((k) => b[k] !== 0);
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

function qmul(a: Quantity, b: Quantity): Quantity {
  return { value: vmul(a.value, b.value), unitScale: vmul(a.unitScale, b.unitScale), dims: combine(a.dims, b.dims, 1) };
}
function qdiv(a: Quantity, b: Quantity): Quantity {
  return {
    value: vdiv(a.value, b.value),
    unitScale: vdiv(a.unitScale, b.unitScale),
    dims: combine(a.dims, b.dims, -1),
  };
}
function unitQuantity(def: UnitDef): Quantity {
  return { value: def.scale, unitScale: def.scale, dims: def.dims };
}
function dimensionless(v: Value): Quantity {
  return { value: v, unitScale: DIMENSIONLESS.unitScale, dims: {} };
}

// ---- unit text such as "km", "m/s", "m\,s^{-1}", "cm^3" --------------------------

function lookup(name: string): UnitDef {
  const def = UNITS.get(name);
  if (!def) fail('unknown-unit', `unknown unit "${name}"`);
  return def;
}

function parseUnitText(raw: string): Quantity {
  const text = raw
    .replace(/\\(?:[,;: !]|quad)/g, ' ')
    .replace(/\\(?:cdot|times)/g, '*')
    .replace(/\\(?:circ|degree)/g, '°')
    .replace(/\\mu\s*/g, 'μ')
    .replace(/\\(?:pounds|textsterling)/g, '£')
    .replace(/\\\$/g, '$');
  if (/\\/.test(text)) fail('unknown-unit', `unknown unit "${raw}"`);
  const re = /\s*(?:([A-Za-zμµ°£$]+)(?:\s*\^\s*(?:\{\s*(-?\d{1,2})\s*\}|(-?\d)))?|([/*.·])|(\S))/gy;
  let q = DIMENSIONLESS;
  let inDenominator = false;
  let sawUnit = false;
  for (let m = re.exec(text); m !== null && m[0] !== ''; m = re.exec(text)) {
    if (m[5] !== undefined) fail('unknown-unit', `unknown unit "${raw}"`);
    if (m[4] !== undefined) {
      if (m[4] === '/') {
        if (inDenominator) fail('unknown-unit', `unknown unit "${raw}"`);
        inDenominator = true;
      }
      continue;
    }
    const name = m[1] as string;
    const power = Number(m[2] ?? m[3] ?? '1');
    const u = qpowInt(unitQuantity(lookup(name)), power);
    q = inDenominator ? qdiv(q, u) : qmul(q, u);
    sawUnit = true;
  }
  if (!sawUnit) fail('unknown-unit', `unknown unit "${raw}"`);
  return q;
}

function qpowInt(q: Quantity, n: number): Quantity {
  if (!Number.isInteger(n) || Math.abs(n) > 12) fail('unknown-unit', 'unit powers are limited to ±12');
  const dims: Record<string, number> = {};
  for (const [k, v] of Object.entries(q.dims)) dims[k] = v * n;
  return { value: vpow(q.value, n), unitScale: vpow(q.unitScale, n), dims };
}

// ---- quantities from parsed trees ----------------------------------------------

/** Does the tree carry a unit outside function arguments (so it reads as a quantity)? */
export function hasUnit(node: Node): boolean {
  switch (node.type) {
    case 'unit':
    case 'deg':
      return true;
    case 'text':
      return isUnitName(node.text);
    case 'neg':
      return hasUnit(node.arg);
    case 'add':
      return node.terms.some(hasUnit);
    case 'mul':
      return node.factors.some(hasUnit);
    case 'div':
      return hasUnit(node.num) || hasUnit(node.den);
    case 'pow':
      return hasUnit(node.base);
    default:
      return false;
  }
}

/** Split a run of single letters ("km", "kgm") into known unit names, longest first. */
function segmentLetters(run: string): string[] | null {
  if (run === '') return [];
  for (let len = Math.min(run.length, 6); len >= 1; len--) {
    const head = run.slice(0, len);
    if (UNITS.has(head)) {
      const rest = segmentLetters(run.slice(len));
      if (rest) return [head, ...rest];
    }
  }
  return null;
}

/** A single letter typed after a number; i counts (in, mi, min) although it is the imaginary unit elsewhere. */
function letterOf(node: Node): string | null {
  if (node.type === 'const' && node.name === 'i') return 'i';
  return node.type === 'sym' && /^[A-Za-z]$/.test(node.name) ? node.name : null;
}

/** Evaluates a tree as a quantity; bare letters are read as unit symbols (8m, 5 km/h). */
export function quantityOf(node: Node, depth = 0): Quantity {
  if (depth > LIMITS.maxParseDepth) fail('too-deep', 'the answer is nested too deeply');
  switch (node.type) {
    case 'unit':
      return parseUnitText(node.text);
    case 'text':
      return parseUnitText(node.text);
    case 'sym': {
      const def = UNITS.get(node.name);
      if (!def) fail('unknown-unit', `unknown unit "${node.name}"`);
      return unitQuantity(def);
    }
    case 'deg':
      return qmul(quantityOf(node.arg, depth + 1), DEGREE);
    case 'neg': {
      const q = quantityOf(node.arg, depth + 1);
      return { ...q, value: vmul(q.value, exactScale(-1n)) };
    }
    case 'add': {
      const parts = node.terms.map((t) => quantityOf(t, depth + 1));
      const first = parts[0] as Quantity;
      let value = first.value;
      for (const p of parts.slice(1)) {
        if (!sameDims(first.dims, p.dims)) fail('unit-mismatch', 'adding quantities of different kinds');
        value = {
          exact: value.exact && p.value.exact ? Q.add(value.exact, p.value.exact) : null,
          approx: value.approx + p.value.approx,
        };
      }
      return { ...first, value };
    }
    case 'mul':
      return mulFactors(node.factors, depth);
    case 'div':
      return qdiv(quantityOf(node.num, depth + 1), quantityOf(node.den, depth + 1));
    case 'pow': {
      if (!hasUnit(node.base) && letterOf(node.base) === null) return dimensionless(constantValue(node));
      const e = constantValue(node.exp);
      if (!e.exact || !Q.isInteger(e.exact)) fail('unknown-unit', 'unit powers must be whole numbers');
      return qpowInt(quantityOf(node.base, depth + 1), Number(e.exact.n));
    }
    default:
      return dimensionless(constantValue(node));
  }
}

function mulFactors(factors: Node[], depth: number): Quantity {
  let q = DIMENSIONLESS;
  let run = '';
  const flush = (power: number): void => {
    if (run === '') return;
    const names = segmentLetters(run);
    if (!names) fail('unknown-unit', `unknown unit "${run}"`);
    names.forEach((name, i) => {
      const u = unitQuantity(lookup(name));
      q = qmul(q, i === names.length - 1 ? qpowInt(u, power) : u);
    });
    run = '';
  };
  for (const f of factors) {
    const letter = letterOf(f);
    if (letter !== null) {
      run += letter;
      continue;
    }
    if (f.type === 'pow' && letterOf(f.base) !== null) {
      run += letterOf(f.base) as string;
      const e = constantValue(f.exp);
      if (!e.exact || !Q.isInteger(e.exact)) fail('unknown-unit', 'unit powers must be whole numbers');
      flush(Number(e.exact.n));
      continue;
    }
    flush(1);
    q = qmul(q, quantityOf(f, depth + 1));
  }
  flush(1);
  return q;
}
