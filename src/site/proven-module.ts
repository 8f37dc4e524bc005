/**
 * What the recordings prove of the whole tutorial (proof.ts), as a module of the build that
 * the home page's component imports (components/ProvenOn.astro):
 *
 *   import proofs from 'virtual:labbook/proven';
 *   -> [{ entry: { name: 'local', ... }, environments: [...], oldest: '2026-11-30T09:00:00.000Z', passed: 183, ... }, ...]
 *
 * Why a module and not a call in the component: the component is bundled, and in the bundle
 * the paths that src/cells/chapters.ts takes from its own import.meta.url point into the
 * bundle, where no chapter is. This plugin runs with the site's config, where they are right
 * (as for the remark plugin). Vite reloads it when a chapter or one of its recordings changes.
 */
import type { Plugin } from 'vite';
import { listChapters } from '../cells/chapters.ts';
import { pageOf } from './page.ts';
import { proofByEntry, tutorialRuns } from './proof.ts';

const ID = 'virtual:labbook/proven';
// Vite's convention for a virtual module: its resolved id starts with \0, so no other plugin reads it as a file.
const RESOLVED = `\0${ID}`;

export function provenModule(): Plugin {
  return {
    name: 'labbook-proven',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      for (const { file } of listChapters()) {
        this.addWatchFile(file);
        for (const r of pageOf(file).recordings) this.addWatchFile(r.file);
      }
      return `export default ${JSON.stringify(proofByEntry(tutorialRuns()))};`;
    },
  };
}
