import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Logger } from '../logger.js';
import { sha256 } from '../pipeline/process-letter.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/store.js';

export interface IngestDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
}

export type IngestResult = { kind: 'new' | 'duplicate' | 'known'; sha256: string } | { kind: 'vanished' };

/**
 * Takes one file in: its bytes go into the database (the source of truth) before anything else happens,
 * then the first stage is enqueued. Known bytes under another name are recorded as a duplicate and linked,
 * not processed again. A file removed before it could be read is reported as vanished.
 */
export async function ingestFile(path: string, deps: IngestDeps): Promise<IngestResult> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      deps.logger.warn({ file: basename(path) }, 'file removed before it was read');
      return { kind: 'vanished' };
    }
    throw err;
  }
  const hash = sha256(bytes);
  const { isNew, duplicateFile } = await deps.store.registerFile({
    sha256: hash,
    path: resolve(path),
    bytes,
  });
  if (isNew) {
    await deps.queues.enqueue('extract', hash);
    deps.logger.info({ sha256: hash, file: basename(path), bytes: bytes.byteLength }, 'ingested');
    return { kind: 'new', sha256: hash };
  }
  deps.logger.info({ sha256: hash, file: basename(path), duplicate: duplicateFile }, 'known bytes: linked');
  return { kind: duplicateFile ? 'duplicate' : 'known', sha256: hash };
}

export interface SettleOptions {
  inboxDir: string;
  archiveDir: string;
  quarantineDir: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function freeName(path: string, tag: string): Promise<string> {
  if (!(await exists(path))) return path;
  const dot = path.lastIndexOf('.');
  const base = dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot) : '';
  for (let n = 1; ; n++) {
    const candidate = `${base}.${tag}${n > 1 ? `-${n}` : ''}${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
}

/**
 * Moves the inbox files whose document reached a terminal state: done and needs-review ones to the archive,
 * failed ones to quarantine with `<name>.error.json` beside them. Runs after the record is committed, so an
 * original is never moved (let alone deleted) before its result is in the database. Returns the moved paths.
 */
export async function settleFiles(deps: IngestDeps, options: SettleOptions): Promise<string[]> {
  const inbox = resolve(options.inboxDir);
  const moved: string[] = [];
  for (const { file, document: doc } of await deps.store.listSettleable()) {
    const rel = relative(inbox, file.path);
    if (rel.startsWith('..')) continue; // another inbox's file
    if (!(await exists(file.path))) {
      await deps.store.markFileSettled(file.id, 'missing');
      continue;
    }
    const failed = doc.status === 'failed';
    const target = await freeName(
      join(resolve(failed ? options.quarantineDir : options.archiveDir), rel),
      file.sha256.slice(0, 8),
    );
    await mkdir(dirname(target), { recursive: true });
    if (failed) {
      const error = {
        file: basename(file.path),
        sha256: file.sha256,
        code: doc.errorCode,
        message: doc.errorMessage,
        time: new Date().toISOString(),
      };
      await writeFile(`${target}.error.json.tmp`, `${JSON.stringify(error, null, 2)}\n`);
      await rename(`${target}.error.json.tmp`, `${target}.error.json`);
    }
    await rename(file.path, target);
    await deps.store.markFileSettled(file.id, target);
    moved.push(file.path);
    deps.logger.info(
      { sha256: file.sha256, file: basename(file.path), status: doc.status, to: target },
      'settled',
    );
  }
  return moved;
}
