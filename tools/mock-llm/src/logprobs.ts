/**
 * Log probabilities as the real API gives them: the reply spelled out token by token with the
 * requested model's encoding, each token with a deterministic log probability and, when asked,
 * its `top_logprobs` alternatives (the token itself first, then less likely ones). Chat answers
 * `{ token, logprob, bytes, top_logprobs }` entries; the legacy completion endpoint its
 * `{ tokens, token_logprobs, top_logprobs, text_offset }` columns. The tokens are those of each
 * streamed piece of the reply, so a stream's chunks and the whole answer carry the same ones.
 */
import { tokenPieces } from '@lab/conversation';
import { hashParts } from './text';

export interface TopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface TokenLogprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Array<Record<string, number>>;
  text_offset: number[];
}

/** Alternatives offered in `top_logprobs` after the token itself (one-token words in every encoding). */
const ALTERNATIVES = [
  ' the',
  ' a',
  ',',
  ' and',
  '.',
  ' to',
  ' of',
  ' is',
  ' in',
  ' it',
  ' that',
  ' for',
  ' on',
  ' with',
  ' as',
  ' this',
  ' be',
  ' at',
  ' by',
  ' or',
  ' an',
  ' not',
] as const;

const round = (value: number) => Math.round(value * 1e8) / 1e8;

/**
 * The entries of one piece of a choice's reply: `position` is the index of the piece's first
 * token in the whole reply, `choice` the choice's index, so equal tokens get different values.
 */
export function pieceLogprobs(
  piece: string,
  model: string,
  top: number,
  choice: number,
  position: number,
): TokenLogprob[] {
  return tokenPieces(piece, model).map(({ token, bytes }, i) => {
    const hash = hashParts([token, String(position + i), String(choice)]);
    // Mostly confident, as a model's chosen tokens are: in (-2.5, 0].
    const logprob = round(-(((hash % 10_000) / 10_000) ** 3) * 2.5);
    const others = ALTERNATIVES.filter((alt) => alt !== token);
    const start = hash % others.length;
    const alternatives = Array.from({ length: Math.max(0, top - 1) }, (_, j) => {
      const alt = others[(start + j) % others.length] ?? ' the';
      return {
        token: alt,
        logprob: round(logprob - 1.5 - j * 0.75 - ((hash >>> (j % 16)) % 100) / 1000),
        bytes: [...Buffer.from(alt, 'utf8')],
      };
    });
    return {
      token,
      logprob,
      bytes,
      top_logprobs: top > 0 ? [{ token, logprob, bytes }, ...alternatives] : [],
    };
  });
}

/** The entries of a whole reply given as its streamed pieces, piece by piece. */
export function replyLogprobs(
  pieces: readonly string[],
  model: string,
  top: number,
  choice: number,
): TokenLogprob[][] {
  let position = 0;
  return pieces.map((piece) => {
    const entries = pieceLogprobs(piece, model, top, choice, position);
    position += entries.length;
    return entries;
  });
}

/** Chat entries in the legacy endpoint's columns; `offset` is where the first token starts. */
export function legacyColumns(entries: readonly TokenLogprob[], offset: number): LegacyLogprobs {
  const columns: LegacyLogprobs = {
    tokens: [],
    token_logprobs: [],
    top_logprobs: [],
    text_offset: [],
  };
  let at = offset;
  for (const entry of entries) {
    columns.tokens.push(entry.token);
    columns.token_logprobs.push(entry.logprob);
    columns.top_logprobs.push(
      Object.fromEntries(entry.top_logprobs.map((alt) => [alt.token, alt.logprob])),
    );
    columns.text_offset.push(at);
    at += entry.token.length;
  }
  return columns;
}
