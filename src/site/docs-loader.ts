/**
 * Starlight's docs loader with two changes that the cells need.
 *
 * 1. A page is rendered again when its recording or the code that renders it changes, not
 *    only when its Markdown does: Astro keeps rendered pages between builds, keyed by a
 *    digest of the file alone, and would otherwise show an old recording.
 * 2. An error while rendering a page fails the build. Astro's glob loader only logs it and
 *    publishes the page without content; a broken cell must instead stop the build with
 *    its file, line and fix.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docsLoader } from '@astrojs/starlight/loaders';
import type { Loader, LoaderContext } from 'astro/loaders';
import { RECORDINGS, ROOT } from '../cells/chapters.ts';

/** What a rendered page depends on besides its own Markdown. */
const INPUTS = [RECORDINGS, join(ROOT, 'src/site'), join(ROOT, 'src/cells')];

function inputsDigest(): string {
  const hash = createHash('sha256');
  for (const dir of INPUTS.filter((d) => existsSync(d))) {
    for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      if (/\.(json|ts)$/.test(name)) hash.update(name).update(readFileSync(join(dir, name)));
    }
  }
  return hash.digest('hex');
}

export function labDocsLoader(): Loader {
  const inner = docsLoader();
  return {
    name: 'labbook-docs-loader',
    async load(context: LoaderContext) {
      const inputs = inputsDigest();
      const failures: string[] = [];
      const logger = Object.create(context.logger) as LoaderContext['logger'];
      logger.error = (message: string) => {
        failures.push(message);
        context.logger.error(message);
      };
      const generateDigest: LoaderContext['generateDigest'] = (data) =>
        context.generateDigest(typeof data === 'string' ? `${data}\n${inputs}` : data);
      await inner.load({ ...context, logger, generateDigest });
      if (failures.length) throw new Error(`${failures.length} page(s) failed to render:\n${failures.join('\n')}`);
    },
  };
}
