/**
 * Resident memory of the services' processes (VmRSS and VmHWM from /proc): idle, after start-up
 * and a settling pause, and again after the load.
 */
import { readFileSync } from 'node:fs';

export interface Footprint {
  /** Resident set, MiB, by service. */
  rssMiB: Record<string, number>;
  /** Peak resident set so far, MiB, by service. */
  peakMiB: Record<string, number>;
}

function field(status: string, name: string): number {
  const kb = Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export function footprint(pids: Record<string, number>): Footprint {
  const rssMiB: Record<string, number> = {};
  const peakMiB: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    let status = '';
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      // exited, or not Linux
    }
    rssMiB[name] = field(status, 'VmRSS');
    peakMiB[name] = field(status, 'VmHWM');
  }
  return { rssMiB, peakMiB };
}
