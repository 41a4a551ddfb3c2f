"""The CLI as users meet it: subprocess runs of the installed console script."""
import json
import subprocess
import sys
from pathlib import Path


ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about school funding. "
    "Council members voted seven to two in favour of the plan."
)


def run(*args, stdin=None, cwd=None):
    exe = Path(sys.executable).with_name("storytrace")
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, cwd=cwd, timeout=300)


def test_analyze_seeds_json_contract(seed_dir, tmp_path):
    proc = run("analyze", str(seed_dir), "--db", str(tmp_path / "s.db"), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert set(out) == {"documents", "stories", "relations"}
    doc = out["documents"][0]
    assert set(doc) >= {"id", "source", "url", "title", "date", "language", "story", "group", "is_canonical"}
    story = out["stories"][0]
    assert set(story) >= {"id", "canonical", "documents", "related"}
    for rel in out["relations"]:
        assert rel["relation"] in {"exact", "near_duplicate", "contains", "rewrite", "same_story", "related"}
    # a second run over the same store adds nothing
    again = run("analyze", str(seed_dir), "--db", str(tmp_path / "s.db"), "--format", "text")
    assert again.returncode == 0 and b"this run added 0" in again.stdout


def test_analyze_stdin_jsonl_with_field_options():
    lines = "\n".join(json.dumps({"key": f"k{i}", "body_text": f"{i} {ARTICLE}"}) for i in range(3))
    proc = run("analyze", "-", "--input-format", "jsonl", "--id-field", "key", "--text-field", "body_text",
               "--format", "json", stdin=lines.encode())
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(d["id"] for d in json.loads(proc.stdout)["documents"]) == ["k0", "k1", "k2"]


def test_nothing_readable_exits_non_zero(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = run("analyze", str(empty), str(tmp_path / "missing.jsonl"), "--format", "json")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "empty.txt" in err and "missing.jsonl" in err
    assert all(line.startswith("storytrace:") for line in err.strip().splitlines())


def test_per_record_problems_still_exit_zero(tmp_path):
    data = tmp_path / "m.jsonl"
    data.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n{broken\n", encoding="utf-8")
    proc = run("analyze", str(data), "--format", "json")
    assert proc.returncode == 0
    assert "m.jsonl:line:2" in proc.stderr.decode()
    assert [d["id"] for d in json.loads(proc.stdout)["documents"]] == ["a"]


def test_bad_arguments_exit_two(tmp_path):
    assert run("analyze").returncode == 2
    assert run("analyze", "x.txt", "--format", "yaml").returncode == 2
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database" * 200)
    proc = run("analyze", "x.txt", "--db", str(bogus))
    assert proc.returncode == 1 and b"not a storytrace database" in proc.stderr


def test_extract_command_jsonl(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Budget passes</title><meta property='article:published_time' content='2024-10-11'></head>"
        f"<body><nav>Home | World | Sport</nav><article><h1>Budget passes</h1><p>{ARTICLE}</p><p>{ARTICLE}</p></article>"
        "<footer>© 2024 Example News</footer></body></html>",
        encoding="utf-8",
    )
    proc = run("extract", str(page), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr.decode()
    rec = json.loads(proc.stdout.decode().splitlines()[0])
    assert set(rec) >= {"source", "title", "date", "text"}
    assert "council approved" in rec["text"] and "Home | World" not in rec["text"]
    missing = run("extract", str(tmp_path / "nope.html"))
    assert missing.returncode == 1 and b"nope.html" in missing.stderr


def test_extract_keeps_the_text_of_a_truncated_gzip_page(tmp_path: Path) -> None:
    import gzip

    page = ("<html><head><title>Floods close the port</title></head><body><article>"
            + "".join(f"<p>Paragraph {i} says the river rose past the quay and the harbour master closed the "
                      f"port for the night while crews moved the cranes.</p>" for i in range(60))
            + "</article></body></html>").encode()
    packed = gzip.compress(page)
    cut = tmp_path / "page.html.gz"
    cut.write_bytes(packed[: len(packed) - 12])  # the trailer and a little data missing
    proc = run("extract", str(cut))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "truncated" in proc.stderr.decode() and str(cut) in proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert "Paragraph 0 says the river rose" in out["text"]
    empty = tmp_path / "empty.html.gz"
    empty.write_bytes(packed[:5])
    proc = run("extract", str(empty))
    assert proc.returncode == 1 and "truncated" in proc.stderr.decode()
