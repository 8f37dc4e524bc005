/**
 * Code blocks a keyboard can scroll. Expressive Code makes a block that overflows
 * focusable with a script once the page has run it; without JavaScript, or before that
 * script's idle callback, a long line could be scrolled with a mouse only. This makes every
 * block focusable in the HTML itself (the script still takes it off blocks that fit).
 */
import type { ExpressiveCodePlugin } from '@astrojs/starlight/expressive-code';
import type { Element, ElementContent } from 'hast';

function focusPre(node: Element | ElementContent): void {
  if (node.type !== 'element') return;
  if (node.tagName === 'pre') node.properties.tabIndex = 0;
  else for (const child of node.children) focusPre(child);
}

export function focusableCode(): ExpressiveCodePlugin {
  return {
    name: 'labbook-focusable-code',
    hooks: {
      postprocessRenderedBlock: ({ renderData }) => focusPre(renderData.blockAst),
    },
  };
}
