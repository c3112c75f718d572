/**
 * The gateway: `node services/gateway/dist/src/main.js`. The one door of the platform: identity,
 * limits, the public `/v1` API (REST + SSE, OpenAI-compatible chat), OpenAPI at `/openapi.json`
 * and `/docs`. SIGTERM stops accepting, finishes in-flight requests, closes its clients.
 */
// First: tracing must patch http, express, pg, ioredis and fetch before they load.
import '@lab/platform/telemetry/register';
import { runService } from '@lab/platform/http';
import { createApp } from './app';
import { loadConfig } from './config/gateway.config';

runService('gateway', () => loadConfig(), createApp);
