"""Reader benchmark: peak RSS and records/s for a large generated JSONL, and FastWARC vs warcio.

    python benchmarks/readers.py jsonl --gb 1            # JSONL (plain, .gz, .zst) + a 50 MB line
    python benchmarks/readers.py warc --mb 200           # WARC and WARC.gz: fastwarc vs warcio
    python benchmarks/readers.py all --gb 1 --mb 200

Every measurement runs in a fresh child process, so its peak RSS (``ru_maxrss``) is the reader's alone;
``base`` is the child's RSS after imports, before reading. Each is run --repeat times and the fastest
run is shown (the peak is the highest seen). MB/s is file bytes on disk (compressed for .gz/.zst).
Files go to --dir (default: a temp dir, removed afterwards).
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WORDS = ("the of and to in a is that for on with as was by at from he said his it an are have has were "
         "government minister police report city year people new official market week company vote court "
         "president election million percent health school water energy price storm village council").split()


# -- generation ---------------------------------------------------------------------------------------------
def paragraphs(count: int, seed: int = 7) -> list[str]:
    """Distinct pseudo-news paragraphs to build records from."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(60, 160))).capitalize() + "." for _ in range(count)]


def jsonl_lines(total_bytes: int) -> Iterator[bytes]:
    """JSON lines (~3 KB each) until ``total_bytes`` have been produced."""
    paras = paragraphs(2000)
    rng = random.Random(11)
    written = i = 0
    while written < total_bytes:
        text = "\n\n".join(rng.choices(paras, k=4))
        obj = {"id": f"doc-{i}", "title": f"Story {i}", "date": "2024-05-01", "url": f"https://news.example/{i}",
               "text": text, "source": "bench"}
        line = json.dumps(obj, ensure_ascii=False).encode() + b"\n"
        written += len(line)
        i += 1
        yield line


def write_jsonl(path: Path, total_bytes: int) -> None:
    """Write the benchmark JSONL (compressed by suffix: .gz level 1, .zst level 3)."""
    if path.suffix == ".gz":
        out: io.BufferedIOBase = gzip.open(path, "wb", compresslevel=1)  # type: ignore[assignment]
    elif path.suffix == ".zst":
        import zstandard

        out = zstandard.ZstdCompressor(level=3).stream_writer(open(path, "wb"))  # type: ignore[assignment]
    else:
        out = open(path, "wb")
    with out:
        batch: list[bytes] = []
        for line in jsonl_lines(total_bytes):
            batch.append(line)
            if len(batch) >= 1000:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))


def write_long_line(path: Path, line_mb: int) -> None:
    """A JSONL file: a short line, one ``line_mb`` MB line, then a short line."""
    chunk = b"word " * (1024 * 1024 // 5)  # written in pieces: the parent's RSS is inherited by the child
    with open(path, "wb") as out:
        out.write(b'{"id": "a", "text": "first"}\n{"id": "big", "text": "')
        for _ in range(line_mb):
            out.write(chunk)
        out.write(b'"}\n{"id": "c", "text": "last"}\n')


def write_warc(path: Path, total_bytes: int, compress: bool) -> None:
    """A WARC of HTML responses (~15 KB), some image responses and request records, via warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    paras = paragraphs(500)
    rng = random.Random(5)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        i = 0
        while fh.tell() < total_bytes:
            url = f"https://news.example/{i}"
            if i % 10 == 9:
                ctype, body = "image/png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(4000)
            else:
                paras_html = "".join(f"<p>{p}</p>" for p in rng.choices(paras, k=12))
                body = f"<html><head><title>Story {i}</title></head><body><article>{paras_html}</article></body></html>".encode()
                ctype = "text/html; charset=utf-8"
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            i += 1


# -- measured readers (run in the child) --------------------------------------------------------------------
def run_storytrace(path: str) -> int:
    """storytrace.io.read_path: records (problems are not counted)."""
    from storytrace.io import RawRecord, read_path

    return sum(1 for item in read_path(path) if isinstance(item, RawRecord))


def run_storytrace_stream(path: str) -> int:
    """read_path with WARC read through the Python stream (as for stdin / our decompressor)."""
    import storytrace.io as sio

    sio.NATIVE_PATH_FORMATS = frozenset()
    return run_storytrace(path)


def run_fastwarc(path: str) -> int:
    """FastWARC on the path (native I/O and decompression): HTML response payloads read."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    n = 0
    for rec in ArchiveIterator(path, record_types=WarcRecordType.response, parse_http=True, fsspec_args=False):
        if (rec.http_content_type or "") == "text/html":
            rec.reader.read()
            n += 1
    return n


def run_warcio(path: str) -> int:
    """warcio's ArchiveIterator: HTML response payloads read."""
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "response" and (rec.http_headers.get_header("Content-Type") or "").startswith("text/html"):
                rec.content_stream().read()
                n += 1
    return n


RUNNERS: dict[str, Callable[[str], int]] = {
    "storytrace": run_storytrace, "storytrace-stream": run_storytrace_stream,
    "fastwarc": run_fastwarc, "warcio": run_warcio,
}


def child(runner: str, path: str) -> None:
    """Measure one runner on one file and print the figures as JSON."""
    import storytrace.io  # noqa: F401 - imports count towards the baseline
    import warcio  # noqa: F401

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    records = RUNNERS[runner](path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": records, "seconds": seconds, "base_mb": base / 1024, "peak_mb": peak / 1024}))


REPEAT = 3


def measure(runner: str, path: Path) -> dict[str, float]:
    """Run ``child`` in fresh interpreters REPEAT times; the fastest run's figures, the highest peak."""
    runs = []
    for _ in range(REPEAT):
        out = subprocess.run([sys.executable, __file__, "_child", runner, str(path)], check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout))
    result = min(runs, key=lambda r: r["seconds"])
    result["peak_mb"] = max(r["peak_mb"] for r in runs)
    result["mb"] = path.stat().st_size / 2**20
    return result


def show(label: str, r: dict[str, float]) -> None:
    """One result row."""
    print(f"| {label:<34} | {r['mb']:>9.0f} | {r['records']:>9,.0f} | {r['seconds']:>7.2f} | "
          f"{r['records'] / r['seconds']:>10,.0f} | {r['mb'] / r['seconds']:>7.0f} | {r['base_mb']:>6.0f} | {r['peak_mb']:>7.0f} |")


HEADER = ("| reader / file                      | size (MB) |   records | seconds |  records/s |    MB/s | base MB | peak MB |\n"
          "|------------------------------------|-----------|-----------|---------|------------|---------|---------|---------|")


def bench_jsonl(work: Path, gb: float, line_mb: int) -> None:
    """JSONL at two sizes (flat memory), compressed variants, and the long line."""
    size = int(gb * 2**30)
    print(HEADER)
    small, big = f"{gb / 10:g}g.jsonl", f"{gb:g}g.jsonl"
    for name, nbytes in ((small, size // 10), (big, size), (big + ".gz", size), (big + ".zst", size)):
        path = work / name
        if not path.exists():
            write_jsonl(path, nbytes)
        show(f"storytrace {name}", measure("storytrace", path))
    long = work / f"long{line_mb}.jsonl"
    write_long_line(long, line_mb)
    show(f"storytrace {long.name} ({line_mb} MB line)", measure("storytrace", long))


def bench_warc(work: Path, mb: int) -> None:
    """FastWARC vs warcio (and storytrace's reader) on a plain and a gzipped WARC."""
    print(HEADER)
    for name, compress in ((f"{mb}m.warc", False), (f"{mb}m.warc.gz", True)):
        path = work / name
        if not path.exists():
            write_warc(path, mb * 2**20, compress)
        for runner in ("warcio", "fastwarc", "storytrace", "storytrace-stream"):
            show(f"{runner} {name}", measure(runner, path))


def main() -> None:
    """Command line."""
    if len(sys.argv) == 4 and sys.argv[1] == "_child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["jsonl", "warc", "all"])
    parser.add_argument("--gb", type=float, default=1.0, help="size of the big JSONL (GiB)")
    parser.add_argument("--line-mb", type=int, default=50, help="size of the long JSONL line (MiB)")
    parser.add_argument("--mb", type=int, default=200, help="size of the generated WARCs (MiB)")
    parser.add_argument("--dir", help="where to write the files (kept); default: a removed temp dir")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is shown")
    args = parser.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="storytrace-bench-") as tmp:
        work = Path(args.dir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.what in ("jsonl", "all"):
            bench_jsonl(work, args.gb, args.line_mb)
        if args.what in ("warc", "all"):
            bench_warc(work, args.mb)


if __name__ == "__main__":
    main()
