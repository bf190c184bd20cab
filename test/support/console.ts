/**
 * Shared by the web console tests (headless Chromium through playwright-core): where Debian's
 * chromium is, the skip reason when it is missing, and screenshots kept in the test's folder and
 * also in FIXOVER_SCREENSHOTS when set (how docs/images was made).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs. */
export const CHROMIUM = '/usr/bin/chromium';

/** false when Chromium is installed, else why the console tests skip. */
export const chromiumMissing: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`;

/** A full-page screenshot into `dir`, and into FIXOVER_SCREENSHOTS too when it is set. */
export async function shot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, name), fullPage: true });
  const docs = process.env.FIXOVER_SCREENSHOTS;
  if (docs) {
    mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: join(docs, name), fullPage: true });
  }
}
