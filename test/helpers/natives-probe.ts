// Run as its own process by pdfjs-natives.test.ts: vitest's module runner hides pdf.js's polyfills.
// core-js makes its replacements print as "[native code]", so identity is what is compared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const before = { stringify: JSON.stringify, parse: JSON.parse, push: Array.prototype.push };
const { extractText } = await import('../../src/pipeline/extract/extract-text.js');
const pdf = readFileSync(join(import.meta.dirname, '../../samples/fdl-2016-21-items.pdf'));
const text = await extractText(new Uint8Array(pdf));
process.stdout.write(
  `${JSON.stringify({
    pages: text.pages.length,
    stringify: JSON.stringify === before.stringify,
    parse: JSON.parse === before.parse,
    push: Array.prototype.push === before.push,
  })}\n`,
);
