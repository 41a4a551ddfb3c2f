"""Document ids, assigned where records are read so every engine and command names a document alike."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..records import RawRecord
from .base import strip_compression_suffix


def derive_id(record: RawRecord) -> str:
    """A stable id: the record's own id, else the file name stem (plus locator for multi-record files)."""
    if record.record_id:
        return record.record_id
    if record.source == "-":
        return "stdin-" + hashlib.blake2b(record.content, digest_size=6).hexdigest()
    name = strip_compression_suffix(Path(record.source).name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}:{record.locator}" if record.locator else stem
