/**
 * The one package map: every program labbook, the chapters' cells, the test suite and the
 * VM builder need, with the package that has it on Debian, Ubuntu and Fedora. `labbook
 * setup` installs from it, the doctor names the package of what is missing, a cell's
 * `requires=cmd:NAME` must name one of its commands, and a skipped cell says which package
 * would let it run:
 *
 *   requires=cmd:busybox   ->  skipped: needs the command busybox, which is not installed
 *                              here (Debian/Ubuntu: busybox-static; Fedora: busybox)
 *
 * The Debian names are tried (on Debian 12 and 13); the Ubuntu and Fedora names come from
 * their archives and are unit-tested only.
 */

/** Why a group of tools is needed: what `labbook setup` prints beside each package. */
export const GROUPS = {
  baseline: 'labbook itself: labs, sessions and probes on every target',
  cells: "the chapters' cells",
  tests: 'the test suite: diagrams and pages in headless Chromium, the ssh:// target',
  vm: 'labbook vm: building and booting the Debian VM',
} as const;

export type Group = keyof typeof GROUPS;

export interface Tool {
  group: Group;
  /** How to tell it is there: a command on PATH (the key of the map, unless `files`). */
  files?: string[];
  debian: string;
  /** Ubuntu's package where it differs from Debian's; null when Ubuntu has none as a deb. */
  ubuntu?: string | null;
  fedora: string;
  /** What to do where there is no package (Ubuntu's Chromium is a snap). */
  byHand?: string;
}

const both = (name: string, group: Group) => ({ group, debian: name, fedora: name });

export const TOOLS: Record<string, Tool> = {
  // What the runner's shell scripts and its probes call (bash, coreutils, util-linux,
  // iproute2, procps); cells use these without saying so.
  bash: both('bash', 'baseline'),
  timeout: both('coreutils', 'baseline'),
  mktemp: both('coreutils', 'baseline'),
  unshare: { group: 'baseline', debian: 'util-linux', fedora: 'util-linux' },
  nsenter: { group: 'baseline', debian: 'util-linux', fedora: 'util-linux' },
  flock: { group: 'baseline', debian: 'util-linux', fedora: 'util-linux' },
  findmnt: { group: 'baseline', debian: 'util-linux', fedora: 'util-linux' },
  setpriv: { group: 'baseline', debian: 'util-linux', fedora: 'util-linux' },
  ip: { group: 'baseline', debian: 'iproute2', fedora: 'iproute' },
  ps: { group: 'baseline', debian: 'procps', fedora: 'procps-ng' },
  pgrep: { group: 'baseline', debian: 'procps', fedora: 'procps-ng' },

  // Commands a cell declares with requires=cmd:NAME.
  busybox: { group: 'cells', debian: 'busybox-static', fedora: 'busybox' },
  brctl: both('bridge-utils', 'cells'),
  cgcreate: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  cgdelete: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  cgexec: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  cgget: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  cgset: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  lscgroup: { group: 'cells', debian: 'cgroup-tools', fedora: 'libcgroup-tools' },
  column: { group: 'cells', debian: 'bsdextrautils', fedora: 'util-linux' },
  getfattr: both('attr', 'cells'),
  ifconfig: both('net-tools', 'cells'),
  iperf3: both('iperf3', 'cells'),
  iptables: { group: 'cells', debian: 'iptables', fedora: 'iptables-nft' },
  ping: { group: 'cells', debian: 'iputils-ping', fedora: 'iputils' },
  pstree: both('psmisc', 'cells'),
  script: { group: 'cells', debian: 'bsdutils', fedora: 'util-linux-script' },
  'dbus-daemon': { group: 'cells', debian: 'dbus', fedora: 'dbus-daemon' },
  loginctl: both('systemd', 'cells'),
  systemctl: both('systemd', 'cells'),
  'systemd-cgls': both('systemd', 'cells'),
  'systemd-run': both('systemd', 'cells'),
  // What the cgroup chapter's systemd lab needs besides systemd: a login session for su.
  pam_systemd: {
    group: 'cells',
    files: [
      '/lib/x86_64-linux-gnu/security/pam_systemd.so',
      '/lib/aarch64-linux-gnu/security/pam_systemd.so',
      '/lib64/security/pam_systemd.so',
    ],
    debian: 'libpam-systemd',
    fedora: 'systemd-pam',
  },

  // The test suite: build-time diagrams and browser tests, and a real sshd for ssh:// targets.
  chromium: {
    group: 'tests',
    files: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
    debian: 'chromium',
    ubuntu: null,
    fedora: 'chromium',
    byHand: 'Ubuntu ships Chromium as a snap: snap install chromium, then set CHROMIUM_PATH=/snap/bin/chromium',
  },
  'chinese-fonts': {
    group: 'tests',
    files: ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc'],
    debian: 'fonts-wqy-microhei',
    fedora: 'wqy-microhei-fonts',
  },
  sshd: { group: 'tests', debian: 'openssh-server', fedora: 'openssh-server' },

  // labbook vm.
  debootstrap: both('debootstrap', 'vm'),
  'mkfs.ext4': both('e2fsprogs', 'vm'),
  'qemu-system-x86_64': { group: 'vm', debian: 'qemu-system-x86', fedora: 'qemu-system-x86-core' },
  ssh: { group: 'vm', debian: 'openssh-client', fedora: 'openssh-clients' },
};

/** The names a cell may require as cmd:NAME: the commands of the map (not its files). */
export function isKnownCommand(name: string): boolean {
  return Object.hasOwn(TOOLS, name) && !TOOLS[name]?.files;
}

/** Commands a cell must declare when its code calls them: the map's cell commands. */
export const CELL_COMMANDS = Object.keys(TOOLS).filter((name) => TOOLS[name]?.group === 'cells' && !TOOLS[name]?.files);

export type Family = 'debian' | 'ubuntu' | 'fedora';

/** The package of a tool on a family of distributions; null when it has none there. */
export function packageOf(name: string, family: Family): string | null {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`no tool "${name}" in src/cells/packages.ts`);
  if (family === 'ubuntu' && tool.ubuntu !== undefined) return tool.ubuntu;
  return family === 'fedora' ? tool.fedora : tool.debian;
}

/** "Debian/Ubuntu: busybox-static; Fedora: busybox", for a reader whose target lacks the tool. */
export function whereToGet(name: string): string {
  const tool = TOOLS[name];
  if (!tool) return '';
  const ubuntu = packageOf(name, 'ubuntu');
  const deb = ubuntu === tool.debian ? `Debian/Ubuntu: ${tool.debian}` : `Debian: ${tool.debian}`;
  return `${deb}; Fedora: ${tool.fedora}`;
}

/** The install lines for some tools: "Debian/Ubuntu: apt-get install ...; Fedora: dnf install ...". */
export function installLines(names: string[]): { debian: string; fedora: string } {
  const packages = (family: Family) => [...new Set(names.map((n) => packageOf(n, family)).filter(Boolean))].join(' ');
  return {
    debian: `apt-get install --no-install-recommends ${packages('debian')}`,
    fedora: `dnf install ${packages('fedora')}`,
  };
}

/**
 * Which family a machine belongs to, from its /etc/os-release: Ubuntu and its derivatives,
 * Debian and its derivatives, Fedora and the RHEL family; undefined for any other.
 */
export function familyOf(osRelease: string): Family | undefined {
  const field = (key: string) =>
    new RegExp(`^${key}=("?)([^"\\n]*)\\1$`, 'm').exec(osRelease)?.[2]?.toLowerCase().split(/\s+/) ?? [];
  const ids = [...field('ID'), ...field('ID_LIKE')];
  if (ids.includes('ubuntu')) return 'ubuntu';
  if (ids.includes('debian')) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'fedora';
  return undefined;
}

/** A POSIX shell test that a command is there: found on PATH, and executable (bash's command -v also finds files that are not). */
export function commandTest(name: string): string {
  return `p=$(command -v ${name}) && [ -x "$p" ]`;
}

/** A shell script that prints, one per line, the tools of `names` that are missing on the machine it runs on. */
export function missingScript(names: string[]): string {
  return names
    .map((name) => {
      const files = TOOLS[name]?.files;
      const test = files ? files.map((f) => `[ -e ${f} ]`).join(' || ') : commandTest(name);
      return `{ ${test}; } >/dev/null 2>&1 || echo ${name}`;
    })
    .join('\n');
}

/** The tools of some groups, in the map's order. */
export function toolsOf(groups: Group[]): string[] {
  return Object.keys(TOOLS).filter((name) => groups.includes(TOOLS[name]?.group as Group));
}
