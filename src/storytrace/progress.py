"""Progress bars for long work: documents/s and ETA on a terminal, silent when piped or quiet."""
from __future__ import annotations

import sys

from tqdm import tqdm


def progress_bar(what: str, total: int | None = None, disable: bool = False) -> tqdm[None]:
    """A tqdm bar counting documents; shown only on an interactive stderr unless disabled."""
    return tqdm(
        total=total, desc=what, unit="doc", dynamic_ncols=True, smoothing=0.1,
        disable=disable or not sys.stderr.isatty(), file=sys.stderr,
    )
