import type { Kysely } from 'kysely';
import type { LetterRecord } from '../../schemas/letter.js';
import {
  type AuditAction,
  type AuditEntry,
  Author,
  type Correction,
  CorrectionInput,
  type QueueRow,
  type Review,
  ReviewState,
} from '../../schemas/review.js';
import {
  applyCorrections,
  correct,
  normalizeValue,
  parsePath,
  readField,
} from '../records/apply-corrections.js';
import { fromJson, parseRecordJson, readOldRecordJson, toJson } from '../records/codec.js';
import { ReviewInputError } from '../records/errors.js';
import { scoreAgainst } from '../records/gold.js';
import { StoreConnection } from './connection.js';
import type { Database } from './db.js';
import { refreshReportRows } from './report.js';
import { auditRow, correctionRow, now, reviewRow } from './rows.js';
import type { CorrectionDisagreement, GoldScore } from './store.js';

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Parser versions in release order ("1.10.0" after "1.9.0"). */
const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The QA half of the store: the review queue, corrections beside machine values, review states, the
 * audit trail and gold scores. Every change refreshes the letter's analyst rows in its transaction.
 */
export class ReviewStore extends StoreConnection {
  /** The sha256 of the letters in the review queue, as a subquery. */
  protected queued(db: Kysely<Database>) {
    return db
      .selectFrom('documents as d')
      .leftJoin('reviews as r', 'r.sha256', 'd.sha256')
      .select('d.sha256')
      .where('d.status', '=', 'needs_review')
      .where((eb) => eb.or([eb('r.state', 'is', null), eb('r.state', '=', 'pending')]));
  }

  async listReviewQueue(filter: { code?: string } = {}): Promise<QueueRow[]> {
    const db = this.db;
    const [docs, mismatches, confidences, corrections] = await Promise.all([
      db
        .selectFrom('documents as d')
        .leftJoin('letters as l', 'l.sha256', 'd.sha256')
        .select(['d.sha256', 'd.file_name', 'l.case_number', 'l.decision_date'])
        .where('d.sha256', 'in', this.queued(db))
        .execute(),
      db
        .selectFrom('mismatches')
        .select((eb) => ['sha256', 'severity', 'code', eb.fn.countAll().as('n')])
        .where('sha256', 'in', this.queued(db))
        .groupBy(['sha256', 'severity', 'code'])
        .execute(),
      db
        .selectFrom('provenance')
        .select((eb) => ['sha256', eb.fn.min('confidence').as('confidence')])
        .where('sha256', 'in', this.queued(db))
        .groupBy('sha256')
        .execute(),
      db
        .selectFrom('corrections')
        .select(['sha256', 'field', 'value_json'])
        .where('sha256', 'in', this.queued(db))
        .orderBy('id')
        .execute(),
    ]);
    const rows = new Map<string, QueueRow>();
    for (const d of docs) {
      rows.set(d.sha256, {
        sha256: d.sha256,
        fileName: d.file_name,
        caseNumber: d.case_number,
        decisionDate: d.decision_date,
        worstSeverity: null,
        errors: 0,
        warnings: 0,
        minConfidence: 1,
        codes: [],
        corrections: 0,
      });
    }
    for (const m of mismatches) {
      const row = rows.get(m.sha256);
      if (!row) continue;
      const n = Number(m.n);
      if (m.severity === 'error') row.errors += n;
      if (m.severity === 'warning') row.warnings += n;
      const severity = m.severity as NonNullable<QueueRow['worstSeverity']>;
      if (
        row.worstSeverity === null ||
        (SEVERITY_RANK[severity] ?? 3) < (SEVERITY_RANK[row.worstSeverity] ?? 3)
      )
        row.worstSeverity = severity;
      if (!row.codes.includes(m.code)) row.codes.push(m.code);
    }
    for (const c of confidences) {
      const row = rows.get(c.sha256);
      if (row && c.confidence !== null) row.minConfidence = Math.min(1, Number(c.confidence));
    }
    for (const c of corrections) {
      const row = rows.get(c.sha256);
      if (!row) continue;
      row.corrections++;
      // The queue shows what QA made of the two fields that identify a letter (latest correction wins).
      if (c.field === 'caseNumber') row.caseNumber = fromJson(c.value_json) as string | null;
      if (c.field === 'decisionDate') row.decisionDate = fromJson(c.value_json) as string | null;
    }
    const rank = (r: QueueRow) => (r.worstSeverity === null ? 3 : (SEVERITY_RANK[r.worstSeverity] ?? 3));
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...rows.values()]
      .filter((r) => filter.code === undefined || r.codes.includes(filter.code))
      .map((r) => ({ ...r, codes: [...r.codes].sort() }))
      .sort(
        (a, b) =>
          rank(a) - rank(b) ||
          a.minConfidence - b.minConfidence ||
          cmp(a.fileName, b.fileName) ||
          cmp(a.sha256, b.sha256),
      );
  }

  async reviewCodeCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const row of await this.listReviewQueue()) {
      for (const code of row.codes) counts[code] = (counts[code] ?? 0) + 1;
    }
    return counts;
  }

  private async addAudit(
    db: Kysely<Database>,
    entry: { sha256: string | null; action: AuditAction; author: string | null; detail: unknown; at: string },
  ): Promise<void> {
    await db
      .insertInto('audit')
      .values({
        sha256: entry.sha256,
        action: entry.action,
        author: entry.author,
        detail_json: toJson(entry.detail),
        created_at: entry.at,
      })
      .execute();
  }

  /** The machine record QA may act on, inside a transaction: refuses unknown, unparsed and failed letters. */
  private async reviewable(db: Kysely<Database>, sha256: string, what: string): Promise<LetterRecord> {
    const letter = await db
      .selectFrom('letters')
      .select('record_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!letter) {
      const doc = await db
        .selectFrom('documents')
        .select('sha256')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!doc) throw new ReviewInputError(`${what}: no document ${sha256}`, 'not_found');
      throw new ReviewInputError(`${what}: letter ${sha256} has no parsed record yet`, 'conflict');
    }
    const record = parseRecordJson(letter.record_json);
    if (record.status === 'failed') {
      throw new ReviewInputError(
        `${what}: letter ${sha256} failed (${record.error?.code ?? 'error'})`,
        'conflict',
      );
    }
    return record;
  }

  async addCorrection(input: CorrectionInput): Promise<Correction> {
    const parsed = CorrectionInput.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
      throw new ReviewInputError(issues.join('; '));
    }
    const { sha256, field, author } = parsed.data;
    const reason = parsed.data.reason?.trim() || null;
    const path = parsePath(field);
    const value = normalizeValue(path, parsed.data.value);
    return this.write(async (db) => {
      const machine = await this.reviewable(db, sha256, 'correction');
      const existing = (
        await db.selectFrom('corrections').selectAll().where('sha256', '=', sha256).orderBy('id').execute()
      ).map(correctionRow);
      const before = correct(machine, existing);
      const adds = path.kind === 'item' && value !== null;
      if (path.kind !== 'letter' && !adds && !before.itemPaths.includes(path.index)) {
        throw new ReviewInputError(`${field}: the letter has no item ${path.index}`);
      }
      const at = now();
      const machineValue = readField(machine, path);
      const old = readField(before.record, path, before.itemPaths);
      const row = await db
        .insertInto('corrections')
        .values({
          sha256,
          field,
          machine_value_json: toJson(machineValue),
          value_json: toJson(value),
          reason,
          author,
          created_at: at,
          parser_version: machine.parserVersion,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const correction = correctionRow(row);
      let applies: boolean;
      try {
        applies = !correct(machine, [...existing, correction]).skipped.some((c) => c.id === correction.id);
      } catch {
        applies = false;
      }
      if (!applies) throw new ReviewInputError(`${field}: the corrected record would not be valid`);
      await this.addAudit(db, {
        sha256,
        action: 'correct',
        author,
        detail: { correctionId: correction.id, field, old, new: value, machineValue, reason },
        at,
      });
      await refreshReportRows(db, sha256, machine, this.dialect);
      return correction;
    });
  }

  async listCorrections(sha256: string): Promise<Correction[]> {
    const rows = await this.db
      .selectFrom('corrections')
      .selectAll()
      .where('sha256', '=', sha256)
      .orderBy('id')
      .execute();
    return rows.map(correctionRow);
  }

  async listAllCorrections(): Promise<Correction[]> {
    const rows = await this.db
      .selectFrom('corrections')
      .selectAll()
      .orderBy('sha256')
      .orderBy('id')
      .execute();
    return rows.map(correctionRow);
  }

  async getReview(sha256: string): Promise<Review | null> {
    const row = await this.db
      .selectFrom('reviews')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? reviewRow(row) : null;
  }

  async listReviews(filter: { state?: ReviewState } = {}): Promise<Review[]> {
    let q = this.db.selectFrom('reviews').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    return (await q.orderBy('sha256').execute()).map(reviewRow);
  }

  async setReview(input: {
    sha256: string;
    state: ReviewState;
    author: string;
    reason?: string | null;
  }): Promise<Review> {
    const state = ReviewState.safeParse(input.state);
    if (!state.success)
      throw new ReviewInputError(`state: ${JSON.stringify(input.state)} is not a review state`);
    const author = Author.safeParse(input.author);
    if (!author.success) throw new ReviewInputError('author: who reviews is required (up to 80 characters)');
    const reason = input.reason?.trim() || null;
    if (state.data === 'rejected' && reason === null)
      throw new ReviewInputError('reason: required to reject');
    const { sha256 } = input;
    const action: AuditAction =
      state.data === 'approved' ? 'approve' : state.data === 'rejected' ? 'reject' : 'reopen';
    return this.write(async (db) => {
      await this.reviewable(db, sha256, action);
      const previous = await db
        .selectFrom('reviews')
        .select('state')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      const at = now();
      const review = { state: state.data, author: author.data, reason, updated_at: at };
      await db
        .insertInto('reviews')
        .values({ sha256, ...review })
        .onConflict((oc) => oc.column('sha256').doUpdateSet(review))
        .execute();
      await this.addAudit(db, {
        sha256,
        action,
        author: author.data,
        detail: { from: previous?.state ?? 'pending', to: state.data, reason },
        at,
      });
      if (state.data !== 'rejected') {
        await db
          .updateTable('documents')
          .set({ status: state.data === 'approved' ? 'done' : 'needs_review', updated_at: at })
          .where('sha256', '=', sha256)
          .execute();
      }
      await refreshReportRows(db, sha256, undefined, this.dialect);
      return { sha256, state: state.data, author: author.data, reason, updatedAt: at };
    });
  }

  async recordDisagreements(input: {
    sha256: string;
    parserVersion: string;
    disagreements: readonly CorrectionDisagreement[];
  }): Promise<{ reopened: boolean }> {
    const { sha256, parserVersion, disagreements } = input;
    if (disagreements.length === 0) return { reopened: false };
    return this.write(async (db) => {
      const at = now();
      for (const d of disagreements) {
        await this.addAudit(db, {
          sha256,
          action: 'reprocess',
          author: null,
          detail: { parserVersion, ...d },
          at,
        });
      }
      const review = await db
        .selectFrom('reviews')
        .select('state')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (review?.state !== 'approved') return { reopened: false };
      // What QA confirmed no longer matches what the parser reads: a person has to look again.
      const fields = [...new Set(disagreements.map((d) => d.field))].join(', ');
      const reason = `parser ${parserVersion} disagrees with corrections of ${fields}`;
      await db
        .updateTable('reviews')
        .set({ state: 'pending', author: null, reason, updated_at: at })
        .where('sha256', '=', sha256)
        .execute();
      await this.addAudit(db, {
        sha256,
        action: 'reopen',
        author: null,
        detail: { from: 'approved', to: 'pending', reason },
        at,
      });
      await db
        .updateTable('documents')
        .set({ status: 'needs_review', updated_at: at })
        .where('sha256', '=', sha256)
        .execute();
      await refreshReportRows(db, sha256, undefined, this.dialect);
      return { reopened: true };
    });
  }

  async listAudit(sha256?: string): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit').selectAll();
    if (sha256 !== undefined) q = q.where('sha256', '=', sha256);
    return (await q.orderBy('id').execute()).map(auditRow);
  }

  async goldScores(): Promise<GoldScore[]> {
    const approved = () => this.db.selectFrom('reviews').select('sha256').where('state', '=', 'approved');
    const [letters, corrections, versions] = await Promise.all([
      this.db
        .selectFrom('letters')
        .select(['sha256', 'record_json'])
        .where('sha256', 'in', approved())
        .orderBy('sha256')
        .execute(),
      this.db.selectFrom('corrections').selectAll().where('sha256', 'in', approved()).orderBy('id').execute(),
      this.db
        .selectFrom('record_versions')
        .select(['sha256', 'parser_version', 'record_json'])
        .where('sha256', 'in', approved())
        .execute(),
    ]);
    const correctionsOf = new Map<string, Correction[]>();
    for (const row of corrections) {
      const list = correctionsOf.get(row.sha256) ?? [];
      list.push(correctionRow(row));
      correctionsOf.set(row.sha256, list);
    }
    const versionsOf = new Map<string, typeof versions>();
    for (const row of versions) {
      const list = versionsOf.get(row.sha256);
      if (list) list.push(row);
      else versionsOf.set(row.sha256, [row]);
    }
    const pairs = new Map<string, { truth: LetterRecord; machine: LetterRecord }[]>();
    const add = (version: string, truth: LetterRecord, machine: LetterRecord) => {
      const list = pairs.get(version);
      if (list) list.push({ truth, machine });
      else pairs.set(version, [{ truth, machine }]);
    };
    for (const letter of letters) {
      const machine = parseRecordJson(letter.record_json);
      if (machine.status === 'failed') continue; // no truth to score against
      const truth = applyCorrections(machine, correctionsOf.get(letter.sha256) ?? []);
      add(machine.parserVersion, truth, machine);
      for (const old of versionsOf.get(letter.sha256) ?? []) {
        if (old.parser_version === machine.parserVersion) continue; // the current record is that version's
        // Kept by an older program: a record the schema no longer reads is left out.
        const parsed = readOldRecordJson(old.record_json);
        if (parsed) add(old.parser_version, truth, parsed);
      }
    }
    return [...pairs.entries()]
      .sort(([a], [b]) => byVersion(a, b))
      .map(([parserVersion, list]) => ({ parserVersion, letters: list.length, ...scoreAgainst(list) }));
  }
}
