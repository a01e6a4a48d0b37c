#!/usr/bin/env python3
"""Start-to-ready and idle RSS of the exporter on its built-in default config.
Run it inside a loopback-only network namespace (the default config names
public status pages): `unshare -n sh -c 'ip link set lo up; exec python3 idle.py BIN PORT'`.
Starts the binary `--starts` times with an empty environment (no keys), timing
exec to the first `200` from /-/ready (polled every millisecond over loopback);
then keeps the last one running `--idle` seconds and reads its VmRSS. Prints
one JSON line."""
import argparse
import json
import socket
import statistics
import subprocess
import time


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("port", type=int)
    p.add_argument("--starts", type=int, default=5)
    p.add_argument("--idle", type=float, default=20)
    args = p.parse_args()
    times = []
    for n in range(args.starts):
        t0 = time.monotonic()
        proc = subprocess.Popen([args.bin, f"--web.listen-address=127.0.0.1:{args.port}", "--log.level=error"], env={})
        while not ready(args.port):
            if proc.poll() is not None or time.monotonic() - t0 > 10:
                raise SystemExit("exporter did not become ready")
            time.sleep(0.001)
        times.append((time.monotonic() - t0) * 1000)
        if n < args.starts - 1:
            proc.terminate()
            proc.wait(10)
    time.sleep(args.idle)
    with open(f"/proc/{proc.pid}/smaps_rollup") as f:
        rollup = {l.split(":")[0]: int(l.split()[1]) for l in f if l.split()[-1] == "kB"}
    proc.terminate()
    proc.wait(10)
    print(json.dumps({"ready_ms": statistics.median(times), "ready_ms_all": [round(t, 1) for t in times],
                      "idle_rss_kb": rollup["Rss"], "idle_anon_kb": rollup["Anonymous"], "idle_pss_kb": rollup["Pss"]}))


if __name__ == "__main__":
    main()
