/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core. The site
 * build renders diagrams with it and the end-to-end tests read pages with it; neither
 * downloads a browser.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { TOOLS } from '../cells/packages.ts';

/** CHROMIUM_PATH, or where Debian, Fedora or a snap put it (the package map's files). */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  TOOLS.chromium?.files?.find((f) => existsSync(f)) ??
  (TOOLS.chromium?.files?.[0] as string);

/** No sandbox because builds run as root; the rest keeps it from calling home. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
