/**
 * Starlight route middleware of the site (plugin.ts adds it): a page whose title is the site's
 * title (the home page, in each language) has it once in its <title>, not Starlight's
 * "labbook: container internals | labbook: container internals".
 */
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';

export const onRequest = defineRouteMiddleware((context) => {
  const route = context.locals.starlightRoute;
  if (route.entry.data.title !== route.siteTitle) return;
  for (const tag of route.head) if (tag.tag === 'title') tag.content = route.siteTitle;
});
