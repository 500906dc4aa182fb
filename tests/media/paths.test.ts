// Paths are hostile input: a corpus of bad paths in POSIX and Windows forms (Windows ones checked with
// path.win32 on any OS), real symlinks, pipes and devices on this machine, and the paths that must stay allowed.
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import { TesseraError } from "../../shared/errors.js";
import { checkOutputPath, checkPathText, resolveMediaPath, type PathPolicy } from "../../helper-service/media/index.js";
import { ffmpegFromFrames, makeTempDir, syntheticFrame } from "./helpers.js";

// Node has no mkfifo; use the system's.
const mkfifo = (path: string): void => void execFileSync("mkfifo", [path]);

const POSIX_BAD: [string, RegExp][] = [
  ["", /empty/],
  ["   ", /empty/],
  ["clip.mp4", /not a full path/],
  ["./media/clip.mp4", /not a full path/],
  ["../../etc/passwd", /not a full path/],
  ["~/Movies/clip.mov", /not a full path/],
  ["http://example.com/clip.mp4", /URL/],
  ["https://cdn.example.com/a.mov?x=1", /URL/],
  ["file:///Users/me/clip.mov", /URL/],
  ["smb://nas/share/clip.mov", /URL/],
  ["rtmp://live.example.com/app/stream", /URL/],
  ["concat:/a.mp4|/b.mp4", /URL/],
  ["subfile,,start,0,end,100,,:/a.mp4", /URL|not a full path/],
  ["pipe:0", /URL/],
  ["data:video/mp4;base64,AAAA", /URL/],
  ["tcp://127.0.0.1:9000", /URL/],
  ["/dev/zero", /device/],
  ["/dev/sda1", /device/],
  ["/dev/../dev/random", /device/],
  ["/proc/self/environ", /device/],
  ["/sys/kernel/notes", /device/],
  ["//nas/share/clip.mov", /network share/],
  ["/run/user/1000/gvfs/smb-share:server=nas,share=media/clip.mov", /network share/],
  ["/media/clip\u0000.mp4", /control characters/],
  ["/media/clip\n.mp4", /control characters/],
  [`/${"a".repeat(5000)}.mp4`, /longer than/],
];

const WINDOWS_BAD: [string, RegExp][] = [
  ["clip.mp4", /not a full path/],
  ["media\\clip.mp4", /not a full path/],
  ["\\media\\clip.mp4", /not a full path/],
  ["C:clip.mp4", /not a full path/],
  ["\\\\.\\PhysicalDrive0", /device path/],
  ["\\\\.\\pipe\\ffmpeg", /device path/],
  ["\\\\?\\GLOBALROOT\\Device\\HarddiskVolume1\\clip.mp4", /device path/],
  ["\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\clip.mp4", /device path/],
  ["C:\\media\\CON", /reserved device name/],
  ["C:\\media\\nul.mp4", /reserved device name/],
  ["C:\\media\\COM1.mov", /reserved device name/],
  ["C:\\media\\lpt9", /reserved device name/],
  ["C:\\media\\aux.mp4.", /reserved device name/],
  ["D:\\CONIN$", /reserved device name/],
  ["C:\\media\\clip.mp4:hidden", /alternate data stream/],
  ["C:\\media\\clip.mp4::$DATA", /alternate data stream/],
  ["C:\\media\\cl|ip.mp4", /characters Windows does not allow/],
  ["C:\\media\\clip?.mp4", /characters Windows does not allow/],
  ["\\\\nas\\share\\clip.mov", /network share/],
  ["//nas/share/clip.mov", /network share/],
  ["\\\\?\\UNC\\nas\\share\\clip.mov", /network share/],
  ["\\\\evil.example.com@SSL\\DavWWWRoot\\clip.mp4", /network share/],
  ["http://example.com/clip.mp4", /URL/],
  ["file:///C:/media/clip.mp4", /URL/],
];

describe("paths refused by their text", () => {
  test.each(POSIX_BAD)("POSIX %j", (path, message) => {
    expect(() => checkPathText(path, { platform: "posix" })).toThrow(message);
    try {
      checkPathText(path, { platform: "posix" });
    } catch (err) {
      expect(err).toBeInstanceOf(TesseraError);
      expect((err as TesseraError).code).toBe("E_PATH_REFUSED");
      expect((err as TesseraError).hint.length).toBeGreaterThan(10);
    }
  });

  test.each(WINDOWS_BAD)("Windows %j", (path, message) => {
    expect(() => checkPathText(path, { platform: "win32" })).toThrow(message);
  });

  test("the corpus has at least 40 bad paths", () => {
    expect(POSIX_BAD.length + WINDOWS_BAD.length).toBeGreaterThanOrEqual(40);
  });
});

describe("paths that stay allowed", () => {
  test.each([
    ["posix", "/Volumes/NAS/Project/clip.mov", "/Volumes/NAS/Project/clip.mov"],
    ["posix", "/mnt/san/show/ep01/A001C003.mxf", "/mnt/san/show/ep01/A001C003.mxf"],
    ["posix", "/home/ed/Footage/../Footage/clip.mp4", "/home/ed/Footage/clip.mp4"],
    ["posix", "/media/clip: take 2.mov", "/media/clip: take 2.mov"],
    ["win32", "C:\\Users\\ed\\Videos\\clip.mp4", "C:\\Users\\ed\\Videos\\clip.mp4"],
    ["win32", "Z:/Show/clip.mov", "Z:\\Show\\clip.mov"],
    ["win32", "\\\\?\\D:\\very\\long\\path\\clip.mxf", "D:\\very\\long\\path\\clip.mxf"],
    ["win32", "E:\\media\\console.mp4", "E:\\media\\console.mp4"],
  ] as const)("%s %j", (platform, path, normal) => {
    expect(checkPathText(path, { platform })).toBe(normal);
  });

  test("network shares the user allowed", () => {
    const win: PathPolicy = { platform: "win32", networkRoots: ["\\\\NAS\\Media"] };
    expect(checkPathText("\\\\nas\\media\\show\\clip.mov", win)).toBe("\\\\nas\\media\\show\\clip.mov");
    expect(checkPathText("\\\\?\\UNC\\nas\\media\\clip.mov", win)).toBe("\\\\nas\\media\\clip.mov");
    expect(() => checkPathText("\\\\nas\\other\\clip.mov", win)).toThrow(/network share/);
    // ".." cannot climb above a share's root on Windows: this stays inside \\nas\media.
    expect(checkPathText("\\\\nas\\media\\..\\other\\clip.mov", win)).toBe("\\\\nas\\media\\other\\clip.mov");
    const posix: PathPolicy = { platform: "posix", networkRoots: ["//nas/media"] };
    expect(checkPathText("//nas/media/clip.mov", posix)).toBe("//nas/media/clip.mov");
    expect(() => checkPathText("//nas/private/clip.mov", posix)).toThrow(/network share/);
    expect(() => checkPathText("//nas/media/../private/clip.mov", posix)).toThrow(/network share/);
  });
});

describe("paths refused on the file system", () => {
  const temp = makeTempDir();
  const root = nodePath.join(temp.dir, "media");
  const outside = nodePath.join(temp.dir, "outside");
  const clip = nodePath.join(root, "clip.mkv");
  const secret = nodePath.join(outside, "secret.mkv");
  const policy: PathPolicy = { allowedRoots: [root] };

  beforeAll(async () => {
    mkdirSync(root);
    mkdirSync(outside);
    const frames = [0, 1, 2].map((i) => syntheticFrame(i, 32, 32));
    await ffmpegFromFrames(frames, { width: 32, height: 32, fps: "25" }, ["-c:v", "ffv1", clip]);
    await ffmpegFromFrames(frames, { width: 32, height: 32, fps: "25" }, ["-c:v", "ffv1", secret]);
    symlinkSync(secret, nodePath.join(root, "escape.mkv"));
    symlinkSync(outside, nodePath.join(root, "linked-dir"));
    symlinkSync("/dev/zero", nodePath.join(root, "zero.mp4"));
    symlinkSync("/proc/self/environ", nodePath.join(root, "environ.mov"));
    symlinkSync(clip, nodePath.join(root, "inside-link.mkv"));
    symlinkSync(nodePath.join(root, "nowhere.mp4"), nodePath.join(root, "dangling.mp4"));
    mkfifo(nodePath.join(root, "pipe.mp4"));
    mkdirSync(nodePath.join(root, "folder.mov"));
    writeFileSync(nodePath.join(root, "empty.mp4"), "");
    writeFileSync(nodePath.join(root, "notes.txt"), "not a video");
    writeFileSync(nodePath.join(root, "script.sh"), "#!/bin/sh\n");
    writeFileSync(nodePath.join(root, "playlist.m3u8"), "#EXTM3U\nhttp://example.com/a.ts\n");
  });
  afterAll(() => temp.remove());

  test.each([
    ["escape.mkv", "E_PATH_REFUSED", /link that leaves the allowed folders/],
    ["linked-dir/secret.mkv", "E_PATH_REFUSED", /leaves the allowed folders/],
    ["zero.mp4", "E_PATH_REFUSED", /not allowed.*device/],
    ["environ.mov", "E_PATH_REFUSED", /not allowed.*device/],
    ["pipe.mp4", "E_PATH_REFUSED", /named pipe/],
    ["folder.mov", "E_PATH_REFUSED", /a folder/],
    ["dangling.mp4", "E_MEDIA_UNSUPPORTED", /does not exist/],
    ["missing.mp4", "E_MEDIA_UNSUPPORTED", /does not exist/],
    ["empty.mp4", "E_MEDIA_UNSUPPORTED", /empty/],
    ["notes.txt", "E_MEDIA_UNSUPPORTED", /not a video file/],
    ["script.sh", "E_MEDIA_UNSUPPORTED", /not a video file/],
    ["playlist.m3u8", "E_MEDIA_UNSUPPORTED", /not a video file/],
  ])("%s -> %s", async (name, code, message) => {
    const attempt = resolveMediaPath(nodePath.join(root, name), "video", policy);
    await expect(attempt).rejects.toMatchObject({ code });
    await expect(attempt).rejects.toThrow(message);
  });

  test("files outside the allowed roots, even without links", async () => {
    await expect(resolveMediaPath(secret, "video", policy)).rejects.toThrow(/outside the allowed folders/);
  });

  test("regular files and links that stay inside are allowed, resolved to their real path", async () => {
    expect(await resolveMediaPath(clip, "video", policy)).toBe(clip);
    expect(await resolveMediaPath(nodePath.join(root, "inside-link.mkv"), "video", policy)).toBe(clip);
    expect(await resolveMediaPath(secret, "video")).toBe(secret); // no roots configured: any local file
  });

  test("outputs: only inside the output roots, never through a link", async () => {
    expect(await checkOutputPath(nodePath.join(root, "new.mp4"), [root])).toBe(nodePath.join(root, "new.mp4"));
    await expect(checkOutputPath(nodePath.join(outside, "new.mp4"), [root])).rejects.toMatchObject({ code: "E_PATH_REFUSED" });
    await expect(checkOutputPath(nodePath.join(root, "linked-dir", "new.mp4"), [root])).rejects.toMatchObject({ code: "E_PATH_REFUSED" });
    await expect(checkOutputPath(nodePath.join(root, "inside-link.mkv"), [root])).rejects.toThrow(/does not write through links/);
    await expect(checkOutputPath("/dev/null", [root])).rejects.toMatchObject({ code: "E_PATH_REFUSED" });
  });
});
