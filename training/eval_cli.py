"""Prompt adherence as a user gets it: every clip comes from `tessera generate PROMPT --seconds 2 --fps 24` (the
default model, steps/guidance/shift from its model.json), is encoded to H.264 by the real pipeline, then decoded
back with ffmpeg and read with the same classifier as eval.py. Seen and held-out combos are reported apart, at
three sequence aspects (smaller than 1920x1080 to save time; the model's output is upscaled either way).
Needs only numpy, node and ffmpeg (no torch):

  /usr/bin/python3 training/eval_cli.py --out training/metrics-cli.json
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402
from classify import classify  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# sequence size -> decode size: the aspect kept, at about the model's native pixel scale so the classifier's
# pixel thresholds (min area, 0.2 px/frame slope) mean what they do in eval.py
SIZES = {"640x360": (64, 36), "360x640": (36, 64), "480x480": (32, 32)}
READ_FPS = 8  # the model's own frame rate: 24 fps output holds each model frame about 3 times


def prompt_of(combo):
    c, s, d, b = combo
    return dataset.canonical_caption([dict(colour=c, shape=s, direction=d)], b)


def generate(prompt, size, seed, data_dir, out, attempts=20):
    """-> (seconds of the successful call, failed calls before it). A failed call is retried with the same seed
    and counted, so the report shows how often the user path itself failed."""
    cmd = ["node", os.path.join(ROOT, "bin", "tessera.js"), "generate", prompt, "--seconds", "2", "--fps", "24",
           "--size", size, "--seed", str(seed), "--data-dir", data_dir, "--out", out]
    for failed in range(attempts):
        t0 = time.time()
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode == 0:
            return time.time() - t0, failed
        last = r.stderr.strip().splitlines()[-2:]
        print(f"  generate failed ({r.returncode}), retrying: {' | '.join(last)}", file=sys.stderr, flush=True)
    print(f"  gave up after {attempts} failed calls: {' '.join(cmd)}", file=sys.stderr, flush=True)
    return None, attempts


def decode(path, w, h):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", f"fps={READ_FPS},scale={w}:{h}:flags=area",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3).astype(np.float32) / 255.0


def score(rows):
    n = len(rows)
    out = dict(n=n)
    for k in ("colour", "direction", "shape", "all"):
        out[k] = round(sum(r[k] for r in rows) / n, 4) if n else None
    return out


def write(path, report):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seen", type=int, default=16, help="seen combos (fixed-seed sample of dataset.SEEN)")
    ap.add_argument("--unseen", type=int, default=16, help="held-out combos (fixed-seed sample of dataset.UNSEEN)")
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--out", default="training/metrics-cli.json")
    a = ap.parse_args()

    rng = np.random.default_rng(7)
    groups = {
        "seen": [dataset.SEEN[i] for i in rng.choice(len(dataset.SEEN), a.seen, replace=False)],
        "unseen": [dataset.UNSEEN[i] for i in rng.choice(len(dataset.UNSEEN), a.unseen, replace=False)],
    }
    report = dict(command="tessera generate PROMPT --seconds 2 --fps 24 --size WxH --seed S (steps, guidance "
                          "from model.json)", read_fps=READ_FPS, sizes={})
    t_start = time.time()
    with tempfile.TemporaryDirectory(prefix="tessera-eval-cli-") as tmp:
        for size in a.sizes.split(","):
            rw, rh = SIZES[size]
            res, times, failures, given_up = {}, [], 0, 0
            for group, combos in groups.items():
                rows = []
                for i, combo in enumerate(combos):
                    seed = 100 + i + (0 if group == "seen" else 50)
                    clip = os.path.join(tmp, "x.mp4")
                    sec, failed = generate(prompt_of(combo), size, seed, tmp, clip)
                    failures += failed
                    if sec is None:  # no clip reached the user: scored as wrong on every count
                        given_up += 1
                        rows.append(dict(colour=False, direction=False, shape=False, all=False))
                        continue
                    times.append(sec)
                    got = classify(decode(clip, rw, rh))
                    c, s, d, _ = combo
                    ok = dict(colour=got["colour"] == c, direction=got["direction"] == d, shape=got["shape"] == s)
                    rows.append(dict(ok, all=all(ok.values())))
                    os.remove(clip)
                res[group] = score(rows)
                print(f"{size} {group}: {res[group]}", flush=True)
            res["seconds_per_clip"] = round(float(np.median(times)), 2)
            res["failed_generate_calls"] = failures
            res["clips_never_made"] = given_up
            report["sizes"][size] = dict(read_as=f"{rw}x{rh}", **res)
            write(a.out, report)
    report["wall_seconds"] = round(time.time() - t_start, 1)
    write(a.out, report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
