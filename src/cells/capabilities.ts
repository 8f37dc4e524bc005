/**
 * What a cell may require of its target with `requires=`: a capability of the kernel, or
 * `cmd:NAME`, a command of the package map (packages.ts). The runner probes each one
 * inside a lab; a cell whose requirement is missing is skipped, and its recording says which
 * (`"missing": "ipvlan"`): the words come from here, in the reader's language, when the page
 * is built or the CLI prints it (skipReason, also through reasons.ts).
 *
 * Each capability has its words in every language of the site: what a cell needs, and what
 * the target lacks. The sentence around them is skipReason's, once per language.
 */
import { isKnownCommand, whereToGet } from './packages.ts';

/** The languages of the site (Starlight's `lang` of each locale, astro.config.mjs; src/site/strings.ts has the same). */
export type Language = 'en' | 'zh-CN';

interface Words {
  /** What a cell needs, after "needs" (需要). */
  needs: string;
  /** What this target lacks, after "but" (但). */
  missing: string;
}

export const CAPABILITIES = {
  root: {
    en: { needs: 'root privileges', missing: 'the runner is not root' },
    'zh-CN': { needs: 'root 权限', missing: '运行器不是以 root 身份运行的' },
  },
  overlay: {
    en: { needs: 'OverlayFS', missing: 'this kernel has no overlay filesystem' },
    'zh-CN': { needs: 'OverlayFS', missing: '此内核没有 overlay 文件系统' },
  },
  'overlay-lowerdir-append': {
    en: { needs: "OverlayFS's lowerdir+= option", missing: 'this kernel does not accept it (it came with Linux 6.7)' },
    'zh-CN': { needs: 'OverlayFS 的 lowerdir+= 选项', missing: '此内核不接受它（Linux 6.7 才加入）' },
  },
  'overlay-userxattr': {
    en: {
      needs: 'an overlay mounted in a user namespace with the userxattr option, its upper directory on tmpfs',
      missing:
        'this target cannot: its tmpfs takes no user.* extended attributes (they came with Linux 6.6), or it allows no user namespaces',
    },
    'zh-CN': {
      needs: '在 user 命名空间中用 userxattr 选项挂载 overlay（upper 目录在 tmpfs 上）',
      missing:
        '这台目标机器做不到：它的 tmpfs 不接受 user.* 扩展属性（Linux 6.6 才支持），或者它不允许创建 user 命名空间',
    },
  },
  veth: {
    en: { needs: 'veth pairs', missing: 'this kernel cannot create veth pairs' },
    'zh-CN': { needs: 'veth 设备对', missing: '此内核无法创建 veth 设备对' },
  },
  bridge: {
    en: { needs: 'Linux bridges', missing: 'this kernel cannot create bridges' },
    'zh-CN': { needs: 'Linux 网桥', missing: '此内核无法创建网桥' },
  },
  macvlan: {
    en: { needs: 'macvlan', missing: 'this kernel lacks macvlan' },
    'zh-CN': { needs: 'macvlan', missing: '此内核没有 macvlan' },
  },
  macvtap: {
    en: { needs: 'macvtap', missing: 'this kernel lacks macvtap' },
    'zh-CN': { needs: 'macvtap', missing: '此内核没有 macvtap' },
  },
  ipvlan: {
    en: { needs: 'ipvlan', missing: 'this kernel lacks ipvlan' },
    'zh-CN': { needs: 'ipvlan', missing: '此内核没有 ipvlan' },
  },
  dummy: {
    en: { needs: 'dummy interfaces', missing: 'this kernel lacks dummy interfaces' },
    'zh-CN': { needs: 'dummy 网卡', missing: '此内核没有 dummy 网卡' },
  },
  userns: {
    en: {
      needs: 'user namespaces that an unprivileged user may make',
      missing:
        'this target does not let one (user.max_user_namespaces is 0, kernel.unprivileged_userns_clone is 0, or AppArmor restricts them, as Ubuntu 24.04 does)',
    },
    'zh-CN': {
      needs: '非特权用户可以创建的 user 命名空间',
      missing:
        '这台目标机器不允许（user.max_user_namespaces 为 0、kernel.unprivileged_userns_clone 为 0，或者 AppArmor 限制了它们，Ubuntu 24.04 就是这样）',
    },
  },
  'x86-64': {
    en: {
      needs: 'an x86-64 machine (the cell calls the kernel by its x86-64 system call numbers)',
      missing: 'this target is another architecture',
    },
    'zh-CN': {
      needs: 'x86-64 机器（该单元格按 x86-64 的系统调用号调用内核）',
      missing: '这台目标机器是别的架构',
    },
  },
  'cgroup-v1': {
    en: {
      needs: 'the cgroup v1 controllers cpu, cpuacct, memory and pids, each mounted on its own',
      missing:
        'this target does not mount them so: current distributions boot cgroup v2 only, and kernels since 6.11 are often built without the v1 memory controller at all',
    },
    'zh-CN': {
      needs: 'cgroup v1 的 cpu、cpuacct、memory 和 pids 控制器，并且各自单独挂载',
      missing:
        '这台目标机器没有这样挂载它们：如今的发行版只以 cgroup v2 启动，而 6.11 以来的内核常常在编译时就完全去掉了 v1 的 memory 控制器',
    },
  },
  'static-busybox': {
    en: {
      needs: 'a statically linked busybox, to be the whole root file system of a container',
      missing:
        "this target's busybox is missing or needs shared libraries (Debian/Ubuntu: busybox-static; Fedora: busybox)",
    },
    'zh-CN': {
      needs: '一个静态链接的 busybox，用作容器的整个根文件系统',
      missing: '这台目标机器没有 busybox，或者它依赖共享库（Debian/Ubuntu：busybox-static；Fedora：busybox）',
    },
  },
  'systemd-lab': {
    en: {
      needs: 'systemd with D-Bus and pam_systemd, to boot as PID 1 of a lab (on cgroup v1, a systemd older than 256)',
      missing:
        'one of them is missing here, or this target has cgroup v1 and a systemd of 256 or later, which refuses cgroup v1 (Debian/Ubuntu: systemd dbus libpam-systemd)',
    },
    'zh-CN': {
      needs: 'systemd 以及 D-Bus 和 pam_systemd，以便作为 lab 的 PID 1 启动（在 cgroup v1 上须低于 256 版）',
      missing:
        '这里缺少其中之一，或者这台目标机器用 cgroup v1，而 systemd 的版本为 256 或更高，这些版本拒绝 cgroup v1（Debian/Ubuntu：systemd dbus libpam-systemd）',
    },
  },
  'native-cpu': {
    en: {
      needs: 'a CPU that runs natively (on hardware or under KVM), for a claim about microsecond timings',
      missing:
        "this target's CPU is emulated in software (QEMU without KVM), which distorts them, or it is one of labbook's VMs, which may be (their recordings must not depend on the host's KVM)",
    },
    'zh-CN': {
      needs: '原生运行的 CPU（在物理硬件上或 KVM 之下），因为这里的论断关乎微秒级的计时',
      missing:
        '这台目标机器的 CPU 由软件模拟（没有 KVM 的 QEMU），计时因此失真；或者它是 labbook 的虚拟机，其 CPU 可能是模拟的（它们的录制结果不能取决于宿主机有没有 KVM）',
    },
  },
  'cgroup-v2': {
    en: {
      needs: 'cgroup v2 as the only hierarchy, with its cpu, memory and pids controllers',
      missing:
        'this target binds those controllers to cgroup v1 hierarchies, as the CentOS 7 of the original article did',
    },
    'zh-CN': {
      needs: '只有 cgroup v2 一个层级，并带有它的 cpu、memory 和 pids 控制器',
      missing: '这台目标机器把这些控制器绑定在 cgroup v1 的层级上，就像原文的 CentOS 7 那样',
    },
  },
  swap: {
    en: { needs: 'swap space', missing: "this target has none (the project's VMs have 256 MiB)" },
    'zh-CN': { needs: '交换空间', missing: '这台目标机器没有交换空间（本项目的虚拟机有 256 MiB）' },
  },
  psi: {
    en: {
      needs: 'pressure stall information (the pressure files)',
      missing: 'this kernel has it off (Debian builds it so: boot with psi=1)',
    },
    'zh-CN': {
      needs: '压力停滞信息（PSI，即 pressure 文件）',
      missing: '此内核关闭了它（Debian 的内核就是这样编译的：启动时加上 psi=1）',
    },
  },
  'dpkg-packages': {
    en: {
      needs: "a system whose packages dpkg installed (Debian's package database)",
      missing: "this target's packages are not dpkg's (on Fedora they are rpm's)",
    },
    'zh-CN': {
      needs: '系统的软件包由 dpkg 安装（Debian 的软件包数据库）',
      missing: '这台目标机器的软件包不是 dpkg 安装的（Fedora 上是 rpm）',
    },
  },
  'docker-engine': {
    en: {
      needs:
        'a Docker Engine of its own in the lab (dockerd, containerd, runc and the docker client), and a static busybox for its image',
      missing:
        'this target lacks one of them (Debian/Ubuntu: docker.io and busybox-static, and docker-cli from Debian 13; Fedora: moby-engine and busybox), or its kernel lacks overlay, veth or bridges',
    },
    'zh-CN': {
      needs:
        '在 lab 中运行一个自己的 Docker Engine（dockerd、containerd、runc 和 docker 客户端），以及用来制作镜像的静态链接 busybox',
      missing:
        '这台目标机器缺少其中之一（Debian/Ubuntu：docker.io 和 busybox-static，Debian 13 起还有 docker-cli；Fedora：moby-engine 和 busybox），或者它的内核缺少 overlay、veth 或网桥',
    },
  },
  systemd: {
    en: {
      needs: "the target's systemd, reached from the lab (on a systemd target the lab is a scope of its own)",
      missing: "this target's PID 1 is not systemd",
    },
    'zh-CN': {
      needs: '目标机器的 systemd，并且能从 lab 中访问它（在使用 systemd 的目标机器上，lab 自成一个 scope）',
      missing: '这台目标机器的 PID 1 不是 systemd',
    },
  },
} as const satisfies Record<string, Record<Language, Words>>;

export type Capability = keyof typeof CAPABILITIES | `cmd:${string}`;

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITIES, name) || (name.startsWith('cmd:') && isKnownCommand(name.slice(4)));
}

/** A space between a CJK character and a Latin letter or digit that meet where two pieces are joined. */
const spaced = (before: string, after: string): string =>
  /[\u4e00-\u9fff]$/.test(before) && /^[A-Za-z0-9]/.test(after) ? `${before} ${after}` : before + after;

/** The sentence around a capability's words, and around a missing command, in each language. */
const SENTENCES: Record<
  Language,
  { capability: (w: Words) => string; command: (command: string, where: string) => string }
> = {
  en: {
    capability: (w) => `needs ${w.needs}, but ${w.missing}`,
    command: (command, where) => `needs the command ${command}, which is not installed on this target (${where})`,
  },
  'zh-CN': {
    capability: (w) => `${spaced('需要', w.needs)}，${spaced('但', w.missing)}`,
    command: (command, where) => `需要命令 ${command}，但这台目标机器上没有安装它（${where}）`,
  },
};

/**
 * The reader-facing reason a cell was skipped, in a language (English for the CLI and the doctor):
 *
 *   ipvlan       ->  needs ipvlan, but this kernel lacks ipvlan
 *                    需要 ipvlan，但此内核没有 ipvlan
 *   cmd:busybox  ->  needs the command busybox, which is not installed on this target (Debian/Ubuntu: busybox-static; Fedora: busybox)
 *                    需要命令 busybox，但这台目标机器上没有安装它（Debian/Ubuntu：busybox-static；Fedora：busybox）
 */
export function skipReason(missing: Capability, lang: Language = 'en'): string {
  const sentences = SENTENCES[lang];
  if (missing.startsWith('cmd:')) {
    const command = missing.slice(4);
    return sentences.command(command, whereToGet(command, lang));
  }
  return sentences.capability(CAPABILITIES[missing as keyof typeof CAPABILITIES][lang]);
}
