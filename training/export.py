"""Writes a model package to the contract (model.json + ONNX graphs + tokenizer.json), and parity fixtures.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/export.py --checkpoint CKPT --out DIR [--parity DIR2]
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn

import dataset
import vocab
from config import LATENT_CHANNELS, MAX_TOKENS, PATCH, SPATIAL, TEMPORAL
from dit_inference import InferenceDiT
from models import affine_layernorms, build, device_of, load_checkpoint, param_count, setup_torch

OPSET = 17
# onnxruntime's contrib operators (the denoiser's MultiHeadAttention and RotaryEmbedding); every onnxruntime build
# has them
CUSTOM_OPSETS = {"com.microsoft": 1}


class DenoiserGraph(nn.Module):
    def __init__(self, dit):
        super().__init__()
        self.dit = dit

    def forward(self, latents, timestep, text_embeds, text_mask, cond_latents, cond_times, cond_mask):
        return self.dit(latents, timestep, text_embeds, text_mask, cond_latents, cond_times, cond_mask)


class EncoderGraph(nn.Module):
    def __init__(self, ae):
        super().__init__()
        self.ae = ae

    def forward(self, frames):
        return self.ae.encode(frames)


class DecoderGraph(nn.Module):
    def __init__(self, ae):
        super().__init__()
        self.ae = ae

    def forward(self, latents):
        return torch.clamp(self.ae.decode(latents), -1.0, 1.0)


def pixel_targets(clip):
    """[B,3,4n+1,H,W] -> per-latent mean colour [B,3,n+1,H/4,W/4] (the pixels each latent stands for)."""
    x = torch.cat([clip[:, :, :1]] * (TEMPORAL - 1) + [clip], dim=2)
    b, c, t, h, w = x.shape
    x = x.reshape(b, c, t // TEMPORAL, TEMPORAL, h // SPATIAL, SPATIAL, w // SPATIAL, SPATIAL)
    return x.mean(dim=(3, 5, 7))


@torch.no_grad()
def latent_stats(ae, sizes, clips_per_size=48, seed=7):
    """Per-channel mean/std of raw VAE latents and the least-squares map z_model -> RGB (with bias)."""
    rng = np.random.default_rng(seed)
    zs, rgbs = [], []
    for w, h in sizes:
        clip, _, _ = dataset.batch(rng, clips_per_size, w, h, combos=dataset.ALL_COMBOS)
        clip = torch.from_numpy(clip).float()
        z = ae.encode(clip.to(device_of(ae))).cpu()
        zs.append(z.permute(0, 2, 3, 4, 1).reshape(-1, LATENT_CHANNELS))
        rgbs.append(pixel_targets(clip).permute(0, 2, 3, 4, 1).reshape(-1, 3))
    z, rgb = torch.cat(zs).double(), torch.cat(rgbs).double()
    mean, std = z.mean(0), z.std(0).clamp(min=1e-4)
    zm = (z - mean) / std
    a = torch.cat([zm, torch.ones_like(zm[:, :1])], dim=1)
    sol = torch.linalg.lstsq(a, rgb).solution
    return dict(mean=mean.tolist(), std=std.tolist(), rgbFactors=sol[:-1].tolist(), rgbBias=sol[-1].tolist())


def example_inputs(cfg, seed=0):
    """Non-trivial sizes (no 1s, W != H) so tracing cannot specialise an axis."""
    g = torch.Generator().manual_seed(seed)
    b, f, k, h, w, t, d = 2, 3, 2, 8, 12, MAX_TOKENS, cfg["text_dim"]
    ids, mask = vocab.encode(["a red circle moving left on a black background", ""])
    mask_t = torch.from_numpy(mask)
    return dict(
        text=(torch.from_numpy(ids), mask_t),
        denoiser=(torch.randn(b, LATENT_CHANNELS, f, h, w, generator=g), torch.tensor([0.7, 0.3]),
                  torch.randn(b, t, d, generator=g), mask_t, torch.randn(b, LATENT_CHANNELS, k, h, w, generator=g),
                  torch.tensor([[-5.0, -4.0], [9.0, 10.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]])),
        encoder=(torch.rand(b, 3, 9, h * SPATIAL, w * SPATIAL, generator=g) * 2 - 1,),
        decoder=(torch.randn(b, LATENT_CHANNELS, f, h, w, generator=g),),
    )


GRAPHS = {
    "text": ("text_encoder.onnx", ["input_ids", "attention_mask"], ["text_embeds"],
             {"input_ids": {0: "B", 1: "T"}, "attention_mask": {0: "B", 1: "T"}, "text_embeds": {0: "B", 1: "T"}}),
    "denoiser": ("transformer.onnx",
                 ["latents", "timestep", "text_embeds", "text_mask", "cond_latents", "cond_times", "cond_mask"],
                 ["velocity"],
                 {"latents": {0: "B", 2: "F", 3: "H", 4: "W"}, "timestep": {0: "B"}, "text_embeds": {0: "B", 1: "T"},
                  "text_mask": {0: "B", 1: "T"}, "cond_latents": {0: "B", 2: "K", 3: "H", 4: "W"},
                  "cond_times": {0: "B", 1: "K"}, "cond_mask": {0: "B", 1: "K"},
                  "velocity": {0: "B", 2: "F", 3: "H", 4: "W"}}),
    "encoder": ("vae_encoder.onnx", ["frames"], ["latents"],
                {"frames": {0: "B", 2: "Tp", 3: "Hp", 4: "Wp"}, "latents": {0: "B", 2: "F", 3: "H", 4: "W"}}),
    "decoder": ("vae_decoder.onnx", ["latents"], ["frames"],
                {"latents": {0: "B", 2: "F", 3: "H", 4: "W"}, "frames": {0: "B", 2: "Tp", 3: "Hp", 4: "Wp"}}),
}


@torch.no_grad()
def inference_denoiser(dit, args, tolerance=1e-4):
    """The denoiser as exported: InferenceDiT (same weights, fewer graph nodes), checked against the trained DiT."""
    fast = InferenceDiT(dit)
    diff = (fast(*args) - dit(*args)).abs().max().item()
    if diff > tolerance:
        raise SystemExit(f"InferenceDiT differs from the trained DiT by {diff:.2e} (> {tolerance:.0e})")
    return DenoiserGraph(fast)


def export_graph(module, args, path, key):
    _, ins, outs, axes = GRAPHS[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, path, input_names=ins, output_names=outs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True, custom_opsets=CUSTOM_OPSETS)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    declared = [i.name for i in model.graph.input]
    if declared != ins:
        raise SystemExit(f"{path}: graph inputs {declared} != {ins} (an input is unused by the network)")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_package(out, cfg, ae, text, dit, stats, meta):
    """Builds the package in a temp dir next to out and swaps it in, so a failed export leaves nothing half-written."""
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        ex = example_inputs(cfg)
        parts = {"text": text, "denoiser": inference_denoiser(dit, ex["denoiser"]), "encoder": EncoderGraph(ae),
                 "decoder": DecoderGraph(ae)}
        for key, module in parts.items():
            export_graph(affine_layernorms(module).eval(), ex[key], os.path.join(tmp, GRAPHS[key][0]), key)
        vocab.write_tokenizer(os.path.join(tmp, "tokenizer.json"))
        if os.path.isdir(out):
            for n in os.listdir(out):  # only this exporter's files; a model card or metrics beside them stay
                if n.endswith(".onnx") or n in ("model.json", "tokenizer.json"):
                    os.remove(os.path.join(out, n))
        os.makedirs(out, exist_ok=True)
        for n in os.listdir(tmp):
            os.replace(os.path.join(tmp, n), os.path.join(out, n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # the contract lists every file of the folder except model.json (model card and metrics included)
    files = {n: {"sha256": sha256(os.path.join(out, n)), "bytes": os.path.getsize(os.path.join(out, n))}
             for n in sorted(os.listdir(out)) if n != "model.json" and not n.startswith(".")}
    model_json = {
        "format": "tessera-model/1",
        "id": meta["id"], "version": meta["version"], "license": "Apache-2.0", "description": meta["description"],
        "video": {"fps": 8, "sizes": cfg["sizes"], "frames": {"step": TEMPORAL, "offset": 1, "max": dataset.WINDOW}},
        "latent": {"channels": LATENT_CHANNELS, "temporal": TEMPORAL, "spatial": SPATIAL,
                   "mean": stats["mean"], "std": stats["std"], "rgbFactors": stats["rgbFactors"],
                   "rgbBias": stats["rgbBias"]},
        "text": {"tokenizer": "tokenizer.json", "maxTokens": MAX_TOKENS, "encoder": "text_encoder.onnx",
                 "dim": cfg["text_dim"], "padId": 0, "unkToken": vocab.UNK},
        "denoiser": {"file": "transformer.onnx", "prediction": "flow-velocity", "patch": list(PATCH)},
        "vae": {"encoder": "vae_encoder.onnx", "decoder": "vae_decoder.onnx"},
        "scheduler": {"kind": "flow-match-euler", "shift": meta.get("shift", 1.0), "steps": meta.get("steps", 20),
                      "guidance": meta.get("guidance", 3.0)},
        "capabilities": {"textToVideo": True, "extendTail": True, "extendHead": True, "fill": True,
                         "conditionFrames": dataset.COND},
        "dtype": {"default": "float32"},
        "files": files,
    }
    with open(os.path.join(out, "model.json.tmp"), "w") as f:
        json.dump(model_json, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(out, "model.json.tmp"), os.path.join(out, "model.json"))
    return model_json


@torch.no_grad()
def write_parity(pdir, cfg, ae, text, dit, stats):
    """Inputs and torch outputs (raw little-endian .bin + manifest.json) for training/parity.mjs."""
    os.makedirs(pdir, exist_ok=True)
    g = torch.Generator().manual_seed(123)
    ids, mask = vocab.encode(["a cyan triangle moving up over a grey backdrop", ""])
    ids, mask = torch.from_numpy(ids), torch.from_numpy(mask)
    emb = text(ids, mask)
    b, f, k, h, w = 2, 5, 4, 8, 16
    z = torch.randn(b, LATENT_CHANNELS, f, h, w, generator=g)
    dit_in = (z, torch.tensor([0.9, 0.25]), emb, mask, torch.randn(b, LATENT_CHANNELS, k, h, w, generator=g),
              torch.tensor([[-5.0, -4.0, 17.0, 18.0], [-5.0, -4.0, 0.0, 0.0]]), torch.tensor([[1.0] * 4, [1, 1, 0, 0]]))
    zraw = z[:1, :, :3] * torch.tensor(stats["std"]).float()[:, None, None, None] \
        + torch.tensor(stats["mean"]).float()[:, None, None, None]
    frames = torch.rand(1, 3, 9, 32, 64, generator=g) * 2 - 1
    cases = {
        "text": ("text_encoder.onnx", dict(input_ids=ids, attention_mask=mask), dict(text_embeds=emb)),
        "denoiser": ("transformer.onnx", dict(zip(GRAPHS["denoiser"][1], dit_in)),
                     dict(velocity=DenoiserGraph(dit)(*dit_in))),
        "decoder": ("vae_decoder.onnx", dict(latents=zraw), dict(frames=DecoderGraph(ae)(zraw))),
        "encoder": ("vae_encoder.onnx", dict(frames=frames), dict(latents=ae.encode(frames))),
    }
    manifest = {}
    for case, (graph, ins, outs) in cases.items():
        entry = {"graph": graph, "inputs": {}, "outputs": {}}
        for kind, tensors in (("inputs", ins), ("outputs", outs)):
            for name, t in tensors.items():
                arr = t.numpy()
                arr = arr.astype(np.int64 if arr.dtype.kind in "iu" else np.float32)
                fname = f"{case}.{kind}.{name}.bin"
                arr.tofile(os.path.join(pdir, fname))
                entry[kind][name] = {"file": fname, "dtype": "int64" if arr.dtype == np.int64 else "float32",
                                     "shape": list(arr.shape)}
        manifest[case] = entry
    with open(os.path.join(pdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def models_from_checkpoint(ck, use_ema=True):
    cfg = ck["cfg"]
    ae, text, dit = build(cfg)
    ae.load_state_dict(ck["ae"])
    if "text" in ck:
        text.load_state_dict(ck["text"])
    key = "dit_ema" if use_ema and "dit_ema" in ck else "dit"
    if key in ck:
        dit.load_state_dict(ck[key])
    return cfg, ae.eval(), text.eval(), dit.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--parity", help="also write parity fixtures (torch inputs/outputs) into this folder")
    ap.add_argument("--id", default="tessera-reference")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--description", default="Tessera reference text-to-video model (procedural shapes domain)")
    ap.add_argument("--shift", type=float, help="scheduler.shift (default: the checkpoint's measured best, else 1)")
    ap.add_argument("--no-ema", action="store_true")
    a = ap.parse_args()
    setup_torch()
    ck = load_checkpoint(a.checkpoint)
    cfg, ae, text, dit = models_from_checkpoint(ck, not a.no_ema)
    stats = ck.get("stats") or latent_stats(ae, cfg["sizes"])
    meta = dict(id=a.id, version=a.version, description=a.description,
                shift=a.shift if a.shift is not None else ck.get("best_shift", 1.0),
                guidance=ck.get("best_guidance", 3.0))
    mj = write_package(a.out, cfg, ae, text, dit, stats, meta)
    if a.parity:
        write_parity(a.parity, cfg, ae, text, dit, stats)
    total = sum(v["bytes"] for v in mj["files"].values())
    print(json.dumps({"out": a.out, "bytes": total, "params": {"ae": param_count(ae), "text": param_count(text),
                                                                "dit": param_count(dit)}}))


if __name__ == "__main__":
    sys.exit(main())
