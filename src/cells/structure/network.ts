/**
 * The network of a lab from `ip -j -d addr show` in each namespace, as printed by the
 * `lab_net_json` helper (runner/shell/lab-data.sh):
 *
 *   {"namespaces":[{"name":"lab","links":[...ip -j -d addr...]},{"name":"c1","links":[...]}]}
 *
 * becomes namespaces with their interfaces, each veth joined to its peer, each port to its
 * bridge, each macvlan/macvtap/ipvlan to its parent. A veth's peer is the interface whose
 * ifindex is its link_index and whose link_index is its ifindex (in another namespace when
 * link_netnsid is present); a parent is found the same way without the reverse condition.
 * When the peer or parent is in the same namespace, ip gives its name (`link`) instead.
 */
import { z } from 'zod';

const link = z.looseObject({
  ifindex: z.number(),
  ifname: z.string(),
  link: z.string().optional(),
  link_index: z.number().optional(),
  link_netnsid: z.number().optional(),
  master: z.string().optional(),
  operstate: z.string().optional(),
  address: z.string().optional(),
  linkinfo: z.looseObject({ info_kind: z.string().optional(), info_data: z.looseObject({}).optional() }).optional(),
  addr_info: z.array(z.looseObject({ family: z.string(), local: z.string(), prefixlen: z.number() })).default([]),
});
const snapshot = z.object({ namespaces: z.array(z.object({ name: z.string(), links: z.array(link) })).min(1) });

export interface Interface {
  ns: string;
  name: string;
  ifindex: number;
  kind: string;
  mac?: string;
  up: boolean;
  addresses: string[];
  mode?: string;
  master?: string;
  /** The other end of a veth, or the parent of a macvlan/macvtap/ipvlan: "ns/name". */
  peer?: string;
  parent?: string;
}

export interface NetworkModel {
  namespaces: { name: string; interfaces: Interface[] }[];
}

export const ref = (i: Pick<Interface, 'ns' | 'name'>) => `${i.ns}/${i.name}`;

const CHILD_KINDS = new Set(['macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vlan']);

export function parseNetwork(json: unknown): NetworkModel {
  const data = snapshot.parse(json);
  const raw = data.namespaces.flatMap((ns) => ns.links.map((l) => ({ ns: ns.name, l })));
  const find = (from: (typeof raw)[number], index: number, reverse: boolean) => {
    const others = raw.filter(
      (o) =>
        o.l.ifindex === index &&
        (from.l.link_netnsid === undefined ? o.ns === from.ns : o.ns !== from.ns) &&
        (!reverse || o.l.link_index === from.l.ifindex),
    );
    return others.length === 1 ? others[0] : undefined;
  };
  // In its own namespace, ip names the peer or parent (`link`) instead of giving its index.
  const findByName = (from: (typeof raw)[number], name: string, reverse: boolean) => {
    const others = raw.filter(
      (o) => o.ns === from.ns && o.l.ifname === name && (!reverse || o.l.link === from.l.ifname),
    );
    return others.length === 1 ? others[0] : undefined;
  };
  const interfaces = raw.map((r): Interface => {
    const kind = r.l.linkinfo?.info_kind ?? (r.l.ifname === 'lo' ? 'loopback' : 'device');
    const i: Interface = {
      ns: r.ns,
      name: r.l.ifname,
      ifindex: r.l.ifindex,
      kind,
      mac: r.l.address,
      up: r.l.operstate === 'UP' || r.l.operstate === 'UNKNOWN',
      addresses: r.l.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    };
    const mode = r.l.linkinfo?.info_data?.mode;
    if (typeof mode === 'string') i.mode = mode;
    if (r.l.master) i.master = `${r.ns}/${r.l.master}`;
    const other =
      r.l.link_index !== undefined
        ? find(r, r.l.link_index, kind === 'veth')
        : r.l.link !== undefined
          ? findByName(r, r.l.link, kind === 'veth')
          : undefined;
    if (other && kind === 'veth') i.peer = ref({ ns: other.ns, name: other.l.ifname });
    else if (other && CHILD_KINDS.has(kind)) i.parent = ref({ ns: other.ns, name: other.l.ifname });
    return i;
  });
  return {
    namespaces: data.namespaces.map((ns) => ({
      name: ns.name,
      interfaces: interfaces.filter((i) => i.ns === ns.name),
    })),
  };
}

export function interfaceOf(model: NetworkModel, name: string): Interface | undefined {
  const [ns, ifname] = name.includes('/') ? name.split('/') : [undefined, name];
  const all = model.namespaces.flatMap((n) => n.interfaces).filter((i) => i.name === ifname && (!ns || i.ns === ns));
  return all.length === 1 ? all[0] : undefined;
}

const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

/** A mermaid flowchart: a box per namespace, a node per interface (loopback left out). */
export function networkMermaid(model: NetworkModel): string {
  const lines = ['flowchart LR'];
  for (const ns of model.namespaces) {
    lines.push(`  subgraph ns_${id(ns.name)}["netns ${ns.name}"]`);
    for (const i of ns.interfaces.filter((x) => x.kind !== 'loopback')) {
      const details = [i.kind + (i.mode ? ` ${i.mode}` : ''), ...i.addresses, i.up ? '' : 'down'].filter(Boolean);
      lines.push(`    ${id(ref(i))}["${i.name}<br/><small>${details.join('<br/>')}</small>"]`);
    }
    lines.push('  end');
  }
  const all = model.namespaces.flatMap((n) => n.interfaces);
  const drawn = new Set<string>();
  for (const i of all) {
    if (i.peer && !drawn.has(i.peer)) {
      lines.push(`  ${id(ref(i))} <-->|veth| ${id(i.peer)}`);
      drawn.add(ref(i));
    }
    if (i.master) lines.push(`  ${id(ref(i))} ---|port| ${id(i.master)}`);
    if (i.parent) lines.push(`  ${id(i.parent)} -.->|${i.kind}| ${id(ref(i))}`);
  }
  return lines.join('\n');
}

/**
 * What runs are compared by: each namespace's interfaces by name, with their kind, state,
 * addresses and links. The ifindex and the MAC are left out: they change from run to run, and
 * the links they carry are already resolved by name (a bridge even takes the lowest MAC of its
 * ports, whichever port that happens to be).
 */
export function networkComparable(model: NetworkModel): unknown {
  return {
    namespaces: model.namespaces.map((ns) => ({
      name: ns.name,
      interfaces: ns.interfaces
        .map(({ ns: _ns, ifindex: _ifindex, mac: _mac, ...rest }) => rest)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    })),
  };
}
