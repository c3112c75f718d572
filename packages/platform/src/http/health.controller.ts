/**
 * Liveness (the process answers) and readiness (what it depends on answers), for probes.
 * Readiness runs every check of `READINESS_CHECKS` (the database's, and whatever a service
 * adds), each within a bound, and answers 503 in the error model naming what is down. A check
 * that is not `required` (a dependency only background work needs: Kafka behind the outbox,
 * object storage for archives) never takes the service out: down, it answers 200 `degraded`
 * and names it.
 */
import { Controller, Get, HttpStatus, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ApiException } from './api-error';
import { OUTAGE_RETRY_AFTER_SECONDS } from './dependency-failure';

/** One dependency's readiness: resolves when it answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
  /** Whether the service cannot serve without it (default true). */
  required?: boolean;
}

/**
 * Extra checks a service provides, anywhere in its modules
 * (`{ provide: READINESS_CHECKS, useFactory: (...) => [...], inject: [...] }`).
 */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const CHECK_TIMEOUT_MS = 2_000;

/**
 * A check that an HTTP endpoint answers at all (any status: an S3 endpoint refuses an unsigned
 * request, and that is an answer), for a dependency whose client is too heavy to load for probes.
 */
export const answers = (url: string) => async () => {
  await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
};

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

@Controller()
export class HealthController {
  private extra?: ReadinessCheck[];

  constructor(
    private readonly modules: ModuleRef,
    @Optional() private readonly database?: DataSource,
  ) {}

  /** The database's check and the service's own, found once in any of its modules. */
  private get checks(): ReadinessCheck[] {
    if (!this.extra) {
      try {
        this.extra = this.modules.get<ReadinessCheck[]>(READINESS_CHECKS, { strict: false });
      } catch {
        this.extra = []; // the service adds none
      }
    }
    const database = this.database;
    return [
      ...(database ? [{ name: 'database', check: () => database.query('select 1') }] : []),
      ...this.extra,
    ];
  }

  @Get('healthz')
  live() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready() {
    const results = await Promise.all(
      this.checks.map(async (readiness) => {
        const { name } = readiness;
        const required = readiness.required ?? true;
        try {
          await within(readiness.check(), CHECK_TIMEOUT_MS);
          return { name, required, up: true };
        } catch {
          return { name, required, up: false };
        }
      }),
    );
    const info = Object.fromEntries(
      results.map(({ name, up }) => [name, { status: up ? 'up' : 'down' }]),
    );
    const down = results.filter((r) => !r.up && r.required).map((r) => r.name);
    if (down.length > 0) {
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not_ready',
        `Not ready: ${down.join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer`,
        results.filter((r) => !r.up).map(({ name }) => ({ field: name, message: 'down' })),
        { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
      );
    }
    const degraded = results.some((r) => !r.up);
    return { status: degraded ? 'degraded' : 'ok', info };
  }
}
