import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PrivatePostgres,
  type PrivateRedis,
  postgresUnavailableReason,
  startPrivatePostgres,
  startPrivateRedis,
} from '../helpers/services.js';

function processId(info: string): number {
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}

describe('private Redis', () => {
  let redis: PrivateRedis | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('restartEmpty drops all data, keeps the URL, and an existing client reconnects by itself', async () => {
    const server = redis!;
    expect(server.port).not.toBe(6379);
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {}); // refused reconnects while the server is down are expected
    try {
      await client.set('fault:key', 'before');
      expect(await client.get('fault:key')).toBe('before');
      const pidBefore = processId(await client.info('server'));

      await server.restartEmpty();

      const fresh = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await fresh.get('fault:key')).toBeNull();
        expect(await fresh.dbsize()).toBe(0);
        expect(processId(await fresh.info('server'))).not.toBe(pidBefore);
      } finally {
        fresh.disconnect();
      }

      // No reconnect() call: the old client must recover on its own (offline queue + retry strategy).
      expect(await client.get('fault:key')).toBeNull();
      await client.set('fault:key', 'after');
      expect(await client.get('fault:key')).toBe('after');
      expect(processId(await client.info('server'))).not.toBe(pidBefore);
    } finally {
      client.disconnect();
    }
  });
});

const pgSkipReason = postgresUnavailableReason();

describe.skipIf(pgSkipReason !== null)(
  `private PostgreSQL${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`,
  () => {
    let server: PrivatePostgres | undefined;

    beforeAll(async () => {
      server = await startPrivatePostgres();
    });
    afterAll(async () => {
      await server?.destroy();
    });

    it('pause(3000): queries fail during the outage, the same pool recovers, data survives', async () => {
      const pgServer = server!;
      expect(pgServer.port).not.toBe(5432);
      const url = await pgServer.createDatabase('svc_fault');
      expect(url).toBe(`postgres://postgres@127.0.0.1:${pgServer.port}/svc_fault`);

      const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 1000 });
      pool.on('error', () => {}); // idle clients die at shutdown; an unhandled pool 'error' kills the process
      try {
        await pool.query('CREATE TABLE items (id serial PRIMARY KEY, note text NOT NULL)');
        await pool.query("INSERT INTO items (note) SELECT 'before-' || g FROM generate_series(1, 100) g");

        let pauseDone = false;
        const pausing = pgServer.pause(3000);
        void pausing.then(
          () => {
            pauseDone = true;
          },
          () => {
            pauseDone = true;
          },
        );

        let attempts = 0;
        let inserted = 0;
        let errorsDuring = 0;
        let errorsAfter = 0;
        let okAfter = 0;
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && !(pauseDone && okAfter >= 5)) {
          const after = pauseDone;
          attempts++;
          try {
            await pool.query("INSERT INTO items (note) VALUES ('during')");
            inserted++;
            if (after) okAfter++;
          } catch {
            if (after) errorsAfter++;
            else errorsDuring++;
          }
          await sleep(100);
        }
        await pausing;

        expect(errorsDuring).toBeGreaterThan(0);
        expect(okAfter).toBeGreaterThanOrEqual(5);
        expect(errorsAfter).toBe(0); // the pool dropped its dead clients: no stale connection after restart

        const { rows } = await pool.query<{ total: number; before: number }>(
          "SELECT count(*)::int AS total, count(*) FILTER (WHERE note LIKE 'before-%')::int AS before FROM items",
        );
        expect(rows[0]?.before).toBe(100);
        // An insert cut off by the shutdown may or may not have committed.
        expect(rows[0]?.total).toBeGreaterThanOrEqual(100 + inserted);
        expect(rows[0]?.total).toBeLessThanOrEqual(100 + attempts);
      } finally {
        await pool.end();
      }
    });
  },
);
