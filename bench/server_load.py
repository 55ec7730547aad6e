"""Load test of ``dipontology serve`` (issue 9), the long version of tests/test_server_load.py.

Builds the fixture release (or uses ``--dist``), starts ``dipontology serve`` as a subprocess on a free 127.0.0.1 port
and runs CLIENTS concurrent clients for SECONDS with the same mix of pages, RDF and SPARQL (including slow queries
that must hit the time limit). Prints a JSON summary: requests per kind and status, latencies, the time-limit answers,
the server's resident memory (server + workers, from /proc) at start, peak and end, and whether it answers normally
afterwards. Exit 1 if any check fails.

    python bench/server_load.py                   # 8 clients, 60 s
    python bench/server_load.py --clients 16 --seconds 120 --dist dist
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "release"))

from support.serve_process import ServeProcess, request  # noqa: E402
from test_server_load import TIME_LIMIT_STATUSES, _client, mix  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--time-limit", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--dist", help="a built release (default: build the fixture release into a temp folder)")
    args = ap.parse_args(argv)
    if args.dist:
        dist = Path(args.dist)
    else:
        from support.release import release

        _, dist = release()
    srv = ServeProcess(dist, time_limit=args.time_limit, workers=args.workers)
    try:
        base = srv.url
        for _kind, url, accept, _slow in mix(base):  # warm up, one at a time
            request(url, accept)
        baseline = srv.rss_kib()
        results: list = []
        rss: list[int] = []
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=_client, args=(mix(base), results, stop_at, k * 5))
                   for k in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            rss.append(srv.rss_kib())
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        by_kind: dict = defaultdict(list)
        for kind, status, body, seconds in results:
            by_kind[kind].append((status, seconds, body))
        limit_text = f"time limit of {args.time_limit:g} s".encode()
        summary = {
            "clients": args.clients, "seconds": round(elapsed, 1), "time_limit": args.time_limit,
            "workers": args.workers, "requests": len(results), "requests_per_second": round(len(results) / elapsed, 1),
            "kinds": {kind: {"count": len(rows),
                             "statuses": dict(Counter(str(s) for s, _t, _b in rows)),
                             "p50_ms": round(statistics.median(t for _s, t, _b in rows) * 1000, 1),
                             "p95_ms": round(sorted(t for _s, t, _b in rows)[int(len(rows) * 0.95) - 1] * 1000, 1),
                             "max_ms": round(max(t for _s, t, _b in rows) * 1000, 1)}
                      for kind, rows in sorted(by_kind.items())},
            "rss_kib": {"baseline": baseline, "peak": max(rss), "end": srv.rss_kib()},
        }
        fast_ok = all(s == 200 for kind, rows in by_kind.items() if kind != "slow" for s, _t, _b in rows)
        slow_ok = all(s in TIME_LIMIT_STATUSES and limit_text in b for s, _t, b in by_kind.get("slow", []))
        status, _h, _b = request(base + "/id/case/fixture-back-channel", "text/turtle")
        summary["checks"] = {
            "no_5xx_outside_time_limit": fast_ok, "every_slow_query_hit_the_time_limit": slow_ok,
            "memory_bounded": max(rss) < baseline * 2 + 200_000, "answers_afterwards": status == 200,
            "no_traceback": "Traceback" not in srv.stderr,
        }
        print(json.dumps(summary, indent=2))
        return 0 if all(summary["checks"].values()) else 1
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
