"""Fine-tunes the AE decoder only (encoder frozen, so DiT latents stay valid) with a heavier foreground weight
and an edge (spatial-gradient) term, which keeps object corners sharp enough to read the shape back.
Updates the compact checkpoint's AE in place; resumable from RUN/state.pt.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/ft_decoder.py --checkpoint training/checkpoints/reference.pt --minutes 12
"""
import argparse
import time

import numpy as np
import torch

import dataset
from models import build, setup_torch
from train_ae import validate
from trainutil import Log, atomic_save, lr_at


def grads(x):
    return x[..., 1:, :] - x[..., :-1, :], x[..., :, 1:] - x[..., :, :-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", default="training/checkpoints/reference.pt")
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--run", default="training/runs/aeft")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--fg-weight", type=float, default=30.0)
    a = ap.parse_args()
    setup_torch()
    log = Log(f"{a.run}/log.jsonl")
    ck = torch.load(a.checkpoint)
    ae, _, _ = build(ck["cfg"])
    ae.load_state_dict({k: v.float() for k, v in ck["ae"].items()})
    opt = torch.optim.AdamW(ae.decoder.parameters(), lr=a.lr, weight_decay=0.0)
    step, elapsed = 0, 0.0
    try:
        st = torch.load(f"{a.run}/state.pt")
        ae.load_state_dict(st["ae"])
        opt.load_state_dict(st["opt"])
        step, elapsed = st["step"], st["elapsed"]
    except FileNotFoundError:
        pass
    ae.eval()
    log(event="start", step=step, val=validate(ae))
    ae.decoder.train()
    total, t_start, rng = a.minutes * 60, time.time() - elapsed, np.random.default_rng(step + 99)
    run_loss = []
    while time.time() - t_start < total:
        for g in opt.param_groups:
            g["lr"] = lr_at(time.time() - t_start, total, a.lr, a.lr * 0.05, warmup_s=10)
        x, fg, _ = dataset.batch(rng, 16, 32, 32, frames=9, combos=dataset.ALL_COMBOS)
        x, fg = torch.from_numpy(x).float(), torch.from_numpy(fg).float()
        with torch.no_grad():
            z = ae.encode(x)
            z = z + 0.1 * z.std() * torch.randn_like(z)
        y = ae.decode(z)
        w = 1.0 + a.fg_weight * fg[:, None]
        err = (y - x).pow(2) + 0.5 * (y - x).abs()
        loss = (w * err).sum() / (w.sum() * 3)
        for gy, gx in zip(grads(y), grads(x)):
            ww = w[..., : gy.shape[-2], : gy.shape[-1]]
            loss = loss + (ww * (gy - gx).abs()).sum() / (ww.sum() * 3)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ae.decoder.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss.append(loss.item())
        if step % 50 == 0:
            log(step=step, elapsed=round(time.time() - t_start), loss=float(np.mean(run_loss)))
            run_loss = []
            atomic_save(dict(ae=ae.state_dict(), opt=opt.state_dict(), step=step, elapsed=time.time() - t_start),
                        f"{a.run}/state.pt")
    ae.eval()
    val = validate(ae)
    log(event="done", step=step, val=val)
    ck = torch.load(a.checkpoint)
    ck["ae"] = {k: v.half() for k, v in ae.state_dict().items()}
    ck["decoder_finetune"] = dict(steps=step, minutes=round((time.time() - t_start) / 60, 1), val=val)
    atomic_save(ck, a.checkpoint)


if __name__ == "__main__":
    main()
