import { describe, expect, it } from 'vitest';
import { StreamInterruptedError } from './errors';
import {
  applyTurnEvent,
  emptyReply,
  readTurnStream,
  type TurnEvent,
  type TurnResult,
} from './stream';

const result: TurnResult = {
  turnId: 't1',
  reply: 'Hello there. How are you?',
  guardHit: false,
  usage: { promptTokens: 10, completionTokens: 6 },
  model: 'gpt-4o-mini',
  condensed: 'keep',
};

function sse(text: string, cutAt?: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      // Split awkwardly, mid-event, as a network does.
      const end = cutAt ?? bytes.length;
      for (let i = 0; i < end; i += 7) controller.enqueue(bytes.slice(i, Math.min(i + 7, end)));
      if (cutAt === undefined) controller.close();
      else controller.error(new TypeError('network error'));
    },
  });
}

describe('a streamed turn', () => {
  it('deltas append, a reset starts over, done brings the final reply', () => {
    const events: TurnEvent[] = [
      { type: 'delta', text: 'Hel' },
      { type: 'reset' },
      { type: 'delta', text: 'Hello there. ' },
      { type: 'delta', text: 'How are you?' },
    ];
    const reply = events.reduce(applyTurnEvent, emptyReply);
    expect(reply.text).toBe('Hello there. How are you?');
    expect(reply.finished).toBe(false);
    const done = applyTurnEvent(reply, { type: 'done', result });
    expect(done).toMatchObject({ finished: true, text: result.reply, guarded: false });
  });

  it('a guarded stream ends with the replacement reply and says it was guarded', () => {
    const reply = [
      { type: 'delta', text: 'You are a ' } as TurnEvent,
      { type: 'guarded' } as TurnEvent,
      {
        type: 'done',
        result: { ...result, reply: 'Let us get back to you.', guardHit: true },
      } as TurnEvent,
    ].reduce(applyTurnEvent, emptyReply);
    expect(reply.text).toBe('Let us get back to you.');
    expect(reply.guarded).toBe(true);
  });

  it('parses Server-Sent Events split anywhere', async () => {
    const seen: TurnEvent[] = [];
    await readTurnStream(
      sse(
        'event: delta\ndata: {"type":"delta","text":"Hello there. "}\n\n' +
          'event: delta\ndata: {"type":"delta","text":"How are you?"}\n\n' +
          `event: done\ndata: ${JSON.stringify(result)}\n\n`,
      ),
      (event) => seen.push(event),
    );
    expect(seen.map((e) => e.type)).toEqual(['delta', 'delta', 'done']);
    expect(seen.reduce(applyTurnEvent, emptyReply).text).toBe(result.reply);
  });

  it('an error event carries the error model', async () => {
    const seen: TurnEvent[] = [];
    await readTurnStream(
      sse('event: error\ndata: {"error":{"code":"llm_unavailable","message":"down"}}\n\n'),
      (event) => seen.push(event),
    );
    expect(seen).toEqual([
      { type: 'error', error: { error: { code: 'llm_unavailable', message: 'down' } } },
    ]);
  });

  it('a stream that ends without done, or breaks, is an interrupted stream', async () => {
    const text = 'event: delta\ndata: {"type":"delta","text":"Hello there. "}\n\n';
    await expect(readTurnStream(sse(text), () => undefined)).rejects.toBeInstanceOf(
      StreamInterruptedError,
    );
    await expect(readTurnStream(sse(text, 20), () => undefined)).rejects.toBeInstanceOf(
      StreamInterruptedError,
    );
  });
});
