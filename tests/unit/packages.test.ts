/**
 * The package map and the install plans of `labbook setup` for each family of
 * distributions. Only Debian's mirror is reachable here, so the Ubuntu and Fedora names are
 * checked against their archives' names here, not installed.
 */
import { describe, expect, it } from 'vitest';
import { debianRelease, installPlan, olderNode } from '../../runner/setup.ts';
import { skipReason } from '../../src/cells/capabilities.ts';
import {
  CELL_COMMANDS,
  familyOf,
  installLines,
  isKnownCommand,
  missingScript,
  packageOf,
  TOOLS,
  toolsOf,
  unitsOf,
} from '../../src/cells/packages.ts';

const OS = {
  debian: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  ubuntu: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n',
  mint: 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n',
  fedora: 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=41\n',
  rocky: 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
  arch: 'NAME="Arch Linux"\nID=arch\n',
};

describe('familyOf', () => {
  it('reads ID and ID_LIKE of /etc/os-release', () => {
    expect(familyOf(OS.debian)).toBe('debian');
    expect(familyOf(OS.ubuntu)).toBe('ubuntu');
    expect(familyOf(OS.mint)).toBe('ubuntu');
    expect(familyOf(OS.fedora)).toBe('fedora');
    expect(familyOf(OS.rocky)).toBe('fedora');
    expect(familyOf(OS.arch)).toBeUndefined();
    expect(familyOf('')).toBeUndefined();
  });
});

describe('the package map', () => {
  it('has the packages of each family for what a fresh machine lacks', () => {
    const cases: [string, string, string, string | null][] = [
      // tool, Debian, Fedora, Ubuntu
      ['ip', 'iproute2', 'iproute', 'iproute2'],
      ['ps', 'procps', 'procps-ng', 'procps'],
      ['busybox', 'busybox-static', 'busybox', 'busybox-static'],
      ['cgcreate', 'cgroup-tools', 'libcgroup-tools', 'cgroup-tools'],
      ['ping', 'iputils-ping', 'iputils', 'iputils-ping'],
      ['iptables', 'iptables', 'iptables-nft', 'iptables'],
      ['column', 'bsdextrautils', 'util-linux', 'bsdextrautils'],
      ['script', 'bsdutils', 'util-linux-script', 'bsdutils'],
      ['chinese-fonts', 'fonts-wqy-microhei', 'wqy-microhei-fonts', 'fonts-wqy-microhei'],
      ['chromium', 'chromium', 'chromium', null],
      ['qemu-system-x86_64', 'qemu-system-x86', 'qemu-system-x86-core', 'qemu-system-x86'],
      ['ssh', 'openssh-client', 'openssh-clients', 'openssh-client'],
    ];
    for (const [tool, debian, fedora, ubuntu] of cases) {
      expect([packageOf(tool, 'debian'), packageOf(tool, 'fedora'), packageOf(tool, 'ubuntu')], tool).toEqual([
        debian,
        fedora,
        ubuntu,
      ]);
    }
  });

  it('gives every tool a Debian and a Fedora package, and cells only commands to require', () => {
    for (const [name, tool] of Object.entries(TOOLS)) {
      expect(tool.debian, name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      expect(tool.fedora, name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      if (tool.ubuntu === null) expect(tool.byHand, name).toBeTruthy();
    }
    expect(CELL_COMMANDS).toContain('busybox');
    expect(CELL_COMMANDS).not.toContain('ip');
    expect(isKnownCommand('busybox') && isKnownCommand('ip')).toBe(true);
    expect(isKnownCommand('chromium') || isKnownCommand('nosuch') || isKnownCommand('__proto__')).toBe(false);
  });

  it('tells a reader which package a skipped cell needs', () => {
    expect(skipReason('cmd:busybox')).toBe(
      'needs the command busybox, which is not installed on this target (Debian/Ubuntu: busybox-static; Fedora: busybox)',
    );
    expect(installLines(['ping', 'cgcreate', 'cgset'])).toEqual({
      debian: 'apt-get install --no-install-recommends iputils-ping cgroup-tools',
      fedora: 'dnf install iputils libcgroup-tools',
    });
  });

  it('finds what is missing with a POSIX shell: a command not executable is missing too', () => {
    expect(missingScript(['busybox', 'chinese-fonts'])).toBe(
      [
        '{ p=$(command -v busybox) && [ -x "$p" ]; } >/dev/null 2>&1 || echo busybox',
        '{ [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ -e /usr/share/fonts/wqy-microhei/wqy-microhei.ttc ]; } >/dev/null 2>&1 || echo chinese-fonts',
      ].join('\n'),
    );
  });
});

describe('a tool that moved between Debian releases, and the units a package enables', () => {
  it('is in docker.io up to Debian 12 and in docker-cli from Debian 13, testing and unstable included', () => {
    expect([12, 13, 14, undefined].map((r) => packageOf('docker', 'debian', r))).toEqual([
      'docker.io',
      'docker-cli',
      'docker-cli',
      'docker-cli',
    ]);
    expect([packageOf('docker', 'ubuntu', 13), packageOf('docker', 'fedora', 13)]).toEqual([
      'docker.io',
      'moby-engine',
    ]);
    expect(installPlan('debian', ['docker', 'dockerd'], 12).packages).toEqual(['docker.io']);
    expect(installPlan('debian', ['docker', 'dockerd'], 13).packages).toEqual(['docker-cli', 'docker.io']);
    expect(debianRelease(OS.debian)).toBe(12);
    expect(debianRelease('ID=debian\nPRETTY_NAME="Debian GNU/Linux forky/sid"\n')).toBeUndefined();
  });

  it('says where to get it, and installs it on any Debian by its first name, saying where it moved', () => {
    expect(skipReason('cmd:docker')).toBe(
      'needs the command docker, which is not installed on this target (Debian/Ubuntu: docker.io (Debian 13 and later: docker-cli); Fedora: moby-engine)',
    );
    expect(installLines(['docker', 'dockerd']).debian).toBe(
      'apt-get install --no-install-recommends docker.io (Debian 13 and later: docker-cli for docker)',
    );
  });

  it("lists the machine-wide units of Docker Engine's packages, which setup disables and the VM masks", () => {
    expect(unitsOf(['ip', 'dockerd', 'docker'])).toEqual(['docker.service', 'docker.socket', 'containerd.service']);
    expect(unitsOf(['ip', 'busybox'])).toEqual([]);
  });
});

describe('installPlan', () => {
  it('is apt-get update and one install without recommends, never removing a package, on Debian and Ubuntu, each package once', () => {
    const plan = installPlan('debian', ['ip', 'cgcreate', 'cgset', 'busybox']);
    expect(plan.packages).toEqual(['iproute2', 'cgroup-tools', 'busybox-static']);
    expect(plan.commands).toEqual([
      ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update', '-q'],
      [
        'apt-get',
        ...['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', '--no-remove'],
        ...['iproute2', 'cgroup-tools', 'busybox-static'],
      ],
    ]);
  });

  it('is one dnf install without weak dependencies on Fedora', () => {
    expect(installPlan('fedora', ['ip', 'ps', 'busybox']).commands).toEqual([
      ['dnf', 'install', '-y', '--setopt=install_weak_deps=False', 'iproute', 'procps-ng', 'busybox'],
    ]);
  });

  it('says what to do by hand where a family has no package', () => {
    const plan = installPlan('ubuntu', ['chromium', 'chinese-fonts']);
    expect(plan.packages).toEqual(['fonts-wqy-microhei']);
    expect(plan.byHand).toEqual([{ name: 'chromium', how: expect.stringContaining('snap install chromium') }]);
  });

  it('covers the groups setup installs: the baseline and the cells, then the tests', () => {
    expect(toolsOf(['baseline'])).toEqual(expect.arrayContaining(['bash', 'unshare', 'ip', 'ps']));
    expect(toolsOf(['baseline', 'cells', 'tests'])).toEqual(expect.arrayContaining(['busybox', 'chromium', 'sshd']));
    expect(toolsOf(['baseline', 'cells'])).not.toContain('chromium');
  });
});

describe('olderNode', () => {
  it("says when npm ran under a Node older than the project's (Debian 12's npm under Node 18)", () => {
    expect(olderNode('npm/9.2.0 node/v18.20.4 linux x64 workspaces/false', '>=22.12')).toBe('18.20');
    expect(olderNode('npm/11.19.1 node/v22.11.0 linux x64', '>=22.12')).toBe('22.11');
    expect(olderNode('npm/11.19.1 node/v22.12.0 linux x64', '>=22.12')).toBeUndefined();
    expect(olderNode('npm/11.19.1 node/v24.21.0 linux x64', '>=22.12')).toBeUndefined();
    // Not run by npm, or no engines: nothing to say.
    expect(olderNode('', '>=22.12')).toBeUndefined();
    expect(olderNode('npm/9.2.0 node/v18.20.4', '')).toBeUndefined();
  });
});
