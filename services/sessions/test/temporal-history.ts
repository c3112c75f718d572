/**
 * A workflow's history as the Temporal server holds it, for tests that prove what does (not)
 * reach Temporal: the raw events (payloads as the codec left them) and every payload decoded with
 * the project's codec (what anyone holding PAYLOAD_KEYS could read).
 */
import { keyRingFromString } from '@lab/platform';
import { AesGcmPayloadCodec } from '@lab/platform/temporal';
import type { Payload } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import type { Platform } from './platform-harness';

export interface WorkflowHistoryText {
  /** The history as stored, bytes as latin1. */
  raw: string;
  /** Every payload of the history (inputs, results, failures), decoded, as UTF-8 text. */
  decoded: string;
  /** How many payloads were found and decoded. */
  payloads: number;
}

function isPayload(value: unknown): value is Payload {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Payload).data instanceof Uint8Array &&
    typeof (value as Payload).metadata === 'object'
  );
}

function collectPayloads(value: unknown, into: Payload[]): Payload[] {
  if (isPayload(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectPayloads(item, into);
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) collectPayloads(item, into);
  }
  return into;
}

export async function workflowHistoryText(
  p: Platform,
  workflowId: string,
): Promise<WorkflowHistoryText> {
  const connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
  try {
    const client = new Client({ connection, namespace: p.sessionsConfig.temporalNamespace });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const raw = JSON.stringify(history, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    const codec = new AesGcmPayloadCodec(keyRingFromString(p.sessionsConfig.payloadKeys));
    const payloads = collectPayloads(history, []);
    const decoded = await codec.decode(payloads);
    return {
      raw,
      decoded: decoded
        .map((d) => Buffer.from(d.data ?? new Uint8Array()).toString('utf8'))
        .join('\n'),
      payloads: payloads.length,
    };
  } finally {
    await connection.close();
  }
}
