import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../../../schemas/letter.js';
import { StageError } from '../errors.js';
import type { PdfReader, PdfReading, ReadOptions } from './read-pdf.js';

export interface PdfThreadLimits {
  /** Most time one page may take (text layer, or decode/render for OCR) before the thread is stopped. */
  pageTimeMs: number;
  /**
   * JavaScript heap of each thread (V8 old generation), beyond which the thread dies. Inflated streams
   * live outside the heap: `checkInflatedSize` caps them before pdf.js runs.
   */
  memoryMb: number;
}

type ThreadMessage =
  | { type: 'ready' }
  | { type: 'page'; id: number; page: number }
  | { type: 'done'; id: number; reading: PdfReading }
  | { type: 'error'; id: number; code: ErrorCode | null; name: string; message: string };

interface Task {
  id: number;
  bytes: Uint8Array;
  options: Omit<ReadOptions, 'onPage'>;
  resolve(reading: PdfReading): void;
  reject(err: Error): void;
}

/** Thread start-up (pdf.js) is not the document's fault: it gets its own, generous, budget. */
const BOOT_MS = 60_000;

/**
 * One thread: reads one document at a time. A thread that runs out of heap, or takes longer than the
 * page time limit between two pages, is terminated and its document fails with `memory_limit` or
 * `time_limit`; the pool starts a new thread for the next document.
 */
/**
 * Compiled (dist/), a thread runs pdf-thread.js as is. Run from the TypeScript sources (tests and scripts,
 * under tsx or vitest) it boots through tsx, whose module hooks threads do not inherit on Node 20.
 */
const THREAD_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./pdf-thread-boot.mjs', import.meta.url)
  : new URL('./pdf-thread.js', import.meta.url);

class PdfThread {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private task: Task | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: PdfThreadLimits) {}

  /** When the running task started (0 when idle). */
  startedAt = 0;

  get busy(): boolean {
    return this.task !== null;
  }

  /** Stops the running read with `err` (a limit was crossed) and discards the thread. */
  abort(err: StageError): void {
    const worker = this.worker;
    if (worker) this.detach(worker);
    this.fail(err);
    void worker?.terminate();
  }

  private start(): Promise<void> {
    const worker = new Worker(THREAD_ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb },
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    // A thread never keeps the process alive on its own (shutdown closes the pool anyway).
    worker.unref();
    return new Promise<void>((resolve, reject) => {
      let booted = false;
      const bootTimer = setTimeout(() => {
        reject(new Error(`a PDF thread did not start within ${BOOT_MS} ms`));
        void worker.terminate();
      }, BOOT_MS);
      worker.on('message', (msg: ThreadMessage) => {
        if (msg.type === 'ready') {
          booted = true;
          clearTimeout(bootTimer);
          resolve();
          return;
        }
        this.onMessage(msg);
      });
      worker.on('error', (err: Error & { code?: string }) => {
        clearTimeout(bootTimer);
        if (!booted) reject(err);
        if (!this.detach(worker)) return;
        const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.fail(
          oom
            ? new StageError(
                'memory_limit',
                `reading the PDF needed more than the ${this.limits.memoryMb} MB heap limit`,
              )
            : new Error(`the PDF thread failed: ${err.message}`),
        );
      });
      worker.on('exit', (code) => {
        clearTimeout(bootTimer);
        if (!booted) reject(new Error(`a PDF thread exited (code ${code}) before it was ready`));
        if (!this.detach(worker)) return;
        // An exit while reading that no error explained: not the file's fault as far as we know (retried).
        this.fail(new Error(`the PDF thread exited (code ${code}) while reading`));
      });
    });
  }

  /** Forgets `worker` if it is the current one (so no later task is sent to it); whether it was. */
  private detach(worker: Worker): boolean {
    if (this.worker !== worker) return false;
    this.worker = null;
    this.ready = null;
    return true;
  }

  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.abort(
        new StageError(
          'time_limit',
          `a page took longer than the ${this.limits.pageTimeMs} ms page time limit`,
        ),
      );
    }, this.limits.pageTimeMs);
  }

  private onMessage(msg: Exclude<ThreadMessage, { type: 'ready' }>): void {
    const task = this.task;
    if (!task || msg.id !== task.id) return;
    if (msg.type === 'page') {
      this.armTimer();
      return;
    }
    this.finish();
    if (msg.type === 'done') task.resolve(msg.reading);
    else if (msg.code) task.reject(new StageError(msg.code, msg.message));
    else task.reject(Object.assign(new Error(msg.message), { name: msg.name }));
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.task = null;
    this.startedAt = 0;
  }

  private fail(err: Error): void {
    const task = this.task;
    if (!task) return;
    this.finish();
    task.reject(err);
  }

  /** Starts the thread now (tsx and pdf.js load in it), so the first document does not wait for it. */
  warm(): Promise<void> {
    this.ready ??= this.start();
    return this.ready.catch(() => {
      this.ready = null;
    });
  }

  /** Runs one task (the caller makes sure this thread is not busy). */
  async run(task: Task): Promise<void> {
    this.task = task;
    this.startedAt = Date.now();
    try {
      this.ready ??= this.start();
      await this.ready;
    } catch (err) {
      this.ready = null;
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.task !== task || !this.worker) return;
    this.armTimer();
    // A copy goes to the thread: the caller keeps its bytes (they may be retried or stored).
    this.worker.postMessage({ id: task.id, bytes: task.bytes, options: task.options });
  }

  async close(): Promise<void> {
    this.fail(new Error('the PDF threads were closed'));
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    await worker?.terminate();
  }
}

/**
 * A pool of threads that run the pdf.js half of extraction (`readPdf`) under a heap limit and a time
 * limit per page: a decompression bomb, a pathological page or a pdf.js bug costs that document a coded
 * failure, never the worker process. Threads start on first use and are reused.
 */
export class PdfThreads implements PdfReader {
  private readonly threads: PdfThread[];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number, limits: PdfThreadLimits) {
    this.threads = Array.from({ length: Math.max(1, size) }, () => new PdfThread(limits));
  }

  /** Starts every thread (a worker process does at start-up, before the first document arrives). */
  async warm(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.warm()));
  }

  read(bytes: Uint8Array, options: Omit<ReadOptions, 'onPage'>): Promise<PdfReading> {
    if (this.closed) return Promise.reject(new Error('the PDF threads are closed'));
    return new Promise<PdfReading>((resolve, reject) => {
      const settle =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          f(v);
          this.dispatch();
        };
      this.waiting.push({
        id: this.nextId++,
        bytes,
        options,
        resolve: settle(resolve),
        reject: settle(reject),
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.waiting.length === 0) return;
      if (!thread.busy) void thread.run(this.waiting.shift()!);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(new Error('the PDF threads were closed'));
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
