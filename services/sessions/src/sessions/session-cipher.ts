/**
 * Encryption of a session's text at rest with the user's data key (AES-256-GCM). Each
 * ciphertext is bound to its session and purpose, so one copied elsewhere does not decrypt.
 */
import type { Thread } from '@lab/contracts';
import { decryptText, encryptText } from '@lab/platform';

export class SessionCipher {
  constructor(
    private readonly dataKey: Buffer,
    private readonly sessionId: string,
  ) {}

  message(text: string): string {
    return encryptText(text, this.dataKey, `message:${this.sessionId}`);
  }

  readMessage(ciphertext: string): string {
    return decryptText(ciphertext, this.dataKey, `message:${this.sessionId}`);
  }

  thread(thread: Thread): string {
    return encryptText(JSON.stringify(thread), this.dataKey, `payload:${this.sessionId}`);
  }

  readThread(ciphertext: string): Thread {
    return JSON.parse(decryptText(ciphertext, this.dataKey, `payload:${this.sessionId}`)) as Thread;
  }

  recap(text: string): string {
    return encryptText(text, this.dataKey, `recap:${this.sessionId}`);
  }

  readRecap(ciphertext: string): string {
    return decryptText(ciphertext, this.dataKey, `recap:${this.sessionId}`);
  }
}
