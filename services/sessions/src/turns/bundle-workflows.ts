/**
 * Builds the workflow bundle the worker runs (`services/sessions/dist/workflow-bundle.js`) once,
 * with the workspace (`scripts/lib/workspace.sh`, the image's build), instead of at every
 * start: a starting service then neither runs webpack nor keeps its memory. The data converter's
 * failure converter goes into the bundle, as Temporal requires of a prebuilt one.
 *
 *   node services/sessions/dist/src/turns/bundle-workflows.js
 */
import { writeFileSync } from 'node:fs';
import { generateKeyRingString, keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE, workflowsPath } from './workflow-code';

async function main(): Promise<void> {
  // The converter's module paths only: no key is used to build.
  const { failureConverterPath } = encryptedDataConverter(
    keyRingFromString(generateKeyRingString('build')),
  );
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    ...(failureConverterPath ? { failureConverterPath } : {}),
    logger: {
      trace() {},
      debug() {},
      info() {},
      warn: console.warn,
      error: console.error,
      log() {},
    },
  });
  writeFileSync(WORKFLOW_BUNDLE, code);
  process.stdout.write(
    `workflow bundle: ${WORKFLOW_BUNDLE} (${Math.round(code.length / 1024)} KiB)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bundle-workflows: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
