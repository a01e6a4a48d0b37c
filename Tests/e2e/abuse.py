#!/usr/bin/env python3
"""The server under abuse, loopback only, every loop bounded.

    python3 Tests/e2e/abuse.py BIN_DIR

Runs the built exporter and, one phase at a time: 2,000 slowloris connections
that send a byte every 2 s and reconnect when dropped; 1 MB request heads;
random bytes; `Content-Length: 99999999` with no body; 10,000 requests per
second of /metrics (wrk, paced, pipelined). Throughout, a legitimate scraper
(curl, a fresh connection every 100 ms, as Prometheus after a restart) must be
answered within 100 ms every time, the resident memory must stay under the
bound the server's limits give (README: "Security and failure behaviour"), and
the descriptor count under --web.max-connections. Last, with every connection
busy in a request, a new one is closed at once and the busy ones are answered.
Then the same listener over TLS (tls_server_config with a required client
certificate; the legit scraper is curl over https with its certificate):
2,000 stalled handshakes (silence, half a record, a ClientHello and no more),
a flood of full handshakes, garbage instead of a ClientHello, and clients
that never send their certificate; the same bounds on the legit scraper,
descriptors and memory (TLS_CONNECTION_BOUND per connection).
Prints one line per phase and a JSON line with every figure; exits 1 on any
failure.
"""
import json
import os
import random
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
MAX_CONNECTIONS = 1024
# Per connection the server keeps at most a 16 KiB head plus one 64 KiB read
# (a larger head is refused; no route takes a body); responses are written
# before more is read. So the connections can hold at most this much:
CONNECTION_BOUND = MAX_CONNECTIONS * (16 + 64) * 1024
LEGIT_LIMIT = 0.100
# Over TLS each legit scrape is a full handshake (client certificate
# included) on a machine whose two cores also run the attack; the stalled
# phase opens about 700 ClientHellos in its first second, each a key exchange
# and a signature for the server, and a legit handshake queues behind them
# (measured worst 80-103 ms).
TLS_LEGIT_LIMIT = 0.300
# Over TLS a connection also holds OpenSSL's state (the handshake, its read
# and write buffers while in use): bounded at 64 KiB more (measured peak per
# connection: README, "Security and failure behaviour").
TLS_CONNECTION_BOUND = MAX_CONNECTIONS * (16 + 64 + 64) * 1024
HERE = os.path.dirname(os.path.abspath(__file__))

failures = []
figures = {}


def fail(message):
    failures.append(message)
    print("FAIL -", message, flush=True)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if os.geteuid() == 0 and hard < 8192:
        hard = 8192  # root may raise the hard limit
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2600:
        sys.exit(f"abuse.py needs 2,600 descriptors; the hard limit is {hard}")


class HangingProvider:
    """Accepts connections and never answers: a provider that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)


class Exporter:
    def __init__(self, config, *flags):
        self.log = tempfile.NamedTemporaryFile(prefix="abuse-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([os.path.join(BIN, "provider_exporter"), "--web.listen-address=127.0.0.1:0",
                                      f"--config.file={config}", *flags], stderr=self.log)
        self.port = None
        for _ in range(200):
            text = open(self.log.name).read()
            if "msg=listening" in text:
                self.port = int(text.split("msg=listening", 1)[1].split("port=", 1)[1].split()[0])
                break
            time.sleep(0.05)
        if self.port is None:
            sys.exit("exporter did not start: " + open(self.log.name).read())

    def memory(self):
        fields = {}
        for line in open(f"/proc/{self.proc.pid}/status"):
            key, _, value = line.partition(":")
            fields[key] = value.split()
        return int(fields["VmRSS"][0]) * 1024, int(fields["VmHWM"][0]) * 1024

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "killed"
        log = open(self.log.name).read()
        os.unlink(self.log.name)
        return code, log


class LegitScraper:
    """curl every 100 ms on a fresh connection; curl measures, so Python's own
    scheduling is not counted."""

    def __init__(self, port, tls=None):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.extra = []
        if tls:
            # A fresh TLS connection each time, with the client certificate.
            self.url = f"https://localhost:{port}/metrics"
            self.extra = ["--resolve", f"localhost:{port}:127.0.0.1", "--cacert", tls.path("ca.pem"),
                          "--cert", tls.path("client.pem"), "--key", tls.path("client.key")]
        self.samples = []
        self.started = time.monotonic()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping.is_set():
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "5", "-H", "Accept-Encoding: gzip",
                                  "-w", "%{http_code} %{time_total}", *self.extra, self.url], capture_output=True, text=True)
            code, _, seconds = out.stdout.partition(" ")
            self.samples.append((code, float(seconds or "nan"), round(time.monotonic() - self.started, 2)))
            self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        self.thread.join(10)
        return self.samples


class MemoryWatch:
    def __init__(self, exporter):
        self.exporter = exporter
        self.peak_fds = 0
        self.peak_at = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        started = time.monotonic()
        while not self.stopping.is_set():
            fds = self.exporter.fds()
            if fds > self.peak_fds:
                self.peak_fds, self.peak_at = fds, round(time.monotonic() - started, 2)
            self.stopping.wait(0.05)

    def stop(self):
        self.stopping.set()
        self.thread.join(5)


def phase(name, exporter, body, tls=None, limit=LEGIT_LIMIT):
    """Runs body() while the legit scraper and the memory watch run."""
    scraper = LegitScraper(exporter.port, tls)
    watch = MemoryWatch(exporter)
    started = time.monotonic()
    detail = body() or ""
    elapsed = time.monotonic() - started
    samples = scraper.stop()
    watch.stop()
    rss, peak = exporter.memory()
    bad = [s for s in samples if s[0] != "200"]
    slowest = max((s[1] for s in samples), default=float("nan"))
    figures[name] = {"legit_scrapes": len(samples), "legit_max_ms": round(slowest * 1000, 1),
                     "rss_mb": round(rss / 2**20, 1), "peak_rss_mb": round(peak / 2**20, 1), "peak_fds": watch.peak_fds}
    print(f"{name:<22} {elapsed:5.1f} s  legit scrapes {len(samples):3d}, slowest {slowest * 1000:6.1f} ms; "
          f"RSS {rss / 2**20:5.1f} MB (peak {peak / 2**20:5.1f}); fds peak {watch.peak_fds} at {watch.peak_at} s  {detail}", flush=True)
    if len(samples) < 5:
        fail(f"{name}: only {len(samples)} legit scrapes")
    if bad:
        fail(f"{name}: legit scrapes failed: {bad[:3]}")
    if not slowest < limit:
        slow = [(round(s[1] * 1000, 1), s[2]) for s in samples if not s[1] < limit]
        fail(f"{name}: {len(slow)} legit scrapes over {limit * 1000:.0f} ms, as (ms, at second): {slow[:5]}")
    # The limit, plus evicted connections not closed yet (at most 64), plus the
    # exporter's own descriptors at rest, plus one just accepted per event loop
    # and a probe's socket.
    allowed = MAX_CONNECTIONS + 64 + figures["base_fds"] + 4
    if watch.peak_fds > allowed:
        fail(f"{name}: {watch.peak_fds} descriptors open, over {allowed} (--web.max-connections + 64 + {figures['base_fds']} + 4)")
    if exporter.proc.poll() is not None:
        fail(f"{name}: the exporter exited ({exporter.proc.returncode})")


def connect(port):
    s = socket.socket()
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def read_status(s):
    """The status of the response on s, or None if the server closed first."""
    data = b""
    while b"\r\n" not in data:
        try:
            chunk = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            return None
        if not chunk:
            return None
        data += chunk
    return int(data.split(b" ", 2)[1])


def slowloris(port, seconds=14, total=2000, max_connects=8000):
    """`total` connections, each sending one byte of a request head every 2 s;
    a dropped one reconnects (at most `max_connects` connects in all)."""
    head = b"GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Pad: " + b"a" * 64
    conns = []
    connects = dropped = 0
    deadline = time.monotonic() + seconds
    while len(conns) < total and connects < max_connects:
        try:
            conns.append([connect(port), 0])
            connects += 1
        except OSError:
            time.sleep(0.01)
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        # A slice of the connections per 100 ms: each gets a byte every 2 s.
        for entry in conns[rounds % 20::20]:
            sock, sent = entry
            try:
                sock.send(head[sent % len(head):sent % len(head) + 1])
                entry[1] += 1
            except OSError:
                sock.close()
                dropped += 1
                if connects < max_connects:
                    try:
                        entry[0], entry[1] = connect(port), 0
                        connects += 1
                    except OSError:
                        pass
        time.sleep(0.1)
    for sock, _ in conns:
        sock.close()
    figures["slowloris_connects"] = connects
    figures["slowloris_dropped"] = dropped
    if dropped < total - MAX_CONNECTIONS:
        fail(f"slowloris: only {dropped} connections were dropped; {total} cannot all be held under a cap of {MAX_CONNECTIONS}")
    return f"({connects} connects, {dropped} dropped by the server)"


def hammer(port, payload, seconds=3, most=20000):
    """A new connection at a time, each sending payload() and reading the status
    of the answer, for `seconds` (at most `most` connections). Returns the
    statuses (None: closed without one) and the longest wait for an answer."""
    statuses, longest = [], 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(statuses) < most:
        s = connect(port)
        try:
            s.sendall(payload())
        except OSError:
            pass  # the server answered and closed before taking it all
        started = time.monotonic()
        statuses.append(read_status(s))
        longest = max(longest, time.monotonic() - started)
        s.close()
    return statuses, longest


def summary(statuses):
    return f"({len(statuses)} connections; statuses {sorted(set(statuses), key=str)})"


def big_heads(port):
    head = b"GET /metrics HTTP/1.1\r\nHost: big\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n"
    statuses, _ = hammer(port, lambda: head)
    if any(st not in (431, None) for st in statuses) or 431 not in statuses:
        fail(f"1 MB heads: statuses {statuses}")
    return summary(statuses)


def random_bytes(port):
    rng = random.Random(9)
    statuses, _ = hammer(port, lambda: rng.randbytes(rng.choice([16, 4096, 65536])) + b"\r\n\r\n")
    if any(st is not None and st < 400 for st in statuses):
        fail(f"random bytes: a success status {statuses}")
    return summary(statuses)


def content_length_without_body(port):
    request = b"GET /metrics HTTP/1.1\r\nHost: cl\r\nContent-Length: 99999999\r\n\r\n"
    statuses, longest = hammer(port, lambda: request)
    if set(statuses) != {413}:
        fail(f"Content-Length without body: statuses {set(statuses)}")
    if longest > 1:
        fail(f"Content-Length without body: an answer took {longest:.2f} s (waiting for the body?)")
    return summary(statuses)


def ten_thousand_per_second(port, seconds=6):
    """wrk: 25 connections, each sending 5 pipelined requests, then waiting for
    the answers and 10 ms more (wrk's timers add about 1 ms): at most
    25 x 5 / 10 ms = 12,500 requests per second; at least 10,000 are required."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(
        'init = function(args)\n'
        '  local r = {}\n'
        '  for i = 1, 5 do r[i] = wrk.format("GET", "/metrics", {["Accept-Encoding"] = "gzip"}) end\n'
        '  req = table.concat(r)\n'
        'end\n'
        'request = function() return req end\n'
        'delay = function() return 10 end\n')
    script.close()
    out = subprocess.run(["wrk", "-t", "2", "-c", "25", "-d", f"{seconds}s", "-s", script.name,
                          f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True, timeout=seconds + 30)
    os.unlink(script.name)
    rate = float(out.stdout.split("Requests/sec:")[1].split()[0]) if "Requests/sec:" in out.stdout else 0.0
    errors = out.stdout.split("Non-2xx or 3xx responses:")[1].split()[0] if "Non-2xx" in out.stdout else "0"
    figures["wrk_requests_per_second"] = rate
    # wrk counts every response, pipelined or not.
    if rate < 10_000:
        fail(f"10k req/s: wrk reached {rate:.0f} requests per second:\n{out.stdout}{out.stderr}")
    if errors != "0" or "Socket errors" in out.stdout:
        fail(f"10k req/s: errors:\n{out.stdout}")
    return f"(wrk: {rate:,.0f} responses/s)"


def all_busy(config):
    """--web.max-connections=8, each connection waiting on a hanging probe: a
    ninth connection is closed at once; the eight get their answers."""
    exporter = Exporter(config, "--web.max-connections=8")
    busy = []
    for _ in range(8):
        s = connect(exporter.port)
        s.sendall(b"GET /probe?provider=hanging HTTP/1.1\r\nHost: busy\r\n\r\n")
        busy.append(s)
    time.sleep(0.5)
    ninth = connect(exporter.port)
    ninth.settimeout(2)
    started = time.monotonic()
    ninth.sendall(b"GET /metrics HTTP/1.1\r\nHost: ninth\r\n\r\n")
    closed = read_status(ninth) is None
    waited = time.monotonic() - started
    answered = [read_status(s) for s in busy]
    exporter.stop()
    figures["all_busy_new_connection_closed_after_ms"] = round(waited * 1000, 1)
    if not closed or waited > 0.5:
        fail(f"all busy: the ninth connection was not closed at once (closed={closed}, {waited:.2f} s)")
    if answered != [200] * 8:
        fail(f"all busy: the busy connections got {answered}")
    print(f"{'all connections busy':<22} the new connection closed after {waited * 1000:.1f} ms; busy ones answered {answered}")


class Certificates:
    """A CA, the server's certificate (localhost) and a client's, made by openssl."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="abuse-tls-")
        script = """
        set -e
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
        leaf() {
          key "$1"
          openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
          printf 'subjectAltName=%s\\nextendedKeyUsage=%s\\n' "$2" "$3" > "$1.ext"
          openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
        }
        key ca
        openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=abuse-test-ca 2>/dev/null
        leaf server 'DNS:localhost,IP:127.0.0.1' serverAuth
        leaf client 'DNS:scraper.example' clientAuth
        """
        subprocess.run(["sh", "-c", script], cwd=self.dir, check=True, timeout=60)

    def path(self, name):
        return os.path.join(self.dir, name)

    def context(self, with_certificate=True):
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        if with_certificate:
            ctx.load_cert_chain(self.path("client.pem"), self.path("client.key"))
        return ctx


CLIENT_HELLO = open(os.path.join(HERE, "..", "ProviderExporterTests", "Fixtures", "tls", "curl-client-hello.bin"), "rb").read()


def stalled_handshakes(port, seconds=14, total=2000, max_connects=8000):
    """`total` connections that start a handshake and stall: a third silent, a
    third with half a record header, a third with a whole ClientHello and no
    more. Dropped ones reconnect (at most `max_connects`)."""
    openings = [b"", b"\x16\x03\x01\x02", CLIENT_HELLO]
    conns = []
    connects = 0

    def open_one(i):
        s = connect(port)
        if openings[i % 3]:
            s.sendall(openings[i % 3])
        s.setblocking(False)
        return s

    while len(conns) < total and connects < max_connects:
        try:
            conns.append(open_one(connects))
            connects += 1
        except OSError:
            time.sleep(0.01)
    dropped = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for i, sock in enumerate(conns):
            if sock is None:
                continue
            try:
                if sock.recv(65536) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                continue
            except OSError:
                sock.close()
                conns[i] = None
                dropped += 1
                if connects < max_connects:
                    try:
                        conns[i] = open_one(connects)
                        connects += 1
                    except OSError:
                        pass
        time.sleep(0.1)
    for sock in conns:
        if sock is not None:
            sock.close()
    figures["tls_stalled_connects"] = connects
    figures["tls_stalled_dropped"] = dropped
    if dropped < total - MAX_CONNECTIONS:
        fail(f"stalled handshakes: only {dropped} were dropped; {total} cannot all be held under a cap of {MAX_CONNECTIONS}")
    return f"({connects} connects, {dropped} dropped by the server)"


def handshake_flood(port, certs, seconds=4, threads=8):
    """`threads` clients doing full handshakes (with the client certificate) and
    one request each, back to back."""
    ctx = certs.context()
    counts = [0] * threads
    errors = []
    deadline = time.monotonic() + seconds

    def run(k):
        while time.monotonic() < deadline:
            try:
                with ctx.wrap_socket(connect(port), server_hostname="localhost") as s:
                    s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: flood\r\nConnection: close\r\n\r\n")
                    if read_status(s) != 200:
                        errors.append("not 200")
                counts[k] += 1
            except OSError as error:
                errors.append(str(error))

    workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 30)
    rate = sum(counts) / seconds
    figures["tls_handshakes_per_second"] = round(rate)
    if errors:
        fail(f"handshake flood: {len(errors)} failed, e.g. {errors[:3]}")
    if sum(counts) < 100:
        fail(f"handshake flood: only {sum(counts)} handshakes in {seconds} s")
    return f"({sum(counts)} handshakes, {rate:,.0f}/s)"


def garbage_hellos(port):
    """Random bytes instead of a ClientHello, some dressed as a TLS record:
    closed, never answered."""
    rng = random.Random(11)

    def payload():
        if rng.random() < 0.5:
            # A whole record holding a whole "ClientHello" of random bytes:
            # OpenSSL reads it all and refuses it. (A record or message that
            # says more is coming is a slow client, held until the head timeout:
            # the stalled phase.)
            hello = rng.randbytes(rng.choice([4, 300, 4096, 16000]))
            message = b"\x01" + len(hello).to_bytes(3, "big") + hello
            return b"\x16\x03\x01" + len(message).to_bytes(2, "big") + message
        body = rng.randbytes(rng.choice([5, 300, 4096, 65536]))
        return (b"\x00" + body[1:]) if body[0] == 0x16 else body

    statuses, longest = hammer(port, payload)
    figures["tls_garbage_longest_ms"] = round(longest * 1000, 1)
    if longest > 1:
        fail(f"garbage hellos: one was held {longest:.2f} s before it was closed")
    # A body starting with a capital letter looks like plain HTTP and gets the 400 that says to use https.
    if any(st not in (None, 400) for st in statuses):
        fail(f"garbage hellos: answered {sorted(set(statuses), key=str)}")
    return summary(statuses) + f", longest wait {longest * 1000:.0f} ms"


def no_client_certificate(port, certs, seconds=3):
    """Clients that complete their side of the handshake without the
    certificate the server requires: refused at once, never answered."""
    ctx = certs.context(with_certificate=False)
    refused = answered = 0
    longest = 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with ctx.wrap_socket(connect(port), server_hostname="localhost") as s:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: nocert\r\n\r\n")
                if read_status(s) is None:
                    refused += 1
                else:
                    answered += 1
        except (ssl.SSLError, OSError):
            refused += 1
        longest = max(longest, time.monotonic() - started)
    figures["tls_no_client_cert_refused"] = refused
    if answered:
        fail(f"no client certificate: {answered} requests answered")
    if longest > 1:
        fail(f"no client certificate: a refusal took {longest:.2f} s")
    return f"({refused} refused, longest {longest * 1000:.0f} ms)"


def tls_phases(config):
    certs = Certificates()
    web = certs.path("web.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
                "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n")
    exporter = Exporter(config, f"--web.config.file={web}")
    time.sleep(0.5)
    base_rss, _ = exporter.memory()
    figures["tls_base_rss_mb"] = round(base_rss / 2**20, 1)
    print(f"TLS exporter pid {exporter.proc.pid}, RSS at start {base_rss / 2**20:.1f} MB; "
          f"bound {(base_rss + TLS_CONNECTION_BOUND) / 2**20:.0f} MB (start + {MAX_CONNECTIONS} x 144 KiB)", flush=True)
    phase("TLS stalled 2,000", exporter, limit=TLS_LEGIT_LIMIT, tls=certs, body=lambda: stalled_handshakes(exporter.port))
    phase("TLS handshake flood", exporter, limit=TLS_LEGIT_LIMIT, tls=certs, body=lambda: handshake_flood(exporter.port, certs))
    phase("TLS garbage hellos", exporter, limit=TLS_LEGIT_LIMIT, tls=certs, body=lambda: garbage_hellos(exporter.port))
    phase("TLS no client cert", exporter, limit=TLS_LEGIT_LIMIT, tls=certs, body=lambda: no_client_certificate(exporter.port, certs))
    _, peak = exporter.memory()
    figures["tls_peak_rss_mb"] = round(peak / 2**20, 1)
    if peak > base_rss + TLS_CONNECTION_BOUND:
        fail(f"TLS memory: peak RSS {peak / 2**20:.1f} MB over the bound {(base_rss + TLS_CONNECTION_BOUND) / 2**20:.1f} MB")
    code, log = exporter.stop()
    if code != 0:
        fail(f"the TLS exporter exited {code} on SIGTERM")
    for word in ("Fatal error", "panic", "Segmentation"):
        if word in log:
            fail(f"the TLS exporter's log has '{word}'")
    shutil.rmtree(certs.dir, ignore_errors=True)


def main():
    raise_fd_limit()
    hanging = HangingProvider()
    config = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False)
    config.write("global: {interval: 1m, timeout: 2s}\nproviders:\n"
                 f"  - {{name: hanging, preset: openai_compatible, base_url: 'http://127.0.0.1:{hanging.port}/v1'}}\n")
    config.close()
    exporter = Exporter(config.name)
    time.sleep(0.5)
    base_rss, _ = exporter.memory()
    figures["base_rss_mb"] = round(base_rss / 2**20, 1)
    figures["base_fds"] = exporter.fds()
    print(f"exporter pid {exporter.proc.pid}, RSS at start {base_rss / 2**20:.1f} MB; "
          f"bound {(base_rss + CONNECTION_BOUND) / 2**20:.0f} MB (start + {MAX_CONNECTIONS} x 80 KiB)", flush=True)
    phase("slowloris 2,000", exporter, lambda: slowloris(exporter.port))
    phase("1 MB heads", exporter, lambda: big_heads(exporter.port))
    phase("random bytes", exporter, lambda: random_bytes(exporter.port))
    phase("Content-Length, no body", exporter, lambda: content_length_without_body(exporter.port))
    phase("10,000 req/s", exporter, lambda: ten_thousand_per_second(exporter.port))
    _, peak = exporter.memory()
    figures["peak_rss_mb"] = round(peak / 2**20, 1)
    if peak > base_rss + CONNECTION_BOUND:
        fail(f"memory: peak RSS {peak / 2**20:.1f} MB over the bound {(base_rss + CONNECTION_BOUND) / 2**20:.1f} MB")
    code, log = exporter.stop()
    if code != 0:
        fail(f"the exporter exited {code} on SIGTERM")
    for word in ("Fatal error", "panic", "Segmentation"):
        if word in log:
            fail(f"the exporter's log has '{word}'")
    all_busy(config.name)
    tls_phases(config.name)
    os.unlink(config.name)
    print(json.dumps(figures))
    print(f"abuse: {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
