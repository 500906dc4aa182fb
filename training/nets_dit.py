"""Diffusion transformer over 1x2x2 spacetime latent patches (rectified flow, velocity prediction).

Tokens: main latents [B,C,F,H,W] and conditioning latents [B,C,K,H,W] are patchified alike and attended
together; only the main tokens get a velocity. Positions are 3-axis RoPE computed from shapes, so batch,
frames, K, height and width stay dynamic in ONNX: time is the pixel-frame index at the model fps (main latent j
at max(0, 4j-3); conditioning latents at cond_times), y/x are patch indices. Conditioning tokens are clean, so
they are modulated with the t=0 embedding, and padded ones (cond_mask 0) are masked out as attention keys.
Text enters by cross-attention (text_mask used, plus a learned null key that is always attendable so an empty
prompt stays finite) and, mean-pooled, into the adaLN conditioning.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from config import LATENT_CHANNELS, TEMPORAL
from nets_text import NEG, attention, merge_heads, split_heads

ROPE_THETA = 100.0


def patchify(x):
    b, c, f, h, w = x.shape
    x = x.reshape(b, c, f, h // 2, 2, w // 2, 2).permute(0, 2, 3, 5, 1, 4, 6)
    return x.reshape(b, -1, c * 4)


def unpatchify(tokens, f, h, w):
    b = tokens.shape[0]
    x = tokens.reshape(b, f, h // 2, w // 2, LATENT_CHANNELS, 2, 2).permute(0, 4, 1, 2, 5, 3, 6)
    return x.reshape(b, LATENT_CHANNELS, f, h, w)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = (t * 1000.0)[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def rope_angles(pos, n):
    """pos [..., N] float -> angles [..., N, n/2]."""
    freqs = ROPE_THETA ** (-torch.arange(0, n, 2, dtype=torch.float32) / n)
    return pos[..., None] * freqs


def rotate(x, cos, sin):
    """Rotate-half RoPE on the last dim; cos/sin [B,1,N,dh/2]."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class DiTBlock(nn.Module):
    def __init__(self, d, heads, mlp_ratio):
        super().__init__()
        self.heads = heads
        self.n1 = nn.LayerNorm(d, elementwise_affine=False)
        self.n2 = nn.LayerNorm(d)
        self.n3 = nn.LayerNorm(d, elementwise_affine=False)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.xq, self.xkv, self.xproj = nn.Linear(d, d), nn.Linear(d, 2 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, mlp_ratio * d), nn.GELU(approximate="tanh"), nn.Linear(mlp_ratio * d, d))
        self.ada = nn.Linear(d, 6 * d)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def forward(self, x, mod, cos, sin, self_bias, text, text_bias):
        shift1, scale1, gate1, shift2, scale2, gate2 = mod.chunk(6, dim=-1)
        q, k, v = self.qkv(self.n1(x) * (1 + scale1) + shift1).chunk(3, dim=-1)
        q = rotate(split_heads(q, self.heads), cos, sin)
        k = rotate(split_heads(k, self.heads), cos, sin)
        x = x + gate1 * self.proj(merge_heads(attention(q, k, split_heads(v, self.heads), self_bias)))
        xk, xv = self.xkv(text).chunk(2, dim=-1)
        h = attention(split_heads(self.xq(self.n2(x)), self.heads), split_heads(xk, self.heads),
                      split_heads(xv, self.heads), text_bias)
        x = x + self.xproj(merge_heads(h))
        return x + gate2 * self.mlp(self.n3(x) * (1 + scale2) + shift2)


class DiT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.heads = cfg["dit_dim"], cfg["dit_heads"]
        dh = d // self.heads
        # RoPE split of each head: time gets the rest, y and x equal even shares.
        self.rope_yx = (dh // 3) // 2 * 2
        self.rope_t = dh - 2 * self.rope_yx
        assert self.rope_t % 2 == 0 and self.rope_yx > 0
        pin = LATENT_CHANNELS * 4
        self.x_in, self.c_in = nn.Linear(pin, d), nn.Linear(pin, d)
        self.t_mlp = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.text_in = nn.Linear(cfg["text_dim"], d)
        self.text_pool = nn.Sequential(nn.Linear(cfg["text_dim"], d), nn.SiLU(), nn.Linear(d, d))
        self.null_text = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.blocks = nn.ModuleList([DiTBlock(d, self.heads, cfg["mlp_ratio"]) for _ in range(cfg["dit_depth"])])
        self.n_out = nn.LayerNorm(d, elementwise_affine=False)
        self.ada_out = nn.Linear(d, 2 * d)
        self.out = nn.Linear(d, pin)
        for m in (self.ada_out, self.out):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def positions(self, latents, cond_times):
        """-> (t [B,N], y [1,N], x [1,N]) for main then conditioning tokens."""
        b, _, f, h, w = latents.shape
        k = cond_times.shape[1]
        ones = torch.ones_like(latents[:1, 0])  # [1,F,H,W]: carries F,H,W into the graph dynamically
        hw1 = ones[:, 0, ::2, ::2]  # [1,h,w]
        ys = torch.cumsum(hw1, dim=1) - 1
        xs = torch.cumsum(hw1, dim=2) - 1
        fj = torch.cumsum(ones[:, :, 0, 0], dim=1) - 1  # [1,F] = 0..F-1
        tmain = torch.clamp(fj * TEMPORAL - (TEMPORAL - 1), min=0.0)
        t_main = (tmain[:, :, None, None] * hw1[:, None]).reshape(1, -1)
        t_cond = (cond_times[:, :, None, None] * hw1[:, None]).reshape(b, -1)
        t_all = torch.cat([t_main.expand(b, -1), t_cond], dim=1)
        y_f = (ys[:, None] * ones[:, :, ::2, ::2]).reshape(1, -1)
        x_f = (xs[:, None] * ones[:, :, ::2, ::2]).reshape(1, -1)
        y_c = (ys[:, None] * torch.ones_like(cond_times[:1, :, None, None])).reshape(1, -1)
        x_c = (xs[:, None] * torch.ones_like(cond_times[:1, :, None, None])).reshape(1, -1)
        return t_all, torch.cat([y_f, y_c], dim=1), torch.cat([x_f, x_c], dim=1), hw1

    def rope(self, t, y, x):
        ang = torch.cat([rope_angles(t, self.rope_t),
                         rope_angles(y, self.rope_yx).expand(t.shape[0], -1, -1),
                         rope_angles(x, self.rope_yx).expand(t.shape[0], -1, -1)], dim=-1)
        return torch.cos(ang)[:, None], torch.sin(ang)[:, None]

    def forward(self, latents, timestep, text_embeds, text_mask, cond_latents, cond_times, cond_mask):
        b, _, f, h, w = latents.shape
        xm = self.x_in(patchify(latents))
        xc = self.c_in(patchify(cond_latents))
        n_main = xm.shape[1]
        x = torch.cat([xm, xc], dim=1)
        t_pos, y_pos, x_pos, hw1 = self.positions(latents, cond_times)
        cos, sin = self.rope(t_pos, y_pos, x_pos)

        # padded conditioning latents are invisible as keys; main tokens always are
        key_ok = torch.cat([torch.ones_like(xm[:, :, 0]),
                            (cond_mask[:, :, None, None] * hw1[:, None]).reshape(b, -1)], dim=1)
        self_bias = ((1.0 - key_ok) * NEG)[:, None, None, :]

        tm = text_mask.to(torch.float32)
        text = torch.cat([self.null_text.expand(b, -1, -1), self.text_in(text_embeds)], dim=1)
        text_bias = (torch.cat([torch.ones_like(tm[:, :1]), tm], dim=1)[:, None, None, :] - 1.0) * -NEG
        pooled = (text_embeds * tm[:, :, None]).sum(1) / torch.clamp(tm.sum(1, keepdim=True), min=1.0)
        c_text = self.text_pool(pooled)
        c_main = F.silu(self.t_mlp(timestep_embedding(timestep, 256)) + c_text)
        c_cond = F.silu(self.t_mlp(timestep_embedding(torch.zeros_like(timestep), 256)) + c_text)
        is_cond = torch.cat([torch.zeros_like(xm[:1, :, :1]), torch.ones_like(xc[:1, :, :1])], dim=1)  # [1,N,1]

        for blk in self.blocks:
            mm, mc = blk.ada(c_main)[:, None], blk.ada(c_cond)[:, None]
            x = blk(x, mm + is_cond * (mc - mm), cos, sin, self_bias, text, text_bias)
        shift, scale = self.ada_out(c_main)[:, None].chunk(2, dim=-1)
        out = self.out(self.n_out(x[:, :n_main]) * (1 + scale) + shift)
        return unpatchify(out, f, h, w)
