"""Network sizes. One dict per named config; every script takes --config NAME.

The latent grammar (8 channels, 4x time, 4x space, patch 1x2x2) is the model package contract's and is the
same for every config; only widths and depths change.
"""

LATENT_CHANNELS = 8
TEMPORAL = 4
SPATIAL = 4
PATCH = (1, 2, 2)
MAX_TOKENS = 16

CONFIGS = {
    # Random-weight test fixture: a few hundred KB, exercises every graph path.
    "tiny": dict(ae=(8, 8, 12), ae_dec_res=1, text_dim=32, text_layers=1, text_heads=2,
                 dit_dim=32, dit_depth=1, dit_heads=2, mlp_ratio=2,
                 sizes=[[32, 32], [64, 32]]),
    # Shipped reference model, sized for ~1.5 h of training on 2 CPU cores.
    "reference": dict(ae=(32, 48, 80), ae_dec_res=2, text_dim=128, text_layers=2, text_heads=4,
                      dit_dim=192, dit_depth=5, dit_heads=6, mlp_ratio=3,
                      sizes=[[32, 32], [64, 32], [32, 64]]),
    # Large random-weight package for memory benchmarks (never trained).
    "large": dict(ae=(64, 128, 256), ae_dec_res=3, text_dim=256, text_layers=4, text_heads=8,
                  dit_dim=512, dit_depth=12, dit_heads=8, mlp_ratio=4,
                  sizes=[[64, 64], [128, 64], [64, 128]]),
}


def get_config(name):
    if name not in CONFIGS:
        raise SystemExit(f"unknown config {name!r}; choose one of {sorted(CONFIGS)}")
    return dict(CONFIGS[name], name=name)
