"""Shared by the whole suite: a known contributor name for ``accept`` (git's ``user.name`` of a private, empty
global git configuration, so no test depends on the machine's), and the profile markers.

Markers (pyproject.toml): ``slow`` (builds, wheels, subprocess-heavy runs), ``server`` (a real server on
127.0.0.1), ``browser`` (headless Chromium). ``server`` and ``browser`` tests are slow too, so the fast profile is
one expression: ``python -m pytest -m "not slow"``.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from support.oxigraph import OxigraphServer
from support.release import release

_GIT_CONFIG = Path(tempfile.mkdtemp(prefix="dipontology-tests-git-")) / "gitconfig"
_GIT_CONFIG.write_text("[user]\n\tname = dipontology tests\n\temail = tests@127.0.0.1\n", encoding="utf-8")
os.environ["GIT_CONFIG_GLOBAL"] = str(_GIT_CONFIG)   # inherited by every subprocess the tests start
os.environ.pop("GIT_CONFIG_SYSTEM", None)
os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("server") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    """Start a real Oxigraph server on 127.0.0.1 (``oxigraph_server("name")``, an empty store in a fresh folder);
    every server started is stopped at the end of the run, or earlier by its own ``stop()``."""
    started: list[OxigraphServer] = []

    def start(name: str = "oxigraph") -> OxigraphServer:
        server = OxigraphServer(tmp_path_factory.mktemp(name))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def built_release():
    """``(BuildResult, dist folder)`` of the fixture data set (tests/fixtures/release), built once per test run
    (:func:`support.release.release`, shared with the tests that call it directly) and removed at the end."""
    return release()
