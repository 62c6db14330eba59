import type { Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { html, query } from './html.js';
import {
  type AppEnv,
  CSRF_FIELD,
  SESSION_MS,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
  USER_COOKIE,
  type UserAccess,
  userSessionValue,
} from './security.js';

/** Where to go after signing in: a path on this server only (never `//host` or a full URL). */
function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[^\s\\]*$/.test(value) || value.length > 2000) return '/';
  return value.startsWith(SIGN_IN_PATH) ? '/' : value;
}

/** A bare page like deniedPage's: whoever sees it is not let in yet, so no navigation. */
function signInPage(csrfToken: string, next: string, message: string | null): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · imr-pipeline</title><link rel="stylesheet" href="/static/app.css"></head><body class="narrow">
<h1>Sign in</h1>
<p class="muted">Paste the token <code>imr users add</code> gave you.</p>
${message ? html`<p class="error" role="alert">${message}</p>` : ''}
<form method="post" action="${SIGN_IN_PATH}" class="token-form" id="signin-form">
  <input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}"><input type="hidden" name="next" value="${next}">
  <label>Token <input type="password" name="token" id="signin-token" autocomplete="current-password" required autofocus></label>
  <button type="submit" class="primary">Sign in</button>
</form>
</body></html>`.value;
}

function cookieOptions(c: Context) {
  return {
    httpOnly: true,
    sameSite: 'Strict' as const,
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
  };
}

/**
 * The sign-in form and sign-out (both posts are CSRF-checked by csrfProtection). Signing in trades a
 * user's token for a session cookie (HttpOnly, SameSite=Strict, signed: see userSessionValue). Without
 * users there is nobody to sign in as: the page sends you home.
 */
export function registerSignIn(app: Hono<AppEnv>, access: UserAccess): void {
  app.get(SIGN_IN_PATH, async (c) => {
    if (!(await access.users.any())) return c.redirect('/', 303);
    const failed = c.req.query('failed') === '1' ? 'Unknown or removed token.' : null;
    return c.html(signInPage(c.get('csrfToken'), safeNext(c.req.query('next')), failed));
  });

  app.post(SIGN_IN_PATH, async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    const user = token ? await access.users.authenticate(token) : null;
    // Back to the form (a page of a safe request, which has a CSRF token to embed), saying why.
    if (!user) return c.redirect(`${SIGN_IN_PATH}${query({ next, failed: '1' })}`, 303);
    setCookie(c, USER_COOKIE, userSessionValue(access.sessionSecret, user), {
      ...cookieOptions(c),
      maxAge: Math.floor(SESSION_MS / 1000),
    });
    return c.redirect(next, 303);
  });

  app.post(SIGN_OUT_PATH, (c) => {
    deleteCookie(c, USER_COOKIE, cookieOptions(c));
    return c.redirect(SIGN_IN_PATH, 303);
  });
}
