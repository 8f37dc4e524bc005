/**
 * What a cell may require of its target with `requires=`. The runner probes each one
 * inside a lab; a cell whose requirement is missing is skipped with `missing` as reason.
 */
export const CAPABILITIES = {
  root: { needs: 'root privileges', missing: 'the runner is not root' },
  overlay: { needs: 'OverlayFS', missing: 'this kernel has no overlay filesystem' },
  veth: { needs: 'veth pairs', missing: 'this kernel cannot create veth pairs' },
  bridge: { needs: 'Linux bridges', missing: 'this kernel cannot create bridges' },
  macvlan: { needs: 'macvlan', missing: 'this kernel lacks macvlan' },
  macvtap: { needs: 'macvtap', missing: 'this kernel lacks macvtap' },
  ipvlan: { needs: 'ipvlan', missing: 'this kernel lacks ipvlan' },
  dummy: { needs: 'dummy interfaces', missing: 'this kernel lacks dummy interfaces' },
  'cgroup-v1': {
    needs: 'cgroup v1 controllers (cpu, memory, pids)',
    missing: 'this host does not mount the cgroup v1 controllers',
  },
  'cgroup-v2-controllers': {
    needs: 'cgroup v2 with its cpu, memory and pids controllers',
    missing: 'the cgroup v2 controllers are bound to v1 on this host',
  },
} as const satisfies Record<string, { needs: string; missing: string }>;

export type Capability = keyof typeof CAPABILITIES | `cmd:${string}`;

export function isCapability(name: string): name is Capability {
  return name in CAPABILITIES || /^cmd:[A-Za-z0-9._+-]+$/.test(name);
}

/** The reader-facing reason a cell was skipped: "needs ipvlan, which this kernel lacks". */
export function skipReason(missing: Capability): string {
  if (missing.startsWith('cmd:')) {
    return `needs the command ${missing.slice(4)}, which is not installed on this target`;
  }
  const c = CAPABILITIES[missing as keyof typeof CAPABILITIES];
  return `needs ${c.needs}, but ${c.missing}`;
}
