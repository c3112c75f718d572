/**
 * Records the histories `workflow-replay.test.ts` replays: a session (opening, a turn, a streamed
 * turn, the end) and a lab exchange, run against the real Temporal, PostgreSQL and Redis with
 * the code of today. Run it again only to add a history (never to "fix" the test): a history
 * that no longer replays means a change broke running workflows; branch with `patched()`.
 *
 *   eval "$(scripts/infra/infra env)" && \
 *     RECORD_HISTORIES=services/sessions/test/histories npx jest --selectProjects integration \
 *       --runTestsByPath services/sessions/test/histories/record.ts
 * (Not a test of the suite: jest only runs it so, by path; it is outside the suites' test names.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { labWorkflowId, sessionWorkflowId } from '@lab/workflows/ids';
import { temporal } from '@temporalio/proto';
import { Client, Connection } from '@temporalio/client';
import { startPlatform } from '../platform-harness';

export async function recordHistories(out: string): Promise<void> {
  const p = await startPlatform('record-histories');
  const connection = await Connection.connect({ address: p.sessionsConfig.temporalAddress });
  try {
    const client = new Client({
      connection,
      namespace: p.sessionsConfig.temporalNamespace,
      dataConverter: encryptedDataConverter(keyRingFromString(p.sessionsConfig.payloadKeys)),
    });
    const user = p.newUser();
    const assistant = await p.createAssistant(user);
    const started = await p.call('POST', '/sessions', user, { assistantId: assistant.id });
    const sessionId = started.body.session.id as string;
    await p.call('POST', `/sessions/${sessionId}/messages`, user, { content: 'a first turn' });
    await p.stream(`/sessions/${sessionId}/messages?stream=true`, user, { content: 'streamed' });
    await p.call('POST', `/sessions/${sessionId}/end`, user);
    const session = client.workflow.getHandle(sessionWorkflowId(sessionId));
    await session.result();
    const lab = await p.call(
      'POST',
      '/lab/turns',
      user,
      {
        draft: {
          sessionType: 'coach',
          initialPrompt: 'You are a lab draft.',
          summaryPrompt: 'Summarise.',
          modelConfig: {
            model: 'gpt-4o-mini',
            maxTokens: 100,
            temperature: 0.5,
            topP: 1,
            frequencyPenalty: 0,
            presencePenalty: 0,
          },
        },
        message: 'hello lab',
      },
      { 'idempotency-key': 'record-lab-1' },
    );
    if (lab.status !== 200) throw new Error(`lab turn: ${lab.text}`);
    const recorded = [
      ['session-opening-turns-end', sessionWorkflowId(sessionId)],
      ['exchange-lab-turn', labWorkflowId(user.id, 'record-lab-1')],
    ] as const;
    for (const [name, workflowId] of recorded) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      writeFileSync(
        join(out, `${name}.json`),
        `${JSON.stringify(
          {
            recordedAt: new Date().toISOString(),
            workflowId,
            // The payload codec's test keys of the recording (replay decodes the inputs with them).
            payloadKeys: p.sessionsConfig.payloadKeys,
            // The history as the server sends it (protobuf), base64.
            history: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString(
              'base64',
            ),
          },
          null,
          2,
        )}\n`,
      );
    }
  } finally {
    await connection.close();
    await p.close();
  }
}
