/**
 * The checks every request and WebSocket upgrade passes before anything runs, after the
 * rules of Jupyter Server, code-server and VS Code's server (README, "Running cells from the page"):
 * a Host allowlist against DNS rebinding, an exact Origin allowlist, and a secret token
 * compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes both sides the same length. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** The only Host headers a page on this machine sends to the runner; a rebinding name is refused. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return !!host && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/** Normalises `scheme://host[:port]` of an allowed origin, refusing anything that is not one. */
export function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`"${value}" is not an origin: write it as https://example.org or http://127.0.0.1:4321`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.origin !== value.replace(/\/$/, '')) {
    throw new Error(`"${value}" is not an origin: write only scheme://host[:port], without a path`);
  }
  return url.origin;
}

/** Exact match only: a missing or "null" Origin is refused, and so is any near-miss. */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  return !!origin && origin !== 'null' && allowed.has(origin);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Headers on every answer: no sniffing, no framing, no caching, CORS for an allowed origin only. */
export function baseHeaders(res: ServerResponse, origin: string | undefined, allowed: ReadonlySet<string>): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Origin');
  if (origin && originAllowed(origin, allowed)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Headers', 'Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'GET');
    // Chrome's Private Network Access: a public https page asking for loopback.
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
}
