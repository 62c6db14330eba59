import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { FileRow } from '../../schemas/document.js';
import { type FaultPoint, faultPoint } from '../faults.js';
import { sha256 } from '../hash.js';
import type { Logger } from '../logger.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/store.js';

export interface IngestDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  /** Fault tests only. */
  faultPause?: FaultPoint | undefined;
}

export interface IngestOptions {
  /** Queue priority of the document's jobs: 0 (inbox, first) or BACKFILL_PRIORITY (behind every drop). */
  priority?: number;
}

export type IngestResult = { kind: 'new' | 'duplicate' | 'known'; sha256: string } | { kind: 'vanished' };

/**
 * Takes one file in: its bytes go into the database (the source of truth) before anything else happens,
 * then the first stage is enqueued. Known bytes under another name are recorded as a duplicate and linked,
 * not processed again. A file removed before it could be read is reported as vanished.
 */
export async function ingestFile(
  path: string,
  deps: IngestDeps,
  options: IngestOptions = {},
): Promise<IngestResult> {
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
  const priority = options.priority ?? 0;
  const { isNew, duplicateFile } = await deps.store.registerFile({
    sha256: hash,
    path: resolve(path),
    bytes,
    priority,
  });
  if (isNew) {
    await faultPoint('after-register', deps.faultPause, deps.logger);
    await deps.queues.enqueue('extract', hash, priority);
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
 */
export async function settleFiles(
  deps: IngestDeps,
  intake: SettleOptions | readonly SettleOptions[],
): Promise<string[]> {
  const intakes = (Array.isArray(intake) ? intake : [intake]) as readonly SettleOptions[];
  const inboxes = intakes.map((options) => ({ options, dir: resolve(options.inboxDir) }));
  const moved: string[] = [];
  // Folders made by this call: one mkdir per folder, not one per file.
  const folders = new Set<string>();
  for (const { file, document: doc } of await deps.store.listSettleable()) {
    const from = inboxes
      .map((i) => ({ options: i.options, rel: relative(i.dir, file.path) }))
      .find((i) => !i.rel.startsWith('..') && !isAbsolute(i.rel));
    if (!from) continue; // another machine's intake folder
    const { options, rel } = from;
    const failed = doc.status === 'failed';
    const wanted = join(resolve(failed ? options.quarantineDir : options.archiveDir), rel);
    // A failed file's error file is written only for a file still there (checked first); a done one's
    // absence shows in the rename.
    if (failed && !(await exists(file.path))) {
      await settleMissing(deps, file, wanted);
      continue;
    }
    const target = await freeName(wanted, file.sha256.slice(0, 8));
    const folder = dirname(target);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
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
    try {
      await rename(file.path, target);
    } catch (err) {
      // Gone from the inbox (not the target folder, made above): settled as below.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (await exists(file.path))) throw err;
      await settleMissing(deps, file, wanted);
      continue;
    }
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

/** A file no longer in the inbox: moved by a process that died before recording it, or removed by a person. */
async function settleMissing(deps: IngestDeps, file: FileRow, wanted: string): Promise<void> {
  const movedTo = await findMoved(wanted, file.sha256);
  await deps.store.markFileSettled(file.id, movedTo ?? 'missing');
}
