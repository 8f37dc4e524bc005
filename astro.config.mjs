// @ts-check
/**
 * The published site. SITE_URL and BASE_PATH say where it is served (BASE_PATH=/labbook
 * for https://USER.github.io/labbook/); without them it builds for a domain root.
 */
import { existsSync } from 'node:fs';
import { unified } from '@astrojs/markdown-remark';
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { labbook } from './src/site/plugin.ts';

/** Chapters in reading order. The sidebar lists those that exist, so an unwritten one cannot break the build. */
const CHAPTERS = ['namespace', 'cgroup', 'overlayfs', 'virtual-nics', 'keep-in', 'container-by-hand'];
/** @param {string} slug */
const exists = (slug) => ['md', 'mdx'].some((ext) => existsSync(`src/content/docs/${slug}.${ext}`));
const written = CHAPTERS.filter(exists);
/** After the chapters, the words they use and the rules of the Chinese edition: a page without cells. */
const glossary = exists('glossary')
  ? [{ label: 'Glossary', translations: { 'zh-CN': '术语表' }, slug: 'glossary' }]
  : [];

export default defineConfig({
  site: process.env.SITE_URL || undefined,
  base: process.env.BASE_PATH || undefined,
  // remark, which Starlight's own Markdown plugins and labbook's cells (src/site/plugin.ts) run on.
  markdown: { processor: unified() },
  // npm start serves the site to readers, who have no use for Astro's developer toolbar over the page.
  devToolbar: { enabled: false },
  integrations: [
    starlight({
      title: { en: 'labbook: container internals', 'zh-CN': 'labbook：容器的内部构造' },
      defaultLocale: 'root',
      locales: {
        root: { label: 'English', lang: 'en' },
        'zh-cn': { label: '简体中文', lang: 'zh-CN' },
      },
      sidebar: [
        { label: 'Start here', translations: { 'zh-CN': '从这里开始' }, slug: '' },
        { label: 'Chapters', translations: { 'zh-CN': '章节' }, items: written },
        ...glossary,
      ],
      // Cells, diagrams and the Run controls: their remark plugin, words, components and CSS.
      plugins: [labbook()],
    }),
  ],
});
