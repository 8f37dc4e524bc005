/**
 * What a cell may require of its target with `requires=`: a capability of the kernel, or
 * `cmd:NAME`, a command of the package map (packages.ts). The runner probes each one
 * inside a lab; a cell whose requirement is missing is skipped with `missing` as reason.
 */
import { isKnownCommand, whereToGet } from './packages.ts';

export const CAPABILITIES = {
  root: { needs: 'root privileges', missing: 'the runner is not root' },
  overlay: { needs: 'OverlayFS', missing: 'this kernel has no overlay filesystem' },
  'overlay-lowerdir-append': {
    needs: "OverlayFS's lowerdir+= option",
    missing: 'this kernel does not accept it (it came with Linux 6.7)',
  },
  'overlay-userxattr': {
    needs: 'an overlay mounted in a user namespace with the userxattr option, its upper directory on tmpfs',
    missing:
      'this target cannot: its tmpfs takes no user.* extended attributes (they came with Linux 6.6), or it allows no user namespaces',
  },
  veth: { needs: 'veth pairs', missing: 'this kernel cannot create veth pairs' },
  bridge: { needs: 'Linux bridges', missing: 'this kernel cannot create bridges' },
  macvlan: { needs: 'macvlan', missing: 'this kernel lacks macvlan' },
  macvtap: { needs: 'macvtap', missing: 'this kernel lacks macvtap' },
  ipvlan: { needs: 'ipvlan', missing: 'this kernel lacks ipvlan' },
  dummy: { needs: 'dummy interfaces', missing: 'this kernel lacks dummy interfaces' },
  'cgroup-v1': {
    needs: 'the cgroup v1 controllers cpu, cpuacct, memory and pids, each mounted on its own',
    missing:
      'this target does not mount them so: current distributions boot cgroup v2 only, and kernels since 6.11 are often built without the v1 memory controller at all',
  },
  'static-busybox': {
    needs: 'a statically linked busybox, to be the whole root file system of a container',
    missing:
      "this target's busybox is missing or needs shared libraries (Debian/Ubuntu: busybox-static; Fedora: busybox)",
  },
  'systemd-lab': {
    needs: 'systemd older than 256 with D-Bus and pam_systemd, to boot as PID 1 of a lab on cgroup v1',
    missing:
      'one of them is missing here, or systemd is 256 or later, which refuses cgroup v1 (Debian/Ubuntu: systemd dbus libpam-systemd)',
  },
  'native-cpu': {
    needs: 'a CPU that runs natively (on hardware or under KVM), for a claim about microsecond timings',
    missing: "this target's CPU is emulated in software (QEMU without KVM), which distorts them",
  },
  'cgroup-v2': {
    needs: 'cgroup v2 as the only hierarchy, with its cpu, memory and pids controllers',
    missing:
      'this target binds those controllers to cgroup v1 hierarchies, as the CentOS 7 of the original article did',
  },
  swap: {
    needs: 'swap space',
    missing: "this target has none (the project's VMs have 256 MiB)",
  },
  psi: {
    needs: 'pressure stall information (the pressure files)',
    missing: 'this kernel has it off (Debian builds it so: boot with psi=1)',
  },
  systemd: {
    needs: "the target's systemd, reached from the lab (on a systemd target the lab is a scope of its own)",
    missing: "this target's PID 1 is not systemd",
  },
} as const satisfies Record<string, { needs: string; missing: string }>;

export type Capability = keyof typeof CAPABILITIES | `cmd:${string}`;

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITIES, name) || (name.startsWith('cmd:') && isKnownCommand(name.slice(4)));
}

/** The reader-facing reason a cell was skipped: "needs ipvlan, but this kernel lacks ipvlan". */
export function skipReason(missing: Capability): string {
  if (missing.startsWith('cmd:')) {
    const command = missing.slice(4);
    return `needs the command ${command}, which is not installed on this target (${whereToGet(command)})`;
  }
  const c = CAPABILITIES[missing as keyof typeof CAPABILITIES];
  return `needs ${c.needs}, but ${c.missing}`;
}
