/**
 * Running session workflows replay their history on whichever worker takes them next, with the
 * code of that worker: the histories recorded from earlier code (histories/, see
 * record-histories.ts) must replay on today's. A failure here means a change alters what running
 * workflows do: branch it with `patched()` (workflows/README.md), do not re-record.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyRingFromString } from '@lab/platform';
import { encryptedDataConverter } from '@lab/platform/temporal';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { workflowsPath } from '../src/turns/workflow-code';

interface Recorded {
  workflowId: string;
  payloadKeys: string;
  history: string;
}

const dir = join(__dirname, 'histories');
const recorded = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as Recorded] as const);

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
});

it('has recorded histories to replay', () => {
  expect(recorded.map(([name]) => name)).toEqual(
    expect.arrayContaining(['session-opening-turns-end.json', 'exchange-lab-turn.json']),
  );
});

it.each(recorded)(
  'replays %s with today’s workflow code',
  async (_name, { workflowId, payloadKeys, history }) => {
    const events = temporal.api.history.v1.History.decode(Buffer.from(history, 'base64'));
    expect(events.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory(
      {
        workflowsPath: workflowsPath(),
        dataConverter: encryptedDataConverter(keyRingFromString(payloadKeys)),
      },
      events,
      workflowId,
    );
  },
  60_000,
);
