import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Config } from '../../schemas/config.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestEnv {
  root: string;
  config: Config;
  /** Removes the folders, the queue keys and (PostgreSQL) the database. */
  cleanup(): Promise<void>;
}

/** A fresh, isolated pipeline environment on the real services: own folders, queue prefix and database. */
export async function createTestEnv(
  db: 'sqlite' | 'postgres',
  overrides: Partial<Config['inbox']> = {},
): Promise<TestEnv> {
  const root = await mkdtemp(join(tmpdir(), 'imr-pipe-'));
  const id = randomBytes(4).toString('hex');
  let databaseUrl = join(root, 'imr.sqlite');
  let dropDb: (() => Promise<void>) | null = null;
  if (db === 'postgres') {
    const name = `imr_test_${id}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    databaseUrl = `postgres://postgres@127.0.0.1:5432/${name}`;
    dropDb = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = Config.parse({
    // OCR threads at the process's priority: test files run side by side, and nice threads would crawl.
    ocr: { workers: 2, nice: 0 },
    limits: {},
    redisUrl: REDIS_URL,
    queuePrefix: `imrtest${id}`,
    databaseUrl,
    inbox: {
      dir: join(root, 'inbox'),
      archiveDir: join(root, 'archive'),
      quarantineDir: join(root, 'quarantine'),
      backfillDir: join(root, 'backfill'),
      stableMs: 300,
      pollMs: 100,
      ...overrides,
    },
    exportDir: join(root, 'exports'),
    // The analytics copy in the test's own folder (by default a PostgreSQL store's would be in data/).
    analytics: { copyPath: join(root, 'analytics.duckdb') },
    server: { port: 0 },
    // Tests check behaviour, not speed: no warm-up letters (test/integration/warm-up.test.ts has its own).
    workers: { warmupLetters: 0 },
    shutdownMs: 5000,
  });
  await mkdir(config.inbox.dir, { recursive: true });
  return {
    root,
    config,
    cleanup: async () => {
      await deleteQueueKeys(config.queuePrefix);
      await dropDb?.();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Deletes every Redis key of a queue prefix: an "empty Redis" for this test, without touching others. */
export async function deleteQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` is true, or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Files under a folder, recursively, as paths relative to it. */
export async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}
