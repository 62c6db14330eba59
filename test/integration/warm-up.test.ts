import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { extractText } from '../../src/pipeline/extract/extract-text.js';
import { createExtractRuntime } from '../../src/pipeline/extract-options.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { warmUp } from '../../workers/warm-up.js';

describe('worker warm-up', () => {
  it('reads and parses the configured number of synthetic letters in the PDF threads, then serves letters', async () => {
    const runtime = createExtractRuntime(loadConfig({ IMR_OCR: 'never', IMR_WARMUP_LETTERS: '5' }), 'never');
    try {
      const warm = await warmUp(runtime, 5);
      expect(warm.letters).toBe(5);
      expect(warm.ms).toBeGreaterThan(0);
      const { pdf, label } = await generateLetterPdf(7, { layout: 'fdl-2016' });
      const record = recordFromText('a.pdf', 'a'.repeat(64), await extractText(pdf, runtime.options));
      expect(record.caseNumber).toBe(label.caseNumber);
      expect(record.status).toBe('ok');
    } finally {
      await runtime.close();
    }
  });

  it('does nothing when no letters are asked for', async () => {
    const runtime = createExtractRuntime(loadConfig({ IMR_OCR: 'never' }), 'never');
    try {
      expect(await warmUp(runtime, 0)).toEqual({ letters: 0, ms: 0 });
    } finally {
      await runtime.close();
    }
  });
});
