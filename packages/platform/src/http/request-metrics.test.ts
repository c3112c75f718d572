import { Writable } from 'node:stream';
import {
  CanActivate,
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { register } from 'prom-client';
import { createHttpApp } from './create-app';
import { routeLabel } from './request-metrics';
import { serviceModules } from './service-modules';

@Injectable()
class Refuse implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException();
  }
}

@Controller('v1/things')
class ThingsController {
  @Get(':id/parts')
  parts(@Param('id') id: string) {
    return { id };
  }

  @Get('secret')
  @UseGuards(Refuse)
  secret() {
    return {};
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('http_request_duration_seconds', () => {
  it('labels a route by its template, not its path', () => {
    expect(routeLabel({ route: { path: '/v1/things/:id' } } as never)).toBe('/v1/things/:id');
    expect(routeLabel({ route: { path: '/:id' }, baseUrl: '/v1' } as never)).toBe('/v1/:id');
    expect(routeLabel({} as never)).toBe('unmatched');
    expect(routeLabel({ route: { path: '/{*path}' } } as never)).toBe('unmatched');
  });

  it('observes every request of a service by method, route template and status', async () => {
    register.clear();
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    const app = await createHttpApp(
      {
        module: class TestApp {},
        imports: [
          ...serviceModules({ name: 'test', logLevel: 'silent', logStream: quiet }),
          ThingsModule,
        ],
      },
      '1kb',
    );
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    try {
      expect((await fetch(`${url}/v1/things/a1/parts`)).status).toBe(200);
      expect((await fetch(`${url}/v1/things/b2/parts`)).status).toBe(200);
      expect((await fetch(`${url}/v1/things/secret`)).status).toBe(401);
      expect((await fetch(`${url}/nowhere/c3`)).status).toBe(404);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toContain(
        'http_request_duration_seconds_count{method="GET",route="/v1/things/:id/parts",status="200"} 2',
      );
      expect(text).toContain(
        'http_request_duration_seconds_count{method="GET",route="/v1/things/secret",status="401"} 1',
      );
      expect(text).toContain(
        'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1',
      );
      expect(text).not.toContain('a1');
    } finally {
      await app.close();
    }
  });
});
