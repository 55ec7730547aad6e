"""Headless Chromium (Debian's ``chromium``, installed by .ci/run) against ``dipontology serve``: the index page and a
case-study page render with their pictures, their scripts run, and the browser console stays silent (our pages log
nothing, so any console line -- an error, a failed resource load -- fails the test). Screenshots are kept under
tests/artifacts/ (gitignored)."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from _release import server

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]

_CONSOLE = re.compile(r":CONSOLE[:(]")


def chromium(url: str, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="dipontology-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--window-size=1280,1800",
             "--virtual-time-budget=5000", *extra, url],
            capture_output=True, text=True, timeout=90)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if _CONSOLE.search(line)]


def render(url: str, name: str) -> str:
    """Screenshot ``url`` into tests/artifacts/<name>.png and return its DOM after the scripts ran; fail on any
    console message."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    if shot.exists():
        shot.unlink()
    run = chromium(url, f"--screenshot={shot}")
    assert shot.is_file(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000, "the screenshot looks empty"
    assert console_lines(run.stderr) == []
    dom = chromium(url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_lines(dom.stderr) == []
    return dom.stdout


def test_console_errors_are_caught():
    """The console check itself: a page that logs an error and throws is caught."""
    run = chromium('data:text/html,<p>x</p><script>console.error("boom"); missingFunction();</script>', "--dump-dom")
    lines = console_lines(run.stderr)
    assert any("boom" in line for line in lines)
    assert any("Uncaught ReferenceError" in line for line in lines)


def test_index_page_renders_with_timeline_and_search():
    base = server().url
    dom = render(base + "/", "index")
    assert re.search(r'<body[^>]*data-search-ready="(\d+)"', dom), "the search script did not run"
    entries = int(re.search(r'data-search-ready="(\d+)"', dom).group(1))
    assert entries > 22  # the records and the ontology terms
    assert 'class="timeline-svg"' in dom and ">Track II diplomacy</text>" in dom
    # the search finds records by label, client-side
    found = chromium(base + "/?q=fixture%20back", "--dump-dom")
    assert console_lines(found.stderr) == []
    assert 'data-search-results="' in found.stdout
    assert int(re.search(r'data-search-results="(\d+)"', found.stdout).group(1)) >= 2
    assert 'href="id/case/fixture-back-channel.html">Fixture back channel</a>' in found.stdout


def test_case_page_renders_with_network_picture():
    base = server().url
    dom = render(base + "/id/case/fixture-back-channel", "case-fixture-back-channel")
    assert 'class="network-svg"' in dom
    for label in ("Fixture Institute", "Track II diplomacy", "Fixture accord"):
        assert f">{label}</text>" in dom
    assert "<h1>Fixture back channel</h1>" in dom
