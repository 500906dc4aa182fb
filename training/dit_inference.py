"""The trained DiT rewritten for export: the same function and weights, as an ONNX graph with far fewer nodes.

At the reference model's size a denoiser step is a few hundred tokens: the GEMMs run near this machine's peak, and
the rest of the time goes to many small element-wise and shape nodes. The training module (nets_dit.DiT) is
written for clarity; this one rearranges the same computation:
- the token stream is 2-D [B*N, d], so every Linear is one Gemm with its bias fused;
- attention is onnxruntime's MultiHeadAttention kernel (com.microsoft): heads are split, scored, masked and merged
  inside it, where the plain graph spent a dozen Reshape/Transpose/MatMul/Softmax nodes per attention;
- reshapes go to shape tensors made once per call, not shape arithmetic at every use;
- q, k and v come out of one projection (the 1/sqrt(dh) score scale folded into q), and RoPE turns q and k
  together in one onnxruntime RotaryEmbedding kernel, reading per-token cos/sin rows made once per call;
- the adaLN projections of every block are one GEMM over (main, conditioning) rows, and each token gathers its
  row; the conditioning tokens' t=0 embedding is a constant; "1 + scale" is folded into the bias;
- the text keys and values of every block (text_in folded in) are one projection of the prompt per call;
- tanh-GELU is written in the form onnxruntime fuses into one FastGelu kernel.
export.py refuses the export when this module's output differs from nets_dit.DiT's by more than 1e-4; the parity
fixtures then compare onnxruntime with nets_dit.DiT itself.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from nets_dit import patchify, timestep_embedding, unpatchify
from nets_text import NEG


class Reshape(torch.autograd.Function):
    """x.reshape(shape) with shape a tensor made once per call, exported as one Reshape node: torch's own export
    of x.reshape(b, n, ...) recomputes b and n from Shape/Gather/Concat nodes at every use."""

    @staticmethod
    def forward(ctx, x, shape):
        return x.reshape(tuple(shape.tolist()))

    @staticmethod
    def symbolic(g, x, shape):
        return g.op("Reshape", x, shape)


def reshape(x, shape):
    return Reshape.apply(x, shape)


class Rotary(torch.autograd.Function):
    """Rotate-half RoPE of every head of x [B,S,heads*dh], token (b, i) turned by row pos[b, i] of cos and sin
    [rows, dh/2]. Exported as one com.microsoft RotaryEmbedding node (not interleaved: the halves of a head pair
    up, as in nets_dit.rotate)."""

    @staticmethod
    def forward(ctx, x, pos, cos, sin):
        b, s, width = x.shape
        half = cos.shape[1]
        c, sn = cos[pos][:, :, None], sin[pos][:, :, None]
        x1, x2 = x.reshape(b, s, width // (2 * half), 2 * half).split(half, dim=-1)
        return torch.cat([x1 * c - x2 * sn, x2 * c + x1 * sn], dim=-1).reshape(b, s, width)

    @staticmethod
    def symbolic(g, x, pos, cos, sin):
        return g.op("com.microsoft::RotaryEmbedding", x, pos, cos, sin, interleaved_i=0)


def rotary(x, pos, cos, sin):
    return Rotary.apply(x, pos, cos, sin)


class Attention(torch.autograd.Function):
    """softmax(q k^T + bias) v per head: q [B,S,d], k and v [B,L,d], bias [B,1,S,L] additive (the 1/sqrt(dh) score
    scale is already folded into q). Exported as one com.microsoft MultiHeadAttention node with scale 1: inputs
    query, key, value, then no packed bias, no key padding mask, and the additive attention bias."""

    @staticmethod
    def forward(ctx, q, k, v, bias, heads):
        b, s, d = q.shape

        def split(t):
            return t.reshape(b, t.shape[1], heads, d // heads).transpose(1, 2)

        w = torch.softmax(torch.matmul(split(q), split(k).transpose(-1, -2)) + bias, dim=-1)
        return torch.matmul(w, split(v)).transpose(1, 2).reshape(b, s, d)

    @staticmethod
    def symbolic(g, q, k, v, bias, heads):
        absent = g.op("prim::Constant")
        absent.setType(torch._C.OptionalType.ofTensor())
        return g.op("com.microsoft::MultiHeadAttention", q, k, v, absent, absent, bias, num_heads_i=heads, scale_f=1.0)


def attention(q, k, v, bias, heads):
    return Attention.apply(q, k, v, bias, heads)


def gelu_tanh(x):
    # Written in the exact form onnxruntime's FastGeluFusion recognises (Pow 3, then these Muls and Adds), so the
    # session runs one FastGelu kernel instead of eight element-wise passes. torch's own export of
    # gelu(approximate="tanh") uses x*x*x and another operand order, which it does not match.
    return (0.5 * x) * (1.0 + torch.tanh(0.7978845608028654 * (x + 0.044715 * torch.pow(x, 3.0))))


def plain_layer_norm(x, unit):
    """Weightless LayerNorm with explicit unit scale and zero shift (an empty scale input fails to load in ORT)."""
    return F.layer_norm(x, unit.shape, unit, torch.zeros_like(unit))


def linear(weight, bias):
    m = nn.Linear(weight.shape[1], weight.shape[0])
    m.weight.data.copy_(weight)
    m.bias.data.copy_(bias)
    return m


class Block(nn.Module):
    def __init__(self, blk, heads, dh):
        super().__init__()
        d = heads * dh
        self.heads, self.dh, self.d = heads, dh, d
        s = dh ** -0.5
        wq, wk, wv = blk.qkv.weight.data.split(d)
        bq, bk, bv = blk.qkv.bias.data.split(d)
        self.qkv = linear(torch.cat([wq * s, wk, wv]), torch.cat([bq * s, bk, bv]))
        self.proj = blk.proj
        self.n2 = blk.n2
        self.xq = linear(blk.xq.weight.data * s, blk.xq.bias.data * s)
        self.xproj = blk.xproj
        self.fc1, self.fc2 = blk.mlp[0], blk.mlp[2]
        self.register_buffer("unit", torch.ones(d))

    def forward(self, x, mod, rope, shapes, self_bias, text_k, text_v, text_bias):
        """x [B*N, d]: a 2-D stream, so every Linear is one Gemm with its bias fused; attention sees it as [B, N, d].
        text_k, text_v [B, T+1, d]; the biases [B, 1, N, N] and [B, 1, N, T+1]."""
        shift1, scale1, gate1, shift2, scale2, gate2 = mod
        pos, cos, sin = rope
        seq, seq2, flat = shapes
        qk, v = self.qkv(plain_layer_norm(x, self.unit) * scale1 + shift1).split([2 * self.d, self.d], dim=-1)
        q, k = rotary(reshape(qk, seq2), pos, cos, sin).split(self.d, dim=-1)
        h = attention(q, k, reshape(v, seq), self_bias, self.heads)
        x = x + gate1 * self.proj(reshape(h, flat))
        h = attention(reshape(self.xq(self.n2(x)), seq), text_k, text_v, text_bias, self.heads)
        x = x + self.xproj(reshape(h, flat))
        return x + gate2 * self.fc2(gelu_tanh(self.fc1(plain_layer_norm(x, self.unit) * scale2 + shift2)))


class InferenceDiT(nn.Module):
    def __init__(self, dit):
        super().__init__()
        dit = dit.eval()
        self.src = dit  # positions() and the RoPE angles come from the original (once per call, not per block)
        d, heads = dit.x_in.out_features, dit.heads
        dh = d // heads
        self.d, self.heads, self.dh, self.depth = d, heads, dh, len(dit.blocks)
        self.x_in, self.c_in, self.t_mlp, self.text_pool = dit.x_in, dit.c_in, dit.t_mlp, dit.text_pool
        self.register_buffer("unit", torch.ones(d))
        with torch.no_grad():
            self.register_buffer("t0_emb", dit.t_mlp(timestep_embedding(torch.zeros(1), 256)))
            # adaLN of all blocks at once; +1 on each scale so the block multiplies by it directly
            w = torch.cat([blk.ada.weight.data for blk in dit.blocks])
            b = torch.cat([blk.ada.bias.data.view(6, d) + torch.tensor([0, 1, 0, 0, 1, 0.0])[:, None]
                           for blk in dit.blocks]).reshape(-1)
            self.ada = linear(w, b)
            # text keys/values of all blocks from the raw prompt embeddings, text_in folded in
            wkv = torch.cat([blk.xkv.weight.data for blk in dit.blocks])  # [depth*2d, d]
            bkv = torch.cat([blk.xkv.bias.data for blk in dit.blocks])
            self.text_kv = linear(wkv @ dit.text_in.weight.data, wkv @ dit.text_in.bias.data + bkv)
            self.register_buffer("null_kv", dit.null_text.data[0] @ wkv.T + bkv)  # [1, depth*2d]
            b_shift, b_scale = dit.ada_out.bias.data.split(d)
            self.ada_out = linear(dit.ada_out.weight.data, torch.cat([b_shift, b_scale + 1]))
        self.blocks = nn.ModuleList([Block(blk, heads, dh) for blk in dit.blocks])
        self.out = dit.out

    def rope_tables(self, t_pos, y_pos, x_pos, batch):
        """Rows of cos/sin [B*N, dh/2], token (b, i) at row b*N + i, and those row numbers [B, N]."""
        cos, sin = self.src.rope(t_pos, y_pos, x_pos)  # [B,1,N,dh/2]
        flat = torch.tensor([-1, self.dh // 2])
        rows = reshape(torch.ones_like(cos[:, 0, :, 0]), torch.tensor([-1]))
        pos = reshape(torch.cumsum(rows, 0) - 1, torch.cat([batch, torch.tensor([-1])])).long()
        return pos, reshape(cos, flat), reshape(sin, flat)

    def forward(self, latents, timestep, text_embeds, text_mask, cond_latents, cond_times, cond_mask):
        b, _, f, h, w = latents.shape
        d, heads = self.d, self.heads
        xm = self.x_in(patchify(latents))
        xc = self.c_in(patchify(cond_latents))
        n_main = xm.shape[1]
        x = reshape(torch.cat([xm, xc], dim=1), torch.tensor([-1, d]))
        # the Reshape targets every block uses, made once
        batch = torch.ones_like(timestep, dtype=torch.int64).sum(0, keepdim=True)
        shapes = (torch.cat([batch, torch.tensor([-1, d])]), torch.cat([batch, torch.tensor([-1, 2 * d])]),
                  torch.tensor([-1, d]))
        t_pos, y_pos, x_pos, hw1 = self.src.positions(latents, cond_times)
        rope = self.rope_tables(t_pos, y_pos, x_pos, batch)

        key_ok = torch.cat([torch.ones_like(xm[:, :, 0]),
                            (cond_mask[:, :, None, None] * hw1[:, None]).reshape(b, -1)], dim=1)
        # the attention kernel takes a bias per query row: expanded once here, shared by every block
        n_all = key_ok.shape[1]
        self_bias = ((1.0 - key_ok) * NEG)[:, None, None, :].expand(-1, -1, n_all, -1)

        tm = text_mask.to(torch.float32)
        text_bias = ((torch.cat([torch.ones_like(tm[:, :1]), tm], dim=1)[:, None, None, :] - 1.0) * -NEG
                     ).expand(-1, -1, n_all, -1)
        kv = torch.cat([self.null_kv.expand(b, 1, -1), self.text_kv(text_embeds)], dim=1)  # [B,T+1,depth*2d]
        kv = kv.split(d, dim=-1)  # k, v of block 0, k, v of block 1, ...
        pooled = (text_embeds * tm[:, :, None]).sum(1) / torch.clamp(tm.sum(1, keepdim=True), min=1.0)
        c_text = self.text_pool(pooled)
        c_main = F.silu(self.t_mlp(timestep_embedding(timestep, 256)) + c_text)
        c_cond = F.silu(self.t0_emb + c_text)
        # one modulation row per (main|cond, batch); each token of the 2-D stream gathers its row, piece by piece
        rows = self.ada(torch.cat([c_main, c_cond])).split(d, dim=-1)  # 6*depth pieces of [2B, d]
        is_cond = torch.cat([torch.zeros_like(xm[:, :, 0]), torch.ones_like(xc[:, :, 0])], dim=1)  # [B,N]
        row_of_token = (is_cond * b + torch.cumsum(torch.ones_like(is_cond[:, :1]), 0) - 1).reshape(-1).long()
        mods = [piece.index_select(0, row_of_token) for piece in rows]

        for i, blk in enumerate(self.blocks):
            x = blk(x, mods[6 * i:6 * i + 6], rope, shapes, self_bias, kv[2 * i], kv[2 * i + 1],
                    text_bias)
        x = reshape(x, torch.cat([batch, torch.tensor([-1, d])]))[:, :n_main]
        shift, scale = self.ada_out(c_main)[:, None].split(d, dim=-1)
        out = self.out(plain_layer_norm(x, self.unit) * scale + shift)
        return unpatchify(out, f, h, w)
