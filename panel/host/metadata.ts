// The generation record as XMP and as a Premiere project-panel column. Pure text: the host adapters write the
// strings with their own APIs. XMP keeps the IPTC digital source type, so other tools also see the clip as made by
// a trained model.
import { GenerationRecordSchema, type GenerationRecord } from "../../shared/protocol.js";

export const TESSERA_XMP_NS = "https://tessera.video/ns/1.0/";
const IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
const DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
const PREMIERE_PROJECT_NS = "http://ns.adobe.com/premierePrivateProjectMetaData/1.0/";
/** The project-panel column Tessera fills. */
export const PROJECT_COLUMN = { name: "Tessera", label: "Tessera" } as const;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function tesseraDescription(record: GenerationRecord): string {
  return (
    `<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="${IPTC_EXT_NS}" xmlns:tessera="${TESSERA_XMP_NS}" ` +
    `Iptc4xmpExt:DigitalSourceType="${DIGITAL_SOURCE_TYPE}" tessera:record="${escapeXml(JSON.stringify(record))}"/>`
  );
}

function packet(body: string): string {
  return (
    `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">` +
    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta>` +
    `<?xpacket end="w"?>`
  );
}

const PREVIOUS_RECORD = /<rdf:Description\b[^>]*\btessera:record="[^"]*"[^>]*\/>/g;

/** The item's XMP with Tessera's description added (a previous one replaced); everything else is kept. */
export function withTesseraXmp(xmp: string, record: GenerationRecord): string {
  const cleaned = xmp.replace(PREVIOUS_RECORD, "");
  const close = cleaned.lastIndexOf("</rdf:RDF>");
  if (close < 0) return packet(tesseraDescription(record));
  return cleaned.slice(0, close) + tesseraDescription(record) + cleaned.slice(close);
}

/** Reads the record back from XMP text (the tests and "Insert again" use it). */
export function readTesseraXmp(xmp: string): GenerationRecord | null {
  const match = /\btessera:record="([^"]*)"/.exec(xmp);
  if (!match?.[1]) return null;
  const json = match[1]
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  try {
    const parsed = GenerationRecordSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** One line for the project panel: what an editor scans for when picking a take. */
export function recordSummary(record: GenerationRecord): string {
  return `${record.prompt} | seed ${record.seed} | ${record.model.id} ${record.model.version} | ${record.workflow}`;
}

/** Premiere's project metadata packet that sets only the Tessera column. */
export function projectColumnMetadata(record: GenerationRecord): string {
  const field = `premierePrivateProjectMetaData:${PROJECT_COLUMN.name}`;
  return packet(
    `<rdf:Description rdf:about="" xmlns:premierePrivateProjectMetaData="${PREMIERE_PROJECT_NS}">` +
      `<${field}>${escapeXml(recordSummary(record))}</${field}></rdf:Description>`,
  );
}
