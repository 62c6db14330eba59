import { type ExtractOptions, extractText } from '../src/pipeline/extract/extract-text.js';
import type { ExtractRuntime } from '../src/pipeline/extract-options.js';
import { recordFromText } from '../src/pipeline/process-letter.js';
import { generateLetterPdf, LAYOUTS } from '../src/synth/index.js';

export interface WarmUpResult {
  letters: number;
  ms: number;
}

/**
 * Distinct letters cycled through: every layout twice, with their items and citations, is variety enough
 * for the hot paths; each costs about 50 ms to generate, at start-up.
 */
const DISTINCT = 6;

/**
 * Runs synthetic letters (src/synth: never a real one, nothing stored) through extraction and parsing
 * before a worker takes jobs. V8 compiles hot code per thread: in a fresh worker the optimizing compiler
 * took about a fifth of the CPU of its first 500 letters. Warming moves that to start-up, where no
 * letter waits for it. The PDF threads start first; letters run side by side, one lane per thread, so
 * every thread gets its share. A worker's business, not the pipeline's: it needs the test-letter generator.
 */
export async function warmUp(runtime: ExtractRuntime, letters: number): Promise<WarmUpResult> {
  const t0 = performance.now();
  if (letters <= 0) {
    await runtime.startThreads();
    return { letters: 0, ms: 0 };
  }
  const { options, lanes } = runtime;
  // The letters are made on this thread while the PDF threads boot on the other core.
  const [pdfs] = await Promise.all([
    Promise.all(
      Array.from({ length: Math.min(DISTINCT, letters) }, (_, i) =>
        generateLetterPdf(1_000_001 + i, { layout: LAYOUTS[i % LAYOUTS.length] }),
      ),
    ),
    runtime.startThreads(),
  ]);
  // No OCR: scans are rare and the OCR engine is native code, which needs no warming.
  const textOnly: ExtractOptions = { ...options, ocr: undefined };
  let next = 0;
  const lane = async () => {
    while (next < letters) {
      const { pdf } = pdfs[next++ % pdfs.length]!;
      const text = await extractText(new Uint8Array(pdf), textOnly);
      recordFromText('warm-up.pdf', '0'.repeat(64), text);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return { letters, ms: performance.now() - t0 };
}
