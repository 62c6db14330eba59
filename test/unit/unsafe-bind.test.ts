import { describe, expect, it } from 'vitest';
import { unsafeBindReason } from '../../src/server/security.js';

describe('which bindings the web server refuses', () => {
  it('refuses a non-loopback address with neither a token nor users', () => {
    expect(unsafeBindReason({ host: '0.0.0.0' })).toMatch(/needs an access token.*imr users add/);
    expect(unsafeBindReason({ host: '0.0.0.0' }, false)).not.toBeNull();
  });
  it('takes loopback, a token, or users (each request then needs a user)', () => {
    expect(unsafeBindReason({ host: '127.0.0.1' })).toBeNull();
    expect(unsafeBindReason({ host: '0.0.0.0', token: 'x'.repeat(32) })).toBeNull();
    expect(unsafeBindReason({ host: '0.0.0.0' }, true)).toBeNull();
  });
});
