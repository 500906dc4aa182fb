"""Rectified-flow Euler sampler with classifier-free guidance, exactly as the Node pipeline runs it."""
import torch

import vocab
from models import device_of


def shifted_grid(steps, shift):
    t = torch.linspace(1.0, 0.0, steps + 1)
    return shift * t / (1 + (shift - 1) * t)


def seeded_noise(seeds, shape):
    return torch.stack([torch.randn(shape, generator=torch.Generator().manual_seed(int(s))) for s in seeds])


def no_cond(b, c, h, w):
    """The unconditioned run: one zero conditioning latent, masked out."""
    return torch.zeros(b, c, 1, h, w), torch.zeros(b, 1), torch.zeros(b, 1)


@torch.no_grad()
def sample(text, dit, prompts, seeds, frames_latent, h, w, steps=20, guidance=3.0, shift=1.0, cond=None,
           channels=8):
    """-> clean model latents z_model [B,C,F,h,w]. cond = (cond_latents z_model, cond_times, cond_mask) or None."""
    b = len(prompts)
    dev = device_of(dit)
    ids, mask = (torch.from_numpy(a).to(dev) for a in vocab.encode(list(prompts)))
    nids, nmask = (torch.from_numpy(a).to(dev) for a in vocab.encode([""] * b))
    emb, nemb = text(ids, mask), text(nids, nmask)
    cl, ct, cm = (t.to(dev) for t in (cond if cond is not None else no_cond(b, channels, h, w)))
    x = seeded_noise(seeds, (channels, frames_latent, h, w)).to(dev)  # CPU generator: same noise on any device
    grid = shifted_grid(steps, shift).to(dev)
    for i in range(steps):
        t = grid[i].expand(b)
        if guidance == 1.0:
            v = dit(x, t, emb, mask, cl, ct, cm)
        else:
            v2 = dit(torch.cat([x, x]), torch.cat([t, t]), torch.cat([emb, nemb]), torch.cat([mask, nmask]),
                     torch.cat([cl, cl]), torch.cat([ct, ct]), torch.cat([cm, cm]))
            vc, vu = v2[:b], v2[b:]
            v = vu + guidance * (vc - vu)
        x = x + (grid[i + 1] - grid[i]) * v
    return x
