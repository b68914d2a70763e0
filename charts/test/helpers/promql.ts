import { parser } from '@prometheus-io/lezer-promql';

export interface ParsedQuery {
  /** Syntax errors, each with the text around it; empty when the expression parses. */
  readonly errors: string[];
  /** Metric names of every vector selector. */
  readonly metrics: string[];
}

/** Parses PromQL with Prometheus' own grammar (the one its UI uses). */
export function parsePromQL(expression: string): ParsedQuery {
  const tree = parser.parse(expression);
  const errors: string[] = [];
  const metrics: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at ${String(node.from)}: …${expression.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
      if (node.name === 'VectorSelector') {
        const name = node.node.getChild('Identifier');
        if (name) metrics.push(expression.slice(name.from, name.to));
      }
    },
  });
  return { errors, metrics };
}

// Grafana's variables, replaced by what they expand to so the rest parses as plain PromQL.
const GRAFANA_VARIABLES: [RegExp, string][] = [
  [/\$__rate_interval|\$__interval|\$__range/g, '5m'],
  [/\$\{?\w+\}?/g, '.*'],
];

export function withoutGrafanaVariables(expression: string): string {
  return GRAFANA_VARIABLES.reduce((text, [pattern, value]) => text.replace(pattern, value), expression);
}
