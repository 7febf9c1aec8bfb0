"""miniaudio.sounddevice: python-sounddevice 0.5's API over the package's devices.

The programs below are written for sounddevice in the style of its documentation's examples (play
a sine, wire, record until Ctrl-C, play a long file through a queue, asyncio); each runs in a
subprocess with only its import line changed to ``import miniaudio.sounddevice as sd`` (the
soundfile module of the originals is replaced by the standard library's ``wave``).  They run on
the private PulseAudio daemon's null sink (the `pulse_server` fixture): what they play is
recorded from the sink's monitor by parec, what they record is played into the sink by pacat.
The rest checks the device table and dicts against sounddevice's formats, stream behaviour on
the NULL backend, and that bad input gets sounddevice's exception types.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import wave

import numpy as np
import pytest

import miniaudio
import miniaudio.sounddevice as sd
import pulse_server as ps
from test_devices_pulse import DEADLINE, JOIN_SKIP, RATE, analyse, counter_frames, counter_wav, wait_until
from test_device_io import SIGINT_AS_IN_A_TERMINAL  # the programs start as under a terminal

SRC = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))
DEVICE_KEYS = ["name", "index", "hostapi", "max_input_channels", "max_output_channels", "default_low_input_latency",
               "default_low_output_latency", "default_high_input_latency", "default_high_output_latency",
               "default_samplerate"]


@pytest.fixture
def null_defaults():
    """sd.default on the NULL backend for one test; the factory defaults afterwards."""
    sd.default.reset()
    sd.default.backends = ["null"]
    yield sd.default
    sd.stop()
    sd.default.reset()


@pytest.fixture
def pulse_defaults(pulse_server):
    sd.default.reset()
    sd.default.backends = ["pulseaudio"]
    sd._initialize()
    yield sd.default
    sd.stop()
    sd.default.reset()
    sd._initialize()


# ---- helpers for the programs -----------------------------------------------------------------

def program(text):
    """A sounddevice program with its import line switched to miniaudio.sounddevice (the only change)."""
    assert text.count("import sounddevice as sd\n") == 1
    return text.replace("import sounddevice as sd\n", "import miniaudio.sounddevice as sd\n")


def run_program(pulse_server, text, *args, **kw):
    env = dict(pulse_server.client_env())
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-c", SIGINT_AS_IN_A_TERMINAL + program(text)] + [str(a) for a in args], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def wait_for_line(proc, needle, timeout=DEADLINE):
    """Read proc's stdout lines until one contains `needle` (in a thread: a deadline, never a hang)."""
    lines, found = [], threading.Event()

    def reader():
        for line in proc.stdout:
            lines.append(line)
            if needle in line:
                found.set()
                return

    threading.Thread(target=reader, daemon=True).start()
    if not found.wait(timeout):
        proc.kill()
        out, err = proc.communicate(timeout=10)
        pytest.fail("no %r from the program; stdout %r, stderr %r" % (needle, "".join(lines) + (out or ""), err))
    return lines


class Parec:
    """parec recording a source (default: the null sink's monitor) as float32 stereo into a file."""

    def __init__(self, pulse_server, path, device="test.monitor", channels=2):
        self.path, self.channels = str(path), channels
        self.file = open(self.path, "wb")
        self.proc = subprocess.Popen(["parec", "--raw", "--device=" + device, "--format=float32le",
                                      "--rate=%d" % RATE, "--channels=%d" % channels, "--latency-msec=20"],
                                     stdout=self.file, stderr=subprocess.PIPE, env=pulse_server.client_env())

    def frames(self):
        return os.path.getsize(self.path) // (4 * self.channels)

    def wait_frames(self, more, timeout=DEADLINE):
        target = self.frames() + more
        assert wait_until(lambda: self.frames() >= target or self.proc.poll() is not None, timeout), \
            "parec: %d of %d frames" % (self.frames(), target)

    def loud_frames(self, threshold=0.05):
        x = np.fromfile(self.path, dtype="<f4")
        x = x[:len(x) // self.channels * self.channels].reshape(-1, self.channels)
        return int(np.count_nonzero(np.abs(x).max(axis=1) > threshold))

    def wait_loud(self, frames, timeout=DEADLINE):
        """Wait until `frames` frames above the threshold were recorded (a stream may take a while
        to start: PulseAudio starts a capture that joins a running sink late)."""
        assert wait_until(lambda: self.loud_frames() >= frames or self.proc.poll() is not None, timeout,
                          interval=0.05), "parec: %d loud frames of %d" % (self.loud_frames(), frames)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()
        self.file.close()
        return np.fromfile(self.path, dtype="<f4").reshape(-1, self.channels)


def loud_part(x, threshold=0.05):
    loud = np.nonzero(np.abs(x).max(axis=1) > threshold)[0]
    assert loud.size > RATE // 4, "only %d loud frames" % loud.size
    return x[loud[0] + RATE // 20:loud[-1] - RATE // 20]


class Tone:
    """pacat playing a 1 kHz, 0.5-amplitude float tone into a sink, for `seconds`."""

    def __init__(self, pulse_server, seconds, device=None):
        self.proc = pulse_server.start_pacat(device=device)
        pcm = ps.sine_pcm(1000.0, 1.0, RATE, 2, 0.5)
        self.thread = threading.Thread(target=self._feed, args=(pcm, seconds), daemon=True)
        self.thread.start()

    def _feed(self, pcm, seconds):
        try:
            for _ in range(int(seconds)):
                self.proc.stdin.write(pcm)
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()


# ---- the example programs -------------------------------------------------------------------

PLAY_SINE = '''\
import sys

import numpy as np
import sounddevice as sd

device = sys.argv[1]
frequency, amplitude = 500.0, 0.2
start_idx = 0
samplerate = sd.query_devices(device, 'output')['default_samplerate']


def callback(outdata, frames, time, status):
    if status:
        print(status, file=sys.stderr)
    global start_idx
    t = (start_idx + np.arange(frames)) / samplerate
    t = t.reshape(-1, 1)
    outdata[:] = amplitude * np.sin(2 * np.pi * frequency * t)
    start_idx += frames


with sd.OutputStream(device=device, channels=1, callback=callback, samplerate=samplerate):
    print('#' * 80)
    print('press Return to quit')
    print('#' * 80, flush=True)
    input()
'''


def test_play_sine_reaches_the_monitor(pulse_server, tmp_path):
    """play_sine: a mono callback stream at the device's default rate; the monitor hears a 500 Hz
    sine of amplitude 0.2 on both channels."""
    rec = Parec(pulse_server, tmp_path / "mon.f32")
    try:
        rec.wait_frames(RATE // 10)
        proc = run_program(pulse_server, PLAY_SINE, "Null Output")
        wait_for_line(proc, "press Return")
        rec.wait_frames(RATE)
        out, err = proc.communicate("\n", timeout=DEADLINE)
        assert proc.returncode == 0, err
    finally:
        x = rec.stop()
    y = loud_part(x)
    for ch in range(2):
        a = analyse(y[:, ch])
        assert abs(a["freq"] - 500.0) < 1.0, a
        assert abs(a["rms"] - 0.2 / np.sqrt(2)) < 0.01, a


WIRE = '''\
import sys

import sounddevice as sd

cumulated_status = sd.CallbackFlags()


def callback(indata, outdata, frames, time, status):
    global cumulated_status
    cumulated_status |= status
    outdata[:] = indata


with sd.Stream(device=(sys.argv[1], sys.argv[2]), samplerate=None, blocksize=None, dtype=None, latency=None,
               channels=2, callback=callback):
    print('#' * 80)
    print('press Return to quit')
    print('#' * 80, flush=True)
    input()

if cumulated_status:
    print(str(cumulated_status), file=sys.stderr)
'''


def test_wire_passes_input_to_output(pulse_server, tmp_path):
    """wire: a duplex callback stream from the null sink's monitor (where pacat plays a 1 kHz tone)
    to a second null sink, whose monitor hears the tone.  Devices chosen by name substrings."""
    module = pulse_server.load_null_sink("wire_out", "Wire Out")
    tone = Tone(pulse_server, 30)
    rec = Parec(pulse_server, tmp_path / "wire.f32", device="wire_out.monitor")
    try:
        rec.wait_frames(RATE // 10)
        proc = run_program(pulse_server, WIRE, "monitor of null", "Wire Out")
        wait_for_line(proc, "press Return")
        rec.wait_loud(RATE)
        out, err = proc.communicate("\n", timeout=DEADLINE)
        assert proc.returncode == 0, err
    finally:
        x = rec.stop()
        tone.stop()
        pulse_server.unload_module(module)
    a = analyse(loud_part(x)[:, 0])
    assert abs(a["freq"] - 1000.0) < 1.0, a
    assert abs(a["rms"] - 0.5 / np.sqrt(2)) < 0.02, a


REC_UNLIMITED = '''\
import queue
import sys
import wave

import sounddevice as sd
import numpy  # Make sure NumPy is loaded before it is used in the callback
assert numpy

filename, device = sys.argv[1], sys.argv[2]
q = queue.Queue()


def callback(indata, frames, time, status):
    """This is called (from a separate thread) for each audio block."""
    if status:
        print(status, file=sys.stderr)
    q.put(indata.copy())


try:
    device_info = sd.query_devices(device, 'input')
    samplerate = int(device_info['default_samplerate'])
    with wave.open(filename, 'wb') as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(samplerate)
        with sd.InputStream(samplerate=samplerate, device=device, channels=1, dtype='int16', callback=callback):
            print('#' * 80)
            print('press Ctrl+C to stop the recording')
            print('#' * 80, flush=True)
            while True:
                file.writeframes(q.get().tobytes())
except KeyboardInterrupt:
    print('\\nRecording finished: ' + repr(filename))
    sys.exit(0)
'''


def test_record_until_ctrl_c(pulse_server, tmp_path):
    """rec_unlimited: an input callback stream queues blocks that the main thread writes to a WAV
    file until SIGINT; the file holds the 1 kHz tone pacat plays, downmixed to mono."""
    path = tmp_path / "rec.wav"
    tone = Tone(pulse_server, 30)
    try:
        time.sleep(0.2)  # (the monitor must carry the tone before the capture joins)
        proc = run_program(pulse_server, REC_UNLIMITED, path, "Monitor of Null")
        wait_for_line(proc, "press Ctrl+C")
        assert wait_until(lambda: path.stat().st_size > 2 * RATE + 44 or proc.poll() is not None, DEADLINE)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)
    finally:
        tone.stop()
    assert proc.returncode == 0, err
    assert "Recording finished" in out
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        y = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    assert len(y) >= RATE
    a = analyse(loud_part(y.reshape(-1, 1))[:, 0])
    assert abs(a["freq"] - 1000.0) < 1.0, a
    assert abs(a["rms"] - 0.5 / np.sqrt(2)) < 0.02, a


PLAY_LONG_FILE = '''\
import queue
import sys
import threading
import wave

import numpy as np
import sounddevice as sd

filename, device = sys.argv[1], sys.argv[2]
blocksize, buffersize = 2048, 20
q = queue.Queue(maxsize=buffersize)
event = threading.Event()


def callback(outdata, frames, time, status):
    assert frames == blocksize
    if status.output_underflow:
        print('Output underflow: increase blocksize?', file=sys.stderr)
        raise sd.CallbackAbort
    assert not status
    try:
        data = q.get_nowait()
    except queue.Empty as e:
        print('Buffer is empty: increase buffersize?', file=sys.stderr)
        raise sd.CallbackAbort from e
    if len(data) < len(outdata):
        outdata[:len(data)] = data
        outdata[len(data):].fill(0)
        raise sd.CallbackStop
    else:
        outdata[:] = data


with wave.open(filename) as f:
    channels, samplerate = f.getnchannels(), f.getframerate()

    def read(n):
        return np.frombuffer(f.readframes(n), dtype='<i2').reshape(-1, channels)

    for _ in range(buffersize):
        data = read(blocksize)
        if not len(data):
            break
        q.put_nowait(data)  # Pre-fill queue
    stream = sd.OutputStream(samplerate=samplerate, blocksize=blocksize, device=device, channels=channels,
                             dtype='int16', callback=callback, finished_callback=event.set)
    with stream:
        timeout = blocksize * buffersize / samplerate
        while len(data):
            data = read(blocksize)
            q.put(data, timeout=timeout)
        event.wait()  # Wait until playback is finished
print('done', flush=True)
'''


def test_play_long_file_through_a_queue(pulse_server, tmp_path):
    """play_long_file: a reader thread feeds 2048-frame blocks through a queue.Queue to a callback
    (blocksize=2048 asserted in every call); a frame-counter signal checks that every frame reached
    the monitor once, in order, to the last one."""
    frames = 3 * RATE + 1000  # not a multiple of the block size
    path = tmp_path / "counter.wav"
    path.write_bytes(counter_wav(frames))
    rec = Parec(pulse_server, tmp_path / "mon.f32")
    try:
        rec.wait_frames(RATE // 10)
        proc = run_program(pulse_server, PLAY_LONG_FILE, path, "Null Output")
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        assert out.strip() == "done" and err == "", err
        rec.wait_frames(RATE // 4)
    finally:
        x = rec.stop()
    got = counter_frames(np.round(x * 32768).astype(np.int64))
    assert np.all(np.diff(got) == 1), "frames lost or repeated"
    assert got[0] < JOIN_SKIP
    assert got[-1] == frames - 1, "the end was cut: last frame %d of %d" % (got[-1], frames)


ASYNCIO = '''\
import asyncio
import sys

import numpy as np
import sounddevice as sd


async def inputstream_generator(channels=1, **kwargs):
    """Generator that yields blocks of input data as NumPy arrays."""
    q_in = asyncio.Queue()
    loop = asyncio.get_event_loop()

    def callback(indata, frame_count, time_info, status):
        loop.call_soon_threadsafe(q_in.put_nowait, (indata.copy(), status))

    stream = sd.InputStream(callback=callback, channels=channels, **kwargs)
    with stream:
        while True:
            indata, status = await q_in.get()
            yield indata, status


async def print_input_infos(**kwargs):
    async for indata, status in inputstream_generator(**kwargs):
        if status:
            print(status)
        print('min:', indata.min(), '\\t', 'max:', indata.max(), flush=True)


async def play_buffer(buffer, **kwargs):
    loop = asyncio.get_event_loop()
    event = asyncio.Event()
    idx = 0

    def callback(outdata, frame_count, time_info, status):
        nonlocal idx
        if status:
            print(status)
        remainder = len(buffer) - idx
        if remainder == 0:
            loop.call_soon_threadsafe(event.set)
            raise sd.CallbackStop
        valid_frames = frame_count if remainder >= frame_count else remainder
        outdata[:valid_frames] = buffer[idx:idx + valid_frames]
        outdata[valid_frames:] = 0
        idx += valid_frames

    stream = sd.OutputStream(callback=callback, dtype=buffer.dtype, channels=buffer.shape[1], **kwargs)
    with stream:
        await event.wait()


async def main():
    try:
        await asyncio.wait_for(print_input_infos(device=sys.argv[1]), timeout=5)
    except asyncio.TimeoutError:
        pass
    t = np.arange(2 * 48000) / 48000
    buffer = (0.3 * np.sin(2 * np.pi * 440 * t)).astype('float32').reshape(-1, 1)
    print('playing buffer ...', flush=True)
    await play_buffer(buffer, device=sys.argv[2], samplerate=48000)
    print('done', flush=True)


asyncio.run(main())
'''


def test_asyncio_generator_and_coroutine(pulse_server, tmp_path):
    """The asyncio examples: an async generator of input blocks fed by loop.call_soon_threadsafe
    from the callback (its min/max show pacat's 0.5-amplitude tone), then a coroutine that plays a
    buffer and awaits an asyncio.Event set from the callback (the monitor hears the 440 Hz)."""
    tone = Tone(pulse_server, 30)
    rec = None
    try:
        time.sleep(0.2)
        proc = run_program(pulse_server, ASYNCIO, "Monitor of Null", "Null Output")
        lines = wait_for_line(proc, "playing buffer")
        tone.stop()
        rec = Parec(pulse_server, tmp_path / "mon.f32")
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        assert out.strip().endswith("done")
    finally:
        tone.stop()
        x = rec.stop() if rec is not None else None
    infos = [line.split() for line in lines if line.startswith("min:")]
    assert len(infos) >= 5, lines
    # (the first blocks may be silent: PulseAudio starts a capture that joins a running sink late)
    loud = [(float(i[1]), float(i[-1])) for i in infos if float(i[-1]) > 0.1]
    assert len(loud) >= 3, lines
    assert all(0.45 < hi < 0.55 and -0.55 < lo < -0.45 for lo, hi in loud), loud
    a = analyse(loud_part(x)[:, 0])
    assert abs(a["freq"] - 440.0) < 1.0, a
    assert abs(a["rms"] - 0.3 / np.sqrt(2)) < 0.02, a


# ---- the device table and dicts --------------------------------------------------------------

LINE = re.compile(r"^(?P<mark>[ ><*]) +(?P<idx>\d+) (?P<name>.+), (?P<api>[^,]+) \((?P<ins>\d+) in, (?P<outs>\d+) out\)$")


def test_device_table_and_dicts_pulse(pulse_defaults):
    table = sd.query_devices()
    assert isinstance(table, sd.DeviceList) and isinstance(table, tuple)
    lines = repr(table).split("\n")
    assert str(table) == repr(table)
    assert len(lines) == len(table)
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    by_name = {m["name"]: m for m in parsed}
    assert by_name["Null Output"]["mark"] == "<"
    assert by_name["Null Output"]["api"] == "PulseAudio"
    assert (by_name["Null Output"]["ins"], by_name["Null Output"]["outs"]) == ("0", "2")
    assert by_name["Monitor of Null Output"]["mark"] == ">"
    assert (by_name["Monitor of Null Output"]["ins"], by_name["Monitor of Null Output"]["outs"]) == ("2", "0")
    for i, info in enumerate(table):
        assert list(info) == DEVICE_KEYS
        assert info["index"] == i and int(parsed[i]["idx"]) == i
        assert isinstance(info["default_samplerate"], float) and info["default_samplerate"] == 48000.0
        assert all(isinstance(info[k], float) for k in DEVICE_KEYS if "latency" in k)
    out = sd.query_devices(kind="output")
    assert out["name"] == "Null Output"
    assert sd.query_devices("monitor")["name"] == "Monitor of Null Output"
    assert sd.query_devices("null pulse", "output")["name"] == "Null Output"  # parts in order, host API last
    apis = sd.query_hostapis()
    assert isinstance(apis, tuple) and len(apis) == 1
    assert list(apis[0]) == ["name", "devices", "default_input_device", "default_output_device"]
    assert apis[0]["name"] == "PulseAudio"
    assert apis[0]["devices"] == list(range(len(table)))
    assert apis[0]["default_output_device"] == out["index"]
    assert sd.query_hostapis(0) == apis[0]
    assert sd.default.hostapi == 0


def test_device_table_null_backend(null_defaults):
    assert repr(sd.query_devices()) == ("< 0 NULL Playback Device, Null (0 in, 2 out)\n"
                                        "> 1 NULL Capture Device, Null (2 in, 0 out)")
    sd.default.device = 1, None
    assert repr(sd.query_devices()).startswith("< 0")
    sd.default.device = 0
    assert sd.default.device == [0, 0]
    # an index is taken as it is for both kinds, as sounddevice does: "*" marks it
    assert repr(sd.query_devices()).splitlines() == ["* 0 NULL Playback Device, Null (0 in, 2 out)",
                                                     "  1 NULL Capture Device, Null (2 in, 0 out)"]


def test_default_object(null_defaults):
    d = sd.default
    assert d is miniaudio.default
    assert d.dtype == ["float32", "float32"] and d.latency == ["high", "high"] and d.channels == [None, None]
    assert (d.samplerate, d.blocksize, d.clip_off, d.dither_off, d.never_drop_input,
            d.prime_output_buffers_using_stream_callback) == (None, 0, False, False, False, False)
    d.channels = 1, 2
    assert d.channels == [1, 2] and d.channels["input"] == 1 and d.channels["output"] == 2
    d.dtype = "int16"
    assert d.dtype == ["int16", "int16"]
    with pytest.raises(AttributeError):
        d.bogus = 1
    with pytest.raises(AttributeError):
        d.hostapi = 1
    d.reset()
    assert d.channels == [None, None] and d.dtype == ["float32", "float32"] and d.backends is None


# ---- streams on the NULL backend ----------------------------------------------------------------

def test_stream_attributes_and_states(null_defaults):
    calls, finished = [], []

    def callback(outdata, frames, time, status):
        assert outdata.shape == (frames, 2) and outdata.dtype == np.float32
        assert isinstance(status, sd.CallbackFlags)
        assert time.currentTime > 0
        calls.append(frames)
        outdata.fill(0)
        if len(calls) == 3:
            raise sd.CallbackStop

    s = sd.OutputStream(samplerate=44100, channels=2, callback=callback, finished_callback=lambda: finished.append(1))
    assert (s.samplerate, s.channels, s.dtype, s.samplesize, s.blocksize, s.device) == (44100.0, 2, "float32", 4, 0, 0)
    assert (s.active, s.stopped, s.closed) == (False, True, False)
    assert isinstance(s.latency, float) and s.latency > 0
    s.start()
    assert wait_until(lambda: finished, DEADLINE)
    assert (s.active, s.stopped) == (False, False)  # ended by its callback: not "stopped", as PortAudio
    assert len(calls) == 3 and finished == [1]
    assert s.cpu_load >= 0.0 and s.time > 0
    s.stop()
    assert s.stopped and finished == [1]  # finished_callback once
    s.close()
    assert s.closed and not s.active


@pytest.mark.parametrize("blocksize", [256, 1000])
def test_fixed_blocksize_duplex(null_defaults, blocksize):
    sizes = []

    def callback(indata, outdata, frames, time, status):
        sizes.append((frames, indata.shape, outdata.shape))
        outdata[:] = indata
        if len(sizes) == 20:
            raise sd.CallbackStop

    done = threading.Event()
    with sd.Stream(samplerate=48000, blocksize=blocksize, channels=(1, 2), dtype=("int16", "float32"),
                   callback=callback, finished_callback=done.set) as s:
        assert s.channels == (1, 2) and s.dtype == ("int16", "float32") and s.device == (1, 0)
        assert done.wait(DEADLINE)
    assert set(sizes) == {(blocksize, (blocksize, 1), (blocksize, 2))}


def test_raw_streams_use_buffers_and_int8(null_defaults):
    got = []

    def callback(indata, frames, time, status):
        got.append((type(indata), len(indata), frames))
        raise sd.CallbackStop

    done = threading.Event()
    with sd.RawInputStream(samplerate=8000, channels=2, dtype="int8", callback=callback, finished_callback=done.set):
        assert done.wait(DEADLINE)
    kind, nbytes, frames = got[0]
    assert kind is memoryview and nbytes == 2 * frames
    with sd.RawInputStream(samplerate=8000, channels=1, dtype="int8", blocksize=100) as s:
        data, overflowed = s.read(100)
    assert isinstance(data, memoryview) and len(data) == 100 and overflowed is False
    # (what the NULL backend records in uint8 is not checked: its first period is 128, later ones 0)
    with sd.InputStream(samplerate=8000, channels=2, dtype="uint8") as s:
        data, overflowed = s.read(50)
    assert data.shape == (50, 2) and data.dtype == np.uint8 and overflowed is False


def test_blocking_write_read(null_defaults):
    with sd.OutputStream(samplerate=48000, channels=2, dtype="int16") as s:
        assert s.write_available > 0
        assert s.write(np.zeros((4800, 2), np.int16)) in (True, False)
    with sd.RawOutputStream(samplerate=48000, channels=1, dtype="int24") as s:
        assert s.write(bytes(3 * 480)) in (True, False)
    with sd.Stream(samplerate=48000, channels=2) as s:
        data, overflowed = s.read(480)
        assert data.shape == (480, 2) and data.dtype == np.float32
        s.write(data)
        assert s.read_available >= 0


def test_check_settings(null_defaults):
    assert sd.check_output_settings(channels=2, dtype="int16", samplerate=44100) is None
    assert sd.check_input_settings(device="null capture") is None
    with pytest.raises(ValueError, match="Invalid input sample format"):
        sd.check_input_settings(dtype="float64")
    with pytest.raises(sd.PortAudioError, match="Invalid sample rate"):
        sd.check_output_settings(samplerate=0)
    with pytest.raises(ValueError, match="No output device matching"):
        sd.check_output_settings(device="speakers")


def test_module_names():
    for name in sd.__all__:
        assert hasattr(sd, name), name
    assert issubclass(sd.PortAudioError, miniaudio.MiniaudioError)
    assert sd.CallbackStop is miniaudio.CallbackStop and sd.CallbackAbort is miniaudio.CallbackAbort
    assert sd.play is miniaudio.play and sd.default is miniaudio.default
    number, text = sd.get_portaudio_version()
    assert number == 1125 and "0.11.25" in text
    sd.AsioSettings([0, 1]), sd.CoreAudioSettings(channel_map=[0]), sd.WasapiSettings(exclusive=True)
    t0 = time.monotonic()
    sd.sleep(50)
    assert time.monotonic() - t0 >= 0.05


# ---- bad input: sounddevice's exception types ---------------------------------------------------

def _bad(null_defaults_unused=None):
    return [
        ("unknown device name", lambda: sd.OutputStream(device="speakers"), ValueError, "No output device matching"),
        ("unknown device index", lambda: sd.OutputStream(device=99), sd.PortAudioError, "Error querying device 99"),
        ("input device for output", lambda: sd.query_devices(1, "output"), ValueError, "Not an output device"),
        ("bad kind", lambda: sd.query_devices(kind="both"), ValueError, "Invalid kind"),
        ("stream dtype float64", lambda: sd.OutputStream(dtype="float64"), ValueError, "Invalid output sample format"),
        ("stream dtype bogus", lambda: sd.InputStream(dtype="bogus"), ValueError, "Invalid input sample format"),
        ("int24 numpy stream", lambda: sd.OutputStream(dtype="int24"), ValueError, "int24"),
        ("play complex", lambda: sd.play(np.zeros(10, np.complex64), 8000), TypeError, "Unsupported data type"),
        ("rec int64", lambda: sd.rec(10, 8000, channels=1, dtype="int64"), TypeError, "Unsupported data type"),
        ("play 3-D", lambda: sd.play(np.zeros((2, 2, 2), np.float32)), ValueError, "one- or two-dimensional"),
        ("samplerate 0", lambda: sd.OutputStream(samplerate=0), sd.PortAudioError, "Invalid sample rate"),
        ("play samplerate 0", lambda: sd.play(np.zeros(10, np.float32), 0), sd.PortAudioError, "Invalid sample rate"),
        ("samplerate nan", lambda: sd.InputStream(samplerate=float("nan")), sd.PortAudioError, "Invalid sample rate"),
        ("samplerate str", lambda: sd.InputStream(samplerate="44100"), TypeError, "samplerate"),
        ("negative blocksize", lambda: sd.OutputStream(blocksize=-1), OverflowError, "blocksize"),
        ("channels 0", lambda: sd.OutputStream(channels=0), sd.PortAudioError, "Invalid number of channels"),
        ("input channels on output device", lambda: sd.InputStream(device=0), sd.PortAudioError,
         "Invalid number of channels"),
        ("callback not callable", lambda: sd.OutputStream(callback=1), TypeError, "callback"),
        ("rec without frames", lambda: sd.rec(), TypeError, "frames must be specified"),
        ("rec frames float", lambda: sd.rec(1.5, channels=1), TypeError, "'frames' must be an integer"),
        ("mapping 0", lambda: sd.play(np.zeros(10, np.float32), 8000, mapping=[0]), ValueError,
         "channel numbers must not be < 1"),
        ("mapping size", lambda: sd.play(np.zeros((10, 2), np.float32), 8000, mapping=[1]), ValueError,
         "number of output channels != size of output mapping"),
        ("mapping twice", lambda: sd.play(np.zeros((10, 2), np.float32), 8000, mapping=[1, 1]), ValueError,
         "each channel may only appear once"),
        ("playrec lengths", lambda: sd.playrec(np.zeros(10, np.float32), 8000, out=np.zeros((5, 1), np.float32)),
         ValueError, "len(data) != len(out)"),
        ("pair of three", lambda: sd.Stream(channels=(1, 2, 3)), ValueError, "Only single values and pairs"),
    ]


@pytest.mark.parametrize("case", range(len(_bad())), ids=[c[0] for c in _bad()])
def test_bad_input(null_defaults, case):
    _, fn, exc, text = _bad()[case]
    with pytest.raises(exc) as info:
        fn()
    assert text in str(info.value), str(info.value)


def test_bad_stream_use(null_defaults):
    out = sd.OutputStream(samplerate=8000, channels=2)
    with pytest.raises(AttributeError):
        out.read(10)  # as sounddevice: an output stream has no read()
    with pytest.raises(sd.PortAudioError, match="Stream is stopped"):
        out.write(np.zeros((10, 2), np.float32))
    out.start()
    with pytest.raises(ValueError, match="number of channels must match"):
        out.write(np.zeros((10, 3), np.float32))
    with pytest.raises(TypeError, match="dtype mismatch: 'float64' vs 'float32'"):
        out.write(np.zeros((10, 2)))
    with pytest.raises(TypeError, match="C-contiguous"):
        out.write(np.zeros((2, 10), np.float32).T)
    out.close()
    raw = sd.RawOutputStream(samplerate=8000, channels=2, dtype="int16")
    raw.start()
    with pytest.raises(ValueError, match="len\\(data\\) not divisible by samplesize"):
        raw.write(b"\0" * 5)
    with pytest.raises(ValueError, match="Number of samples not divisible by channels"):
        raw.write(b"\0" * 6)
    raw.close()
    cb = sd.InputStream(samplerate=8000, channels=1, callback=lambda *a: None)
    cb.start()
    with pytest.raises(sd.PortAudioError, match="Can not read from a callback stream"):
        cb.read(10)
    cb.close()
    with pytest.raises(AttributeError):
        sd.InputStream(samplerate=8000, channels=1).write
    with sd.RawInputStream(samplerate=8000, channels=1) as raw_in:
        with pytest.raises(ValueError, match="negative"):
            raw_in.read(-1)
