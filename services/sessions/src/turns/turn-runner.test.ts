/**
 * How a turn's failure reaches the client: Temporal out of reach is 503 `unavailable` before the
 * workflow took the turn and 504 `turn_pending` after (the turn may finish; the same key fetches
 * it), both with Retry-After; the model provider's outage is 503 `llm_unavailable` with it too.
 */
import { TURN_ERRORS } from '@lab/contracts';
import { ApiException } from '@lab/platform/http';
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { toApiError } from './turn-runner';

/** What the Temporal client throws when the server is out of reach (gRPC UNAVAILABLE). */
const unreachable = () =>
  new ServiceError('Failed to issue update', {
    cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
      metadata: {},
    }),
  });

const answer = (error: unknown) => {
  expect(error).toBeInstanceOf(ApiException);
  const api = error as ApiException;
  return { status: api.getStatus(), body: api.getResponse(), retryAfter: api.retryAfterSeconds };
};

describe('a failed turn as the API answers it', () => {
  it('Temporal out of reach before the turn was taken: 503 unavailable, Temporal named', () => {
    expect(answer(toApiError(unreachable(), 'hash'))).toEqual({
      status: 503,
      body: {
        error: {
          code: 'unavailable',
          message: expect.stringContaining('Temporal'),
          details: [{ field: 'dependency', message: 'temporal' }],
        },
      },
      retryAfter: 5,
    });
  });

  it('Temporal out of reach once the workflow had taken it: 504 turn_pending', () => {
    const { status, body, retryAfter } = answer(toApiError(unreachable(), 'hash', true));
    expect(status).toBe(504);
    expect(body).toMatchObject({ error: { code: 'turn_pending' } });
    expect(retryAfter).toBe(2);
  });

  it('the model provider out of reach: 503 llm_unavailable with Retry-After', () => {
    const failed = new WorkflowUpdateFailedError(
      'update failed',
      ApplicationFailure.create({ type: TURN_ERRORS.llmUnavailable, nonRetryable: true }),
    );
    const { status, body, retryAfter } = answer(toApiError(failed, 'hash'));
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: { code: 'llm_unavailable' } });
    expect(retryAfter).toBe(5);
  });

  it('anything else passes through (a bug stays a bug)', () => {
    const bug = new TypeError('undefined is not a function');
    expect(toApiError(bug, 'hash')).toBe(bug);
  });
});
