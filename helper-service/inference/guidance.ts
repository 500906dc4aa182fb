/**
 * Classifier-free guidance with both branches in one run: the batch is [conditional, unconditional] (B = 2) and
 * v = v_u + g (v_c - v_u). With g = 1 that is just v_c, so the batch is 1 and the negative prompt is not needed.
 */

export function guidanceBatch(guidance: number): 1 | 2 {
  return guidance === 1 ? 1 : 2;
}

/** Writes the guided velocity of a [B, ...] output into `out` (length of one batch item). */
export function combineGuidance(out: Float32Array, velocity: Float32Array, guidance: number): Float32Array {
  const n = out.length;
  if (velocity.length === n) {
    out.set(velocity);
    return out;
  }
  if (velocity.length !== 2 * n) throw new RangeError(`velocity has ${velocity.length} values, expected ${n} or ${2 * n}`);
  for (let i = 0; i < n; i++) {
    const vc = velocity[i]!;
    const vu = velocity[n + i]!;
    out[i] = vu + guidance * (vc - vu);
  }
  return out;
}

/** Copies one batch item into each of the B slots of a batched buffer. */
export function fillBatch(batched: Float32Array, item: Float32Array): void {
  for (let offset = 0; offset < batched.length; offset += item.length) batched.set(item, offset);
}
