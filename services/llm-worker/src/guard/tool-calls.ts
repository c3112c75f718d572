/**
 * The guard on the model's calls of the caller's functions (decision 0016). Their arguments are
 * the caller's to define (an address, a query, a document), so the reply guard's similarity
 * scoring does not apply to them: it would refuse legitimate calls that quote the conversation.
 * What is still caught is a call that carries the prompt itself: the whole initial prompt
 * verbatim (whitespace and case aside) in the arguments or in any string inside them, or the
 * canary.
 */
import type { ToolCall } from '@lab/contracts';

const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/** Every string inside a JSON value (the arguments decoded), and the raw text itself. */
function texts(raw: string): string[] {
  const found = [raw];
  const walk = (value: unknown) => {
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  try {
    walk(JSON.parse(raw));
  } catch {
    // not JSON: the raw text alone
  }
  return found;
}

export function toolCallsLeak(
  calls: readonly ToolCall[],
  initialPrompt: string,
  canary?: string,
): boolean {
  const prompt = flat(initialPrompt);
  const mark = canary?.toLowerCase();
  return calls.some((call) => {
    const found = texts(call.function.arguments).map(flat);
    return found.some(
      (text) =>
        (prompt.length > 0 && text.includes(prompt)) || (mark !== undefined && text.includes(mark)),
    );
  });
}
