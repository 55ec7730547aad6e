"""Shared by test_build.py, test_serve.py and test_browser.py: the release of the fixture data set, built ONCE per
test session (a build runs check, HermiT, SHACL and the query library: several seconds)."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "release"


@functools.lru_cache(maxsize=None)
def release():
    """``(BuildResult, dist path)`` of the fixture data set; removed when the session ends."""
    from dipontology.release import build

    tmp = Path(tempfile.mkdtemp(prefix="dipontology-release-test-"))
    atexit.register(shutil.rmtree, tmp, True)
    result = build(tmp / "dist", quiet=True, data_dir=FIXTURE_DATA)
    assert result.ok, result.to_text()
    return result, tmp / "dist"


@functools.lru_cache(maxsize=None)
def shipped_release():
    """``(BuildResult, dist path)`` of the shipped data, written without re-running the gates (the fixture release
    covers them); built once per session, removed when it ends."""
    from dipontology.release import build

    tmp = Path(tempfile.mkdtemp(prefix="dipontology-shipped-release-test-"))
    atexit.register(shutil.rmtree, tmp, True)
    result = build(tmp / "dist", quiet=True, stages=())
    assert result.ok, result.to_text()
    return result, tmp / "dist"


@functools.lru_cache(maxsize=None)
def server():
    """A :class:`~dipontology.serve.ReleaseServer` on 127.0.0.1 (free port) over :func:`release`, with a short
    time limit and a small row cap so the limit tests are quick; closed when the session ends."""
    from dipontology.serve import ReleaseServer

    _, dist = release()
    srv = ReleaseServer(dist, "127.0.0.1", 0, time_limit=2.0, row_cap=500, workers=2, quiet=True).start()
    atexit.register(srv.close)
    return srv
