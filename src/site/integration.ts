/**
 * Tells the remark plugin whether this is a build or the dev server (build-mode.ts), and
 * ends the Chromium that rendered diagrams once the build (or the dev server) is done: an
 * open browser would keep the build process alive.
 */
import type { AstroIntegration } from 'astro';
import { setAstroCommand } from './build-mode.ts';
import { closeMermaid } from './mermaid-render.ts';

export function labIntegration(): AstroIntegration {
  return {
    name: 'labbook',
    hooks: {
      'astro:config:setup': ({ command }) => setAstroCommand(command),
      'astro:build:done': closeMermaid,
      'astro:server:done': closeMermaid,
    },
  };
}
