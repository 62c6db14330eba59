// node bin/run.js scripts/check-validator.ts <dir> [--min 0.95] [--scan] [--verbose]
// Measures what the validator catches: every letter of a folder is extracted and parsed, then its fields
// are corrupted one at a time (a header date moved, an item's decision swapped, an item dropped, the
// reviewer specialty garbled) and validated again with the letter's own evidence. A corruption counts as
// caught when it brings a new error-severity mismatch (the letter would go to review). Also checks that
// the letters as read raise no error at all. Exit 1 when the caught share of the gated kinds is below
// --min, or when any letter as read has an error or fails. --scan first makes a scanned copy of each PDF
// (as bench-accuracy --scan) so that the evidence is read through OCR.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LetterFields, Provenance } from '../schemas/letter.js';
import { loadConfig } from '../src/config.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import type { LetterEvidence } from '../src/pipeline/parse/evidence.js';
import { parseLetter } from '../src/pipeline/parse/parse-letter.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { validateLetter } from '../src/pipeline/validate/validate-letter.js';
import { DEFAULT_SCAN, scanPdf } from '../src/synth/scan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    min: { type: 'string', default: '0.95' },
    scan: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: node bin/run.js scripts/check-validator.ts <dir> [--min 0.95] [--scan] [--verbose]');
  process.exit(2);
}
const min = Number(values.min);

interface Corruption {
  kind: string;
  /** What was changed, for the list of misses. */
  target: string;
  fields: LetterFields;
  provenance: Record<string, Provenance>;
}

const DATE_KEYS = ['decisionDate', 'injuryDate', 'urDate'] as const;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function addYears(iso: string, years: number): string {
  const y = Number(iso.slice(0, 4)) + years;
  // 29 February of a leap year becomes the 28th.
  const day = iso.slice(5) === '02-29' ? '02-28' : iso.slice(5);
  return `${y}-${day}`;
}

const OCR_SWAPS: Record<string, string> = { a: 'o', e: 'c', i: 'l', o: 'a', u: 'v', n: 'h', m: 'rn', r: 'n' };

/** Garbles text as a bad OCR read would: every third letter replaced by a look-alike. */
function garble(text: string): string {
  let letters = 0;
  return text.replace(/[A-Za-z]/g, (ch) => {
    letters++;
    if (letters % 3 !== 2) return ch;
    const swap =
      OCR_SWAPS[ch.toLowerCase()] ?? String.fromCharCode(((ch.toLowerCase().charCodeAt(0) - 96) % 26) + 97);
    return ch === ch.toUpperCase() ? swap.toUpperCase() : swap;
  });
}

function clone(fields: LetterFields): LetterFields {
  return structuredClone(fields);
}

/** Provenance with item `drop` removed and the later items renumbered. */
function dropItemProvenance(
  provenance: Record<string, Provenance>,
  drop: number,
): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  for (const [key, value] of Object.entries(provenance)) {
    const m = /^items\.(\d+)\.(.*)$/.exec(key);
    if (!m) out[key] = value;
    else if (Number(m[1]) < drop) out[key] = value;
    else if (Number(m[1]) > drop) out[`items.${Number(m[1]) - 1}.${m[2]}`] = value;
  }
  return out;
}

/**
 * The corruptions the gate is about: the extraction errors that change what a record means. A date moves
 * by 45 days, which always changes both month and day: another date of the letter's story (a misread
 * cell, a date taken from the wrong sentence), not the few-days or one-part slips the letters make
 * themselves. Those are reported apart (extraCorruptions): the validator only warns about them.
 */
function gatedCorruptions(fields: LetterFields, provenance: Record<string, Provenance>): Corruption[] {
  const out: Corruption[] = [];
  for (const key of DATE_KEYS) {
    const value = fields[key];
    if (!value) continue;
    for (const days of [-45, 45]) {
      const f = clone(fields);
      f[key] = addDays(value, days);
      out.push({
        kind: `${key} ${days > 0 ? '+' : ''}${days}d`,
        target: `${value} -> ${f[key]}`,
        fields: f,
        provenance,
      });
    }
  }
  fields.items.forEach((item, i) => {
    const f = clone(fields);
    f.items[i]!.decision = item.decision === 'upheld' ? 'overturned' : 'upheld';
    out.push({ kind: 'decision swapped', target: `items.${i}`, fields: f, provenance });
  });
  fields.items.forEach((_, i) => {
    const f = clone(fields);
    f.items.splice(i, 1);
    out.push({
      kind: 'item dropped',
      target: `items.${i}`,
      fields: f,
      provenance: dropItemProvenance(provenance, i),
    });
  });
  if (fields.reviewer.specialty) {
    const f = clone(fields);
    f.reviewer.specialty = garble(fields.reviewer.specialty);
    out.push({ kind: 'specialty garbled', target: f.reviewer.specialty, fields: f, provenance });
  }
  return out;
}

/** Reported, not gated: other fields, and date errors the letters' own slips look the same as. */
function extraCorruptions(fields: LetterFields, provenance: Record<string, Provenance>): Corruption[] {
  const out: Corruption[] = [];
  if (fields.reviewer.licensure.length > 0) {
    const f = clone(fields);
    f.reviewer.licensure[0] = garble(f.reviewer.licensure[0]!);
    out.push({ kind: 'licensure garbled', target: f.reviewer.licensure[0]!, fields: f, provenance });
  }
  fields.items.forEach((item, i) => {
    if (item.quantity === null) return;
    const f = clone(fields);
    f.items[i]!.quantity = item.quantity * 2;
    out.push({ kind: 'quantity changed', target: `items.${i}`, fields: f, provenance });
  });
  for (const key of DATE_KEYS) {
    const value = fields[key];
    if (!value) continue;
    for (const [label, shifted] of [
      ['-3d', addDays(value, -3)],
      ['+3d', addDays(value, 3)],
      ['-1y', addYears(value, -1)],
      ['+1y', addYears(value, 1)],
    ] as const) {
      const f = clone(fields);
      f[key] = shifted;
      out.push({ kind: `${key} ${label}`, target: `${value} -> ${shifted}`, fields: f, provenance });
    }
  }
  return out;
}

function errorKeys(fields: LetterFields, provenance: Record<string, Provenance>, evidence: LetterEvidence) {
  return new Set(
    validateLetter(fields, provenance, evidence)
      .filter((m) => m.severity === 'error')
      .map((m) => `${m.field} ${m.code}`),
  );
}

interface Tally {
  caught: number;
  total: number;
  misses: string[];
  /** How often each new error code fired: which rule caught the kind. */
  codes: Map<string, number>;
}

const runtime = createExtractRuntime(loadConfig(process.env));
const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
const gated = new Map<string, Tally>();
const extra = new Map<string, Tally>();
const problems: string[] = [];
try {
  for (const [n, file] of files.entries()) {
    let bytes: Uint8Array = new Uint8Array(await readFile(join(dir, file)));
    if (values.scan) bytes = await scanPdf(bytes, { ...DEFAULT_SCAN, seed: n + 1 });
    const { record, text } = await processPdf(file, bytes, runtime.options);
    if (record.status === 'failed' || !text) {
      problems.push(`${file}: failed (${record.error?.code} ${record.error?.message})`);
      continue;
    }
    // Through OCR a doubtful case number or decision is meant to go to review: not a false alarm.
    const asRead = record.mismatches.filter(
      (m) => m.severity === 'error' && !(values.scan && m.code === 'low_confidence'),
    );
    if (asRead.length > 0) {
      problems.push(
        `${file}: as read: ${asRead.map((m) => `${m.field} ${m.code} (${m.message})`).join('; ')}`,
      );
    }
    const parsed = parseLetter(text);
    const before = errorKeys(parsed.fields, parsed.provenance, parsed.evidence);
    for (const [tallies, corruptions] of [
      [gated, gatedCorruptions(parsed.fields, parsed.provenance)],
      [extra, extraCorruptions(parsed.fields, parsed.provenance)],
    ] as const) {
      for (const c of corruptions) {
        const after = errorKeys(c.fields, c.provenance, parsed.evidence);
        const fresh = [...after].filter((k) => !before.has(k));
        const caught = fresh.length > 0;
        const t = tallies.get(c.kind) ?? {
          caught: 0,
          total: 0,
          misses: [],
          codes: new Map<string, number>(),
        };
        for (const code of new Set(fresh.map((k) => k.split(' ')[1]!))) {
          t.codes.set(code, (t.codes.get(code) ?? 0) + 1);
        }
        t.total++;
        if (caught) t.caught++;
        else t.misses.push(`${file} ${c.target}`);
        tallies.set(c.kind, t);
      }
    }
  }
} finally {
  await runtime.close();
}

const pct = (t: { caught: number; total: number }) =>
  `${String(t.caught).padStart(4)}/${String(t.total).padEnd(4)} ${(t.total === 0 ? 100 : (100 * t.caught) / t.total).toFixed(1).padStart(6)}%`;
function report(title: string, tallies: Map<string, Tally>): { caught: number; total: number } {
  console.log(`\n${title}`);
  const sum = { caught: 0, total: 0 };
  for (const [kind, t] of tallies) {
    sum.caught += t.caught;
    sum.total += t.total;
    const by = [...t.codes]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    console.log(`  ${kind.padEnd(24)}${pct(t)}  ${by}`);
    if (values.verbose) for (const miss of t.misses) console.log(`      missed: ${miss}`);
  }
  console.log(`  ${'ALL'.padEnd(24)}${pct(sum)}`);
  return sum;
}

console.log(`${files.length} letters in ${dir}${values.scan ? ' (scanned copies, through OCR)' : ''}`);
const overall = report('corruptions caught (gated):', gated);
report('other corruptions (reported, not gated; letters have such slips themselves):', extra);
if (problems.length > 0) {
  console.log(`\nletters as read with an error (${problems.length}):`);
  for (const p of problems) console.log(`  ${p}`);
}
const share = overall.total === 0 ? 0 : overall.caught / overall.total;
let failed = false;
if (share < min) {
  console.error(`GATE FAILED: caught ${(100 * share).toFixed(1)}% < ${(100 * min).toFixed(1)}%`);
  failed = true;
}
if (problems.length > 0) {
  console.error(`GATE FAILED: ${problems.length} letter(s) as read have an error or failed`);
  failed = true;
}
process.exit(failed ? 1 : 0);
