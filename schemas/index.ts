export * from './label.js';
export * from './letter.js';
export * from './text.js';
