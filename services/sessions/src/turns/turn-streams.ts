/**
 * Receives the guarded sentences the llm-worker publishes for a streamed turn: one Redis
 * subscriber connection for the process, one channel per turn, subscribed before the turn starts.
 * Opening a channel makes the turn's stream key and leaves it in the turn vault for the worker;
 * every message is sealed under it (`sealStreamEvent`), so Redis carries nothing readable.
 * Closing the channel forgets the key.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { newStreamKey, openStreamEvent, streamKeyRef, TurnVault } from '@lab/platform';
import { Redis } from 'ioredis';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';
import type { TokenLogprob } from '@lab/contracts';

export type TurnStreamEvent =
  | { type: 'delta'; text: string; index?: number; logprobs?: TokenLogprob[] }
  | { type: 'reset'; attempt: number }
  | { type: 'guarded'; index?: number };

interface Listener {
  key: Buffer;
  deliver: (event: TurnStreamEvent) => void;
}

@Injectable()
export class TurnStreams implements OnApplicationShutdown {
  private readonly logger = new Logger(TurnStreams.name);
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Listener>();

  constructor(
    @Inject(SESSIONS_CONFIG) config: SessionsConfig,
    private readonly vault: TurnVault,
  ) {
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true });
    this.subscriber.on('message', (channel: string, message: string) => {
      const listener = this.listeners.get(channel);
      if (!listener) return;
      try {
        listener.deliver(openStreamEvent<TurnStreamEvent>(message, listener.key, channel));
      } catch {
        // Not sealed under this turn's key, so not from the worker that serves it.
        this.logger.warn('a turn stream message that does not open was dropped');
      }
    });
  }

  static channel(scope: string, turnId: string): string {
    return `turn-stream:${scope}:${turnId}`;
  }

  async open(
    channel: string,
    deliver: (event: TurnStreamEvent) => void,
  ): Promise<() => Promise<void>> {
    if (this.subscriber.status === 'wait') await this.subscriber.connect();
    const key = newStreamKey();
    await this.vault.hold(streamKeyRef(channel), key.toString('base64'));
    this.listeners.set(channel, { key, deliver });
    await this.subscriber.subscribe(channel);
    return async () => {
      this.listeners.delete(channel);
      await Promise.all([
        this.subscriber.unsubscribe(channel),
        this.vault.forget(streamKeyRef(channel)).catch(() => undefined),
      ]);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber.status !== 'wait' && this.subscriber.status !== 'end')
      await this.subscriber.quit();
  }
}
