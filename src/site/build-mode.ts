/**
 * What the site does with a chapter that is out of date: a cell without a recording or
 * recorded from other code, a translation whose cells differ from the English chapter.
 * `astro build` refuses it (a published page must not show output of code it no longer
 * has), while `astro dev` only marks it, so that an author sees the page while editing.
 *
 * The integration sets the command once Astro says it (astro:config:setup); the remark
 * plugin, loaded by the same config, reads it. LABBOOK_MARK_STALE=1 makes a build mark
 * instead: the site tests' fixture chapter holds a stale and an unrecorded cell on purpose,
 * to show how a page marks them.
 */
let strict = false;

export function setAstroCommand(command: string): void {
  strict = command === 'build' && process.env.LABBOOK_MARK_STALE !== '1';
}

export function refusesOutdated(): boolean {
  return strict;
}
