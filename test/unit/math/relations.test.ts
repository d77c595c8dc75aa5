// Equations, inequalities, points and lists/sets of roots, with our own examples.
import { describe, it } from 'vitest';
import { differ, same } from './helpers.js';

describe('equations', () => {
  it('are equal when one is a non-zero multiple of the other', () => {
    same('y=2x-7', '2x-7=y');
    same('y=2x-7', 'y-2x=-7');
    same('y=2x-7', '2x-y=7'); // multiplied by -1
    same('y=2x-7', '3y=6x-21');
    same('y=\\frac{1}{2}x+3', '2y=x+6');
    same('x^2+y^2=16', '16=y^2+x^2');
    same('2x+1=9', '2x=8');
  });

  it('are different when the lines differ', () => {
    differ('y=2x-7', 'y=7x-2');
    differ('y=2x-7', 'y=2x+7');
    differ('3x+y=6', 'x+3y=6');
    differ('y=x^2', 'y=2x');
  });

  it('need an equation in answer', () => {
    differ('y=2x-7', '2x-7', 'kind-mismatch');
    differ('y=2x-7', 'y<2x-7', 'kind-mismatch');
  });
});

describe('solved equations are roots', () => {
  it('accept the value with or without the variable', () => {
    same('x=5', '5=x');
    same('x=5', '5');
    same('x=5', 'x=\\frac{10}{2}');
    differ('x=5', '2x=10', 'not-solved');
    differ('x=5', 'y=5');
    differ('x=5', 'x=-5');
  });
});

describe('inequalities', () => {
  it('keep strictness and direction, in either orientation', () => {
    same('x>4', '4<x');
    same('x\\geq-2', '-2\\leq x');
    same('x\\ge-2', 'x>=-2'); // plain text
    same('x\\leqslant 1', 'x≤1');
    differ('x>4', 'x\\geq4');
    differ('x>4', 'x<4');
    differ('x\\geq-2', 'x\\leq-2');
  });

  it('compare double inequalities as both bounds', () => {
    same('-1<x\\leq6', '6\\geq x>-1');
    same('-1<x\\leq6', 'x>-1, x\\leq6');
    differ('-1<x\\leq6', '-1\\leq x\\leq6');
    differ('-1<x\\leq6', '-1<x<6');
    differ('-1<x\\leq6', 'x>-1');
  });

  it('require a solved answer when the expected one is solved', () => {
    differ('x<3', '2x<6', 'not-solved');
    differ('x<3', '-x>-3', 'not-solved');
  });

  it('accept positive multiples when the expected one is not solved', () => {
    same('y<2x+1', '2x+1>y');
    same('y<2x+1', 'y-2x<1');
    same('y<2x+1', '2y<4x+2');
    same('x+y\\geq5', '-x-y\\leq-5'); // multiplied by -1 with the sign flipped
    differ('y<2x+1', 'y>2x+1');
    differ('x+y\\geq5', '-x-y\\geq-5'); // multiplied by -1 without flipping
  });

  it('handle ≠', () => {
    same('x\\neq2', '2\\ne x');
    differ('x\\neq2', 'x=2');
  });
});

describe('points', () => {
  it('compare coordinates in order', () => {
    same('(3,-7)', '\\left(3,-7\\right)');
    same('\\left(\\frac{1}{4},2\\right)', '(0.25, 2)');
    same('(3,-7)', '3, -7');
    same('(a, 2a)', '(a, a+a)');
    same('(1,2,3)', '(1, 2, 3)');
    differ('(3,-7)', '(-7,3)');
    differ('(3,-7)', '(3,7)');
    differ('(3,-7)', '(3,-7,0)');
    differ('(3,-7)', '3', 'kind-mismatch');
  });
});

describe('lists, sets and roots', () => {
  it('ignore the order of roots', () => {
    same('x=6, x=-2', '-2, 6');
    same('x=6, x=-2', 'x=-2, x=6');
    same('x=6, x=-2', 'x=-2 \\text{ or } x=6');
    same('x=6, x=-2', 'x=-2 or x=6');
    same('x=6, x=-2', '\\{-2, 6\\}');
    differ('x=6, x=-2', '6, 2');
    differ('x=6, x=-2', '6');
    differ('x=6, x=-2', '6, -2, 1');
  });

  it('expand ± into both roots', () => {
    same('x=\\pm5', 'x=5, x=-5');
    same('x=\\pm5', '-5, 5');
    same('x=2\\pm\\sqrt{3}', 'x=2+\\sqrt3, x=2-\\sqrt3');
    same('x=\\frac{1\\pm\\sqrt{5}}{2}', '\\frac{1-\\sqrt{5}}{2}, \\frac{1+\\sqrt{5}}{2}');
    same('x=-5, x=5', 'x=\\pm5');
    same('x=\\pm5', 'x=+-5'); // plain text
    same('x=\\pm5', 'x = +/- 5');
    differ('x=\\pm5', '5');
    differ('x=\\pm5', 'x=\\pm 4');
    differ('7', '\\pm7', 'kind-mismatch');
  });

  it('count a repeated root once, but keep repeats in a list of numbers', () => {
    same('x=3', 'x=3, x=3');
    differ('1, 1, 2', '1, 2');
    same('1, 1, 2', '2, 1, 1');
  });

  it('match each variable when several are named', () => {
    same('x=2, y=-1', 'y=-1, x=2');
    differ('x=2, y=-1', 'x=-1, y=2');
    differ('x=2, y=-1', '2, -1');
  });

  it('treat sets as sets', () => {
    same('\\{2,4,6\\}', '\\{6,4,2\\}');
    same('\\{2,4,6\\}', '\\{2,2,4,6\\}');
    differ('\\{2,4,6\\}', '\\{2,4\\}');
  });

  it('compare lists of words', () => {
    same('\\text{kite}, \\text{rhombus}', 'rhombus, Kite');
    differ('\\text{kite}, \\text{rhombus}', 'kite, square');
  });

  it('compare lists of expressions and points item by item', () => {
    same('x+1, x-1', 'x-1, x+1');
    same('(1,2), (3,4)', '(3,4), (1,2)');
    differ('(1,2), (3,4)', '(2,1), (4,3)');
  });
});
