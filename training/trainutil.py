"""Shared bits of the training loops: time-based LR schedule, logging, atomic state files."""
import json
import math
import os
import time

import torch


def lr_at(elapsed, total, peak, floor, warmup_s=30.0):
    """Warm-up then cosine over the wall-clock budget (the budget, not a step count, is what is fixed here)."""
    if elapsed < warmup_s:
        return peak * max(elapsed, 1.0) / warmup_s
    p = min(1.0, (elapsed - warmup_s) / max(1.0, total - warmup_s))
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * p))


class Log:
    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.f = open(path, "a", buffering=1)

    def __call__(self, **kv):
        kv = {"time": time.strftime("%H:%M:%S"), **kv}
        line = json.dumps({k: (round(v, 5) if isinstance(v, float) else v) for k, v in kv.items()})
        self.f.write(line + "\n")
        print(line, flush=True)


def atomic_save(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def psnr(a, b):
    """a, b in [-1,1] -> PSNR on the [0,1] scale."""
    mse = ((a.clamp(-1, 1) - b) / 2).pow(2).mean().item()
    return 10 * math.log10(1.0 / max(mse, 1e-10))
