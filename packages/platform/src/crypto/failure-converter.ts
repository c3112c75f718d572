/**
 * Failure messages and stack traces go through the payload codec too (Temporal stores them in
 * plain text otherwise), so an error that quotes a value never reaches the server readable.
 * Loaded by path: workers bundle it into the workflow sandbox.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
