/** Percentiles and the plain-text tables printed to stdout. */
import type { RunResult } from './load';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Summary {
  turns: number;
  errors: number;
  turnsPerSecond: number;
  /** Client-observed turn time minus the mock's fixed latency, ms. */
  overhead: { p50: number; p95: number; p99: number; max: number; mean: number };
  resources: RunResult['resources'];
  /** CPU ms per completed turn, by process group (host-wide). */
  cpuMsPerTurn: Record<string, number>;
}

export function summariseRun(run: RunResult, latencyMs: number): Summary {
  const ok = run.samples.filter((s) => s.ok);
  const overheads = ok.map((s) => s.ms - latencyMs).sort((a, b) => a - b);
  return {
    turns: ok.length,
    errors: run.samples.length - ok.length,
    turnsPerSecond: run.wallMs > 0 ? ok.length / (run.wallMs / 1000) : 0,
    overhead: {
      p50: percentile(overheads, 50),
      p95: percentile(overheads, 95),
      p99: percentile(overheads, 99),
      max: overheads.at(-1) ?? Number.NaN,
      mean: overheads.reduce((a, b) => a + b, 0) / Math.max(1, overheads.length),
    },
    resources: run.resources,
    cpuMsPerTurn: Object.fromEntries(
      Object.entries(run.resources.cpuMs).map(([group, ms]) => [
        group,
        ok.length > 0 ? ms / ok.length : Number.NaN,
      ]),
    ),
  };
}

export function table(headers: string[], rows: string[][], leftColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : '-';
export const signed = (value: number, digits = 1) =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '-';
