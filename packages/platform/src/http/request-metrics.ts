/**
 * `http_request_duration_seconds{method,route,status}` for every request a service answers,
 * including those a guard or the error filter answered (not those the body parser refused): an Express middleware
 * for all routes that observes the response when it finishes. `route` is the matched route's
 * template (`/v1/sessions/:id/messages`), never the concrete path (ids would explode the
 * series); requests no route matched are `unmatched`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { Histogram, register } from 'prom-client';

export const REQUEST_DURATION_METRIC = 'http_request_duration_seconds';

function requestDuration(): Histogram {
  return (
    (register.getSingleMetric(REQUEST_DURATION_METRIC) as Histogram | undefined) ??
    new Histogram({
      name: REQUEST_DURATION_METRIC,
      help: 'Duration of HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    })
  );
}

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/** The label of a finished request's route: the template Express matched, else `unmatched`. */
export function routeLabel(request: RoutedRequest): string {
  const path = request.route?.path;
  // A wildcard is this middleware's own registration: no handler matched after it.
  if (typeof path !== 'string' || path.includes('*')) return 'unmatched';
  return `${request.baseUrl ?? ''}${path}` || '/';
}

export function requestMetricsMiddleware() {
  const histogram = requestDuration();
  return (request: RoutedRequest, response: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe(
        {
          method: request.method ?? 'GET',
          route: routeLabel(request),
          status: String(response.statusCode),
        },
        seconds,
      );
    });
    next();
  };
}

/** Observes every request of the application (imported by `serviceModules`). */
@Module({})
export class RequestMetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(requestMetricsMiddleware())
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
