/**
 * The SDK this process started, if any: what the Temporal helpers hand their spans to. Kept apart
 * so that reading it loads nothing of OpenTelemetry.
 */
import type { RunningSdk } from './sdk';

let running: RunningSdk | undefined;

export function runningSdk(): RunningSdk | undefined {
  return running;
}

export function setRunningSdk(sdk: RunningSdk | undefined): void {
  running = sdk;
}
