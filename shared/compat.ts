/**
 * Which side to update when the panel and the helper speak different protocol versions: the one with the lower
 * protocol is the older install. Both the panel (its "Version mismatch" line) and the helper (its refusal of an
 * incompatible hello) say the same thing.
 */

export type UpdateSide = "panel" | "helper";

/** The side to update, or null while the helper's protocol is unknown or the two match. */
export function sideToUpdate(panelProtocol: number, helperProtocol: number | null): UpdateSide | null {
  if (helperProtocol === null || helperProtocol === panelProtocol) return null;
  return panelProtocol < helperProtocol ? "panel" : "helper";
}

export interface Versions {
  panel: { protocol: number; version?: string | null };
  helper: { protocol: number | null; version?: string | null };
}

const named = (version: string | null | undefined) => (version ? `Tessera ${version}` : "its Tessera version");

/** One sentence: which to update, and to what. */
export function updateAdvice(versions: Versions): string {
  const side = sideToUpdate(versions.panel.protocol, versions.helper.protocol);
  if (side === "panel") {
    return `The panel is older: update it to ${named(versions.helper.version)} (install the tessera.ccx that comes with the helper).`;
  }
  if (side === "helper") {
    return `The helper is older: update it to ${named(versions.panel.version)} (unpack the new Tessera Helper, or \`npm install\` in a checkout).`;
  }
  return "Install the same Tessera version for the panel and the helper.";
}
