/** Tree-walking evaluator for parsed expressions. Comparisons and logic yield 1 or 0, as in exprtk. */
import type { Node } from './parse.ts';

const truth = (x: number): boolean => x !== 0 && !Number.isNaN(x);
const bool = (b: boolean): number => (b ? 1 : 0);

export function evaluateNode(node: Node, slots: readonly number[]): number {
  switch (node.type) {
    case 'num':
      return node.value;
    case 'var':
      return slots[node.slot] ?? 0;
    case 'unary': {
      const a = evaluateNode(node.arg, slots);
      return node.op === '-' ? -a : node.op === '+' ? a : bool(!truth(a));
    }
    case 'ternary':
      return truth(evaluateNode(node.cond, slots))
        ? evaluateNode(node.whenTrue, slots)
        : evaluateNode(node.whenFalse, slots);
    case 'call':
      return node.fn(node.args.map((a) => evaluateNode(a, slots)));
    case 'binary': {
      const a = evaluateNode(node.left, slots);
      const b = evaluateNode(node.right, slots);
      switch (node.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a % b;
        case '^':
          return a ** b;
        case '<':
          return bool(a < b);
        case '<=':
          return bool(a <= b);
        case '>':
          return bool(a > b);
        case '>=':
          return bool(a >= b);
        case '==':
          return bool(a === b);
        case '!=':
          return bool(a !== b);
        case '&&':
          return bool(truth(a) && truth(b));
        case '||':
          return bool(truth(a) || truth(b));
        default:
          return Number.NaN;
      }
    }
  }
}
