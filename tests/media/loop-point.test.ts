/** Loop points for room tone: the chosen start and end keep a steady hum in phase across the crossfades. */
import { bestLoopPoints } from "../../helper-service/media/loop-point.js";

const RATE = 48_000;
const hum = (seconds: number, hz: number) => Float32Array.from({ length: seconds * RATE }, (_, i) => Math.sin((2 * Math.PI * hz * i) / RATE + 0.3));

test("a pure hum gets a loop start in phase with the loop's end and with the mirrored start", () => {
  const m = hum(3, 110);
  const fade = 0.75 * RATE;
  const { start, end } = bestLoopPoints(m, fade, fade, 1.5 * RATE, RATE / 10);
  expect(start).toBeGreaterThanOrEqual(fade);
  expect(start).toBeLessThanOrEqual(1.5 * RATE);
  expect(end).toBeGreaterThan(m.length - RATE / 10);
  // loop after loop: m[end - fade + i] meets m[start + i] in the crossfade; in phase means they agree
  let worst = 0;
  for (let i = 0; i < fade; i += 97) worst = Math.max(worst, Math.abs(m[end - fade + i]! - m[start + i]!));
  expect(worst).toBeLessThan(0.05);
  // the first join: the mirror's end (m[fade - 1 - i]) meets m[start + i]
  let first = 0;
  for (let i = 0; i < fade; i += 97) first = Math.max(first, Math.abs(m[fade - 1 - i]! - m[start + i]!));
  expect(first).toBeLessThan(0.05);
  // an arbitrary start a third of the way in would have been half a cycle out (137.5 cycles away)
  let naive = 0;
  for (let i = 0; i < fade; i += 97) naive = Math.max(naive, Math.abs(m[m.length - fade + i]! - m[RATE + i]!));
  expect(naive).toBeGreaterThan(1.5);
});

test("silence and noise still give a start inside the allowed range", () => {
  const fade = 1000;
  expect(bestLoopPoints(new Float32Array(10_000), fade, fade, 5000, 500).start).toBeGreaterThanOrEqual(fade);
  let seed = 1;
  const noise = Float32Array.from({ length: 20_000 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
  const { start, end } = bestLoopPoints(noise, fade, fade, 9000, 500);
  expect(start).toBeGreaterThanOrEqual(fade);
  expect(start).toBeLessThanOrEqual(9000);
  expect(end - start).toBeGreaterThan(2 * fade);
  expect(end).toBeLessThanOrEqual(noise.length);
});
