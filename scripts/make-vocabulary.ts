// npm run vocabulary: writes src/pipeline/vocabulary/letter-words.ts from the synthetic letters' content.
import { writeFile } from 'node:fs/promises';
import { letterWordsModule, synthLetterWords } from '../src/synth/vocabulary.js';

const words = synthLetterWords();
await writeFile('src/pipeline/vocabulary/letter-words.ts', letterWordsModule(words));
console.log(`${words.length} words -> src/pipeline/vocabulary/letter-words.ts`);
