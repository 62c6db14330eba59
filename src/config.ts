import { Config } from '../schemas/config.js';

/** Environment variables, with what they set. */
export const ENV = {
  IMR_OCR: 'ocr.mode',
  IMR_OCR_WORKERS: 'ocr.workers',
  IMR_OCR_DPI: 'ocr.dpi',
  IMR_OCR_TIMEOUT_MS: 'ocr.timeoutMs',
  IMR_MAX_PAGES: 'limits.maxPages',
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The one place that reads the environment: embedded defaults, overridden by IMR_* variables. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, Record<string, string>> = { ocr: {}, limits: {} };
  for (const [name, path] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const [group, key] = path.split('.') as [string, string];
    raw[group]![key] = value;
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const byPath = Object.fromEntries(Object.entries(ENV).map(([name, path]) => [path, name]));
    const lines = parsed.error.issues.map(
      (i) => `${byPath[i.path.join('.')] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
