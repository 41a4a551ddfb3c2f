"""HTML files: one record per file, ``kind="html"``; extraction is the cleaner's business."""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import ReaderOptions, ReadResult, decode_html
from .text import read_whole_file


def read_html(source: str, stream: BinaryIO, options: ReaderOptions) -> Iterator[ReadResult]:
    """Yield the whole stream as one HTML record (charset from BOM, UTF-8, <meta> or detection)."""
    return read_whole_file(source, stream, options, "html", decode_html)
