/**
 * Changing your own OpenAI key (bring-your-own-key users): the gateway gives you a new data key
 * and re-encrypts your history under it in the background; this shows how far it is, until the
 * old key opens nothing the platform keeps. The tab switches to the new key at once (the old one
 * stops signing in), and the progress read resumes a rotation that stopped.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import type { Schemas } from '@lab/client';
import { unwrap } from '../../lib/api';
import { ApiError, describeError } from '../../lib/errors';
import { useAuth } from '../auth/auth-context';

export function KeyRotation() {
  const { client, identity, signIn } = useAuth();
  const [newKey, setNewKey] = useState('');
  const inputId = useId();
  const progress = useQuery({
    queryKey: ['key-rotation', identity?.me.id],
    enabled: identity?.kind === 'byok',
    queryFn: async () => {
      try {
        return await unwrap(client.GET('/v1/me/openai-key/rotation'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null; // never rotated
        throw error;
      }
    },
    refetchInterval: (query) =>
      query.state.data && query.state.data.state !== 'done' ? 1_000 : false,
  });
  const change = useMutation({
    mutationFn: async (key: string) => {
      await unwrap(client.POST('/v1/me/openai-key', { body: { newKey: key } }));
      // The old key no longer signs in: this tab goes on with the new one.
      await signIn('byok', key);
    },
    onSuccess: () => setNewKey(''),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (newKey.trim()) change.mutate(newKey.trim());
  };
  const rotation = progress.data;
  const running = rotation !== null && rotation !== undefined && rotation.state !== 'done';
  return (
    <>
      <h2>Your OpenAI key</h2>
      <p>
        Changing it re-encrypts your whole history with a new key of your own. Keep this tab open to
        follow it; it goes on if you close it.
      </p>
      <form onSubmit={submit} className="stack">
        <label htmlFor={inputId}>New OpenAI key</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={newKey}
          onChange={(event) => setNewKey(event.target.value)}
          disabled={change.isPending || running}
          required
        />
        <button type="submit" disabled={change.isPending || running || newKey.trim() === ''}>
          {change.isPending ? 'Changing your key…' : 'Change key'}
        </button>
      </form>
      {change.isError ? <ChangeError error={change.error} /> : null}
      <RotationProgress rotation={rotation ?? null} />
    </>
  );
}

function ChangeError({ error }: { error: unknown }) {
  // The route's 400s and 409s say exactly what is wrong (not an OpenAI key, a rotation running,
  // a key another user has); other errors read as everywhere else.
  const own = error instanceof ApiError && (error.status === 400 || error.status === 409);
  const detail = own
    ? error.details.map((d) => d.message).join('. ') || error.message
    : describeError(error).detail;
  return (
    <div role="alert" className="notice notice-error">
      <p className="notice-title">Your key was not changed</p>
      <p>{detail}</p>
    </div>
  );
}

const sessions = (n: number) => (n === 1 ? 'your one session is' : `your ${n} sessions are`);

function RotationProgress({ rotation }: { rotation: Schemas['KeyRotation'] | null }) {
  if (!rotation) return null;
  const labelId = 'key-rotation-progress';
  return (
    <div className="key-rotation">
      <p id={labelId} role="status">
        {rotation.state === 'done'
          ? `Done: ${sessions(rotation.total)} encrypted with your new key, and your old key opens nothing we keep.`
          : rotation.state === 'paused'
            ? `Paused after ${rotation.done} of ${rotation.total} sessions; resuming…`
            : `Re-encrypting your history: ${rotation.done} of ${rotation.total} sessions.`}
      </p>
      <progress
        aria-labelledby={labelId}
        max={Math.max(rotation.total, 1)}
        value={rotation.state === 'done' ? Math.max(rotation.total, 1) : rotation.done}
      />
    </div>
  );
}
