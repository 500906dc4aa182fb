// Locating ffmpeg/ffprobe (setting > env > npm package > PATH) and the doctor report `tessera doctor` prints.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import { doctorMedia, locateTool, MediaDoctorReportSchema } from "../../helper-service/media/index.js";
import { makeTempDir } from "./helpers.js";

const temp = makeTempDir();
afterAll(() => temp.remove());
const systemFfmpeg = "/usr/bin/ffmpeg";
const hasSystem = existsSync(systemFfmpeg) && existsSync("/usr/bin/ffprobe");

describe("locating the binaries", () => {
  test("the npm-shipped binaries come before the PATH", () => {
    const ffmpeg = locateTool("ffmpeg", { env: { PATH: "/usr/bin" } });
    expect(ffmpeg.source).toBe("npm");
    expect(ffmpeg.path).toMatch(/@ffmpeg-installer/);
    expect(locateTool("ffprobe", { env: { PATH: "/usr/bin" } }).path).toMatch(/@ffprobe-installer/);
  });

  test("an explicit setting beats the environment, which beats the npm packages", () => {
    const fake = nodePath.join(temp.dir, "my-ffmpeg");
    writeFileSync(fake, "#!/bin/sh\n", { mode: 0o755 });
    expect(locateTool("ffmpeg", { env: { TESSERA_FFMPEG: fake } })).toEqual({ tool: "ffmpeg", path: fake, source: "env" });
    expect(locateTool("ffmpeg", { ffmpegPath: fake, env: { TESSERA_FFMPEG: "/nope" } })).toEqual({ tool: "ffmpeg", path: fake, source: "setting" });
  });

  test("a setting that names a missing or non-executable file is an error with a fix, not a silent fallback", () => {
    const plain = nodePath.join(temp.dir, "not-executable");
    writeFileSync(plain, "", { mode: 0o644 });
    for (const path of ["/nonexistent/ffmpeg", plain, "relative/ffmpeg", temp.dir]) {
      expect(() => locateTool("ffmpeg", { env: { TESSERA_FFMPEG: path } })).toThrow(/TESSERA_FFMPEG=.*not an executable file/);
    }
    expect(() => locateTool("ffprobe", { ffprobePath: "/nonexistent/ffprobe" })).toThrow(
      expect.objectContaining({ code: "E_FFMPEG_MISSING", hint: expect.stringMatching(/full path/) }),
    );
  });

  (hasSystem ? test : test.skip)("without the npm packages the PATH is used; nothing anywhere is E_FFMPEG_MISSING", () => {
    expect(locateTool("ffmpeg", { skipNpm: true, env: { PATH: "/usr/bin" } })).toEqual({ tool: "ffmpeg", path: systemFfmpeg, source: "system" });
    const empty = nodePath.join(temp.dir, "empty-bin");
    mkdirSync(empty);
    expect(() => locateTool("ffmpeg", { skipNpm: true, env: { PATH: `${empty}:relative/dir` } })).toThrow(/Tried TESSERA_FFMPEG/);
  });
});

describe("doctorMedia", () => {
  test("reports both tools, their versions, the encoders outputs need, exiftool and optional C2PA", async () => {
    const report = MediaDoctorReportSchema.parse(await doctorMedia());
    expect(report.ok).toBe(true);
    expect(report.ffmpeg).toMatchObject({ source: "npm", version: expect.any(String) });
    expect(report.ffprobe).toMatchObject({ source: "npm" });
    expect(report.encoders).toEqual({ libx264: true, prores_ks: true, png: true });
    expect(report.checks.map((c) => c.name)).toEqual(["ffmpeg", "ffprobe", "encoders", "exiftool", "c2pa"]);
    const c2pa = report.checks.find((c) => c.name === "c2pa");
    expect(c2pa?.optional).toBe(true);
  });

  test("a broken ffmpeg setting fails the report with the fix", async () => {
    const report = await doctorMedia({ ffmpegPath: "/nonexistent/ffmpeg" });
    expect(report.ok).toBe(false);
    expect(report.ffmpeg).toBeNull();
    expect(report.checks[0]).toMatchObject({ name: "ffmpeg", ok: false, fix: expect.stringMatching(/full path/) });
  });

  (hasSystem ? test : test.skip)("an ffmpeg without the needed encoders is reported with a fix", async () => {
    // A stand-in ffmpeg that answers -version but lists only one encoder.
    const fake = nodePath.join(temp.dir, "thin-ffmpeg");
    writeFileSync(fake, `#!/bin/sh\nif [ "$2" = "-encoders" ]; then echo " V....D png                  PNG"; else ${systemFfmpeg} "$@"; fi\n`, { mode: 0o755 });
    const report = await doctorMedia({ ffmpegPath: fake });
    expect(report.ok).toBe(false);
    expect(report.encoders).toEqual({ libx264: false, prores_ks: false, png: true });
    expect(report.checks.find((c) => c.name === "encoders")).toMatchObject({ ok: false, detail: "missing: libx264, prores_ks", fix: expect.any(String) });
  });
});
