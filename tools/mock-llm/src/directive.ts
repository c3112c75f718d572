/**
 * Inline directives: `[[mock {"fault":"rate_limit","retryAfter":1}]]` anywhere in the last user
 * message (chat) or the prompt (completions). The JSON object takes the fields of a
 * `MockBehaviour`; the directive is removed from the text the reply is made from.
 */
import { validateBehaviour } from './validate';
import type { MockBehaviour } from './types';

/** `[[mock` followed by whitespace or the JSON object (so `[[mocking]]` is plain text). */
const OPEN = /\[\[mock(?=[\s{])/;

export type DirectiveResult =
  | { found: false }
  | { found: true; behaviour: MockBehaviour; text: string }
  | { found: true; error: string };

/** End (exclusive) of the JSON object starting at `start` (a `{`), or -1 when unbalanced. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Finds and parses the first directive of `text`. */
export function parseDirective(text: string): DirectiveResult {
  const at = text.search(OPEN);
  if (at === -1) return { found: false };
  let i = at + '[[mock'.length;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  if (text[i] !== '{') return { found: true, error: 'expected a JSON object after "[[mock"' };
  const end = objectEnd(text, i);
  if (end === -1) return { found: true, error: 'unterminated JSON object' };
  let close = end;
  while (close < text.length && /\s/.test(text[close] ?? '')) close++;
  if (!text.startsWith(']]', close)) return { found: true, error: 'missing "]]" after the JSON' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(i, end));
  } catch (e) {
    return { found: true, error: (e as Error).message };
  }
  const checked = validateBehaviour(parsed, false);
  if (typeof checked === 'string') return { found: true, error: checked };
  // The two sides are joined with one space, so `a [[mock {}]] b` reads `a b`.
  const before = text.slice(0, at).replace(/\s+$/, '');
  const after = text.slice(close + 2).replace(/^\s+/, '');
  return {
    found: true,
    behaviour: checked,
    text: before && after ? `${before} ${after}` : before + after,
  };
}
