/**
 * Rectified-flow sampling with Euler steps, stateless: the grid is a plain array and a step is a pure update.
 *
 * x_t = (1 - t) x0 + t eps, the network predicts v = eps - x0. The grid has steps + 1 points from 1 to 0 on the
 * shifted schedule t' = s t / (1 + (s - 1) t); the model is fed t'. Euler: x <- x + (t'_{i+1} - t'_i) v.
 *
 * This is exactly diffusers' FlowMatchEulerDiscreteScheduler (static shift) as its video pipelines call it:
 * `set_timesteps(n, sigmas=np.linspace(1.0, 1 / n, n))`, which shifts the n sigmas and appends 0, and `step()`,
 * which computes `sample + (sigma_next - sigma) * model_output`. The tests pin both against values taken from it.
 */

export function shiftTime(t: number, shift: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

/** t'_0 = 1 > t'_1 > ... > t'_steps = 0. */
export function flowMatchGrid(steps: number, shift: number): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(shift > 0)) throw new RangeError(`shift must be positive, got ${shift}`);
  const grid = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) grid[i] = shiftTime(1 - i / steps, shift);
  return grid;
}

/** One Euler step in place: x <- x + (tNext - t) v. */
export function eulerStep(x: Float32Array, v: Float32Array, t: number, tNext: number): void {
  if (x.length !== v.length) throw new RangeError(`sample has ${x.length} values but velocity has ${v.length}`);
  const dt = tNext - t;
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + dt * v[i]!;
}

/** The clean-latent estimate x0 = x_t - t v (the same value before or after a step, at that step's own t). */
export function estimateClean(out: Float32Array, x: Float32Array, v: Float32Array, t: number): Float32Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - t * v[i]!;
  return out;
}
