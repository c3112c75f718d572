/**
 * The sessions service: `node services/sessions/dist/src/main.js`. Validates its configuration,
 * migrates its schema, serves the API and runs its Temporal worker (`sessions` queue); SIGTERM
 * stops both, finishing in-flight work first.
 */
// First: tracing must patch http, express, pg, ioredis and fetch before they load.
import '@lab/platform/telemetry/register';
import { runService } from '@lab/platform/http';
import { createApp } from './app';
import { loadConfig } from './config/sessions.config';

runService('sessions', () => loadConfig(), createApp);
