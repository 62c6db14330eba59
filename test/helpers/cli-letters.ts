import type { LetterRecord } from '../../schemas/letter.js';
import type { createStore } from '../../src/store/create-store.js';
import { item, type LetterFacts, letterRecord } from './record-builders.js';

/**
 * Four hand-made letters (8 items) and a few documents in other states, for the `imr query`, `imr report`
 * and `imr status` tests: every number those commands print for them is worked out by hand in
 * test/integration/cli-commands.test.ts.
 *
 *   E0 Norco          upheld      pharmacy/opioids   ca mtus/Chronic Pain         mx mtus/Chronic Pain
 *   E1 lumbar MRI     overturned  imaging            ca none                      mx odg/Low Back
 *   F0 Tramadol       upheld      pharmacy/opioids   ca mtus/Chronic Pain         mx acoem
 *   F1 Acupuncture    upheld      physical_medicine  ca mtus/Acupuncture          mx mtus/Acupuncture
 *   F2 Norco          overturned  pharmacy/opioids   ca mtus/Chronic Pain         mx mtus/Chronic Pain
 *   G0 Zorbulator     overturned  (none)             ca none                      mx none
 *   G1 PT             upheld      physical_medicine  ca none                      mx mtus/Chronic Pain
 *   H0 cervical MRI   upheld      imaging            ca mtus/Neck                 mx odg/Neck
 *
 * Letter      decided     received    injured     specialty
 *   E (2)     2015-03-10  2015-02-20  2014-09-01  Physical Medicine & Rehabilitation   18 days, 190 days
 *   F (3)     2015-08-25  2015-08-01  2012-01-10  Physical Medicine & Rehabilitation   24 days, 3.6 years
 *   G (2)     2016-01-04  2015-12-15  2015-12-01  (none)                               20 days, 34 days
 *   H (1)     2016-02-20  2016-02-01  2001-05-01  Internal Medicine                    19 days, 14.8 years
 */

type Store = ReturnType<typeof createStore>;

const CHRONIC = 'MTUS Chronic Pain Medical Treatment 2016';
const ACUPUNCTURE = 'MTUS Acupuncture Medical Treatment 2016';

function letter(
  key: string,
  dates: LetterFacts['dates'],
  specialty: string | null,
  items: LetterFacts['items'],
): LetterRecord {
  return letterRecord(key, {
    file: `cli-letter-${key}.pdf`,
    caseNumber: `CM15-00000${key.toUpperCase()}0`,
    parserVersion: 'cli-test',
    dates,
    specialty,
    patient: { age: 45, sex: 'male' },
    items,
  });
}

const PMR = 'Physical Medicine & Rehabilitation';

export const CLI_LETTERS: readonly LetterRecord[] = [
  letter('e', { decision: '2015-03-10', received: '2015-02-20', injury: '2014-09-01' }, PMR, [
    item('Norco 10/325mg #60', 'upheld', [[CHRONIC]], [[CHRONIC, 'Opioids']]),
    item('MRI of the lumbar spine', 'overturned', null, [
      ['Non-MTUS Citation Official Disability Guidelines (ODG), Low Back Chapter'],
    ]),
  ]),
  letter('f', { decision: '2015-08-25', received: '2015-08-01', injury: '2012-01-10' }, PMR, [
    item(
      'Tramadol 50mg #60',
      'upheld',
      [[CHRONIC]],
      [['Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition']],
    ),
    item('Acupuncture 6 visits', 'upheld', [[ACUPUNCTURE]], [[ACUPUNCTURE]]),
    item('Norco 10/325mg #90', 'overturned', [[CHRONIC]], [[CHRONIC, 'Opioids']]),
  ]),
  letter('9', { decision: '2016-01-04', received: '2015-12-15', injury: '2015-12-01' }, null, [
    item('Zorbulator treatments', 'overturned', null, null),
    item('Physical therapy 2 times a week for 6 weeks', 'upheld', null, [[CHRONIC, 'Physical Medicine']]),
  ]),
  letter('7', { decision: '2016-02-20', received: '2016-02-01', injury: '2001-05-01' }, 'Internal Medicine', [
    item(
      'MRI of the cervical spine',
      'upheld',
      [['MTUS Neck and Upper Back Complaints 2004']],
      [['Non-MTUS Citation ODG Neck and Upper Back']],
    ),
  ]),
];

/**
 * Documents by state once `storeCliLetters` ran: the four letters (three done, one needs_review) and three
 * documents without a record (queued, extracting, failed).
 */
export const CLI_DOCUMENT_COUNTS = {
  queued: 1,
  extracting: 1,
  extracted: 0,
  parsed: 0,
  done: 3,
  needs_review: 1,
  failed: 1,
} as const;

export async function storeCliLetters(store: Store): Promise<void> {
  for (const [i, record] of CLI_LETTERS.entries()) {
    await store.registerFile({
      sha256: record.sha256,
      path: `/inbox/${record.file}`,
      bytes: new TextEncoder().encode(record.file),
    });
    await store.saveRecord(record, { status: i === CLI_LETTERS.length - 1 ? 'needs_review' : 'done' });
  }
  const others = [
    ['1', null],
    ['2', 'extracting'],
    ['3', 'failed'],
  ] as const;
  for (const [key, status] of others) {
    const sha256 = key.repeat(64);
    await store.registerFile({
      sha256,
      path: `/inbox/other-${key}.pdf`,
      bytes: new TextEncoder().encode(key),
    });
    if (status === 'failed') {
      await store.setStatus(sha256, status, {
        code: 'unknown_layout',
        message: 'no IMR letter layout in this file',
      });
    } else if (status !== null) {
      await store.setStatus(sha256, status);
    }
  }
}
