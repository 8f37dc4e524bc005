/**
 * The docs collection: Starlight's pages, whose frontmatter may also declare the chapter's
 * lab sessions, validated by the cell model's own schema (src/cells/schema.ts).
 */
import { defineCollection } from 'astro:content';
import { docsSchema } from '@astrojs/starlight/schema';
import { z } from 'astro/zod';
import { chapterFrontmatter } from './cells/schema.ts';
import { labDocsLoader } from './site/docs-loader.ts';

export const collections = {
  docs: defineCollection({
    loader: labDocsLoader(),
    schema: docsSchema({ extend: z.object({ lab: chapterFrontmatter.shape.lab }) }),
  }),
};
