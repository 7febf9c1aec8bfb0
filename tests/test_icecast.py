"""IceCastClient (docs/icecast-api.rst) against a real Icecast 2 server fed by real ffmpeg source
clients (the `icecast_server` fixture, tests/icecast_server.py), plus small Python HTTP servers for
what a real Icecast will not do on demand (redirects, stalls, audio/aac, exact ICY framing).

What the streams are: ffmpeg loops samples/tone.mp3 or samples/tone.ogg (-stream_loop -1 -re, the
packets copied, not re-encoded): stereo 44.1 kHz, left 440 Hz, right 660 Hz, amplitude 0.5.  So

- the MP3 stream's bytes are exactly the 40 audio frames of tone.mp3 in a loop (its Info frame and
  ID3 tag are not sent): every byte the client returns can be checked against the file, and a single
  leaked ICY metadata byte breaks the frame chain;
- the Ogg stream is a chain of Ogg pages with valid CRCs;
- the decoded audio is exactly periodic: one loop is 46080 frames for MP3 (40 frames of 1152 samples,
  the encoder delay and padding included, so each loop point dips for ~40 ms) and ~44864 frames for
  Ogg Vorbis (searched, not assumed).  A lost, repeated or corrupted chunk breaks the period.

Measured with Icecast 2.4.4 / ffmpeg 5.1: an MP3 mount sends `icy-metaint: 16000` (1 s of the 128
kbit/s MP3); the first metadata block is `StreamTitle='';` (so stream_title stays "???", as in
1.71); a title set with /admin/metadata arrives in the listener's next block (~1 s); killing the
source ends the listener's connection at once. The Ogg stream is ~4 KB/s (the Vorbis header claims
112 kbit/s; the pure tone needs ~33), in pages of ~1.8 KB. The session server bursts 64 KB on
connect, so a mount that has been live for ~4.5 s hands a new client 4 s of MP3 at once: the MP3
decoder's first reads are read(10) and read(65536), so on a fresh mount it waits ~4 s for its first
frames; the Vorbis decoder reads 4096 bytes at a time.  A Vorbis stream that loses a chunk makes the
decoder (here and in 1.71) read on without ever producing frames again, so every decode here runs
under a deadline.
"""

import html
import http.server
import os
import select
import shutil
import ssl
import struct
import subprocess
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import FileFormat, IceCastClient, IceCastError, SampleFormat as SF

import icecast_server as ics
import signals

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)
ESTABLISHED_PYTHON = os.path.join(ROOT, "benchmarks", ".venv-established", "bin", "python")

RATE = 44100
FREQS = (440.0, 660.0)
EXPECTED_RMS = 0.5 / np.sqrt(2) * 32767  # 11585
THREAD_NAME = "miniaudio-icecast"
DEADLINE = 10.0  # seconds: anything that should end "at once" must end well within this

MP3_STATION = {"name": "Stéréo Tëst ♪ Radio", "genre": "Tëst & Tones", "description": "440 Hz left, 660 Hz right"}
OGG_STATION = {"name": "Ogg Tone Station", "genre": "Sine"}
OGG_MOUNT = "/tone.ogg"
TITLE_MOUNT = "/title.mp3"
TITLE2_MOUNT = "/title2.mp3"


# ---------------------------------------------------------------------------------------------
# the streams' reference content
# ---------------------------------------------------------------------------------------------

_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0)
_MPEG1_RATES = (44100, 48000, 32000, 0)


def _mp3_frame_len(b, i):
    """Length of the MPEG-1 Layer III frame at b[i:], or None when no valid header is there."""
    if i + 4 > len(b):
        return None
    h = int.from_bytes(b[i:i + 4], "big")
    if (h >> 21) & 0x7FF != 0x7FF or (h >> 19) & 3 != 3 or (h >> 17) & 3 != 1:
        return None
    kbps, rate = _BITRATES[(h >> 12) & 15], _MPEG1_RATES[(h >> 10) & 3]
    if not kbps or not rate:
        return None
    return 144000 * kbps // rate + ((h >> 9) & 1)


def _mp3_frames(b, i):
    """The complete frames chained from b[i:], and the offset after the last one."""
    out = []
    while True:
        n = _mp3_frame_len(b, i)
        if n is None or i + n > len(b):
            return out, i
        out.append(bytes(b[i:i + n]))
        i += n


def _tone_mp3_frames():
    """The audio frames of samples/tone.mp3 (after the ID3v2 tag; without the Xing/Info frame)."""
    with open(os.path.join(ics.SAMPLES_DIR, "tone.mp3"), "rb") as f:
        data = f.read()
    start = 0
    if data[:3] == b"ID3":
        start = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    frames, end = _mp3_frames(data, start)
    assert end == len(data), "tone.mp3: trailing bytes after the last frame"
    if b"Info" in frames[0][:64] or b"Xing" in frames[0][:64]:
        frames = frames[1:]
    return frames


TONE_FRAMES = _tone_mp3_frames()  # 40 frames of 417/418 bytes
with open(os.path.join(ics.SAMPLES_DIR, "tone_16.flac"), "rb") as _f:
    FLAC_BYTES = _f.read()
MP3_PERIOD = len(TONE_FRAMES) * 1152  # 46080 decoded frames per loop


def check_mp3_bytes(raw):
    """`raw` (what IceCastClient.read() returned, from wherever the server's burst began) must be the
    tone.mp3 frames in loop order and nothing else: a partial frame at each end, whole frames in
    between, each one the successor of the previous in the file.  Returns the number of whole frames."""
    raw = bytes(raw)
    assert b"StreamTitle" not in raw, "ICY metadata in the audio"
    n = len(TONE_FRAMES)
    for lead in range(0, min(len(raw), 1500)):
        frames, end = _mp3_frames(raw, lead)
        if len(frames) >= 3 and frames[0] in TONE_FRAMES:
            break
    else:
        raise AssertionError("no MP3 frame chain in the first 1500 of %d bytes" % len(raw))
    # the bytes before the first whole frame: the end of a tone.mp3 frame
    assert any(f.endswith(raw[:lead]) for f in TONE_FRAMES), "garbage before the first frame"
    starts = [i for i, f in enumerate(TONE_FRAMES) if f == frames[0]]
    ok = False
    for k in starts:
        if all(frames[j] == TONE_FRAMES[(k + j) % n] for j in range(len(frames))):
            ok = True
            break
    if not ok:
        for j in range(1, len(frames)):
            if frames[j] not in TONE_FRAMES:
                raise AssertionError("frame %d (byte %d) is not a tone.mp3 frame"
                                     % (j, lead + sum(map(len, frames[:j]))))
        raise AssertionError("frames out of order (a frame lost or repeated)")
    tail = raw[end:]
    following = TONE_FRAMES[(k + len(frames)) % n]
    assert following.startswith(tail), \
        "the %d bytes after the last whole frame are not the next frame's start" % len(tail)
    return len(frames)


def _ogg_crc_table():
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(data):
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[((crc >> 24) & 0xFF) ^ byte]
    return crc


def check_ogg_bytes(raw):
    """`raw` must be whole Ogg pages with valid CRCs and consecutive sequence numbers, beginning with
    the stream's BOS page (Icecast sends the Vorbis headers first), possibly cut at the end.
    Returns the number of pages."""
    raw = bytes(raw)
    assert raw[:4] == b"OggS" and raw[5] & 2, "the stream does not begin with the BOS page"
    i, pages, last = 0, 0, {}
    while i + 27 <= len(raw):
        assert raw[i:i + 4] == b"OggS", "no Ogg page at byte %d" % i
        granule, serial, sequence = struct.unpack_from("<qII", raw, i + 6)
        if serial in last:
            prev_granule, prev_sequence = last[serial]
            # the only jump allowed: from the Vorbis header pages (granule 0) to where the burst began
            assert sequence == prev_sequence + 1 or prev_granule == 0, \
                "Ogg page sequence %d -> %d at byte %d: a page lost or repeated" % (prev_sequence, sequence, i)
        last[serial] = (granule, sequence)
        nseg = raw[i + 26]
        if i + 27 + nseg > len(raw):
            break
        size = 27 + nseg + sum(raw[i + 27:i + 27 + nseg])
        if i + size > len(raw):
            break  # the last page, cut off: its header was checked
        page = bytearray(raw[i:i + size])
        crc = struct.unpack_from("<I", page, 22)[0]
        page[22:26] = b"\0\0\0\0"
        assert _ogg_crc(page) == crc, "Ogg page %d (byte %d): bad CRC" % (pages, i)
        pages += 1
        i += size
    assert raw[i:i + 4] in (b"OggS"[:len(raw) - i], b""), "garbage at byte %d" % i
    return pages


def to_frames(chunks):
    return np.concatenate([np.asarray(c, dtype=np.int16) for c in chunks]).reshape(-1, 2).astype(np.int64)


def find_period(x, lo, hi):
    """The smallest P in [lo, hi] with x[:-P] == x[P:] exactly, or None."""
    a = x[:, 0]
    probe = a[:512]
    for p in range(lo, min(hi, len(a) - 512) + 1):
        if np.array_equal(a[p:p + 512], probe) and np.array_equal(x[:-p], x[p:]):
            return p
    return None


def check_tone(x, what, period=None, skip=0.2):
    """x: (frames, 2) decoded int16 of the looped tone.  Skips the start (the decoder joined mid-stream),
    then: per-channel peak frequency 440/660 Hz within 3 Hz in every 0.5 s window (one with a loop
    point's dip reads ~2 Hz off), RMS within 10 %
    of 0.5/sqrt(2) full scale over the whole, and exact periodicity
    (`period` given: exactly that; None: some period between 1 and 1.05 s is searched)."""
    x = x[int(skip * RATE):]
    assert len(x) >= RATE, "%s: only %d frames decoded" % (what, len(x))
    w = RATE // 2
    for start in range(0, len(x) - w + 1, w):
        for ch in range(2):
            f = signals.peak_frequency(x[start:start + w, ch], RATE)
            assert abs(f - FREQS[ch]) < 3.0, "%s: channel %d is %.1f Hz at %.2f s" % (what, ch, f, start / RATE + skip)
    for ch in range(2):
        level = signals.rms(x[:, ch])
        assert abs(level - EXPECTED_RMS) < 0.10 * EXPECTED_RMS, "%s: channel %d RMS %.0f" % (what, ch, level)
    # (no "no silence" check: each MP3 loop point has ~25 ms of true silence, encoder delay + padding)
    if period is not None:
        if len(x) > period:
            bad = np.nonzero(np.any(x[:-period] != x[period:], axis=1))[0]
            assert len(bad) == 0, "%s: not periodic (%d): first difference at %.3f s" % (
                what, period, bad[0] / RATE + skip if len(bad) else 0)
    else:
        p = find_period(x, RATE, int(RATE * 1.05))
        assert p is not None, "%s: no exact loop period: a lost or repeated chunk" % what
        return p
    return period


def decode(client, seconds, source=None, deadline=DEADLINE):
    """stream_any over `client` (or `source`, a wrapper of it): `seconds` of (frames, 2) int16.
    Fails (and closes the client, to free the worker) if that takes longer than `deadline`."""
    def run():
        stream = miniaudio.stream_any(source or client, client.audio_format, output_format=SF.SIGNED16,
                                      nchannels=2, sample_rate=RATE)
        chunks, n = [], 0
        while n < seconds * RATE:
            chunk = next(stream)
            chunks.append(chunk)
            n += len(chunk) // 2
        stream.close()
        return to_frames(chunks)

    x, exc, _ = run_with_deadline(run, deadline, on_hang=client.close)
    if exc is not None:
        raise exc
    return x


def read_raw(client, nbytes, block=4096):
    out = bytearray()
    while len(out) < nbytes:
        chunk = client.read(min(block, nbytes - len(out)))
        assert chunk, "stream ended after %d bytes" % len(out)
        out += chunk
    return bytes(out)


def downloader_threads():
    return {t for t in threading.enumerate() if t.name == THREAD_NAME and t.is_alive()}


class Recorder(miniaudio.StreamableSource):
    """A StreamableSource passing reads through to the client and keeping what went by."""

    def __init__(self, client):
        self.client = client
        self.data = bytearray()
        self.reads = 0
        self.pending = False

    def read(self, num_bytes):
        self.reads += 1
        self.pending = True
        try:
            chunk = self.client.read(num_bytes)
        finally:
            self.pending = False
        self.data += chunk
        return chunk


def run_with_deadline(func, timeout, on_hang=None):
    """Runs func() in a thread; returns (result, exception, seconds); fails if it is still running
    after `timeout` (a hang), after calling on_hang() (e.g. client.close, to free the thread)."""
    box = {}

    def target():
        try:
            box["result"] = func()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            box["error"] = e

    t0 = time.monotonic()
    t = threading.Thread(target=target, name="test-worker", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        if on_hang is not None:
            on_hang()
            t.join(2.0)
        raise AssertionError("still running after %.0f s: a hang" % timeout)
    return box.get("result"), box.get("error"), time.monotonic() - t0


# ---------------------------------------------------------------------------------------------
# fixtures: long-running sources, a small scripted HTTP server
# ---------------------------------------------------------------------------------------------


LIVE = {}  # mount -> SourceProcess of the module's long-running sources


@pytest.fixture(scope="module")
def ice(icecast_server):
    """The session server with this module's long-running sources (LIVE): the MP3 station on
    INFO_MOUNT (name, genre, description, ice-audio-info configured), an Ogg station, and two MP3
    mounts for the title tests."""
    srv = icecast_server
    for src in (srv.start_mp3_source(ics.INFO_MOUNT, **MP3_STATION),
                srv.start_ogg_source(OGG_MOUNT, **OGG_STATION),
                srv.start_mp3_source(TITLE_MOUNT, name="Title Station"),
                srv.start_mp3_source(TITLE2_MOUNT, name="Title Station 2")):
        LIVE[src.mount] = src
    yield srv
    for src in LIVE.values():
        src.kill()
    LIVE.clear()


def wait_backlog(ice, mount, seconds=4.6):
    """Wait until `mount` has been live for `seconds`, so that the server's 64 KB burst is full (4.1 s
    of 128 kbit/s MP3): a new client then gets that much audio at once."""
    LIVE[mount].wait_live_for(seconds)


class TinyServer:
    """A scripted HTTP server on 127.0.0.1 (a thread per connection).  Routes:

    /page.html       200 text/html
    /aac             200 audio/aac, then audio bytes until the client goes away
    /stall           200 audio/mpeg with icy headers, 1000 bytes, then nothing (until released)
    /stall-headers   accepts the request and never answers
    /redirect        302 -> /redirect2 (relative), which 301s to self.redirect_target
    /status/NNN      that HTTP error status
    /icy             an exact ICY stream: self.icy = (metaint, [(audio bytes, metadata block bytes)], tail)
    /flac?metaint=N  samples/tone_16.flac as audio/flac, ICY metadata every N bytes (0: none), then the end

    `closed[path]` is an Event set when the client closed that connection (seen by the server).
    """

    def __init__(self, tls=None):
        self.release = threading.Event()
        self.closed = {}
        self.sent = {}
        self.redirect_target = None
        self.icy = None
        tiny = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path
                tiny.closed.setdefault(path, threading.Event())
                try:
                    self._route(path)
                except OSError:
                    tiny.closed[path].set()

            def _route(self, path):
                if path == "/page.html":
                    body = b"<!DOCTYPE html><html><body>Not a stream</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif path == "/aac":
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/aac")
                    self.send_header("icy-name", "AAC Station")
                    self.end_headers()
                    while not tiny.release.is_set():
                        self.wfile.write(b"\xff\xf1" + bytes(1022))
                        self.wfile.flush()
                        time.sleep(0.01)
                elif path == "/stall":
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("icy-name", "Stalled Station")
                    self.end_headers()
                    self.wfile.write(b"".join(TONE_FRAMES)[:1000])
                    self.wfile.flush()
                    tiny.sent[path] = time.monotonic()
                    self._wait_for_close(path)
                elif path == "/stall-headers":
                    self._wait_for_close(path)
                elif path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/redirect2")
                    self.end_headers()
                elif path == "/redirect2":
                    self.send_response(301)
                    self.send_header("Location", tiny.redirect_target)
                    self.end_headers()
                elif path.startswith("/status/"):
                    self.send_error(int(path.rsplit("/", 1)[1]))
                elif path.startswith("/flac?metaint="):
                    metaint = int(path.split("=", 1)[1])
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/flac")
                    self.send_header("icy-name", "FLAC Station")
                    if metaint:
                        self.send_header("icy-metaint", str(metaint))
                    self.end_headers()
                    data = FLAC_BYTES
                    if not metaint:
                        self.wfile.write(data)
                        return
                    for k, i in enumerate(range(0, len(data), metaint)):
                        block = data[i:i + metaint]
                        self.wfile.write(block)
                        if len(block) < metaint:
                            break
                        text = ("StreamTitle='Block %d';" % k).encode() if k % 3 == 0 else b""
                        n = (len(text) + 15) // 16
                        self.wfile.write(bytes([n]) + text + bytes(16 * n - len(text)))
                elif path == "/icy":
                    metaint, blocks, tail = tiny.icy
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("icy-name", "ICY Station")
                    self.send_header("icy-genre", "Framing")
                    self.send_header("icy-metaint", str(metaint))
                    self.end_headers()
                    for audio, meta in blocks:
                        self.wfile.write(audio + meta)
                        self.wfile.flush()
                        time.sleep(0.002)
                    self.wfile.write(tail)
                else:
                    self.send_error(404)

            def _wait_for_close(self, path):
                """Until the client closes the connection (or the test releases the server)."""
                sock = self.connection
                while not tiny.release.is_set():
                    r, _, _ = select.select([sock], [], [], 0.05)
                    if r:
                        try:
                            data = sock.recv(4096)
                        except OSError:
                            data = b""
                        if not data:
                            tiny.closed[path].set()
                            return

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.scheme = "http"
        if tls is not None:  # (certfile, keyfile): HTTPS (a failed handshake is dropped by accept)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="tiny-http", daemon=True)
        self.thread.start()

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def wait_closed(self, path, timeout=DEADLINE):
        ev = self.closed.get(path)
        deadline = time.monotonic() + timeout
        while ev is None and time.monotonic() < deadline:
            time.sleep(0.01)
            ev = self.closed.get(path)
        return ev is not None and ev.wait(max(0.0, deadline - time.monotonic()))

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def tiny():
    server = TinyServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl): (certfile, keyfile)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_tiny(certificate):
    server = TinyServer(tls=certificate)
    yield server
    server.stop()


@pytest.fixture
def no_leak():
    """The test must not leave a downloader thread running."""
    before = downloader_threads()
    yield
    deadline = time.monotonic() + 2.0
    while downloader_threads() - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not (downloader_threads() - before), "a %s thread is still running" % THREAD_NAME


# ---------------------------------------------------------------------------------------------
# parse_metadata and the class surface: 1.71's exact results
# ---------------------------------------------------------------------------------------------


def reference_parse_metadata(metadata):
    """miniaudio 1.71's IceCastClient.parse_metadata, verbatim (the oracle)."""
    meta = {}
    metadata = html.unescape(metadata)
    for part in metadata.split(";"):
        key, _, value = part.partition("=")
        if key:
            meta[key] = value.strip("'")
    return meta


def reference_determine_audio_format(stream_format):
    """1.71's determine_audio_format (returns FileFormat member names here)."""
    if stream_format == "audio/mpeg":
        return "MP3"
    elif stream_format == "audio/flac":
        return "FLAC"
    elif stream_format.endswith("/ogg"):
        return "VORBIS"
    return "UNKNOWN"


METADATA_CASES = [
    "StreamTitle='Artist - Song';",
    "StreamTitle='Artist - Song';StreamUrl='http://example.org/';",
    "StreamTitle='It's me';",
    "StreamTitle='''quoted''';",
    "StreamTitle='Rock'n'Roll - Don't stop';StreamUrl='';",
    "StreamTitle='A; B';",
    "StreamTitle='Tom &amp; Jerry';",
    "StreamTitle='It&#39;s &quot;live&quot;';",
    "StreamTitle='&lt;b&gt;bold&lt;/b&gt; &amp;amp; &#x263A;';",
    "StreamTitle='caf&eacute; &unknown; &amp'",
    "StreamTitle='';",
    "StreamTitle=;",
    "StreamTitle=",
    "StreamTitle",
    "StreamTitle=No quotes;StreamUrl=http://x/?a=1&b=2;",
    "StreamTitle='missing end quote;",
    "StreamTitle=missing start quote';",
    "StreamTitle='a=b=c';",
    "=value;;;key='v'",
    "  StreamTitle='spaces around' ;  StreamUrl = 'x' ",
    "StreamTitle='first';StreamTitle='second';",
    "StreamTitle='Grüße ♪ 日本語';",
    "StreamTitle='tab\there\nnewline';",
    "StreamTitle='Song';StreamUrl='';adw_ad='true';durationMilliseconds='30000';",
    "",
    ";",
    "'",
    "''",
    "StreamTitle='x&#59;y';",
    "StreamTitle='x\x00';",
]


@pytest.mark.parametrize("text", METADATA_CASES)
def test_parse_metadata_matches_171(text):
    assert IceCastClient.parse_metadata(text) == reference_parse_metadata(text)


def test_parse_metadata_examples():
    assert IceCastClient.parse_metadata("StreamTitle='It's me';") == {"StreamTitle": "It's me"}
    assert IceCastClient.parse_metadata("StreamTitle='A; B';") == {"StreamTitle": "A", " B'": ""}
    assert IceCastClient.parse_metadata("StreamTitle='Tom &amp; Jerry';StreamUrl='http://x/';") == {
        "StreamTitle": "Tom & Jerry", "StreamUrl": "http://x/"}
    assert IceCastClient.parse_metadata("StreamTitle='';") == {"StreamTitle": ""}
    # a static method: callable on an instance-less class and returns a plain dict
    assert type(IceCastClient.parse_metadata("a=b")) is dict


@pytest.mark.skipif(not os.path.exists(ESTABLISHED_PYTHON), reason="no benchmarks/.venv-established (miniaudio 1.71)")
def test_reference_oracle_is_171():
    """The oracle above is what the installed miniaudio 1.71 really returns (run in its own venv)."""
    code = ("import json, sys, miniaudio\n"
            "cases = json.load(sys.stdin)\n"
            "print(json.dumps([miniaudio.IceCastClient.parse_metadata(c) for c in cases]))\n")
    import json
    r = subprocess.run([ESTABLISHED_PYTHON, "-c", code], input=json.dumps(METADATA_CASES), capture_output=True,
                       text=True, timeout=60, cwd="/")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [reference_parse_metadata(c) for c in METADATA_CASES]


def test_class_surface():
    assert IceCastClient.BLOCK_SIZE == 8192
    assert IceCastClient.BUFFER_SIZE == 65536
    assert issubclass(IceCastClient, miniaudio.StreamableSource)
    assert issubclass(IceCastError, miniaudio.MiniaudioError)
    assert issubclass(IceCastError, OSError)
    assert isinstance(IceCastClient.__dict__["parse_metadata"], staticmethod)


# ---------------------------------------------------------------------------------------------
# errors: each a clear IceCastError, quickly, and nothing left running
# ---------------------------------------------------------------------------------------------


def expect_error(url, max_seconds, **kw):
    t0 = time.monotonic()
    with pytest.raises(IceCastError) as info:
        IceCastClient(url, **kw)
    elapsed = time.monotonic() - t0
    assert elapsed < max_seconds, "took %.2f s" % elapsed
    err = info.value
    assert isinstance(err, miniaudio.MiniaudioError) and isinstance(err, OSError)
    assert url in str(err), "the message does not name the URL: %s" % err
    return err, elapsed


def test_connection_refused(no_leak):
    url = "http://127.0.0.1:%d/stream.mp3" % ics.free_port()  # nothing listens there
    err, elapsed = expect_error(url, 2.0)
    assert err.__cause__ is not None, "the original exception is not __cause__"
    assert "refused" in str(err).lower() or isinstance(err.__cause__, ConnectionRefusedError) or \
        isinstance(getattr(err.__cause__, "reason", None), ConnectionRefusedError), str(err)


def test_404_mount(ice, no_leak):
    url = ice.url("/no-such-mount.mp3")
    err, _ = expect_error(url, 5.0)
    assert "404" in str(err), str(err)
    assert err.__cause__ is not None


def test_html_page_on_icecast(ice, no_leak):
    """An HTML page the Icecast server itself serves (200, text/html) is not an audio stream."""
    err, _ = expect_error(ice.url(ics.HTML_PAGE), 5.0)
    assert "html" in str(err).lower(), str(err)


def test_html_page(tiny, no_leak):
    err, _ = expect_error(tiny.url("/page.html"), 5.0)
    assert "html" in str(err).lower(), str(err)


def test_unsupported_codec_aac(tiny, no_leak):
    """audio/aac is audio, but nothing here decodes it: IceCastError naming it, and the connection is
    closed (nothing keeps downloading)."""
    err, _ = expect_error(tiny.url("/aac"), 5.0)
    assert "aac" in str(err).lower(), str(err)
    assert tiny.wait_closed("/aac"), "the client did not close the connection"


@pytest.mark.parametrize("status", [401, 403, 500, 503])
def test_http_error_status(tiny, no_leak, status):
    err, _ = expect_error(tiny.url("/status/%d" % status), 5.0)
    assert str(status) in str(err), str(err)
    assert err.__cause__ is not None


def test_timeout_before_headers(tiny, no_leak):
    """A server that accepts and never answers: the constructor gives up after `timeout`."""
    err, elapsed = expect_error(tiny.url("/stall-headers"), 4.0, timeout=1.0)
    assert elapsed >= 0.9, "gave up after %.2f s, before the 1 s timeout" % elapsed
    assert err.__cause__ is not None
    assert tiny.wait_closed("/stall-headers"), "the client did not close the connection"


def test_stalled_stream_raises_from_read(tiny, no_leak):
    """Headers, 1000 bytes, then silence: read() ends with IceCastError about `timeout` s after the
    last byte, never hangs; the bytes that did arrive are not altered."""
    client = IceCastClient(tiny.url("/stall"), timeout=1.0)
    try:
        assert client.station_name == "Stalled Station"
        assert client.audio_format == FileFormat.MP3

        def drain():
            got = bytearray()
            while True:
                try:
                    chunk = client.read(4096)
                except IceCastError as e:
                    return got, e, time.monotonic()
                if not chunk:
                    return got, None, time.monotonic()
                got += chunk

        (got, err, t_end), exc, _ = run_with_deadline(drain, DEADLINE)
        assert exc is None, exc
        assert err is not None, "the stalled stream ended cleanly instead of raising IceCastError"
        assert bytes(got) == b"".join(TONE_FRAMES)[:len(got)] and len(got) <= 1000
        stalled_for = t_end - tiny.sent["/stall"]
        assert 0.9 <= stalled_for < 4.0, "IceCastError %.2f s after the stall (timeout=1)" % stalled_for
        # after the error: no hang (b"" or the error again)
        again, exc, _ = run_with_deadline(lambda: client.read(4096), 3.0)
        assert again == b"" or isinstance(exc, IceCastError), (again, exc)
    finally:
        client.close()
    assert tiny.wait_closed("/stall"), "the connection was not closed"


def test_stalled_stream_through_stream_any(tiny, no_leak):
    """The same stall under a decoder: the stream ends with DecodeError (caused by IceCastError) or
    StopIteration, never a hang."""
    client = IceCastClient(tiny.url("/stall"), timeout=1.0)
    try:
        def run():
            stream = miniaudio.stream_any(client, FileFormat.MP3, output_format=SF.SIGNED16, nchannels=2,
                                          sample_rate=RATE)
            for _ in stream:
                pass

        _, exc, elapsed = run_with_deadline(run, DEADLINE)
        assert exc is None or isinstance(exc, (miniaudio.DecodeError, IceCastError)), repr(exc)
        if isinstance(exc, miniaudio.DecodeError):
            assert isinstance(exc.__cause__, IceCastError), repr(exc.__cause__)
    finally:
        client.close()


def test_close_while_network_stalled(tiny, no_leak):
    """close() shuts the socket down: the downloader blocked in recv (timeout 10 s) is gone within 1 s."""
    before = downloader_threads()
    client = IceCastClient(tiny.url("/stall"), timeout=10.0)
    mine = downloader_threads() - before
    assert len(mine) == 1, "expected one new %s thread, got %d" % (THREAD_NAME, len(mine))
    assert client.read(1000) == b"".join(TONE_FRAMES)[:1000]
    t0 = time.monotonic()
    client.close()
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, "close() took %.2f s" % elapsed
    thread = mine.pop()
    thread.join(1.0)
    assert not thread.is_alive(), "the downloader thread survived close()"
    assert tiny.wait_closed("/stall", 2.0), "the server did not see the connection close"
    assert client.read(4096) == b""
    client.close()  # idempotent


def test_close_unblocks_a_waiting_read(tiny, no_leak):
    """A read() blocked in another thread while close() runs returns promptly (b"" after close)."""
    client = IceCastClient(tiny.url("/stall"), timeout=10.0)
    assert client.read(1000)
    box = {}

    def reader():
        try:
            box["result"] = client.read(4096)
        except IceCastError as e:
            box["result"] = e

    t = threading.Thread(target=reader, name="test-reader")
    t.start()
    time.sleep(0.2)  # let it block (there is nothing more to read)
    assert t.is_alive(), "read() returned although no data came: %r" % box
    client.close()
    t.join(2.0)
    assert not t.is_alive(), "read() still blocked 2 s after close()"
    assert box["result"] == b"" or isinstance(box["result"], IceCastError), repr(box["result"])


def test_exact_icy_framing(tiny, no_leak):
    """A scripted ICY stream (metaint 1000): the audio comes out byte for byte without the metadata
    blocks, each new StreamTitle (HTML entities unescaped, quotes kept) reaches stream_title and the
    callback in order, the partial last block is delivered, then b""."""
    metaint = 1000
    pattern = bytes((i * 7 + 3) % 256 for i in range(metaint * 25))
    titles = ["Song 0 &amp; more", "It's &#39;quoted&#39;", "Grüße ♪", "Last; with semicolon"]
    blocks, expected_titles, ti = [], [], 0
    for i in range(24):
        audio = pattern[i * metaint:(i + 1) * metaint]
        if i % 5 == 1 and ti < len(titles):
            text = ("StreamTitle='%s';StreamUrl='http://example.org/%d';" % (titles[ti], i)).encode("utf-8")
            expected_titles.append(reference_parse_metadata(text.decode("utf-8"))["StreamTitle"])
            ti += 1
            n = (len(text) + 15) // 16
            meta = bytes([n]) + text + bytes(16 * n - len(text))
        else:
            meta = b"\x00"
        blocks.append((audio, meta))
    tail = pattern[24 * metaint:24 * metaint + 500]
    tiny.icy = (metaint, blocks, tail)
    calls = []
    client = IceCastClient(tiny.url("/icy"), lambda c, t: calls.append((c, t, threading.current_thread().name)))
    try:
        assert client.station_name == "ICY Station" and client.station_genre == "Framing"
        got, exc, _ = run_with_deadline(lambda: _read_to_end(client), DEADLINE)
        assert exc is None, repr(exc)
        assert got == pattern[:24 * metaint + 500], "audio differs from what was sent (first difference at %s)" % (
            next((i for i, (a, b) in enumerate(zip(got, pattern)) if a != b), min(len(got), len(pattern))),)
        assert [t for _, t, _ in calls] == expected_titles
        assert expected_titles == ["Song 0 & more", "It's 'quoted", "Grüße ♪", "Last"]
        assert all(c is client for c, _, _ in calls)
        assert all(name == THREAD_NAME for _, _, name in calls), calls
        assert client.stream_title == "Last"
        assert client.read(4096) == b""
    finally:
        client.close()


@pytest.mark.parametrize("metaint", [0, 16000, 100])
def test_flac_stream_lossless(tiny, no_leak, metaint):
    """audio/flac (a finite stream of tone_16.flac, with or without ICY metadata every `metaint` bytes):
    stream_any over the client decodes to the reference PCM exactly, then ends."""
    titles = []
    with IceCastClient(tiny.url("/flac?metaint=%d" % metaint), lambda c, t: titles.append(t)) as client:
        assert client.audio_format == FileFormat.FLAC
        assert client.station_name == "FLAC Station"

        def run():
            return to_frames(miniaudio.stream_any(client, client.audio_format, output_format=SF.SIGNED16,
                                                  nchannels=2, sample_rate=RATE))

        x, exc, _ = run_with_deadline(run, DEADLINE, on_hang=client.close)
        assert exc is None, repr(exc)
        ref = signals.reference("tone", "s16").astype(np.int64)
        assert x.shape == ref.shape, (x.shape, ref.shape)
        assert np.array_equal(x, ref), "first difference at frame %d" % np.nonzero(np.any(x != ref, axis=1))[0][0]
        if metaint:
            n = len(FLAC_BYTES) // metaint  # metadata blocks sent (one after every full block)
            assert titles == ["Block %d" % k for k in range(0, n, 3)]
            assert client.stream_title == titles[-1]
        else:
            assert titles == [] and client.stream_title == "???"


def test_https_with_ssl_context(tls_tiny, certificate, no_leak):
    """https: with an ssl_context that trusts the server's certificate the stream plays (FLAC with ICY
    metadata, decoded exactly); without it the certificate is refused: IceCastError."""
    url = tls_tiny.url("/flac?metaint=16000")
    err, _ = expect_error(url, 5.0)
    assert isinstance(err.__cause__, Exception)
    reason = getattr(err.__cause__, "reason", err.__cause__)
    assert "certificate" in str(err).lower() or isinstance(reason, ssl.SSLError), str(err)
    ctx = ssl.create_default_context(cafile=certificate[0])
    with IceCastClient(url, ssl_context=ctx) as client:
        assert client.station_name == "FLAC Station" and client.audio_format == FileFormat.FLAC
        x, exc, _ = run_with_deadline(lambda: to_frames(miniaudio.stream_any(
            client, client.audio_format, output_format=SF.SIGNED16, nchannels=2, sample_rate=RATE)), DEADLINE,
            on_hang=client.close)
        assert exc is None, repr(exc)
        assert np.array_equal(x, signals.reference("tone", "s16").astype(np.int64))
        assert client.stream_title == "Block 0"


def _read_to_end(client):
    out = bytearray()
    while True:
        chunk = client.read(3000)
        if not chunk:
            return bytes(out)
        assert len(chunk) <= 3000
        out += chunk


def test_redirects_followed(ice, tiny, no_leak):
    """302 (relative) then 301 to the Icecast mount: the station is the mount's, and the audio is clean."""
    wait_backlog(ice, ics.INFO_MOUNT)
    tiny.redirect_target = ice.url(ics.INFO_MOUNT)
    with IceCastClient(tiny.url("/redirect")) as client:
        assert client.station_name == MP3_STATION["name"]
        assert client.audio_format == FileFormat.MP3
        assert check_mp3_bytes(read_raw(client, 40000)) > 80


# ---------------------------------------------------------------------------------------------
# the real server: station info, decoding, titles, a dying source, playback
# ---------------------------------------------------------------------------------------------


def test_station_info_mp3(ice, no_leak):
    """icy-name / icy-genre as ffmpeg sent them (UTF-8), ice-audio-info as the mount is configured."""
    with IceCastClient(ice.url(ics.INFO_MOUNT)) as client:
        assert client.url == ice.url(ics.INFO_MOUNT)
        assert client.station_name == MP3_STATION["name"]
        assert client.station_genre == MP3_STATION["genre"]
        assert client.audio_info == ics.AUDIO_INFO
        assert client.audio_format == FileFormat.MP3
        assert client.stream_title == "???"
        assert client.seek(0, miniaudio.SeekOrigin.START) is False
        # 1.71's determine_audio_format, on an instance
        for ct in ("audio/mpeg", "audio/flac", "audio/ogg", "application/ogg", "audio/aac", "text/html",
                   "audio/mpeg; charset=x", "video/ogg", "audio/x-flac"):
            assert client.determine_audio_format(ct) == getattr(FileFormat, reference_determine_audio_format(ct)), ct
        # two metadata blocks go by (Icecast sends StreamTitle=''): the title stays "???", as in 1.71
        wait_backlog(ice, ics.INFO_MOUNT)
        check_mp3_bytes(read_raw(client, 40000))
        assert client.stream_title == "???"


def test_station_info_ogg(ice, no_leak):
    with IceCastClient(ice.url(OGG_MOUNT)) as client:
        assert client.station_name == OGG_STATION["name"]
        assert client.station_genre == OGG_STATION["genre"]
        assert client.audio_info == ""  # no ice-audio-info header
        assert client.audio_format == FileFormat.VORBIS
        assert client.stream_title == "???"


def test_decode_mp3(ice, no_leak):
    """stream_any over the MP3 mount (ICY metadata every 16000 bytes stripped): the tone, exactly
    periodic with tone.mp3's 46080-frame loop, and the raw bytes are tone.mp3's frames."""
    wait_backlog(ice, ics.INFO_MOUNT)
    with IceCastClient(ice.url(ics.INFO_MOUNT)) as client:
        rec = Recorder(client)
        t0 = time.monotonic()
        x = decode(client, 3.0, rec)
        elapsed = time.monotonic() - t0
        check_tone(x, "MP3 stream", period=MP3_PERIOD)
        assert check_mp3_bytes(rec.data) >= 100
        assert len(rec.data) >= 65536 and b"StreamTitle" not in rec.data
    assert elapsed < 8.0, "3 s of audio took %.1f s" % elapsed


def test_decode_ogg(ice, no_leak):
    wait_backlog(ice, OGG_MOUNT)
    with IceCastClient(ice.url(OGG_MOUNT)) as client:
        rec = Recorder(client)
        x = decode(client, 3.0, rec)
        period = check_tone(x, "Ogg stream")
        assert 44100 <= period <= 46000
        assert check_ogg_bytes(rec.data) >= 5  # Vorbis pages here are ~8 KB


def test_title_update(ice, no_leak):
    """/admin/metadata changes the title: the callback gets (client, title) on the downloader thread,
    stream_title follows, and the audio around the change is untouched (frame chain, decoded tone,
    exact loop period)."""
    wait_backlog(ice, TITLE_MOUNT)
    title = "Grüße & 'Quotes' ♪ %d" % os.getpid()
    calls = []
    fired = threading.Event()

    def on_title(client, t):
        calls.append((client, t, threading.current_thread().name))
        if t == title:
            fired.set()

    with IceCastClient(ice.url(TITLE_MOUNT), on_title) as client:
        raw = bytearray(read_raw(client, 65536))  # the burst: the client is now at the live edge
        assert client.stream_title == "???" and not calls
        ice.update_title(TITLE_MOUNT, title)
        t0 = time.monotonic()
        while not fired.is_set():
            assert time.monotonic() - t0 < DEADLINE, "no title callback within %.0f s" % DEADLINE
            raw += client.read(2048)
        latency = time.monotonic() - t0
        assert client.stream_title == title
        raw += read_raw(client, 24000)  # the audio after the metadata block
        assert [(c, t, n) for c, t, n in calls] == [(client, title, THREAD_NAME)], calls
    assert latency < 3.0, "the title came %.1f s after the update" % latency
    check_mp3_bytes(raw)
    x = miniaudio.decode(bytes(raw), output_format=SF.SIGNED16, nchannels=2, sample_rate=RATE)
    assert x.sample_rate == RATE and x.nchannels == 2
    frames = np.asarray(x.samples, dtype=np.int16).reshape(-1, 2).astype(np.int64)
    check_tone(frames, "MP3 around the title change", period=MP3_PERIOD)


def test_title_callback_error_goes_to_unraisablehook(ice, unraisable, no_leak):
    """A title set before connecting is the first ICY title; the callback raising goes to
    sys.unraisablehook and downloading goes on."""
    wait_backlog(ice, TITLE2_MOUNT)
    title = "Before connecting %d" % os.getpid()
    ice.update_title(TITLE2_MOUNT, title)

    class Boom(Exception):
        pass

    def bad_callback(client, t):
        raise Boom("a bug in the user's callback: " + t)

    with IceCastClient(ice.url(TITLE2_MOUNT), bad_callback) as client:
        raw = bytearray()
        t0 = time.monotonic()
        while not unraisable:
            assert time.monotonic() - t0 < DEADLINE, "the callback error never reached sys.unraisablehook"
            raw += client.read(2048)
        assert client.stream_title == title
        raw += read_raw(client, 40000)  # still downloading
        check_mp3_bytes(raw)
    assert len(unraisable) == 1, unraisable
    exc, _obj = unraisable[0]
    assert isinstance(exc, Boom) and title in str(exc)


def test_close_promptly_and_idempotent(ice, no_leak):
    """close() with a full buffer (the downloader waiting for room) and with the downloader at the live
    edge: within 1 s, the thread gone, read() then b"", close() again harmless."""
    wait_backlog(ice, ics.INFO_MOUNT)
    for drain in (False, True):
        before = downloader_threads()
        client = IceCastClient(ice.url(ics.INFO_MOUNT))
        mine = downloader_threads() - before
        assert len(mine) == 1
        if drain:
            read_raw(client, 65536)  # the burst; the downloader now waits on the network
        else:
            time.sleep(0.3)  # the burst fills the 64 KB buffer; the downloader waits for room
        t0 = time.monotonic()
        client.close()
        elapsed = time.monotonic() - t0
        assert elapsed < 1.0, "close() took %.2f s (drain=%s)" % (elapsed, drain)
        thread = mine.pop()
        thread.join(1.0)
        assert not thread.is_alive()
        assert client.read(4096) == b""
        assert client.read(65536) == b""
        client.close()
        client.close()


def test_read_larger_than_the_buffer_returns_a_full_buffer(ice, no_leak):
    """read(n) with n > BUFFER_SIZE on a live stream: the downloader stops at a full buffer, so the
    read returns what a full buffer holds instead of waiting forever (1.71 hung here)."""
    wait_backlog(ice, ics.INFO_MOUNT)
    with IceCastClient(ice.url(ics.INFO_MOUNT)) as client:
        box = {}
        reader = threading.Thread(target=lambda: box.setdefault("data", client.read(4 * IceCastClient.BUFFER_SIZE)),
                                  daemon=True)
        reader.start()
        reader.join(10.0)
        assert not reader.is_alive(), "read(4 * BUFFER_SIZE) never returned"
        assert IceCastClient.BUFFER_SIZE <= len(box["data"]) < 4 * IceCastClient.BUFFER_SIZE


def test_context_manager(ice, no_leak):
    before = downloader_threads()
    with IceCastClient(ice.url(OGG_MOUNT)) as client:
        assert isinstance(client, IceCastClient)
        assert client.read(4096)
        mine = downloader_threads() - before
        assert len(mine) == 1
    mine.pop().join(1.0)
    assert not (downloader_threads() - before)
    assert client.read(4096) == b""


@pytest.mark.parametrize("kind", ["mp3", "ogg"])
def test_source_killed_mid_stream(ice, kind, no_leak):
    """The encoder dies (SIGKILL) while stream_any decodes: the stream ends (StopIteration, or an
    IceCastError / DecodeError) within seconds, never hangs, and what was decoded is the tone."""
    mount = "/killed-%s.%s" % (os.getpid(), kind)
    if kind == "mp3":
        src = ice.start_mp3_source(mount, name="Doomed")
    else:
        src = ice.start_ogg_source(mount, name="Doomed", content_type="audio/ogg")
    try:
        client = IceCastClient(ice.url(mount))
        assert client.audio_format == (FileFormat.MP3 if kind == "mp3" else FileFormat.VORBIS)
        rec = Recorder(client)
        chunks = []
        done = threading.Event()

        def run():
            try:
                stream = miniaudio.stream_any(rec, client.audio_format, output_format=SF.SIGNED16, nchannels=2,
                                              sample_rate=RATE)
                for chunk in stream:
                    chunks.append(chunk)
            finally:
                done.set()

        box = {}

        def worker():
            try:
                run()
            except BaseException as e:  # noqa: BLE001
                box["error"] = e

        t = threading.Thread(target=worker, name="test-decoder", daemon=True)
        t.start()
        # decoding is under way: 1 s of frames came out, or (MP3: the decoder's first read asks 64 KB,
        # more than a fresh mount has) the decoder has been blocked in read() for a while
        t0 = time.monotonic()
        while not (sum(map(len, chunks)) >= 2 * 1.0 * RATE
                   or (kind == "mp3" and rec.pending and time.monotonic() - t0 > 1.5)):
            assert time.monotonic() - t0 < DEADLINE and not done.is_set(), "decoding did not get going"
            time.sleep(0.01)
        src.kill()
        t_kill = time.monotonic()
        assert done.wait(DEADLINE), "decoding still running %.0f s after the source died" % DEADLINE
        ended_after = time.monotonic() - t_kill
        t.join(1.0)
        err = box.get("error")
        assert err is None or isinstance(err, (IceCastError, miniaudio.DecodeError)), repr(err)
        assert ended_after < 5.0, "the end came %.1f s after the source died" % ended_after
        x = to_frames(chunks)
        assert len(x) >= RATE * 0.8, "only %d frames decoded" % len(x)
        _check_freqs(x, "%s until the source died" % kind)
        # ended: nothing more (b"", or the error again), and no hang
        again, exc, _ = run_with_deadline(lambda: client.read(4096), 3.0)
        assert again == b"" or isinstance(exc, IceCastError), (again, exc)
        client.close()
    finally:
        src.kill()


def _check_freqs(x, what):
    """Shorter than a loop period: frequencies and level only."""
    x = x[int(0.2 * RATE):]
    for ch in range(2):
        f = signals.peak_frequency(x[:, ch], RATE)
        assert abs(f - FREQS[ch]) < 3.0, "%s: channel %d is %.1f Hz" % (what, ch, f)
        assert abs(signals.rms(x[:, ch]) - EXPECTED_RMS) < 0.15 * EXPECTED_RMS


def test_source_killed_raw_read(ice, no_leak):
    """Raw read() when the source dies between metadata blocks: the rest, then b"" (a clean end)."""
    mount = "/killed-raw-%s.mp3" % os.getpid()
    src = ice.start_mp3_source(mount)
    try:
        with IceCastClient(ice.url(mount)) as client:
            raw = bytearray(read_raw(client, 8000))
            src.kill()

            def drain():
                while True:
                    chunk = client.read(4096)
                    if not chunk:
                        return
                    raw.extend(chunk)

            _, exc, elapsed = run_with_deadline(drain, DEADLINE)
            assert exc is None or isinstance(exc, IceCastError), repr(exc)
            assert elapsed < 5.0
            if exc is None:
                assert client.read(4096) == b""  # b"" after the end, again
            check_mp3_bytes(raw)
    finally:
        src.kill()


def test_playback_on_null_backend(ice, no_leak):
    """The typical use: stream_any(client, client.audio_format) played by a PlaybackDevice."""
    wait_backlog(ice, ics.INFO_MOUNT)
    with IceCastClient(ice.url(ics.INFO_MOUNT)) as client:
        stream = miniaudio.stream_any(client, client.audio_format, output_format=SF.SIGNED16, nchannels=2,
                                      sample_rate=RATE)
        device = miniaudio.PlaybackDevice(output_format=SF.SIGNED16, nchannels=2, sample_rate=RATE,
                                          backends=[miniaudio.Backend.NULL])
        try:
            device.start(stream)
            t0 = time.monotonic()
            while device.stats.frames < RATE:
                assert time.monotonic() - t0 < DEADLINE, "only %d frames played" % device.stats.frames
                assert device.callback_error is None, repr(device.callback_error)
                time.sleep(0.02)
            f1 = device.stats.frames
            time.sleep(0.3)
            assert device.stats.frames > f1, "playback stopped"
            assert device.callback_error is None, repr(device.callback_error)
            assert device.running
        finally:
            device.close()
        t0 = time.monotonic()
    closed_after = time.monotonic() - t0
    assert closed_after < 1.0, "close() took %.2f s" % closed_after
