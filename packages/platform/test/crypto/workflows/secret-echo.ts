// A workflow file imports only @temporalio/workflow and the types of its activities.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';

const { revealSecret } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function secretEchoWorkflow(secret: string): Promise<string> {
  const seen = await revealSecret(secret);
  return `${seen}; workflow returns ${secret}`;
}
