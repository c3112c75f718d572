/**
 * `node services/sessions/dist/src/migrate.js`: runs the sessions service's pending migrations in its
 * schema and exits (the Helm chart's pre-install/pre-upgrade Job). Needs only DATABASE_URL and
 * DATABASE_SCHEMA. Every file of migrations/ is a migration; the service runs the same ones at
 * start-up, and finds none pending after the Job.
 */
import { join } from 'node:path';
import { runMigrationJob } from '@lab/platform/database';

runMigrationJob('sessions', 'sessions', [join(__dirname, 'migrations', '*.js')]);
