/**
 * The one package map: every program labbook, the chapters' cells, the test suite and the
 * VM builder need, with the package that has it on Debian, Ubuntu and Fedora. `labbook
 * setup` installs from it, the doctor names the package of what is missing, a cell's
 * `requires=cmd:NAME` must name one of its commands, and a skipped cell says which package
 * would let it run:
 *
 *   requires=cmd:busybox   ->  skipped: needs the command busybox, which is not installed on
 *                              this target (Debian/Ubuntu: busybox-static; Fedora: busybox)
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
  /** The package that has it from a Debian release on, where it moved out of `debian`. */
  debianFrom?: { release: number; package: string };
  /**
   * The systemd units its package enables for the whole machine, which `labbook setup`
   * disables (and the VM masks) once it has installed the package: a lab starts a daemon
   * of its own, and the machine runs none because of labbook.
   */
  units?: string[];
  /**
   * Its name is also a word the cells use for other things (Docker's cgroup is named docker):
   * the lint that a cell requires what it calls counts it only where a command starts.
   */
  alsoAWord?: true;
}

/** A tool found in `debian` on Debian and Ubuntu, and in `fedora` (the same name unless given) on Fedora. */
const pkg = (group: Group, debian: string, fedora = debian): Tool => ({ group, debian, fedora });

export const TOOLS: Record<string, Tool> = {
  // What the runner's shell scripts and its probes call (bash, coreutils, util-linux,
  // iproute2, procps); cells use these without saying so.
  bash: pkg('baseline', 'bash'),
  timeout: pkg('baseline', 'coreutils'),
  mktemp: pkg('baseline', 'coreutils'),
  unshare: pkg('baseline', 'util-linux'),
  nsenter: pkg('baseline', 'util-linux'),
  flock: pkg('baseline', 'util-linux'),
  findmnt: pkg('baseline', 'util-linux'),
  setpriv: pkg('baseline', 'util-linux'),
  ip: pkg('baseline', 'iproute2', 'iproute'),
  ps: pkg('baseline', 'procps', 'procps-ng'),
  pgrep: pkg('baseline', 'procps', 'procps-ng'),

  // Commands a cell declares with requires=cmd:NAME.
  busybox: pkg('cells', 'busybox-static', 'busybox'),
  brctl: pkg('cells', 'bridge-utils'),
  perl: pkg('cells', 'perl-base', 'perl'),
  // Debian's package database (Essential there). Fedora packages dpkg too, but its database
  // there records none of the system's files: a cell about what dpkg records also requires
  // the capability dpkg-packages.
  dpkg: pkg('cells', 'dpkg'),
  ...Object.fromEntries(
    ['cgcreate', 'cgdelete', 'cgexec', 'cgget', 'cgset', 'lscgroup'].map((c) => [
      c,
      pkg('cells', 'cgroup-tools', 'libcgroup-tools'),
    ]),
  ),
  column: pkg('cells', 'bsdextrautils', 'util-linux'),
  getfattr: pkg('cells', 'attr'),
  ifconfig: pkg('cells', 'net-tools'),
  iperf3: pkg('cells', 'iperf3'),
  iptables: pkg('cells', 'iptables', 'iptables-nft'),
  ping: pkg('cells', 'iputils-ping', 'iputils'),
  pstree: pkg('cells', 'psmisc'),
  script: pkg('cells', 'bsdutils', 'util-linux-script'),
  'dbus-daemon': pkg('cells', 'dbus', 'dbus-daemon'),
  // Docker Engine from the distribution: a lab starts its own dockerd and containerd.
  // Debian 13 moved the client into docker-cli; Fedora's moby-engine has both.
  dockerd: {
    group: 'cells',
    debian: 'docker.io',
    fedora: 'moby-engine',
    units: ['docker.service', 'docker.socket', 'containerd.service'],
  },
  docker: {
    group: 'cells',
    debian: 'docker.io',
    debianFrom: { release: 13, package: 'docker-cli' },
    fedora: 'moby-engine',
    alsoAWord: true,
  },
  ...Object.fromEntries(
    ['loginctl', 'systemctl', 'systemd-cgls', 'systemd-run'].map((c) => [c, pkg('cells', 'systemd')]),
  ),
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
  sshd: pkg('tests', 'openssh-server'),
  // labbook export --asciicast: its test plays the v2 recording with asciinema 2.2.
  asciinema: pkg('tests', 'asciinema'),

  // labbook vm.
  debootstrap: pkg('vm', 'debootstrap'),
  'mkfs.ext4': pkg('vm', 'e2fsprogs'),
  'qemu-system-x86_64': pkg('vm', 'qemu-system-x86', 'qemu-system-x86-core'),
  'qemu-img': pkg('vm', 'qemu-utils', 'qemu-img'),
  ssh: pkg('vm', 'openssh-client', 'openssh-clients'),
};

/** The names a cell may require as cmd:NAME: the commands of the map (not its files). */
export function isKnownCommand(name: string): boolean {
  return Object.hasOwn(TOOLS, name) && !TOOLS[name]?.files;
}

/** Commands a cell must declare when its code calls them: the map's cell commands. */
export const CELL_COMMANDS = Object.keys(TOOLS).filter(
  (name) => TOOLS[name]?.group === 'cells' && isKnownCommand(name),
);

export type Family = 'debian' | 'ubuntu' | 'fedora';

/**
 * The package of a tool on a family of distributions; null when it has none there. On
 * Debian, `release` is its major version (VERSION_ID), undefined for testing and unstable,
 * which are newer than any release.
 */
export function packageOf(name: string, family: Family, release?: number): string | null {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`no tool "${name}" in src/cells/packages.ts`);
  // Ubuntu packages on its own schedule: a tool that moved on Debian has not moved there.
  if (family === 'ubuntu') return tool.ubuntu !== undefined ? tool.ubuntu : tool.debian;
  if (family === 'fedora') return tool.fedora;
  const moved = tool.debianFrom;
  return moved && (release === undefined || release >= moved.release) ? moved.package : tool.debian;
}

/** The systemd units the packages of some tools enable for the whole machine (Tool.units). */
export function unitsOf(names: string[]): string[] {
  return [...new Set(names.flatMap((n) => TOOLS[n]?.units ?? []))];
}

/**
 * "Debian/Ubuntu: busybox-static; Fedora: busybox", for a reader whose target lacks the tool;
 * in a Chinese sentence with full-width punctuation, "Debian/Ubuntu：busybox-static；Fedora：busybox".
 * A tool that moved: "Debian/Ubuntu: docker.io (Debian 13 and later: docker-cli); Fedora: moby-engine".
 */
export function whereToGet(name: string, lang: 'en' | 'zh-CN' = 'en'): string {
  const tool = TOOLS[name];
  if (!tool) return '';
  const [colon, semicolon] = lang === 'en' ? [': ', '; '] : ['：', '；'];
  const ubuntu = packageOf(name, 'ubuntu');
  const moved = tool.debianFrom;
  const later = !moved
    ? ''
    : lang === 'en'
      ? ` (Debian ${moved.release} and later: ${moved.package})`
      : `（Debian ${moved.release} 及以后：${moved.package}）`;
  const deb = `${ubuntu === tool.debian ? 'Debian/Ubuntu' : 'Debian'}${colon}${tool.debian}${later}`;
  return `${deb}${semicolon}Fedora${colon}${tool.fedora}`;
}

/**
 * The install lines for some tools: "Debian/Ubuntu: apt-get install ...; Fedora: dnf install ...",
 * for a Debian of any release: a tool that moved is named as it was first, and where it moved
 * to ("apt-get install --no-install-recommends docker.io (Debian 13 and later: docker-cli for docker)").
 */
export function installLines(names: string[]): { debian: string; fedora: string } {
  const packages = (family: Family) =>
    [...new Set(names.map((n) => packageOf(n, family, 0)).filter(Boolean))].join(' ');
  const moved = names.flatMap((n) => {
    const to = TOOLS[n]?.debianFrom;
    return to ? [`Debian ${to.release} and later: ${to.package} for ${n}`] : [];
  });
  return {
    debian: `apt-get install --no-install-recommends ${packages('debian')}${moved.length ? ` (${moved.join('; ')})` : ''}`,
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

/** A POSIX shell test that a tool of the map is there: its command, or one of its files. */
export function toolTest(name: string): string {
  const files = TOOLS[name]?.files;
  return files ? files.map((f) => `[ -e ${f} ]`).join(' || ') : commandTest(name);
}

/** A shell script that prints, one per line, the tools of `names` that are missing on the machine it runs on. */
export function missingScript(names: string[]): string {
  return names.map((name) => `{ ${toolTest(name)}; } >/dev/null 2>&1 || echo ${name}`).join('\n');
}

/** The tools of some groups, in the map's order. */
export function toolsOf(groups: Group[]): string[] {
  return Object.keys(TOOLS).filter((name) => groups.includes(TOOLS[name]?.group as Group));
}
