/** What `labbook vm` prints while it works: progress lines timed from the start of the command. */
import { styleText } from 'node:util';

/** Prints one progress line, "[ 12 s] text"; a detail line (a heartbeat, a wait) is dimmed. */
export type Progress = (text: string, detail?: boolean) => void;

export function progress(started = performance.now()): Progress {
  return (text, detail = false) => {
    const time = styleText('dim', `[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`);
    console.log(`${time} ${detail ? styleText('dim', text) : text}`);
  };
}
