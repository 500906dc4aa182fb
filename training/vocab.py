"""Word-level vocabulary and a tokenizer.json that @huggingface/tokenizers (Node) and the Rust crate both load.

Python tokenisation here mirrors that tokenizer exactly (Lowercase normaliser, Whitespace pre-tokeniser
= regex \\w+|[^\\w\\s]+, WordLevel with [UNK]), so training sees the ids the Node pipeline will feed.
"""
import json
import re

import numpy as np

from config import MAX_TOKENS

PAD, UNK = "[PAD]", "[UNK]"
WORDS = [
    "a", "an", "the", "and", "on", "over", "in", "with", "is", "of", "to", ",", ".",
    "red", "orange", "yellow", "green", "cyan", "blue", "purple", "white", "black", "gray", "grey", "dark",
    "circle", "ball", "disc", "square", "box", "block", "triangle",
    "moving", "sliding", "drifting", "going", "left", "right", "up", "down",
    "background", "backdrop",
]
VOCAB = {PAD: 0, UNK: 1, **{w: i + 2 for i, w in enumerate(WORDS)}}
_SPLIT = re.compile(r"\w+|[^\w\s]+")


def tokenizer_json():
    special = lambda i, s: dict(id=i, content=s, single_word=False, lstrip=False, rstrip=False,
                                normalized=False, special=True)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, PAD), special(1, UNK)],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": VOCAB, "unk_token": UNK},
    }


def write_tokenizer(path):
    with open(path, "w") as f:
        json.dump(tokenizer_json(), f, indent=1)


def encode(texts, max_tokens=MAX_TOKENS):
    """-> (ids int64 [B,T], mask int64 [B,T]); empty text = all padding, mask all 0."""
    ids = np.zeros((len(texts), max_tokens), np.int64)
    mask = np.zeros((len(texts), max_tokens), np.int64)
    for b, text in enumerate(texts):
        toks = [VOCAB.get(w, VOCAB[UNK]) for w in _SPLIT.findall(text.lower())][:max_tokens]
        ids[b, :len(toks)] = toks
        mask[b, :len(toks)] = 1
    return ids, mask
