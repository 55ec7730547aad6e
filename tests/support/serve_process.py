"""`dipontology serve` started as a real subprocess on a free 127.0.0.1 port over the fixture release (shared by
test_server_load.py, test_security_no_fetch.py and bench/server_load.py)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CLI = [sys.executable, "-c", "import sys; from dipontology.cli import main; sys.exit(main())"]


class ServeProcess:
    """``dipontology serve --port 0`` in a subprocess; :attr:`url` is where it listens."""

    def __init__(self, dist: Path, *extra: str, time_limit: float = 1.0, workers: int = 3,
                 row_cap: int = 1000) -> None:
        self.log = open(os.devnull, "wb")
        command = CLI + ["serve", "--dist", str(dist), "--port", "0", "--time-limit", f"{time_limit:g}",
                         "--workers", str(workers), "--row-cap", str(row_cap), "-q", *extra]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.stderr_lines: list[bytes] = []
        self.url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.stderr_lines.append(line)
            m = re.search(rb"at (http://127\.0\.0\.1:\d+)/", line)
            if m:
                self.url = m.group(1).decode()
                break
        if self.url is None:
            self.stop()
            raise RuntimeError("serve did not start: " + b"".join(self.stderr_lines).decode(errors="replace"))
        # drain stderr in the background so the pipe never fills up
        import threading

        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()
        self.port = int(self.url.rsplit(":", 1)[1])

    def _read_stderr(self) -> None:
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr_lines.append(line)

    @property
    def stderr(self) -> str:
        return b"".join(self.stderr_lines).decode("utf-8", "replace")

    def rss_kib(self) -> int:
        """Resident memory of the server and all its worker processes, in KiB (from /proc)."""
        total = 0
        for pid in [self.proc.pid] + _children(self.proc.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def _children(pid: int) -> list[int]:
    out = []
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            out.append(int(child))
            out += _children(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def request(url: str, accept: str | None = None, method: str = "GET", data: bytes | None = None,
            ctype: str | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    headers = {}
    if accept:
        headers["Accept"] = accept
    if ctype:
        headers["Content-Type"] = ctype
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def raw(port: int, payload: bytes, *, timeout: float = 10.0, close_write: bool = True) -> bytes:
    """Send raw bytes to the server and return what it answers (until it closes or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        if close_write:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def status_of(answer: bytes) -> int | None:
    m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(m.group(1)) if m else None
