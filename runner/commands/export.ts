/**
 * `labbook export CHAPTER --asciicast[=v2|v3] [--target ENTRY] [--output FILE]`: a chapter's
 * recording on an entry of the matrix as an asciinema recording (src/cells/asciicast.ts), on
 * stdout or in FILE. Nothing runs: it reads the recording the site shows.
 *
 *   npx labbook export namespace --asciicast > namespace.cast && asciinema play namespace.cast
 */
import { writeFileSync } from 'node:fs';
import { type AsciicastVersion, asciicast } from '../../src/cells/asciicast.ts';
import { recordingPath, resolveChapter } from '../../src/cells/chapters.ts';
import { MATRIX, matrixEntry } from '../../src/cells/matrix.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import { readRecording } from '../../src/cells/recording.ts';
import { defineCommand, UsageError } from './command.ts';

const VERSIONS: Record<string, AsciicastVersion> = { v2: 2, v3: 3 };

export const exportCommand = defineCommand({
  usage: `export CHAPTER --asciicast[=v2|v3]
                              write the chapter's recording as an asciinema recording (v2 by
                              default; v3 has each cell's exit status too)
    --target ENTRY            whose recording: an entry of the matrix (default local)
    --output FILE             write it to FILE (default: stdout)`,
  options: { asciicast: { type: 'string' }, target: { type: 'string' }, output: { type: 'string' } },
  // `--asciicast` alone is the default format: parseArgs wants a value for it.
  arguments: (argv) => argv.map((a) => (a === '--asciicast' ? '--asciicast=v2' : a)),
  takes: 'one',
  async run({ values, names }) {
    if (values.asciicast === undefined) throw new UsageError('export needs a format: --asciicast or --asciicast=v3');
    const version = VERSIONS[values.asciicast];
    if (!version) throw new UsageError(`--asciicast=${values.asciicast}: give v2 or v3`);
    const name = values.target ?? MATRIX[0]?.name ?? 'local';
    const entry = matrixEntry(name);
    if (!entry) {
      throw new UsageError(`--target ${name} is not an entry of the matrix: ${MATRIX.map((e) => e.name).join(', ')}`);
    }
    const { slug, file } = resolveChapter(names[0] as string);
    const recording = readRecording(recordingPath(file, entry));
    if (!recording) {
      console.error(
        `labbook export: ${slug} has no recording on ${name}: run npx labbook record ${slug} --target ${name}`,
      );
      return 1;
    }
    const cast = asciicast(recording, loadChapter(file).cells, version);
    if (values.output) writeFileSync(values.output, cast);
    else process.stdout.write(cast);
    return 0;
  },
});
