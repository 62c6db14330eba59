import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { User } from '../../schemas/user.js';
import type { Users } from '../store/users-store.js';
import { HttpError } from './http-error.js';

export interface AppEnv {
  Variables: {
    /** The request carried the access token in its Authorization header (not an ambient cookie). */
    bearer: boolean;
    /** The CSRF token pages embed for their forms and fetches. */
    csrfToken: string;
    /** Who is signed in, when the server has users (`imr users`); null without users. */
    user: User | null;
  };
}

export const SESSION_COOKIE = 'imr_session';
/** A signed-in user's session (see `userSessionValue`); another name than the shared token's cookie. */
export const USER_COOKIE = 'imr_user';
export const SIGN_IN_PATH = '/signin';
export const SIGN_OUT_PATH = '/signout';
/** A browser session lasts this long at most, then its user signs in again. */
export const SESSION_MS = 12 * 3600_000;
export const CSRF_COOKIE = 'imr_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Why the server must not start with this binding, or null when it may. */
export function unsafeBindReason(
  server: { host: string; token?: string | undefined },
  hasUsers = false,
): string | null {
  // With users, every request needs one of their tokens (see `authenticate`): the binding is safe.
  if (isLoopbackHost(server.host) || server.token || hasUsers) return null;
  return (
    `refusing to start the web server on ${server.host}: a non-loopback address needs an access token. ` +
    'Add users (imr users add NAME --role reviewer|analyst), or set IMR_TOKEN (at least 16 characters, e.g. IMR_TOKEN=$(openssl rand -hex 32)) and open ' +
    '/?token=<IMR_TOKEN> once in the browser, or bind to 127.0.0.1 (IMR_HOST).'
  );
}

/** Constant-time string comparison (both sides hashed first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function hmac(key: string | Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** The session cookie holds a value derived from the token, so changing the token logs everybody out. */
function sessionValue(token: string): string {
  return hmac(token, 'imr-session-v1');
}

function hostOf(c: Context): string {
  return c.req.header('host') ?? new URL(c.req.url).host;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What the server needs to know its users: the users table and the key sessions are signed with. */
export interface UserAccess {
  users: Users;
  /** Signs session cookies; random per process by default (a restart signs everybody out). */
  sessionSecret: Buffer;
}

function userSessionMac(secret: Buffer, id: number, issuedAt: string, expires: number): string {
  return hmac(secret, `imr-user-session-v1|${id}|${issuedAt}|${expires}`);
}

/**
 * A browser session: `<user id>.<expiry ms>.<HMAC>`, signed with the server's secret over the id, the
 * expiry and when the user's token was issued, so that removing the user (or re-adding them with a new
 * token) ends every session at once. The cookie never holds the token itself.
 */
export function userSessionValue(secret: Buffer, user: User, nowMs = Date.now()): string {
  const expires = nowMs + SESSION_MS;
  return `${user.id}.${expires}.${userSessionMac(secret, user.id, user.tokenIssuedAt ?? '', expires)}`;
}

async function sessionUser(access: UserAccess, value: string, nowMs = Date.now()): Promise<User | null> {
  const m = /^(\d{1,12})\.(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m || Number(m[2]) <= nowMs) return null;
  const user = await access.users.get(Number(m[1]));
  if (!user?.tokenIssuedAt) return null;
  const mac = userSessionMac(access.sessionSecret, user.id, user.tokenIssuedAt, Number(m[2]));
  return safeEqual(m[3]!, mac) ? user : null;
}

/** Whose request this is: a Bearer token (then no ambient credential, see csrfProtection) or a session. */
async function requestUser(c: Context<AppEnv>, access: UserAccess): Promise<User | null> {
  const auth = c.req.header('authorization');
  if (auth?.startsWith('Bearer ')) {
    const user = await access.users.authenticate(auth.slice(7).trim());
    if (!user) throw new HttpError(401, 'unknown or removed token');
    c.set('bearer', true);
    return user;
  }
  const cookie = getCookie(c, USER_COOKIE);
  return cookie ? sessionUser(access, cookie) : null;
}

/**
 * With users, on any address: every request but the sign-in page and the public assets needs a user.
 * Browsers asking for a page without one are sent to sign in; anything else gets 401. Analysts read
 * only: every unsafe method but signing out is 403 for them, whatever route it is.
 */
async function userGate(c: Context<AppEnv>, next: () => Promise<void>, access: UserAccess) {
  const path = c.req.path;
  if (path === SIGN_IN_PATH || (path === SIGN_OUT_PATH && c.req.method === 'POST')) return next();
  const user = await requestUser(c, access);
  if (!user) {
    const wantsPage = (c.req.header('accept') ?? '').includes('text/html') && !path.startsWith('/api/');
    if (c.req.method === 'GET' && wantsPage) {
      const url = new URL(c.req.url);
      return c.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
    }
    throw new HttpError(401, `sign in at ${SIGN_IN_PATH}, or send Authorization: Bearer <your token>`);
  }
  c.set('user', user);
  if (user.role !== 'reviewer' && UNSAFE.has(c.req.method) && path !== SIGN_OUT_PATH) {
    throw new HttpError(403, `${user.name} is an analyst: analysts read, only reviewers correct or decide`);
  }
  return next();
}

/**
 * Access control. Once the store has users (`imr users add`), each request is a user's (see userGate),
 * on loopback too, and the shared token opens nothing. Without users, as before: without a token
 * (loopback only) the Host header must name this machine, so a web page on another site cannot reach the
 * server through DNS rebinding; with a token every request carries it, as `Authorization: Bearer <token>`
 * or as the session cookie set by visiting any page with `?token=<token>` once (then redirected without
 * it, so it leaves the address bar). Refusals are thrown as HttpError 401 / 403 for the app's onError.
 */
export function accessControl(token: string | undefined, access?: UserAccess): MiddlewareHandler<AppEnv> {
  const session = token ? sessionValue(token) : '';
  return async (c, next) => {
    c.set('bearer', false);
    c.set('user', null);
    if (!token) {
      const hostname = hostOf(c).replace(/:\d+$/, '');
      if (!isLoopbackHost(hostname))
        throw new HttpError(403, 'this server only answers requests addressed to localhost');
    }
    // The stylesheet and script are public code: the token and sign-in pages need them.
    if (c.req.method === 'GET' && (c.req.path.startsWith('/static/') || c.req.path === '/favicon.ico')) {
      return next();
    }
    if (access && (await access.users.any())) return userGate(c, next, access);
    if (!token) return next();
    const url = new URL(c.req.url);
    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!safeEqual(offered, token)) throw new HttpError(401, 'wrong access token');
      setCookie(c, SESSION_COOKIE, session, {
        httpOnly: true,
        // Lax, not Strict: the cookie must come along on the redirect of a link opened from elsewhere.
        sameSite: 'Lax',
        path: '/',
        secure: url.protocol === 'https:',
      });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const auth = c.req.header('authorization');
    if (auth?.startsWith('Bearer ')) {
      if (!safeEqual(auth.slice(7).trim(), token)) throw new HttpError(401, 'wrong access token');
      c.set('bearer', true);
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie && safeEqual(cookie, session)) return next();
    throw new HttpError(401, 'an access token is required: open this page with ?token=<token> once');
  };
}

/**
 * CSRF: a signed double-submit token. Each browser gets a random nonce cookie (HttpOnly, SameSite=Strict);
 * pages embed HMAC(per-process secret, nonce), which an unsafe request must send back in the
 * `x-csrf-token` header or the `_csrf` form field. Browsers' Sec-Fetch-Site and Origin headers must also
 * say same-origin. A request authenticated by a Bearer header carries no ambient credential and skips it.
 * Refusals are thrown as HttpError 403.
 */
export function csrfProtection(secret: Buffer = randomBytes(32)): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let nonce = getCookie(c, CSRF_COOKIE);
    if (!UNSAFE.has(c.req.method)) {
      if (!nonce || !/^[A-Za-z0-9_-]{32,64}$/.test(nonce)) {
        nonce = randomBytes(24).toString('base64url');
        setCookie(c, CSRF_COOKIE, nonce, {
          httpOnly: true,
          sameSite: 'Strict',
          path: '/',
          secure: new URL(c.req.url).protocol === 'https:',
        });
      }
      c.set('csrfToken', hmac(secret, nonce));
      return next();
    }
    if (c.get('bearer')) return next();
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none')
      throw new HttpError(403, `cross-site request (${site})`);
    const origin = c.req.header('origin');
    // Under `Referrer-Policy: no-referrer` a browser's plain form post (sign-in, sign-out) says
    // `Origin: null`; Sec-Fetch-Site, which no page can set, then vouches for it.
    const opaqueSameOrigin = origin === 'null' && site === 'same-origin';
    if (origin && !opaqueSameOrigin) {
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = null;
      }
      if (originHost !== hostOf(c)) throw new HttpError(403, 'cross-origin request');
    }
    let sent = c.req.header(CSRF_HEADER);
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const field = (await c.req.parseBody())[CSRF_FIELD];
        sent = typeof field === 'string' ? field : undefined;
      }
    }
    if (!nonce || !sent || !safeEqual(sent, hmac(secret, nonce))) {
      throw new HttpError(403, 'missing or stale CSRF token: reload the page and try again');
    }
    return next();
  };
}

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Bull Board's page carries inline styles and loads its own scripts, images and fonts from /queues.
const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response: strict CSP (no inline script), no sniffing, no framing, no referrer. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', c.req.path.startsWith('/queues') ? BOARD_CSP : PAGE_CSP);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    // Letter pages hold medical details: keep them out of shared caches and the disk cache.
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
  };
}
