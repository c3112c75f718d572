/**
 * What a key opens of everything the scan reads: every `v1.` ciphertext in a value, tried with
 * the key (and, for a stateless exchange's scope, the key derived from it for that exchange)
 * and every associated data the value itself suggests (each purpose with each id it names), and
 * every sealed attachment object (`LAB1`) with the ids its object key names. A retired key (the
 * data key a rotation replaced) must open nothing; the key in use, as a control, must open the
 * user's text, or the trial proves nothing.
 */
import { decryptText, exchangeKey, openAttachment } from '@lab/platform';

/** A ciphertext of the envelope's text format: `v1.<key id>.<ciphertext>.<tag>`. */
export const SEALED = /v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}/g;
export const PURPOSES = [
  'message',
  'payload',
  'recap',
  'assistant',
  'attachments',
  'attachment',
  'model-call',
  'options',
];
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The scopes ciphertexts are bound to: a session id, or a stateless exchange's workflow id. */
export const SCOPE = new RegExp(
  `(?:(?:lab|completion):${UUID}:[\\w-]+|exchange:[\\w:-]+|${UUID})`,
  'g',
);
const EXCHANGE_SCOPE = /^(?:lab|completion):/;

export interface Opened {
  store: string;
  location: string;
  /** What opened, cut short: enough to say what it is. */
  sample: string;
}

/** Every value the keys open, with its associated data tried from the scopes the text names. */
export function openSealedText(text: string, keys: readonly Buffer[]): string[] {
  const sealed = [...new Set(text.match(SEALED) ?? [])];
  if (sealed.length === 0) return [];
  const scopes = [...new Set(text.match(SCOPE) ?? [])];
  const trials: Array<{ key: Buffer; aad: string }> = [];
  for (const key of keys) {
    trials.push({ key, aad: '' });
    for (const scope of scopes) {
      const scoped = EXCHANGE_SCOPE.test(scope) ? [key, exchangeKey(key, scope)] : [key];
      for (const k of scoped) {
        trials.push({ key: k, aad: scope });
        for (const purpose of PURPOSES) trials.push({ key: k, aad: `${purpose}:${scope}` });
      }
    }
  }
  const opened: string[] = [];
  for (const ciphertext of sealed) {
    for (const { key, aad } of trials) {
      try {
        opened.push(decryptText(ciphertext, key, aad));
        break;
      } catch {
        // not this key or not this associated data
      }
    }
  }
  return opened;
}

export class KeyTrial {
  readonly opened: Opened[] = [];
  private readonly keys: Buffer[];

  /**
   * `atRest`: the stores the trial applies to (default: all but the scan's own recordings of
   * traffic, `MONITOR` and the internal hops, which are not something the platform holds).
   */
  constructor(
    readonly label: string,
    keys: readonly Buffer[],
    private readonly atRest: (store: string) => boolean = (store) =>
      !store.includes('MONITOR') && !store.startsWith('internal hops'),
  ) {
    this.keys = [...keys];
  }

  /** Tries the keys on one value the scan read (`location`: a table, an object key, a run). */
  try(store: string, location: string, value: string | Buffer | Uint8Array): void {
    if (!this.atRest(store)) return;
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    const record = (plaintext: string | Buffer) =>
      this.opened.push({ store, location, sample: plaintext.toString().slice(0, 200) });
    const object = bytes.indexOf('LAB1');
    if (object >= 0) {
      // A sealed attachment object: `attachments/<user>/<session>/<attachment>`.
      const ids = location.match(new RegExp(UUID, 'g')) ?? [];
      for (const key of this.keys) {
        for (let i = 0; i + 1 < ids.length; i += 1) {
          try {
            record(
              openAttachment(bytes.subarray(object), key, ids[i] as string, ids[i + 1] as string),
            );
          } catch {
            // not this key
          }
        }
      }
    }
    for (const plaintext of openSealedText(bytes.toString('latin1'), this.keys)) record(plaintext);
  }

  /** One line a value that opened, for a failure message. */
  report(): string {
    return this.opened
      .map((o) => `${this.label} opens ${o.store} ${o.location}: ${JSON.stringify(o.sample)}`)
      .join('\n');
  }
}
