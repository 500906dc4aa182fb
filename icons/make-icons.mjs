#!/usr/bin/env node
// Renders the panel and plugin icons from one SVG drawing with sharp: dark and light themes at 1x and 2x.
// Run `node icons/make-icons.mjs` after changing the drawing; the PNGs are committed so builds need no sharp.
import sharp from "sharp";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

// Four tesserae on a 24-unit grid: three plain tiles and the fourth turned into a play mark, i.e. "the missing
// shot, filled". Tiles stay 9 units wide so the glyph still reads at 23 px.
function glyph({ tile, accent }) {
  return `
    <rect x="2" y="2" width="9" height="9" rx="1.6" fill="${tile}"/>
    <rect x="13" y="2" width="9" height="9" rx="1.6" fill="${tile}" opacity="0.55"/>
    <rect x="2" y="13" width="9" height="9" rx="1.6" fill="${tile}" opacity="0.55"/>
    <rect x="13" y="13" width="9" height="9" rx="1.6" fill="${accent}"/>
    <path d="M16 15.4 L20.2 17.5 L16 19.6 Z" fill="#ffffff"/>`;
}

function panelSvg(theme) {
  const colors = theme === "dark" ? { tile: "#d6d6d6", accent: "#2d8ceb" } : { tile: "#323232", accent: "#1473e6" };
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">${glyph(colors)}</svg>`;
}

// The plugin-list icon sits on its own tile so it reads on any Creative Cloud background.
function pluginSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">
    <rect x="1" y="1" width="46" height="46" rx="9" fill="#1d2a44"/>
    <g transform="translate(8 8) scale(1.3333)">${glyph({ tile: "#e8eefc", accent: "#2d8ceb" })}</g>
  </svg>`;
}

async function render(svg, size, file) {
  await sharp(Buffer.from(svg), { density: 72 * (size / 24) * 4 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(join(here, file));
}

const jobs = [];
for (const theme of ["dark", "light"]) {
  jobs.push(render(panelSvg(theme), 23, `${theme}.png`), render(panelSvg(theme), 46, `${theme}@2x.png`));
}
jobs.push(render(pluginSvg(), 48, "plugin.png"), render(pluginSvg(), 96, "plugin@2x.png"));
await Promise.all(jobs);
process.stdout.write("icons written: dark, light (23, 46 px), plugin (48, 96 px)\n");
