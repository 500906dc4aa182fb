// Run by crash.test.ts as a separate process that gets SIGKILLed mid-encode, the way a crashed helper dies.
import { createEncoder } from "../../helper-service/media/index.js";

const [out] = process.argv.slice(2) as [string];
const encoder = await createEncoder({ format: "h264", out, fps: { num: 25, den: 1 }, width: 320, height: 180 });
const frame = new Uint8Array(320 * 180 * 3);
for (let i = 0; ; i++) {
  frame.fill(i & 255);
  await encoder.write(frame);
  if (i === 20) console.log("encoding");
  await new Promise((r) => setTimeout(r, 20));
}
