/**
 * Float tensors in the package's dtype. Node 20 and 22 have no Float16Array, so float16 packages take IEEE half
 * floats as Uint16Array (onnxruntime reads the same bits as a Float16Array where Node 24 has one); the pipeline
 * itself always computes in float32 (as diffusers upcasts for the scheduler step).
 */
import * as ort from "onnxruntime-node";

export type FloatDtype = "float32" | "float16";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1 && (mant & ((1 << (shift - 1)) - 1) || half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  if (mant & 0x1000 && (mant & 0xfff || half & 1)) half++; // round to nearest even
  return half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A float tensor over `data` (shared, not copied, for float32), in the package's dtype. */
export function floatTensor(dtype: FloatDtype, data: Float32Array, dims: readonly number[]): ort.Tensor {
  if (dtype === "float32") return new ort.Tensor("float32", data, dims);
  const half = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) half[i] = toHalf(data[i]!);
  return new ort.Tensor("float16", half, dims);
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor("int64", data, dims);
}

/** A float output as float32 values (a view for float32, a converted copy for float16). */
export function readFloat(tensor: ort.OnnxValue | undefined, what: string): Float32Array {
  if (!(tensor instanceof ort.Tensor)) throw new Error(`${what} is missing from the graph's outputs`);
  if (tensor.type === "float32") return tensor.data as Float32Array;
  if (tensor.type === "float16") {
    // Node 24 has Float16Array, and onnxruntime then hands float16 data over as one: values, not half-float bits
    if (!(tensor.data instanceof Uint16Array)) return Float32Array.from(tensor.data as ArrayLike<number>);
    const half = tensor.data;
    const out = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) out[i] = fromHalf(half[i]!);
    return out;
  }
  throw new Error(`${what} is ${tensor.type}, expected float32 or float16`);
}

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
