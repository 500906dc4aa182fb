"""Reads a clip's objects back from pixels: colour, direction (centroid track) and shape (fill ratio)."""
import numpy as np

from dataset import BACKGROUNDS, COLOURS

_PALETTE = np.asarray(list(COLOURS.values()), np.float32)
_NAMES = list(COLOURS)


def classify(rgb):
    """rgb float [T,H,W,3] in [0,1] -> dict(colour, direction, shape, centroids) for a single-object clip."""
    x = np.clip(rgb, 0, 1) * 255.0
    border = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1).reshape(-1, 3)
    bg = np.median(border, axis=0)
    dist = np.linalg.norm(x - bg, axis=-1)
    p99 = np.percentile(dist, 99)
    if p99 < 40:
        return dict(colour=None, direction=None, shape=None, centroids=[])
    core = dist >= 0.6 * p99
    colour = _NAMES[int(np.argmin(np.linalg.norm(_PALETTE - np.median(x[core], axis=0), axis=1)))]
    half = dist >= 0.5 * np.median(dist[core])  # ~50% coverage contour: unbiased area
    return dict(colour=colour, **read_track(half))


def read_track(mask):
    """mask bool [T,H,W] of one object -> dict(direction, shape, centroids): centroid track and fill ratio."""
    t, h, w = mask.shape
    cents, fills = [], []
    for i in range(t):
        ys, xs = np.nonzero(mask[i])
        if len(xs) < 4:
            continue
        cents.append((i, xs.mean(), ys.mean()))
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        if x0 > 0 and y0 > 0 and x1 < w - 1 and y1 < h - 1:
            fills.append(len(xs) / ((x1 - x0 + 1) * (y1 - y0 + 1)))
    direction = None
    if len(cents) >= 3:
        c = np.asarray(cents)
        sx, sy = np.polyfit(c[:, 0], c[:, 1], 1)[0], np.polyfit(c[:, 0], c[:, 2], 1)[0]
        if max(abs(sx), abs(sy)) >= 0.2:
            direction = ("right" if sx > 0 else "left") if abs(sx) >= abs(sy) else ("down" if sy > 0 else "up")
    shape = None
    if fills:
        fr = float(np.median(fills))
        shape = "triangle" if fr < 0.65 else "circle" if fr < 0.9 else "square"
    return dict(direction=direction, shape=shape, centroids=cents)


def classify_colour(rgb, colour, bg):
    """One object of a multi-object clip, found by its colour: the pixels whose nearest reference colour (palette
    plus the background) is `colour`, at least halfway from the background. -> dict(present, direction, shape)."""
    x = np.clip(rgb, 0, 1) * 255.0
    refs = np.concatenate([_PALETTE, np.asarray([BACKGROUNDS[bg]], np.float32)])
    nearest = np.argmin(np.linalg.norm(x[..., None, :] - refs, axis=-1), axis=-1)
    target, back = np.asarray(COLOURS[colour], np.float32), np.asarray(BACKGROUNDS[bg], np.float32)
    halfway = np.linalg.norm(x - back, axis=-1) >= 0.5 * np.linalg.norm(target - back)
    mask = (nearest == _NAMES.index(colour)) & halfway
    frames_seen = int((mask.reshape(len(mask), -1).sum(axis=1) >= 4).sum())
    return dict(present=frames_seen >= len(mask) // 2, **read_track(mask))


def velocity(cents):
    """Mean centroid velocity (px/frame) from a centroid track [(frame, x, y)]."""
    if len(cents) < 2:
        return None
    c = np.asarray(cents)
    return np.array([np.polyfit(c[:, 0], c[:, 1], 1)[0], np.polyfit(c[:, 0], c[:, 2], 1)[0]])
