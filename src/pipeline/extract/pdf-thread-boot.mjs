// Entry of a PDF-reading thread: loads the TypeScript sources through tsx, as bin/imr.js does for the
// process (module hooks are not inherited by threads on Node 20).
import { register } from 'tsx/esm/api';

register();
await import('./pdf-thread.ts');
