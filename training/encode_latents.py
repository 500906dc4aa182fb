"""Renders training scenes once and encodes them with the frozen AE: the window (frames 0..16), and, each as
its own fresh causal clip, the 5 frames before it (-5..-1) and the 5 after it (17..21). Only seen combos.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/encode_latents.py --ae training/runs/ae/state.pt --out training/runs/latents.pt
"""
import argparse
import time

import numpy as np
import torch

import dataset
from config import get_config
from export import latent_stats
from models import build, setup_torch

SIZES = {(32, 32): 10000, (64, 32): 2000, (32, 64): 2000}


@torch.no_grad()
def encode_size(ae, w, h, n, rng, chunk=32, device="cpu"):
    scenes = [dataset.make_scene(rng, w, h, dataset.SEEN) for _ in range(n)]
    out = {"main": [], "pre": [], "post": []}
    spans = {"pre": range(-dataset.COND, 0), "main": range(dataset.WINDOW),
             "post": range(dataset.WINDOW, dataset.WINDOW + dataset.COND)}
    for i in range(0, n, chunk):
        for key, span in spans.items():
            x = np.stack([dataset.to_model(dataset.render(s, span)[0]) for s in scenes[i:i + chunk]])
            out[key].append(ae.encode(torch.from_numpy(x).float().to(device)).half().cpu())
    return {k: torch.cat(v) for k, v in out.items()}, scenes


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ae", required=True, help="train_ae.py state.pt (or a checkpoint with an 'ae' entry)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the default clip counts")
    ap.add_argument("--counts", help="clips per size as N32x32,N64x32,N32x64 (overrides --scale)")
    ap.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    a = ap.parse_args()
    counts = dict(zip(SIZES, map(int, a.counts.split(",")))) if a.counts else \
        {size: max(64, int(n * a.scale)) for size, n in SIZES.items()}
    setup_torch()
    st = torch.load(a.ae, map_location="cpu")
    cfg = dict(st.get("cfg") or get_config("reference"))
    cfg["sizes"] = [[w, h] for w, h in SIZES]  # the DiT trains at these native aspect ratios
    ae, _, _ = build(cfg)
    ae.load_state_dict({k: v.float() for k, v in st["ae"].items()})
    ae.eval().to(a.device)
    rng = np.random.default_rng(4242)
    data, t0 = {}, time.time()
    for (w, h), n in counts.items():
        lat, scenes = encode_size(ae, w, h, n, rng, device=a.device)
        data[f"{w}x{h}"] = dict(latents=lat, scenes=scenes)
        print(f"{w}x{h}: {len(scenes)} scenes in {time.time() - t0:.0f}s", flush=True)
    # A compact checkpoint already fixes the normalisation its DiT was trained with: keep it, so continuing
    # that DiT on these latents does not shift its inputs.
    stats = st.get("stats") or latent_stats(ae, [[32, 32]], clips_per_size=96)
    print("latent mean", np.round(stats["mean"], 3), "std", np.round(stats["std"], 3), flush=True)
    torch.save(dict(data=data, stats=stats, cfg=cfg, ae={k: v.cpu() for k, v in ae.state_dict().items()}), a.out)
    print(f"saved {a.out} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
