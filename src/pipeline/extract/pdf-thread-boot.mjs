// Entry of a PDF-reading thread run from the TypeScript sources (tests, scripts): loads them through tsx,
// as bin/run.js does for the process (module hooks are not inherited by threads on Node 20). The
// compiled program (dist/) starts its threads on pdf-thread.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./pdf-thread.ts');
