/**
 * The runner's address and token reach the page in the URL fragment of the link that
 * `labbook serve` prints (#runner=127.0.0.1:PORT&token=TOKEN): the fragment never reaches a
 * server or a Referer. It is moved into sessionStorage (this tab only) and out of the
 * address bar at once.
 */
export interface RunnerLink {
  address: string;
  token: string;
}

const KEY = 'labbook-runner';

export function captureRunnerLink(): void {
  const m = /runner=(127\.0\.0\.1:\d{1,5}|localhost:\d{1,5}|\[::1\]:\d{1,5})&token=([\w-]{16,128})/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(KEY, JSON.stringify({ address: m[1], token: m[2] }));
  history.replaceState(history.state, '', location.pathname + location.search);
}

export function readRunnerLink(): RunnerLink | undefined {
  try {
    const link = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return link?.address && link?.token ? link : undefined;
  } catch {
    return undefined;
  }
}

/** The page session to reattach to after a reload or a dropped connection, per chapter. */
export const sessionKey = (chapter: string) => `labbook-session:${chapter}`;
