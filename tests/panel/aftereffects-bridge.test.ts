// The JSON bridge on its own: every kind of answer CEP can hand back, and arguments that must survive the trip
// into ExtendScript source unchanged.
import { z } from "zod";
import { AfterEffectsError, callScript, EVALSCRIPT_ERROR, JsxBridge, scriptLiteral } from "../../panel/host/aftereffects/bridge.js";
import { FootageSchema, StateSchema } from "../../panel/host/aftereffects/schemas.js";
import { afterEffects } from "./fakes/after-effects.js";

const answering = (...replies: string[]) => {
  const scripts: string[] = [];
  const evaluate = async (script: string) => {
    scripts.push(script);
    return replies.length > 1 ? (replies.shift() as string) : (replies[0] as string);
  };
  return { evaluate, scripts };
};

async function failure(bridge: JsxBridge): Promise<AfterEffectsError> {
  const error = await bridge.call("readState", {}, StateSchema).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AfterEffectsError);
  return error as AfterEffectsError;
}

describe("JsxBridge replies", () => {
  test("CEP's bare EvalScript error becomes a sentence that says to reopen or reinstall", async () => {
    const error = await failure(new JsxBridge(answering(EVALSCRIPT_ERROR).evaluate));
    expect(error.code).toBe("evalscript");
    expect(error.message).toMatch(/could not run Tessera's readState script .*reinstall the extension/);
  });

  test.each([
    ["not JSON", "undefined"],
    ["truncated JSON", '{"ok":true,"value":{"proj'],
    ["JSON without the envelope", '{"project":null,"comp":null}'],
    ["an envelope with a wrong ok", '{"ok":"yes","value":{}}'],
    ["an error without a message", '{"ok":false,"error":{"code":"x"}}'],
  ])("%s is refused as malformed, quoting what came back", async (_what, reply) => {
    const error = await failure(new JsxBridge(answering(reply).evaluate));
    expect(error.code).toBe("malformed");
    expect(error.message).toContain(reply.slice(0, 20));
  });

  test("a value of the wrong shape names the field", async () => {
    const reply = JSON.stringify({ ok: true, value: { project: null, comp: { id: 1, name: "C", frameRate: "fast" } } });
    const error = await failure(new JsxBridge(answering(reply).evaluate));
    expect(error.code).toBe("malformed");
    expect(error.message).toMatch(/data Tessera does not understand at comp\.frameRate/);
  });

  test("an ExtendScript error arrives with host.jsx's code and sentence", async () => {
    const reply = JSON.stringify({ ok: false, error: { code: "locked", message: 'The layer "A" is locked: unlock it.', line: null } });
    const error = await failure(new JsxBridge(answering(reply).evaluate));
    expect(error).toMatchObject({ code: "locked", message: 'The layer "A" is locked: unlock it.' });
  });

  test("host.jsx not loaded: the loader runs once, then the call is repeated", async () => {
    const ok = JSON.stringify({ ok: true, value: { project: null, comp: null } });
    const stub = answering("tessera-not-loaded", "true", ok, ok);
    const bridge = new JsxBridge(stub.evaluate, { loader: '$.evalFile("/ext/host/host.jsx")' });
    expect(await bridge.call("readState", {}, StateSchema)).toEqual({ project: null, comp: null });
    expect(await bridge.call("readState", {}, StateSchema)).toEqual({ project: null, comp: null });
    expect(stub.scripts.filter((s) => s.startsWith("$.evalFile"))).toHaveLength(1);
  });

  test("host.jsx not loaded and no loader: a sentence that says to reinstall", async () => {
    const error = await failure(new JsxBridge(answering("tessera-not-loaded").evaluate));
    expect(error).toMatchObject({ code: "not-loaded", message: expect.stringContaining("reinstall the extension") });
  });
});

describe("arguments reach ExtendScript unchanged", () => {
  test("quotes, backslashes, line and paragraph separators and non-ASCII survive a round trip through host.jsx", async () => {
    const fx = afterEffects();
    const path = 'C:\\Edit\\"Night" shoot\u2028take\u2029 2 — café 東京.mp4';
    const bridge = new JsxBridge(async (script) => fx.run(script));
    const item = await bridge.call("importFootage", { path, folder: "Tessera Media" }, FootageSchema);
    expect(item.path).toBe(path);
    expect(scriptLiteral("a\u2028b")).toBe('"a\\u2028b"');
    // the script itself is plain ASCII, whatever it carries
    expect(callScript("importFootage", { path: `${path} 😀` })).toMatch(/^[\x20-\x7e]*$/);
  });

  test("an unknown call is answered as a structured error, not an exception", () => {
    const fx = afterEffects();
    const reply = JSON.parse(fx.run(callScript("readState", {}).replace('"readState"', '"formatDisk"')));
    expect(reply).toEqual({ ok: false, error: { code: "unknown-call", message: expect.stringContaining('"formatDisk"') } });
  });

  test("a script that throws outside host.jsx's guard is CEP's EvalScript error", () => {
    const fx = afterEffects();
    expect(fx.run("app.project.itemByID(1).nothing.here")).toBe(EVALSCRIPT_ERROR);
    expect(z.string().parse(fx.run('tesseraCall("readState", {})'))).toContain('"ok":true');
  });
});
