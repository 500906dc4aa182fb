// Quick shape sweep of a package in onnxruntime-node (the TypeScript contract checker is the real gate):
// tokenizer ids vs Python's, text encoder, denoiser at F = 1,3,5 and K = 1,2,4, VAE encoder/decoder, every size.
//   node training/smoke.mjs PACKAGE_DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { Tokenizer } from "@huggingface/tokenizers";

const dir = process.argv[2];
const mj = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
const C = mj.latent.channels;
const s = mj.latent.spatial;
const open = (f) => ort.InferenceSession.create(join(dir, f), { intraOpNumThreads: 1 });
const [text, den, enc, dec] = await Promise.all(
  [mj.text.encoder, mj.denoiser.file, mj.vae.encoder, mj.vae.decoder].map(open));
const prod = (d) => d.reduce((a, b) => a * b, 1);
const rand = (dims) => new ort.Tensor("float32", Float32Array.from({ length: prod(dims) }, () => Math.random() * 2 - 1), dims);
const finite = (t) => t.data.every(Number.isFinite);
const failures = [];
const expect = (label, t, dims) => {
  if (t.dims.join(",") !== dims.join(",") || !finite(t)) failures.push(`${label}: got ${t.dims}, want ${dims}, finite=${finite(t)}`);
};

const tok = new Tokenizer(JSON.parse(readFileSync(join(dir, mj.text.tokenizer), "utf8")), { unk_token: mj.text.unkToken });
const prompts = ["A Red circle moving LEFT on a dark blue background", "a zebra dancing", ""];
const T = mj.text.maxTokens;
const ids = new BigInt64Array(prompts.length * T);
const mask = new BigInt64Array(prompts.length * T);
prompts.forEach((p, b) => {
  const e = tok.encode(p).ids.slice(0, T);
  e.forEach((id, i) => { ids[b * T + i] = BigInt(id); mask[b * T + i] = 1n; });
});
console.log("token ids:", prompts.map((_, b) => Array.from(ids.slice(b * T, b * T + T), Number).join(" ")));
const te = (await text.run({ input_ids: new ort.Tensor("int64", ids, [3, T]), attention_mask: new ort.Tensor("int64", mask, [3, T]) })).text_embeds;
expect("text_embeds", te, [3, T, mj.text.dim]);

const B = 2;
const embeds = new ort.Tensor("float32", te.data.slice(0, B * T * mj.text.dim), [B, T, mj.text.dim]);
const tmask = new ort.Tensor("int64", mask.slice(0, B * T), [B, T]);
for (const [wp, hp] of mj.video.sizes) {
  const H = hp / s, W = wp / s;
  for (const F of [1, 3, 5]) {
    for (const K of [1, 2, 4]) {
      const times = Float32Array.from({ length: B * K }, (_, i) => [-5, -4, 17, 18][i % K]);
      const cmask = Float32Array.from({ length: B * K }, (_, i) => (i % K) % 2);
      const out = await den.run({
        latents: rand([B, C, F, H, W]), timestep: new ort.Tensor("float32", Float32Array.from([0.9, 0.1]), [B]),
        text_embeds: embeds, text_mask: tmask, cond_latents: rand([B, C, K, H, W]),
        cond_times: new ort.Tensor("float32", times, [B, K]), cond_mask: new ort.Tensor("float32", cmask, [B, K]),
      });
      expect(`denoiser ${wp}x${hp} F=${F} K=${K}`, out.velocity, [B, C, F, H, W]);
    }
    const fr = (await dec.run({ latents: rand([B, C, F, H, W]) })).frames;
    expect(`decoder ${wp}x${hp} F=${F}`, fr, [B, 3, (F - 1) * mj.latent.temporal + 1, hp, wp]);
    if (fr.data.some((v) => v < -1 || v > 1)) failures.push(`decoder ${wp}x${hp} F=${F}: frames outside [-1,1]`);
    const z = (await enc.run({ frames: fr })).latents;
    expect(`encoder ${wp}x${hp} F=${F}`, z, [B, C, F, H, W]);
  }
}
console.log(failures.length ? failures.join("\n") : `ok: ${mj.video.sizes.length} sizes x F 1,3,5 x K 1,2,4`);
process.exit(failures.length ? 1 : 0);
