/**
 * rediss:// with the studio's own CA and a password, against a real redis-server with TLS: `tessera farm status`
 * connects with --farm-ca; without the CA, or with a wrong password, it fails with the reason and the fix.
 */
import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../server/support.js";
import { BIN, RedisServer, redisAvailable } from "./support.js";

const exec = promisify(execFile);

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A CA and a server certificate for localhost signed by it. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj", "/CN=Tessera test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("redis.key"), "-out", p("redis.csr"), "-subj", "/CN=localhost");
  writeFileSync(p("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  ssl("x509", "-req", "-in", p("redis.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("redis.crt"), "-days", "2", "-extfile", p("san.ext"));
  return { ca: p("ca.crt"), cert: p("redis.crt"), key: p("redis.key") };
}

const run = redisAvailable() && hasOpenssl() ? test : test.skip;

run("farm status over rediss:// with the CA file and a password; clear failures without them", async () => {
  const tls = makeCertificates(tempDir("tessera-tls-"));
  const redis = await RedisServer.start({ tls, password: "s3cret pass" });
  const url = `rediss://:s3cret%20pass@localhost:${redis.port}/0`;
  try {
    const ok = await exec(process.execPath, [BIN, "farm", "status", "--farm", url, "--farm-ca", tls.ca, "--json"]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ workers: [], counts: { active: 0 } });

    const fail = (args: string[]) => exec(process.execPath, [BIN, "farm", "status", ...args]).then(() => undefined, (error: { code: number; stderr: string }) => error);
    // independent command lines, run side by side
    const [noCa, wrongPassword, plainWithCa] = await Promise.all([
      fail(["--farm", url]),
      fail(["--farm", `rediss://:nope@localhost:${redis.port}`, "--farm-ca", tls.ca]),
      fail(["--farm", `redis://localhost:${redis.port}`, "--farm-ca", tls.ca]),
    ]);
    expect(noCa?.code).toBe(1);
    expect(noCa?.stderr).toMatch(/Redis server cannot be reached/);
    expect(noCa?.stderr).toMatch(/fix: .*TLS CA file/);
    expect(noCa?.stderr).not.toMatch(/s3cret/);
    expect(wrongPassword?.code).toBe(1);
    expect(wrongPassword?.stderr).toMatch(/WRONGPASS|invalid username-password/i);
    expect(plainWithCa?.code).toBe(2);
    expect(plainWithCa?.stderr).toMatch(/rediss:\/\//);
  } finally {
    await redis.stop();
  }
}, 60_000);
