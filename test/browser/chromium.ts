/**
 * Launching Debian's chromium for the browser tests (playwright-core, no downloaded browser). SwiftShader gives
 * WebGL2 without a GPU. Tests skip with CHROMIUM_MISSING when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium): browser tests skipped`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/**
 * Prepares a page before its first goto: collects page errors (returned, for assertions), and defines the
 * `__name` helper that tsx's keepNames transform puts into functions handed to page.evaluate().
 */
export async function preparePage(page: Page): Promise<string[]> {
  await page.addInitScript('globalThis.__name = (f) => f;');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
