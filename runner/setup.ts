/**
 * What this machine lacks of the package map (src/cells/packages.ts), and `labbook setup`,
 * which installs it with apt-get (Debian, Ubuntu) or dnf (Fedora and the RHEL family):
 *
 *   labbook setup            labbook's baseline and every command the chapters' cells use
 *   labbook setup --tests    and what the test suite needs: Chromium, Chinese fonts, sshd
 *
 * It prints what it installs and why, does nothing when everything is there, and when it
 * is not root prints the line to run instead. Nothing else in the project installs system
 * packages but `labbook vm up`, through `ensureTools` here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { styleText } from 'node:util';
import { listChapters, ROOT } from '../src/cells/chapters.ts';
import {
  type Family,
  familyOf,
  GROUPS,
  type Group,
  missingScript,
  packageOf,
  TOOLS,
  toolsOf,
  unitsOf,
} from '../src/cells/packages.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { CELL_ENV } from './lab.ts';

/** The tools of `names` that this machine lacks, as the cells would look for them (their PATH). */
export function missingHere(names: string[]): string[] {
  if (!names.length) return [];
  const r = spawnSync('sh', ['-c', missingScript(names)], { encoding: 'utf8', env: { PATH: CELL_ENV.PATH } });
  if (r.error) return names;
  return r.stdout.split('\n').filter((n) => n && names.includes(n));
}

export interface InstallPlan {
  family: Family;
  /** The command lines to run, as argv. */
  commands: string[][];
  packages: string[];
  /** Tools with no package on this family, and what to do instead. */
  byHand: { name: string; how: string }[];
}

/** How to install some tools on a family of distributions (on Debian, of a release: packageOf). */
export function installPlan(family: Family, names: string[], release?: number): InstallPlan {
  const packages: string[] = [];
  const byHand: InstallPlan['byHand'] = [];
  for (const name of names) {
    const pkg = packageOf(name, family, release);
    if (pkg === null) byHand.push({ name, how: TOOLS[name]?.byHand ?? `install ${name} by hand` });
    else if (!packages.includes(pkg)) packages.push(pkg);
  }
  const commands: string[][] = !packages.length
    ? []
    : family === 'fedora'
      ? [['dnf', 'install', '-y', '--setopt=install_weak_deps=False', ...packages]]
      : [
          ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update', '-q'],
          // --no-remove: apt aborts rather than remove a package in the way (busybox-static for busybox, a
          // reader's docker-ce for docker.io); dnf never removes one without --allowerasing.
          [
            ...['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends'],
            ...['--no-remove', ...packages],
          ],
        ];
  return { family, commands, packages, byHand };
}

function readOsRelease(): string {
  for (const f of ['/etc/os-release', '/usr/lib/os-release']) if (existsSync(f)) return readFileSync(f, 'utf8');
  return '';
}

/** Debian's major version from /etc/os-release; undefined for testing and unstable (no VERSION_ID). */
export function debianRelease(osRelease: string): number | undefined {
  const v = /^VERSION_ID="?(\d+)/m.exec(osRelease)?.[1];
  return v === undefined ? undefined : Number(v);
}

/**
 * Debian's way to keep a package's postinst from starting its daemon: invoke-rc.d and
 * deb-systemd-invoke ask /usr/sbin/policy-rc.d, and 101 means "not allowed". Written only
 * where there is none (a Docker image has its own), and removed after the install.
 */
const POLICY_RC = '/usr/sbin/policy-rc.d';
const POLICY_MARK = '# labbook setup: no daemon starts while it installs packages';

function holdDaemons(): () => void {
  if (existsSync(POLICY_RC) && !readFileSync(POLICY_RC, 'utf8').includes(POLICY_MARK)) return () => {};
  writeFileSync(POLICY_RC, `#!/bin/sh\n${POLICY_MARK}\nexit 101\n`, { mode: 0o755 });
  // Left behind, it would keep every later install from starting its daemon: gone on ^C too.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const release = () => {
    for (const s of signals) process.off(s, onSignal);
    rmSync(POLICY_RC, { force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal);
  };
  for (const s of signals) process.on(s, onSignal);
  return release;
}

/**
 * The units of `units` whose unit files this machine has: `systemctl is-enabled` prints their
 * state (enabled, disabled, masked...), and nothing for a unit it does not know. It reads the
 * files, so it answers where systemd does not run too.
 */
function knownUnits(units: string[]): string[] {
  if (!units.length || missingHere(['systemctl']).length) return [];
  return units.filter((u) => spawnSync('systemctl', ['is-enabled', u], { encoding: 'utf8' }).stdout?.trim());
}

/**
 * Why each tool is needed: its group, and for a cell command the chapters whose cells
 * require a command of its package. The chapters are read once.
 */
function reasons(): (name: string) => string {
  const chapters = listChapters().map((c) => ({ slug: c.slug, cells: loadChapter(c.file).cells }));
  return (name) => {
    const tool = TOOLS[name];
    if (!tool) return '';
    if (tool.group !== 'cells') return GROUPS[tool.group];
    const using = chapters
      .filter(({ cells }) =>
        cells.some((c) => c.requires.some((r) => r.startsWith('cmd:') && TOOLS[r.slice(4)]?.debian === tool.debian)),
      )
      .map((c) => c.slug);
    return `${GROUPS.cells}${using.length ? ` (${using.join(', ')})` : ''}`;
  };
}

/**
 * Runs one command line with its whole output in `log`, printing a line for each of `wanted`
 * it sets up, and every 10 s how far it got (downloads, dependencies set up).
 */
function runLogged(argv: string[], log: string, started: number, wanted: string[]): Promise<number> {
  const out = createWriteStream(log, { flags: 'a' });
  out.write(`\n$ ${argv.join(' ')}\n`);
  const child = spawn(argv[0] as string, argv.slice(1), {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let rest = '';
  let fetched = 0;
  let setUp = 0;
  let done = 0;
  let said = performance.now();
  const say = (text: string) => {
    console.log(`[${elapsed(started)}] ${text}`);
    said = performance.now();
  };
  const heartbeat = setInterval(() => {
    if (performance.now() - said < 9000) return;
    say(styleText('dim', `  ${fetched} files downloaded, ${setUp} packages set up`));
  }, 10_000);
  child.stdout.on('data', (chunk: Buffer) => {
    out.write(chunk);
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      // apt-get: "Get:3 http://... busybox-static ...", "Setting up busybox-static (1:1.35.0-4+b1) ...";
      // dnf: "  Installing       : busybox-1:1.36.1-8.fc41.x86_64"
      if (/^Get:\d+/.test(line)) fetched++;
      const m = /^(?:Setting up|\s*Installing\s*:)\s+([^\s:]+)/.exec(line);
      if (!m) continue;
      setUp++;
      const name = m[1] as string;
      // dnf names the package with its version: busybox-1.36.1-8.fc41.x86_64.
      const pkg = wanted.find((w) => name === w || (name.startsWith(`${w}-`) && /^\d/.test(name.slice(w.length + 1))));
      if (pkg) say(`  set up ${pkg} (${++done} of ${wanted.length})`);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => out.write(chunk));
  return new Promise((resolve) => {
    const end = (code: number) => {
      clearInterval(heartbeat);
      out.end(() => resolve(code));
    };
    child.once('error', () => end(127));
    child.once('exit', (code) => end(code ?? 1));
  });
}

const elapsed = (started: number) => `${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s`;

function tail(file: string, lines: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export interface SetupOptions {
  groups: Group[];
  dryRun?: boolean;
  /** Who is asking, for the messages: "labbook setup", "labbook vm". */
  as?: string;
}

/**
 * Installs what this machine lacks of the tools of `groups`. Returns 0 when everything is
 * there afterwards, 1 when something is still missing (not root, no package, apt failed).
 */
export async function ensureTools({ groups, dryRun = false, as = 'labbook setup' }: SetupOptions): Promise<number> {
  const started = performance.now();
  const names = toolsOf(groups);
  const missing = missingHere(names);
  if (!missing.length) {
    console.log(`${as}: everything is there (${names.length} tools of: ${groups.join(', ')})`);
    return 0;
  }
  const osRelease = readOsRelease();
  const family = familyOf(osRelease);
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'this machine';
  console.log(`${as}: ${pretty} lacks ${missing.length} of ${names.length} tools:`);
  const why = reasons();
  const byPackage = new Map<string, string[]>();
  for (const name of missing) {
    const pkg = family ? (packageOf(name, family) ?? '(no package)') : `${TOOLS[name]?.debian} (Debian)`;
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), name]);
  }
  for (const [pkg, tools] of byPackage) {
    console.log(
      `  ${pkg.padEnd(20)} ${tools.join(', ').padEnd(28)} ${styleText('dim', `for ${why(tools[0] as string)}`)}`,
    );
  }
  if (!family) {
    const fedora = [...new Set(missing.map((n) => TOOLS[n]?.fedora))].join(' ');
    console.log(`\n${as} knows apt-get and dnf only: install them with your package manager`);
    console.log(`  (Debian's names above; Fedora's: ${fedora})`);
    return 1;
  }
  const plan = installPlan(family, missing, family === 'debian' ? debianRelease(osRelease) : undefined);
  for (const { name, how } of plan.byHand) console.log(styleText('yellow', `  ${name}: ${how}`));
  if (!plan.commands.length) return 1;
  const root = process.getuid?.() === 0;
  const lines = plan.commands.map((c) => c.join(' ')).join(' && ');
  if (dryRun) {
    console.log(`\nit would run: ${lines}`);
    return 0;
  }
  if (!root) {
    console.log(styleText('yellow', `\n${as} needs root to install them. Run:`));
    console.log(`  sudo npx ${as}${groups.includes('tests') ? ' --tests' : ''}`);
    console.log(styleText('dim', `  (that is: ${lines})`));
    return 1;
  }
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const log = join(ROOT, '.cache', 'setup.log');
  // Units that come with the install are disabled after it; the machine's own stay as they are.
  const units = unitsOf(missing);
  const before = new Set(knownUnits(units));
  const release = plan.family === 'fedora' ? () => {} : holdDaemons();
  try {
    for (const argv of plan.commands) {
      console.log(`[${elapsed(started)}] ${argv.join(' ')}`);
      const code = await runLogged(argv, log, started, plan.packages);
      if (code !== 0) {
        console.error(styleText('red', `${as}: ${argv[0]} failed with exit status ${code}; the end of ${log}:`));
        console.error(tail(log, 20));
        return 1;
      }
    }
  } finally {
    release();
  }
  const added = knownUnits(units).filter((u) => !before.has(u));
  if (added.length) {
    spawnSync('systemctl', ['disable', '--quiet', ...added], { stdio: 'ignore' });
    console.log(
      `[${elapsed(started)}] disabled ${added.join(', ')}: a lab starts a daemon of its own, and this machine runs none because of labbook (systemctl enable --now ${added[0]} to run it)`,
    );
  }
  const still = missingHere(names);
  if (still.length) {
    console.error(styleText('red', `${as}: still missing after the install: ${still.join(', ')} (see ${log})`));
    return 1;
  }
  console.log(
    `${as}: installed ${plan.packages.length} packages in ${elapsed(started).trim()}; everything is there now`,
  );
  return 0;
}

/** The Node that npm ran under, when older than the `engines` range's lowest version; else undefined. */
export function olderNode(userAgent: string, engines: string): string | undefined {
  const ran = /\bnode\/v(\d+)\.(\d+)/.exec(userAgent);
  const wanted = /(\d+)\.(\d+)/.exec(engines);
  if (!ran || !wanted) return undefined;
  const version = (m: RegExpExecArray) => Number(m[1]) * 1000 + Number(m[2]);
  return version(ran) < version(wanted) ? `${ran[1]}.${ran[2]}` : undefined;
}

/**
 * The npm packages, installed again under the project's Node when the npm that installed
 * them ran under an older one. Debian 12's npm runs under its Node 18 and skips every
 * optional package whose engines want a newer Node: the native bindings of rolldown (Vite)
 * and of Astro's compiler, without which nothing builds. Run again with node_modules/.bin
 * first on PATH, the same npm runs under the Node 24 that `npm install` brought.
 * `userAgent` is what npm says of itself to the command it runs (npm_config_user_agent).
 */
export async function reinstallUnderProjectNode(userAgent = process.env.npm_config_user_agent ?? ''): Promise<number> {
  const engines: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines?.node ?? '';
  const ran = olderNode(userAgent, engines);
  if (!ran) return 0;
  console.log(
    `labbook setup: npm ran under Node ${ran}, older than the project's ${engines}, so it may have skipped packages that need a newer Node: npm install again under Node ${process.versions.node}`,
  );
  const bin = join(ROOT, 'node_modules', '.bin');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NODE_NO_WARNINGS: '1' },
  });
  return r.status ?? 1;
}

/**
 * What labbook itself needs on this machine and lacks, as one message naming the packages
 * (undefined when nothing is missing): checked before any command, so that a minimal
 * machine gets a sentence, not a stack trace.
 */
export function baselineProblem(fix = 'npx labbook setup'): string | undefined {
  const missing = missingHere(toolsOf(['baseline']));
  if (!missing.length) return undefined;
  const { packages } = installPlan(familyOf(readOsRelease()) ?? 'debian', missing);
  return `this machine lacks ${missing.join(', ')} (the packages ${packages.join(' ')}), which labbook needs: run ${fix} as root`;
}
