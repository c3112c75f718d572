/**
 * A request's key material on the internal hop from the gateway to the sessions service: never
 * in a header. The gateway leaves the caller's data key (and, for a route that calls the model,
 * their own provider key) in the turn vault under a fresh opaque reference and sends only the
 * reference (`x-key-ref`); the sessions service redeems it once (the entry is gone after), with
 * the vault key only the services hold. A reference seen on the wire opens nothing by itself, and
 * not at all once redeemed or expired ({@link CALLER_KEYS_TTL_MS}).
 */
import { TurnVault } from './turn-vault';

export const KEY_REF_HEADER = 'x-key-ref';

/** A reference outlives the hop only by the time a request takes to be received. */
export const CALLER_KEYS_TTL_MS = 60_000;

export interface CallerKeys {
  dataKey: Buffer;
  /** The caller's own provider key, only for a route that calls the model. */
  providerKey?: string | undefined;
  /**
   * During a key rotation (decision 0021), the data key the history is moving from, for the
   * routes that start a rotation or read rows not yet moved.
   */
  previousDataKey?: Buffer | undefined;
}

/** Leaves the keys in the vault; answers the reference to send. */
export async function holdCallerKeys(vault: TurnVault, keys: CallerKeys): Promise<string> {
  const ref = TurnVault.newRef('caller-keys');
  await vault.hold(
    ref,
    JSON.stringify({
      dataKey: keys.dataKey.toString('base64'),
      ...(keys.providerKey ? { providerKey: keys.providerKey } : {}),
      ...(keys.previousDataKey ? { previousDataKey: keys.previousDataKey.toString('base64') } : {}),
    }),
  );
  return ref;
}

/** The keys a reference names, once; undefined when it is unknown, used or expired. */
export async function redeemCallerKeys(
  vault: TurnVault,
  ref: string,
): Promise<CallerKeys | undefined> {
  const held = await vault.redeem(ref);
  if (held === undefined) return undefined;
  const { dataKey, providerKey, previousDataKey } = JSON.parse(held) as {
    dataKey: string;
    providerKey?: string;
    previousDataKey?: string;
  };
  return {
    dataKey: Buffer.from(dataKey, 'base64'),
    providerKey,
    ...(previousDataKey ? { previousDataKey: Buffer.from(previousDataKey, 'base64') } : {}),
  };
}
