import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { StageError } from '../errors.js';
import { type OcrEngine, type OcrLine, parseTesseractTsv } from './ocr-engine.js';
import type { PageImage } from './page-image.js';

const require = createRequire(import.meta.url);

/** tesseract.js's own entry of an OCR thread. */
const TESSERACT_THREAD_SCRIPT = pathToFileURL(
  join(dirname(require.resolve('tesseract.js/package.json')), 'src/worker-script/node/index.js'),
).href;

/**
 * The entry of an OCR thread at `nice` (0: tesseract.js's own): the thread lowers its own CPU priority
 * (Linux sets it per thread id) and then runs tesseract.js's script, so that on a busy machine the job
 * threads (text letters, parsing, the event loop) run first and OCR takes the cores they leave. Elsewhere,
 * or if the kernel says no, it runs at the process's priority. A `data:` module: it carries the value, and
 * a thread started by tesseract.js takes no other data.
 */
export function ocrThreadEntry(nice: number): URL | undefined {
  if (nice === 0) return undefined;
  const code = [
    "import { readlinkSync } from 'node:fs';",
    "import { setPriority } from 'node:os';",
    'try {',
    // "/proc/thread-self" -> "<pid>/task/<tid>"
    "  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());",
    `  if (Number.isInteger(tid) && tid > 0) setPriority(tid, ${Math.trunc(nice)});`,
    '} catch {}',
    `await import(${JSON.stringify(TESSERACT_THREAD_SCRIPT)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** The English model shipped by the npm package: OCR never downloads anything at run time. */
export const ENG_LANG_PATH = join(
  dirname(require.resolve('@tesseract.js-data/eng/package.json')),
  '4.0.0_best_int',
);

/**
 * Debian's English model (package tesseract-ocr-eng: tessdata_fast, a smaller network than best_int), or
 * null when it is not installed. Never shipped with the project: a machine has it or not.
 */
export function debianFastLangPath(root = '/usr/share/tesseract-ocr'): string | null {
  let versions: string[];
  try {
    versions = readdirSync(root).sort().reverse();
  } catch {
    return null;
  }
  for (const v of versions) {
    const dir = join(root, v, 'tessdata');
    if (existsSync(join(dir, 'eng.traineddata'))) return dir;
  }
  return null;
}

export interface TesseractPoolOptions {
  /** Worker threads; default: the number of cores. */
  size?: number;
  /** A folder holding `eng.traineddata.gz` or `eng.traineddata`; default the npm package's best_int. */
  langPath?: string;
  /** Page segmentation mode; default a single column of text (4). */
  psm?: PSM;
  /** More tesseract variables, set once per worker (e.g. `{ tessedit_do_invert: '0' }`). */
  parameters?: Record<string, string>;
  /**
   * A worker is replaced after reading this many pages (0: never; default RECYCLE_PAGES). Its WebAssembly
   * memory only grows, to the largest page it has read and then by fragmentation; a fresh one starts small.
   */
  recyclePages?: number;
  /** CPU priority of the OCR threads (0-19, higher is lower; default 0: the process's own). */
  nice?: number;
}

/**
 * Pages a worker reads before it is replaced. Its WebAssembly heap grows with the pages it reads and never
 * shrinks; a replacement (model load and warm-up: about one page of CPU) starts it small again. bench:ocr
 * prints RSS of a process running one worker over 500 pages of grey, fax and copier-bw scans.
 */
export const RECYCLE_PAGES = 100;

class OcrTimeout extends Error {}

/**
 * A fixed pool of tesseract.js workers (each a worker thread, so OCR never blocks the event loop),
 * created on first use and reused for every page. A page that overruns its timeout costs its worker:
 * that worker is terminated and replaced, the page fails with `ocr_timeout`.
 */
export class TesseractPool implements OcrEngine {
  /** Pages recognised by every pool of this process (a metric, and how tests see that no OCR ran). */
  static pagesRecognised = 0;

  /** Workers this pool has started (replacements included). */
  workersStarted = 0;
  private readonly size: number;
  /** The folder the model is read from. */
  readonly langPath: string;
  readonly psm: PSM;
  private readonly parameters: Record<string, string>;
  private readonly recyclePages: number;
  private readonly entry: URL | undefined;
  private readonly pagesOf = new WeakMap<Worker, number>();
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly all = new Set<Worker>();
  private readonly dpiOf = new WeakMap<Worker, number>();
  private starting = 0;
  private closed = false;

  constructor(options: TesseractPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    this.langPath = options.langPath ?? ENG_LANG_PATH;
    this.psm = options.psm ?? PSM.SINGLE_COLUMN;
    this.parameters = options.parameters ?? {};
    this.recyclePages = options.recyclePages ?? RECYCLE_PAGES;
    this.entry = ocrThreadEntry(options.nice ?? 0);
  }

  private async startWorker(): Promise<Worker> {
    const worker = await createWorker('eng', OEM.LSTM_ONLY, {
      langPath: this.langPath,
      gzip: existsSync(join(this.langPath, 'eng.traineddata.gz')),
      // The default caches the model through a browser store or a CDN fetch: neither exists here.
      cacheMethod: 'none',
      // A thread below the job threads (see ocrThreadEntry); tesseract.js hands it to `new Worker()`,
      // which takes a URL as well as a path.
      ...(this.entry ? { workerPath: this.entry as unknown as string } : {}),
    });
    // A single column of text of varying sizes: keeps header-table rows whole (a single block does not).
    await worker.setParameters({ tessedit_pageseg_mode: this.psm, ...this.parameters });
    this.all.add(worker);
    this.workersStarted++;
    return worker;
  }

  private async acquire(): Promise<Worker> {
    if (this.closed) throw new Error('the OCR pool is closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.size + this.starting < this.size) {
      this.starting++;
      try {
        return await this.startWorker();
      } finally {
        this.starting--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  private async replace(worker: Worker): Promise<void> {
    this.all.delete(worker);
    await worker.terminate().catch(() => undefined);
    if (this.closed || this.waiting.length === 0) return;
    this.release(await this.startWorker());
  }

  async recognize(image: PageImage, { timeoutMs }: { timeoutMs: number }): Promise<OcrLine[]> {
    const worker = await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    try {
      if (image.dpi && this.dpiOf.get(worker) !== image.dpi) {
        await worker.setParameters({ user_defined_dpi: String(image.dpi) });
        this.dpiOf.set(worker, image.dpi);
      }
      const result = await Promise.race([
        worker.recognize(Buffer.from(image.bytes), {}, { tsv: true, text: false }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new OcrTimeout()), timeoutMs);
        }),
      ]);
      TesseractPool.pagesRecognised++;
      const pages = (this.pagesOf.get(worker) ?? 0) + 1;
      this.pagesOf.set(worker, pages);
      if (this.recyclePages > 0 && pages >= this.recyclePages) void this.replace(worker);
      else this.release(worker);
      return parseTesseractTsv(result.data.tsv ?? '');
    } catch (err) {
      if (err instanceof OcrTimeout) {
        void this.replace(worker);
        throw new StageError('ocr_timeout', `OCR of a page took longer than ${timeoutMs} ms`);
      }
      // A worker that failed may be broken: replace it rather than reuse it.
      void this.replace(worker);
      throw new StageError('ocr_failed', `OCR failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Terminates every worker; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  }
}
