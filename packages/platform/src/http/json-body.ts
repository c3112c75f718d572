/**
 * JSON request bodies with a size limit, whose failures answer in the platform's error model:
 * malformed JSON 400 `malformed_json`, too large 413 `payload_too_large`, other encodings 415.
 * Mounted before the routes, instead of Nest's default parser (whose errors lose their kind).
 */
import { type ErrorRequestHandler, json, type RequestHandler } from 'express';
import type { ErrorBody } from './api-error';

interface BodyParserError {
  type?: string;
  status?: number;
}

export function jsonBody(limit: string): [RequestHandler, ErrorRequestHandler] {
  const parse = json({ limit });
  const answer: ErrorRequestHandler = (error: BodyParserError, _req, res, next) => {
    const mapped: Record<string, [number, ErrorBody]> = {
      'entity.parse.failed': [
        400,
        { error: { code: 'malformed_json', message: 'The request body is not valid JSON' } },
      ],
      'entity.too.large': [
        413,
        { error: { code: 'payload_too_large', message: `The request body exceeds ${limit}` } },
      ],
      'encoding.unsupported': [
        415,
        { error: { code: 'unsupported_media_type', message: 'Unsupported body encoding' } },
      ],
      'charset.unsupported': [
        415,
        { error: { code: 'unsupported_media_type', message: 'Unsupported body charset' } },
      ],
    };
    const answerFor = error.type ? mapped[error.type] : undefined;
    if (!answerFor) {
      next(error);
      return;
    }
    res.status(answerFor[0]).json(answerFor[1]);
  };
  return [parse, answer];
}
