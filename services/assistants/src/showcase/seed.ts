/**
 * `node services/assistants/dist/src/showcase/seed.js`: migrates, then installs the showcased
 * assistants that are missing. Safe to run any number of times.
 */
import { AssistantsService } from '../assistants/assistants.service';
import { createApp } from '../app';
import { loadConfig } from '../config/assistants.config';
import { seedShowcase } from './showcase';

async function main(): Promise<void> {
  // A one-shot: no outbox relay or event consumer of its own (the running service's relay
  // publishes what the seed records); started ones would also keep the process alive.
  const config = loadConfig({ ...process.env, KAFKA_BROKERS: '' });
  const app = await createApp(config);
  await app.init();
  try {
    const created = await seedShowcase(app.get(AssistantsService), config.showcaseCreatorId);
    process.stdout.write(
      `showcase: ${created.length === 0 ? 'already installed' : `installed ${created.join(', ')}`}\n`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `showcase seed failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
