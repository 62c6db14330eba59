import { parentPort } from 'node:worker_threads';
import { StageError } from '../errors.js';
import { type ReadOptions, readPdf } from './read-pdf.js';

/** The body of a PDF-reading thread (see pdf-threads.ts): one document at a time, progress per page. */
export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  options: Omit<ReadOptions, 'onPage'>;
}

const port = parentPort;
if (!port) throw new Error('pdf-thread.ts runs as a worker thread (see pdf-threads.ts)');

port.on('message', async ({ id, bytes, options }: ReadRequest) => {
  try {
    const reading = await readPdf(bytes, {
      ...options,
      onPage: (page) => port.postMessage({ type: 'page', id, page }),
    });
    // Page images are big: moved, not copied.
    port.postMessage(
      { type: 'done', id, reading },
      reading.images.map((i) => i.image.bytes.buffer as ArrayBuffer),
    );
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({
      type: 'error',
      id,
      code: err instanceof StageError ? err.code : null,
      name: e.name,
      message: e.message,
    });
  }
});
port.postMessage({ type: 'ready' });
