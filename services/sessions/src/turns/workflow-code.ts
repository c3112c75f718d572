/**
 * The workflow code the worker runs: the bundle built with the workspace
 * (`workflows/dist/workflow-bundle.js`, see workflows/scripts/bundle.js) when it is there, so a
 * starting service neither runs webpack nor holds its memory; else the workflows' sources,
 * bundled at start-up (tests, development).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const entry = require.resolve('@lab/workflows'); // <root>/dist/src/index.js
  const bundle = join(dirname(entry), '..', 'workflow-bundle.js');
  if (process.env.WORKFLOW_BUNDLE !== 'off' && existsSync(bundle))
    return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: entry };
}
