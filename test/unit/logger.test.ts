import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger, type LogStream } from '../../src/logger.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** A stream that keeps what is written; `isTTY` says whether it poses as a terminal. */
function fakeStream(isTTY: boolean): LogStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

const ESC = String.fromCharCode(27);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const isJson = (line: string) => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

describe('createLogger: pretty on a terminal, JSON lines otherwise', () => {
  it('on a TTY: readable lines with the level, name and message, not JSON', () => {
    const stream = fakeStream(true);
    createLogger('imr-test', { stream }).info({ sha256: 'abc' }, 'job done');
    const [line, ...rest] = lines(stream.text());
    expect(rest).toEqual([]);
    expect(isJson(line ?? '')).toBe(false);
    // Colours on a terminal: strip them to read the words.
    const plain = (line ?? '').replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
    expect(plain).toMatch(/INFO.*\(imr-test\).*job done.*"sha256":"abc"/);
    expect(line).toContain(ESC);
  });

  it('not on a TTY: one JSON object per line', () => {
    const stream = fakeStream(false);
    const logger = createLogger('imr-test', { stream });
    logger.info({ sha256: 'abc' }, 'job done');
    logger.warn('second');
    const parsed = lines(stream.text()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toMatchObject([
      { level: 30, name: 'imr-test', msg: 'job done', sha256: 'abc', pid: process.pid },
      { level: 40, msg: 'second' },
    ]);
  });

  it('IMR_LOG_FORMAT forces one: json on a TTY, pretty (uncoloured) off one', () => {
    const tty = fakeStream(true);
    createLogger('x', { stream: tty, format: 'json' }).info('hello');
    expect(JSON.parse(tty.text())).toMatchObject({ msg: 'hello' });
    const pipe = fakeStream(false);
    createLogger('x', { stream: pipe, format: 'pretty' }).info('hello');
    expect(isJson(lines(pipe.text())[0] ?? '')).toBe(false);
    expect(pipe.text()).toMatch(/INFO.*hello/);
    expect(pipe.text()).not.toContain(ESC);
  });

  it('keeps to the level', () => {
    const stream = fakeStream(false);
    const logger = createLogger('x', { stream, level: 'warn' });
    logger.info('dropped');
    logger.error('kept');
    expect(lines(stream.text()).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept']);
  });

  it('loads pino-pretty only for a logger on a terminal', () => {
    const logger = pathToFileURL(join(ROOT, 'dist/src/logger.js')).href;
    const script = `
      import { createRequire } from 'node:module';
      const { createLogger } = await import(${JSON.stringify(logger)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/pino-pretty/'));
      createLogger('a', { stream: { isTTY: false, write() {} } }).info('x');
      const afterJson = loaded();
      createLogger('b', { stream: { isTTY: true, write() {} } }).info('x');
      process.stdout.write(JSON.stringify([afterJson, loaded()]));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([false, true]);
  });
});

describe('loadConfig: LOG_LEVEL and IMR_LOG_FORMAT', () => {
  it('reads them, with defaults: level unset (info), format auto', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'auto' });
    expect(loadConfig({}).logLevel).toBeUndefined();
    expect(loadConfig({ LOG_LEVEL: 'debug', IMR_LOG_FORMAT: 'json' })).toMatchObject({
      logLevel: 'debug',
      logFormat: 'json',
    });
  });

  it('refuses an unknown level or format, naming the variable', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ IMR_LOG_FORMAT: 'xml' })).toThrow(/IMR_LOG_FORMAT/);
  });
});
