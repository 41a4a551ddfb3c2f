"""A disk-backed list of strings: texts needed later (verification, output) do not stay in memory."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from .base import STREAM_BUFFER


class SpillTexts(Sequence[str]):
    """Strings (or byte strings) appended to a file and read back one at a time with ``pread``:
    a disk-backed list, so texts needed later (verification, output) do not stay in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = path.open("wb", buffering=STREAM_BUFFER)
        self._offsets = [np.zeros(1, dtype=np.int64)]
        self._end = 0
        self._fd: int | None = None
        self.offsets = np.zeros(1, dtype=np.int64)

    @classmethod
    def temporary(cls, directory: str | Path, prefix: str = "st-spill-") -> SpillTexts:
        """A spill file with a fresh name in ``directory``."""
        import tempfile

        fd, name = tempfile.mkstemp(prefix=prefix, dir=directory)
        os.close(fd)
        return cls(Path(name))

    def extend(self, texts: Sequence[str]) -> None:
        """Append a batch of strings."""
        self.extend_bytes([t.encode("utf-8", "surrogatepass") for t in texts])

    def extend_bytes(self, items: Sequence[bytes]) -> None:
        """Append a batch of byte strings."""
        assert self._fh is not None, "spill already sealed"
        self._fh.write(b"".join(items))
        ends = self._end + np.cumsum(np.fromiter(map(len, items), dtype=np.int64, count=len(items)))
        self._offsets.append(ends)
        self._end = int(ends[-1]) if len(ends) else self._end

    def seal(self) -> None:
        """Finish writing; switch to reading."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.offsets = np.concatenate(self._offsets)
        self._fd = os.open(self.path, os.O_RDONLY)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def get_bytes(self, i: int) -> bytes:
        """Item ``i`` as stored."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        assert self._fd is not None, "spill not sealed"
        return os.pread(self._fd, hi - lo, lo)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]  # by int only: the verifier takes no slices
        return self.get_bytes(i).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Close and delete the spill file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.path.unlink(missing_ok=True)
