"""Trains the causal video autoencoder with a foreground-weighted loss (objects are ~5% of pixels; plain MSE
returns grey blobs). Resumable: state (weights, optimiser, elapsed time) in RUN/state.pt.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/train_ae.py --minutes 30 [--run training/runs/ae]
"""
import argparse
import time

import numpy as np
import torch

import dataset
from classify import classify
from config import get_config
from models import build, device_of, param_count, setup_torch
from trainutil import Log, atomic_save, lr_at, psnr

FG_WEIGHT = 10.0


def ae_loss(ae, x, fg, noise=0.1):
    z = ae.encode(x)
    # latent noise: the decoder must tolerate the DiT's slightly-off latents
    zn = z + noise * z.detach().std() * torch.randn_like(z)
    y = ae.decode(zn)
    w = 1.0 + FG_WEIGHT * fg[:, None]
    err = (y - x).pow(2) + 0.5 * (y - x).abs()
    return (w * err).sum() / (w.sum() * 3) + 1e-3 * z.pow(2).mean(), y


@torch.no_grad()
def validate(ae, n=48, size=(32, 32), seed=999):
    """PSNR and object read-back (colour/direction/shape) on fresh single-object in-frame clips."""
    rng = np.random.default_rng(seed)
    scenes = [dataset.make_scene(rng, *size, dataset.ALL_COMBOS, two_prob=0, edge_prob=0) for _ in range(n)]
    x = torch.from_numpy(np.stack([dataset.to_model(dataset.render(s, range(dataset.WINDOW))[0]) for s in scenes]))
    dev = device_of(ae)
    y = torch.cat([ae.decode(ae.encode(x[i:i + 16].to(dev))).cpu() for i in range(0, n, 16)])
    hits = dict(colour=0, direction=0, shape=0)
    for s, clip in zip(scenes, y):
        got = classify(((clip.clamp(-1, 1) + 1) / 2).permute(1, 2, 3, 0).numpy())
        for k in hits:
            hits[k] += got[k] == s["objects"][0][k]
    return dict(psnr=psnr(y, x), **{k: v / n for k, v in hits.items()})


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", default="reference")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--run", default="training/runs/ae")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--frames", type=int, default=9, help="4n+1 frames per training clip (causal: 9 teaches 17)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--device", default="cpu", help="torch device, e.g. cuda (same code, same schedule)")
    a = ap.parse_args()
    setup_torch()
    log = Log(f"{a.run}/log.jsonl")
    cfg = get_config(a.config)
    ae, _, _ = build(cfg)
    ae.to(a.device)
    opt = torch.optim.AdamW(ae.parameters(), lr=a.lr, weight_decay=0.01)
    step, elapsed = 0, 0.0
    try:
        st = torch.load(f"{a.run}/state.pt", map_location=a.device)
        ae.load_state_dict(st["ae"])
        opt.load_state_dict(st["opt"])
        step, elapsed = st["step"], st["elapsed"]
        log(event="resume", step=step, elapsed=elapsed)
    except FileNotFoundError:
        log(event="start", params=param_count(ae), cfg=cfg)
    total = a.minutes * 60
    rng = np.random.default_rng(step + 1)
    t_start, last_save, last_val, run_loss = time.time() - elapsed, time.time(), time.time(), []

    def save():
        atomic_save(dict(ae={k: v.cpu() for k, v in ae.state_dict().items()}, opt=opt.state_dict(), step=step, elapsed=time.time() - t_start, cfg=cfg),
                    f"{a.run}/state.pt")

    while time.time() - t_start < total:
        lr = lr_at(time.time() - t_start, total, a.lr, a.lr * 0.05)
        for g in opt.param_groups:
            g["lr"] = lr
        x, fg, _ = dataset.batch(rng, a.batch, 32, 32, frames=a.frames, combos=dataset.ALL_COMBOS)
        loss, _ = ae_loss(ae, torch.from_numpy(x).float().to(a.device), torch.from_numpy(fg).float().to(a.device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss.append(loss.item())
        if step % 50 == 0:
            log(step=step, elapsed=round(time.time() - t_start), loss=float(np.mean(run_loss)), lr=lr)
            run_loss = []
        if time.time() - last_val > 300:
            ae.eval()
            log(step=step, val=validate(ae))
            ae.train()
            last_val = time.time()
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    save()
    ae.eval()
    log(event="done", step=step, val=validate(ae), val_64x32=validate(ae, size=(64, 32)))


if __name__ == "__main__":
    main()
