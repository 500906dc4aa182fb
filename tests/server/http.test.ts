/** Plain HTTP on the helper's port: /health, the Host check, and the harness with its boot script. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { Helper } from "../../helper-service/server/helper.js";
import { BOOT_PLACEHOLDER, bootScript } from "../../helper-service/server/http.js";
import { startFakeHelper, stopHelper } from "./support.js";

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("with the harness", () => {
  let helper: Helper;
  const harness = mkdtempSync(join(tmpdir(), "tessera-harness-"));
  beforeAll(async () => {
    writeFileSync(join(harness, "index.html"), `<!doctype html><head>${BOOT_PLACEHOLDER}</head><body>harness</body>`);
    writeFileSync(join(harness, "app.js"), "console.log('app');");
    mkdirSync(join(harness, "assets"));
    writeFileSync(join(harness, "assets", "icon.svg"), "<svg/>");
    writeFileSync(join(harness, "..", "secret.txt"), "outside");
    symlinkSync("/etc/passwd", join(harness, "passwd.js"));
    helper = await startFakeHelper({ harness });
  });
  afterAll(async () => {
    await stopHelper(helper);
  });

  test("GET /health names version, device and models and nothing secret", async () => {
    const res = await get(helper.port, "/health");
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toEqual({ name: "tessera", version: expect.any(String), device: "fake-cpu", models: [{ id: "fake-model", version: "1.0.0" }] });
    expect(res.body).not.toContain(helper.token);
  });

  test("the page carries this helper's token and port, and refuses to be framed", async () => {
    const res = await get(helper.port, "/", `localhost:${helper.port}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain(bootScript(helper.token, helper.port));
    expect(res.body).toContain(`window.__TESSERA_BOOT__={"token":"${helper.token}","port":${helper.port}}`);
    expect(res.body).not.toContain(BOOT_PLACEHOLDER);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("static files are served from the harness folder only", async () => {
    expect((await get(helper.port, "/app.js")).body).toContain("console.log");
    expect((await get(helper.port, "/assets/icon.svg")).headers["content-type"]).toBe("image/svg+xml");
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt", "/passwd.js", "/missing.js", "/.hidden"]) {
      const res = await get(helper.port, path);
      expect([400, 404]).toContain(res.status);
      expect(res.body).not.toContain("outside");
      expect(res.body).not.toContain("root:");
    }
  });

  test("a foreign Host gets nothing, so a rebinding page cannot read the token", async () => {
    for (const host of ["evil.example", `evil.example:${helper.port}`, `127.0.0.1:${helper.port + 1}`]) {
      const res = await get(helper.port, "/", host);
      expect(res.status).toBe(421);
      expect(res.body).not.toContain(helper.token);
      expect((await get(helper.port, "/health", host)).status).toBe(421);
    }
  });
});

describe("without a built harness", () => {
  test("the page says to run npm run build; with --harness off there is no page", async () => {
    const empty = mkdtempSync(join(tmpdir(), "tessera-noharness-"));
    const helper = await startFakeHelper({ harness: empty });
    const res = await get(helper.port, "/");
    expect(res.status).toBe(503);
    expect(res.body).toContain("npm run build");
    await stopHelper(helper);
    const plain = await startFakeHelper();
    const off = await get(plain.port, "/");
    expect(off.status).toBe(404);
    expect(off.body).not.toContain(plain.token);
    await stopHelper(plain);
  });
});
