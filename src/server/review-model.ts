import {
  Decision,
  type Item,
  type LetterRecord,
  type Mismatch,
  type Provenance,
  RationaleConclusion,
  Sex,
} from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';

/** How a field is edited and what value a form string becomes. */
export type FieldKind = 'text' | 'date' | 'int' | 'list' | 'enum';

export interface FieldSpec {
  /** The path relative to the letter (top-level) or to its item (`description`, ...). */
  key: string;
  label: string;
  kind: FieldKind;
  /** A value is required (cannot be cleared). */
  required?: boolean;
  options?: readonly string[];
}

export const LETTER_FIELDS: readonly FieldSpec[] = [
  { key: 'caseNumber', label: 'Case number', kind: 'text' },
  { key: 'decisionDate', label: 'Decision date', kind: 'date' },
  { key: 'dateAssigned', label: 'Date assigned', kind: 'date' },
  { key: 'applicationReceived', label: 'Application received', kind: 'date' },
  { key: 'priority', label: 'Priority', kind: 'text' },
  { key: 'injuryDate', label: 'Date of injury', kind: 'date' },
  { key: 'urDate', label: 'UR denial date', kind: 'date' },
  { key: 'reviewer.licensure', label: 'Reviewer licensure', kind: 'list' },
  { key: 'reviewer.specialty', label: 'Reviewer specialty', kind: 'text' },
  { key: 'patient.age', label: 'Patient age', kind: 'int' },
  { key: 'patient.sex', label: 'Patient sex', kind: 'enum', options: Sex.options },
];

export const ITEM_FIELDS: readonly FieldSpec[] = [
  { key: 'description', label: 'Description', kind: 'text', required: true },
  { key: 'quantity', label: 'Quantity', kind: 'int' },
  { key: 'decision', label: 'Decision', kind: 'enum', options: Decision.options, required: true },
  { key: 'originalRequest', label: 'Original request', kind: 'text' },
  { key: 'authorizedPortion', label: 'Authorized portion', kind: 'text' },
  {
    key: 'rationaleConclusion',
    label: 'Rationale concludes',
    kind: 'enum',
    options: RationaleConclusion.options,
  },
];

/** Read-only parts of an item a reviewer may want to see on the page (they have provenance). */
export const ITEM_SOURCES = [
  { key: 'rationale', label: 'Rationale' },
  { key: 'claimsAdministratorGuideline', label: 'Claims administrator guideline' },
  { key: 'maximusGuideline', label: 'Maximus guideline' },
] as const;

const ITEM_PATH = /^items\.(\d{1,3})(?:\.([A-Za-z]+))?$/;

/** The spec of a correctable scalar field path (`caseNumber`, `items.2.decision`), or null. */
export function specOf(path: string): FieldSpec | null {
  const item = ITEM_PATH.exec(path);
  if (item) return item[2] ? (ITEM_FIELDS.find((f) => f.key === item[2]) ?? null) : null;
  return LETTER_FIELDS.find((f) => f.key === path) ?? null;
}

export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A value as a form shows it. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface FieldRow {
  path: string;
  spec: FieldSpec;
  machine: unknown;
  value: unknown;
  /** The correction in force, if any (the latest for this path). */
  correction: Correction | null;
  provenance: Provenance | undefined;
  mismatches: Mismatch[];
  /** Fields of an added item have no machine value to show. */
  added: boolean;
}

export interface ItemView {
  index: number;
  /** Added by a reviewer (not in the machine record). */
  added: boolean;
  /** The correction that removed it, when removed. */
  removedBy: Correction | null;
  item: Item;
  fields: FieldRow[];
  sources: { path: string; label: string; provenance: Provenance }[];
  /** Mismatches about the item that no field row shows. */
  mismatches: Mismatch[];
}

export interface LetterView {
  fields: FieldRow[];
  items: ItemView[];
  /** Mismatches about the whole letter, or a field that has no row. */
  mismatches: Mismatch[];
  /** Provenance boxes to draw: field path -> provenance with a box. */
  boxes: { path: string; label: string; provenance: Provenance; severity: Mismatch['severity'] | null }[];
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

function worst(ms: readonly Mismatch[]): Mismatch['severity'] | null {
  return [...ms].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]?.severity ?? null;
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && 'description' in value && 'decision' in value;
}

/** The machine record, its corrections (latest per path wins) and mismatches arranged as the form shows them. */
export function buildLetterView(record: LetterRecord, corrections: readonly Correction[]): LetterView {
  const latest = new Map<string, Correction>();
  for (const c of [...corrections].sort((a, b) => a.id - b.id)) latest.set(c.field, c);
  const placed = new Set<Mismatch>();
  const take = (path: string) => {
    const ms = record.mismatches.filter((m) => m.field === path);
    for (const m of ms) placed.add(m);
    return ms;
  };
  const row = (path: string, spec: FieldSpec, machine: unknown, added: boolean): FieldRow => {
    const correction = latest.get(path) ?? null;
    return {
      path,
      spec,
      machine,
      value: correction ? correction.value : machine,
      correction,
      provenance: record.provenance[path],
      mismatches: take(path),
      added,
    };
  };

  const fields = LETTER_FIELDS.map((spec) => row(spec.key, spec, valueAt(record, spec.key), false));

  const indices = new Set(record.items.map((_, i) => i));
  for (const path of latest.keys()) {
    const m = /^items\.(\d+)$/.exec(path);
    if (m) indices.add(Number(m[1]));
  }
  const items: ItemView[] = [];
  for (const index of [...indices].sort((a, b) => a - b)) {
    const machineItem = record.items[index];
    const whole = latest.get(`items.${index}`);
    const added = machineItem === undefined;
    const base = added ? (isItem(whole?.value) ? whole.value : null) : machineItem;
    if (!base) {
      // An added item that was removed again: nothing left to show.
      if (added) continue;
    }
    const item = base ?? machineItem!;
    const removedBy = whole && whole.value === null ? whole : null;
    const prefix = `items.${index}`;
    const itemFields = ITEM_FIELDS.map((spec) =>
      added
        ? { ...row(`${prefix}.${spec.key}`, spec, null, true), value: valueAt(item, spec.key) }
        : row(`${prefix}.${spec.key}`, spec, valueAt(item, spec.key), false),
    );
    const sources = ITEM_SOURCES.flatMap((s) => {
      const p = added ? undefined : record.provenance[`${prefix}.${s.key}`];
      return p ? [{ path: `${prefix}.${s.key}`, label: s.label, provenance: p }] : [];
    });
    const rest = record.mismatches.filter(
      (m) => !placed.has(m) && (m.field === prefix || m.field.startsWith(`${prefix}.`)),
    );
    for (const m of rest) placed.add(m);
    items.push({ index, added, removedBy, item, fields: itemFields, sources, mismatches: rest });
  }

  const mismatches = record.mismatches.filter((m) => !placed.has(m));
  const boxes: LetterView['boxes'] = [];
  const labelOf = (path: string): string => {
    const spec = specOf(path);
    const item = ITEM_PATH.exec(path);
    const source = ITEM_SOURCES.find((s) => s.key === item?.[2]);
    const name = spec?.label ?? source?.label ?? path;
    return item ? `Item ${Number(item[1]) + 1}: ${name}` : name;
  };
  for (const [path, provenance] of Object.entries(record.provenance)) {
    if (!provenance.box || path.endsWith('.raw')) continue;
    const ms = record.mismatches.filter((m) => m.field === path);
    boxes.push({ path, label: labelOf(path), provenance, severity: worst(ms) });
  }
  return { fields, items, mismatches, boxes };
}

/** The next free index for an added item: after every machine item and every earlier addition. */
export function nextItemIndex(record: LetterRecord, corrections: readonly Correction[]): number {
  let next = record.items.length;
  for (const c of corrections) {
    const m = /^items\.(\d+)/.exec(c.field);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return next;
}
