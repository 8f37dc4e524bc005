/**
 * Which process lives in which PID namespace, from the `lab_proc_json` helper
 * (runner/shell/lab-data.sh), read in the lab's /proc:
 *
 *   {"processes":[{"pid":55,"ppid":52,"comm":"bash","nspid":[55,1],"pidns":4026532181}, ...]}
 *
 * `nspid` lists the process's PIDs from the lab's namespace down to its own, so its length
 * is the depth of its namespace below the lab's, and its last entry its PID there. A child
 * namespace's parent is the namespace of the process that started its PID 1 (`ppid`).
 */
import { z } from 'zod';
import type { Placeholders } from '../normalize.ts';

const snapshot = z.object({
  processes: z
    .array(
      z.object({
        pid: z.number(),
        ppid: z.number(),
        comm: z.string(),
        nspid: z.array(z.number()).min(1),
        pidns: z.number(),
      }),
    )
    .min(1),
});

export interface Process {
  comm: string;
  /** PIDs from the lab's namespace down to the process's own. */
  pids: number[];
}

export interface PidNamespace {
  inode: number;
  depth: number;
  parent?: number;
  processes: Process[];
}

export interface ProcessModel {
  namespaces: PidNamespace[];
}

export function parseProcesses(json: unknown): ProcessModel {
  const { processes } = snapshot.parse(json);
  const byNs = new Map<number, PidNamespace>();
  const nsOfPid = new Map(processes.map((p) => [p.pid, p.pidns]));
  const parents = new Map<number, number>();
  for (const p of processes) {
    const parent = nsOfPid.get(p.ppid);
    if (p.nspid.at(-1) === 1 && p.nspid.length > 1 && parent !== undefined) parents.set(p.pidns, parent);
    const ns = byNs.get(p.pidns) ?? { inode: p.pidns, depth: p.nspid.length - 1, processes: [] };
    ns.processes.push({ comm: p.comm, pids: p.nspid });
    byNs.set(p.pidns, ns);
  }
  const namespaces = [...byNs.values()].sort((a, b) => a.depth - b.depth || a.inode - b.inode);
  for (const ns of namespaces) ns.parent = parents.get(ns.inode);
  for (const ns of namespaces) ns.processes.sort((a, b) => (a.pids.at(-1) ?? 0) - (b.pids.at(-1) ?? 0));
  return { namespaces };
}

/** Nested boxes: a child namespace inside its parent, each process with its PID at every level. */
export function processesMermaid(model: ProcessModel): string {
  const lines = ['flowchart TB'];
  const draw = (ns: PidNamespace, indent: string) => {
    lines.push(
      `${indent}subgraph pidns_${model.namespaces.indexOf(ns)}["${ns.depth ? `child pid namespace, level ${ns.depth}` : "the lab's pid namespace"}"]`,
    );
    // Node ids are positions, not PIDs: a PID is volatile, and runs are compared by what is drawn.
    for (const [n, p] of ns.processes.entries()) {
      const where =
        p.pids.length > 1 ? `<br/><small>PID ${p.pids.slice(0, -1).join(' / ')} seen from above</small>` : '';
      lines.push(`${indent}  p_${model.namespaces.indexOf(ns)}_${n}["${p.comm}: PID ${p.pids.at(-1)}${where}"]`);
    }
    for (const child of model.namespaces.filter((c) => c.parent === ns.inode)) draw(child, `${indent}  `);
    lines.push(`${indent}end`);
  };
  for (const root of model.namespaces.filter((n) => n.parent === undefined)) draw(root, '  ');
  return lines.join('\n');
}

/**
 * What runs are compared by: the namespaces, nested as they are, and their processes in order,
 * with each PID bound on first sight in its namespace (`<pid:N>`, as normalize binds PIDs in
 * text) and each namespace's inode as `<ns:N>`. PID 1, the init of its namespace, stays 1.
 */
export function processesComparable(model: ProcessModel, placeholders: Placeholders): unknown {
  const byInode = new Map(model.namespaces.map((ns) => [ns.inode, ns]));
  /** The namespace's inode and its ancestors', the lab's first: the namespace of each of its PIDs. */
  const levels = (ns: PidNamespace): number[] => {
    const chain: number[] = [];
    // A snapshot is the cell's output: a namespace listed as its own ancestor ends the chain.
    for (let n = byInode.get(ns.inode); n && !chain.includes(n.inode); n = byInode.get(n.parent ?? Number.NaN)) {
      chain.unshift(n.inode);
    }
    return chain;
  };
  return {
    namespaces: model.namespaces.map((ns) => {
      const chain = levels(ns);
      return {
        ns: placeholders.bind('ns', ns.inode),
        depth: ns.depth,
        parent: ns.parent === undefined ? undefined : placeholders.bind('ns', ns.parent),
        processes: ns.processes.map((p) => ({
          comm: p.comm,
          pids: p.pids.map((pid, level) => {
            // Aligned from the process's own namespace up; a level above the snapshot's is unnamed.
            const where = chain[chain.length - p.pids.length + level] ?? `level ${level}`;
            return pid === 1 ? 1 : placeholders.bind('pid', `${where}/${pid}`);
          }),
        })),
      };
    }),
  };
}
