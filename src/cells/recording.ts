/**
 * The recording of a chapter on one entry of the matrix: what one run of its cells produced
 * there, committed beside the chapters (src/content/recordings/<entry>/<chapter>.json) and
 * written only by the engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Capability, isCapability } from './capabilities.ts';
import { coversOutput, TIMING } from './timing.ts';

export const CELL_STATUSES = ['passed', 'failed', 'timed-out', 'skipped', 'error'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export const environment = z.object({
  /** Where the cells ran: "local", a VM of the matrix ("vm:debian12"), or the target's address. */
  target: z.string(),
  kernel: z.string(),
  // In the order the runner probes them, which a recording read and written again keeps.
  arch: z.string(),
  distro: z.string(),
  iproute2: z.string(),
  utilLinux: z.string(),
  cgroup: z.enum(['v1', 'hybrid', 'v2']),
});
export type Environment = z.infer<typeof environment>;

export const cellRecording = z
  .object({
    id: z.string(),
    hash: z.string(),
    /** null when the cell did not end by itself (timed out, skipped, session lost). */
    exitCode: z.number().int().nullable(),
    durationMs: z.number().int().nonnegative(),
    /** The raw PTY output, escape sequences kept. */
    output: z.string(),
    /** Bytes of output dropped beyond the per-cell cap. */
    droppedBytes: z.number().int().nonnegative(),
    /** When each piece of the output came (after droppedBytes, where the runner puts it), `OFFSET:LENGTH` in ms and units (timing.ts). */
    timing: z.string().regex(TIMING, 'pairs of OFFSET:LENGTH separated by spaces').optional(),
    // After the output, as the runner writes a cell: a recording read and written again keeps its
    // key order, so putting in one cell changes only that cell's lines.
    status: z.enum(CELL_STATUSES),
    // Why the cell was skipped or did not pass, as data that each language words (reasons.ts).
    /** A skip: the capability of requires= that the target lacks, "ipvlan" or "cmd:busybox". */
    missing: z
      .custom<Capability>((v) => typeof v === 'string' && isCapability(v), 'not a capability of capabilities.ts')
      .optional(),
    /** Not run: the lab ended during this earlier cell. */
    labEndedIn: z.string().optional(),
    /** Timed out after this many ms. */
    timeoutMs: z.number().int().positive().optional(),
    /** Failed: the exit status the cell expected (its exitCode is the one it had). */
    expectedExit: z.number().int().optional(),
    /** In error: this session ended under the cell ("lab": the lab's own shell, and the lab with it). */
    sessionEnded: z.string().optional(),
    /** In error: the runner's own words (English), for what the fields above cannot say. */
    message: z.string().optional(),
    /** What the cell changed in the lab's kernel objects, a line each (lab-state.ts); absent when no snapshot was taken. */
    change: z.array(z.string()).optional(),
  })
  .refine((c) => c.status !== 'skipped' || c.missing !== undefined, {
    message: 'a skipped cell says which capability its target lacks ("missing")',
    path: ['missing'],
  })
  .refine((c) => c.timing === undefined || coversOutput(c.timing, c.output.length), {
    message: 'its timing does not cover its output, piece by piece in order',
    path: ['timing'],
  });
export type CellRecording = z.infer<typeof cellRecording>;

export const recording = z.object({
  version: z.literal(1),
  chapter: z.string(),
  recordedAt: z.string(),
  environment,
  cells: z.array(cellRecording),
});
export type Recording = z.infer<typeof recording>;

export function readRecording(path: string): Recording | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = recording.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: not a valid recording (${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}); re-record it with labbook record`,
    );
  }
  return parsed.data;
}

export function serializeRecording(r: Recording): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** What may change under a recording without its cells changing: the kernel, the distribution, the tools. */
const DRIFTING = { kernel: 'Linux', distro: 'distribution', iproute2: 'iproute2', utilLinux: 'util-linux' } as const;

/**
 * How the target a run is on differs from the one its recording was made on, a sentence each:
 *
 *   recorded on Linux 6.18.44-fc-v657, this target has 6.18.44-fc-v1045
 */
export function drift(recorded: Environment, now: Environment): string[] {
  return Object.entries(DRIFTING).flatMap(([key, what]) => {
    const [was, is] = [recorded[key as keyof typeof DRIFTING], now[key as keyof typeof DRIFTING]];
    return was === is ? [] : [`recorded on ${what} ${was}, this target has ${is}`];
  });
}
