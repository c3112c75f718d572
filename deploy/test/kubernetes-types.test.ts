/**
 * The chart's manifests against the Kubernetes API's own types: deploy/kubecheck decodes every
 * document `helm template` renders strictly into k8s.io/api (and the Prometheus Operator's
 * monitoring.coreos.com/v1) Go types — unknown or duplicated fields, values of the wrong type,
 * missing required fields and kinds the API version does not have all fail — for the default
 * values, the production values, and every optional object switched on. YAML that merely parses
 * is not enough: a misspelt `readinessProbe` or a port given as a string would be applied by no
 * API server.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, helm, PRODUCTION_VALUES } from './support/chart';
import { ROOT } from './support/platform';

/** The Kubernetes release of the k8s.io/api module kubecheck is built with (v0.37.2: 1.37.2). */
const KUBE_VERSION = (() => {
  const goMod = readFileSync(join(ROOT, 'deploy/kubecheck/go.mod'), 'utf8');
  const match = /k8s\.io\/api v0\.(\d+)\.(\d+)/.exec(goMod);
  if (!match) throw new Error('no k8s.io/api in deploy/kubecheck/go.mod');
  return `1.${match[1]}.${match[2]}`;
})();

function template(values: string[] = [], set: string[] = []): string {
  const args = ['template', 'lab', CHART, '--namespace', 'lab', '--kube-version', KUBE_VERSION];
  for (const file of values) args.push('-f', file);
  for (const assignment of set) args.push('--set', assignment);
  return helm(args);
}

function kubecheck(manifests: string): { status: number | null; output: string } {
  const binary = process.env.KUBECHECK;
  if (!binary) throw new Error('KUBECHECK is not set: run through the deploy project');
  const run = spawnSync(binary, [], { input: manifests, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const EVERYTHING_ON = [
  'metrics.serviceMonitor.enabled=true',
  'metrics.prometheusRule.enabled=true',
  'metrics.dashboard.enabled=true',
  'ingress.enabled=true',
  'llmWorker.metrics.temporalPort=9465',
];

describe(`the rendered chart, decoded strictly into the types of Kubernetes ${KUBE_VERSION}`, () => {
  it.each([
    ['the default values', [], []],
    ['the production values', [PRODUCTION_VALUES], []],
    ['every optional object on', [], EVERYTHING_ON],
  ])('%s: every manifest passes', (_, values: string[], set: string[]) => {
    const { status, output } = kubecheck(template(values, set));
    expect(output).not.toMatch(/^FAIL/m);
    expect(output).toMatch(/^\d+ manifests checked against k8s\.io\/api v0\.\d+\.\d+: 0 failed$/m);
    expect(status).toBe(0);
  });

  it('checks every kind the chart renders, the monitoring ones included', () => {
    const { output } = kubecheck(template([PRODUCTION_VALUES], EVERYTHING_ON));
    const kinds = new Set([...output.matchAll(/^ok {4}\S+ (\w+)\//gm)].map((m) => m[1]));
    for (const kind of [
      'Deployment',
      'Service',
      'ConfigMap',
      'Job',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'Ingress',
      'ServiceMonitor',
      'PrometheusRule',
    ]) {
      expect([kind, kinds.has(kind)]).toEqual([kind, true]);
    }
  });

  it('fails broken manifests: a misspelt field, a wrong type, a missing required field', () => {
    const documents = template().split(/^---$/m);
    const deployment = (component: string) =>
      documents.findIndex(
        (doc) =>
          /^kind: Deployment$/m.test(doc) &&
          doc.includes(`app.kubernetes.io/component: ${component}\n`),
      );
    const breakIn = (component: string, from: RegExp, to: string) => {
      const index = deployment(component);
      const broken = documents[index]!.replace(from, to);
      expect(broken).not.toBe(documents[index]);
      documents[index] = broken;
    };
    breakIn('gateway', /readinessProbe:/, 'readinesProbe:');
    breakIn('assistants', /containerPort: (\d+)/, 'containerPort: "$1"');
    breakIn('sessions', /\n {2}selector:\n {4}matchLabels:\n( {6}.*\n)+/, '\n');
    const { status, output } = kubecheck(documents.join('---'));
    expect(status).toBe(1);
    expect(output).toMatch(/^\d+ manifests checked against k8s\.io\/api v0\.\d+\.\d+: 3 failed$/m);
    expect(output).toContain('unknown field "spec.template.spec.containers[0].readinesProbe"');
    expect(output).toMatch(/cannot unmarshal string into Go struct field ContainerPort/);
    expect(output).toContain('missing required field "spec.selector"');
  });
});
