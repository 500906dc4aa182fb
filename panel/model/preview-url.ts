// A displayable URL for a JPEG preview: a blob URL where the host has one (browsers, UXP), a data URL otherwise.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 without btoa (not every UXP version has it). */
export function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : "=";
  }
  return out;
}

export function imageUrl(jpeg: Uint8Array): string {
  const url = (globalThis as { URL?: { createObjectURL?: (b: Blob) => string } }).URL;
  if (typeof Blob !== "undefined" && typeof url?.createObjectURL === "function") {
    try {
      return url.createObjectURL(new Blob([jpeg.slice()], { type: "image/jpeg" }));
    } catch {
      // fall through to a data URL
    }
  }
  return `data:image/jpeg;base64,${base64(jpeg)}`;
}

export function releaseImageUrl(url: string | null): void {
  if (!url?.startsWith("blob:")) return;
  const u = (globalThis as { URL?: { revokeObjectURL?: (s: string) => void } }).URL;
  u?.revokeObjectURL?.(url);
}
