/**
 * The site part of labbook, as one Starlight plugin: astro.config.mjs names it once,
 * `starlight({ ..., plugins: [labbook()] })`, and keeps only what is the site's own (title,
 * locales, sidebar, and the Markdown processor, see below). It adds
 *
 * - the remark plugin that renders cells and diagrams (remark-lab.ts), with its options: how
 *   strict the command is and the site's words;
 * - the module that tells the home page where the whole tutorial was proven (proven-module.ts);
 * - the site's words (strings.ts) to Starlight's translations, for Astro.locals.t;
 * - the components that wrap Starlight's (MarkdownContent, Search), the cells' CSS and the
 *   Expressive Code plugin that makes code blocks focusable;
 * - the route middleware that gives the home page its title once (route-middleware.ts);
 * - the end of the Chromium that rendered diagrams once the build or the dev server is done:
 *   an open browser would keep the process alive.
 *
 * Strictness: `astro build` refuses a chapter that is out of date (a cell without a
 * recording or recorded from other code, a translation whose cells differ from the English
 * chapter): a published page must not show output of code it no longer has. `astro dev`
 * only marks it, so that an author sees the page while editing, and so does a build with
 * LABBOOK_MARK_STALE=1 (the site tests' fixture chapter holds a stale and an unrecorded cell
 * on purpose, to show how a page marks them).
 */
import { fileURLToPath } from 'node:url';
import { isUnifiedProcessor, type RemarkPlugins, unified } from '@astrojs/markdown-remark';
import type { StarlightPlugin, StarlightUserConfig } from '@astrojs/starlight/types';
import type { AstroIntegration } from 'astro';
import { focusableCode } from './focusable-code.ts';
import { MermaidRenderer } from './mermaid-render.ts';
import { provenModule } from './proven-module.ts';
import { type RemarkLabOptions, remarkLab } from './remark-lab.ts';
import { STRINGS } from './strings.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Whether a command refuses out-of-date chapters. */
export const isStrict = (command: string, env: NodeJS.ProcessEnv = process.env): boolean =>
  command === 'build' && env.LABBOOK_MARK_STALE !== '1';

/**
 * The Astro side: the remark plugin, added to the unified processor that Starlight has just
 * given its own plugins (Starlight runs this integration after its own setup). Astro's
 * updateConfig replaces `markdown.processor` whole, so the processor is made again from the
 * same options, this plugin first; MDX (index.mdx) takes it from there too. The processor
 * must be unified when Starlight sets up, to get Starlight's remark and rehype plugins
 * (asides, heading links), so astro.config.mjs chooses it, and a plugin cannot.
 */
export function labIntegration(options: RemarkLabOptions): AstroIntegration {
  return {
    name: 'labbook',
    hooks: {
      'astro:config:setup': ({ config, updateConfig }) => {
        const processor = config.markdown.processor;
        if (!isUnifiedProcessor(processor)) {
          throw new Error(
            `labbook renders cells with a remark plugin, but markdown.processor is "${processor.name}": set markdown: { processor: unified() } (from @astrojs/markdown-remark) in astro.config.mjs`,
          );
        }
        const remarkPlugins: RemarkPlugins = [[remarkLab, options], ...processor.options.remarkPlugins];
        updateConfig({
          markdown: { processor: unified({ ...processor.options, remarkPlugins }) },
          vite: { plugins: [provenModule()] },
        });
      },
      'astro:build:done': () => options.mermaid.close(),
      'astro:server:done': () => options.mermaid.close(),
    },
  };
}

type ExpressiveCode = StarlightUserConfig['expressiveCode'];

/** The user's Expressive Code options with focusable code blocks, unless Expressive Code is off. */
function withFocusableCode(ec: ExpressiveCode): ExpressiveCode {
  if (ec === false) return ec;
  const options = typeof ec === 'object' ? ec : {};
  return { ...options, plugins: [...(options.plugins ?? []), focusableCode()] };
}

export function labbook(): StarlightPlugin {
  return {
    name: 'labbook',
    hooks: {
      'i18n:setup': ({ injectTranslations }) => {
        injectTranslations(STRINGS);
      },
      'config:setup': ({ command, config, updateConfig, addIntegration, addRouteMiddleware }) => {
        updateConfig({
          components: {
            ...config.components,
            MarkdownContent: here('components/MarkdownContent.astro'),
            Search: here('components/Search.astro'),
          },
          customCss: [...(config.customCss ?? []), here('styles/lab.css')],
          expressiveCode: withFocusableCode(config.expressiveCode),
        });
        addRouteMiddleware({ entrypoint: here('route-middleware.ts') });
        addIntegration(labIntegration({ strict: isStrict(command), strings: STRINGS, mermaid: new MermaidRenderer() }));
      },
    },
  };
}
