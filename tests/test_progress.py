import io
import sys

from storytrace.progress import progress_bar


def test_bar_silent_when_piped_or_quiet(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    assert progress_bar("ingest").disable
    assert progress_bar("ingest", disable=True).disable


def test_bar_shows_rate_on_a_terminal(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    bar = progress_bar("ingest", total=10)
    assert not bar.disable
    bar.update(5)
    bar.refresh()
    bar.close()
    out = fake.getvalue()
    assert "ingest" in out and "doc/s" in out and "5/10" in out
