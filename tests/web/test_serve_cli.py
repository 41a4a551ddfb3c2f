"""``storytrace serve``: loopback by default, a non-loopback host only when given as --host (and a warning)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storytrace.cli import serve as web_cli
from storytrace.web.net import is_loopback


@pytest.fixture()
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record uvicorn.run calls instead of serving."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True),
                                           ("localhost", True), ("0.0.0.0", False), ("192.168.1.4", False),
                                           ("example.org", False), ("::", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_defaults_to_loopback(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(web_cli.serve, ["--db", str(tmp_path / "new.db")])
    assert result.exit_code == 0, result.output
    assert started[0]["host"] == "127.0.0.1" and started[0]["port"] == 8000
    assert (tmp_path / "new.db").exists()  # a writable server creates the store


def test_serve_refuses_non_loopback_host_not_given_explicitly(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(web_cli.serve, ["--db", str(tmp_path / "s.db")], env={"STORYTRACE_HOST": "0.0.0.0"})
    assert result.exit_code == 2 and "not a loopback address" in result.output and not started


def test_serve_explicit_non_loopback_host_warns(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(web_cli.serve, ["--db", str(tmp_path / "s.db"), "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and started[0]["host"] == "0.0.0.0" and started[0]["port"] == 8123


def test_serve_read_only_needs_an_existing_store(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(web_cli.serve, ["--db", str(tmp_path / "missing.db"), "--read-only"])
    assert result.exit_code == 1 and "no such database" in result.stderr and not started
    assert not (tmp_path / "missing.db").exists()
