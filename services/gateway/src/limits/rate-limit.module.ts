/**
 * Nest wiring of the rate limits: the limiter on a Redis client and the guard, exported
 * application-wide (a global module) so any controller can `@UseGuards(AuthGuard, RateLimitGuard)`
 * or the app can register it as an APP_GUARD after authentication. The Redis client is either
 * made by a factory (this module then owns it and closes it at shutdown) or an existing provider.
 */
import {
  type DynamicModule,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  DEFAULT_RATE_LIMIT_TIMEOUT_MS,
  RATE_LIMIT_GUARD_OPTIONS,
  RATE_LIMITER,
  RateLimitGuard,
  type RateLimitGuardOptions,
} from './rate-limit.guard';
import { RateLimiter, type TokenBucketPolicy } from './rate-limiter';
import { TOKEN_RATE_LIMITER, TokenBudget } from './token-budget';

/** The Redis client the limiter uses. */
export type RateLimitRedis =
  /** Made here, owned here: quit when the application shuts down. */
  | { redisFactory: () => Redis }
  /** An ioredis client provided elsewhere (with the modules that provide it, unless global). */
  | { redisToken: InjectionToken; imports?: ModuleMetadata['imports'] };

export type RateLimitModuleOptions = RateLimitRedis &
  TokenBucketPolicy & {
    /** Prepended to every limit key in Redis, e.g. `gateway:rate:`. */
    prefix: string;
    /** How long a request waits for Redis before going through unlimited (default 500 ms). */
    timeoutMs?: number;
    /**
     * The budget of model tokens per minute on the OpenAI-compatible routes (`TokenBudget`),
     * with a prefix of its own.
     */
    tokens?: TokenBucketPolicy & { prefix: string };
  };

const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');
const RATE_LIMIT_REDIS_SHUTDOWN = Symbol('RATE_LIMIT_REDIS_SHUTDOWN');

@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    const { prefix, capacity, refillPerSecond } = options;
    const redisProviders: Provider[] =
      'redisFactory' in options
        ? [
            { provide: RATE_LIMIT_REDIS, useFactory: options.redisFactory },
            {
              provide: RATE_LIMIT_REDIS_SHUTDOWN,
              useFactory: (redis: Redis) => ({
                // QUIT only on a live connection: a client still reconnecting would keep
                // retrying (and the process alive) after a QUIT that never gets sent.
                onApplicationShutdown: async () => {
                  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
                  else redis.disconnect();
                },
              }),
              inject: [RATE_LIMIT_REDIS],
            },
          ]
        : [{ provide: RATE_LIMIT_REDIS, useExisting: options.redisToken }];
    const guardOptions: RateLimitGuardOptions = {
      timeoutMs: options.timeoutMs ?? DEFAULT_RATE_LIMIT_TIMEOUT_MS,
    };
    return {
      module: RateLimitModule,
      global: true,
      imports: 'redisToken' in options ? (options.imports ?? []) : [],
      providers: [
        ...redisProviders,
        {
          provide: RATE_LIMITER,
          useFactory: (redis: Redis) =>
            new RateLimiter(redis, prefix, { capacity, refillPerSecond }),
          inject: [RATE_LIMIT_REDIS],
        },
        { provide: RATE_LIMIT_GUARD_OPTIONS, useValue: guardOptions },
        RateLimitGuard,
        ...(options.tokens
          ? [
              {
                provide: TOKEN_RATE_LIMITER,
                useFactory: (redis: Redis) => {
                  const { prefix: tokenPrefix, ...policy } = options.tokens as NonNullable<
                    RateLimitModuleOptions['tokens']
                  >;
                  return new RateLimiter(redis, tokenPrefix, policy);
                },
                inject: [RATE_LIMIT_REDIS],
              },
              TokenBudget,
            ]
          : []),
      ],
      exports: [
        RATE_LIMITER,
        RATE_LIMIT_GUARD_OPTIONS,
        RateLimitGuard,
        ...(options.tokens ? [TOKEN_RATE_LIMITER, TokenBudget] : []),
      ],
    };
  }
}
