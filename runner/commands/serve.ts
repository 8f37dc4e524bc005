/** `labbook serve`: the runner for the pages' Run buttons, on 127.0.0.1 (and the site, with --with-site). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { styleText } from 'node:util';
import { resolveChapter } from '../../src/cells/chapters.ts';
import { sweepStaleLabs } from '../lab.ts';
import { loadCatalog } from '../server/catalog.ts';
import { MAX_PAGE_SESSIONS, MAX_PAGE_SESSIONS_PER_PAGE } from '../server/page-session.ts';
import { newToken, parseOrigin } from '../server/security.ts';
import { serve as startRunner } from '../server/server.ts';
import { defineCommand, TARGET_OPTIONS, UsageError, wholeNumber } from './command.ts';
import { onTarget } from './on-target.ts';

const SITE = 'http://127.0.0.1:4321';

export const serve = defineCommand({
  usage: `serve [chapter...] [--port P] [--allow-origin URL]... [--allow-edit] [--with-site]
                              the runner for the pages' Run buttons, on 127.0.0.1,
                              serving the cells of the chapters (all by default)
                              (--with-site: also start the site on ${SITE}/)
    --max-sessions N          labs the pages may hold at once (default ${MAX_PAGE_SESSIONS})
    --max-sessions-per-page N labs one page may hold (default ${MAX_PAGE_SESSIONS_PER_PAGE})`,
  options: {
    ...TARGET_OPTIONS,
    port: { type: 'string', default: '4322' },
    'allow-origin': { type: 'string', multiple: true, default: [] },
    'allow-edit': { type: 'boolean', default: false },
    'with-site': { type: 'boolean', default: false },
    'max-sessions': { type: 'string', default: String(MAX_PAGE_SESSIONS) },
    'max-sessions-per-page': { type: 'string', default: String(MAX_PAGE_SESSIONS_PER_PAGE) },
  },
  takes: 'any',
  async run({ values, names }) {
    const port = wholeNumber(values.port, '--port', 0);
    if (port > 65535) throw new UsageError('--port takes a port number');
    const extra = (values['allow-origin'] ?? []).map((o) => {
      try {
        return parseOrigin(o);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    });
    const maxPageSessions = wholeNumber(values['max-sessions'], '--max-sessions');
    const maxPageSessionsPerPage = wholeNumber(values['max-sessions-per-page'], '--max-sessions-per-page');
    const catalog = loadCatalog(names.length ? names.map(resolveChapter) : undefined);
    return onTarget(values, async ({ target }) => {
      if (process.getuid?.() !== 0) {
        console.error(
          styleText('yellow', 'labbook serve: not root, so Run will fail: labs need root (start it with sudo).'),
        );
      }
      // What a runner killed earlier left behind goes first.
      await sweepStaleLabs();
      const site = values['with-site'] ? await startSite() : undefined;
      const token = newToken();
      const server = await startRunner({
        port,
        token,
        origins: new Set([SITE, 'http://localhost:4321', ...extra]),
        allowEdit: !!values['allow-edit'],
        catalog,
        target,
        maxPageSessions,
        maxPageSessionsPerPage,
      });
      const fragment = `#runner=127.0.0.1:${server.port}&token=${token}`;
      console.log(`Open ${SITE}/${fragment}`);
      for (const o of extra) console.log(`  or ${o}/${fragment}`);
      if (values['allow-edit']) console.log(styleText('yellow', 'Edited cells may run (--allow-edit).'));
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        site?.once('exit', () => resolve());
      });
      console.log('labbook serve: closing every lab');
      site?.kill('SIGTERM');
      await server.close();
      return 0;
    });
  },
});

/**
 * The site's dev server, beside the runner. setpriv's parent-death signal ends it with the
 * runner even if the runner is killed outright.
 */
async function startSite(): Promise<ChildProcess> {
  const astroBin = join(dirname(createRequire(import.meta.url).resolve('astro/package.json')), 'bin/astro.mjs');
  const args = [
    '--pdeathsig',
    'TERM',
    '--',
    process.execPath,
    astroBin,
    'dev',
    '--host',
    '127.0.0.1',
    '--port',
    '4321',
  ];
  const astro = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    astro.once('exit', (code) => reject(new Error(`the site did not start (astro exited with ${code})`)));
    astro.stdout?.on('data', (chunk: Buffer) => {
      if (/127\.0\.0\.1:4321/.test(chunk.toString())) resolve();
    });
  });
  astro.stdout?.resume();
  return astro;
}
