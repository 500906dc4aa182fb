// Python-vs-Node parity: runs each graph of a package with onnxruntime-node on the inputs torch saved
// (export.py --parity DIR) and compares with torch's outputs.
//   node training/parity.mjs PACKAGE_DIR PARITY_DIR
// Exit 1 when any max |diff| exceeds the tolerance (1e-3; the contract's bound for denoiser and decoder).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";

const TOLERANCE = 1e-3;
const [pkgDir, parityDir] = process.argv.slice(2);
if (!pkgDir || !parityDir) {
  console.error("usage: node training/parity.mjs PACKAGE_DIR PARITY_DIR");
  process.exit(2);
}

function readTensor(spec) {
  const buf = readFileSync(join(parityDir, spec.file));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = spec.dtype === "int64" ? new BigInt64Array(ab) : new Float32Array(ab);
  return new ort.Tensor(spec.dtype, data, spec.shape);
}

const manifest = JSON.parse(readFileSync(join(parityDir, "manifest.json"), "utf8"));
const report = {};
let ok = true;
for (const [name, entry] of Object.entries(manifest)) {
  const session = await ort.InferenceSession.create(join(pkgDir, entry.graph), { intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(Object.entries(entry.inputs).map(([k, s]) => [k, readTensor(s)]));
  const results = await session.run(feeds);
  for (const [out, spec] of Object.entries(entry.outputs)) {
    const want = readTensor(spec).data;
    const got = results[out];
    if (got.dims.join(",") !== spec.shape.join(",")) {
      report[`${name}.${out}`] = { error: `shape ${got.dims} != ${spec.shape}` };
      ok = false;
      continue;
    }
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got.data[i] - want[i]);
      if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
      maxRef = Math.max(maxRef, Math.abs(want[i]));
    }
    const pass = maxDiff <= TOLERANCE;
    ok &&= pass;
    report[`${name}.${out}`] = { maxAbsDiff: maxDiff, maxAbsRef: maxRef, pass };
  }
  await session.release();
}
console.log(JSON.stringify({ package: pkgDir, tolerance: TOLERANCE, ok, results: report }, null, 1));
process.exit(ok ? 0 : 1);
