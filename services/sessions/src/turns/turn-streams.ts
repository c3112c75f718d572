/**
 * Receives the guarded sentences the llm-worker publishes for a streamed turn: one Redis
 * subscriber connection for the process, one channel per turn, subscribed before the turn starts.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';

export type TurnStreamEvent =
  { type: 'delta'; text: string } | { type: 'reset'; attempt: number } | { type: 'guarded' };

@Injectable()
export class TurnStreams implements OnApplicationShutdown {
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, (event: TurnStreamEvent) => void>();

  constructor(@Inject(SESSIONS_CONFIG) config: SessionsConfig) {
    this.subscriber = new Redis(config.redisUrl, { lazyConnect: true });
    this.subscriber.on('message', (channel: string, message: string) => {
      this.listeners.get(channel)?.(JSON.parse(message) as TurnStreamEvent);
    });
  }

  static channel(scope: string, turnId: string): string {
    return `turn-stream:${scope}:${turnId}`;
  }

  async open(
    channel: string,
    listener: (event: TurnStreamEvent) => void,
  ): Promise<() => Promise<void>> {
    if (this.subscriber.status === 'wait') await this.subscriber.connect();
    this.listeners.set(channel, listener);
    await this.subscriber.subscribe(channel);
    return async () => {
      this.listeners.delete(channel);
      await this.subscriber.unsubscribe(channel);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber.status !== 'wait' && this.subscriber.status !== 'end')
      await this.subscriber.quit();
  }
}
