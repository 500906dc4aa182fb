import { estimateClean, eulerStep, flowMatchGrid, shiftTime } from "../../helper-service/inference/scheduler.js";

/**
 * Taken from diffusers' FlowMatchEulerDiscreteScheduler (src/diffusers/schedulers/scheduling_flow_match_euler_discrete.py,
 * commit 03186e1f): `set_timesteps(20, sigmas=np.linspace(1.0, 1 / 20, 20))` with static shift (how its LTX and Flux
 * pipelines call it), i.e. `sigmas = shift * s / (1 + (shift - 1) * s)` in float32, then 0 appended; and `step()`:
 * `prev_sample = sample + (sigma_next - sigma) * model_output`, computed in float32.
 */
const DIFFUSERS_SIGMAS: Record<number, number[]> = {
  1: [
    1.0, 0.949999988079071, 0.8999999761581421, 0.8500000238418579, 0.800000011920929, 0.75, 0.699999988079071,
    0.6499999761581421, 0.6000000238418579, 0.550000011920929, 0.5, 0.44999998807907104, 0.4000000059604645,
    0.3499999940395355, 0.30000001192092896, 0.25, 0.20000000298023224, 0.15000000596046448, 0.10000000149011612,
    0.05000000074505806, 0.0,
  ],
  3: [
    1.0, 0.9827585816383362, 0.964285671710968, 0.944444477558136, 0.9230769872665405, 0.8999999761581421,
    0.8749999403953552, 0.8478260636329651, 0.8181818127632141, 0.7857143878936768, 0.75, 0.7105262875556946,
    0.6666666865348816, 0.6176469922065735, 0.5625, 0.5, 0.4285714626312256, 0.3461538851261139, 0.25,
    0.13636364042758942, 0.0,
  ],
};

/** step() outputs for sample [0.5, -1.25, 2, 0] and model_output [1, 0.75, -3, 0.125] at step index 0 and 7. */
const DIFFUSERS_STEPS: Record<string, number[]> = {
  "1:0": [0.44999998807907104, -1.287500023841858, 2.1500000953674316, -0.006250001490116119],
  "1:7": [0.4500000476837158, -1.2874999046325684, 2.1499998569488525, -0.0062499940395355225],
  "3:0": [0.4827585816383362, -1.2629311084747314, 2.0517241954803467, -0.0021551772952079773],
  "3:7": [0.470355749130249, -1.272233247756958, 2.088932752609253, -0.003705531358718872],
};

describe("flow-match Euler scheduler", () => {
  test.each([1, 3])("the 20-step grid at shift %d matches diffusers' sigmas", (shift) => {
    const grid = flowMatchGrid(20, shift);
    expect(grid).toHaveLength(21);
    DIFFUSERS_SIGMAS[shift]!.forEach((sigma, i) => expect(grid[i]).toBeCloseTo(sigma, 6));
  });

  test.each([
    [1, 0],
    [1, 7],
    [3, 0],
    [3, 7],
  ])("one Euler step at shift %d, index %d matches diffusers' step()", (shift, i) => {
    const grid = flowMatchGrid(20, shift);
    const x = Float32Array.from([0.5, -1.25, 2, 0]);
    eulerStep(x, Float32Array.from([1, 0.75, -3, 0.125]), grid[i]!, grid[i + 1]!);
    DIFFUSERS_STEPS[`${shift}:${i}`]!.forEach((value, k) => expect(x[k]).toBeCloseTo(value, 6));
  });

  test("the shift pushes time towards noise and keeps both ends", () => {
    expect(shiftTime(0, 3)).toBe(0);
    expect(shiftTime(1, 3)).toBe(1);
    expect(shiftTime(0.5, 3)).toBeCloseTo(0.75, 12);
    const grid = flowMatchGrid(8, 5);
    for (let i = 1; i < grid.length; i++) expect(grid[i]!).toBeLessThan(grid[i - 1]!);
  });

  test("the clean estimate x - t v is the same before and after a step", () => {
    const grid = flowMatchGrid(10, 3);
    const x = Float32Array.from([0.3, -0.7, 1.1]);
    const v = Float32Array.from([0.9, -0.2, 0.4]);
    const before = estimateClean(new Float32Array(3), x, v, grid[2]!);
    eulerStep(x, v, grid[2]!, grid[3]!);
    const after = estimateClean(new Float32Array(3), x, v, grid[3]!);
    after.forEach((value, i) => expect(value).toBeCloseTo(before[i]!, 6));
  });

  test("bad grids are refused", () => {
    expect(() => flowMatchGrid(0, 1)).toThrow(/steps must be a positive integer/);
    expect(() => flowMatchGrid(4, 0)).toThrow(/shift must be positive/);
    expect(() => eulerStep(new Float32Array(2), new Float32Array(3), 1, 0)).toThrow(/velocity has 3/);
  });
});
