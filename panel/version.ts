// The bundler writes the package version here (esbuild `define`); tests and unbundled runs see a dev marker.
declare const __TESSERA_VERSION__: string | undefined;

export const PANEL_VERSION: string = typeof __TESSERA_VERSION__ === "string" ? __TESSERA_VERSION__ : "0.0.0-dev";
