/**
 * The assistants service: `node services/assistants/dist/src/main.js`. Validates its
 * configuration, migrates its schema, serves; SIGTERM closes the server, then the database.
 */
import { runService } from '@lab/platform/http';
import { createApp } from './app';
import { loadConfig } from './config/assistants.config';

runService('assistants', () => loadConfig(), createApp);
