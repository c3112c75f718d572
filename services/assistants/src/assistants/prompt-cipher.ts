/**
 * An assistant's prompts at rest: envelope encryption under the platform's prompt key ring
 * (`PROMPT_KEYS`). Each prompt version has a data key of its own, stored only wrapped by the
 * ring's current key (whose id is written with it); each prompt is AES-256-GCM under that data
 * key, bound to its version and field, so a ciphertext copied to another row does not open.
 * Rotation: a new key first in the ring; {@link PromptCipher.rewrap} moves a version's data key
 * under it (the service does it for every version at start-up), after which the old key can
 * leave the ring. Prompts are opened only for the creator's views and the sessions service's
 * snapshot (see AssistantsRepository).
 */
import {
  decryptText,
  encryptText,
  generateDataKey,
  type KeyRing,
  KeyRingError,
  rewrapDataKey,
  unwrapDataKey,
  wrapDataKey,
  wrappedDataKeyId,
} from '@lab/platform';

export interface Prompts {
  initialPrompt: string;
  summaryPrompt: string;
}

export interface SealedPrompts extends Prompts {
  /** The version's data key, wrapped by a key of the ring (`v1.<keyId>.…`). */
  wrappedKey: string;
}

const aad = (versionId: string, field: keyof Prompts) => `prompt:${versionId}:${field}`;

export class PromptCipher {
  constructor(private readonly ring: KeyRing) {}

  seal(versionId: string, prompts: Prompts): SealedPrompts {
    const dataKey = generateDataKey();
    try {
      return {
        wrappedKey: wrapDataKey(dataKey, this.ring.currentKey, this.ring.currentKeyId),
        initialPrompt: encryptText(prompts.initialPrompt, dataKey, aad(versionId, 'initialPrompt')),
        summaryPrompt: encryptText(prompts.summaryPrompt, dataKey, aad(versionId, 'summaryPrompt')),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  open(versionId: string, sealed: SealedPrompts): Prompts {
    const dataKey = unwrapDataKey(sealed.wrappedKey, this.wrappingKey(sealed.wrappedKey));
    try {
      return {
        initialPrompt: decryptText(sealed.initialPrompt, dataKey, aad(versionId, 'initialPrompt')),
        summaryPrompt: decryptText(sealed.summaryPrompt, dataKey, aad(versionId, 'summaryPrompt')),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The data key wrapped by the current key, or undefined when it already is. */
  rewrap(wrappedKey: string): string | undefined {
    if (wrappedDataKeyId(wrappedKey) === this.ring.currentKeyId) return undefined;
    return rewrapDataKey(
      wrappedKey,
      this.wrappingKey(wrappedKey),
      this.ring.currentKey,
      this.ring.currentKeyId,
    );
  }

  private wrappingKey(wrappedKey: string): Buffer {
    const id = wrappedDataKeyId(wrappedKey) ?? '';
    const key = this.ring.key(id);
    if (!key) {
      throw new KeyRingError(
        `a prompt version's key is wrapped by "${id}", which PROMPT_KEYS does not hold`,
      );
    }
    return key;
  }
}

export const PROMPT_CIPHER = Symbol('PROMPT_CIPHER');
