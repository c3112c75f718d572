/**
 * For the key rotation suites: the internal rotation route as the gateway calls it (the keys in
 * the caller's vault entry), and a user with one session holding one message.
 */
import { holdCallerKeys, TurnVault } from '@lab/platform';
import type { Platform, User } from './platform-harness';

export async function rotationRoute(
  p: Platform,
  user: User,
  method: 'GET' | 'POST',
  keys: Parameters<typeof holdCallerKeys>[1],
): Promise<{ status: number; body: any }> {
  const vault = new TurnVault(p.redis, p.sessionsConfig.turnVaultKey);
  const [token] = [...p.sessionsConfig.internalTokens.keys()];
  const response = await fetch(
    `${p.sessionsUrl}/key-rotations${method === 'GET' ? '/current' : ''}`,
    {
      method,
      headers: {
        'x-internal-token': token ?? '',
        'x-user-id': user.id,
        'x-key-ref': await holdCallerKeys(vault, keys),
      },
    },
  );
  return { status: response.status, body: (await response.json()) as any };
}

/** A session of a new assistant of the user's, with `content` sent as its first turn. */
export async function sessionWithMessage(
  p: Platform,
  user: User,
  content: string,
  assistantId?: string,
): Promise<string> {
  const assistant = assistantId ?? ((await p.createAssistant(user)).id as string);
  const started = await p.call('POST', '/sessions', user, { assistantId: assistant });
  expect(started.status).toBe(201);
  const sessionId = started.body.session.id as string;
  const sent = await p.call('POST', `/sessions/${sessionId}/messages`, user, { content });
  expect(sent.status).toBe(201);
  return sessionId;
}
