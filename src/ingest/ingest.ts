import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { DocumentRow, FileRow } from '../../schemas/document.js';
import { type FaultPoint, faultPoint } from '../faults.js';
import { sha256 } from '../hash.js';
import type { Logger } from '../logger.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/store.js';
import { requeue } from './retry.js';

export interface IngestDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  /** Files over this many MB fail `too_large` before they are read (IMR_MAX_FILE_MB; default 100). */
  maxFileMb?: number;
  /** Fault tests only. */
  faultPause?: FaultPoint | undefined;
}

export const DEFAULT_MAX_FILE_MB = 100;

export interface IngestOptions {
  /** Queue priority of the document's jobs: 0 (inbox, first) or BACKFILL_PRIORITY (behind every drop). */
  priority?: number;
}

export type IngestResult =
  | { kind: 'new' | 'duplicate' | 'known' | 'retried' | 'too_large'; sha256: string }
  | { kind: 'vanished' };

const vanished = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** A file's sha256, streamed: a file too large to load is hashed in constant memory. */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Takes one file in: its bytes go into the database (the source of truth) before anything else happens,
 * then the first stage is enqueued. Known bytes under another name are recorded as a duplicate and linked,
 * not processed again, unless their document failed: then it runs again (`retried`). A file over the size
 * limit is refused on its size, before it is read: a `failed` `too_large` document without stored bytes.
 * A file removed before it could be read is reported as vanished.
 */
export async function ingestFile(
  path: string,
  deps: IngestDeps,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const priority = options.priority ?? 0;
  const maxMb = deps.maxFileMb ?? DEFAULT_MAX_FILE_MB;
  try {
    const size = (await stat(path)).size;
    if (size > maxMb * 1024 * 1024) return await refuseLarge(path, size, maxMb, priority, deps);
  } catch (err) {
    if (!vanished(err)) throw err;
    deps.logger.warn({ file: basename(path) }, 'file removed before it was read');
    return { kind: 'vanished' };
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    if (vanished(err)) {
      deps.logger.warn({ file: basename(path) }, 'file removed before it was read');
      return { kind: 'vanished' };
    }
    throw err;
  }
  const hash = sha256(bytes);
  const registered = await deps.store.intake.register({
    sha256: hash,
    path: resolve(path),
    bytes,
    size: bytes.byteLength,
    priority,
  });
  if (registered.replaced) {
    deps.logger.info(
      { sha256: hash, file: basename(path), replaced: registered.replaced },
      'file changed after a failed read: its new bytes replace the failed document',
    );
  }
  if (registered.kind === 'new') {
    await faultPoint('after-register', deps.faultPause, deps.logger);
    await deps.queues.enqueue('extract', hash, priority);
    deps.logger.info({ sha256: hash, file: basename(path), bytes: bytes.byteLength }, 'ingested');
    return { kind: 'new', sha256: hash };
  }
  if (registered.kind === 'retried') {
    await requeue(deps.queues, hash, registered.document.priority);
    deps.logger.info(
      { sha256: hash, file: basename(path) },
      'bytes of a failed document dropped again: retried',
    );
    return { kind: 'retried', sha256: hash };
  }
  deps.logger.info(
    { sha256: hash, file: basename(path), duplicate: registered.kind === 'duplicate' },
    'known bytes: linked',
  );
  return { kind: registered.kind, sha256: hash };
}

async function refuseLarge(
  path: string,
  size: number,
  maxMb: number,
  priority: number,
  deps: IngestDeps,
): Promise<IngestResult> {
  const hash = await hashFile(path);
  const mb = (size / (1024 * 1024)).toFixed(1);
  const registered = await deps.store.intake.register({
    sha256: hash,
    path: resolve(path),
    bytes: null,
    size,
    priority,
    error: {
      code: 'too_large',
      message: `the file is ${mb} MB, over the ${maxMb} MB limit (IMR_MAX_FILE_MB): not read`,
    },
  });
  deps.logger.info({ sha256: hash, file: basename(path), bytes: size }, 'file over the size limit: failed');
  return { kind: registered.kind === 'new' ? 'too_large' : registered.kind, sha256: hash };
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

/** The names freeName gives `path` for a document: the path itself, then tagged with the sha256. */
function candidateNames(path: string, tag: string): string[] {
  const dot = path.lastIndexOf('.');
  const base = dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot) : '';
  return [path, ...Array.from({ length: 20 }, (_, i) => `${base}.${tag}${i > 0 ? `-${i + 1}` : ''}${ext}`)];
}

/** Where an earlier settle moved a file with these bytes, if it did. */
async function findMoved(wanted: string, sha: string): Promise<string | null> {
  for (const candidate of candidateNames(wanted, sha.slice(0, 8))) {
    const bytes = await readFile(candidate).catch(() => null);
    if (bytes && sha256(new Uint8Array(bytes)) === sha) return candidate;
  }
  return null;
}

/**
 * Moves the files whose document reached a terminal state out of their intake folder (the inbox, the
 * backfill folder: each with its own archive and quarantine): done and needs-review ones to the archive,
 * failed ones to quarantine with `<name>.error.json` beside them. Runs after the record is committed, so an
 * original is never moved (let alone deleted) before its result is in the database. One listing for every
 * folder. Returns the moved paths.
 *
 * A failed file whose size is no longer the size that was read (read while still being written) is left
 * where it is and handed to `onChanged`: the watcher takes it in again, and its new bytes replace the
 * failed document. A retried file already in quarantine follows its new result from there: to the archive
 * (its `.error.json` removed), or it stays with a fresh `.error.json`.
 */
export async function settleFiles(
  deps: IngestDeps,
  intake: SettleOptions | readonly SettleOptions[],
  onChanged?: (path: string) => void,
): Promise<string[]> {
  const intakes = (Array.isArray(intake) ? intake : [intake]) as readonly SettleOptions[];
  // Where a file may be: an intake folder, or (a retried one) a quarantine; the deepest folder wins.
  const sources = intakes
    .flatMap((options) => [
      { options, dir: resolve(options.inboxDir), quarantined: false },
      { options, dir: resolve(options.quarantineDir), quarantined: true },
    ])
    .sort((a, b) => b.dir.length - a.dir.length);
  const moved: string[] = [];
  // Folders made by this call: one mkdir per folder, not one per file.
  const folders = new Set<string>();
  for (const { file, document: doc } of await deps.store.listSettleable()) {
    const from = sources
      .map((i) => ({ ...i, rel: relative(i.dir, file.path) }))
      .find((i) => !i.rel.startsWith('..') && !isAbsolute(i.rel));
    if (!from) continue; // another machine's intake folder
    const { options, rel, quarantined } = from;
    const failed = doc.status === 'failed';
    const wanted = join(resolve(failed ? options.quarantineDir : options.archiveDir), rel);
    // A failed file's error file is written only for a file still there (checked first); a done one's
    // absence shows in the rename.
    const size = failed
      ? await stat(file.path).then(
          (st) => st.size,
          () => null,
        )
      : null;
    if (failed && size === null) {
      await settleMissing(deps, file, wanted);
      continue;
    }
    if (failed && !quarantined && size !== doc.bytes) {
      onChanged?.(file.path);
      continue;
    }
    if (failed && quarantined) {
      // A retry that failed again: it is where it belongs; its error file says why, this time.
      await writeErrorFile(file.path, file, doc);
      await deps.store.markFileSettled(file.id, file.path);
      continue;
    }
    const target = await freeName(wanted, file.sha256.slice(0, 8));
    const folder = dirname(target);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    if (failed) await writeErrorFile(target, file, doc);
    try {
      await rename(file.path, target);
    } catch (err) {
      // Gone from the inbox (not the target folder, made above): settled as below.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (await exists(file.path))) throw err;
      await settleMissing(deps, file, wanted);
      continue;
    }
    // Out of quarantine after a retry: the failure it recorded is over.
    if (quarantined) await rm(`${file.path}.error.json`, { force: true });
    await faultPoint('after-move', deps.faultPause, deps.logger);
    await deps.store.markFileSettled(file.id, target);
    moved.push(file.path);
    deps.logger.info(
      { sha256: file.sha256, file: basename(file.path), status: doc.status, to: target },
      'settled',
    );
  }
  return moved;
}

/** `<target>.error.json`: the file, its sha256, the code and message of its failure (atomically). */
async function writeErrorFile(target: string, file: FileRow, doc: DocumentRow): Promise<void> {
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

/** A file no longer in the inbox: moved by a process that died before recording it, or removed by a person. */
async function settleMissing(deps: IngestDeps, file: FileRow, wanted: string): Promise<void> {
  const movedTo = await findMoved(wanted, file.sha256);
  await deps.store.markFileSettled(file.id, movedTo ?? 'missing');
}
