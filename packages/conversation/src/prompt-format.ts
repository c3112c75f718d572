/**
 * The two request shapes an assistant's turn can take (seed 001, lesson 6). The rest of the
 * platform keeps one conversation format (initial prompt + thread); this module owns turning it
 * into a chat-completions message list or into the single prompt string of the legacy completion
 * endpoint, and reading a completion back, so nothing else has to know which endpoint a model uses.
 *
 * The completion transcript follows GPT Lab's layout
 *
 *     initial prompt + stop_sequence + AI response 1 + restart_sequence + user message 1
 *       + stop_sequence + AI response 2 + restart_sequence + … + user message N + stop_sequence
 *
 * with readable markers: the seed's stop_sequence (which ends the prompt or a user turn and hands
 * over to the AI) is `STOP_SEQUENCE` = "\n\nAI:", and its restart_sequence (which ends an AI turn
 * and restarts the user's) is `RESTART_SEQUENCE` = "\n\nHuman:". Each marker is followed by one
 * space and the message. The prompt always ends with `STOP_SEQUENCE`, so the model writes the AI
 * reply next; both markers are passed as the API's `stop`, so generation ends where the model would
 * start writing the user's next turn (or a second AI turn) instead of inventing the conversation.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ThreadMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * The conversation carried between turns: an optional running summary (coach sessions that were
 * condensed) and the recent messages. The initial prompt is not part of it; it is added when a
 * request is built, so it is never stored with the session's messages.
 */
export interface Thread {
  summary: string | null;
  messages: ThreadMessage[];
}

/** Ends the prompt or a user turn; the AI's reply follows it (GPT Lab's stop_sequence). */
export const STOP_SEQUENCE = '\n\nAI:';
/** Ends an AI turn; the user's next message follows it (GPT Lab's restart_sequence). */
export const RESTART_SEQUENCE = '\n\nHuman:';
export const SUMMARY_PREFIX = 'Summary of the conversation so far: ';

/** System initial prompt, then the summary (if any) as a second system message, then the thread. */
export function toChatMessages(initialPrompt: string, thread: Thread): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: initialPrompt }];
  if (thread.summary !== null) {
    messages.push({ role: 'system', content: SUMMARY_PREFIX + thread.summary });
  }
  for (const message of thread.messages) messages.push({ ...message });
  return messages;
}

/**
 * The legacy completion request for a thread. Message text cannot forge a turn: a marker inside a
 * message loses its blank line ("\n\nAI:" becomes "\nAI:"), so the only markers in the prompt are
 * the ones this function writes.
 */
export function toCompletionPrompt(
  initialPrompt: string,
  thread: Thread,
): { prompt: string; stop: string[] } {
  let prompt = neutralise(initialPrompt);
  if (thread.summary !== null) prompt += `\n\n${SUMMARY_PREFIX}${neutralise(thread.summary)}`;
  for (const message of thread.messages) {
    const marker = message.role === 'assistant' ? STOP_SEQUENCE : RESTART_SEQUENCE;
    prompt += `${marker} ${neutralise(message.content)}`;
  }
  prompt += STOP_SEQUENCE;
  return { prompt, stop: [RESTART_SEQUENCE, STOP_SEQUENCE] };
}

/**
 * The AI reply in a completion: cut at the first marker that still appears (a provider that
 * ignored `stop`, or a mock) and trimmed.
 */
export function parseCompletion(text: string): string {
  let end = text.length;
  for (const marker of [RESTART_SEQUENCE, STOP_SEQUENCE]) {
    const at = text.indexOf(marker);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end).trim();
}

// The blank line that starts RESTART_SEQUENCE and STOP_SEQUENCE, when their word follows it.
const MARKER = /\n\n(?=Human:|AI:)/;
const MARKERS = /\n\n(?=Human:|AI:)/g;

function neutralise(text: string): string {
  let out = text;
  // Repeat: removing one newline of "\n\n\nAI:" leaves "\n\nAI:".
  while (MARKER.test(out)) out = out.replace(MARKERS, '\n');
  return out;
}
