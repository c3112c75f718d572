/**
 * Canaries: unique secrets the privacy scan plants through the public API (message text, prompts,
 * file names, keys) and then looks for in every store, in each form a store could hold them:
 * as is, hex, base64 (standard and URL alphabets, at each of the three byte alignments a secret
 * inside a larger encoded value can take) and UTF-16. A hit names the store, the place and the
 * form, so a failure says where a secret leaked.
 */
import { randomBytes } from 'node:crypto';
import type { KeyTrial } from './key-trial';

export interface Canary {
  /** What it stands for, e.g. `byok message (streamed turn)`. */
  label: string;
  /** Its bytes: the UTF-8 of a text canary, the raw bytes of a key. */
  bytes: Buffer;
}

export interface Hit {
  store: string;
  location: string;
  canary: string;
  form: string;
}

interface Needle {
  canary: string;
  form: string;
  /** Searched for in the latin1 view of a haystack (one char per byte). */
  text: string;
}

/** A unique text canary: `CNRY` + a tag + 20 hex characters, safe in any text field. */
export function textCanary(label: string, tag: string): Canary & { text: string } {
  const text = `CNRY${tag}${randomBytes(10).toString('hex').toUpperCase()}`;
  return { label, bytes: Buffer.from(text, 'utf8'), text };
}

export function keyCanary(label: string, key: Buffer | string): Canary {
  return { label, bytes: typeof key === 'string' ? Buffer.from(key, 'utf8') : key };
}

/**
 * The base64 characters that encode `bytes` whatever precedes them: with `offset` bytes before,
 * the first group (mixed with them) and the last partial group (mixed with what follows) are
 * dropped; the rest is the same in any encoding of a value containing `bytes` at that offset.
 */
function base64Core(bytes: Buffer, offset: number, alphabet: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet);
  const unpadded = encoded.replace(/=+$/, '');
  const start = offset === 0 ? 0 : 4;
  const whole = Math.floor((offset + bytes.length) / 3) * 4;
  return unpadded.slice(start, whole);
}

function needlesOf(canary: Canary): Needle[] {
  const forms: Array<[string, string]> = [
    ['plain', canary.bytes.toString('latin1')],
    ['hex', canary.bytes.toString('hex')],
    ['HEX', canary.bytes.toString('hex').toUpperCase()],
    ['utf-16', Buffer.from(canary.bytes.toString('utf8'), 'utf16le').toString('latin1')],
  ];
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (const offset of [0, 1, 2]) {
      forms.push([`${alphabet}@${offset}`, base64Core(canary.bytes, offset, alphabet)]);
    }
  }
  const seen = new Set<string>();
  return forms
    .filter(([, text]) => text.length >= 12 && !seen.has(text) && seen.add(text))
    .map(([form, text]) => ({ canary: canary.label, form, text }));
}

/** Looks for every canary, in every form, in the values of one store. */
export class CanaryScan {
  readonly hits: Hit[] = [];
  /** What was scanned, per store: a scan that read nothing proves nothing. */
  readonly scanned = new Map<string, { items: number; bytes: number }>();
  private readonly needles: Needle[];

  /** `trials`: keys tried on every value scanned (see key-trial.ts). */
  constructor(
    canaries: readonly Canary[],
    private readonly trials: readonly KeyTrial[] = [],
  ) {
    this.needles = canaries.flatMap(needlesOf);
  }

  /** Scans one value; `location` says where it was found (a table, a key, a record). */
  scan(store: string, location: string, value: string | Buffer | Uint8Array): void {
    const haystack =
      typeof value === 'string'
        ? Buffer.from(value, 'utf8').toString('latin1')
        : Buffer.from(value).toString('latin1');
    const tally = this.scanned.get(store) ?? { items: 0, bytes: 0 };
    tally.items += 1;
    tally.bytes += haystack.length;
    this.scanned.set(store, tally);
    for (const needle of this.needles) {
      if (haystack.includes(needle.text)) {
        this.hits.push({ store, location, canary: needle.canary, form: needle.form });
      }
    }
    for (const trial of this.trials) trial.try(store, location, value);
  }

  /** One line a hit, for the failure message. */
  report(): string {
    return this.hits
      .map((hit) => `${hit.store} ${hit.location}: ${hit.canary} (${hit.form})`)
      .join('\n');
  }
}
