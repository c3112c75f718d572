/**
 * The ops API for dashboards (operators: the ADMIN_TOKEN or an `admin`-scoped API key): usage by
 * period and dimension from the usage rollup, the gateway's counters, and the live metrics over
 * time from Prometheus (PROMETHEUS_URL; ops-metrics.ts). Usage trails the turns
 * by the event pipeline's lag (about a second; decision 0009). Per-assistant and per-prompt-
 * version session counters live in the assistants service (`sessionsStarted`/`sessionsEnded`
 * of each assistant); this API serves the gateway's own.
 */
import { ApiQueryFrom } from '../openapi/decorators';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../admin/api-keys.controller';
import { Answers } from '../openapi/views';
import { type UsageDimension, UsageRepository, type UsageRow } from '../usage/usage.repository';
import { OpsMetricsQueryDto, UsageQueryDto } from './ops.dto';
import { type OpsMetrics, OpsMetricsService } from './ops-metrics';
import { type GatewayCounters, OpsRepository } from './ops.repository';

type Totals = Omit<UsageRow, 'key'>;

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageDimension;
  totals: Totals;
  groups: UsageRow[];
}

const round = (usd: number) => Math.round(usd * 1e10) / 1e10;

@ApiTags('ops')
@ApiBearerAuth()
@Controller('v1/ops')
@UseGuards(AdminGuard)
export class OpsController {
  constructor(
    private readonly usage: UsageRepository,
    private readonly ops: OpsRepository,
    private readonly metrics: OpsMetricsService,
  ) {}

  @Get('metrics')
  @ApiOperation({
    summary: 'The live metrics over the last minutes, from Prometheus',
    description:
      'Turns per second, chat turn latency (p50, p95, p99), workflow failures, guard hits, LLM errors, outbox and consumer lag: about 120 points each, read from the Prometheus at PROMETHEUS_URL (`configured: false` and no panels without one; 503 `metrics_unavailable` when it does not answer). Money is in `/v1/ops/usage`.',
  })
  @Answers('OpsMetrics')
  @ApiQueryFrom(OpsMetricsQueryDto)
  async liveMetrics(@Query() query: OpsMetricsQueryDto): Promise<OpsMetrics> {
    return this.metrics.read(query.minutes ?? 60);
  }

  @Get('usage')
  @ApiOperation({
    summary:
      'Usage between two UTC days (inclusive), grouped by day, user, assistant, model or API key',
    description:
      'Turns (chat turns, lab turns and OpenAI-compatible completions), prompt and completion tokens, cost in USD from the model prices, guard hits. A recap adds tokens and cost, not a turn. Group keys are null for calls without an API key (`apiKey`) or with a lab draft (`assistant`).',
  })
  @Answers('UsageReport')
  @ApiQueryFrom(UsageQueryDto)
  async report(@Query() query: UsageQueryDto): Promise<UsageReport> {
    const groups = (await this.usage.grouped(query.from, query.to, query.groupBy)).map((g) => ({
      ...g,
      costUsd: round(g.costUsd),
    }));
    const totals = groups.reduce<Totals>(
      (sum, g) => ({
        turns: sum.turns + g.turns,
        promptTokens: sum.promptTokens + g.promptTokens,
        completionTokens: sum.completionTokens + g.completionTokens,
        costUsd: round(sum.costUsd + g.costUsd),
        guardHits: sum.guardHits + g.guardHits,
      }),
      { turns: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, guardHits: 0 },
    );
    return { from: query.from, to: query.to, groupBy: query.groupBy, totals, groups };
  }

  @Get('counters')
  @ApiOperation({
    summary:
      'Users (total, people, systems, active), sessions started and ended, assistants created',
    description:
      'Active users made at least one LLM call in the UTC day, the last 7 or the last 30 days. Per-assistant counters are on the assistants themselves (`sessionsStarted`, `sessionsEnded`).',
  })
  @Answers('Counters')
  async counters(): Promise<GatewayCounters & { asOf: string }> {
    const now = new Date();
    return {
      asOf: now.toISOString(),
      ...(await this.ops.counters(now.toISOString().slice(0, 10))),
    };
  }
}
