import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

// Functions taking a range vector, and which argument it is.
const RANGE_ARGUMENT: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    [
      'rate',
      'irate',
      'increase',
      'delta',
      'idelta',
      'deriv',
      'changes',
      'resets',
      'predict_linear',
      'holt_winters',
      'double_exponential_smoothing',
      'avg_over_time',
      'min_over_time',
      'max_over_time',
      'sum_over_time',
      'count_over_time',
      'stddev_over_time',
      'stdvar_over_time',
      'last_over_time',
      'present_over_time',
      'absent_over_time',
      'mad_over_time',
    ].map((name) => [name, 0]),
  ),
  quantile_over_time: 1,
};
// Nodes that keep the type of what they wrap.
const TRANSPARENT = new Set(['ParenExpr', 'OffsetExpr', 'StepInvariantExpr']);

/**
 * Why Prometheus would not parse this PromQL expression, or undefined. Parsed with Prometheus'
 * own grammar (@prometheus-io/lezer-promql, the one its web UI uses), plus the one type check
 * people trip over most: a range function given an instant vector (`rate(up)`). Other type
 * errors surface as ConfigApplied=False when Prometheus loads the rules.
 */
export function promqlProblem(expression: string): string | undefined {
  if (expression.trim() === '') return 'the expression is empty';
  const tree = parser.parse(expression);
  let problem: string | undefined;
  tree.iterate({
    enter: (node) => {
      if (problem !== undefined) return false;
      if (node.type.isError) {
        problem = `syntax error at character ${String(node.from + 1)}: …${expression.slice(Math.max(0, node.from - 15), node.from + 15)}…`;
        return false;
      }
      if (node.name === 'FunctionCall') problem = rangeArgumentProblem(node.node, expression);
      return undefined;
    },
  });
  return problem;
}

function rangeArgumentProblem(call: SyntaxNode, expression: string): string | undefined {
  const identifier = call.getChild('FunctionIdentifier');
  const name = identifier ? expression.slice(identifier.from, identifier.to) : '';
  const index = RANGE_ARGUMENT[name];
  if (index === undefined) return undefined;
  const body = call.getChild('FunctionCallBody');
  const args: SyntaxNode[] = [];
  for (let child = body?.firstChild ?? null; child; child = child.nextSibling) {
    if (child.type.isError) return undefined;
    if (child.name !== '(' && child.name !== ')' && child.name !== ',') args.push(child);
  }
  let argument = args[index];
  while (argument && TRANSPARENT.has(argument.name)) argument = argument.firstChild ?? undefined;
  if (!argument || argument.name === 'MatrixSelector' || argument.name === 'SubqueryExpr') return undefined;
  return `${name}() needs a range vector such as metric[5m] as argument ${String(index + 1)}`;
}
