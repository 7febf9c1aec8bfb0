"""Programs written for miniaudio 1.71 that reach past its public API, run unchanged.

Each test is written the way the program in the wild is (a subclass of IceCastClient reading
1.71's internals, device ids compared and saved through ``miniaudio.ffi``, a result code taken
from ``e.args[1]``, a trimmed sound written with ``wav_write_file``, a SHOUTcast v1 station) and
checks what that program's user would see.  The servers are the local socket servers of
tests/test_icecast_hostile.py; the device ids come from the NULL backend and from a private
PulseAudio daemon (the ``pulse_server`` fixture).
"""

import array
import os
import struct
import threading
import time

import pytest

import miniaudio
from miniaudio import FileFormat, SampleFormat

# The local servers and their helpers (fixtures included) from the hostile-server tests.
from test_icecast_hostile import PATTERN, Server, icy_body, no_leak, servers, timed  # noqa: F401

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples")


# ---------------------------------------------------------------------------------------------
# IceCastClient subclassed with 1.71's internals
# ---------------------------------------------------------------------------------------------


class CustomIceCastClient(miniaudio.IceCastClient):
    """As a real program has it: 1.71's read() polling self._buffer, taking bytes from the front
    under self._buffer_lock, giving up on self._stop_stream (it never notifies anybody)."""

    def read(self, num_bytes: int) -> bytes:
        while len(self._buffer) < num_bytes:
            time.sleep(0.1)
            if self._stop_stream:
                raise ValueError("Steam stoped")
        with self._buffer_lock:
            chunk = self._buffer[:num_bytes]
            self._buffer = self._buffer[num_bytes:]
            return chunk


class MemorySource(miniaudio.StreamableSource):
    """The reference: the same bytes from memory, through the same decoder path (no seeking)."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, num_bytes):
        chunk = self.data[self.pos:self.pos + num_bytes]
        self.pos += len(chunk)
        return chunk


def client_buffer():
    return miniaudio.IceCastClient.BUFFER_SIZE


def _mp3_station_handler(body, metaint):
    """A live station: the headers, `body` (with ICY metadata every `metaint` bytes), then an open
    connection with nothing more (the program's watchdog closes the client)."""

    def handler(conn, server):
        head = b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nicy-name: Real\r\n"
        if metaint:
            head += b"icy-metaint: %d\r\n" % metaint
        if server.send(conn, head + b"\r\n"):
            for i in range(0, len(body), 5000):
                if not server.send(conn, body[i:i + 5000]):
                    return
            server.stop.wait(30)

    return handler


@pytest.mark.parametrize("metaint", [0, 16000])
def test_icecast_subclass_with_171_read_keeps_downloading(servers, no_leak, metaint):
    """stream_any over the subclass (MP3 -> 16 kHz mono s16, 960-frame chunks, as the program
    does) gets the exact frames the same bytes give from memory, for 3.5 times the download
    buffer: the downloader goes on after the reader drains a full buffer without notifying.
    Then the program's close() ends its read() with its own ValueError (a DecodeError from the
    stream) and no downloader thread is left.  Fails on a client whose downloader waits on a
    condition only the package's own read() notifies (the run stops at one buffer) and on one
    without 1.71's _buffer_lock (AttributeError)."""
    with open(os.path.join(SAMPLES, "tone.mp3"), "rb") as f:
        mp3 = f.read() * 24  # ~410 KB: 6.3 download buffers
    s = servers(_mp3_station_handler(icy_body(mp3, metaint, {0: "StreamTitle='One';"}) if metaint else mp3,
                                     metaint))
    ref = array.array("h")
    for frames in miniaudio.stream_any(MemorySource(mp3), source_format=FileFormat.MP3,
                                       output_format=SampleFormat.SIGNED16, nchannels=1, sample_rate=16000,
                                       frames_to_read=960):
        ref.extend(frames)
    # The subclass's read(n) waits for all n bytes, so the last ~64 KiB (the decoder's look-ahead)
    # never come out; compare the frames of all but the last 3 buffers' worth of bytes.
    frames_needed = len(ref) * (len(mp3) - 3 * client_buffer()) // len(mp3)
    client = CustomIceCastClient(s.url())
    assert client.audio_format is FileFormat.MP3
    try:
        def run():
            got = array.array("h")
            stream = miniaudio.stream_any(source=client, source_format=FileFormat.MP3,
                                          output_format=SampleFormat.SIGNED16, nchannels=1, sample_rate=16000,
                                          frames_to_read=960)
            for frames in stream:
                got.extend(frames)
                if len(got) >= frames_needed:
                    break
            return got, stream

        value, exc, _ = timed(run, 30.0)
        assert exc is None, repr(exc)
        got, stream = value
        assert got[:frames_needed] == ref[:frames_needed]
        if metaint:
            assert client.stream_title == "One"

        # the program's watchdog: close() while the stream wants more than the tail that is left
        closer = threading.Timer(0.5, client.close)
        closer.start()

        def drain():
            with pytest.raises(miniaudio.DecodeError) as info:
                for _ in stream:
                    pass
            return info.value

        err, exc, _ = timed(drain, 10.0)
        closer.join()
        assert exc is None, repr(exc)
        assert isinstance(err.__cause__, ValueError) and str(err.__cause__) == "Steam stoped"
    finally:
        client.close()
    assert client._stop_stream is True


# ---------------------------------------------------------------------------------------------
# SHOUTcast v1: "ICY 200 OK"
# ---------------------------------------------------------------------------------------------


def _icy_response(metaint=None, extra=b""):
    lines = [b"ICY 200 OK", b"icy-notice1:<BR>This stream requires Winamp<BR>", b"icy-name:Old Station",
             b"icy-genre:Jazz", b"content-type:audio/mpeg", b"icy-pub:1", b"icy-br:128"]
    if metaint is not None:
        lines.append(b"icy-metaint:%d" % metaint)
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


@pytest.mark.parametrize("metaint", [None, 8192])
def test_shoutcast_v1_icy_status_line_streams(servers, no_leak, metaint):
    """A SHOUTcast v1 server answers "ICY 200 OK": the client opens (station name, genre, MP3 from
    the headers) and reads the exact audio, with the ICY metadata stripped and the title parsed.
    Before: IceCastError "cannot open ...: ICY 200 OK" (http.client refuses the status line)."""
    audio = PATTERN[:8192 * 12 + 777]
    body = icy_body(audio, metaint, {0: "StreamTitle='Old Song';"}) if metaint else audio

    def handler(conn, server):
        server.send(conn, _icy_response(metaint) + body)

    s = servers(handler)
    with miniaudio.IceCastClient(s.url(), timeout=5.0) as client:
        assert client.station_name == "Old Station"
        assert client.station_genre == "Jazz"
        assert client.audio_format is FileFormat.MP3

        def run():
            out = bytearray()
            while True:
                chunk = client.read(4000)
                if not chunk:
                    return bytes(out)
                out += chunk

        got, exc, _ = timed(run, 10.0)
        assert exc is None, repr(exc)
        assert got == audio
        assert client.stream_title == ("Old Song" if metaint else "???")


def test_shoutcast_v1_keeps_header_limit_and_deadline(servers, no_leak):
    """The ICY status line changes nothing else: an ICY answer whose headers pass 64 KiB is
    refused, and one dripped a byte every 0.2 s is given up after the timeout (1 s)."""
    big = b"".join(b"icy-x%d:%s\r\n" % (i, b"y" * 1000) for i in range(70))
    s = servers(lambda conn, server: server.send(conn, _icy_response(extra=big)))
    with pytest.raises(miniaudio.IceCastError, match="longer than 65536"):
        miniaudio.IceCastClient(s.url(), timeout=5.0)

    s2 = servers(lambda conn, server: server.drip(conn, _icy_response(), 0.2))
    t0 = time.monotonic()
    with pytest.raises(miniaudio.IceCastError, match="timeout"):
        miniaudio.IceCastClient(s2.url(), timeout=1.0)
    assert time.monotonic() - t0 < 3.0


def test_shoutcast_v1_error_status(servers, no_leak):
    """"ICY 404 Resource Not Found" is an IceCastError naming the status, like HTTP's 404."""
    s = servers(lambda conn, server: server.send(conn, b"ICY 404 Resource Not Found\r\n\r\n"))
    with pytest.raises(miniaudio.IceCastError, match="answered 404 Resource Not Found"):
        miniaudio.IceCastClient(s.url(), timeout=5.0)


# ---------------------------------------------------------------------------------------------
# miniaudio.ffi / miniaudio.lib: device ids and constants
# ---------------------------------------------------------------------------------------------


def find_device(device, kind):
    """A real program's lookup: the Devices dict whose id is `device` (1.71 ids compared through
    ffi.buffer)."""
    devices = miniaudio.Devices(backends=[miniaudio.Backend.PULSEAUDIO])
    devs = devices.get_playbacks() if kind == miniaudio.DeviceType.PLAYBACK else devices.get_captures()
    id_buf = miniaudio.ffi.buffer(device)
    for d in devs:
        if miniaudio.ffi.buffer(d["id"]) == id_buf:
            return d
    raise LookupError("device not found")


def device_id_string(device):
    """Another program saves the id in its settings file as hex."""
    return bytes(miniaudio.ffi.buffer(device["id"])).hex()


def list_audio_devices():
    """A third one strips the id at its first zero byte and makes a new id from those bytes later."""
    devices = []
    for dev in miniaudio.Devices(backends=[miniaudio.Backend.PULSEAUDIO]).get_playbacks():
        device_id = dev["id"]
        if hasattr(miniaudio, "ffi"):
            raw_bytes = bytes(miniaudio.ffi.buffer(device_id))
            null_idx = raw_bytes.find(b"\x00")
            if null_idx > 0:
                raw_bytes = raw_bytes[:null_idx]
            device_id = raw_bytes
        devices.append({"id": device_id, "name": dev["name"]})
    return devices


def bytes_to_device_id(device_bytes):
    if not hasattr(miniaudio, "ffi"):
        return device_bytes
    device_id = miniaudio.ffi.new("union ma_device_id *")
    buf = miniaudio.ffi.buffer(device_id)
    buf[0:len(device_bytes)] = device_bytes
    return device_id


@pytest.fixture
def two_sinks(pulse_server):
    index = pulse_server.load_null_sink("second", "Second Output")
    try:
        yield pulse_server
    finally:
        pulse_server.unload_module(index)


def test_device_ids_compare_through_ffi_buffer(two_sinks):
    """Two sinks and their monitors: looking each id up through ffi.buffer finds that very device
    (ids of different devices compare unequal, of one device in two enumerations equal); the hex
    a program saved finds the device again; ids are the 256 zero-padded bytes 1.71 gave (the sink
    name for PulseAudio, so the hex saved by 1.71 matches).  Before: AttributeError (no ffi)."""
    playbacks = miniaudio.Devices(backends=[miniaudio.Backend.PULSEAUDIO]).get_playbacks()
    captures = miniaudio.Devices(backends=[miniaudio.Backend.PULSEAUDIO]).get_captures()
    names = sorted(d["name"] for d in playbacks)
    assert "Null Output" in names and "Second Output" in names
    for kind, devs in ((miniaudio.DeviceType.PLAYBACK, playbacks), (miniaudio.DeviceType.CAPTURE, captures)):
        for d in devs:
            assert find_device(d["id"], kind)["name"] == d["name"]
    bufs = [miniaudio.ffi.buffer(d["id"]) for d in playbacks]
    assert all(len(b) == 256 for b in bufs)
    assert len({bytes(b) for b in bufs}) == len(playbacks)  # all different
    second = next(d for d in playbacks if d["name"] == "Second Output")
    assert bytes(miniaudio.ffi.buffer(second["id"])) == b"second".ljust(256, b"\0")
    assert miniaudio.ffi.string(second["id"]) == b"second"

    saved = device_id_string(second)
    again = [d for d in miniaudio.Devices(backends=[miniaudio.Backend.PULSEAUDIO]).get_playbacks()
             if device_id_string(d) == saved]
    assert [d["name"] for d in again] == ["Second Output"]


def test_device_id_rebuilt_with_ffi_new_opens_that_device(two_sinks):
    """The program that strips an id to its bytes and rebuilds it with ffi.new("union ma_device_id
    *") opens the chosen sink: a tone played there is recorded from that sink's monitor."""
    chosen = next(d for d in list_audio_devices() if d["name"] == "Second Output")
    assert chosen["id"] == b"second"
    device_id = bytes_to_device_id(chosen["id"])
    with miniaudio.PlaybackDevice(output_format=SampleFormat.FLOAT32, nchannels=2, sample_rate=48000,
                                  device_id=device_id, backends=[miniaudio.Backend.PULSEAUDIO]) as dev:
        assert dev.device_name == "Second Output"


def test_null_backend_ids_and_lib_constants():
    """With the NULL backend (always there): ffi.buffer of the playback id equals that of a second
    enumeration; ffi.new gives an id the device opens with; lib's constants are 1.71's values and
    agree with the enums; everything else names its replacement."""
    with miniaudio.Devices(backends=["null"]) as devices:
        p1 = devices.get_playbacks()[0]
    with miniaudio.Devices(backends=["null"]) as devices:
        p2 = devices.get_playbacks()[0]
    assert miniaudio.ffi.buffer(p1["id"]) == miniaudio.ffi.buffer(p2["id"])
    assert bytes(miniaudio.ffi.buffer(p1["id"])) == bytes(256)
    lib = miniaudio.lib
    assert (lib.MA_SUCCESS, lib.MA_ERROR, lib.MA_INVALID_FILE, lib.MA_AT_END, lib.MA_NO_BACKEND) == (0, -1, -10, -17,
                                                                                                       -203)
    assert lib.ma_format_s16 == SampleFormat.SIGNED16.value == 2 and lib.ma_format_f32 == 5
    assert lib.ma_backend_pulseaudio == miniaudio.Backend.PULSEAUDIO.value and lib.ma_backend_null == 14
    assert lib.ma_encoding_format_mp3 == FileFormat.MP3.value == 3
    assert lib.ma_channel_mix_mode_default == miniaudio.ChannelMixMode.DEFAULT.value
    assert lib.ma_channel_mix_mode_custom_weights == miniaudio.ChannelMixMode.CUSTOMWEIGHTS.value
    assert lib.ma_device_type_playback == miniaudio.DeviceType.PLAYBACK.value
    assert lib.MA_DR_WAVE_FORMAT_IEEE_FLOAT == 3 and lib.MA_DR_WAVE_FORMAT_PCM == 1
    assert not miniaudio.ffi.NULL
    with pytest.raises(AttributeError, match=r"miniaudio\.lib\.ma_device_stop .*stop\(\)"):
        lib.ma_device_stop
    with pytest.raises(AttributeError, match=r"miniaudio\.lib\.ma_decode_memory .*decode\(\)"):
        lib.ma_decode_memory
    with pytest.raises(AttributeError, match=r"miniaudio\.ffi\.memmove .*memoryview"):
        miniaudio.ffi.memmove
    with pytest.raises(AttributeError, match=r"ma_device_id"):
        miniaudio.ffi.new("ma_decoder *")
    assert hasattr(miniaudio, "ffi") and not hasattr(miniaudio.ffi, "cast")
    with pytest.raises(AttributeError):
        lib.MA_SUCCESS = 1


# ---------------------------------------------------------------------------------------------
# 1.71's exception args: (message, result code)
# ---------------------------------------------------------------------------------------------


def decode_or_code(data):
    """A program that reports miniaudio's result code the 1.71 way."""
    try:
        miniaudio.decode(data)
    except miniaudio.DecodeError as e:
        if len(e.args) > 1 and e.args[1] != miniaudio.lib.MA_SUCCESS:
            return e.args[1], str(e)
        raise
    return miniaudio.lib.MA_SUCCESS, ""


def test_exception_args_are_message_and_result_code(tmp_path):
    """DecodeError from decode(), decode_file(), stream_memory() and MiniaudioError from Devices
    with a backend that is not there: args == (message, code) with the code an int equal to .result, and str(e)
    is the readable message alone.  Before: args had one item (IndexError on args[1])."""
    code, text = decode_or_code(b"this is not audio" * 100)
    assert code == miniaudio.lib.MA_INVALID_FILE == -10
    assert text.startswith("cannot decode data") and "MA_INVALID_FILE" in text and "(" not in text[:5]
    cases = []
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\xff" * 3000)
    for call in (lambda: miniaudio.decode(b"junk" * 50), lambda: miniaudio.decode_file(str(bad)),
                 lambda: miniaudio.stream_memory(b"junk" * 50)):
        with pytest.raises(miniaudio.DecodeError) as info:
            call()
        cases.append(info.value)
    with pytest.raises(miniaudio.MiniaudioError) as info:
        miniaudio.Devices(backends=[miniaudio.Backend.WASAPI])  # not on this system: MA_NO_BACKEND
    assert info.value.args[1] == miniaudio.lib.MA_NO_BACKEND
    cases.append(info.value)
    for e in cases:
        assert len(e.args) == 2 and isinstance(e.args[1], int) and e.args[1] == e.result < 0
        assert str(e) == e.args[0] and e.result_name in str(e)
        assert repr(e).startswith(type(e).__name__ + "(")
    # exceptions made by programs keep 1.71's str()
    assert str(miniaudio.DecodeError("failed to decode data", -1)) == "('failed to decode data', -1)"
    assert str(miniaudio.MiniaudioError("cannot init context")) == "cannot init context"


# ---------------------------------------------------------------------------------------------
# wav_write_file: sound.num_frames and sound.sub_format, as 1.71
# ---------------------------------------------------------------------------------------------


def _wav_data(path):
    """(format tag, bits, data chunk) of a WAV file, read with struct."""
    with open(path, "rb") as f:
        data = f.read()
    pos, tag, bits = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            tag, _, _, _, _, bits = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
        if cid == b"data":
            return tag, bits, data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    raise AssertionError("no data chunk")


def test_wav_write_trimmed_sound_writes_num_frames(tmp_path):
    """A program keeps the first second of a decoded file by lowering num_frames (1.71 wrote
    sound.num_frames frames): the WAV holds exactly those frames.  A sound whose samples were
    sliced writes what is left.  Before: every sample was written."""
    sound = miniaudio.decode_file(os.path.join(SAMPLES, "tone.mp3"), nchannels=2, sample_rate=8000)
    assert sound.num_frames > 6000
    sound.num_frames = 4000
    path = str(tmp_path / "first.wav")
    miniaudio.wav_write_file(path, sound)
    back = miniaudio.wav_read_file_s16(path)
    assert back.num_frames == 4000 and back.samples == sound.samples[:8000]
    assert _wav_data(path)[2] == sound.samples[:8000].tobytes()

    sliced = miniaudio.decode_file(os.path.join(SAMPLES, "tone.mp3"), nchannels=2, sample_rate=8000)
    sliced.samples = sliced.samples[:1000]  # num_frames still says the whole file
    miniaudio.wav_write_file(path, sliced)
    assert miniaudio.wav_read_file_s16(path).samples == sliced.samples

    grown = miniaudio.DecodedSoundFile("x", 1, 8000, SampleFormat.SIGNED16, array.array("h", range(100)))
    grown.samples.extend(range(100, 150))  # num_frames says 100: 1.71 wrote 100
    miniaudio.wav_write_file(path, grown)
    assert miniaudio.wav_read_file_s16(path).samples == array.array("h", range(100))


def test_wav_write_honours_agreeing_sub_format(tmp_path):
    """sub_format set by the program: 1 (PCM) for integer samples and 3 (IEEE float) for FLOAT32
    are written as asked; A-law (6) for UNSIGNED8 codes writes them as A-law (read back decoded);
    PCM asked for float samples still writes IEEE float that reads back exactly (1.71 wrote
    float bits labelled PCM: noise)."""
    path = str(tmp_path / "x.wav")
    floats = miniaudio.DecodedSoundFile("f", 1, 8000, SampleFormat.FLOAT32, array.array("f", [0.5, -0.25, 0.125, 1.0]))
    for asked in (None, 1, 3, 7):
        floats.sub_format = asked
        miniaudio.wav_write_file(path, floats)
        tag, bits, data = _wav_data(path)
        assert (tag, bits, data) == (3, 32, floats.samples.tobytes())
        assert miniaudio.wav_read_file_f32(path).samples == floats.samples

    ints = miniaudio.DecodedSoundFile("i", 2, 8000, SampleFormat.SIGNED16, array.array("h", [1, -2, 300, -32768]))
    for asked in (1, 3, 6, 0xFFFE):
        ints.sub_format = asked
        miniaudio.wav_write_file(path, ints)
        assert _wav_data(path)[:2] == (1, 16)
        assert miniaudio.wav_read_file_s16(path).samples == ints.samples

    # G.711 A-law codes 0xD5 / 0x55 are +8 / -8 (the smallest steps)
    alaw = miniaudio.DecodedSoundFile("a", 1, 8000, SampleFormat.UNSIGNED8, array.array("B", [0xD5, 0x55] * 8))
    alaw.sub_format = miniaudio.lib.MA_DR_WAVE_FORMAT_ALAW
    miniaudio.wav_write_file(path, alaw)
    assert _wav_data(path) == (6, 8, alaw.samples.tobytes())
    assert miniaudio.wav_get_file_info(path).sub_format == 6
    assert list(miniaudio.wav_read_file_s16(path).samples) == [8, -8] * 8


def test_wav_write_bad_num_frames_and_sub_format(tmp_path):
    sound = miniaudio.DecodedSoundFile("x", 1, 8000, SampleFormat.SIGNED16, array.array("h", [0] * 10))
    path = str(tmp_path / "x.wav")
    for attr, value, exc, text in (("num_frames", -1, ValueError, "sound.num_frames"),
                                   ("num_frames", 2.5, TypeError, "sound.num_frames"),
                                   ("sub_format", "pcm", TypeError, "sound.sub_format")):
        bad = miniaudio.DecodedSoundFile("x", 1, 8000, SampleFormat.SIGNED16, array.array("h", [0] * 10))
        setattr(bad, attr, value)
        with pytest.raises(exc, match=text):
            miniaudio.wav_write_file(path, bad)
    miniaudio.wav_write_file(path, sound)
    assert miniaudio.wav_read_file_s16(path).num_frames == 10
