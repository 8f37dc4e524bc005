/**
 * What a target is and can do, asked of a lab's own shell (its lab session): the environment stamp of a
 * recording, and which capabilities (`requires=`) are present. A kernel feature is probed
 * by making one, never by reading a list such as /proc/filesystems: on a distribution
 * kernel overlay, veth, bridge, macvlan, ipvlan and dummy are modules, loaded by the first
 * mount or link that needs them. Probes run in the lab's own namespaces and /tmp, so they
 * never touch the host's.
 */
import { CAPABILITIES, type Capability } from '../src/cells/capabilities.ts';
import { commandTest, toolTest } from '../src/cells/packages.ts';
import type { Environment } from '../src/cells/recording.ts';
import type { Session } from './session.ts';

const PARENT = 'ip link add lbp0 type veth peer name lbp1';
/** Mounts an overlay of empty directories in the lab's /tmp with these options, and removes it. */
const overlayMount = (options: string) =>
  `d=$(mktemp -d) && mkdir $d/l $d/u $d/w $d/m && mount -t overlay overlay -o ${options} $d/m; r=$?; umount $d/m; rm -rf $d; exit $r`;
const OVERLAY = overlayMount('lowerdir=$d/l,upperdir=$d/u,workdir=$d/w');
const VETH = `${PARENT} && ip link del lbp0`;
const BRIDGE = 'ip link add lbp0 type bridge && ip link del lbp0';
// ldd says "not a dynamic executable" and fails for a static binary.
const STATIC_BUSYBOX = 'b=$(command -v busybox) && [ -x "$b" ] && ! ldd "$b"';
const PROBES: Record<keyof typeof CAPABILITIES, string> = {
  root: '[ "$(id -u)" = 0 ]',
  overlay: OVERLAY,
  'overlay-lowerdir-append': overlayMount('lowerdir+=$d/l,lowerdir+=$d/u'),
  // A directory removed and made again in the overlay needs the user.overlay.opaque attribute.
  'overlay-userxattr':
    'd=$(mktemp -d) && mkdir -p $d/l/x $d/u $d/w $d/m && unshare --user --map-root-user --mount sh -c "mount -t overlay overlay -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w,userxattr $d/m && rmdir $d/m/x && mkdir $d/m/x"; r=$?; rm -rf $d; exit $r',
  veth: VETH,
  bridge: BRIDGE,
  macvlan: `${PARENT} && ip link add link lbp0 name lbp2 type macvlan; r=$?; ip link del lbp0; exit $r`,
  macvtap: `${PARENT} && ip link add link lbp0 name lbp2 type macvtap; r=$?; ip link del lbp0; exit $r`,
  ipvlan: `${PARENT} && ip link add link lbp0 name lbp2 type ipvlan; r=$?; ip link del lbp0; exit $r`,
  dummy: 'ip link add lbp0 type dummy && ip link del lbp0',
  // As the cells do it: uid 1000, which the lab's root becomes without a login.
  userns: 'setpriv --reuid=1000 --regid=1000 --clear-groups unshare --user --map-root-user true',
  'x86-64': '[ "$(uname -m)" = x86_64 ]',
  'cgroup-v1':
    'for f in cpu/cpu.cfs_quota_us cpuacct/cpuacct.usage memory/memory.limit_in_bytes pids/pids.max; do [ -f /sys/fs/cgroup/$f ] || exit 1; done',
  'static-busybox': STATIC_BUSYBOX,
  // systemd 256 and later refuse to boot on cgroup v1.
  'systemd-lab': [
    '{ [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || [ "$(systemctl --version | awk \'NR == 1 { print $2 }\')" -lt 256 ]; }',
    '[ -x /lib/systemd/systemd ]',
    `{ ${toolTest('dbus-daemon')}; }`,
    `{ ${toolTest('pam_systemd')}; }`,
  ].join(' && '),
  // systemd-detect-virt names QEMU's software emulation "qemu" (under KVM: "kvm"); without it, native is assumed.
  // labbook's VMs say no under KVM too (build.sh marks them), so that their recordings do not depend on the host.
  'native-cpu':
    '[ ! -e /etc/labbook-vm ] && ! { command -v systemd-detect-virt >/dev/null && [ "$(systemd-detect-virt --vm)" = qemu ]; }',
  // lab-init.sh enabled for the lab's children what the target delegates to the lab.
  'cgroup-v2':
    '[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && for c in cpu memory pids; do grep -qw $c /sys/fs/cgroup/cgroup.subtree_control || exit 1; done',
  swap: '[ "$(awk \'$1 == "SwapTotal:" { print $2 }\' /proc/meminfo)" -gt 0 ]',
  // With psi=0 the file is there, and reading it fails.
  psi: 'cat /proc/pressure/cpu',
  // dpkg's database knows the machine's coreutils: a Fedora with dpkg installed has an empty one.
  'dpkg-packages': "dpkg-query -s coreutils | grep -qx 'Status: install ok installed'",
  // What docker-engine.sh needs: the engine, iptables for its networks, a static busybox for
  // its image, and the kernel's overlay (overlay2), veth and bridge (docker0).
  'docker-engine': [
    ...['dockerd', 'docker', 'iptables'].map((c) => `{ ${commandTest(c)}; }`),
    `{ ${STATIC_BUSYBOX}; } >/dev/null 2>&1`,
    ...[OVERLAY, VETH, BRIDGE].map((probe) => `(${probe})`),
  ].join(' && '),
  // lab-pid1.sh writes the lab's unit, and keeps the target's bus, only on a systemd target.
  systemd: '[ -f /run/labbook/unit ] && systemctl -M .host show -p Version --value',
};

function probeScript(cap: Capability): string {
  if (cap.startsWith('cmd:')) return commandTest(cap.slice(4));
  return PROBES[cap as keyof typeof CAPABILITIES];
}

/** One round trip: each probe runs in a subshell and prints "name=status". */
export async function probeCapabilities(
  session: Session,
  caps: Iterable<Capability>,
): Promise<Map<Capability, boolean>> {
  const list = [...new Set(caps)];
  const found = new Map<Capability, boolean>();
  if (!list.length) return found;
  const script = list.map((c) => `( ${probeScript(c)} ) >/dev/null 2>&1; echo "${c}=$?"`).join('\n');
  const r = await session.run(script, { timeoutMs: 10_000 });
  for (const line of r.output.split(/\r?\n/)) {
    const m = /^(.+)=(\d+)$/.exec(line);
    if (m) found.set(m[1] as Capability, m[2] === '0');
  }
  for (const c of list) if (!found.has(c)) found.set(c, false);
  return found;
}

export const ALL_CAPABILITIES = Object.keys(CAPABILITIES) as Capability[];

export async function probeEnvironment(session: Session, target: string): Promise<Environment> {
  const script = [
    'uname -r',
    'uname -m',
    '(. /etc/os-release && echo "$PRETTY_NAME")',
    "ip -V | sed 's/.*iproute2-\\([^ ,]*\\).*/\\1/'",
    "unshare --version | awk '{print $NF}'",
    // tmpfs at the root with a unified mount below: hybrid; cgroup2 at the root: v2.
    't=$(stat -fc %T /sys/fs/cgroup); if [ "$t" = cgroup2fs ]; then echo v2; elif [ -d /sys/fs/cgroup/unified ]; then echo hybrid; else echo v1; fi',
  ].join('\n');
  const r = await session.run(script, { timeoutMs: 10_000 });
  const [kernel = '', arch = '', distro = '', iproute2 = '', utilLinux = '', cgroup = 'v1'] = r.output
    .split(/\r?\n/)
    .map((l) => l.trim());
  return { target, kernel, arch, distro, iproute2, utilLinux, cgroup: cgroup as Environment['cgroup'] };
}
