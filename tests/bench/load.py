"""Load generation: wrk when the machine has it (apt-get install wrk), else a small threaded client.

Both are closed-loop: a fixed number of connections, each sending its next request as soon as the
previous answer arrived, so throughput is what the server sustains and latency includes queueing.
"""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CONNECTIONS = 4  # two per gunicorn worker: both always busy, a short queue behind each


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load_tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run_load(
    url: str,
    seconds: float,
    *,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    connections: int = CONNECTIONS,
    paths: list[str] | None = None,
) -> LoadResult:
    """Load `url`; with `paths`, each request takes the next of them instead of url's path."""
    headers = headers or {}
    if load_tool() == "wrk":
        return _wrk(url, seconds, method, body, headers, connections, paths)
    return _threads(url, seconds, method, body, headers, connections, paths)


WRK_SCRIPT = """
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
%(paths)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {\\"requests\\": %%d, \\"us\\": %%d, \\"p50\\": %%d, \\"p95\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _lua(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for this ASCII


WRK_PATHS = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[(i - 1) %% #paths + 1])
end
"""


def _wrk(url, seconds, method, body, headers, connections, paths) -> LoadResult:
    lines = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in headers.items())
    rotate = WRK_PATHS % ", ".join(_lua(p) for p in paths) if paths else ""
    script = WRK_SCRIPT % {
        "method": _lua(method),
        "body": _lua(body),
        "headers": lines,
        "paths": rotate,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "--script",
                f.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line[6:])
    return LoadResult(
        requests=data["requests"],
        seconds=data["us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        errors=data["errors"],
        tool="wrk",
    )


def _threads(url, seconds, method, body, headers, connections, paths) -> LoadResult:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    next_path = itertools.cycle(paths or [path]).__next__  # atomic enough under the GIL
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        mine, failed = [], 0
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn.request(method, next_path(), body=body or None, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except OSError:
                failed += 1
                conn.close()
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=pick(0.50) if latencies else 0.0,
        p95_ms=pick(0.95) if latencies else 0.0,
        errors=errors[0],
        tool="python threads",
    )
