"""Shared reader plumbing: transparent decompression, text decoding, reader results."""
from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..records import RawRecord, ReadProblem

ReadResult = RawRecord | ReadProblem

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")


def strip_compression_suffix(name: str) -> str:
    """``a.jsonl.gz`` -> ``a.jsonl``: the format is named by the suffix under the compression."""
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def open_binary(source: str) -> BinaryIO:
    """Open a path (or ``-`` for stdin) for streaming reads, undoing gzip/zstd by magic bytes.

    The same decoder as ``open_stream``: a cut file raises ``TruncatedStream`` ("truncated gzip
    stream"), where ``zstandard.stream_reader`` used to end silently at a cut.
    """
    return open_stream(source)


def decode_bytes(data: bytes) -> str:
    """Decode bytes of unknown encoding: UTF-8 (with BOM), else the best charset guess, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    return bytes_to_str(data, detect_encoding(data) or "cp1252", fallback_encodings=["cp1252", "latin-1"])


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes or many control characters in its first 8 KB."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


# Inside a directory only files that name a document format are read (so README.md or a pretty-printed
# .json sidecar next to the articles is not taken for one); a file named explicitly is always read.
DIRECTORY_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson", ".warc", ".parquet", ".pq"})


def file_records_from(paths: list[str]) -> Iterator[str]:
    """Expand directories recursively (sorted; hidden and non-document files skipped); keep files and ``-``."""
    for p in paths:
        if p == "-":
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                    and Path(strip_compression_suffix(child.name)).suffix.lower() in DIRECTORY_SUFFIXES
                ):
                    yield str(child)
        else:
            yield p


from dataclasses import dataclass  # noqa: E402


@dataclass(slots=True, frozen=True)
class ReaderOptions:
    """Field names for record formats (JSONL, Parquet) and reading limits; one object for all readers."""

    text_field: str = "text"
    id_field: str = "id"
    title_field: str = "title"
    date_field: str = "date"
    url_field: str = "url"
    html_field: str | None = None  # a field holding raw HTML instead of text (e.g. "html")
    input_format: str | None = None  # force a format ("txt", "html", "jsonl", "warc", "parquet")
    max_record_bytes: int = 64 * 1024 * 1024  # larger records are reported and skipped


# --------------------------------------------------------------------------------------------
# Reader helpers (formats, robust decompression, decoding, problems).
# --------------------------------------------------------------------------------------------
import codecs  # noqa: E402
import errno  # noqa: E402
import re  # noqa: E402
import zlib  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import field  # noqa: E402
from typing import Any  # noqa: E402

FORMATS: tuple[str, ...] = ("txt", "html", "jsonl", "warc", "parquet")
EXTENSION_FORMATS: dict[str, str] = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".warc": "warc",
    ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip
STREAM_BUFFER = 1 << 20  # 1 MiB reads: few syscalls, bounded memory
DECODE_INPUT = 1 << 15  # compressed bytes per decoder call: small, as each member end copies the rest
_ZSTD_SKIPPABLE = re.compile(rb"[\x50-\x5f]\x2a\x4d\x18")
_PARQUET_MAGIC = b"PAR1"


@dataclass(slots=True)
class ReadStats:
    """Counts from one read_paths run, so a caller can summarise what was read and skipped."""

    files: int = 0
    records: int = 0
    problems: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # records passed over by reason ("warc request")


class TruncatedStream(EOFError):
    """A compressed stream ended inside a member/frame."""


class CorruptStream(OSError):
    """A compressed stream could not be decoded."""


def detect_format(path: str) -> str:
    """Reader format named by the extension under any .gz/.zst suffix; unknown extensions read as text."""
    suffix = Path(strip_compression_suffix(path)).suffix.lower()
    return EXTENSION_FORMATS.get(suffix, "txt")


def sniff_format(head: bytes) -> str:
    """Guess a format from the first bytes (for stdin): ``{``/``[`` jsonl, ``<`` html, ``WARC/`` warc."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(_PARQUET_MAGIC):
        return "parquet"
    if head[:1] in (b"{", b"["):
        return "jsonl"
    if head[:1] == b"<":
        return "html"
    return "txt"


def compression_of(head: bytes) -> str | None:
    """``"gzip"``/``"zstd"`` from a stream's magic bytes, else None."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC) or _ZSTD_SKIPPABLE.match(head[:4]):
        return "zstd"
    return None


def cut_magic(head: bytes) -> str | None:
    """The codec whose magic number ``head`` (1-3 bytes) begins: a file or member cut inside its magic."""
    if 0 < len(head) < 4:
        if GZIP_MAGIC.startswith(head[:2]):
            return "gzip"
        if ZSTD_MAGIC.startswith(head) or (head[0] & 0xF0 == 0x50 and b"\x2a\x4d\x18".startswith(head[1:])):
            return "zstd"
    return None


class DecompressingReader(io.RawIOBase):
    """Streaming gzip/zstd decoder that returns all good data before raising TruncatedStream/CorruptStream."""

    # Why not gzip.GzipFile / zstandard.stream_reader: GzipFile drops the data of a read that hits a
    # truncation, and zstandard ends silently at one. This one also reads every member/frame.
    def __init__(self, raw: BinaryIO, codec: str, close_raw: bool = True) -> None:
        """Decode ``raw`` ("gzip" or "zstd"); ``close_raw=False`` leaves it open (stdin)."""
        super().__init__()
        self._raw, self._codec, self._close_raw = raw, codec, close_raw
        self._dec: Any = None  # decoder of the current member/frame; None between members
        self._pending = b""  # input not yet given to a decoder
        self._out = memoryview(b"")

    def readable(self) -> bool:
        """Readable, not seekable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with decoded bytes; 0 only at the clean end of the stream."""
        while not self._out:
            if not self._fill(max(len(buffer), 1 << 16)):
                return 0
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        """Close the underlying stream too, unless told not to (stdin)."""
        if not self.closed and self._close_raw:
            self._raw.close()
        super().close()

    def _fill(self, want: int) -> bool:
        """Decode the next piece of input; False at the end of input between members."""
        data = self._pending or self._raw.read(DECODE_INPUT)
        self._pending = b""
        if self._dec is None:
            data = self._member_start(data)
            if not data:
                return False
            self._dec = self._new_decoder()
        elif not data:
            raise TruncatedStream(f"truncated {self._codec} stream")
        self._out = memoryview(self._decode(data, want))
        return True

    def _member_start(self, data: bytes) -> bytes:
        """Input starting the next member (NUL padding skipped); b"" at the end; raise on other data."""
        while True:
            data = data.lstrip(b"\x00")
            if len(data) >= 4:
                break
            more = self._raw.read(DECODE_INPUT)
            if not more:
                break
            data += more
        if data and len(data) < 4 and cut_magic(data) == self._codec:
            raise TruncatedStream(f"truncated {self._codec} stream")  # the next member's first bytes
        if data and compression_of(data[:4]) != self._codec:
            raise CorruptStream(f"corrupt {self._codec} stream: unexpected data after the end of the stream")
        return data

    def _new_decoder(self) -> Any:
        """A decoder for one gzip member or zstd frame."""
        if self._codec == "gzip":
            return zlib.decompressobj(wbits=31)
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj()

    def _decode(self, data: bytes, want: int) -> bytes:
        """Decode ``data`` (keeping what the decoder did not use) and close the member at its end."""
        out: bytes
        try:
            if self._codec == "gzip":
                out = self._dec.decompress(data, want)
                self._pending = self._dec.unconsumed_tail
            else:
                out = self._dec.decompress(data)
        except Exception as exc:  # zlib.error, zstandard.ZstdError
            raise CorruptStream(f"corrupt {self._codec} stream: {exc}") from exc
        if self._dec.eof:
            self._pending = self._dec.unused_data
            self._dec = None
        return out


def _open_raw(source: str) -> BinaryIO:
    """The undecoded byte stream of a path or stdin, with ``peek``."""
    if source == "-":
        raw: Any = getattr(sys.stdin, "buffer", sys.stdin)
        return raw if hasattr(raw, "peek") else io.BufferedReader(raw, STREAM_BUFFER)
    return open(source, "rb", buffering=STREAM_BUFFER)


def open_stream(source: str) -> io.BufferedReader:
    """Open a path or ``-`` buffered (peek/readline), gzip/zstd undone, truncation raised.

    A file named ``.gz``/``.zst`` that holds only the first 1-3 bytes of its magic number is a cut
    compressed file too: reading it raises ``TruncatedStream``.
    """
    raw = _open_raw(source)
    head = raw.peek(4)[:4]  # type: ignore[attr-defined]  # _open_raw returns a BufferedReader (or stdin.buffer)
    codec = compression_of(head)
    if codec is None and len(head) < 4 and strip_compression_suffix(source) != source:
        codec = cut_magic(head)
    if codec is None:
        return raw  # type: ignore[return-value]  # stdin.buffer is a BufferedReader at run time, typed BinaryIO
    return io.BufferedReader(DecompressingReader(raw, codec, close_raw=source != "-"), STREAM_BUFFER)


@contextmanager
def opened(source: str) -> Iterator[io.BufferedReader]:
    """``open_stream`` as a context manager that leaves stdin open."""
    stream = open_stream(source)
    try:
        yield stream
    finally:
        if source != "-":
            stream.close()


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read a whole stream but at most ``limit + 1`` bytes, so callers can tell it was over the limit."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(STREAM_BUFFER, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_recovering(stream: BinaryIO, limit: int) -> tuple[bytes, TruncatedStream | None]:
    """``read_limited`` that keeps what was decoded before a cut: (data, the truncation or None).

    Reads with ``read1`` where the stream has it: a buffered ``read(n)`` drops the bytes it holds
    when the decoder raises at the cut (so would ``gzip.GzipFile``).
    """
    read = getattr(stream, "read1", stream.read)
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = read(min(STREAM_BUFFER, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except TruncatedStream as exc:
        return b"".join(chunks), exc
    return b"".join(chunks), None


def truncation_reason(exc: TruncatedStream, recovered: int) -> str:
    """``truncated gzip stream (10500 bytes recovered)``: the one-line warning for a cut whole-file document."""
    return f"{exc} ({recovered} bytes recovered)" if recovered else str(exc)


def decode_text(data: bytes) -> str:
    """Decode a text document: UTF-16 by BOM, else ``decode_bytes`` (UTF-8, detected charset, cp1252)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return decode_bytes(data)


def _codec_name(label: str | None) -> str | None:
    """A Python codec for a declared charset label (WHATWG mapping: latin-1 means cp1252), or None."""
    if not label:
        return None
    from resiliparse.parse.encoding import map_encoding_to_html5

    mapped = map_encoding_to_html5(label.strip().strip("\"'"))
    try:
        return codecs.lookup(mapped).name if mapped else None
    except LookupError:
        return None


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode HTML: BOM, then strict UTF-8, then the declared (HTTP) charset, then <meta> / detection."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = _codec_name(declared)
    if codec and codec != "utf-8":
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    guess = detect_encoding(data, from_html_meta=True) or "cp1252"
    return bytes_to_str(data, guess, fallback_encodings=["cp1252", "latin-1"])


def os_error_reason(exc: OSError) -> str:
    """A short lower-case reason for an OSError ("no such file or directory", "permission denied")."""
    if isinstance(exc, (TruncatedStream, CorruptStream)):
        return str(exc)
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def stream_error_reason(exc: BaseException) -> str:
    """One-line reason for an error while reading a stream (truncation, corruption, I/O)."""
    if isinstance(exc, (TruncatedStream, CorruptStream)):
        return str(exc)
    if isinstance(exc, EOFError):
        return "truncated compressed stream"
    if isinstance(exc, OSError):
        return os_error_reason(exc)
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def whole_file_problem(source: str, data: bytes, limit: int) -> ReadProblem | None:
    """The problem with a whole-file document (empty, over the limit, binary), or None if it is usable."""
    if not data:
        return ReadProblem(source, "", "empty file")
    if len(data) > limit:
        return ReadProblem(source, "", f"file larger than max_record_bytes ({limit} bytes); skipped")
    if looks_binary(data) and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ReadProblem(source, "", "binary content, not text")
    return None


ReaderFunc = Callable[[str, BinaryIO, ReaderOptions], Iterator[ReadResult]]  # (source, stream, options)
NativeReaderFunc = Callable[[str, BinaryIO | str, ReaderOptions], Iterator[ReadResult]]  # stream or path
