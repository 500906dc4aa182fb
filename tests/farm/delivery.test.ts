/**
 * File delivery from a worker to the coordinator, in process: the upload resumes from the bytes that already
 * arrived, a damaged partial file is dropped by the sha256 check and sent again, a wrong token and an unknown
 * job are refused, and nothing is written outside the name the coordinator chose.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startReceiver, type Receiver } from "../../helper-service/farm/receiver.js";
import { uploadFile } from "../../helper-service/farm/uploader.js";
import { tempDir } from "../server/support.js";

const TOKEN = "ab".repeat(32);
const JOB = "0b8e6b55-2f7b-4a43-9c43-3f0f3c1b9a10";

let receiver: Receiver;
let folder: string;
let source: string;
let data: Buffer;
const target = () => join(folder, ".clip.tessera-farm-k1.mp4");

beforeEach(async () => {
  folder = tempDir("tessera-receive-");
  source = join(tempDir("tessera-send-"), "clip.mp4");
  data = randomBytes(300_000);
  writeFileSync(source, data);
  receiver = await startReceiver({ token: TOKEN, host: "127.0.0.1", port: 0, target: (jobId, key) => (jobId === JOB && key === "k1" ? target() : undefined) });
});
afterEach(() => receiver.close());

const url = (job = JOB, key = "k1") => `http://127.0.0.1:${receiver.port}/farm/v1/uploads/${job}/${key}`;
const sha = () => createHash("sha256").update(data).digest("hex");

test("a whole upload arrives byte for byte under the coordinator's name", async () => {
  await uploadFile({ url: url(), token: TOKEN, file: source, sha256: sha() });
  expect(readFileSync(target()).equals(data)).toBe(true);
  expect(readdirSync(folder)).toEqual([".clip.tessera-farm-k1.mp4"]);
});

test("an interrupted upload resumes from the bytes already there", async () => {
  writeFileSync(target(), data.subarray(0, 123_456));
  await uploadFile({ url: url(), token: TOKEN, file: source, sha256: sha() });
  expect(readFileSync(target()).equals(data)).toBe(true);
});

test("a damaged partial file fails the sha256 check, is dropped and sent again", async () => {
  writeFileSync(target(), randomBytes(1000));
  await uploadFile({ url: url(), token: TOKEN, file: source, sha256: sha() });
  expect(readFileSync(target()).equals(data)).toBe(true);
});

test("a file that never matches its checksum is reported, not kept", async () => {
  await expect(uploadFile({ url: url(), token: TOKEN, file: source, sha256: "0".repeat(64) })).rejects.toMatchObject({ code: "E_FARM_DELIVERY", message: expect.stringMatching(/sha256 check twice/) });
  expect(existsSync(target())).toBe(false);
});

test("a wrong token is refused with the fix; an unknown job or a hostile path gets nothing", async () => {
  await expect(uploadFile({ url: url(), token: "cd".repeat(32), file: source, sha256: sha() })).rejects.toMatchObject({ code: "E_FARM_DELIVERY", hint: expect.stringMatching(/farm-token-file/) });
  await expect(uploadFile({ url: url("1b8e6b55-2f7b-4a43-9c43-3f0f3c1b9a10"), token: TOKEN, file: source, sha256: sha(), deadlineMs: 600 })).rejects.toMatchObject({ code: "E_FARM_DELIVERY" });
  const hostile = await fetch(`http://127.0.0.1:${receiver.port}/farm/v1/uploads/${JOB}/..%2F..%2Fetc`, { method: "PATCH", headers: { Authorization: `Bearer ${TOKEN}`, "Upload-Offset": "0" }, body: "x" });
  expect(hostile.status).toBe(404);
  const wrongOffset = await fetch(url(), { method: "PATCH", headers: { Authorization: `Bearer ${TOKEN}`, "Upload-Offset": "5" }, body: "x" });
  expect(wrongOffset.status).toBe(409);
  expect(wrongOffset.headers.get("upload-offset")).toBe("0");
  expect(readdirSync(folder)).toEqual([]);
});
