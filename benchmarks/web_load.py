"""Load test of the web viewer on loopback: N concurrent fuse requests, latency percentiles.

Run from the repository root::

    .venv/bin/python -m benchmarks.web_load                      # 20 requests, method laplacian
    .venv/bin/python -m benchmarks.web_load -n 40 -m weighted

Starts ``brainfuse serve`` as a separate process on a free loopback port (as a user would), waits
until it answers, then sends ``-n`` fuse requests at the same moment (httpx, asyncio), each
uploading the MRI and the colour PET of pair 11 of ``../shared/data/harvard-cddfuse-test/MRI_PET``
(256×256; a synthetic 256×256 pair when the shared data is absent) and asking for the method's
result with the default metric profile (``cddfuse``: eight metrics). Every request must answer
200 with a fused image; the latency of each (from sending to the full JSON answer) is measured on
the client. The server computes two fusions at once (one per core) and queues the rest, so the
latency of the last requests is mostly waiting. Results go to ``docs/results/web_load.md`` and
``.json`` with the machine's load average at the start and the end.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx
import numpy as np

from benchmarks import _harness as harness


def _pair() -> tuple[bytes, bytes, str]:
    folder = harness.DATA / "harvard-cddfuse-test" / "MRI_PET"
    if (folder / "MRI" / "11.png").is_file():
        return (
            (folder / "MRI" / "11.png").read_bytes(),
            (folder / "PET" / "11.png").read_bytes(),
            "harvard-cddfuse-test MRI_PET/11.png (256×256, colour PET)",
        )
    from PIL import Image

    rng = np.random.default_rng(0)
    mri = rng.integers(0, 256, (256, 256), dtype=np.uint8)
    pet = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
    blobs = []
    for arr in (mri, pet):
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="PNG")
        blobs.append(buf.getvalue())
    return blobs[0], blobs[1], "synthetic 256×256 pair (shared data absent)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _one(client: httpx.AsyncClient, a: bytes, b: bytes, method: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = await client.post(
        "/api/fuse",
        data={"method": method},
        files={"a": ("mri.png", a), "b": ("pet.png", b)},
    )
    body = r.json()
    dt = time.perf_counter() - t0
    ok = r.status_code == 200 and "fused_grey" in body.get("images", {})
    return dt, r.status_code if ok else -r.status_code


async def _run(url: str, n: int, method: str, a: bytes, b: bytes) -> list[tuple[float, int]]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        await _one(client, a, b, method)  # warm-up: imports, first metric call
        return await asyncio.gather(*[_one(client, a, b, method) for _ in range(n)])


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (the smallest value with at least q % of values at or below)."""
    ordered = sorted(values)
    k = max(1, int(np.ceil(q / 100 * len(ordered))))
    return ordered[k - 1]


def main() -> int:
    options = harness.parser(__doc__)
    options.add_argument("-n", type=int, default=20, help="concurrent requests")
    options.add_argument("-m", "--method", default="laplacian", help="fusion method")
    args = options.parse_args()
    a, b, pair = _pair()
    port = _free_port()
    load_start = os.getloadavg()
    server = subprocess.Popen(
        [sys.executable, "-m", "brainfuse", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/api/options", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("brainfuse serve did not start") from None
                time.sleep(0.2)
        t0 = time.perf_counter()
        results = asyncio.run(_run(url, args.n, args.method, a, b))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_end = os.getloadavg()
    lat = [dt * 1000 for dt, _ in results]
    failures = [code for _, code in results if code != 200]
    report = {
        "requests": args.n,
        "succeeded": args.n - len(failures),
        "failed_status": failures,
        "method": args.method,
        "pair": pair,
        "latency_ms": {
            "min": round(min(lat), 1),
            "p50": round(statistics.median(lat), 1),
            "p95": round(_percentile(lat, 95), 1),
            "max": round(max(lat), 1),
        },
        "wall_s": round(wall, 2),
        "throughput_per_s": round(args.n / wall, 2),
        "cpus": os.cpu_count(),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
    }
    harness.write_json(harness.RESULTS / "web_load.json", report, indent=1)
    la = report["latency_ms"]
    row = (
        f"| {args.n} | {report['succeeded']} | {la['min']} ms | {la['p50']} ms | {la['p95']} ms "
        f"| {la['max']} ms | {wall:.2f} s | {report['throughput_per_s']} req/s |"
    )
    md = f"""# Web viewer load test

Command: `.venv/bin/python -m benchmarks.web_load -n {args.n} -m {args.method}`
(`brainfuse serve` on loopback; {args.n} fuse requests sent at once, each uploading {pair}
and asking for method `{args.method}` with the eight CDDFuse-protocol metrics; the server computes
two fusions at a time and queues the rest).

| requests | succeeded | latency min | p50 | p95 | max | all done in | throughput |
|---|---|---|---|---|---|---|---|
{row}

Machine: {os.cpu_count()} cores shared with other work; load average (1, 5, 15 min) at the
start {report["load_average_start"]}, at the end {report["load_average_end"]}. Latency is
measured on the client from sending a request to receiving its full answer; p95 is the
nearest-rank 95th percentile.
"""
    harness.write_text(harness.RESULTS / "web_load.md", md)
    print(md)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
