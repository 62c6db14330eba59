import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): never a browser downloaded by Playwright. */
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: tests run as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
