/**
 * The tutorial's matrix: the kernels every chapter is recorded and checked on, said once.
 * A recording belongs to one entry (src/content/recordings/<entry>/<chapter>.json); the CLI
 * takes an entry's name as a --target, and `--target matrix` for all of them; the site shows
 * each cell's recording on every entry. Adding a kernel is one line here (and, for a VM, one
 * Debian suite that debootstrap knows).
 *
 *   labbook check namespace --target vm:debian13   ->  runs on the Debian 13 VM and compares
 *                                                      with recordings/vm-debian13/namespace.json
 */

export interface VmImage {
  /** The image's name in `labbook vm up NAME` and its directory under the VM cache. */
  name: string;
  /** The Debian suite debootstrap installs. */
  suite: string;
  /** Its release number, which picks the packages of the tools that moved (packages.ts). */
  release: number;
}

export interface MatrixEntry {
  /** What --target and the recordings call it. */
  name: string;
  /** For readers: what this kernel is. */
  title: string;
  /** A VM of `labbook vm` (absent: this host). */
  vm?: VmImage;
}

export const MATRIX: readonly MatrixEntry[] = [
  {
    name: 'local',
    title:
      'the project host (Linux 6.18, hybrid cgroups: cpu, cpuacct, cpuset, memory, pids, blkio, devices and freezer on v1; no loadable modules)',
  },
  {
    name: 'vm:debian12',
    title: 'Debian 12 (Linux 6.1, cgroup v2, systemd)',
    vm: { name: 'debian12', suite: 'bookworm', release: 12 },
  },
  {
    name: 'vm:debian13',
    title: 'Debian 13 (Linux 6.12, cgroup v2, systemd)',
    vm: { name: 'debian13', suite: 'trixie', release: 13 },
  },
];

/** The entry called `name`, or undefined. */
export function matrixEntry(name: string): MatrixEntry | undefined {
  return MATRIX.find((e) => e.name === name);
}

/** The VM images of the matrix. */
export function vmImages(): VmImage[] {
  return MATRIX.flatMap((e) => (e.vm ? [e.vm] : []));
}

/** The directory of an entry's recordings under src/content/recordings: its name, file-safe. */
export function recordingDir(entry: MatrixEntry): string {
  return entry.name.replace(/[^a-z0-9]+/gi, '-');
}

export interface Comparison {
  entry: MatrixEntry;
  /** Why it is not the target's own entry, when it is not. */
  why?: string;
}

/**
 * The entry whose recording a run on `target` is compared with: its own, when the target is
 * an entry of the matrix with the cgroup layout recorded there; otherwise the last entry
 * (the newest kernel) whose recording has the target's cgroup layout.
 *
 *   entryToCompare('ssh://root@lima', 'v2', layoutOf)  ->  { entry: vm:debian13,
 *     why: 'ssh://root@lima is not in the matrix: compared with vm:debian13, whose cgroup layout (v2) it has' }
 */
export function entryToCompare(
  target: string,
  cgroup: string,
  recordedLayout: (entry: MatrixEntry) => string | undefined,
): Comparison {
  const own = matrixEntry(target);
  if (own && [cgroup, undefined].includes(recordedLayout(own))) return { entry: own };
  const alike = MATRIX.filter((e) => recordedLayout(e) === cgroup).at(-1);
  const first = MATRIX[0] as MatrixEntry;
  const entry = alike ?? first;
  const notIt = own
    ? `${target} has cgroup ${cgroup}, not ${recordedLayout(own)} as recorded there`
    : `${target} is not in the matrix`;
  const which = alike
    ? `compared with ${entry.name}, whose cgroup layout (${cgroup}) it has`
    : `no entry has its cgroup layout (${cgroup}): compared with ${entry.name}`;
  return { entry, why: `${notIt}: ${which}` };
}
