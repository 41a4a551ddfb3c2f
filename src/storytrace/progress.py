"""Progress bars for long work: documents/s and ETA on a terminal, silent when piped or quiet."""
from __future__ import annotations

import sys

from tqdm import tqdm

# no monitor thread: tqdm starts one even for a disabled bar and never stops it, and a running thread keeps
# the story engine from forking its view worker (cluster.stories._worker_pool); it only re-tunes miniters
tqdm.monitor_interval = 0


def progress_bar(what: str, total: int | None = None, disable: bool = False) -> tqdm[None]:
    """A tqdm bar counting documents; shown only on an interactive stderr unless disabled."""
    return tqdm(
        total=total, desc=what, unit="doc", dynamic_ncols=True, smoothing=0.1,
        disable=disable or not sys.stderr.isatty(), file=sys.stderr,
    )
