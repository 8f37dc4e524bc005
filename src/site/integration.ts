/**
 * Ends the Chromium that rendered diagrams once the build (or the dev server) is done;
 * an open browser would keep the build process alive.
 */
import type { AstroIntegration } from 'astro';
import { closeMermaid } from './mermaid-render.ts';

export function labIntegration(): AstroIntegration {
  return {
    name: 'labbook',
    hooks: {
      'astro:build:done': closeMermaid,
      'astro:server:done': closeMermaid,
    },
  };
}
