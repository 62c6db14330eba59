import type { CitationFamily } from '../../schemas/category.js';

/** MTUS chapters (the ACOEM-derived "Complaints" chapters among them) as letters name them. */
const MTUS_CHAPTERS: readonly [RegExp, string][] = [
  [/chronic pain/i, 'Chronic Pain Medical Treatment'],
  [/opioid/i, 'Opioid Treatment'],
  [/acupuncture/i, 'Acupuncture Medical Treatment'],
  [/post-?surgical/i, 'Postsurgical Treatment'],
  [/general approach/i, 'General Approaches'],
  [/low back/i, 'Low Back Complaints'],
  [/neck/i, 'Neck and Upper Back Complaints'],
  [/shoulder/i, 'Shoulder Complaints'],
  [/elbow/i, 'Elbow Complaints'],
  [/forearm|wrist|hand/i, 'Forearm, Wrist, and Hand Complaints'],
  [/knee/i, 'Knee Complaints'],
  [/ankle|foot/i, 'Ankle and Foot Complaints'],
  [/stress/i, 'Stress-Related Conditions'],
  [/eye/i, 'Eye'],
  [/initial approach/i, 'Initial Approaches to Treatment'],
  [/independent medical|consultation/i, 'Independent Medical Examinations and Consultations'],
  [/cornerstone|disability prevention/i, 'Cornerstones of Disability Prevention and Management'],
  [/prevention/i, 'Prevention'],
  [/work.?relatedness/i, 'Work-Relatedness'],
  [/pain,? suffering/i, 'Pain, Suffering, and the Restoration of Function'],
];

/** ODG chapters (Official Disability Guidelines, "Treatment in Workers' Comp"). */
const ODG_CHAPTERS: readonly [RegExp, string][] = [
  [/low back|lumbar/i, 'Low Back'],
  [/neck|cervical/i, 'Neck and Upper Back'],
  [/shoulder/i, 'Shoulder'],
  [/elbow/i, 'Elbow'],
  [/forearm|wrist|hand/i, 'Forearm, Wrist, and Hand'],
  [/carpal tunnel/i, 'Carpal Tunnel Syndrome'],
  [/knee|leg/i, 'Knee and Leg'],
  [/ankle|foot/i, 'Ankle and Foot'],
  [/hip|pelvis/i, 'Hip and Pelvis'],
  [/head/i, 'Head'],
  [/mental|stress/i, 'Mental Illness and Stress'],
  [/pain/i, 'Pain'],
  [/pulmonary/i, 'Pulmonary'],
  [/eye/i, 'Eye'],
  [/burn/i, 'Burns'],
  [/hernia/i, 'Hernia'],
  [/fitness for duty/i, 'Fitness for Duty'],
  [/physical therapy/i, 'Physical Therapy Guidelines'],
];

function chapter(text: string, chapters: readonly [RegExp, string][]): string | null {
  // The chapter is named before any topic: "ODG, Low Back chapter: MRI" is Low Back, whatever the topic.
  let best: { at: number; name: string } | null = null;
  for (const [re, name] of chapters) {
    const m = re.exec(text);
    if (m && (best === null || m.index < best.at)) best = { at: m.index, name };
  }
  return best?.name ?? null;
}

/** The guideline family (and chapter) of a citation's source as written; `none` when there is none. */
export function citationFamily(source: string | null): CitationFamily {
  if (!source?.trim()) return { family: 'none', chapter: null };
  const odg = /official disability guidelines|\bodg\b/i.exec(source);
  if (odg) return { family: 'odg', chapter: chapter(source.slice(odg.index + odg[0].length), ODG_CHAPTERS) };
  if (/\bacoem\b/i.test(source)) return { family: 'acoem', chapter: null };
  const nonMtus = /non-?mtus/i.test(source);
  const mtusChapter = chapter(source, MTUS_CHAPTERS);
  // An MTUS citation often omits the word: "Forearm, Wrist, and Hand Complaints 2004".
  if (!nonMtus && (/\bmtus\b/i.test(source) || (mtusChapter && /\b(?:19|20)\d{2}\b/.test(source)))) {
    return { family: 'mtus', chapter: mtusChapter };
  }
  return { family: 'other', chapter: null };
}
