// A jest node environment in which typed arrays are the host's own. onnxruntime-node's native binding returns
// outputs as host-realm typed arrays, and onnxruntime-common checks them with `instanceof Float32Array` inside the
// test's realm, which fails in jest's default sandbox ("A float32 tensor's data must be type of Float32Array").
// Jest already shares ArrayBuffer and Uint8Array this way; this shares the rest.
// Use per file: /** @jest-environment ./tests/inference/ort-environment.js */
import { TestEnvironment } from "jest-environment-node";

const TYPED_ARRAYS = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];

export default class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
