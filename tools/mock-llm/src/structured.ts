/**
 * Structured output, as the real API gives it: with `response_format: json_object` the reply is
 * a JSON object; with `json_schema` a JSON value that follows the schema (the subset that strict
 * mode allows: objects with properties, arrays, strings, numbers, booleans, null, enums, consts,
 * `anyOf`, local `$ref`s). Values are deterministic: strings take words of the reply the mock
 * would have given, so a test can tell requests apart.
 */

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema a local `$ref` (`#/$defs/x`, `#/definitions/x`, `#`) points to. */
function resolve(root: Schema, ref: string): Schema {
  if (ref === '#') return root;
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : {};
}

/** A value that follows `schema`, its strings taken from `words` in turn. */
export function instanceOf(root: Schema, words: string[]): unknown {
  let next = 0;
  const word = () => words[next++ % Math.max(1, words.length)] ?? 'mock';
  const build = (schema: Schema, depth: number): unknown => {
    if (depth > MAX_DEPTH) return null;
    if (typeof schema.$ref === 'string') return build(resolve(root, schema.$ref), depth + 1);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
    const choices = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(choices) && choices.length > 0) {
      const first: unknown =
        (choices as unknown[]).find((c) => isSchema(c) && c.type !== 'null') ?? choices[0];
      return build(isSchema(first) ? first : {}, depth + 1);
    }
    const types: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const type: unknown = types.find((t) => t !== 'null') ?? types[0];
    switch (type) {
      case 'object': {
        const properties = isSchema(schema.properties) ? schema.properties : {};
        return Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [
            name,
            build(isSchema(property) ? property : {}, depth + 1),
          ]),
        );
      }
      case 'array': {
        const min = typeof schema.minItems === 'number' ? Math.min(schema.minItems, 8) : 1;
        const items = isSchema(schema.items) ? schema.items : {};
        return Array.from({ length: Math.max(1, min) }, () => build(items, depth + 1));
      }
      case 'integer':
        return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
      case 'number':
        return typeof schema.minimum === 'number' ? schema.minimum : 1;
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'string':
        return word();
      default:
        return word();
    }
  };
  return build(root, 0);
}

/** The reply text in the request's format (`text` unchanged). */
export function formatReply(format: ResponseFormat, reply: string): string {
  if (format.type === 'text') return reply;
  if (format.type === 'json_object') return JSON.stringify({ reply });
  const words = reply.split(/\s+/).filter((w) => /^[\p{L}\p{N}'-]+$/u.test(w));
  return JSON.stringify(instanceOf(format.schema, words));
}
