// Run by metadata.test.ts in a real Node process (jest's CommonJS sandbox cannot load the ESM-only optional
// package): makes a signing certificate, encodes a clip with C2PA configured, reads the manifest back, prints JSON.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import nodePath from "node:path";
import { closeMetadata, createEncoder, readRecord } from "../../helper-service/media/index.js";
import type { GenerationRecord } from "../../shared/protocol.js";

const [dir, recordJson] = process.argv.slice(2) as [string, string];
const record = JSON.parse(recordJson) as GenerationRecord;
const at = (name: string): string => nodePath.join(dir, name);
const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
// C2PA wants a leaf certificate (not a CA) with digitalSignature and an allowed extended key usage.
openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at("ca.key"), "-out", at("ca.pem"),
  "-days", "2", "-subj", "/CN=Test CA/O=Tessera tests", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign");
openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at("leaf.key"), "-out", at("leaf.csr"),
  "-subj", "/CN=Tessera signer/O=Tessera tests");
writeFileSync(at("ext.cnf"), "basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\n");
openssl("x509", "-req", "-in", at("leaf.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-out", at("leaf.pem"),
  "-days", "2", "-extfile", at("ext.cnf"));
writeFileSync(at("chain.pem"), readFileSync(at("leaf.pem"), "utf8") + readFileSync(at("ca.pem"), "utf8"));

const encoder = await createEncoder({
  format: "h264", out: at("signed.mp4"), fps: { num: 25, den: 1 }, width: 64, height: 32, record,
  c2pa: { certificatePath: at("chain.pem"), privateKeyPath: at("leaf.key") },
});
for (let i = 0; i < 3; i++) await encoder.write(new Uint8Array(64 * 32 * 3).fill(40 * i));
const result = await encoder.finish();
const specifier = "@contentauth/c2pa-node";
const { Reader } = (await import(specifier)) as { Reader: { fromAsset(a: { path: string }): Promise<{ json(): unknown }> } };
const manifest = JSON.stringify((await Reader.fromAsset({ path: result.path })).json());
const back = await readRecord(result.path);
await closeMetadata();
console.log(JSON.stringify({ c2pa: result.c2pa, manifestHasSourceType: manifest.includes("trainedAlgorithmicMedia"), record: back?.record }));
