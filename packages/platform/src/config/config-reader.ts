/**
 * How every service reads its environment at start-up: each problem is collected (a missing
 * variable, a value out of range), and all of them are reported at once by one ConfigError, whose
 * message names the variables — never a crash later on a value nobody checked.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigReader {
  /** The variable's value; a missing or empty one is a problem (and `''` is returned). */
  required: (name: string) => string;
  /** A number > 0 (an integer unless `kind` is `'number'`), `fallback` when unset. */
  positive: (name: string, fallback: number, kind?: 'integer' | 'number') => number;
  /** What is wrong so far; a service adds its own checks' problems here. */
  readonly problems: string[];
  /** Throws the ConfigError naming every problem, if there is any. */
  check: () => void;
}

export function configReader(env: NodeJS.ProcessEnv): ConfigReader {
  const problems: string[] = [];
  return {
    problems,
    required: (name) => {
      const value = env[name];
      if (!value) problems.push(`${name} is required`);
      return value ?? '';
    },
    positive: (name, fallback, kind = 'integer') => {
      const value = Number(env[name] ?? fallback);
      const valid = kind === 'integer' ? Number.isInteger(value) : Number.isFinite(value);
      if (!valid || value <= 0) problems.push(`${name} must be a positive ${kind}`);
      return value;
    },
    check: () => {
      if (problems.length > 0) {
        throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
      }
    },
  };
}
