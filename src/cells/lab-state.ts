/**
 * What a cell changed in the kernel: the runner takes a snapshot of the lab's kernel objects
 * (runner/shell/lab-state.sh, one command of the lab's observer, runner/lab.ts) after each cell, and the difference between two
 * snapshots is a list of lines that the recording keeps and the page shows under the cell:
 *
 *   ip netns add ns1
 *   ip link add veth0 type veth peer name veth1 netns ns1
 *   ->
 *   + namespace net ns1
 *   + link veth0 (veth, peer veth1 in ns1, down)
 *   + link veth1 in ns1 (veth, peer veth0 in lab, down)
 *   + mount tmpfs on /run/netns (its filesystem's /netns; shared, rw)
 *
 * (The nsfs mount of /run/netns/ns1 is left out: a namespace's file is the namespace's line.)
 * A line is "+" (appeared), "-" (went) or "~" (changed), then the object: namespace, link,
 * address, route, mount, cgroup, process. A namespace is named "lab" (the lab's own), after its
 * session ("container"), after the file that holds it (ip netns: "ns1"), or else after its
 * lowest-numbered process, as pstree writes it ("sleep(42)"). Links are read with the model of data=network
 * (structure/network.ts), so a veth's peer and a port's bridge are resolved the same way.
 *
 * The harness's own objects are left out: the sessions' shells and the namespaces a session was
 * started in (its objects are named after it instead); the snapshot's own processes are not in
 * the lab's PID namespace (runner/shell/lab-observe.sh).
 */
import { type Interface, parseNetwork } from './structure/network.ts';

export interface LabState {
  cgroup: 'v1' | 'v2';
  namespaces: { type: string; inode: string; label: string }[];
  /** Every process but the harness's: its PID in the lab, its name, its PID in its own namespace. */
  processes: { pid: number; comm: string; ownPid: number }[];
  /**
   * Links and routes, their `ns` (and a peer's) the network namespace's own name ("net:[N]"),
   * which stays while it lives, whereas its label can change (its lowest-numbered process ends).
   */
  interfaces: (Interface & { state: string })[];
  routes: { ns: string; route: string; linkdown: boolean }[];
  /** What each namespace is called in a change ("lab", "ns1", "sleep(42)"), by its own name. */
  labels: Map<string, string>;
  /** Network namespaces listed but not read: their processes ended as it read. */
  unread: Set<string>;
  /** The mounts of each mount namespace that could be read, by its inode. */
  mounts: Map<string, { ns: string; mounts: Mount[] }>;
  /** Each cgroup's path below the lab's, with the v1 hierarchies that have it. */
  cgroups: Map<string, string[]>;
}

/** A mount, as a change names it ("tmpfs on /tmp/m"), and what may change under that name. */
interface Mount {
  name: string;
  /** The directory of its filesystem that it shows: "/" but for a bind mount. */
  root: string;
  /** Its propagation (shared, slave, private) and whether it is read-only. */
  flags: string;
}

const DEFAULT_MOUNT_FLAGS = 'private, rw';

/** At most this many lines of change are kept for a cell; the last says how many more there were. */
export const MAX_CHANGE_LINES = 200;

type Sections = Map<string, string[]>;

function sections(text: string): Sections {
  const out: Sections = new Map();
  let current: string[] = [];
  let ended = false;
  for (const line of text.split('\n')) {
    if (line === '@end') {
      ended = true;
      break;
    }
    if (line.startsWith('@')) {
      current = [];
      out.set(line.slice(1), current);
    } else if (line) current.push(line);
  }
  if (!ended) throw new Error('a snapshot of lab-state.sh that was cut short (no @end)');
  return out;
}

interface RawProcess {
  pid: number;
  ppid: number;
  nspid: number[];
  comm: string;
}

/** Reads what lab-state.sh printed; throws an Error that says what is missing. */
export function parseLabState(text: string): LabState {
  const s = sections(text);
  const key = (prefix: string) => [...s.keys()].filter((k) => k === prefix || k.startsWith(`${prefix} `));
  if (!s.has('state') || !s.has('processes') || !s.has('namespaces') || !key('cgroups').length) {
    throw new Error('not a snapshot of lab-state.sh: a section is missing');
  }
  const sessionPids = new Map(
    key('session').map((k) => {
      const [, name = '', pid = ''] = k.split(' ');
      return [Number(pid), name] as const;
    }),
  );
  const all: RawProcess[] = (s.get('processes') ?? []).flatMap((l) => {
    const [pid, ppid, nspid, comm] = l.split('\t');
    return pid && ppid && nspid && comm !== undefined
      ? [{ pid: Number(pid), ppid: Number(ppid), nspid: nspid.split(' ').map(Number), comm }]
      : [];
  });
  const parent = new Map(all.map((p) => [p.pid, p.ppid]));
  // A session's shell and the process that started it (unshare --fork) are the harness's.
  const harness = new Set([1, ...sessionPids.keys(), ...[...sessionPids.keys()].map((p) => parent.get(p) ?? 0)]);
  const processes = all
    .filter((p) => !harness.has(p.pid))
    .map((p) => ({ pid: p.pid, comm: p.comm, ownPid: p.nspid.at(-1) ?? p.pid }))
    .sort((a, b) => a.pid - b.pid);

  // Namespaces: "/proc/PID/ns net:[4026532179]".
  const members = new Map<string, number[]>();
  for (const l of s.get('namespaces') ?? []) {
    const m = /^\/proc\/(\d+)\/ns (\w+:\[\d+\])$/.exec(l);
    if (!m) continue;
    const pids = members.get(m[2] as string) ?? [];
    pids.push(Number(m[1]));
    members.set(m[2] as string, pids);
  }
  const mountKeys = key('mounts');
  const labMnt = [...members].find(([link, pids]) => link.startsWith('mnt:') && pids.includes(1))?.[0];
  const labMounts = mountKeys.includes(`mounts ${labMnt}`) ? (s.get(`mounts ${labMnt}`) ?? []) : [];
  const files = new Map<string, string>();
  for (const m of labMounts.map(mountOf)) {
    if (m?.type === 'nsfs') files.set(m.root, m.path.split('/').at(-1) ?? m.path);
  }
  const comm = new Map(all.map((p) => [p.pid, p.comm]));
  const label = (link: string): string => {
    const pids = (members.get(link) ?? []).sort((a, b) => a - b);
    if (pids.includes(1)) return 'lab';
    const session = pids.map((p) => sessionPids.get(p)).find((n) => n !== undefined);
    if (session) return session;
    const file = files.get(link);
    if (file) return file;
    const first = pids.find((p) => !harness.has(p));
    return first === undefined ? link : `${comm.get(first) ?? '?'}(${first})`;
  };
  const sessions = new Set(sessionPids.values());
  const linksOf = new Set([...members.keys(), ...files.keys()]);
  const namespaces = [...linksOf]
    // A session's own namespaces are the harness's; those it shares are the lab's.
    .filter((link) => !sessions.has(label(link)))
    .flatMap((link) => {
      const m = /^(\w+):\[(\d+)\]$/.exec(link);
      if (!m) return [];
      return [{ type: m[1] as string, inode: m[2] as string, label: label(link) }];
    });

  // In a stable order, the lab's namespace first: the script reads them in no particular one.
  const net = key('net')
    .map((k) => {
      const link = k.slice('net '.length);
      const lines = s.get(k) ?? [];
      const [addrs = '[]', routes = '[]'] = lines;
      return {
        name: link,
        read: lines.length > 0,
        links: safeJson(addrs),
        routes: safeJson(routes) as RawRoute[],
      };
    })
    .sort((a, b) => byLabel(label(a.name), label(b.name)));
  const labels = new Map([...linksOf].map((link) => [link, label(link)]));
  const unread = new Set(net.filter((n) => !n.read).map((n) => n.name));
  const model = net.length ? parseNetwork({ namespaces: net.map(({ name, links }) => ({ name, links })) }) : undefined;
  // What ip says of a link: up as an administrator set it (UP), without carrier when its other side is not.
  const flags = new Map(
    net.flatMap((n) =>
      (n.links as { ifname?: string; flags?: string[] }[]).map(
        (l) => [`${n.name}/${l.ifname}`, l.flags ?? []] as const,
      ),
    ),
  );
  const interfaces = (model?.namespaces.flatMap((n) => n.interfaces) ?? []).map((i) => {
    const f = flags.get(`${i.ns}/${i.name}`) ?? [];
    return { ...i, state: !f.includes('UP') ? 'down' : f.includes('LOWER_UP') ? 'up' : 'up, no carrier' };
  });
  const routes = net.flatMap((n) =>
    n.routes.map((r) => ({ ns: n.name, route: routeText(r), linkdown: r.flags?.includes('linkdown') ?? false })),
  );

  const mounts = new Map(
    mountKeys.map((k) => {
      const link = k.slice('mounts '.length);
      const list = (s.get(k) ?? []).flatMap((line) => {
        const m = mountOf(line);
        // A namespace's file is the namespace's line, not a mount's.
        return m && m.type !== 'nsfs' ? [m] : [];
      });
      return [link, { ns: label(link), mounts: list }];
    }),
  );

  const [cgroupKey = 'cgroups v2'] = key('cgroups');
  const cgroup = cgroupKey.endsWith('v1') ? 'v1' : 'v2';
  const cgroups = new Map<string, string[]>();
  for (const path of s.get(cgroupKey) ?? []) {
    // On v1 the first part is the hierarchy; on v2 the lab's own processes' leaf is the harness's.
    const [hierarchy = '', ...rest] = path.split('/');
    const group = cgroup === 'v1' ? rest.join('/') : path;
    if (!group || (cgroup === 'v2' && group === 'lab')) continue;
    const hs = cgroups.get(group) ?? [];
    if (cgroup === 'v1') hs.push(hierarchy);
    cgroups.set(group, hs);
  }
  for (const hs of cgroups.values()) hs.sort();
  namespaces.sort((a, b) => byLabel(a.label, b.label) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { cgroup, namespaces, processes, interfaces, routes, labels, unread, mounts, cgroups };
}

/**
 * The snapshot `next` with what it could not read taken from `before`: a network namespace
 * whose processes all ended while it was read, a mount namespace likewise, if it is still
 * listed. Without it, their objects would show as gone, and again as new in the next snapshot.
 */
export function carryOver(before: LabState, next: LabState): LabState {
  const listed = new Set(next.namespaces.map((n) => `${n.type}:${n.inode}`));
  const mounts = new Map(next.mounts);
  for (const [inode, m] of before.mounts) {
    if (!mounts.has(inode) && listed.has(inode.replace(/^mnt:\[(\d+)\]$/, 'mnt:$1'))) mounts.set(inode, m);
  }
  return {
    ...next,
    interfaces: [...next.interfaces, ...before.interfaces.filter((i) => next.unread.has(i.ns))],
    routes: [...next.routes, ...before.routes.filter((r) => next.unread.has(r.ns))],
    mounts,
  };
}

const byLabel = (a: string, b: string) => (a === b ? 0 : a === 'lab' ? -1 : b === 'lab' ? 1 : a < b ? -1 : 1);

function safeJson(text: string): unknown[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

interface RawRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
}

/** An IPv4 route of the main table, as ip writes it (linkdown, when its link has no carrier, apart). */
const routeText = (r: RawRoute) =>
  `${r.dst ?? '?'}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`;

/** A line of mountinfo: "id parent dev ROOT PATH opts [optional...] - TYPE source superopts". */
function mountOf(line: string): (Mount & { path: string; type: string }) | undefined {
  const f = line.split(' ');
  const dash = f.indexOf('-', 6);
  const [root, path, options = '', type] = [f[3], f[4], f[5], f[dash + 1]];
  if (dash < 0 || !root || !path || !type) return undefined;
  // The optional fields say how it propagates: shared:N, master:N (a slave), or neither (private).
  const optional = f.slice(6, dash);
  const propagation = optional.some((o) => o.startsWith('shared:'))
    ? 'shared'
    : optional.some((o) => o.startsWith('master:'))
      ? 'slave'
      : optional.includes('unbindable')
        ? 'unbindable'
        : 'private';
  return {
    root,
    path,
    type,
    name: `${type} on ${path}`,
    flags: `${propagation}, ${options.split(',')[0] === 'ro' ? 'ro' : 'rw'}`,
  };
}

/** How a change names a namespace: nothing for the lab's, else " in LABEL". */
const inLabel = (label: string) => (label === 'lab' ? '' : ` in ${label}`);
const inNs = (s: LabState, ns: string) => inLabel(s.labels.get(ns) ?? ns);
const peerText = (s: LabState, ref: string) => {
  const [ns = '', name = ''] = ref.split('/');
  return `${name} in ${s.labels.get(ns) ?? ns}`;
};

function linkDetails(s: LabState, i: LabState['interfaces'][number]): string[] {
  return [
    i.kind + (i.mode ? ` ${i.mode}` : ''),
    ...(i.peer ? [`peer ${peerText(s, i.peer)}`] : []),
    ...(i.parent ? [`parent ${peerText(s, i.parent)}`] : []),
    ...(i.master ? [`master ${i.master.split('/')[1]}`] : []),
    i.state,
  ];
}

/** Both sides of a difference, as sets of keys: what appeared, in the order of `after`, and what went. */
function delta<T>(before: T[], after: T[], key: (x: T) => string): { added: T[]; removed: T[] } {
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return { added: after.filter((x) => !had.has(key(x))), removed: before.filter((x) => !has.has(key(x))) };
}

/**
 * The multiset difference of two lists of mounts by name (a path can hold several), with the
 * mounts kept whose propagation or read-only flag changed.
 */
function mountDelta(before: Mount[], after: Mount[]): { added: Mount[]; removed: Mount[]; changed: Mount[] } {
  const left = [...before];
  const added: Mount[] = [];
  const changed: Mount[] = [];
  for (const x of after) {
    const i = left.findIndex((b) => b.name === x.name && b.root === x.root);
    if (i < 0) added.push(x);
    else if ((left.splice(i, 1)[0] as Mount).flags !== x.flags) changed.push(x);
  }
  return { added, removed: left, changed };
}

/** What changed from one snapshot to the next, one line per object (see the top of this file). */
export function changeLines(before: LabState, after: LabState): string[] {
  const lines: string[] = [];
  const ns = delta(before.namespaces, after.namespaces, (n) => `${n.type}:${n.inode}`);
  for (const n of ns.added) lines.push(`+ namespace ${n.type} ${n.label}`);
  for (const n of ns.removed) lines.push(`- namespace ${n.type} ${n.label}`);

  const ref = (i: Pick<Interface, 'ns' | 'name'>) => `${i.ns}/${i.name}`;
  const links = delta(before.interfaces, after.interfaces, ref);
  const gone = new Set(links.removed.map(ref));
  const goneNs = new Set(ns.removed.filter((n) => n.type === 'net').map((n) => `net:[${n.inode}]`));
  // A new namespace's loopback is down and says nothing; one brought up in the same cell does.
  for (const i of links.added.filter((x) => x.kind !== 'loopback' || x.state !== 'down')) {
    lines.push(`+ link ${i.name}${inNs(after, i.ns)} (${linkDetails(after, i).join(', ')})`);
  }
  for (const i of links.removed.filter((x) => x.kind !== 'loopback' && !goneNs.has(x.ns))) {
    lines.push(`- link ${i.name}${inNs(before, i.ns)}`);
  }
  const was = new Map(before.interfaces.map((i) => [ref(i), i]));
  for (const i of after.interfaces) {
    const b = was.get(ref(i));
    if (!b) continue;
    const changed = [
      ...(b.state !== i.state ? [i.state] : []),
      ...(b.master !== i.master ? [i.master ? `master ${i.master.split('/')[1]}` : 'no master'] : []),
      ...(b.peer !== i.peer && i.peer ? [`peer ${peerText(after, i.peer)}`] : []),
    ];
    if (changed.length) lines.push(`~ link ${i.name}${inNs(after, i.ns)} (${changed.join(', ')})`);
  }

  const addresses = (s: LabState) => s.interfaces.flatMap((i) => i.addresses.map((a) => ({ i, a })));
  const addrs = delta(addresses(before), addresses(after), (x) => `${ref(x.i)} ${x.a}`);
  for (const { i, a } of addrs.added) lines.push(`+ address ${a} on ${i.name}${inNs(after, i.ns)}`);
  for (const { i, a } of addrs.removed.filter((x) => !gone.has(ref(x.i)) && !goneNs.has(x.i.ns))) {
    lines.push(`- address ${a} on ${i.name}${inNs(before, i.ns)}`);
  }
  const routeKey = (r: LabState['routes'][number]) => `${r.ns} ${r.route}`;
  const routes = delta(before.routes, after.routes, routeKey);
  for (const r of routes.added) lines.push(`+ route ${r.route}${r.linkdown ? ' linkdown' : ''}${inNs(after, r.ns)}`);
  // A route through a link that went, went with it.
  const viaGone = (r: { ns: string; route: string }) =>
    goneNs.has(r.ns) || gone.has(`${r.ns}/${/ dev (\S+)/.exec(r.route)?.[1]}`);
  for (const r of routes.removed.filter((x) => !viaGone(x))) lines.push(`- route ${r.route}${inNs(before, r.ns)}`);
  // A route that stays, whose link lost or regained its carrier.
  const routeWas = new Map(before.routes.map((r) => [routeKey(r), r.linkdown]));
  for (const r of after.routes) {
    const was = routeWas.get(routeKey(r));
    if (was !== undefined && was !== r.linkdown) {
      lines.push(`~ route ${r.route}${inNs(after, r.ns)} (${r.linkdown ? 'linkdown' : 'no longer linkdown'})`);
    }
  }

  // Mounts of a namespace that was there before: a new namespace starts with a copy of its parent's.
  for (const [inode, a] of after.mounts) {
    const b = before.mounts.get(inode);
    if (!b) continue;
    const m = mountDelta(b.mounts, a.mounts);
    // A new mount says which directory of its filesystem it shows when it is a bind mount, and
    // how it propagates, or that it is read-only, when that is not the default.
    for (const x of m.added) {
      const details = [
        ...(x.root !== '/' ? [`its filesystem's ${x.root}`] : []),
        ...(x.flags !== DEFAULT_MOUNT_FLAGS ? [x.flags] : []),
      ];
      lines.push(`+ mount ${x.name}${inLabel(a.ns)}${details.length ? ` (${details.join('; ')})` : ''}`);
    }
    for (const x of m.removed) lines.push(`- mount ${x.name}${inLabel(b.ns)}`);
    for (const x of m.changed) lines.push(`~ mount ${x.name}${inLabel(a.ns)} (${x.flags})`);
  }

  const where = (s: LabState, path: string) => {
    const hs = s.cgroups.get(path) ?? [];
    return s.cgroup === 'v1' ? ` (${hs.join(' ')})` : '';
  };
  for (const [path, hs] of after.cgroups) {
    const had = before.cgroups.get(path);
    if (!had) lines.push(`+ cgroup ${path}${where(after, path)}`);
    else if (had.join() !== hs.join()) {
      // On v1, which hierarchies it joined and which it left.
      const joined = hs.filter((h) => !had.includes(h));
      const left = had.filter((h) => !hs.includes(h));
      const parts = [
        ...(joined.length ? [`also made in ${joined.join(' ')}`] : []),
        ...(left.length ? [`removed from ${left.join(' ')}`] : []),
      ];
      lines.push(`~ cgroup ${path} (${parts.join('; ')})`);
    }
  }
  for (const path of before.cgroups.keys()) if (!after.cgroups.has(path)) lines.push(`- cgroup ${path}`);

  const procs = delta(before.processes, after.processes, (p) => String(p.pid));
  const own = (p: LabState['processes'][number]) => (p.ownPid !== p.pid ? ` (PID ${p.ownPid} in its namespace)` : '');
  for (const p of procs.added) lines.push(`+ process ${p.comm}(${p.pid})${own(p)}`);
  for (const p of procs.removed) lines.push(`- process ${p.comm}(${p.pid})`);
  const named = new Map(before.processes.map((p) => [p.pid, p.comm]));
  for (const p of after.processes) {
    const c = named.get(p.pid);
    if (c !== undefined && c !== p.comm) lines.push(`~ process ${p.comm}(${p.pid}) (was ${c})`);
  }
  return lines.length > MAX_CHANGE_LINES
    ? [...lines.slice(0, MAX_CHANGE_LINES - 1), `… and ${lines.length - MAX_CHANGE_LINES + 1} more`]
    : lines;
}
