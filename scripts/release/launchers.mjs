// What an editor double-clicks or types in the unpacked helper folder. Every launcher runs the archive's own Node
// (app/runtime) on app/bin/tessera-packaged.js, so nothing installed on the machine is used or needed.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const HELPER = "Tessera Helper";

function write(path, text, executable) {
  writeFileSync(path, text);
  if (executable) chmodSync(path, 0o755);
}

// The folder of the script itself, wherever it is started from (a file manager, a terminal, a login item).
const SH_HERE = `case "$0" in */*) here=\${0%/*} ;; *) here=. ;; esac
here=$(cd "$here" && pwd)`;

function shScript(comment, args, appFromHere = "app") {
  return `#!/bin/sh
# ${comment}
${SH_HERE}
exec "$here/${appFromHere}/runtime/node" "$here/${appFromHere}/bin/tessera-packaged.js" ${args}
`;
}

function cmdScript(comment, args) {
  return [`@echo off`, `rem ${comment}`, `"%~dp0app\\runtime\\node.exe" "%~dp0app\\bin\\tessera-packaged.js" ${args}`, ``].join("\r\n");
}

const START_COMMENT = "Starts the Tessera helper the Premiere Pro panel connects to; leave it running while you edit.";
const CLI_COMMENT = "The tessera command line: serve, generate, service install, doctor, --version ...";

function infoPlist(version) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CFBundleName</key><string>${HELPER}</string>
  <key>CFBundleDisplayName</key><string>${HELPER}</string>
  <key>CFBundleIdentifier</key><string>app.tessera.helper</string>
  <key>CFBundleVersion</key><string>${version}</string>
  <key>CFBundleShortVersionString</key><string>${version}</string>
  <key>CFBundlePackageType</key><string>APPL</string>
  <key>CFBundleExecutable</key><string>${HELPER}</string>
  <key>LSMinimumSystemVersion</key><string>11.0</string>
  <key>LSUIElement</key><true/>
</dict>
</plist>
`;
}

/** Writes the launchers for `platform` into the archive's top folder; returns their names. */
export function writeLaunchers(folder, platform, version) {
  if (platform.os === "win32") {
    write(join(folder, `${HELPER}.cmd`), cmdScript(START_COMMENT, "serve %*"));
    write(join(folder, "tessera.cmd"), cmdScript(CLI_COMMENT, "%*"));
    return [`${HELPER}.cmd`, "tessera.cmd"];
  }
  write(join(folder, "tessera"), shScript(CLI_COMMENT, `"$@"`), true);
  if (platform.os === "darwin") {
    // An app bundle beside app/: it runs in the background (no Dock icon) and logs to the data folder.
    const contents = join(folder, `${HELPER}.app`, "Contents");
    mkdirSync(join(contents, "MacOS"), { recursive: true });
    write(join(contents, "Info.plist"), infoPlist(version));
    write(join(contents, "MacOS", HELPER), shScript(START_COMMENT, "serve", "../../../app"), true);
    return [`${HELPER}.app`, "tessera"];
  }
  write(join(folder, HELPER), shScript(START_COMMENT, `serve "$@"`), true);
  return [HELPER, "tessera"];
}

/** The archive's README: how to start the helper and make it start at login, per platform. */
export function readme(platform, version, runtimeVersion) {
  const start = {
    win32: `Double-click "${HELPER}.cmd". To start it at every login, run in this folder:  tessera.cmd service install`,
    darwin: `Double-click "${HELPER}.app" (the first time: right-click, Open, since it is not notarised). To start it
at every login, run in Terminal in this folder:  ./tessera service install`,
    linux: `Run "./${HELPER}" (or double-click it). To start it at every login, run in this folder:
./tessera service install`,
  }[platform.os];
  return `Tessera helper ${version} for ${platform.label}

The Premiere Pro panel generates clips through this helper, which runs on this computer. Nothing here needs
Node.js or anything else installed: the folder carries its own Node ${runtimeVersion}, ffmpeg, ffprobe, ExifTool${
    platform.os === "win32" ? "" : " (run by the system's Perl)"
  } and the reference model.

${start}

The Premiere Pro panel is tessera.ccx in this folder: double-click it and Creative Cloud Desktop installs it, then
open Window > UXP Plugins > Tessera in Premiere Pro and pair it with the helper once (the panel explains how).

Keep this folder where it is once the helper is registered to start at login (the login item points here); run
"tessera service uninstall" before moving or deleting it. "tessera --version" prints the helper's version and the
panel protocol it speaks; "tessera doctor" checks ffmpeg, the model, the port and the token.
`;
}
