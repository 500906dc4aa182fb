"""Procedural video domain, rendered on the fly (numpy, ~1 ms a clip): coloured shapes moving on flat backgrounds.

A scene is one object (sometimes two) moving at constant velocity; rendering any frame range of it gives the
clip, the 5 frames before it (tail-extend conditioning) and the 5 after it (head-extend conditioning).
Frame 0 is the window's first frame; model fps is 8. Pixels are in [0,1] here; models see 2*p-1.
"""
import numpy as np

COLOURS = {
    "red": (220, 40, 40), "orange": (240, 140, 30), "yellow": (235, 215, 40), "green": (40, 180, 60),
    "cyan": (40, 200, 210), "blue": (40, 80, 220), "purple": (140, 60, 200), "white": (235, 235, 235),
}
BACKGROUNDS = {"black": (15, 15, 15), "gray": (100, 100, 100), "dark blue": (20, 30, 75), "dark green": (20, 55, 30)}
SHAPES = ("circle", "square", "triangle")
DIRECTIONS = ("left", "right", "up", "down")
DIR_VEC = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
CLASHES = {("blue", "dark blue"), ("green", "dark green")}  # same hue family: "never the background's colour"
SHAPE_WORDS = {"circle": ("circle", "ball", "disc"), "square": ("square", "box", "block"), "triangle": ("triangle",)}
VERBS = ("moving", "sliding", "drifting", "going")
WINDOW = 17  # frames of one model window
COND = 5  # conditioning frames before/after a window

ALL_COMBOS = [(c, s, d, b) for c in COLOURS for s in SHAPES for d in DIRECTIONS for b in BACKGROUNDS
              if (c, b) not in CLASHES]


def _held_out():
    """~10% of (colour, shape, direction, background) combos, fixed forever, never trained on."""
    rng = np.random.default_rng(20261125)
    idx = rng.permutation(len(ALL_COMBOS))[: len(ALL_COMBOS) // 10]
    return frozenset(ALL_COMBOS[i] for i in idx)


HELD_OUT = _held_out()
SEEN = [c for c in ALL_COMBOS if c not in HELD_OUT]
UNSEEN = sorted(HELD_OUT)


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def canonical_caption(objs, bg):
    parts = [f"{article(o['colour'])} {o['colour']} {o['shape']} moving {o['direction']}" for o in objs]
    return " and ".join(parts) + f" on a {bg} background"


def paraphrase_caption(objs, bg, rng):
    parts = [f"{article(o['colour'])} {o['colour']} {rng.choice(SHAPE_WORDS[o['shape']])} {rng.choice(VERBS)} {o['direction']}"
             for o in objs]
    prep = rng.choice(["on", "over"])
    noun = rng.choice(["background", "backdrop"])
    bgw = "grey" if bg == "gray" and rng.random() < 0.5 else bg
    return " and ".join(parts) + f" {prep} a {bgw} {noun}"


def make_object(rng, combo, width, height, mode):
    colour, shape, direction, _ = combo
    scale = min(width, height) / 32.0
    r = rng.uniform(3.5, 5.0) * scale
    speed = rng.uniform(0.75, 1.1) * scale  # px per frame at 8 fps
    dx, dy = DIR_VEC[direction]
    travel = speed * (WINDOW - 1)
    along, across = (width, height) if dx else (height, width)
    # position along the motion axis in "forward" coordinates (increasing in the direction of motion)
    if mode == "enter":
        start = -r - rng.uniform(0.5, 3.0)
    elif mode == "leave":
        start = along + r + rng.uniform(0.5, 3.0) - travel
    else:
        start = rng.uniform(r + 1, max(r + 1, along - r - 1 - travel))
    side = rng.uniform(r + 1, across - r - 1)
    fwd0 = start if (dx > 0 or dy > 0) else along - start
    x0, y0 = (fwd0, side) if dx else (side, fwd0)
    return dict(colour=colour, shape=shape, direction=direction, r=r, x0=x0, y0=y0,
                vx=dx * speed, vy=dy * speed)


def make_scene(rng, width, height, combos=SEEN, two_prob=0.2, edge_prob=0.15, canonical_prob=0.5, combo=None):
    combo = combo if combo is not None else combos[rng.integers(len(combos))]
    bg = combo[3]
    mode = rng.choice(["enter", "leave"]) if rng.random() < edge_prob else "inside"
    objs = [make_object(rng, combo, width, height, mode)]
    if rng.random() < two_prob:
        for _ in range(20):
            c2 = combos[rng.integers(len(combos))]
            if c2[3] == bg and c2[0] != combo[0]:
                objs.append(make_object(rng, c2, width, height, "inside"))
                break
    cap = canonical_caption(objs, bg) if rng.random() < canonical_prob else paraphrase_caption(objs, bg, rng)
    return dict(objects=objs, bg=bg, caption=cap, width=width, height=height, combo=combo, mode=mode)


def _coverage(shape, px, py, r):
    if shape == "circle":
        return (px * px + py * py) <= r * r
    if shape == "square":
        return (np.abs(px) <= r) & (np.abs(py) <= r)
    return (py <= r) & (py >= -r) & (np.abs(px) <= (py + r) * 0.5)  # triangle, apex up


def render(scene, frames):
    """frames: iterable of frame indices -> (rgb float32 [T,H,W,3] in [0,1], foreground coverage [T,H,W])."""
    w, h = scene["width"], scene["height"]
    ss = 2  # supersampling per axis for anti-aliased edges and smooth sub-pixel motion
    xs = (np.arange(w * ss) + 0.5) / ss
    ys = (np.arange(h * ss) + 0.5) / ss
    f = np.asarray(list(frames), np.float32)[:, None, None]
    img = np.empty((len(f), h, w, 3), np.float32)
    img[:] = np.asarray(BACKGROUNDS[scene["bg"]], np.float32) / 255.0
    fg = np.zeros((len(f), h, w), np.float32)
    for o in scene["objects"]:
        cx, cy = o["x0"] + o["vx"] * f, o["y0"] + o["vy"] * f
        cov = _coverage(o["shape"], xs[None, None, :] - cx, ys[None, :, None] - cy, o["r"]).astype(np.float32)
        cov = cov.reshape(len(f), h, ss, w, ss).mean(axis=(2, 4))
        col = np.asarray(COLOURS[o["colour"]], np.float32) / 255.0
        img = img * (1 - cov[..., None]) + col * cov[..., None]
        fg = np.maximum(fg, cov)
    return img, fg


def to_model(rgb):
    """[T,H,W,3] in [0,1] -> [3,T,H,W] in [-1,1]."""
    return np.ascontiguousarray(rgb.transpose(3, 0, 1, 2)) * 2.0 - 1.0


def batch(rng, n, width, height, frames=WINDOW, combos=SEEN, **kw):
    """Training batch for the AE: clips [n,3,T,H,W] in [-1,1], foreground [n,T,H,W], scenes."""
    scenes = [make_scene(rng, width, height, combos, **kw) for _ in range(n)]
    out = [render(s, range(frames)) for s in scenes]
    return (np.stack([to_model(o[0]) for o in out]), np.stack([o[1] for o in out]), scenes)
