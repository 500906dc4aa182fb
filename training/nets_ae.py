"""Causal video autoencoder: frames [B,3,4n+1,H,W] in [-1,1] <-> latents [B,8,n+1,H/4,W/4].

Causality: frame 0 is coded alone and every later latent codes a group of 4 frames. Time mixing uses convs
padded only on the past side (by repeating the first frame) and the only normalisation is an RMS norm over
channels, so nothing ever looks at a later frame. Spatial detail is moved into channels with space-to-depth
and time with the same trick (first frame repeated 3x so the frame count becomes a multiple of 4): that keeps
the expensive full-resolution layers per-frame (k=1 in time) and makes the AE cheap to train on 2 CPU cores.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from config import LATENT_CHANNELS, TEMPORAL


class ChannelRMSNorm(nn.Module):
    """Normalises each (t, y, x) position over channels: causal and size-agnostic (unlike GroupNorm)."""

    def __init__(self, c):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(1, c, 1, 1, 1))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-6) * self.gain


class CausalConv3d(nn.Module):
    def __init__(self, cin, cout, kt=3, ks=3):
        super().__init__()
        self.kt = kt
        self.conv = nn.Conv3d(cin, cout, (kt, ks, ks), padding=(0, ks // 2, ks // 2))

    def forward(self, x):
        if self.kt > 1:
            x = torch.cat([x[:, :, :1]] * (self.kt - 1) + [x], dim=2)
        return self.conv(x)


class ResBlock(nn.Module):
    def __init__(self, c, kt):
        super().__init__()
        self.n1, self.c1 = ChannelRMSNorm(c), CausalConv3d(c, c, kt)
        self.n2, self.c2 = ChannelRMSNorm(c), CausalConv3d(c, c, kt)

    def forward(self, x):
        h = self.c1(F.silu(self.n1(x)))
        return x + self.c2(F.silu(self.n2(h)))


def space_to_depth(x):
    b, c, t, h, w = x.shape
    x = x.reshape(b, c, t, h // 2, 2, w // 2, 2).permute(0, 1, 4, 6, 2, 3, 5)
    return x.reshape(b, c * 4, t, h // 2, w // 2)


def depth_to_space(x):
    b, c, t, h, w = x.shape
    x = x.reshape(b, c // 4, 2, 2, t, h, w).permute(0, 1, 4, 5, 2, 6, 3)
    return x.reshape(b, c // 4, t, h * 2, w * 2)


def time_to_depth(x):
    """[B,C,4n+1,...] -> [B,4C,n+1,...]: group 0 = frame 0 repeated, group j = frames 4j-3..4j."""
    x = torch.cat([x[:, :, :1]] * (TEMPORAL - 1) + [x], dim=2)
    b, c, t, h, w = x.shape
    x = x.reshape(b, c, t // TEMPORAL, TEMPORAL, h, w).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, c * TEMPORAL, t // TEMPORAL, h, w)


def depth_to_time(x):
    """[B,4C,n+1,...] -> [B,C,4n+1,...] (drops the 3 copies that stand in front of frame 0)."""
    b, c, t, h, w = x.shape
    x = x.reshape(b, c // TEMPORAL, TEMPORAL, t, h, w).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, c // TEMPORAL, t * TEMPORAL, h, w)[:, :, TEMPORAL - 1:]


class Encoder(nn.Module):
    def __init__(self, c1, c2, c3):
        super().__init__()
        self.conv_in = CausalConv3d(12, c1, kt=1)
        self.res1 = ResBlock(c1, kt=1)
        self.down = CausalConv3d(4 * c1, c2, kt=1)
        self.res2 = ResBlock(c2, kt=3)
        self.tdown = CausalConv3d(TEMPORAL * c2, c3, kt=1)
        self.res3 = ResBlock(c3, kt=3)
        self.norm_out = ChannelRMSNorm(c3)
        self.conv_out = CausalConv3d(c3, LATENT_CHANNELS, kt=1)

    def forward(self, x):
        x = self.res1(self.conv_in(space_to_depth(x)))
        x = self.res2(self.down(space_to_depth(x)))
        x = self.res3(self.tdown(time_to_depth(x)))
        return self.conv_out(F.silu(self.norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, c1, c2, c3, n_res):
        super().__init__()
        self.conv_in = CausalConv3d(LATENT_CHANNELS, c3, kt=3)
        self.res3 = nn.Sequential(*[ResBlock(c3, kt=3) for _ in range(n_res)])
        self.tup = CausalConv3d(c3, TEMPORAL * c2, kt=1)
        self.res2 = nn.Sequential(*[ResBlock(c2, kt=3) for _ in range(n_res)])
        self.up = CausalConv3d(c2, 4 * c1, kt=1)
        self.res1 = nn.Sequential(*[ResBlock(c1, kt=1) for _ in range(n_res)])
        self.norm_out = ChannelRMSNorm(c1)
        self.conv_out = CausalConv3d(c1, 12, kt=1)

    def forward(self, z):
        x = self.res3(self.conv_in(z))
        x = self.res2(depth_to_time(self.tup(x)))
        x = self.res1(depth_to_space(self.up(x)))
        return depth_to_space(self.conv_out(F.silu(self.norm_out(x))))


class VideoAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c1, c2, c3 = cfg["ae"]
        self.encoder = Encoder(c1, c2, c3)
        self.decoder = Decoder(c1, c2, c3, cfg["ae_dec_res"])

    def encode(self, frames):
        return self.encoder(frames)

    def decode(self, z):
        return self.decoder(z)
