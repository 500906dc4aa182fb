// A displayable URL for a JPEG preview: a data: URL everywhere. UXP documents URL.createObjectURL only for ImageBlob
// ("currently supported by Photoshop"), and an <img> whose blob: URL does not render shows nothing and raises
// nothing, so a blob URL could leave the thumbnail blank in Premiere with no way to notice; the harness uses the
// same data: URL so it shows what the panel shows.
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
  return `data:image/jpeg;base64,${base64(jpeg)}`;
}

/** Frees what a preview URL holds: nothing for a data: URL; kept so callers need not know the URL's kind. */
export function releaseImageUrl(url: string | null): void {
  void url;
}
