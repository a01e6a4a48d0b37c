#!/usr/bin/env python3
"""Drives blackbox_exporter's /probe the way Prometheus would: every target once
per interval at a stable offset, over a pool of keep-alive connections. After a
warm-up it measures the prober process (`--pid`) from /proc: CPU seconds and
RSS, and counts the probes that completed in the measured window. Prints one
JSON line. Loopback only; every request has a timeout.
"""
import argparse
import asyncio
import json
import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Pool:
    def __init__(self, host, port, size):
        self.host, self.port = host, port
        self.free = asyncio.Queue()
        for _ in range(size):
            self.free.put_nowait(None)

    async def get(self, path, timeout):
        conn = await self.free.get()
        try:
            if conn is None:
                conn = await asyncio.open_connection(self.host, self.port)
            reader, writer = conn
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await asyncio.wait_for(reader.readexactly(length), timeout)
            self.free.put_nowait(conn)
            return head.split(b" ")[1], body
        except Exception:
            if conn is not None:
                conn[1].transport.abort()
            self.free.put_nowait(None)
            raise


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True, help="blackbox_exporter's port")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--path", required=True, help="with {i} for the target number")
    p.add_argument("--targets", type=int, required=True)
    p.add_argument("--interval", type=float, default=15)
    p.add_argument("--warmup", type=float, default=10)
    p.add_argument("--window", type=float, required=True)
    p.add_argument("--connections", type=int, default=200)
    args = p.parse_args()

    pool = Pool("127.0.0.1", args.port, args.connections)
    start = time.monotonic()
    window_start, window_end = start + args.warmup, start + args.warmup + args.window
    done = {"in_window": 0, "ok": 0, "failed": 0, "errors": 0}
    tasks = set()

    async def probe(i):
        try:
            status, body = await pool.get(args.path.replace("{i}", str(i)), 10)
            good = status == b"200" and b"probe_success 1" in body
            done["ok" if good else "failed"] += 1
        except Exception:
            done["errors"] += 1
        if window_start <= time.monotonic() < window_end:
            done["in_window"] += 1

    step = args.interval / args.targets
    n = 0
    marks = {}
    while True:
        due = start + n * step
        if due >= window_end:
            break
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        if "cpu0" not in marks and time.monotonic() >= window_start:
            marks["cpu0"], marks["t0"] = cpu_seconds(args.pid), time.monotonic()
        task = asyncio.create_task(probe(n % args.targets))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
    cpu1, t1 = cpu_seconds(args.pid), time.monotonic()
    rss = rss_mb(args.pid)
    if tasks:
        await asyncio.wait(tasks, timeout=15)
    elapsed = t1 - marks["t0"]
    print(json.dumps({"probes_per_s": done["in_window"] / elapsed, "target_per_s": args.targets / args.interval,
                      "cpu_s": cpu1 - marks["cpu0"], "window_s": elapsed, "probes": done["in_window"],
                      "cpu_s_per_1k": (cpu1 - marks["cpu0"]) / max(1, done["in_window"]) * 1000,
                      "rss_mb": rss, "ok": done["ok"], "failed": done["failed"], "errors": done["errors"]}))


if __name__ == "__main__":
    asyncio.run(main())
