/** The Helm chart rendered by the real Helm (`helm template`), parsed into objects. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './platform';

export const CHART = join(ROOT, 'deploy/helm/assistant-platform');
export const PRODUCTION_VALUES = join(CHART, 'values-production.yaml');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}

export function helm(args: string[]): string {
  const binary = process.env.HELM;
  if (!binary)
    throw new Error('HELM is not set: run through the deploy project (scripts/deploy/tools)');
  return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `helm template lab <chart> [-f values...] [--set ...]`, every document parsed. */
export function render(options: { values?: string[]; set?: string[] } = {}): K8sObject[] {
  const args = ['template', 'lab', CHART, '--namespace', 'lab'];
  for (const file of options.values ?? []) args.push('-f', file);
  for (const assignment of options.set ?? []) args.push('--set', assignment);
  return parseAllDocuments(helm(args))
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => Boolean(object));
}

export const componentOf = (object: K8sObject) =>
  object.metadata.labels?.['app.kubernetes.io/component'];

export function find(objects: K8sObject[], kind: string, component: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind && componentOf(object) === component);
}

export function get(objects: K8sObject[], kind: string, component: string): K8sObject {
  const found = find(objects, kind, component);
  if (!found) throw new Error(`no ${kind} for ${component}`);
  return found;
}

/** Every container of every pod template (Deployments and Jobs), with its owner. */
export function containers(objects: K8sObject[]) {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .flatMap((owner) =>
      (owner.spec.template.spec.containers as any[]).map((container) => ({ owner, container })),
    );
}

/**
 * A container's environment as the kubelet would give it: values, ConfigMap and Secret keys
 * resolved from the rendered objects (`secrets` for a Secret the chart does not render), and
 * `$(VAR)` references expanded in order.
 */
export function resolveEnv(
  objects: K8sObject[],
  env: EnvVar[],
  secrets: Record<string, Record<string, string>> = {},
): Record<string, string> {
  const resolved: Record<string, string> = {};
  const configMaps = Object.fromEntries(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]),
  );
  const rendered = Object.fromEntries(
    objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o.stringData ?? {}]),
  );
  const allSecrets = { ...rendered, ...secrets };
  for (const variable of env) {
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configRef = variable.valueFrom?.configMapKeyRef;
    let value: string | undefined;
    if (secretRef) value = allSecrets[secretRef.name]?.[secretRef.key];
    else if (configRef) value = configMaps[configRef.name]?.[configRef.key];
    else
      value = (variable.value ?? '').replace(
        /\$\(([A-Z_][A-Z0-9_]*)\)/g,
        (_, name: string) => resolved[name] ?? `$(${name})`,
      );
    if (value === undefined && !secretRef?.optional) {
      throw new Error(
        `${variable.name}: ${JSON.stringify(variable.valueFrom)} resolves to nothing`,
      );
    }
    if (value !== undefined) resolved[variable.name] = value;
  }
  return resolved;
}
