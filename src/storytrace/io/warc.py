"""WARC (optionally .gz/.zst): one HTML record per ``response`` record, read with FastWARC.

request/metadata/warcinfo records are skipped silently; other records (non-HTML or non-2xx responses,
resource, revisit...) are skipped and summarised in one problem line per file. All skips are counted
in the optional ``skipped`` counter (read_paths puts it in ReadStats.skipped).
"""
from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from ..records import RawRecord, ReadProblem
from .base import (
    STREAM_BUFFER,
    CorruptStream,
    DecompressingReader,
    ReaderOptions,
    ReadResult,
    TruncatedStream,
    compression_of,
    decode_html,
    stream_error_reason,
)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SILENT_TYPES = WarcRecordType.warcinfo | WarcRecordType.request | WarcRecordType.metadata
BROKEN = ("malformed HTTP response", "truncated record")  # record problems that a truncation explains


@dataclass(slots=True)
class _Scan:
    """State of one archive read: skip counts, the last good record, a held-back broken record."""

    reported: Counter[str] = field(default_factory=Counter)  # non-HTML records, summarised per file
    silent: Counter[str] = field(default_factory=Counter)  # request/metadata/warcinfo
    good_id: str | None = None
    prev_id: str | None = None  # the good record before good_id
    good_pos: int = 0
    held: ReadProblem | None = None  # a broken record, replaced by the truncation problem if one follows
    last_skip: tuple[Counter[str], str] | None = None  # where the last record was counted, if skipped
    skip_named: bool = False  # that skipped record had an id (it is good_id)


def read_warc(
    source: str, stream: BinaryIO | str, options: ReaderOptions, skipped: Counter[str] | None = None
) -> Iterator[ReadResult]:
    """Yield the HTML responses of a WARC path or stream, then any end-of-archive problem and skip summary."""
    scan = _Scan()
    error: str | None = None
    try:
        for record in _archive(stream):
            yield from _step(scan, source, record, options)
    except (OSError, EOFError) as exc:
        error = _end_reason(stream, scan, exc)
    except BaseException as exc:  # a Rust panic in FastWARC is a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        error = _end_reason(stream, scan, exc)
    else:
        error = _end_reason(stream, scan, None)
    yield from _finish(scan, source, error)
    if skipped is not None:
        skipped.update({f"warc {k}": v for k, v in (scan.silent + scan.reported).items()})


def _archive(stream: BinaryIO | str) -> ArchiveIterator:
    """A FastWARC iterator with HTTP parsed and payload encodings undone (native I/O for a path)."""
    if isinstance(stream, str):
        source: Any = stream
        kwargs: dict[str, Any] = {"fsspec_args": False}
    else:
        source, kwargs = _TellingReader(stream), {"stream_detect": False}
    return ArchiveIterator(source, parse_http=True, auto_decode="all", **kwargs)


class _TellingReader:
    """The stream API FastWARC uses: ``read`` giving what is there (``read1``) and a byte-counting ``tell``."""

    # read1 keeps data decoded before a truncation (a buffered read() would drop it); FastWARC panics
    # if tell() fails, as it does on pipes and decoders.
    def __init__(self, stream: BinaryIO) -> None:
        """Wrap ``stream``."""
        self._read = getattr(stream, "read1", stream.read)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes; b"" only at the end."""
        data = self._read(size)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        """Bytes read so far."""
        return self._pos


def _step(scan: _Scan, source: str, record: WarcRecord, options: ReaderOptions) -> Iterator[ReadResult]:
    """Handle one record: flush a held problem, count silent records, hold broken ones, yield good ones."""
    if scan.held is not None:
        yield scan.held
        scan.held = None
    scan.last_skip = None
    if record.record_type & SILENT_TYPES:
        scan.last_skip = (scan.silent, str(record.record_type))
        result: ReadResult | str | None = None
    else:
        result = _from_record(source, record, options)
        if isinstance(result, ReadProblem) and result.reason.startswith(BROKEN):
            scan.held = result
            return
        if isinstance(result, str):
            scan.last_skip, result = (scan.reported, result), None
    if scan.last_skip is not None:
        scan.last_skip[0][scan.last_skip[1]] += 1
    rid = _record_id(record)
    scan.skip_named = scan.last_skip is not None and rid is not None
    if rid is not None:  # a record without its mandatory id is the start of one a cut ended
        scan.prev_id, scan.good_id, scan.good_pos = scan.good_id, rid, record.stream_pos
    if result is not None:
        yield result


def _finish(scan: _Scan, source: str, error: str | None) -> Iterator[ReadProblem]:
    """End-of-archive problems: the held broken record (unless a truncation explains it), then the summary."""
    if scan.held is not None and error is None:
        yield scan.held
    if error is not None:
        yield ReadProblem(source, "", error)
    if scan.reported:
        yield ReadProblem(source, "", skipped_summary(scan.reported))


def _end_reason(stream: BinaryIO | str, scan: _Scan, exc: BaseException | None) -> str | None:
    """Why the archive ended early: "truncated gzip stream after record X" when it was cut (even if
    FastWARC saw a corrupt header or a clean end there), else the error, else None."""
    cut = str(exc) if isinstance(exc, TruncatedStream) else _native_truncation(stream, scan)
    if cut is None:
        return None if exc is None else _corrupt_reason(exc, scan.good_id)
    if scan.last_skip is not None:  # the last record was cut short: what it looked like is no skip
        counts, key = scan.last_skip
        counts[key] -= 1
        if counts[key] <= 0:
            del counts[key]
        if scan.skip_named:
            scan.good_id = scan.prev_id
    return cut if scan.good_id is None else f"{cut} after record {scan.good_id}"


def _native_truncation(stream: BinaryIO | str, scan: _Scan) -> str | None:
    """After FastWARC read a compressed path itself, the truncation its decoder passed over in silence."""
    if not isinstance(stream, str):
        return None  # our own decoder raises TruncatedStream
    # Native reads get only files compressed per record (see native_warc), so the last good record's
    # member is where a cut can be; with no good record yet, the first member is.
    truncated = truncated_tail(stream, scan.good_pos if scan.good_id is not None else 0)
    if truncated is None and scan.held is not None:
        truncated = truncated_tail(stream, 0)
    return truncated


PROBE_INPUT = 1 << 16  # compressed bytes read to find the end of a WARC file's first member


def native_warc(path: str) -> bool:
    """Whether FastWARC may open a compressed WARC itself: only if it is compressed per record.

    FastWARC's decoder ends silently at a cut, so the reader re-decodes the tail from the last good
    record's member (``truncated_tail``). A file compressed as one member (``gzip file.warc``) has
    no such tail: it is read through our decoder, which reports a cut itself (about 20 % slower,
    where re-decoding the whole file would double the time). The test: the first member ends within
    PROBE_INPUT bytes of input and holds one record (the warcinfo or the first record).
    """
    with open(path, "rb") as fh:
        head = fh.read(PROBE_INPUT)
    codec = compression_of(head[:4])
    if codec is None:
        return True
    try:
        if codec == "gzip":
            dec: Any = zlib.decompressobj(wbits=31)
            first = dec.decompress(head, PROBE_INPUT * 16)
        else:
            import zstandard

            dec = zstandard.ZstdDecompressor().decompressobj()
            first = dec.decompress(head)
        return bool(dec.eof) and first.find(b"\nWARC/1.") < 0
    except Exception:  # noqa: BLE001 - a corrupt start: let FastWARC report it
        return True


def truncated_tail(path: str, pos: int) -> str | None:
    """Decode a compressed WARC from the member at ``pos`` to the end; the truncation reason or None."""
    # FastWARC's decoder stops quietly at a cut, so the tail (usually a few KB) is decoded again.
    # A position that is not a member holding a WARC record (single-member files) is not checked.
    with open(path, "rb") as fh:
        codec = compression_of(fh.read(4))
        if codec is None or fh.seek(pos) != pos or compression_of(fh.read(4)) != codec:
            return None
        fh.seek(pos)
        reader = DecompressingReader(fh, codec, close_raw=False)
        try:
            if not reader.read(5).startswith(b"WARC/"):
                return None
            while reader.read(STREAM_BUFFER):
                pass
        except TruncatedStream as exc:
            return str(exc)
        except CorruptStream:
            return None
    return None


def _corrupt_reason(exc: BaseException, last_id: str | None) -> str:
    """Reason for an error that ended the archive, naming the last good record."""
    reason = stream_error_reason(exc)
    if isinstance(exc, (TruncatedStream, CorruptStream)):
        return reason if last_id is None else f"{reason} after record {last_id}"
    where = "at the start of the file" if last_id is None else f"after record {last_id}"
    return f"corrupt WARC {where}: {reason}"


def _record_id(record: WarcRecord) -> str | None:
    """WARC-Record-ID without its angle brackets."""
    rid = record.record_id
    return rid.strip("<>") if rid else None


def _from_record(source: str, record: WarcRecord, options: ReaderOptions) -> ReadResult | str:
    """A RawRecord for an HTML 2xx response, a problem for a broken one, the skip reason for the rest."""
    locator = f"record:{_record_id(record)}"
    skip = _skip_reason(record)
    if skip is not None:
        return skip
    if record.http_headers is None:
        return ReadProblem(source, locator, "malformed HTTP response (no status line or headers)")
    if record.content_length > options.max_record_bytes:
        limit = options.max_record_bytes
        return ReadProblem(source, locator, f"payload too large ({record.content_length} bytes > max_record_bytes {limit}); skipped")
    payload = record.reader.read()
    if len(payload) < record.content_length and not _is_encoded(record):
        return ReadProblem(source, locator, f"truncated record ({len(payload)} of {record.content_length} payload bytes)")
    if not record.http_content_type and not looks_like_html(payload):
        return "no content type"
    if not payload.strip():
        return ReadProblem(source, locator, "empty HTML payload")
    return _raw_record(source, locator, record, payload)


def _is_encoded(record: WarcRecord) -> bool:
    """True if the HTTP payload had a content/transfer encoding (now decoded, so its length differs)."""
    headers = record.http_headers
    return any(headers.get(name) for name in ("Content-Encoding", "Transfer-Encoding"))


def _skip_reason(record: WarcRecord) -> str | None:
    """Why a record is not an HTML page ("image/png", "revisit", "HTTP 404"), or None to read it."""
    if record.record_type != WarcRecordType.response:
        return str(record.record_type)
    if record.http_headers is None:
        return None  # reported as broken by _from_record
    status = record.http_headers.status_code
    if status is not None and not 200 <= status < 300:
        return f"HTTP {status}"
    ctype = (record.http_content_type or "").lower()
    return None if not ctype or ctype in HTML_TYPES else ctype


def looks_like_html(payload: bytes) -> bool:
    """For a response without Content-Type: does the payload start like an HTML document?"""
    head = payload[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or (head.startswith(b"<") and b"<html" in head)


def _raw_record(source: str, locator: str, record: WarcRecord, payload: bytes) -> RawRecord:
    """The RawRecord for one HTML response payload."""
    rid = _record_id(record)
    uri = record.headers.get("WARC-Target-URI")
    return RawRecord(
        source=source,
        locator=locator,
        content=payload,
        kind="html",
        body=decode_html(payload, record.http_charset),
        record_id=rid,
        url=uri,
        metadata={
            "warc_record_id": rid,
            "warc_target_uri": uri,
            "warc_date": record.headers.get("WARC-Date"),
            "content_type": record.http_headers.get("Content-Type"),
        },
    )


def skipped_summary(skipped: Counter[str]) -> str:
    """``skipped 5 non-HTML records (image/png 3, revisit 2)``: one line for the whole file."""
    total = sum(skipped.values())
    parts = ", ".join(f"{reason} {count}" for reason, count in skipped.most_common(5))
    more = ", ..." if len(skipped) > 5 else ""
    return f"skipped {total} non-HTML record{'s' if total != 1 else ''} ({parts}{more})"
