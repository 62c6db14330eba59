import { basename, dirname, extname, join } from 'node:path';
import type { Config } from '../../schemas/config.js';
import { parseStoreUrl } from '../store/url.js';
import type { QueryEngine } from './query.js';

/**
 * Where this deployment's analyst SQL runs (see `analytics` in the config): the DuckDB copy's path, by
 * default `imr.analytics.duckdb` beside a SQLite store, or `data/analytics-<database>.duckdb` for
 * PostgreSQL; the store itself when `IMR_ANALYTICS=store` or the store is in memory.
 */
export function analyticsEngineOf(config: Config): QueryEngine {
  if (config.analytics.engine === 'store') return { analystUrl: config.analytics.analystDatabaseUrl ?? null };
  if (config.analytics.copyPath) return { analyticsCopy: config.analytics.copyPath };
  const target = parseStoreUrl(config.databaseUrl);
  if (target.dialect === 'sqlite') {
    if (target.path === ':memory:') return {};
    const ext = extname(target.path);
    return { analyticsCopy: join(dirname(target.path), `${basename(target.path, ext)}.analytics.duckdb`) };
  }
  const database = decodeURIComponent(new URL(target.url).pathname.slice(1)) || 'postgres';
  return { analyticsCopy: join('data', `analytics-${database.replace(/[^\w.-]/g, '_')}.duckdb`) };
}
