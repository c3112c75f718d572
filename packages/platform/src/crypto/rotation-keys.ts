/**
 * A rotation's two data keys (decision 0021), handed from the gateway (which unwraps them with the
 * user's new OpenAI key) to the sessions worker's rotation without entering Temporal: the turn
 * vault holds them under a reference the workflow carries. Read, not redeemed: every batch of the
 * rotation needs them until it ends (or the entry expires: the rotation then waits for the user).
 */
import { assertKey } from './aes-gcm';
import { TurnVault } from './turn-vault';

export interface RotationKeys {
  /** The data key the history is under now. */
  from: Buffer;
  /** The data key it moves to. */
  to: Buffer;
}

/** Leaves both keys in the vault; answers the reference (`ref`, or a fresh one). */
export async function holdRotationKeys(
  vault: TurnVault,
  keys: RotationKeys,
  ref: string = TurnVault.newRef('rotation-keys'),
): Promise<string> {
  assertKey(keys.from, 'old data key');
  assertKey(keys.to, 'new data key');
  await vault.hold(
    ref,
    JSON.stringify({ from: keys.from.toString('base64'), to: keys.to.toString('base64') }),
  );
  return ref;
}

/** The keys a reference names; undefined when the entry is gone. */
export async function readRotationKeys(
  vault: TurnVault,
  ref: string,
): Promise<RotationKeys | undefined> {
  const held = await vault.take(ref);
  if (held === undefined) return undefined;
  const { from, to } = JSON.parse(held) as { from: string; to: string };
  return { from: Buffer.from(from, 'base64'), to: Buffer.from(to, 'base64') };
}
