import { z } from 'zod';

/**
 * Thrown when the environment does not describe a valid configuration. The message lists every
 * bad key at once with what was wrong and how to fix it, so an operator fixes all in one go.
 */
export class ConfigError extends Error {
  constructor(readonly problems: { key: string; problem: string; hint: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.key}: ${p.problem}${p.hint ? ` (${p.hint})` : ''}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Per-key help shown next to a validation failure. */
export type ConfigHints = Record<string, string>;

/**
 * Parses the environment once with an app's zod schema. Empty strings count as unset, so
 * `FOO=` in a compose file falls back to the embedded default instead of failing oddly.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  hints: ConfigHints = {},
  checks: ((env: Record<string, string>) => { key: string; problem: string }[])[] = [],
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  const problems = (result.success ? [] : result.error.issues).map((issue) => ({
    key: issue.path.length ? issue.path.join('.') : '(environment)',
    problem: issue.message,
  }));
  // Cross-key rules run on the raw values, so one bad key does not hide another.
  for (const check of checks) problems.push(...check(cleaned));
  if (problems.length === 0 && result.success) return result.data;
  throw new ConfigError(problems.map((p) => ({ ...p, hint: hints[p.key] ?? '' })));
}

/** Environment booleans: accepts true/false/1/0/yes/no. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'use true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envPort = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');
