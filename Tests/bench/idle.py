#!/usr/bin/env python3
"""Start-to-ready and idle RSS of the exporter on its built-in default config.
Run it inside a loopback-only network namespace (the default config names
public status pages): `unshare -n sh -c 'ip link set lo up; exec python3 idle.py BIN PORT'`.
Starts the binary `--starts` times with an empty environment (no keys), timing
exec to the first `200` from /-/ready (polled every millisecond over loopback);
then keeps the last one running `--idle` seconds and reads its RSS. Each
`--compare NAME=BIN` (blackbox_exporter, node_exporter) is then started the
same way, on its packaged defaults, and idles as long: NAME_idle_rss_kb. Prints
one JSON line."""
import argparse
import json
import socket
import statistics
import subprocess
import time


def ready(port, path="/-/ready"):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def rss_kb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        rollup = {l.split(":")[0]: int(l.split()[1]) for l in f if l.split()[-1] == "kB"}
    return rollup


# Packaged defaults for the exporters compared with (Debian's paths).
COMPARE_ARGS = {"blackbox": ["--config.file=/etc/prometheus/blackbox.yml"], "node": []}


def idle_rss_of(name, binary, port, idle):
    proc = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}", *COMPARE_ARGS.get(name, [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not ready(port, "/metrics"):
        if proc.poll() is not None or time.monotonic() - t0 > 10:
            raise SystemExit(f"{name} did not start")
        time.sleep(0.01)
    time.sleep(idle)
    rss = rss_kb(proc.pid)["Rss"]
    proc.terminate()
    proc.wait(10)
    return rss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("port", type=int)
    p.add_argument("--starts", type=int, default=5)
    p.add_argument("--idle", type=float, default=20)
    p.add_argument("--compare", action="append", default=[], metavar="NAME=BIN")
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
    rollup = rss_kb(proc.pid)
    proc.terminate()
    proc.wait(10)
    out = {"ready_ms": statistics.median(times), "ready_ms_all": [round(t, 1) for t in times],
           "idle_rss_kb": rollup["Rss"], "idle_anon_kb": rollup["Anonymous"], "idle_pss_kb": rollup["Pss"]}
    for spec in args.compare:
        name, binary = spec.split("=", 1)
        out[f"{name}_idle_rss_kb"] = idle_rss_of(name, binary, args.port, args.idle)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
