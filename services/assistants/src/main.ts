/**
 * The assistants service: `node services/assistants/dist/src/main.js`. Validates its
 * configuration, migrates its schema, serves; SIGTERM closes the server, then the database.
 */
// First: tracing must patch http, express, pg, ioredis and fetch before they load.
import '@lab/platform/telemetry/register';
import { runService } from '@lab/platform/http';
import { createApp } from './app';
import { loadConfig } from './config/assistants.config';

runService('assistants', () => loadConfig(), createApp);
