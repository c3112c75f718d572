/**
 * The short code a person shares so others can find an assistant (the seed's "personalized
 * code"): 8 characters of Crockford's base32, without I, L, O and U, so it reads aloud and
 * types without confusion. Lookups normalise what people type (case, dashes, look-alikes).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SHARE_CODE_LENGTH = 8;

export function newShareCode(): string {
  let code = '';
  for (let i = 0; i < SHARE_CODE_LENGTH; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** The canonical form of a typed code, or null when it cannot be one. */
export function normaliseShareCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return code.length === SHARE_CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c))
    ? code
    : null;
}
