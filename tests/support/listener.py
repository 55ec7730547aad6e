"""A TCP listener on a free port of 127.0.0.1 that counts every connection (and answers as a tiny HTTP server), for
the tests that prove an input never makes the tools connect anywhere."""
from __future__ import annotations

import socket
import threading
import time


class Listener:
    """Counts every TCP connection to a free port of 127.0.0.1; each one is answered with ``answer`` and closed."""

    def __init__(self, answer: bytes = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n") -> None:
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            try:
                conn.sendall(self.answer)
            except OSError:
                pass
            finally:
                conn.close()

    def quiet_for(self, seconds: float = 0.3) -> bool:
        time.sleep(seconds)
        return self.connections == 0

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


def wait_for(condition, seconds: float = 2.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
