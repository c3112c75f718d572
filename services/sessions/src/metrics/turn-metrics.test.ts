import { HttpStatus } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';
import { register } from 'prom-client';
import { observeTurn, outcomeOf, recordPersistedTurn } from './turn-metrics';

describe('turn metrics', () => {
  it('labels a turn by its API error code, else internal', () => {
    expect(
      outcomeOf(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, 'llm_unavailable', 'x')),
    ).toBe('llm_unavailable');
    expect(outcomeOf(new Error('boom'))).toBe('internal');
  });

  it('times turns by workflow, outcome and stream, and counts persisted tokens and guard hits', async () => {
    await observeTurn('turn', { streamChannel: 'c' }, () => Promise.resolve(1));
    await expect(
      observeTurn('turn', {}, () =>
        Promise.reject(new ApiException(HttpStatus.CONFLICT, 'session_ended', 'ended')),
      ),
    ).rejects.toBeInstanceOf(ApiException);
    recordPersistedTurn({ promptTokens: 7, completionTokens: 3 }, true);
    const text = await register.metrics();
    expect(text).toContain(
      'turn_duration_seconds_count{workflow="turn",outcome="ok",stream="yes"} 1',
    );
    expect(text).toContain(
      'turn_duration_seconds_count{workflow="turn",outcome="session_ended",stream="no"} 1',
    );
    expect(text).toContain('turns_total{workflow="turn",outcome="session_ended"} 1');
    expect(text).toContain('turn_tokens_total{kind="prompt"} 7');
    expect(text).toContain('turn_guard_hits_total 1');
  });
});
