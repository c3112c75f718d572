/**
 * Liveness (the process answers) and readiness (what it depends on answers), for probes.
 * Readiness runs every check of `READINESS_CHECKS` (the database's, and whatever a service
 * adds), each within a bound, and answers 503 in the error model naming what is down.
 */
import { Controller, Get, HttpStatus, Inject, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiException } from './api-error';

/** One dependency's readiness: resolves when it answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

/** Extra checks a service provides (`{ provide: READINESS_CHECKS, useFactory: () => [...] }`). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const CHECK_TIMEOUT_MS = 2_000;

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
  private readonly checks: ReadinessCheck[];

  constructor(
    @Optional() database?: DataSource,
    @Optional() @Inject(READINESS_CHECKS) extra?: ReadinessCheck[],
  ) {
    this.checks = [
      ...(database ? [{ name: 'database', check: () => database.query('select 1') }] : []),
      ...(extra ?? []),
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
        try {
          await within(readiness.check(), CHECK_TIMEOUT_MS);
          return { name, up: true };
        } catch {
          return { name, up: false };
        }
      }),
    );
    const info = Object.fromEntries(
      results.map(({ name, up }) => [name, { status: up ? 'up' : 'down' }]),
    );
    const down = results.filter((r) => !r.up).map((r) => r.name);
    if (down.length > 0) {
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not_ready',
        `Not ready: ${down.join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer`,
        down.map((name) => ({ field: name, message: 'down' })),
      );
    }
    return { status: 'ok', info };
  }
}
