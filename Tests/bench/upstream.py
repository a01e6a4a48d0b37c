#!/usr/bin/env python3
"""A fast fake provider for the benchmarks (loopback only).

Answers `GET /c<N>/v1/models` (any path works; `c<N>` names the check) with an
OpenAI-style model list and rate-limit headers, after an injected delay of
`--delay-ms` plus a uniform jitter in [-jitter, +jitter] ms. For each answered
request it records `check_id applied_ms`, where applied_ms is the time it
actually held the connection (accepted to response written; the Python event
loop's own delays fall inside it, not in the prober's error), and writes the
records to `--record` when it gets SIGTERM. Probe latency error is then the
prober's measured duration minus applied_ms.

`--mix soak` instead answers with a fixed mix of faults, chosen per request
from a seeded generator: success, hang until the client gives up, reset before
the headers, reset in the middle of the body, 429 with Retry-After, and a slow
(trickled) body. Counts per kind go to `--record`.

Prints its port on stdout, then serves until SIGTERM. Bounded: request heads
over 64 KiB are dropped, and nothing is read beyond the head.
"""
import argparse
import asyncio
import random
import signal
import socket
import struct
import sys
import time

MODELS = b'{"object":"list","data":[{"id":"bench-model","object":"model","owned_by":"bench"}]}'
RATE_HEADERS = (b"x-ratelimit-limit-requests: 10000\r\nx-ratelimit-remaining-requests: 9999\r\n"
                b"x-ratelimit-reset-requests: 6ms\r\nx-ratelimit-limit-tokens: 2000000\r\n"
                b"x-ratelimit-remaining-tokens: 1999990\r\nx-ratelimit-reset-tokens: 0s\r\n")
SOAK_KINDS = [("success", 70), ("hang", 5), ("reset_head", 5), ("reset_body", 5), ("ratelimited", 10), ("slow_body", 5)]


def response(status, body, extra=b""):
    reason = {200: b"OK", 429: b"Too Many Requests"}[status]
    return (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%sconnection: close\r\n\r\n"
            % (status, reason, len(body), extra)) + body


def abort_with_reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Upstream:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.records = []          # steady: (check id, applied ms)
        self.counts = {k: 0 for k, _ in SOAK_KINDS}
        self.kinds = [k for k, w in SOAK_KINDS for _ in range(w)]

    async def handle(self, reader, writer):
        accepted = time.monotonic()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.transport.abort()
            return
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
        check = path.split(b"/")[1].decode(errors="replace") if path.count(b"/") >= 2 else "-"
        try:
            if self.args.mix == "soak":
                await self.soak(writer)
            else:
                await self.steady(writer, check, accepted)
        except ConnectionError:
            writer.transport.abort()

    async def steady(self, writer, check, accepted):
        delay = self.args.delay_ms + self.rng.uniform(-self.args.jitter_ms, self.args.jitter_ms)
        await asyncio.sleep(max(0.0, delay) / 1000)
        writer.write(response(200, MODELS, RATE_HEADERS))
        self.records.append((check, (time.monotonic() - accepted) * 1000))
        await writer.drain()
        writer.close()

    async def soak(self, writer):
        kind = self.rng.choice(self.kinds)
        self.counts[kind] += 1
        full = response(200, MODELS, RATE_HEADERS)
        if kind == "success":
            await asyncio.sleep(self.rng.uniform(0.005, 0.05))
            writer.write(full)
        elif kind == "hang":
            await asyncio.sleep(self.args.hang_s)   # longer than the checks' timeout
            writer.transport.abort()
            return
        elif kind == "reset_head":
            abort_with_reset(writer)
            return
        elif kind == "reset_body":
            writer.write(full[:len(full) - 20])
            await writer.drain()
            abort_with_reset(writer)
            return
        elif kind == "ratelimited":
            body = b'{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}'
            writer.write(response(429, body, b"retry-after: 1\r\n" + RATE_HEADERS.replace(b"9999", b"0", 1)))
        elif kind == "slow_body":
            split = full.index(b"\r\n\r\n") + 4
            writer.write(full[:split])
            for i in range(split, len(full), 16):
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(full[i:i + 16])
        await writer.drain()
        writer.close()

    def dump(self):
        if not self.args.record:
            return
        with open(self.args.record, "w") as out:
            if self.args.mix == "soak":
                for kind, n in self.counts.items():
                    out.write(f"{kind} {n}\n")
            else:
                for check, ms in self.records:
                    out.write(f"{check} {ms:.3f}\n")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=50)
    parser.add_argument("--jitter-ms", type=float, default=10)
    parser.add_argument("--mix", choices=["steady", "soak"], default="steady")
    parser.add_argument("--hang-s", type=float, default=30)
    parser.add_argument("--record")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    upstream = Upstream(args)
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0, limit=64 * 1024, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()
    upstream.dump()


if __name__ == "__main__":
    asyncio.run(main())
