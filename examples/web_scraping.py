"""Fetch pages with ``@io_bound``: many requests in flight, a rate limit, and retries for a flaky server.

The script starts its own HTTP server on 127.0.0.1 (a free port) that answers after 20 ms and fails the first
request for every fifth page with a 503, so the retries have something to do. Nothing leaves this machine.

Run: python examples/web_scraping.py
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from parallelize import io_bound

N_PAGES = 80
LATENCY_S = 0.02


class FlakyPages(BaseHTTPRequestHandler):
    """``/page/N`` answers after ``LATENCY_S`` with a title; every fifth page fails its first request with 503."""

    requests: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.requests[self.path] += 1
            attempt = self.requests[self.path]
        time.sleep(LATENCY_S)
        number = int(self.path.rsplit("/", 1)[-1])
        if number % 5 == 0 and attempt == 1:
            self.send_error(503, "try again")
            return
        body = f"<html><title>Page {number}</title><p>{'word ' * number}</p></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the example's output readable


def fetch(url: str) -> tuple[str, int]:
    """Download a page; return its title and word count. HTTP errors are OSErrors, so io_bound retries them."""
    with urllib.request.urlopen(url, timeout=5) as response:
        html = response.read().decode()
    title = re.search(r"<title>(.*?)</title>", html)
    return (title.group(1) if title else "", len(re.findall(r"word", html)))


# Up to 16 requests in flight, at most 200 a second in all, 3 retries with backoff on OSError/TimeoutError.
fetch_parallel = io_bound(max_concurrency=16, rate="200/s", retries=3)(fetch)
# The serial reference: the same limits and retries, one request at a time.
fetch_serial = io_bound(max_concurrency=1, retries=3)(fetch)


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyPages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/page/{n}" for n in range(1, N_PAGES + 1)]
    try:
        started = time.perf_counter()
        serial = fetch_serial.map(urls)
        serial_s = time.perf_counter() - started

        FlakyPages.requests.clear()  # the flaky pages fail once more for the parallel run
        started = time.perf_counter()
        parallel = fetch_parallel.map(urls)
        parallel_s = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()

    retried = sum(1 for count in FlakyPages.requests.values() if count > 1)
    words = sum(count for _, count in parallel)
    print(f"{len(parallel)} pages, {words} words; {retried} pages needed a retry")
    print(f"serial {serial_s:.2f}s, parallel {parallel_s:.2f}s ({len(urls) / parallel_s:.0f} pages/s, "
          f"rate limit 200/s)")
    same = parallel == serial
    print(f"same results as serial: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
