"""A real Oxigraph SPARQL server (``oxigraph serve``, from the ``oxigraph`` package of the test extra) on a free port of
127.0.0.1, in its own process, stopped by :meth:`OxigraphServer.stop`. Tests get one through the ``oxigraph_server``
fixture of ``tests/conftest.py``."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def oxigraph_command() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """``oxigraph serve --location DIR`` on 127.0.0.1; :attr:`base` is its address, :attr:`query_url` its SPARQL
    query endpoint; :meth:`stop` ends exactly this process."""

    def __init__(self, location: Path, *, start_within: float = 20.0) -> None:
        command = oxigraph_command()
        if command is None:  # pragma: no cover - the test extra installs it
            pytest.skip("the oxigraph command is not installed (pip install 'dipontology[test]')")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.base + "/query"
        self.proc = subprocess.Popen([command, "serve", "--location", str(location), "--bind",
                                      f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + start_within
        while True:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                    raise RuntimeError(f"oxigraph serve exited: {err}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"oxigraph serve did not start within {start_within:g} s") from None
                time.sleep(0.05)

    def load(self, turtle: str) -> None:
        """Add Turtle to the default graph (the Graph Store Protocol's POST)."""
        req = urllib.request.Request(self.base + "/store?default", data=turtle.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status in (200, 201, 204)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
