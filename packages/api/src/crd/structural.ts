/**
 * Turns the JSON Schema zod emits (OpenAPI 3.0 target) into a Kubernetes structural schema:
 * a `type` on every node, no `$ref`, no `additionalProperties` beside `properties`, int-or-string
 * in the form the API server wants. Anything it cannot convert is an error at generation time,
 * not a CRD the API server rejects later.
 */

export type JSONSchema = Record<string, unknown>;

const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;
const DROPPED_KEYWORDS = new Set(['$schema', 'id', 'title', 'examples']);

export function toStructuralSchema(schema: JSONSchema, path = '(root)'): JSONSchema {
  if ('$ref' in schema || '$defs' in schema || 'definitions' in schema) {
    throw new Error(`${path}: references cannot appear in a structural schema; inline the schema`);
  }
  if (schema['x-kubernetes-int-or-string'] === true) return intOrString(schema);

  const out: JSONSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties':
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, JSONSchema>).map(([name, child]) => [name, toStructuralSchema(child, `${path}.${name}`)]),
        );
        break;
      case 'items':
        out[key] = toStructuralSchema(value as JSONSchema, `${path}[]`);
        break;
      case 'additionalProperties':
        // `false` is how zod says "strict": Kubernetes prunes unknown fields anyway, and
        // forbids additionalProperties next to properties.
        if (typeof value === 'object' && value !== null && !('properties' in schema)) {
          out[key] = toStructuralSchema(value as JSONSchema, `${path}.*`);
        }
        break;
      case 'propertyNames':
        break;
      case 'minimum':
      case 'maximum':
        if (Math.abs(value as number) < SAFE_INTEGER_BOUND) out[key] = value;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        throw new Error(`${path}: ${key} is not supported in generated CRDs; model the field without a union`);
      default:
        out[key] = value;
    }
  }
  if (out.type === undefined) {
    throw new Error(`${path}: every node of a structural schema needs a type`);
  }
  return withLeadingKeys(out, ['description', 'type']);
}

/** Description and type first, so the generated YAML reads like hand-written CRDs. */
function withLeadingKeys(schema: JSONSchema, leading: readonly string[]): JSONSchema {
  const ordered: JSONSchema = {};
  for (const key of leading) if (key in schema) ordered[key] = schema[key];
  return Object.assign(ordered, schema);
}

function intOrString(schema: JSONSchema): JSONSchema {
  const out: JSONSchema = {};
  if (schema.description !== undefined) out.description = schema.description;
  Object.assign(out, { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] });
  for (const key of ['pattern', 'default'] as const) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  return out;
}
