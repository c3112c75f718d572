// A workflow file imports only @temporalio/workflow and the types of its activities.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';

const { composeGreeting } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function greetingWorkflow(name: string): Promise<string> {
  const greeting = await composeGreeting(name);
  return `${greeting} (workflow ${workflowInfo().workflowType})`;
}
