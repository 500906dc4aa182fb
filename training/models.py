"""Builds the three networks from a config and saves/loads the one checkpoint file they share."""
import copy
import os

import torch
import torch.nn as nn

from nets_ae import VideoAE
from nets_dit import DiT
from nets_text import TextEncoder


def setup_torch():
    # Debian torch + OpenBLAS on 2 cores: GEMMs single-threaded (OPENBLAS_NUM_THREADS=1), torch ops on 2 threads.
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        raise SystemExit("run with OPENBLAS_NUM_THREADS=1 (two thread pools oversubscribe 2 cores)")
    torch.set_num_threads(2)


def device_of(module):
    return next(module.parameters()).device


def build(cfg):
    return VideoAE(cfg), TextEncoder(cfg), DiT(cfg)


def param_count(m):
    return sum(p.numel() for p in m.parameters())


def save_checkpoint(path, cfg, **parts):
    tmp = path + ".tmp"
    torch.save(dict(cfg=cfg, **parts), tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def load_checkpoint(path):
    return torch.load(path, map_location="cpu")


def randomize_zero_inits(model, std=0.05, seed=0):
    """Random fixtures: the adaLN-Zero/zero output layers would make the denoiser ignore its inputs."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 1 and torch.count_nonzero(p) == 0:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def affine_layernorms(model):
    """Copy of model whose weightless LayerNorms carry unit weights: torch 1.13's opset-17 export writes the
    weightless op with an empty scale input that onnxruntime refuses to load."""
    model = copy.deepcopy(model)
    for m in model.modules():
        if isinstance(m, nn.LayerNorm) and not m.elementwise_affine:
            m.elementwise_affine = True
            m.weight = nn.Parameter(torch.ones(m.normalized_shape))
            m.bias = nn.Parameter(torch.zeros(m.normalized_shape))
    return model
