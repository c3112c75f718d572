/**
 * A bring-your-own-key user's key rotation, end to end (decision 0021): the identity service
 * issues the new data key (keeping the old one as the previous key), the sessions service moves
 * the history to it (its `rotateDataKey` workflow, started with both keys in the caller's vault
 * entry) and keeps the progress; reading the progress after it is `done` drops the previous key,
 * and reading it while it is `paused` (its keys expired from the vault) resumes it.
 */
import { Inject, Injectable } from '@nestjs/common';
import { conflict, notFound } from '@lab/platform/http';
import type { AuthenticatedCaller } from '../identity/caller';
import { IdentityService } from '../identity/identity.service';
import { SESSIONS, type Upstream, UpstreamError } from '../upstream/upstream';

export interface KeyRotationView {
  state: 'running' | 'paused' | 'done';
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
}

@Injectable()
export class KeyRotationService {
  constructor(
    private readonly identity: IdentityService,
    @Inject(SESSIONS) private readonly sessions: Upstream,
  ) {}

  /**
   * `bearer` authenticated the request. The first call (with the old key) issues the new data
   * key and starts the move; a repeat (with the new key) starts it again, which the sessions
   * service answers with the same rotation (and resumes, if its keys had expired).
   */
  async rotate(
    caller: AuthenticatedCaller,
    bearer: string,
    newKey: string,
  ): Promise<KeyRotationView> {
    if (caller.previousDataKey && bearer !== newKey) {
      // An open rotation that is in fact done is closed first; a running one refuses another.
      await this.progress(caller, bearer).catch(() => undefined);
    }
    const keys = await this.identity.rotateOpenAiKey(caller, bearer, newKey);
    if (keys.repeat && !keys.previousDataKey) {
      const finished = await this.current(caller);
      if (!finished) throw conflict('The new key is the key in use');
      return finished;
    }
    const rotating: AuthenticatedCaller = {
      ...caller,
      dataKey: keys.dataKey,
      ...(keys.previousDataKey ? { previousDataKey: keys.previousDataKey } : {}),
    };
    return this.start(rotating);
  }

  /** Starts (or finds, or resumes) the move to the caller's data key from their previous one. */
  private async start(caller: AuthenticatedCaller): Promise<KeyRotationView> {
    const started = await this.sessions.json<KeyRotationView>(caller, {
      method: 'POST',
      path: '/key-rotations',
      keys: 'data',
    });
    return started.body;
  }

  /** The rotation to the caller's current data key; once `done`, the previous key is dropped. */
  async progress(caller: AuthenticatedCaller, bearer: string): Promise<KeyRotationView> {
    const view = await this.current(caller);
    if (!view) throw notFound('Key rotation');
    if (view.state === 'paused' && caller.previousDataKey) {
      // Stopped (its keys expired from the vault): the caller's request carries both keys again,
      // so the move resumes from where it stopped.
      return this.start(caller);
    }
    if (view.state === 'done' && caller.previousDataKey) {
      await this.identity.clearPreviousDataKey(caller.userId, bearer);
      delete caller.previousDataKey;
    }
    return view;
  }

  private async current(caller: AuthenticatedCaller): Promise<KeyRotationView | null> {
    try {
      const answer = await this.sessions.json<KeyRotationView>(caller, {
        path: '/key-rotations/current',
        keys: 'data',
      });
      return answer.body;
    } catch (error) {
      if (error instanceof UpstreamError && error.getStatus() === 404) return null;
      throw error;
    }
  }
}
