/**
 * An overlay's layers and where each merged file comes from, from the `lab_overlay_json`
 * helper (runner/shell/lab-data.sh), layers listed top first (upper, then lowers):
 *
 *   {"merged":[{"path":"a.txt","type":"f"}],
 *    "layers":[{"name":"upper","entries":[...]},{"name":"lower1","entries":[...]}]}
 *
 * `type` is find's %y: f file, d directory, c character device (a whiteout in upper).
 */
import { z } from 'zod';

const entry = z.object({ path: z.string(), type: z.string() });
const snapshot = z.object({
  merged: z.array(entry),
  layers: z.array(z.object({ name: z.string(), entries: z.array(entry) })).min(1),
});

export interface OverlayModel {
  /** Each layer, top first, with the files (and whiteouts) it holds. */
  layers: { name: string; files: string[] }[];
  /** Each merged file with the top layer that holds it. */
  files: { path: string; from: string }[];
  /** Paths a layer hides with a whiteout. */
  whiteouts: { path: string; layer: string }[];
}

export function parseOverlay(json: unknown): OverlayModel {
  const data = snapshot.parse(json);
  const files = data.merged
    .filter((e) => e.type !== 'd')
    .map((e) => ({
      path: e.path,
      from: data.layers.find((l) => l.entries.some((x) => x.path === e.path && x.type !== 'c'))?.name ?? '?',
    }));
  const whiteouts = data.layers.flatMap((l) =>
    l.entries.filter((e) => e.type === 'c').map((e) => ({ path: e.path, layer: l.name })),
  );
  const layers = data.layers.map((l) => ({
    name: l.name,
    files: l.entries.filter((e) => e.type === 'f' || e.type === 'c').map((e) => e.path),
  }));
  return { layers, files, whiteouts };
}

const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

/** The merged view on top, the layers below it, an arrow from each file to the copy it shows. */
export function overlayMermaid(model: OverlayModel): string {
  const lines = ['flowchart TB', '  subgraph merged["merged: what the container sees"]'];
  for (const f of model.files) lines.push(`    m_${id(f.path)}["${f.path}"]`);
  lines.push('  end');
  for (const layer of model.layers) {
    lines.push(`  subgraph l_${id(layer.name)}["${layer.name}"]`);
    for (const path of layer.files) {
      const whiteout = model.whiteouts.some((w) => w.layer === layer.name && w.path === path);
      lines.push(`    f_${id(layer.name)}_${id(path)}["${path}${whiteout ? ' (whiteout)' : ''}"]`);
    }
    lines.push('  end');
  }
  for (const f of model.files) lines.push(`  m_${id(f.path)} --> f_${id(f.from)}_${id(f.path)}`);
  return lines.join('\n');
}
