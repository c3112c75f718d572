/** Runs record-histories.ts under jest (see there). */
import { recordHistories } from './record-histories';

it('records the replayed histories', async () => {
  await recordHistories(process.env.RECORD_HISTORIES ?? __dirname);
}, 120_000);
