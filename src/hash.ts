import { createHash } from 'node:crypto';

/** A document's identity: the SHA-256 of its bytes, in hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
