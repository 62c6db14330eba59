import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { pdfThreadCount } from '../../src/pipeline/extract-options.js';

describe('pdfThreadCount', () => {
  it('leaves one core to the job thread, within 1 and the extract concurrency', () => {
    const config = loadConfig({ IMR_EXTRACT_CONCURRENCY: '2' });
    expect(pdfThreadCount(config, 1)).toBe(1);
    expect(pdfThreadCount(config, 2)).toBe(1);
    expect(pdfThreadCount(config, 8)).toBe(2);
    expect(pdfThreadCount(loadConfig({ IMR_EXTRACT_CONCURRENCY: '6' }), 4)).toBe(3);
  });

  it('takes IMR_PDF_THREAD_COUNT when set (still no more than the extract concurrency)', () => {
    expect(pdfThreadCount(loadConfig({ IMR_PDF_THREAD_COUNT: '2' }), 2)).toBe(2);
    expect(pdfThreadCount(loadConfig({ IMR_PDF_THREAD_COUNT: '4', IMR_EXTRACT_CONCURRENCY: '3' }), 2)).toBe(
      3,
    );
    expect(() => loadConfig({ IMR_PDF_THREAD_COUNT: '-1' })).toThrow();
  });
});
