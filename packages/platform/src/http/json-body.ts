/**
 * JSON request bodies that a hostile client cannot crash, answering in the platform's error model
 * (mounted before the routes, instead of Nest's default parser, whose errors lose their kind):
 *  - the size limit applies while reading: too large 413 `payload_too_large`;
 *  - strict UTF-8 (a fatal decoder): invalid bytes 400 `invalid_utf8`; other charsets 415;
 *  - the nesting depth is measured before parsing: past MAX_JSON_DEPTH 400 `too_deep`, so no
 *    later recursive walk (class-transformer, class-validator) can overflow the stack;
 *  - malformed JSON, or a body that is not an object, 400 `malformed_json`;
 *  - every string (keys included) must be well-formed text: a lone surrogate (`\ud800`) or a
 *    NUL (`\u0000`) is 400 `invalid_text`, whatever the field, before any service stores it.
 * Query strings get the same text rule (`queryText`).
 */
import { type ErrorRequestHandler, raw, type RequestHandler } from 'express';
import type { ErrorBody } from './api-error';

export const MAX_JSON_DEPTH = 64;

interface BodyParserError {
  type?: string;
  status?: number;
}

class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error.message);
  }
}

const refuse = (status: number, code: string, message: string, field?: string) =>
  new BodyRefused(status, {
    error: { code, message, ...(field ? { details: [{ field, message }] } : {}) },
  });

/** Whether the JSON text nests arrays and objects deeper than `max` (strings skipped). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

// In Unicode mode a surrogate pair is one code point: this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a string is not acceptable text, or null. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (a lone surrogate)';
  return null;
}

/** The first string of a parsed value (keys included) that is not acceptable text. */
export function findTextProblem(
  value: unknown,
  path = '',
): { field: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path || 'body', problem } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const field = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const keyProblem = textProblem(key);
    if (keyProblem) return { field, problem: `the field name ${keyProblem}` };
    const found = findTextProblem(item, field);
    if (found) return found;
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(bytes: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw refuse(400, 'invalid_utf8', 'The request body is not valid UTF-8');
  }
  if (text.trim() === '') return {};
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw refuse(400, 'too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refuse(400, 'malformed_json', 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse(400, 'malformed_json', 'The request body must be a JSON object');
  }
  const found = findTextProblem(value);
  if (found) throw refuse(400, 'invalid_text', `${found.field} ${found.problem}`, found.field);
  return value;
}

export function jsonBody(limit: string): [RequestHandler, RequestHandler, ErrorRequestHandler] {
  const read = raw({ type: 'application/json', limit });
  const parse: RequestHandler = (req, _res, next) => {
    if (!Buffer.isBuffer(req.body)) {
      next();
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.header('content-type') ?? '')?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) {
      next(refuse(415, 'unsupported_media_type', 'Unsupported body charset'));
      return;
    }
    try {
      req.body = parseJsonBody(req.body);
      next();
    } catch (error) {
      next(error);
    }
  };
  const answer: ErrorRequestHandler = (error: BodyParserError, _req, res, next) => {
    if (error instanceof BodyRefused) {
      res.status(error.status).json(error.body);
      return;
    }
    const mapped: Record<string, [number, ErrorBody]> = {
      'entity.too.large': [
        413,
        { error: { code: 'payload_too_large', message: `The request body exceeds ${limit}` } },
      ],
      'encoding.unsupported': [
        415,
        { error: { code: 'unsupported_media_type', message: 'Unsupported body encoding' } },
      ],
      'request.aborted': [
        400,
        { error: { code: 'request_aborted', message: 'The request body was cut short' } },
      ],
      'request.size.invalid': [
        400,
        { error: { code: 'bad_request', message: 'The request body does not match its length' } },
      ],
    };
    const answerFor = error.type ? mapped[error.type] : undefined;
    if (!answerFor) {
      next(error);
      return;
    }
    res.status(answerFor[0]).json(answerFor[1]);
  };
  return [read, parse, answer];
}

/** Query strings follow the text rule of bodies: a NUL or a lone surrogate is 400 `invalid_text`. */
export const queryText: RequestHandler = (req, res, next) => {
  const found = findTextProblem(req.query, 'query');
  if (!found) {
    next();
    return;
  }
  res.status(400).json({
    error: {
      code: 'invalid_text',
      message: `${found.field} ${found.problem}`,
      details: [{ field: found.field, message: found.problem }],
    },
  } satisfies ErrorBody);
};
