import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { ERRORS, ERROR_CODES, TesseraError, toErrorBody } from "../../shared/errors.js";
import { MAX_MESSAGE_BYTES, parseClientMessage, parseHelperMessage } from "../../shared/parse.js";
import { decodePreview, encodePreview, PREVIEW_HEADER_BYTES } from "../../shared/preview-header.js";
import { GenerationRequestSchema, type ClientMessageInput } from "../../shared/protocol.js";

const request = {
  prompt: "a red circle moving left on a dark blue background",
  seed: 42,
  frames: 96,
  fps: { num: 24000, den: 1001 },
  width: 1920,
  height: 1080,
};

function send(message: ClientMessageInput | Record<string, unknown>) {
  return parseClientMessage(JSON.stringify(message));
}

describe("client messages", () => {
  it("accepts a generate request and fills in the defaults", () => {
    const parsed = send({ type: "generate", requestId: "r1", clientJobId: "c1", request });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.message.type !== "generate") throw new Error("expected generate");
    expect(parsed.message.request.handles).toBe(0);
    expect(parsed.message.request.negativePrompt).toBe("");
    expect(parsed.message.request.output.format).toBe("h264");
    expect(parsed.message.request.fit).toBe("fill");
  });

  it("accepts every message the panel sends", () => {
    const jobId = randomUUID();
    const messages: ClientMessageInput[] = [
      { type: "hello", protocol: 1, token: "t".repeat(64), client: { name: "panel", version: "0.1.0" } },
      { type: "pair.request" },
      { type: "pair", code: "012345" },
      { type: "cancel", requestId: "r2", jobId },
      { type: "history.query", requestId: "r3", text: "circle", limit: 10 },
      { type: "models.list", requestId: "r4" },
      { type: "system.get", requestId: "r5" },
    ];
    for (const m of messages) expect(send(m)).toMatchObject({ ok: true, message: { type: m.type } });
  });

  it("names the bad field with its path and echoes the requestId", () => {
    const parsed = send({ type: "generate", requestId: "r9", clientJobId: "c1", request: { ...request, fps: { num: 24, den: 0 } } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.type).toBe("error");
    expect(parsed.error.code).toBe("E_BAD_MESSAGE");
    expect(parsed.error.requestId).toBe("r9");
    expect(parsed.error.message).toContain("request.fps.den");
    expect(parsed.error.hint).toBe(ERRORS.E_BAD_MESSAGE.hint);
  });

  it.each([
    ["not JSON", "{type: hello"],
    ["an array", "[1,2]"],
    ["an unknown type", JSON.stringify({ type: "launch.missiles", requestId: "x" })],
    ["a hello for protocol 2", JSON.stringify({ type: "hello", protocol: 2, token: "x" })],
    ["a pairing code of 5 digits", JSON.stringify({ type: "pair", code: "12345" })],
    ["a cancel with a non-UUID job", JSON.stringify({ type: "cancel", requestId: "r", jobId: "../../etc" })],
    ["an empty prompt", JSON.stringify({ type: "generate", requestId: "r", clientJobId: "c", request: { ...request, prompt: "   " } })],
    ["zero frames", JSON.stringify({ type: "generate", requestId: "r", clientJobId: "c", request: { ...request, frames: 0 } })],
    ["an hour-long clip", JSON.stringify({ type: "generate", requestId: "r", clientJobId: "c", request: { ...request, frames: 24 * 3600 } })],
    ["conditioning without a source", JSON.stringify({ type: "generate", requestId: "r", clientJobId: "c", request: { ...request, conditioning: {} } })],
    ["a media range that ends before it starts", JSON.stringify({ type: "generate", requestId: "r", clientJobId: "c", request: { ...request, conditioning: { before: { kind: "media", path: "/a.mov", inFrame: 10, outFrame: 5 } } } })],
    ["a history limit of 10000", JSON.stringify({ type: "history.query", requestId: "r", limit: 10000 })],
  ])("refuses %s with an error reply", (_name, text) => {
    const parsed = parseClientMessage(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message.length).toBeGreaterThan(ERRORS.E_BAD_MESSAGE.message.length);
  });

  it("refuses a message over 1 MiB before parsing it", () => {
    const parsed = parseClientMessage(" ".repeat(MAX_MESSAGE_BYTES + 1));
    expect(parsed).toMatchObject({ ok: false, error: { code: "E_BAD_MESSAGE" } });
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseClientMessage(JSON.stringify(value));
        return parsed.ok ? typeof parsed.message.type === "string" : parsed.error.type === "error";
      }),
      { numRuns: 500 },
    );
  });
});

describe("helper messages", () => {
  it("accepts a progress event and refuses a fraction above 1", () => {
    const jobId = randomUUID();
    const progress = { type: "job.progress", jobId, phase: "denoise", window: { index: 0, count: 2 }, step: 3, steps: 20, fraction: 0.2, etaSeconds: 4.5 };
    expect(parseHelperMessage(JSON.stringify(progress)).ok).toBe(true);
    expect(parseHelperMessage(JSON.stringify({ ...progress, fraction: 1.5 })).ok).toBe(false);
    expect(parseHelperMessage(JSON.stringify({ ...progress, phase: "dream" })).ok).toBe(false);
  });

  it("only knows the error codes in the table", () => {
    const reply = { type: "error", code: "E_POLICY", message: "m", hint: "h" };
    expect(parseHelperMessage(JSON.stringify(reply)).ok).toBe(true);
    expect(parseHelperMessage(JSON.stringify({ ...reply, code: "E_MADE_UP" })).ok).toBe(false);
  });
});

describe("generation request", () => {
  it("keeps a 10-minute limit in sequence time, whatever the fps", () => {
    const at = (frames: number, num: number, den: number) =>
      GenerationRequestSchema.safeParse({ ...request, frames, fps: { num, den } }).success;
    expect(at(600 * 24, 24, 1)).toBe(true);
    expect(at(600 * 24 + 1, 24, 1)).toBe(false);
    expect(at(35964, 60000, 1001)).toBe(true); // 599.99 s
  });
});

describe("error table", () => {
  it("gives every code a message and a hint", () => {
    for (const code of ERROR_CODES) {
      expect(ERRORS[code].message).toMatch(/\.$/);
      expect(ERRORS[code].hint.length).toBeGreaterThan(10);
    }
  });

  it("turns thrown values into replies", () => {
    expect(toErrorBody(new TesseraError("E_POLICY", "(rule: weapons)"))).toEqual({
      code: "E_POLICY",
      message: `${ERRORS.E_POLICY.message} (rule: weapons)`,
      hint: ERRORS.E_POLICY.hint,
    });
    expect(toErrorBody(new Error("boom"))).toMatchObject({ code: "E_INTERNAL", message: expect.stringContaining("boom") });
  });
});

describe("preview header", () => {
  it("round-trips any header and image", () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffff }),
        fc.integer({ min: 1, max: 0xffff }),
        fc.uint8Array({ maxLength: 64 }),
        (jobId, frameIndex, width, height, image) => {
          const decoded = decodePreview(encodePreview({ jobId, frameIndex, width, height, format: "jpeg" }, image));
          expect(decoded).toEqual({ ok: true, header: { jobId, frameIndex, width, height, format: "jpeg" }, image });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads the header from an ArrayBuffer slice, as UXP delivers it", () => {
    const jobId = randomUUID();
    const bytes = encodePreview({ jobId, frameIndex: 7, width: 64, height: 32, format: "jpeg" }, new Uint8Array([0xff, 0xd8]));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(decodePreview(buffer)).toMatchObject({ ok: true, header: { jobId, frameIndex: 7 } });
  });

  it("refuses frames that are not previews", () => {
    expect(decodePreview(new Uint8Array(PREVIEW_HEADER_BYTES - 1))).toMatchObject({ ok: false });
    const bytes = encodePreview({ jobId: randomUUID(), frameIndex: 0, width: 1, height: 1, format: "jpeg" }, new Uint8Array(0));
    bytes[0] = 0x58;
    expect(decodePreview(bytes)).toEqual({ ok: false, reason: "wrong magic" });
    bytes[0] = 0x54;
    bytes[4] = 9;
    expect(decodePreview(bytes)).toEqual({ ok: false, reason: "unknown preview version 9" });
  });

  it("refuses a job id that is not a UUID and sizes that do not fit", () => {
    expect(() => encodePreview({ jobId: "nope", frameIndex: 0, width: 1, height: 1, format: "jpeg" }, new Uint8Array())).toThrow(RangeError);
    expect(() => encodePreview({ jobId: randomUUID(), frameIndex: 0, width: 70000, height: 1, format: "jpeg" }, new Uint8Array())).toThrow(RangeError);
  });
});

describe("sound, loops and drafts in a request", () => {
  const request = { prompt: "waves", seed: 1, frames: 48, fps: { num: 24, den: 1 }, width: 1920, height: 1080 };

  test("absent, they mean: continue the sound, no loop, final quality (older clients still validate)", () => {
    const parsed = GenerationRequestSchema.parse(request);
    expect([parsed.audio, parsed.loop, parsed.quality, parsed.audioSources]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("each takes only its own values; a loop has no handles and no conditioning", () => {
    expect(GenerationRequestSchema.parse({ ...request, audio: "none", loop: true, quality: "draft" })).toMatchObject({ audio: "none", loop: true, quality: "draft" });
    expect(GenerationRequestSchema.safeParse({ ...request, audio: "loud" }).success).toBe(false);
    expect(GenerationRequestSchema.safeParse({ ...request, quality: "best" }).success).toBe(false);
    const withHandles = GenerationRequestSchema.safeParse({ ...request, loop: true, handles: 12 });
    expect(withHandles.success).toBe(false);
    expect(withHandles.error?.issues[0]?.message).toMatch(/a loop .* has no handles/);
    const conditioned = { before: { kind: "media", path: "/m/a.mp4", inFrame: 0, outFrame: 10 } };
    expect(GenerationRequestSchema.safeParse({ ...request, loop: true, conditioning: conditioned }).success).toBe(false);
    expect(GenerationRequestSchema.safeParse({ ...request, audioSources: { before: { path: "/m/a.mp4", inFrame: 5, outFrame: 5 } } }).success).toBe(false);
  });
});
