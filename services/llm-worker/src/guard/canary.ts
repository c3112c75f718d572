/**
 * The guard's canary (decision 0013): a per-assistant, per-prompt secret marker put into the
 * system prompt sent to the model; found in any view of a reply, it is a certain leak. It is
 * derived, never stored: an HMAC-SHA256, under a key derived from the worker's TURN_VAULT_KEY
 * (the same on every worker), of the assistant id and a hash of the prompt text (a new prompt
 * version gets a new canary). Letters only, so every view of the guard keeps it whole. It exists
 * only in the worker's memory and in the request to the model: never in a log, event, Temporal
 * payload or store, and a reply holding it is replaced before anyone sees it.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { canaryLine } from '@lab/conversation';
import type { TurnAssistant } from '@lab/contracts';

const CANARY_LETTERS = 20;

/** A key for one of the guard's purposes, derived from the worker's TURN_VAULT_KEY. */
export function guardKey(turnVaultKey: Buffer, purpose: 'canary' | 'embeddings'): Buffer {
  return Buffer.from(hkdfSync('sha256', turnVaultKey, 'lab-guard', `guard-${purpose}`, 32));
}

export function canaryFor(key: Buffer, assistantId: string | null, initialPrompt: string): string {
  const prompt = createHash('sha256').update(initialPrompt).digest('hex');
  const mac = createHmac('sha256', key)
    .update(`${assistantId ?? 'lab'}\n${prompt}`)
    .digest();
  let canary = '';
  for (let i = 0; i < CANARY_LETTERS; i++) canary += String.fromCharCode(97 + ((mac[i] ?? 0) % 26));
  return canary;
}

/** The assistant as the model sees it: its prompt with the canary line in front. */
export function withCanary(assistant: TurnAssistant, canary: string): TurnAssistant {
  return { ...assistant, initialPrompt: `${canaryLine(canary)}\n${assistant.initialPrompt}` };
}
