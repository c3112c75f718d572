/**
 * The workflow code the worker runs: the bundle built with the workspace (bundle-workflows.ts)
 * when it is there and newer than the compiled workflows, so a starting service neither runs
 * webpack nor holds its memory; else the workflows' sources, bundled at start-up (tests from
 * sources, a `tsc -b` without the bundle step). With tracing on, always the sources: the
 * tracing interceptors are bundled in then.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** `services/sessions/dist/workflow-bundle.js` (this file is `dist/src/turns/workflow-code.js`). */
export const WORKFLOW_BUNDLE = join(__dirname, '..', '..', 'workflow-bundle.js');

export const workflowsPath = () => require.resolve('@lab/workflows');

/** The newest compiled workflow file (the bundle must be newer). */
function newestWorkflowFile(): number {
  const dir = dirname(workflowsPath());
  return Math.max(
    ...readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => statSync(join(dir, name)).mtimeMs),
  );
}

export function workflowCode(
  tracing: boolean,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (
    !tracing &&
    existsSync(WORKFLOW_BUNDLE) &&
    statSync(WORKFLOW_BUNDLE).mtimeMs >= newestWorkflowFile()
  )
    return { workflowBundle: { codePath: WORKFLOW_BUNDLE } };
  return { workflowsPath: workflowsPath() };
}
