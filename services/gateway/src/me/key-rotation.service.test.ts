/**
 * What the progress read does with what the sessions service reports (the sessions service and
 * the identity service are stubbed; the route runs against them for real in
 * test/key-rotation.test.ts): `paused` resumes the move with the caller's keys, `done` drops the
 * previous key, `running` only reports.
 */
import { randomBytes } from 'node:crypto';
import type { AuthenticatedCaller } from '../identity/caller';
import type { IdentityService } from '../identity/identity.service';
import type { Upstream } from '../upstream/upstream';
import { KeyRotationService, type KeyRotationView } from './key-rotation.service';

const view = (state: KeyRotationView['state']): KeyRotationView => ({
  state,
  done: state === 'done' ? 3 : 1,
  total: 3,
  startedAt: '2026-12-02T20:00:00.000Z',
  finishedAt: state === 'done' ? '2026-12-02T20:01:00.000Z' : null,
});

function setUp(reported: KeyRotationView['state']) {
  const calls: Array<{ method: string; path: string; caller: AuthenticatedCaller }> = [];
  const sessions = {
    json: (caller: AuthenticatedCaller, call: { method?: string; path: string }) => {
      calls.push({ method: call.method ?? 'GET', path: call.path, caller });
      const body = call.method === 'POST' ? view('running') : view(reported);
      return Promise.resolve({ status: 200, body });
    },
  } as unknown as Upstream;
  const cleared: string[] = [];
  const identity = {
    clearPreviousDataKey: (userId: string) => {
      cleared.push(userId);
      return Promise.resolve();
    },
  } as unknown as IdentityService;
  const caller: AuthenticatedCaller = {
    userId: 'u-1',
    kind: 'byok',
    limitKey: 'user:u-1',
    scopes: [],
    dataKey: randomBytes(32),
    previousDataKey: randomBytes(32),
  };
  return { service: new KeyRotationService(identity, sessions), calls, cleared, caller };
}

describe('KeyRotationService.progress', () => {
  it('resumes a paused rotation with both of the caller keys, and answers it running', async () => {
    const { service, calls, cleared, caller } = setUp('paused');
    const previous = caller.previousDataKey;
    const answer = await service.progress(caller, 'sk-new');
    expect(answer.state).toBe('running');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /key-rotations/current',
      'POST /key-rotations',
    ]);
    expect(calls[1]?.caller.previousDataKey).toBe(previous);
    expect(cleared).toEqual([]);
  });

  it('drops the previous key once the rotation is done, and starts nothing', async () => {
    const { service, calls, cleared, caller } = setUp('done');
    expect((await service.progress(caller, 'sk-new')).state).toBe('done');
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(cleared).toEqual(['u-1']);
    expect(caller.previousDataKey).toBeUndefined();
  });

  it('only reports a running rotation', async () => {
    const { service, calls, cleared, caller } = setUp('running');
    expect((await service.progress(caller, 'sk-new')).state).toBe('running');
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect(cleared).toEqual([]);
  });
});
