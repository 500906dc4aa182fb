/**
 * The binary header in front of every live-preview image. UXP has no TextDecoder, so the header is fixed-size
 * binary (little-endian) and the job id travels as 16 raw bytes, not text.
 *
 *   offset size field
 *        0    4 magic "TSPV"
 *        4    1 version (1)
 *        5    1 format (1 = JPEG)
 *        6    2 reserved (0)
 *        8   16 job id (UUID bytes)
 *       24    4 frame index (uint32)
 *       28    2 width (uint16)
 *       30    2 height (uint16)
 *       32    … image bytes
 */
export const PREVIEW_MAGIC = [0x54, 0x53, 0x50, 0x56] as const; // "TSPV"
export const PREVIEW_VERSION = 1;
export const PREVIEW_HEADER_BYTES = 32;
export const PREVIEW_FORMATS = { jpeg: 1 } as const;
export type PreviewFormat = keyof typeof PREVIEW_FORMATS;

export interface PreviewHeader {
  jobId: string;
  frameIndex: number;
  width: number;
  height: number;
  format: PreviewFormat;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidToBytes(uuid: string): Uint8Array {
  if (!UUID.test(uuid)) throw new RangeError(`not a UUID: ${uuid}`);
  const hex = uuid.replace(/-/g, "");
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesToUuid(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} out of range: ${value}`);
}

/** Header + image in one buffer, ready for `socket.send`. */
export function encodePreview(header: PreviewHeader, image: Uint8Array): Uint8Array {
  checkUint("frameIndex", header.frameIndex, 0xffffffff);
  checkUint("width", header.width, 0xffff);
  checkUint("height", header.height, 0xffff);
  const out = new Uint8Array(PREVIEW_HEADER_BYTES + image.byteLength);
  const view = new DataView(out.buffer);
  out.set(PREVIEW_MAGIC, 0);
  view.setUint8(4, PREVIEW_VERSION);
  view.setUint8(5, PREVIEW_FORMATS[header.format]);
  view.setUint16(6, 0, true);
  out.set(uuidToBytes(header.jobId), 8);
  view.setUint32(24, header.frameIndex, true);
  view.setUint16(28, header.width, true);
  view.setUint16(30, header.height, true);
  out.set(image, PREVIEW_HEADER_BYTES);
  return out;
}

export type DecodedPreview = { ok: true; header: PreviewHeader; image: Uint8Array } | { ok: false; reason: string };

/** Reads a preview frame; anything that is not one (short, wrong magic, unknown version or format) is refused. */
export function decodePreview(data: ArrayBuffer | Uint8Array): DecodedPreview {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < PREVIEW_HEADER_BYTES) return { ok: false, reason: "shorter than the preview header" };
  for (let i = 0; i < 4; i++) if (bytes[i] !== PREVIEW_MAGIC[i]) return { ok: false, reason: "wrong magic" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== PREVIEW_VERSION) return { ok: false, reason: `unknown preview version ${version}` };
  const formatCode = view.getUint8(5);
  const format = (Object.keys(PREVIEW_FORMATS) as PreviewFormat[]).find((f) => PREVIEW_FORMATS[f] === formatCode);
  if (!format) return { ok: false, reason: `unknown preview format ${formatCode}` };
  return {
    ok: true,
    header: {
      jobId: bytesToUuid(bytes.subarray(8, 24)),
      frameIndex: view.getUint32(24, true),
      width: view.getUint16(28, true),
      height: view.getUint16(30, true),
      format,
    },
    image: bytes.subarray(PREVIEW_HEADER_BYTES),
  };
}
