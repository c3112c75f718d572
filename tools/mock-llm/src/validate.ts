/** Checks scripts and directives field by field; unknown fields are rejected to catch typos. */
import { MOCK_FAULTS, type MockFault, type MockScript } from './types';

const NUMBER_FIELDS = [
  'latencyMs',
  'jitterMs',
  'chunkDelayMs',
  'status',
  'retryAfter',
  'cutAfterChunks',
  'leakSentences',
] as const;
const STRING_FIELDS = ['reply', 'message', 'code'] as const;
const SCRIPT_FIELDS = ['match', 'times', 'persistent'] as const;
const KNOWN = new Set<string>([
  ...NUMBER_FIELDS,
  ...STRING_FIELDS,
  'fault',
  'leakChoices',
  'choiceReplies',
]);
const KNOWN_SCRIPT = new Set<string>([...KNOWN, ...SCRIPT_FIELDS]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A valid behaviour (with `match`, `times` and `persistent` when `script`), or the message
 * explaining why not.
 */
export function validateBehaviour(value: unknown, script: boolean): MockScript | string {
  if (!isRecord(value)) return 'expected a JSON object';
  const known = script ? KNOWN_SCRIPT : KNOWN;
  for (const key of Object.keys(value)) {
    if (!known.has(key)) return `unknown field "${key}"`;
  }
  const out: MockScript = {};
  for (const key of NUMBER_FIELDS) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      return `"${key}" must be a non-negative number`;
    }
    out[key] = v;
  }
  if (
    out.status !== undefined &&
    (!Number.isInteger(out.status) || out.status < 500 || out.status > 599)
  ) {
    return '"status" must be a 5xx status code';
  }
  for (const key of STRING_FIELDS) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `"${key}" must be a string`;
    out[key] = v;
  }
  const fault = value.fault;
  if (fault !== undefined) {
    if (typeof fault !== 'string' || !(MOCK_FAULTS as readonly string[]).includes(fault)) {
      return `"fault" must be one of ${MOCK_FAULTS.join(', ')}`;
    }
    out.fault = fault as MockFault;
  }
  const leakChoices = value.leakChoices;
  if (leakChoices !== undefined) {
    if (
      !Array.isArray(leakChoices) ||
      !leakChoices.every((i: unknown) => typeof i === 'number' && Number.isInteger(i) && i >= 0)
    ) {
      return '"leakChoices" must be an array of choice indexes (non-negative integers)';
    }
    out.leakChoices = leakChoices as number[];
  }
  const choiceReplies = value.choiceReplies;
  if (choiceReplies !== undefined) {
    if (!Array.isArray(choiceReplies) || !choiceReplies.every((r) => typeof r === 'string')) {
      return '"choiceReplies" must be an array of strings';
    }
    out.choiceReplies = choiceReplies;
  }
  if (script) {
    const { match, times, persistent } = value;
    if (match !== undefined) {
      if (typeof match !== 'string' || match === '') return '"match" must be a non-empty string';
      out.match = match;
    }
    if (times !== undefined) {
      if (typeof times !== 'number' || !Number.isInteger(times) || times < 0) {
        return '"times" must be a non-negative integer';
      }
      out.times = times;
    }
    if (persistent !== undefined) {
      if (typeof persistent !== 'boolean') return '"persistent" must be a boolean';
      out.persistent = persistent;
    }
  }
  return out;
}
