// The LaTeX command allowlist. Anything not listed here is refused before parsing;
// the forbidden list only decides which refusals are logged as hostile.

/** TeX primitives and macros that read files, define macros, emit links or raw output. */
export const FORBIDDEN_COMMANDS: ReadonlySet<string> = new Set([
  'input', 'include', 'includeonly', 'InputIfFileExists', 'openin', 'openout', 'read', 'readline',
  'write', 'immediate', 'special', 'def', 'edef', 'gdef', 'xdef', 'let', 'futurelet', 'newcommand',
  'renewcommand', 'providecommand', 'DeclareMathOperator', 'newenvironment', 'renewenvironment',
  'catcode', 'csname', 'endcsname', 'expandafter', 'noexpand', 'usepackage', 'documentclass',
  'href', 'url', 'includegraphics', 'html', 'htmlClass', 'htmlId', 'htmlStyle', 'htmlData',
  'class', 'cssId', 'style', 'require', 'loop', 'repeat', 'jobname', 'lowercase', 'uppercase',
  'string', 'char', 'mathchar', 'directlua', 'verb', 'begin', 'end', 'newif', 'count', 'dimen',
]);

export type CommandRole =
  | 'space' // spacing and style switches: ignored
  | 'raw' // takes a raw {…} argument: \text, \mathrm, \operatorname
  | 'group' // style wrapper whose {…} argument is parsed as math
  | 'const'
  | 'greek'
  | 'fn'
  | 'frac'
  | 'sqrt'
  | 'binom'
  | 'left'
  | 'right'
  | 'op' // maps to an operator symbol
  | 'recurring' // \overline, \bar, \dot: only valid inside a decimal
  | 'placeholder';

const entries: Array<[CommandRole, string[]]> = [
  ['space', ['quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'negthinspace',
    'negmedspace', 'negthickspace', 'displaystyle', 'textstyle', 'scriptstyle', 'nobreak', 'allowbreak']],
  ['raw', ['text', 'textrm', 'textnormal', 'textup', 'textit', 'textbf', 'mbox', 'mathrm', 'operatorname', 'mathup']],
  ['group', ['mathit', 'mathbf', 'mathsf', 'mathtt', 'boldsymbol', 'bm', 'mathnormal']],
  ['const', ['pi', 'exponentialE']],
  ['greek', ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta',
    'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'rho', 'varrho', 'sigma', 'varsigma', 'tau', 'upsilon', 'phi',
    'varphi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Sigma', 'Upsilon', 'Phi',
    'Psi', 'Omega']],
  ['fn', ['sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'cosec', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh',
    'tanh', 'ln', 'log', 'lg', 'exp']],
  ['frac', ['frac', 'dfrac', 'tfrac', 'cfrac']],
  ['sqrt', ['sqrt']],
  ['binom', ['binom', 'dbinom', 'tbinom']],
  ['left', ['left', 'mleft', 'bigl', 'Bigl', 'biggl', 'Biggl', 'big', 'Big', 'bigg', 'Bigg']],
  ['right', ['right', 'mright', 'bigr', 'Bigr', 'biggr', 'Biggr']],
  ['op', ['cdot', 'times', 'ast', 'div', 'pm', 'mp', 'le', 'leq', 'leqslant', 'ge', 'geq', 'geqslant', 'lt', 'gt',
    'ne', 'neq', 'circ', 'degree', 'lbrace', 'rbrace', 'lbrack', 'rbrack', 'lparen', 'rparen', 'vert', 'lvert',
    'rvert', 'mid', 'lor', 'vee', 'pounds', 'textsterling', 'colon']],
  ['recurring', ['overline', 'bar', 'dot']],
  ['placeholder', ['placeholder']],
];

export const COMMANDS: ReadonlyMap<string, CommandRole> = new Map(
  entries.flatMap(([role, names]) => names.map((n) => [n, role] as [string, CommandRole])),
);

/** Operator commands mapped to the lexer's operator symbols. */
export const OP_COMMANDS: Readonly<Record<string, string>> = {
  cdot: '*', times: '*', ast: '*', div: '÷', pm: '±', mp: '∓',
  le: '<=', leq: '<=', leqslant: '<=', ge: '>=', geq: '>=', geqslant: '>=', lt: '<', gt: '>',
  ne: '!=', neq: '!=', circ: '°', degree: '°',
  lbrace: '\\{', rbrace: '\\}', lbrack: '[', rbrack: ']', lparen: '(', rparen: ')',
  vert: '|', lvert: '|', rvert: '|', mid: '|', lor: 'or', vee: 'or', pounds: '£', textsterling: '£', colon: ':',
};
