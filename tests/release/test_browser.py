"""The release in a real browser: headless Chromium (Debian's ``chromium``, installed by .ci/run), driven over the
DevTools protocol on 127.0.0.1, against ``dipontology serve`` over the one fixture release of the session.

Each page (the index, a case, an actor, a source, an ontology term, the SPARQL editor running one example query)
is loaded, screenshotted into the test's temporary folder, checked for console errors, failed loads and uncaught
exceptions, and run through axe-core (npm package ``axe-core``, which .ci/run installs into ``.ci/npm``; or the file
named by ``DIPONTOLOGY_AXE``): no serious or critical violation. The texts of the pictures are measured by the
browser itself (``getBBox``): none overlaps another or leaves its picture. With ``DIPONTOLOGY_SCREENSHOTS=DIR`` the
screenshots of a case page and of the editor are also written there (how docs/ gets its pictures).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from support.release import server

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
REPO = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("DIPONTOLOGY_AXE") or REPO / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (.ci/run: npm install into .ci/npm)"),
]


# --------------------------------------------------------------------------------- a small DevTools client
class DevTools:
    """Just enough of a WebSocket client (RFC 6455) to speak the Chrome DevTools protocol to one page on
    127.0.0.1: send a command, collect the events that arrive meanwhile."""

    def __init__(self, ws_url: str) -> None:
        assert ws_url.startswith("ws://127.0.0.1:"), ws_url
        hostport, path = ws_url[len("ws://"):].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head
        self.next_id = 0
        self.events: list[dict] = []

    def _recv_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            buf += chunk
        return buf

    def _recv(self) -> dict:
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            payload = self._recv_exact(n)
            opcode = b0 & 0x0F
            if opcode == 9:  # ping
                self._send_frame(payload, 10)
                continue
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)

    def _send_frame(self, data: bytes, opcode: int = 1) -> None:
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x80 | opcode])
        head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else \
            bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self._send_frame(json.dumps({"id": self.next_id, "method": method, "params": params}).encode())
        while True:
            msg = self._recv()
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def evaluate(self, expression: str, timeout: float = 30):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True,
                           timeout=timeout * 1000)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> object:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.evaluate(f"(() => {{ try {{ return location.href !== 'about:blank' && !!({expression}); }} "
                                  "catch (e) { return false; } })()")
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Chromium on 127.0.0.1 with a fresh profile; yields a function that opens a page (a :class:`DevTools`)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--no-first-run", "--disable-extensions", "--remote-debugging-address=127.0.0.1",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        end = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert time.monotonic() < end and proc.poll() is None, "chromium did not start"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])

        def open_page() -> DevTools:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
            with urllib.request.urlopen(req, timeout=30) as resp:
                target = json.loads(resp.read())
            page = DevTools(target["webSocketDebuggerUrl"])
            for domain in ("Page", "Runtime", "Log"):
                page.call(f"{domain}.enable")
            page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            return page

        yield open_page
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def problems(page: DevTools) -> list[str]:
    """Console errors and warnings, failed loads and uncaught exceptions seen so far."""
    out = []
    for e in page.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            out.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p["exceptionDetails"])[:500])
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"log {p['entry']['level']}: {p['entry']['text']} {p['entry'].get('url', '')}")
    return out


def visit(open_page, url: str, shot: Path, ready: str = "document.readyState === 'complete'",
          height: int = 4000) -> DevTools:
    page = open_page()
    page.call("Page.navigate", url=url)
    page.wait_for(ready)
    height = min(page.evaluate("document.documentElement.scrollHeight"), height)
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=int(height), deviceScaleFactor=1,
              mobile=False)
    time.sleep(0.2)
    data = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, "the screenshot looks empty"
    shot.write_bytes(data)
    keep = os.environ.get("DIPONTOLOGY_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / shot.name).write_bytes(data)
    return page


def axe(page: DevTools) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8") + "; true")
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
                          "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => "
                          "n.target.join(' '))})))", timeout=120)
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in found  # noqa: E501
            if v["impact"] in ("serious", "critical")]


_OVERLAPS = """(() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.network-svg, svg.timeline-svg')) {
    const vb = svg.viewBox.baseVal;
    const boxes = [];
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      boxes.push([b.x, b.y, b.x + b.width, b.y + b.height, t.textContent]);
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5
          || b.y + b.height > vb.y + vb.height + 0.5) out.push('outside: ' + t.textContent);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5)
        out.push('overlap: ' + a[4] + ' / ' + b[4]);
    }
  }
  return out;
})()"""

PAGES = [
    ("index", "/", "document.body.hasAttribute('data-search-ready')"),
    ("case", "/id/case/fixture-back-channel", "document.readyState === 'complete'"),
    ("actor", "/id/actor/fixture-institute", "document.readyState === 'complete'"),
    ("source", "/id/source/fixture-a", "document.readyState === 'complete'"),
    ("ontology-term", "/ontology#TrackTwo", "document.readyState === 'complete'"),
]


@pytest.mark.parametrize("name,path,ready", PAGES, ids=[p[0] for p in PAGES])
def test_page_in_the_browser(browser, tmp_path, name, path, ready):
    page = visit(browser, server().url + path, tmp_path / f"{name}.png", ready)
    try:
        assert page.evaluate("document.querySelector('h1').textContent.length > 0")
        assert page.evaluate("!!document.querySelector('#cite .cite-text')")
        assert page.evaluate("!!document.querySelector('a[href$=\"sparql/index.html\"]')")
        assert page.evaluate(_OVERLAPS) == []
        assert axe(page) == []
        assert problems(page) == []
        if name == "index":
            assert page.evaluate("+document.body.getAttribute('data-search-ready')") > 20
            assert page.evaluate("!!document.querySelector('svg.timeline-svg')")
        if name == "case":
            assert page.evaluate("!!document.querySelector('svg.network-svg')")
            assert page.evaluate("document.querySelectorAll('#sources li').length") == 2
            page.evaluate("document.querySelector('details.quote summary').click(); true")
            assert page.evaluate("document.querySelector('details.quote').open")
        if name == "ontology-term":
            assert page.evaluate("document.querySelector(':target').id") == "TrackTwo"
    finally:
        page.close()


def test_sparql_editor_runs_an_example(browser, tmp_path):
    """The editor loads YASGUI from the release (nothing from the internet), opens a named query and runs it
    against ``dipontology serve``: an HTML table of results, no console error, no serious accessibility problem."""
    url = server().url + "/sparql/?example=cases-by-track&run=1"
    page = visit(browser, url, tmp_path / "sparql-editor.png",
                 "document.body.getAttribute('data-editor-state') === 'done' && "
                 "!!document.querySelector('.yasr table tbody tr')", height=1150)
    try:
        assert page.evaluate("document.body.getAttribute('data-editor-example')") == "cases-by-track"
        rows = page.evaluate("document.querySelectorAll('.yasr table tbody tr').length")
        assert rows >= 3
        assert "Fixture back channel" in page.evaluate("document.querySelector('.yasr table').textContent")
        assert page.evaluate("+document.body.getAttribute('data-editor-ready')") >= 40
        assert axe(page) == []
        assert problems(page) == []
    finally:
        page.close()
