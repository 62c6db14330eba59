export { categorizeItem } from './categorize.js';
export { DRUG_NAMES } from './drugs.js';
export { citationFamily } from './guidelines.js';
