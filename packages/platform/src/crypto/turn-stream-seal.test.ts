import { DecryptionError } from './errors';
import { newStreamKey, openStreamEvent, sealStreamEvent, streamKeyRef } from './turn-stream-seal';

describe('a streamed turn’s events on Redis pub/sub', () => {
  const channel = 'turn-stream:session-1:turn-1';

  it('crosses sealed: nothing of the text shows, and the subscriber opens it', () => {
    const key = newStreamKey();
    const event = { type: 'delta', text: 'The secret plan is STREAM-CANARY-1.' };
    const sealed = sealStreamEvent(event, key, channel);
    expect(sealed).not.toContain('STREAM-CANARY-1');
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url').toString('latin1')).not.toContain(
      'STREAM',
    );
    expect(openStreamEvent(sealed, key, channel)).toEqual(event);
  });

  it('does not open with another turn’s key or on another channel', () => {
    const key = newStreamKey();
    const sealed = sealStreamEvent({ type: 'guarded' }, key, channel);
    expect(() => openStreamEvent(sealed, newStreamKey(), channel)).toThrow(DecryptionError);
    expect(() => openStreamEvent(sealed, key, 'turn-stream:session-1:turn-2')).toThrow(
      DecryptionError,
    );
  });

  it('names its vault entry after the channel', () => {
    expect(streamKeyRef(channel)).toBe(`stream-key:${channel}`);
  });
});
