"""Small text encoder: token + learned position embeddings, pre-LN transformer blocks, padding masked.

An all-padding prompt (guidance's unconditional branch) gives a uniform softmax over pads (finite bias, not
-inf) and the output is zeroed at padding, so it stays finite and the DiT sees nothing but its null token.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from config import MAX_TOKENS
from vocab import VOCAB

NEG = -1e4  # finite "minus infinity": fully masked rows stay finite


def attention(q, k, v, bias):
    """q,k,v [B,h,N,dh]; bias broadcastable to [B,h,Nq,Nk]. Plain matmul+softmax (exports to ONNX as is)."""
    scores = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5) + bias
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def split_heads(x, heads):
    b, n, d = x.shape
    return x.reshape(b, n, heads, d // heads).transpose(1, 2)


def merge_heads(x):
    b, h, n, dh = x.shape
    return x.transpose(1, 2).reshape(b, n, h * dh)


class TextBlock(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, bias):
        q, k, v = self.qkv(self.n1(x)).chunk(3, dim=-1)
        h = attention(split_heads(q, self.heads), split_heads(k, self.heads), split_heads(v, self.heads), bias)
        x = x + self.proj(merge_heads(h))
        return x + self.mlp(self.n2(x))


class TextEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["text_dim"]
        self.tok = nn.Embedding(len(VOCAB), d)
        self.pos = nn.Parameter(torch.randn(MAX_TOKENS, d) * 0.02)
        self.blocks = nn.ModuleList([TextBlock(d, cfg["text_heads"]) for _ in range(cfg["text_layers"])])
        self.norm = nn.LayerNorm(d)

    def forward(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        m = attention_mask.to(torch.float32)
        x = self.tok(input_ids) + self.pos[:t]
        bias = ((1.0 - m) * NEG)[:, None, None, :]
        for blk in self.blocks:
            x = blk(x, bias)
        return self.norm(x) * m[:, :, None]
