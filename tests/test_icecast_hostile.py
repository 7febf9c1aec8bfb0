"""IceCastClient against hostile servers (issue 13): servers that drip their headers or their
audio one byte at a time, lie in icy-metaint, send endless headers or redirect bodies, or redirect
to ftp://, file:// and data: URLs.  Every server here is a small threaded socket server on
127.0.0.1 (no Icecast needed); each test bounds its own time, so a regression fails instead of
hanging.  The normal ICY framing and 1.71's subclassing internals are checked here too, so that
the hardening cannot break them.
"""

import base64
import json
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest

import miniaudio
from miniaudio import FileFormat, IceCastClient, IceCastError

THREAD_NAME = "miniaudio-icecast"
PATTERN = bytes((i * 7 + 3) % 256 for i in range(1 << 20))  # the "audio" the servers send


# ---------------------------------------------------------------------------------------------
# a raw socket server: handler(conn, server) runs on its own thread for each connection
# ---------------------------------------------------------------------------------------------


class Server:
    def __init__(self, handler, tls=None):
        self.handler = handler
        self.tls = tls
        self.stop = threading.Event()
        self.closed = threading.Event()  # set when a handler sees the client go away
        self.accepted = 0
        self.requests = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)
        self.thread.start()

    def url(self, path="/stream"):
        return "%s://127.0.0.1:%d%s" % ("https" if self.tls else "http", self.port, path)

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._run, args=(conn,), name="hostile-conn", daemon=True).start()

    def _run(self, conn):
        try:
            conn.settimeout(10)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            self.requests.append(request)
            self.handler(conn, self)
        except OSError:
            self.closed.set()
        finally:
            conn.close()

    # helpers for handlers: each returns False once the client is gone or the test is over
    def send(self, conn, data):
        if self.stop.is_set():
            return False
        try:
            conn.sendall(data)
            return True
        except OSError:
            self.closed.set()
            return False

    def drip(self, conn, data, interval):
        for b in data:
            if not self.send(conn, bytes([b])) or self.stop.wait(interval):
                return False
        return True

    def close(self):
        self.stop.set()
        self.listener.close()
        self.thread.join(2)


@pytest.fixture
def servers():
    made = []

    def make(handler, tls=None):
        made.append(Server(handler, tls))
        return made[-1]

    yield make
    for s in made:
        s.close()


def downloader_threads():
    return {t for t in threading.enumerate() if t.name == THREAD_NAME and t.is_alive()}


@pytest.fixture
def no_leak():
    before = downloader_threads()
    yield
    deadline = time.monotonic() + 2.0
    while downloader_threads() - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not (downloader_threads() - before), "a %s thread is still running" % THREAD_NAME


def timed(fn, limit):
    """Run fn() on a thread; fail if it is still running after `limit` s.  Returns (value, exc, s)."""
    box = {}

    def run():
        t0 = time.monotonic()
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: B902 (reported to the test)
            box["exc"] = exc
        box["elapsed"] = time.monotonic() - t0

    t = threading.Thread(target=run, name="test-timed", daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), "still blocked after %.1f s" % limit
    return box.get("value"), box.get("exc"), box["elapsed"]


def headers(*lines, metaint=None, ctype="audio/mpeg"):
    out = [b"HTTP/1.0 200 OK", b"Content-Type: " + ctype.encode(), b"icy-name: Hostile"]
    if metaint is not None:
        out.append(b"icy-metaint: " + (metaint if isinstance(metaint, bytes) else str(metaint).encode()))
    return b"\r\n".join(out + list(lines)) + b"\r\n\r\n"


def icy_body(audio, metaint, titles=None):
    """audio with a metadata block after every `metaint` bytes (titles: {block index: text})."""
    titles = titles or {}
    out = bytearray()
    for k, i in enumerate(range(0, len(audio), metaint)):
        block = audio[i:i + metaint]
        out += block
        if len(block) < metaint:
            break
        text = titles.get(k, "")
        text = text.encode("utf-8") if isinstance(text, str) else text
        n = (len(text) + 15) // 16
        out += bytes([n]) + text + bytes(16 * n - len(text))
    return bytes(out)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    return server_ctx, ssl.create_default_context(cafile=cert)


# ---------------------------------------------------------------------------------------------
# timeout bounds the whole open, not each socket read
# ---------------------------------------------------------------------------------------------

DRIP = 0.2          # seconds between two bytes
RESPONSE = headers(b"icy-genre: " + b"x" * 150)  # ~230 bytes: ~46 s at one byte per DRIP


@pytest.mark.parametrize("where", ["status-line", "headers", "after-redirect", "https"])
def test_open_is_bounded_by_timeout_when_the_server_drips(servers, no_leak, where, request):
    """The server sends its response one byte every 0.2 s (~46 s in all): with timeout=1 the
    constructor raises IceCastError (naming the URL and the timeout) after ~1 s, whatever phase
    the drip is in, and the connection is closed.  Before: it waited for the whole drip."""
    tls = client_ctx = None
    if where == "https":
        tls, client_ctx = request.getfixturevalue("certificate")

    def dripper(conn, server):
        if where == "headers":  # the status line and the first header at once, the rest drips
            if not server.send(conn, RESPONSE[:40]):
                return
            server.drip(conn, RESPONSE[40:], DRIP)
        else:
            server.drip(conn, RESPONSE, DRIP)

    target = servers(dripper, tls)
    url = target.url()
    if where == "after-redirect":  # the redirect itself is quick; the time it took counts too
        def redirect(conn, server):
            time.sleep(0.3)
            server.send(conn, b"HTTP/1.0 302 Found\r\nLocation: %s\r\n\r\n" % target.url().encode())
        url = servers(redirect).url("/start")
    _, exc, elapsed = timed(lambda: IceCastClient(url, ssl_context=client_ctx, timeout=1.0), 8.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert 0.9 <= elapsed < 2.5, "the constructor took %.2f s with timeout=1 (the drip lasts ~46 s)" % elapsed
    assert url in str(exc) and "timeout" in str(exc), str(exc)
    assert exc.__cause__ is not None
    assert target.closed.wait(2.0), "the client did not close the dripping connection"


def test_open_with_timeout_2(servers, no_leak):
    """The bound follows `timeout`: 2 s here, measured from the constructor's call."""
    s = servers(lambda conn, server: server.drip(conn, RESPONSE, DRIP))
    _, exc, elapsed = timed(lambda: IceCastClient(s.url(), timeout=2.0), 8.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert 1.9 <= elapsed < 3.5, "took %.2f s with timeout=2" % elapsed


def test_headers_larger_than_64k_are_refused(servers, no_leak):
    """80 header lines of 1000 bytes (each within http.client's per-line limit, 100 lines allowed):
    IceCastError about the header size, before any audio.  Before: accepted (up to 6.5 MB)."""
    big = [b"x-filler-%d: %s" % (i, b"y" * 1000) for i in range(80)]
    s = servers(lambda conn, server: server.send(conn, headers(*big) + PATTERN[:4096]))
    _, exc, elapsed = timed(lambda: IceCastClient(s.url(), timeout=5.0), 8.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert "headers" in str(exc) and "65536" in str(exc), str(exc)
    assert elapsed < 2.0


def test_modest_headers_still_open(servers, no_leak):
    """30 KB of headers (within the bound) open normally."""
    lines = [b"x-filler-%d: %s" % (i, b"y" * 1000) for i in range(30)]
    s = servers(lambda conn, server: server.send(conn, headers(*lines) + PATTERN[:5000]))
    with IceCastClient(s.url(), timeout=5.0) as client:
        assert client.station_name == "Hostile"
        assert client.read(5000) == PATTERN[:5000]


@pytest.mark.parametrize("metaint", [0, 100])
def test_read_returns_what_trickled_in_after_timeout(servers, no_leak, metaint):
    """Quick headers, then the body one byte every 0.05 s (ICY metadata dripping too with metaint
    100): read(4096) with timeout=1 returns the audio that arrived (a short read, the exact bytes)
    after ~1 s, and the next read goes on from there; a read blocked on the drip returns b"" as
    soon as another thread calls close().  Before: read(4096) waited for 4096 bytes (~4 minutes)."""
    audio = PATTERN[:20000]
    body = icy_body(audio, metaint, {0: "StreamTitle='drip';"}) if metaint else audio

    def handler(conn, server):
        if server.send(conn, headers(metaint=metaint or None)):
            server.drip(conn, body, 0.05)

    s = servers(handler)
    client = IceCastClient(s.url(), timeout=1.0)
    try:
        got = b""
        for _ in range(2):
            chunk, exc, elapsed = timed(lambda: client.read(4096), 5.0)
            assert exc is None, repr(exc)
            assert 0.9 <= elapsed < 2.5, "read(4096) took %.2f s with timeout=1" % elapsed
            assert 0 < len(chunk) < 4096, len(chunk)
            got += chunk
            assert got == audio[:len(got)], "the trickled audio differs from what was sent"
        # close() interrupts a read that waits on the drip (timeout=1 keeps it short anyway:
        # with nothing buffered it is blocked in the wait that only data or close ends)
        box = {}
        t = threading.Thread(target=lambda: box.setdefault("r", client.read(65536)), name="test-reader")
        t.start()
        time.sleep(0.1)
        t0 = time.monotonic()
        client.close()
        t.join(2.0)
        assert not t.is_alive(), "read() still blocked 2 s after close()"
        assert time.monotonic() - t0 < 1.5
        assert box["r"] == b"" or box["r"] == audio[len(got):len(got) + len(box["r"])]
    finally:
        client.close()
    assert client.read(10) == b""


# ---------------------------------------------------------------------------------------------
# icy-metaint: validated, and any valid value read in bounded pieces
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [b"-1", b"abc", b"", b"1e3", b"0x10", b"+5", b"12 34", b"8192.0", b"\xb2",
                                   b"2147483648", b"99999999999999999999999"])
def test_invalid_metaint_is_refused(servers, no_leak, value):
    """icy-metaint that is not a whole number from 0 to 2**31-1: IceCastError naming the header
    and its value, and the connection is closed.  Before: -1 read the endless body into memory,
    garbage was taken as 0 (the metadata blocks would have played as audio)."""
    def handler(conn, server):
        if server.send(conn, headers(metaint=value)):
            while server.send(conn, PATTERN[:16384]):
                time.sleep(0.01)

    s = servers(handler)
    _, exc, elapsed = timed(lambda: IceCastClient(s.url(), timeout=5.0), 8.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert "icy-metaint" in str(exc) and repr(value.decode("latin-1")) in str(exc), str(exc)
    assert "2147483647" in str(exc) and s.url() in str(exc)
    assert elapsed < 2.0
    assert s.closed.wait(3.0), "the connection was not closed"


def test_metaint_zero_means_no_metadata(servers, no_leak):
    s = servers(lambda conn, server: server.send(conn, headers(metaint=0) + PATTERN[:3000]))
    with IceCastClient(s.url()) as client:
        got, exc, _ = timed(lambda: _read_to_end(client), 5.0)
        assert exc is None and got == PATTERN[:3000]


MEMORY_SCRIPT = r"""
import json, os, sys, threading
import miniaudio

def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))

url, limit, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
cycle = bytes(range(251)) * 300
state = {"got": 0, "ok": True, "error": None, "done": False}

def reader():
    try:
        client = miniaudio.IceCastClient(url, timeout=5)
        while state["got"] < limit:
            chunk = client.read(65536)
            if not chunk:
                break
            off = state["got"] % 251
            if chunk != cycle[off:off + len(chunk)]:
                state["ok"] = False
                break
            state["got"] += len(chunk)
        client.close()
    except BaseException as exc:
        state["error"] = repr(exc)
    state["done"] = True

base = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")          # VmHWM := VmRSS, so the peak below is this run's
t = threading.Thread(target=reader, daemon=True)
t.start()
t.join(seconds)
state["growth_kb"] = status("VmHWM:") - base
print(json.dumps(state), flush=True)
os._exit(0)
"""


def test_huge_metaint_memory_stays_bounded(servers, no_leak):
    """icy-metaint 1000000000 and a server sending as fast as it can: the client (in a child
    process, so that its peak RSS can be measured alone) reads 64 MB of exact audio while its
    peak RSS grows by less than 16 MB.  Before: the downloader asked for 10**9 bytes in one read
    and nothing reached read() until they had all arrived (RSS grew with every byte sent)."""
    block = bytes(range(251)) * 1044  # 262,044 bytes: consecutive blocks continue the cycle

    def handler(conn, server):
        if server.send(conn, headers(metaint=1000000000)):
            sent = 0
            while sent < 900 << 20 and server.send(conn, block):
                sent += len(block)

    s = servers(handler)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(miniaudio.__file__))] +
                                        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    r = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, s.url(), str(64 << 20), "6"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    state = json.loads(r.stdout)
    assert state["error"] is None and state["ok"], state
    assert state["got"] == 64 << 20, "only %d bytes arrived in 6 s (%s)" % (state["got"], state)
    assert state["growth_kb"] < 16 * 1024, "peak RSS grew by %d KB" % state["growth_kb"]


# ---------------------------------------------------------------------------------------------
# redirects and URLs: http and https only
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def ftp_port():
    """A listening socket standing in for an FTP server; it records whether anyone connected."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.3)
    yield sock
    sock.close()


def contacted(sock):
    try:
        conn, _ = sock.accept()
    except socket.timeout:
        return False
    conn.close()
    return True


def redirecting_to(location):
    return lambda conn, server: server.send(conn, b"HTTP/1.0 302 Found\r\nLocation: " + location.encode() +
                                            b"\r\nContent-Length: 0\r\n\r\n")


@pytest.mark.parametrize("kind", ["ftp", "file", "data", "gopher"])
def test_redirect_to_other_schemes_is_refused(servers, ftp_port, no_leak, kind):
    """A redirect to ftp://, file://, data: (or anything but http and https): IceCastError naming
    the scheme and the target; the FTP port is never contacted.  Before: urllib followed ftp://
    (the client opened an FTP connection to the host the server named) and the file: and data:
    refusals came as "the server answered 302"."""
    target = {"ftp": "ftp://127.0.0.1:%d/secret.mp3" % ftp_port.getsockname()[1],
              "file": "file:///etc/passwd",
              "data": "data:audio/mpeg;base64," + base64.b64encode(PATTERN[:300]).decode(),
              "gopher": "gopher://127.0.0.1:%d/1" % ftp_port.getsockname()[1]}[kind]
    s = servers(redirecting_to(target))
    _, exc, _ = timed(lambda: IceCastClient(s.url(), timeout=2.0), 6.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert "scheme %r" % kind in str(exc) and "redirect" in str(exc) and s.url() in str(exc), str(exc)
    assert "only http and https" in str(exc)
    assert not contacted(ftp_port), "the client connected to the port an ftp:// redirect named"


@pytest.mark.parametrize("kind", ["ftp", "file", "data", "FTP"])
def test_urls_other_than_http_and_https_are_refused(ftp_port, no_leak, kind, tmp_path):
    """The URL given: only http:// and https://.  Before: ftp:// connected, file:// read the file."""
    mp3 = tmp_path / "x.mp3"
    mp3.write_bytes(PATTERN[:1000])
    url = {"ftp": "ftp://127.0.0.1:%d/x.mp3" % ftp_port.getsockname()[1], "file": mp3.as_uri(),
           "data": "data:audio/mpeg;base64,AAAA", "FTP": "FTP://127.0.0.1:%d/x.mp3" % ftp_port.getsockname()[1]}[kind]
    _, exc, elapsed = timed(lambda: IceCastClient(url, timeout=2.0), 6.0)
    assert isinstance(exc, IceCastError), repr(exc)
    assert "scheme %r" % kind.lower() in str(exc) and url in str(exc) and "only http and https" in str(exc), str(exc)
    assert elapsed < 0.5
    assert not contacted(ftp_port)


def test_redirect_body_is_not_read(servers, no_leak):
    """A 302 whose body never ends (sent as fast as possible): the client follows the redirect at
    once.  Before: urllib read the whole redirect body first (endless: a hang and unbounded memory)."""
    good = servers(lambda conn, server: server.send(conn, headers() + PATTERN[:5000]))

    def endless(conn, server):
        if server.send(conn, b"HTTP/1.0 302 Found\r\nLocation: " + good.url().encode() + b"\r\n\r\n"):
            while server.send(conn, PATTERN[:65536]):
                pass

    s = servers(endless)
    client, exc, elapsed = timed(lambda: IceCastClient(s.url(), timeout=3.0), 8.0)
    assert exc is None, repr(exc)
    try:
        assert elapsed < 2.0
        assert client.read(5000) == PATTERN[:5000]
    finally:
        client.close()
    assert s.closed.wait(2.0), "the redirect's connection was not closed"


def test_redirects_within_http_still_work(servers, no_leak):
    """Scheme-relative and path-relative redirects stay on http and are followed."""
    good = servers(lambda conn, server: server.send(conn, headers() + PATTERN[:3000]))
    hop2 = servers(redirecting_to("//127.0.0.1:%d/stream" % good.port))
    hop1 = servers(redirecting_to(hop2.url("/next")))
    with IceCastClient(hop1.url(), timeout=3.0) as client:
        got, exc, _ = timed(lambda: _read_to_end(client), 5.0)
        assert exc is None and got == PATTERN[:3000]


# ---------------------------------------------------------------------------------------------
# what must not change: exact ICY framing, and 1.71's internals for subclasses
# ---------------------------------------------------------------------------------------------


def _read_to_end(client, n=3000):
    out = bytearray()
    while True:
        chunk = client.read(n)
        if not chunk:
            return bytes(out)
        out += chunk


def icy_station(metaint=8192, blocks=40):
    """(audio, body, expected titles): titles at some blocks, one of them the largest block there
    is (255 * 16 bytes), the text split across network writes."""
    audio = PATTERN[:metaint * blocks + 1234]
    long_title = "Long " + "é" * 1900 + "!"  # 3806 bytes of UTF-8: a 238-block, with the padding
    titles = {0: "StreamTitle='First';", 5: "StreamTitle='Second &amp; more';StreamUrl='x';",
              9: ("StreamTitle='%s';" % long_title).encode()[:255 * 16], 20: "StreamTitle='Last';"}
    expected = ["First", "Second & more", long_title, "Last"]
    return audio, icy_body(audio, metaint, titles), expected


def random_writes(server, conn, body, seed):
    rng = random.Random(seed)
    i = 0
    while i < len(body):
        n = rng.choice([1, 7, 100, 1500, 4096, 9000, 20000])
        if not server.send(conn, body[i:i + n]):
            return
        i += n
        if rng.random() < 0.05:
            time.sleep(0.002)


def test_metaint_8192_stream_exact(servers, no_leak):
    """metaint 8192 (40 blocks), written in random pieces so that block and metadata boundaries
    fall inside network reads: the audio comes out byte for byte, the titles in order."""
    audio, body, expected = icy_station()
    s = servers(lambda conn, server: server.send(conn, headers(metaint=8192)) and random_writes(server, conn, body, 1))
    titles = []
    with IceCastClient(s.url(), lambda c, t: titles.append(t), timeout=5.0) as client:
        got, exc, _ = timed(lambda: _read_to_end(client, 5000), 10.0)
        assert exc is None, repr(exc)
        assert got == audio, "audio differs (first difference at %s)" % (
            next((i for i, (a, b) in enumerate(zip(got, audio)) if a != b), min(len(got), len(audio))),)
        assert titles == expected
        assert client.stream_title == "Last"


def test_171_style_subclass_read(servers, no_leak):
    """A subclass whose read() is 1.71's own (polls len(self._buffer), takes bytes from the front
    under self._buffer_lock, stops on self._stop_stream) gets the exact audio of a metaint 8192
    stream larger than the buffer (so the downloader must notice a reader that does not notify).
    Before: AttributeError (_buffer_lock had gone)."""

    class Legacy(IceCastClient):
        def read(self, num_bytes):
            while len(self._buffer) < num_bytes:
                if self._stop_stream:
                    return b""
                time.sleep(0.005)
            with self._buffer_lock:
                chunk = self._buffer[:num_bytes]
                self._buffer = self._buffer[num_bytes:]
                return chunk

    audio, body, expected = icy_station()
    s = servers(lambda conn, server: server.send(conn, headers(metaint=8192)) and random_writes(server, conn, body, 2))
    client = Legacy(s.url(), timeout=5.0)
    try:
        assert isinstance(client._buffer, bytes)
        assert isinstance(client._buffer_lock, type(threading.Lock()))
        assert client._stop_stream is False
        time.sleep(0.3)  # let the downloader fill the buffer and wait
        assert len(client._buffer) <= client.BUFFER_SIZE + client.BLOCK_SIZE

        def run():
            out = bytearray()
            while len(out) < len(audio):
                out += client.read(min(3000, len(audio) - len(out)))
            return bytes(out)

        got, exc, _ = timed(run, 10.0)
        assert exc is None, repr(exc)
        assert got == audio
        assert client.stream_title == "Last"
    finally:
        client.close()
    assert client._stop_stream is True
    assert client.read(10) == b""


def test_stream_any_over_a_slow_mp3_station(servers, no_leak):
    """Short reads reach the decoder: stream_any over an MP3 station that sends 8000 bytes every
    0.2 s (timeout 0.5 s, so the decoder's read(65536) returns short) decodes exactly the frames
    that decode() gives for the same bytes."""
    mp3_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples", "tone.mp3")
    if not os.path.exists(mp3_path):
        pytest.skip("samples/tone.mp3 missing")
    with open(mp3_path, "rb") as f:
        mp3 = f.read()
    mp3 = mp3[:40000]

    def handler(conn, server):
        if not server.send(conn, headers()):
            return
        for i in range(0, len(mp3), 8000):
            if not server.send(conn, mp3[i:i + 8000]) or server.stop.wait(0.2):
                return

    s = servers(handler)
    ref = miniaudio.decode(mp3, nchannels=2, sample_rate=44100)
    with IceCastClient(s.url(), timeout=0.5) as client:
        def run():
            frames = []
            for chunk in miniaudio.stream_any(client, FileFormat.MP3, nchannels=2, sample_rate=44100):
                frames.extend(chunk)
            return frames

        frames, exc, _ = timed(run, 15.0)
        assert exc is None, repr(exc)
        assert list(ref.samples) == frames
