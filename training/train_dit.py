"""Trains the text encoder + DiT on pre-encoded latents (encode_latents.py): rectified flow, logit-normal t,
10% empty captions, EMA, and ~30% of batches conditioned on the 5 frames before and/or after the window
(tail extend, head extend, gap fill), plus shorter windows. Resumable from RUN/state.pt or --init CKPT.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/train_dit.py --latents training/runs/latents.pt --minutes 70
"""
import argparse
import copy
import time

import numpy as np
import torch

import dataset
import vocab
from classify import classify
from models import build, param_count, setup_torch
from sampling import sample
from trainutil import Log, atomic_save, lr_at

SIZE_PROBS = {"32x32": 0.7, "64x32": 0.15, "32x64": 0.15}
COND_MODES = (("none", 0.7), ("tail", 0.1), ("head", 0.1), ("both", 0.1))
TAIL_TIMES = [-5.0, -4.0]


def head_times(frames):
    return [float(frames), float(frames + 1)]


class Batches:
    def __init__(self, data, stats, rng, size_probs=SIZE_PROBS):
        self.data, self.rng, self.size_probs = data, rng, size_probs
        self.mean = torch.tensor(stats["mean"]).float()[None, :, None, None, None]
        self.std = torch.tensor(stats["std"]).float()[None, :, None, None, None]

    def norm(self, z):
        return (z.float() - self.mean) / self.std

    def __call__(self, n):
        rng = self.rng
        size = rng.choice(list(self.size_probs), p=list(self.size_probs.values()))
        d = self.data[size]
        idx = torch.from_numpy(rng.integers(len(d["scenes"]), size=n))
        z0 = self.norm(d["latents"]["main"][idx])
        mode = rng.choice([m for m, _ in COND_MODES], p=[p for _, p in COND_MODES])
        f = z0.shape[2]
        if mode in ("none", "tail") and rng.random() < 0.25:
            f = int(rng.integers(1, f))  # shorter window: causal latents of a shorter clip are a prefix
            z0 = z0[:, :, :f]
        pixel_frames = 4 * (f - 1) + 1
        b, c, _, h, w = z0.shape
        if mode == "none":
            cl, ct, cm = torch.zeros(b, c, 1, h, w), torch.zeros(b, 1), torch.zeros(b, 1)
        else:
            parts, times = [], []
            if mode in ("tail", "both"):
                parts.append(self.norm(d["latents"]["pre"][idx]))
                times += TAIL_TIMES
            if mode in ("head", "both"):
                parts.append(self.norm(d["latents"]["post"][idx]))
                times += head_times(pixel_frames)
            cl = torch.cat(parts, dim=2)
            ct = torch.tensor(times).expand(b, -1).clone()
            cm = torch.ones(b, len(times))
        caps = []
        for i in idx.tolist():
            s = d["scenes"][i]
            if rng.random() < 0.1:
                caps.append("")
            elif rng.random() < 0.5:
                caps.append(dataset.canonical_caption(s["objects"], s["bg"]))
            else:
                caps.append(dataset.paraphrase_caption(s["objects"], s["bg"], rng))
        ids, mask = (torch.from_numpy(a) for a in vocab.encode(caps))
        return z0, ids, mask, cl, ct, cm, mode


@torch.no_grad()
def quick_eval(ae, text, dit, stats, n=32, seed=0):
    """Seen single-object canonical prompts -> colour/direction/shape read back from decoded pixels."""
    rng = np.random.default_rng(seed)
    combos = [dataset.SEEN[i] for i in rng.choice(len(dataset.SEEN), n, replace=False)]
    prompts = [dataset.canonical_caption([dict(colour=c, shape=s, direction=d)], b) for c, s, d, b in combos]
    z = sample(text, dit, prompts, range(n), 5, 8, 8)
    mean = torch.tensor(stats["mean"]).float()[None, :, None, None, None].to(z.device)
    std = torch.tensor(stats["std"]).float()[None, :, None, None, None].to(z.device)
    frames = ae.decode(z * std + mean).clamp(-1, 1).cpu()
    hits = dict(colour=0, direction=0, shape=0, all=0)
    for (c, s, d, _), clip in zip(combos, frames):
        got = classify(((clip + 1) / 2).permute(1, 2, 3, 0).numpy())
        ok = dict(colour=got["colour"] == c, direction=got["direction"] == d, shape=got["shape"] == s)
        for k, v in ok.items():
            hits[k] += v
        hits["all"] += all(ok.values())
    return {k: v / n for k, v in hits.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--latents", required=True)
    ap.add_argument("--minutes", type=float, default=70)
    ap.add_argument("--run", default="training/runs/dit")
    ap.add_argument("--checkpoint", default="training/checkpoints/reference.pt",
                    help="compact fp16 checkpoint (AE, EMA text encoder + DiT, latent stats) written as it trains")
    ap.add_argument("--init", help="start from a compact checkpoint (when RUN/state.pt is absent)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--eval-every", type=float, default=10, help="minutes between quick evaluations")
    ap.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    ap.add_argument("--size-probs", default="0.7,0.15,0.15", help="batch share of 32x32,64x32,32x64")
    a = ap.parse_args()
    setup_torch()
    log = Log(f"{a.run}/log.jsonl")
    lat = torch.load(a.latents)
    cfg, stats = lat["cfg"], lat["stats"]
    ae, text, dit = build(cfg)
    ae.load_state_dict(lat["ae"])
    ae.eval()
    for m in (ae, text, dit):
        m.to(a.device)
    params = list(text.parameters()) + list(dit.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.01)
    step, elapsed = 0, 0.0
    try:
        st = torch.load(f"{a.run}/state.pt", map_location=a.device)
        text.load_state_dict(st["text"])
        dit.load_state_dict(st["dit"])
        ema = st["ema"]
        opt.load_state_dict(st["opt"])
        step, elapsed = st["step"], st["elapsed"]
        log(event="resume", step=step, elapsed=elapsed)
    except FileNotFoundError:
        if a.init:
            ck = torch.load(a.init, map_location="cpu")
            text.load_state_dict({k: v.float() for k, v in ck["text"].items()})
            dit.load_state_dict({k: v.float() for k, v in ck["dit_ema"].items()})
            log(event="init", checkpoint=a.init)
        ema = {"text": copy.deepcopy(text.state_dict()), "dit": copy.deepcopy(dit.state_dict())}
        log(event="start", params=dict(text=param_count(text), dit=param_count(dit)), cfg=cfg)
    text_ema, dit_ema = copy.deepcopy(text), copy.deepcopy(dit)
    text_ema.load_state_dict(ema["text"])
    dit_ema.load_state_dict(ema["dit"])
    ema_pairs = [(pe, p) for m_e, m in ((text_ema, text), (dit_ema, dit))
                 for pe, p in zip(m_e.parameters(), m.parameters())]
    probs = [float(p) for p in a.size_probs.split(",")]
    batches = Batches(lat["data"], stats, np.random.default_rng(step + 7), dict(zip(SIZE_PROBS, probs)))
    total = a.minutes * 60
    t_start = time.time() - elapsed
    last_save, last_eval, run_loss = time.time(), time.time(), []

    def save():
        atomic_save(dict(text=text.state_dict(), dit=dit.state_dict(), opt=opt.state_dict(), step=step,
                         elapsed=time.time() - t_start, ema={"text": text_ema.state_dict(), "dit": dit_ema.state_dict()}),
                    f"{a.run}/state.pt")
        half = lambda m: {k: v.half().cpu() for k, v in m.state_dict().items()}
        atomic_save(dict(cfg=cfg, stats=stats, ae=half(ae), text=half(text_ema), dit_ema=half(dit_ema), step=step,
                         train_minutes=(time.time() - t_start) / 60), a.checkpoint)

    while time.time() - t_start < total:
        lr = lr_at(time.time() - t_start, total, a.lr, a.lr * 0.05, warmup_s=60)
        for g in opt.param_groups:
            g["lr"] = lr
        z0, ids, mask, cl, ct, cm, mode = (t.to(a.device) if torch.is_tensor(t) else t for t in batches(a.batch))
        t = torch.sigmoid(torch.randn(z0.shape[0], device=a.device))  # logit-normal(0, 1)
        eps = torch.randn_like(z0)
        tt = t[:, None, None, None, None]
        v = dit((1 - tt) * z0 + tt * eps, t, text(ids, mask), mask, cl, ct, cm)
        loss = (v - (eps - z0)).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, p in ema_pairs:
                pe.mul_(decay).add_(p.detach(), alpha=1 - decay)
        run_loss.append(loss.item())
        if step % 50 == 0:
            log(step=step, elapsed=round(time.time() - t_start), loss=float(np.mean(run_loss)), lr=lr)
            run_loss = []
        if time.time() - last_eval > a.eval_every * 60:
            log(step=step, quick_eval_ema=quick_eval(ae, text_ema, dit_ema, stats))
            last_eval = time.time()
        if time.time() - last_save > 180:
            save()
            last_save = time.time()
    save()
    log(event="done", step=step, quick_eval_ema=quick_eval(ae, text_ema, dit_ema, stats))


if __name__ == "__main__":
    main()
