/**
 * What a run could leave behind on this host: network links, addresses, routes and
 * iptables rules of the host's own namespace, named network namespaces, mounts, cgroup
 * directories, tap devices, processes of labs and of a lab's Docker Engine, the files a
 * Docker Engine keeps, and the runner's temporary files. Two snapshots are compared to prove
 * the host is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

/**
 * Every cgroup directory below the hierarchies' roots (as `find /sys/fs/cgroup -mindepth 2
 * -type d`). A directory removed while it is read (a lab closing beside the test) is skipped:
 * `find` failed on one, and so did the test that called it.
 */
function cgroupDirs(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (depth >= 1 && !path.includes('/process_api')) found.push(path);
      walk(path, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found.sort();
}

/** The processes of a Docker Engine (a lab's, runner/shell/docker-engine.sh), by command line: none may outlive its lab. */
const DOCKER_PROCESSES =
  "ps -e -o args= | grep -E '^([^ ]*/)?(dockerd|containerd|containerd-shim[[:alnum:]_-]*|runc|docker-proxy)( |$)'";

/**
 * Where a Docker Engine keeps its state on a host; a lab's engine keeps it in the lab's own
 * tmpfs mounts, so none of these may appear, and /etc/docker gains no file (a shell test each).
 */
const DOCKER_FILES =
  'ls -d /run/docker /run/docker.sock /run/docker.pid /run/containerd /var/lib/docker /var/lib/containerd /var/tmp/docker 2>/dev/null; ls -A /etc/docker 2>/dev/null | sed "s|^|/etc/docker/|"';

/** The iptables rules of the host's network namespace, IPv4 and IPv6, without counters and dates. */
const RULES = "{ iptables-save; ip6tables-save; } 2>/dev/null | grep -v '^#' | sed 's/ \\[[0-9]*:[0-9]*\\]$//'";

/** Processes of labs: their session leaders and everything started through the runner's scripts. */
function labProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (/runner\/shell\/|^unshare |^nsenter /.test(cmd)) found.push(`${pid} ${cmd.trim()}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found.sort();
}

export interface HostState {
  links: string;
  addresses: string;
  routes: string;
  netns: string[];
  mounts: string[];
  cgroups: string[];
  taps: string[];
  rules: string[];
  /** Docker Engine's state on the host (DOCKER_FILES). */
  docker: string[];
  processes: string[];
  /** The runner's temporary files: SSH control sockets (tmpdir) and remote targets' scripts (/dev/shm). */
  temp: string[];
  /** A systemd target's units (a remote target's only: this host runs no systemd). */
  units?: string[];
}

export function snapshot(): HostState {
  return {
    links: sh('ip', ['-o', 'link', 'show']).replace(/\s+(RX|TX):.*$/gm, ''),
    addresses: sh('ip', ['-o', 'addr', 'show']),
    routes: sh('ip', ['route', 'show', 'table', 'all']),
    netns: safeList('/run/netns'),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) =>
        l
          .split(' ')
          .slice(4, 5)
          .concat(l.split(' - ')[1]?.split(' ')[0] ?? '')
          .join(' '),
      )
      .filter((l) => l.trim())
      .sort(),
    cgroups: cgroupDirs(),
    taps: safeList('/dev').filter((d) => /^tap\d+$/.test(d)),
    rules: lines(RULES),
    docker: lines(DOCKER_FILES),
    processes: [...labProcesses(), ...lines(DOCKER_PROCESSES)],
    temp: [tmpdir(), '/dev/shm'].flatMap((dir) =>
      safeList(dir)
        .filter((f) => /^labbook-(ssh|target|new)[-.]/.test(f))
        .map((f) => join(dir, f)),
    ),
  };
}

/** The lines a shell command prints (none where it fails: iptables-save missing). */
function lines(script: string): string[] {
  try {
    return sh('sh', ['-c', script]).split('\n').filter(Boolean);
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '')
      .split('\n')
      .filter(Boolean);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * What no lab may change while it runs, even with other labs running beside it. (Tap devices
 * appear in the one /dev of the machine while a lab's macvtap exists: they are compared
 * only around the whole suite, by tests/run.ts.)
 */
export const SHARED: (keyof HostState)[] = ['links', 'addresses', 'routes', 'rules', 'netns', 'mounts', 'docker'];

/** Differences between two snapshots, one readable line each (empty: unchanged). */
export function differences(
  before: HostState,
  after: HostState,
  keys = Object.keys(before) as (keyof HostState)[],
): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const a = [before[key]].flat().join('\n').split('\n').filter(Boolean);
    const b = [after[key]].flat().join('\n').split('\n').filter(Boolean);
    const added = b.filter((x) => !a.includes(x));
    const removed = a.filter((x) => !b.includes(x));
    for (const x of added) out.push(`${key}: added ${x}`);
    for (const x of removed) out.push(`${key}: removed ${x}`);
  }
  return out;
}

/** What is left of one lab (its cgroup directories, and processes still in them). */
export function labLeftovers(name: string): string[] {
  const dirs = cgroupDirs().filter((d) => d.split('/').includes(name));
  const procs = dirs.flatMap((d) => safeRead(`${d}/cgroup.procs`).split('\n').filter(Boolean));
  return [...dirs, ...procs.map((p) => `process ${p}`)];
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The parent of a process, 0 once it is gone. */
export function parentOf(pid: number): number {
  const stat = safeRead(`/proc/${pid}/stat`);
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : 0;
}

/** Processes in a lab's cgroups whose command line is exactly this one (`sleep 100`). */
export function labProcessesRunning(lab: string, command: string): number[] {
  const pids = labLeftovers(lab)
    .filter((l) => l.startsWith('process '))
    .map((l) => Number(l.slice('process '.length)));
  return [...new Set(pids)].filter((pid) => safeRead(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').trim() === command);
}

/**
 * The labs whose leader descends from this process (a lab made through an sshd: its leader is
 * a child of a child of the sshd). Read while they run: a leader's parents are lost once the
 * connection is gone.
 */
export function labsUnder(ancestor: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (!safeRead(`/proc/${pid}/cgroup`).includes(`/labbook-${pid}\n`)) continue;
    for (let p = parentOf(Number(pid)); p > 1; p = parentOf(p)) {
      if (p === ancestor) {
        found.push(`labbook-${pid}`);
        break;
      }
    }
  }
  return found.sort();
}

/**
 * The labs a process started: its children that lead a lab (lab-init.sh, which then execs
 * unshare), found by the cgroup named after their own PID (`labbook-<pid>`). Read while they run, so that the test can
 * check each one with labLeftovers after they end.
 */
export function labsStartedBy(parent: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const stat = safeRead(`/proc/${pid}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent && safeRead(`/proc/${pid}/cgroup`).includes(`/labbook-${pid}\n`)) found.push(`labbook-${pid}`);
  }
  return found.sort();
}

/**
 * The same for a remote target, read through its own shell: its links, named network
 * namespaces, mounts, cgroup directories and, where systemd runs, its units (a cell's
 * transient unit must be gone with its lab), one "kind: line" each.
 */
export const TARGET_STATE = [
  `ip -o link show | sed 's/ *[RT]X:.*//; s/^/links: /'`,
  `ls /run/netns 2>/dev/null | sed 's/^/netns: /'`,
  `awk '{ print "mounts:", $2, $3 }' /proc/self/mounts | sort`,
  `find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | grep -v '/session-[0-9]*\\.scope' | sort | sed 's/^/cgroups: /'`,
  `! command -v systemctl >/dev/null || systemctl list-units --all --no-legend --plain 2>/dev/null | awk '{ print "units:", $1 }' | grep -v 'session-[0-9]*\\.scope' | sort`,
  `${RULES} | sed 's/^/rules: /'`,
  `{ ${DOCKER_FILES}; } | sed 's/^/docker: /'`,
  `${DOCKER_PROCESSES} | sed 's/^/processes: /'`,
].join('; ');

export async function targetSnapshot(target: { exec(script: string): Promise<string> }): Promise<HostState> {
  const lines = (await target.exec(TARGET_STATE)).split('\n').filter(Boolean);
  const of = (kind: string) => lines.filter((l) => l.startsWith(`${kind}: `)).map((l) => l.slice(kind.length + 2));
  return {
    links: of('links').join('\n'),
    addresses: '',
    routes: '',
    netns: of('netns'),
    mounts: of('mounts'),
    cgroups: of('cgroups'),
    taps: [],
    rules: of('rules'),
    docker: of('docker'),
    processes: of('processes'),
    temp: [],
    units: of('units'),
  };
}
