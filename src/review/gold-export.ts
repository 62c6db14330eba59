import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../pipeline/export/index.js';
import { applyCorrections } from '../records/apply-corrections.js';
import { labelFromRecord } from '../records/gold.js';
import type { Store } from '../store/store.js';

export interface GoldPair {
  sha256: string;
  pdf: string;
  label: string;
}

/** Names this writes: `<case number or file stem>-<first 12 hex of the sha256>.(pdf|json)`. */
const GOLD_NAME = /^.+-[0-9a-f]{12}\.(pdf|json)$/;

function pairName(sha256: string, caseNumber: string | null, fileName: string): string {
  const stem = (caseNumber ?? basename(fileName).replace(/\.pdf$/i, ''))
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 60);
  return `${stem || 'letter'}-${sha256.slice(0, 12)}`;
}

/**
 * The gold set: every approved letter as `NAME.pdf` (its stored bytes) + `NAME.json` (a label made from
 * the corrected record), the pair layout `bench:accuracy` reads. Pairs this wrote before for letters no
 * longer approved (or renamed by a corrected case number) are removed; other files are left alone.
 */
export async function writeGoldSet(
  store: Store,
  dir: string,
): Promise<{ pairs: GoldPair[]; removed: string[] }> {
  await mkdir(dir, { recursive: true });
  const pairs: GoldPair[] = [];
  for (const review of await store.listReviews({ state: 'approved' })) {
    const [machine, corrections, bytes, doc] = await Promise.all([
      store.getRecord(review.sha256),
      store.listCorrections(review.sha256),
      store.getBytes(review.sha256),
      store.getDocument(review.sha256),
    ]);
    if (!machine || machine.status === 'failed' || !bytes || !doc) continue;
    const truth = applyCorrections(machine, corrections);
    const name = pairName(review.sha256, truth.caseNumber, doc.fileName);
    const label = labelFromRecord(truth, [
      `Gold set (imr gold export): document ${review.sha256} (${doc.fileName}), approved by ${review.author ?? '?'} at ${review.updatedAt}.`,
      `Label = machine record of parser ${machine.parserVersion} with ${corrections.length} QA correction(s) applied.`,
    ]);
    const pdf = join(dir, `${name}.pdf`);
    const json = join(dir, `${name}.json`);
    await writeFileAtomic(pdf, bytes);
    await writeFileAtomic(json, `${JSON.stringify(label, null, 2)}\n`);
    pairs.push({ sha256: review.sha256, pdf, label: json });
  }
  const keep = new Set(pairs.flatMap((p) => [basename(p.pdf), basename(p.label)]));
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (GOLD_NAME.test(name) && !keep.has(name)) {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return { pairs, removed };
}
