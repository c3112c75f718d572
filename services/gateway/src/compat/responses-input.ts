/**
 * A Responses request read as the chat-completions request it means (decision 0020): `input`
 * items become messages (`function_call` items an assistant's `tool_calls`, a
 * `function_call_output` a `tool` message), `instructions` a system message in front, flat tools
 * wrapped, `text.format` a `response_format`, `max_output_tokens` the output cap. The result goes
 * through the chat-completions code, so the bounds and the guard are the same. A stored
 * response's input (`storedTurnInput`) is one user message and its instructions (decision 0022).
 */
import { badRequest, type ErrorDetail } from '@lab/platform/http';
import type { ChatCompletionsDto, ChatMessageDto } from './chat-completions.dto';
import type { ResponsesDto } from './responses.dto';

const ID = /^[\w-]{1,64}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);

type Item = Record<string, unknown>;

const isObject = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A message's content: a string, or its text parts joined. */
function messageText(content: unknown, field: string, details: ErrorDetail[]): string {
  if (typeof content === 'string' && content.length <= 16_000) return content;
  if (
    Array.isArray(content) &&
    content.length <= 100 &&
    content.every(
      (part) =>
        isObject(part) && TEXT_PARTS.has(part.type as string) && typeof part.text === 'string',
    )
  ) {
    return (content as Array<{ text: string }>).map((part) => part.text).join('');
  }
  details.push({
    field,
    message:
      'content must be a string or a list of input_text parts (images and files are not supported)',
  });
  return '';
}

/** The conversation `input` says, in chat messages. */
function readInput(input: ResponsesDto['input'], details: ErrorDetail[]): ChatMessageDto[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const messages: ChatMessageDto[] = [];
  input.forEach((item, index) => {
    const field = `input.${index}`;
    if (!isObject(item)) {
      details.push({ field, message: 'an input item must be an object' });
      return;
    }
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (!ROLES.has(item.role as string)) {
        details.push({
          field: `${field}.role`,
          message: 'role must be one of user, assistant, system, developer',
        });
        return;
      }
      messages.push({
        role: item.role as ChatMessageDto['role'],
        content: messageText(item.content, `${field}.content`, details),
      });
    } else if (type === 'function_call') {
      const callId = item.call_id;
      const name = item.name;
      const args = item.arguments;
      if (typeof callId !== 'string' || !ID.test(callId)) {
        details.push({
          field: `${field}.call_id`,
          message: 'call_id must be 1 to 64 letters, digits, underscores or dashes',
        });
      } else if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
        details.push({
          field: `${field}.name`,
          message: 'name must be 1 to 64 letters, digits, underscores or dashes',
        });
      } else if (typeof args !== 'string' || args.length > 16_000) {
        details.push({
          field: `${field}.arguments`,
          message: 'arguments must be a JSON text (at most 16000 characters)',
        });
      } else {
        const call = { id: callId, type: 'function' as const, function: { name, arguments: args } };
        // Calls in a row are one assistant message, as the model made them.
        const last = messages.at(-1);
        if (last?.role === 'assistant' && last.tool_calls) last.tool_calls.push(call);
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      }
    } else if (type === 'function_call_output') {
      const callId = item.call_id;
      if (typeof callId !== 'string' || !ID.test(callId)) {
        details.push({
          field: `${field}.call_id`,
          message: 'call_id must be 1 to 64 letters, digits, underscores or dashes',
        });
      } else if (typeof item.output !== 'string' || item.output.length > 16_000) {
        details.push({
          field: `${field}.output`,
          message: 'output must be a string (at most 16000 characters)',
        });
      } else {
        messages.push({ role: 'tool', content: item.output, tool_call_id: callId });
      }
    } else {
      details.push({
        field: `${field}.type`,
        message: 'type must be message, function_call or function_call_output',
      });
    }
  });
  return messages;
}

/** The chat-completions request this Responses request means; a malformed input is 400. */
export function asChatCompletion(body: ResponsesDto): ChatCompletionsDto {
  const details: ErrorDetail[] = [];
  const conversation = readInput(body.input, details);
  if (details.length > 0) throw badRequest('The request is not valid', details);
  if (!conversation.some((message) => message.role !== 'system' && message.role !== 'developer')) {
    throw badRequest('The request is not valid', [
      { field: 'input', message: 'input must hold a message that is not a system message' },
    ]);
  }
  const messages: ChatMessageDto[] = [
    ...(body.instructions ? [{ role: 'system' as const, content: body.instructions }] : []),
    ...conversation,
  ];
  const format = body.text?.format;
  const choice = body.tool_choice;
  return {
    model: body.model,
    messages,
    ...(body.max_output_tokens != null ? { max_completion_tokens: body.max_output_tokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(body.parallel_tool_calls != null ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(body.tools
      ? {
          tools: body.tools.map((tool) => ({
            type: 'function' as const,
            function: {
              name: tool.name,
              ...(tool.description ? { description: tool.description } : {}),
              ...(tool.parameters ? { parameters: tool.parameters } : {}),
              ...(tool.strict != null ? { strict: tool.strict } : {}),
            },
          })),
        }
      : {}),
    ...(choice !== undefined
      ? {
          tool_choice:
            typeof choice === 'string'
              ? choice
              : { type: 'function', function: { name: choice.name } },
        }
      : {}),
    ...(format && format.type !== 'text'
      ? {
          response_format:
            format.type === 'json_object'
              ? { type: 'json_object' }
              : {
                  type: 'json_schema',
                  json_schema: {
                    name: format.name as string,
                    ...(format.description ? { description: format.description } : {}),
                    schema: format.schema ?? {},
                    strict: format.strict === true,
                  },
                },
        }
      : {}),
  };
}

const TEXT_ONLY =
  'stored responses take text input only (decision 0022): send function calls and tools with store: false and the whole conversation as input';
const ONE_MESSAGE =
  'a stored response (store: true or previous_response_id) takes one user message; earlier turns are its chain: continue with previous_response_id';

/** The user's message of a stored response, and what goes as its turn's instructions. */
export interface StoredTurnInput {
  content: string;
  /** `instructions`, then the system and developer items, in their order. */
  instructions: string[];
  /** The input as OpenAI's input items list them (`GET /v1/responses/{id}/input_items`). */
  items: Array<{
    type: 'message';
    role: string;
    status: 'completed';
    content: Array<{ type: 'input_text'; text: string }>;
  }>;
}

/**
 * The input of a response stored as a session turn (decision 0022): text only, one user message
 * (the session holds the history), system and developer items as the turn's instructions.
 * Anything else is 400 naming the item: never dropped.
 */
export function storedTurnInput(body: ResponsesDto): StoredTurnInput {
  const details: ErrorDetail[] = [];
  if ((body.tools?.length ?? 0) > 0) details.push({ field: 'tools', message: TEXT_ONLY });
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== 'auto' && choice !== 'none') {
    details.push({ field: 'tool_choice', message: TEXT_ONLY });
  }
  const items: unknown[] =
    typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  const instructions = body.instructions ? [body.instructions] : [];
  const listed: StoredTurnInput['items'] = [];
  let content: string | null = null;
  items.forEach((item, index) => {
    const field = `input.${index}`;
    const entry = item as Item;
    if ((entry.type ?? 'message') !== 'message') {
      details.push({ field: `${field}.type`, message: TEXT_ONLY });
      return;
    }
    const text = messageText(entry.content, `${field}.content`, details);
    const role = entry.role as string;
    listed.push({
      type: 'message',
      role,
      status: 'completed',
      content: [{ type: 'input_text', text }],
    });
    if (role === 'system' || role === 'developer') {
      if (text.trim() !== '') instructions.push(text);
    } else if (role !== 'user' || content !== null) {
      details.push({ field: `${field}.role`, message: ONE_MESSAGE });
    } else if (text.trim() === '' || text.length > 16_000) {
      details.push({
        field: `${field}.content`,
        message: 'the user message must hold 1 to 16000 characters',
      });
    } else {
      content = text;
    }
  });
  if (details.length > 0) throw badRequest('The request is not valid', details);
  if (content === null) {
    throw badRequest('The request is not valid', [{ field: 'input', message: ONE_MESSAGE }]);
  }
  return { content, instructions, items: listed };
}
