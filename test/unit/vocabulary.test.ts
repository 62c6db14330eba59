import { describe, expect, it } from 'vitest';
import { LETTER_WORDS } from '../../src/pipeline/vocabulary/letter-words.js';
import { ocrVocabulary } from '../../src/pipeline/vocabulary/vocabulary.js';
import { synthLetterWords } from '../../src/synth/vocabulary.js';

describe('the OCR vocabulary', () => {
  it('holds the synthetic letters words as generated (run `npm run vocabulary` after changing content.ts)', () => {
    expect([...LETTER_WORDS].sort()).toEqual(synthLetterWords());
  });

  it('knows the words of letters, drugs and plain English', () => {
    const words = ocrVocabulary();
    for (const w of ['guidelines', 'electrodiagnostic', 'cyclobenzaprine', 'healthy', 'consent', 'opioid']) {
      expect(words.has(w), w).toBe(true);
    }
  });
});
