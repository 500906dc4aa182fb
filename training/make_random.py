"""Random-weight package (no training): the committed tiny test fixture, or a large one for memory benchmarks.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/make_random.py --config tiny --out tests/fixtures/tiny-model
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/make_random.py --config large --out /tmp/tessera-large-model
"""
import argparse
import json

import torch

from config import get_config
from export import latent_stats, write_package, write_parity
from models import build, param_count, randomize_zero_inits, setup_torch


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", default="tiny")
    ap.add_argument("--out", required=True)
    ap.add_argument("--parity", help="also write parity fixtures into this folder")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    setup_torch()
    cfg = get_config(a.config)
    torch.manual_seed(a.seed)
    ae, text, dit = (m.eval() for m in build(cfg))
    randomize_zero_inits(dit, seed=a.seed)
    stats = latent_stats(ae, cfg["sizes"], clips_per_size=8)
    meta = dict(id=f"tessera-random-{a.config}", version="0.0.1",
                description=f"Random weights ({a.config} config): exercises the contract, generates noise")
    mj = write_package(a.out, cfg, ae, text, dit, stats, meta)
    if a.parity:
        write_parity(a.parity, cfg, ae, text, dit, stats)
    print(json.dumps({"out": a.out, "bytes": sum(v["bytes"] for v in mj["files"].values()),
                      "params": {"ae": param_count(ae), "text": param_count(text), "dit": param_count(dit)}}))


if __name__ == "__main__":
    main()
