/**
 * The Ops page in a real browser: the four services as processes with events on, a Prometheus of
 * the suite's own scraping them (the gateway's PROMETHEUS_URL), a few real turns, and Debian's
 * Chromium driven by Playwright. An operator signs in with an admin-scoped platform API key by
 * keyboard, finds Ops in the navigation and reads the live charts (each with its latest values in
 * words), tokens and cost by day and model, and the counters; the page refreshes by itself; it
 * fits a phone; axe-core finds no WCAG 2.1 A/AA violation in light or dark. A person without the
 * admin scope has no Ops link and is told the page is for operators.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  freeServicePort,
  type PrivatePrometheus,
  startPrivatePrometheus,
} from '@lab/platform/testing';
import {
  type E2ePlatform,
  openAiKey,
  startE2ePlatform,
} from '../../services/gateway/test/support/e2e-platform';
import { assistantDraft, eventually } from '../../services/gateway/test/support/fixtures';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'portal', 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 375, height: 740 };

let p: E2ePlatform;
let prometheus: PrivatePrometheus;
let browser: Browser;
let operatorKey: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'portal', 'dist', 'web', 'index.html'))) {
    throw new Error(
      'The portal is not built: run `npm run build -w @lab/portal` (scripts/test does)',
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: scripts/test installs Debian's chromium package`);
  }
  mkdirSync(SHOTS, { recursive: true });
  const prometheusPort = await freeServicePort();
  p = await startE2ePlatform('portal_ops', {
    events: true,
    keepLogs: false,
    gatewayEnv: { PROMETHEUS_URL: `http://127.0.0.1:${prometheusPort}` },
  });
  const host = (url: string) => new URL(url).host;
  prometheus = await startPrivatePrometheus({
    port: prometheusPort,
    targets: [
      { address: host(p.url), labels: { app: 'gateway' } },
      { address: host(p.assistantsUrl), labels: { app: 'assistants' } },
      { address: host(p.sessionsUrl), labels: { app: 'sessions' } },
      { address: host(p.workerMetricsUrl), labels: { app: 'llm-worker' } },
    ],
  });
  const created = await p.call('POST', '/v1/admin/api-keys', p.adminToken, {
    name: 'ops-console',
    scopes: ['admin'],
  });
  expect(created.status).toBe(201);
  operatorKey = created.body.key as string;

  // Turns for the charts and the usage tables: two waves a few scrapes apart.
  const person = openAiKey();
  expect((await p.call('POST', '/v1/sign-in', person)).status).toBeLessThan(300);
  const assistant = await p.call('POST', '/v1/assistants', person, assistantDraft('Ops Coach'));
  const turns = async (round: number) => {
    const started = await p.call('POST', '/v1/sessions', person, {
      assistantId: assistant.body.id as string,
    });
    const path = `/v1/sessions/${started.body.session.id as string}/messages`;
    expect((await p.call('POST', path, person, { content: `Hello ${round}` })).status).toBe(201);
  };
  await turns(1);
  await eventually(
    () => prometheus.query('sum(turns_total)'),
    (samples) => samples.length > 0,
    30_000,
  );
  await turns(2);
  await eventually(
    () => prometheus.query('sum(rate(turns_total[1m])) > 0'),
    (samples) => samples.length > 0,
    30_000,
  );
  // The usage rollup trails the turns by the event pipeline.
  const today = new Date().toISOString().slice(0, 10);
  await eventually(
    () => p.call('GET', `/v1/ops/usage?from=${today}&to=${today}&groupBy=day`, p.adminToken),
    (answer) => answer.body.totals?.turns >= 4,
    30_000,
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await prometheus?.close();
  await p?.close();
});

/** The portal's --border in dark and light (styles.css): the charts' grid lines. */
const GRID = ['#454b59', '#c9cdd6'] as const;

/** How many of a chart canvas' pixels are exactly each grid colour. */
async function gridPixels(page: Page, chart: string): Promise<Record<string, number>> {
  return page
    .getByRole('figure', { name: chart })
    .locator('canvas')
    .first()
    .evaluate((canvas: HTMLCanvasElement, colours: readonly string[]) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const counts: Record<string, number> = Object.fromEntries(colours.map((c) => [c, 0]));
      for (let i = 0; i < data.length; i += 4) {
        const hex = `#${[data[i], data[i + 1], data[i + 2]]
          .map((v) => v!.toString(16).padStart(2, '0'))
          .join('')}`;
        if (hex in counts && data[i + 3] === 255) counts[hex] = (counts[hex] ?? 0) + 1;
      }
      return counts;
    }, GRID);
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'light' });
  context.setDefaultTimeout(20_000);
  return context.newPage();
}

/** Signs in by keyboard alone: Tab to the key field, type, Enter. */
async function signInByKeyboard(page: Page, key: string) {
  await page.goto(`${p.url}/sign-in`);
  const field = page.getByLabel('OpenAI API key');
  for (let guard = 0; !(await field.evaluate((el) => el === document.activeElement)); guard += 1) {
    if (guard > 20) throw new Error('the key field is not reachable by Tab');
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Lounge' }).waitFor();
}

describe('the Ops page (real services, Prometheus, Chromium)', () => {
  it('shows an operator the live metrics, cost and counters, refreshing, on desktop and phone', async () => {
    const page = await newPage();
    await signInByKeyboard(page, operatorKey);
    const ops = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ops' });
    await ops.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Ops' }).waitFor();

    for (const title of [
      'Turns per second',
      'Chat turn latency',
      'Workflow failures (5 min)',
      'Guard hits (5 min)',
      'LLM errors (5 min)',
      'Outbox lag',
      'Consumer lag',
    ]) {
      await page.getByRole('figure', { name: title }).waitFor();
    }
    const turnsChart = page.getByRole('figure', { name: 'Turns per second' });
    await expect(turnsChart.getByRole('img').getAttribute('aria-label')).resolves.toMatch(
      /^Turns per second, \d+ series: .*turn \d/,
    );
    expect(await turnsChart.locator('canvas').count()).toBeGreaterThan(0);
    const latency = page.getByRole('figure', { name: 'Chat turn latency' });
    for (const quantile of ['p50', 'p95', 'p99']) {
      await latency.getByRole('rowheader', { name: quantile }).waitFor();
    }
    await expect(
      latency.getByRole('row', { name: /p95/ }).getByRole('cell').textContent(),
    ).resolves.toMatch(/\d( ms| s)$/);

    // Money from the usage tables: by day, then by model, chosen by keyboard.
    await page.getByRole('figure', { name: 'Cost per day (USD)' }).waitFor();
    const usage = page.getByRole('table', { name: /^Usage by day/ });
    await expect(usage.getByRole('row', { name: /^Total/ }).textContent()).resolves.toMatch(/USD/);
    await page.getByLabel('Group by').focus();
    await page.keyboard.press('ArrowDown'); // Day → Model
    await page.getByRole('table', { name: /^Usage by model/ }).waitFor();
    await page
      .getByRole('table', { name: /^Usage by model/ })
      .getByRole('rowheader', { name: 'gpt-4o-mini' })
      .waitFor();
    await expect(
      page
        .getByRole('definition')
        .filter({ hasText: /people/ })
        .textContent(),
    ).resolves.toMatch(/^\d+ \(\d+ people, \d+ systems\)$/);

    // Live: it asks again by itself.
    const again = await page.waitForRequest(
      (request) => request.url().includes('/v1/ops/metrics'),
      {
        timeout: 30_000,
      },
    );
    expect(again.url()).toContain('minutes=60');

    // A phone: nothing wider than the screen.
    await page.setViewportSize(PHONE);
    await eventually(
      () => page.evaluate(() => document.documentElement.scrollWidth),
      (width) => width <= PHONE.width,
    );
    const canvasWidth = await turnsChart
      .locator('canvas')
      .first()
      .evaluate((c) => c.clientWidth);
    expect(canvasWidth).toBeLessThanOrEqual(PHONE.width);

    const problems: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // The canvas follows the scheme: its grid is drawn in the scheme's border colour
      // (--border), never the other one's.
      const [own, other] = colorScheme === 'dark' ? GRID : [GRID[1], GRID[0]];
      await eventually(
        () => gridPixels(page, 'Turns per second'),
        (counts) => (counts[own] ?? 0) > 0 && counts[other] === 0,
      );
      for (const [width, size] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        await page.setViewportSize(size);
        const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
        problems.push(
          ...result.violations.map(
            (v) =>
              `${colorScheme} ${width}: ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          ),
        );
        await page.screenshot({
          path: join(SHOTS, `ops-${width}-${colorScheme}.png`),
          fullPage: true,
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('is for operators only: a person has no Ops link and is told so', async () => {
    const page = await newPage();
    await signInByKeyboard(page, openAiKey());
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ops' }).count(),
    ).resolves.toBe(0);
    await page.evaluate(() => {
      window.history.pushState({}, '', '/ops');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    await page.getByRole('heading', { level: 1, name: 'Ops' }).waitFor();
    await page.getByText('This page is for operators').waitFor();
    expect(await page.getByRole('figure').count()).toBe(0);
  });
});
