/**
 * Who may talk to the helper, decided from the HTTP headers before any WebSocket exists.
 *
 * Host: exactly 127.0.0.1:PORT or localhost:PORT. Anything else is a DNS-rebinding attempt or a misdirected
 * request: a page on evil.example that re-resolves its name to 127.0.0.1 still sends `Host: evil.example`.
 *
 * Origin: browsers always send one, so a foreign http(s) origin is a web page trying to reach the helper and is
 * refused, as are browser-extension origins. The helper's own origins (either loopback name, whichever Host was
 * used) and a configured allow-list pass. An absent Origin, `null` and other schemes pass because Premiere's UXP
 * WebSocket origin is undocumented; the token in `hello` is still required from every client.
 */

export type Decision = { ok: true } | { ok: false; reason: string };

const EXTENSION_SCHEMES = new Set([
  "chrome-extension:",
  "moz-extension:",
  "safari-extension:",
  "safari-web-extension:",
  "ms-browser-extension:",
  "edge-extension:",
  "extension:",
]);

export function checkHost(host: string | undefined, port: number): Decision {
  if (host === undefined || host === "") return { ok: false, reason: "no Host header" };
  const value = host.toLowerCase();
  if (value === `127.0.0.1:${port}` || value === `localhost:${port}`) return { ok: true };
  return { ok: false, reason: `Host ${JSON.stringify(host.slice(0, 100))} is not 127.0.0.1:${port} or localhost:${port}` };
}

/** Normalises an allow-list entry ("http://Tool.local:3000/") to the origin form browsers send. */
export function normaliseOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === "null" ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

export function checkOrigin(origin: string | undefined, port: number, allowList: readonly string[] = []): Decision {
  if (origin === undefined || origin === "" || origin === "null") return { ok: true };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // Not a URL: no browser sends that, so it is some other kind of client; the token decides.
    return { ok: true };
  }
  const shown = JSON.stringify(origin.slice(0, 200));
  if (EXTENSION_SCHEMES.has(url.protocol)) return { ok: false, reason: `browser-extension Origin ${shown}` };
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: true };
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const allowed = new Set([...own, ...allowList.map(normaliseOrigin).filter((o): o is string => o !== undefined)]);
  // Compare the serialised origin, and insist the header was exactly that (no path, user info or trailing junk).
  if (allowed.has(url.origin) && origin.toLowerCase() === url.origin) return { ok: true };
  return { ok: false, reason: `foreign web Origin ${shown}` };
}
