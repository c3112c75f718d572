/**
 * The one Dockerfile (deploy/docker/Dockerfile, a target per process), checked without a Docker
 * engine: its shape (Node 24 slim, a shared build stage, a production tree per target, non-root,
 * health check, the compiled entry point), that the build context keeps what it copies, that no
 * production tree holds a test-only package, the image-size script's skip without Docker, and a
 * rehearsal of the production-tree stage for the mock LLM, run like the image runs.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMetricsPort, defaultPort, ROOT, SERVICES } from './support/platform';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
const DOCKERFILE = 'deploy/docker/Dockerfile';

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

const lines = instructions(read(DOCKERFILE));

/** The instructions of one stage, from its FROM to the next. */
function stage(name: string): string[] {
  const from = lines.findIndex((line) => / AS /.test(line) && line.endsWith(` AS ${name}`));
  if (from < 0) throw new Error(`no stage ${name} in ${DOCKERFILE}`);
  const next = lines.findIndex((line, i) => i > from && line.startsWith('FROM '));
  return lines.slice(from, next < 0 ? undefined : next);
}

describe('the one Dockerfile', () => {
  it('is the only one: a shared build, a production tree per process, a runtime, a target each', () => {
    const others = execFileSync('git', ['ls-files', '*Dockerfile*'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(others).toEqual([DOCKERFILE]);
    expect(lines).toContain('ARG NODE_IMAGE=node:24-slim');
    expect(lines.filter((line) => line.startsWith('FROM '))).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      ...SERVICES.map((s) => `FROM build AS ${s.name}-tree`),
      'FROM ${NODE_IMAGE} AS runtime',
      ...SERVICES.map((s) => `FROM runtime AS ${s.name}`),
    ]);
    expect(stage('runtime')).toContain('ENV NODE_ENV=production');
  });

  it('installs from the lockfile with every workspace manifest, then compiles, once for all', () => {
    const build = stage('build');
    for (const workspace of workspaces) {
      expect(build).toContain(`COPY ${workspace}/package.json ${workspace}/`);
    }
    expect(build.some((line) => /RUN .*npm install --no-audit --no-fund$/.test(line))).toBe(true);
    // The workspace's build: tsc, then the sessions worker's workflow bundle (scripts/lib/workspace.sh).
    expect(build).toContain(
      'RUN npx tsc -b && node services/sessions/dist/src/turns/bundle-workflows.js',
    );
  });

  it('prints the images’ sizes where Docker answers, and skips cleanly where it does not', () => {
    const run = spawnSync(join(ROOT, 'deploy/docker/image-sizes'), [], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(run.stdout).toMatch(/no Docker engine answers here; skipped/);
    expect(run.status).toBe(0);
  });
});

describe.each(SERVICES.map((s) => [s.name, s] as const))('the %s target', (_name, target) => {
  const runtime = stage(target.name);

  it('ships only its own production tree', () => {
    expect(stage(`${target.name}-tree`)).toContain(
      `RUN node deploy/docker/production-tree.mjs @lab/${target.name} /app`,
    );
    expect(runtime).toContain(`COPY --from=${target.name}-tree /app /app`);
  });

  it('has no test-only package in its production dependencies', () => {
    const listed = execFileSync(
      'npm',
      ['ls', '--omit=dev', '--all', '--parseable', '--workspace', `@lab/${target.name}`],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const testOnly = listed
      .split('\n')
      .filter((path) =>
        /node_modules\/(testcontainers|@testcontainers|jest|@jest|playwright-core|ts-jest|vitest)(\/|$)/.test(
          path,
        ),
      );
    expect(testOnly).toEqual([]);
  });

  it('runs as a non-root user, the compiled entry point, with a health check', () => {
    expect(runtime).toContain('USER 1000:1000');
    expect(runtime.indexOf('USER 1000:1000')).toBeGreaterThan(
      runtime.indexOf(`COPY --from=${target.name}-tree /app /app`),
    );
    const entry = `${target.dir}/dist/src/main.js`;
    expect(runtime.at(-1)).toBe(`CMD ["node", "${entry}"]`);
    expect(existsSync(join(ROOT, target.dir, 'src/main.ts'))).toBe(true);
    const healthcheck = runtime.find((line) => line.startsWith('HEALTHCHECK'));
    if (target.http) {
      const port = defaultPort(target);
      expect(healthcheck).toContain(`process.env.${target.http.portVariable}||${port}`);
      expect(healthcheck).toContain(target.http.liveness);
      expect(runtime).toContain(`EXPOSE ${port}`);
      expect(runtime.find((line) => line.startsWith('ENV '))).toMatch(/HOST=0\.0\.0\.0/);
    } else if (target.metrics) {
      // Its one listener is /metrics: a liveness check there, skipped when it is turned off.
      const port = defaultMetricsPort(target);
      expect(healthcheck).toContain(`process.env.${target.metrics.portVariable}||${port}`);
      expect(healthcheck).toContain(`'/metrics'`);
      expect(healthcheck).toContain(`if(p==='0')process.exit(0)`);
      expect(runtime).toContain(`EXPOSE ${port}`);
    } else {
      // No endpoint to probe (see the Dockerfile and decision 0008): said, not faked.
      expect(healthcheck).toBe('HEALTHCHECK NONE');
    }
  });
});

describe('.dockerignore', () => {
  const ignored = instructions(read('.dockerignore'));

  it('keeps out installs, builds, local state and history', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', '.infra', '**/node_modules', '**/dist', '.env']),
    );
  });

  it('keeps in every project the images’ `tsc -b` builds (the root tsconfig’s references)', () => {
    const root = JSON.parse(read('tsconfig.json')) as { references: { path: string }[] };
    for (const { path } of root.references) {
      const excluded = ignored.some(
        (pattern) => pattern === path || path.startsWith(`${pattern}/`),
      );
      expect([path, excluded]).toEqual([path, false]);
    }
    // deploy/test is checked apart (scripts/test: tsc -p deploy/test), outside the images.
    expect(root.references.map((r) => r.path)).not.toContain('deploy/test');
    expect(read('scripts/test')).toContain('npx tsc -p deploy/test');
  });

  it('keeps in everything the images copy and compile', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      '.npmrc',
      'tsconfig.json',
      'tsconfig.base.json',
    ];
    for (const path of [...needed, ...workspaces, 'deploy/docker/production-tree.mjs']) {
      const excluded = ignored.some(
        (pattern) => pattern === path || path.startsWith(`${pattern}/`),
      );
      expect([path, excluded]).toEqual([path, false]);
    }
  });
});

describe('the production-tree stage, rehearsed for the mock LLM', () => {
  const out = mkdtempSync(join(tmpdir(), 'lab-production-tree-'));
  let server: ChildProcess | undefined;

  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(out, { recursive: true, force: true });
  });

  it('copies only what the mock loads, and the mock runs from it', async () => {
    execFileSync(
      process.execPath,
      [join(ROOT, 'deploy/docker/production-tree.mjs'), '@lab/mock-llm', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(existsSync(join(out, 'tools/mock-llm/dist/src/main.js'))).toBe(true);
    expect(existsSync(join(out, 'node_modules/@lab/conversation/dist/src/index.js'))).toBe(true);
    expect(existsSync(join(out, 'node_modules/gpt-tokenizer'))).toBe(true);
    // Development tools and other services stay out.
    for (const absent of [
      'node_modules/typescript',
      'node_modules/jest',
      'services',
      'node_modules/openai',
    ]) {
      expect([absent, existsSync(join(out, absent))]).toEqual([absent, false]);
    }

    server = spawn(process.execPath, ['tools/mock-llm/dist/src/main.js'], {
      cwd: out,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', MOCK_LLM_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        const match = /"url":"([^"]+)"/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`mock exited ${code}`)));
    });
    const health = await fetch(`${url}/_mock/health`);
    expect(health.ok).toBe(true);
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer k' } });
    expect(models.status).toBe(200);
  });
});
