"""The guided denoiser step in torch eager, on the same weights as a package's transformer.onnx, timed in rounds.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_step.py --inputs DIR --threads N --source random:CONFIG:SEED
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_step.py --inputs DIR --threads N --source checkpoint:PATH

The DiT is rebuilt with the training code (training/): a random package from its config and seed exactly as
training/make_random.py makes it, a trained one from its checkpoint. DIR holds the feeds and onnxruntime's
velocity as raw little-endian files plus feeds.json; the output is compared with torch's (the weights are the
same only if they agree). Then it prints {"ready": ...} and, for every line "round" on stdin, times --runs steps
and prints {"median": ms}, so the bench can alternate torch and onnxruntime rounds: on a shared machine both
then see the same bursts of other work. Every answer is one JSON line; a failure is {"error": ...}.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "training"))

from config import get_config  # noqa: E402
from models import build, randomize_zero_inits  # noqa: E402

DTYPES = {"float32": np.float32, "int64": np.int64}


def load_dit(source):
    kind, _, rest = source.partition(":")
    if kind == "random":
        name, _, seed = rest.partition(":")
        torch.manual_seed(int(seed or 0))
        _, _, dit = build(get_config(name))
        randomize_zero_inits(dit, seed=int(seed or 0))
        return dit.eval()
    if kind == "checkpoint":
        from export import models_from_checkpoint
        _, _, _, dit = models_from_checkpoint(torch.load(rest, map_location="cpu"))
        return dit.eval()
    raise SystemExit(f"unknown source {source}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    meta = json.load(open(os.path.join(a.inputs, "feeds.json")))
    tensors = {}
    for name, info in meta.items():
        data = np.fromfile(os.path.join(a.inputs, name + ".bin"), dtype=DTYPES[info["dtype"]]).reshape(info["dims"])
        tensors[name] = torch.from_numpy(data.copy())
    expected = tensors.pop("velocity")
    try:
        dit = load_dit(a.source)
    except Exception as error:  # noqa: BLE001 - the reason is reported, not raised
        print(json.dumps({"error": f"could not rebuild the DiT from {a.source}: {error}"}))
        return
    order = ["latents", "timestep", "text_embeds", "text_mask", "cond_latents", "cond_times", "cond_mask"]
    args = [tensors[n] for n in order]
    with torch.no_grad():
        out = dit(*args)
        diff = float((out - expected).abs().max())
        if diff > 1e-3:
            print(json.dumps({"error": f"torch and onnxruntime disagree (max abs diff {diff:.3g}): not the same weights", "max_abs_diff": diff}))
            return
        for _ in range(3):
            dit(*args)
        print(json.dumps({"ready": True, "max_abs_diff": diff, "threads": a.threads, "torch": torch.__version__}), flush=True)
        for line in sys.stdin:
            if line.strip() != "round":
                continue
            times = []
            for _ in range(a.runs):
                start = time.perf_counter()
                dit(*args)
                times.append((time.perf_counter() - start) * 1000)
            print(json.dumps({"median": statistics.median(times)}), flush=True)


if __name__ == "__main__":
    main()
