"""Processed streams: stream.then(*processors), the live stage of the processors (pull_dsp.c).

What a user checks: the frames of a processed stream read with next()/send() are, bit for bit, the
processors' offline process() on the source's whole output (float32 and int16 sources, mono and
stereo, raw PCM, a chain() of two sources, a Waveform); a device on the NULL backend plays one to its
end and stops by itself; on the PulseAudio null sink a 1 kHz + 8 kHz tone through LowPass(2000,
order=4) comes back from the monitor with the 8 kHz component down by the filter's designed amount
(computed from the filter's own impulse response), also after the cutoff is changed from another
thread while it plays; bad input is refused with exceptions that name the argument; closing or
dropping the processed stream frees the processors and the source.
"""

import array
import gc
import io
import threading
import wave
import weakref

import numpy as np
import pytest

import helpers
import miniaudio
from miniaudio import Backend, SampleFormat as SF

RATE = 48000
NULL = [Backend.NULL]


# ---- inputs, written here ------------------------------------------------------------------------

def noise(frames, nchannels, seed=1, amp=0.4):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-amp, amp, (frames, nchannels))).astype(np.float32)


def wav_bytes(x, rate=RATE):
    """A 16-bit WAV of float samples x (frames, channels)."""
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(x.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def read_all(stream, sizes=None):
    """Every frame of `stream` as (frames, channels): next() chunks, or send(n) cycling `sizes`."""
    chunks, i = [], 0
    while True:
        try:
            chunk = next(stream) if sizes is None else stream.send(sizes[i % len(sizes)])
        except StopIteration:
            break
        i += 1
        chunks.append(np.frombuffer(chunk, dtype=DTYPES[stream.sample_format]).copy())
    flat = np.concatenate(chunks) if chunks else np.zeros(0, DTYPES[stream.sample_format])
    return flat.reshape(-1, stream.nchannels)


DTYPES = {SF.FLOAT32: np.float32, SF.SIGNED16: np.int16, SF.SIGNED32: np.int32, SF.UNSIGNED8: np.uint8}


def make_procs(nchannels):
    """Fresh processors (several kinds; Pan only for stereo), a new set at each call."""
    procs = [miniaudio.LowPass(2000, 4), miniaudio.PeakingEQ(1000, 6, 1.5), miniaudio.HighPass(150, 3),
             miniaudio.Delay(0.004, 0.5, 0.7, 0.9), miniaudio.Gain(-4.5), miniaudio.Fade(0.2, 1.0, 0.05),
             miniaudio.Biquad(0.5, 0.25, 0.125, 1.0, -0.2, 0.05)]
    if nchannels == 2:
        procs.append(miniaudio.Pan(0.3))
    return procs


def offline(procs, x, rate):
    """The processors' offline process() over the whole output x, in order, in float32 (the live
    stage converts an integer source to float32 once, runs every processor, converts back)."""
    if x.dtype == np.int16:
        y = x.astype(np.float32) / np.float32(32768.0)
    else:
        y = x.copy()
    for p in procs:
        y = p.process(miniaudio.DecodedSoundFile("x", x.shape[1], rate, SF.FLOAT32,
                                                 array.array("f", y.astype(np.float32).tobytes())))
        y = np.frombuffer(y.samples, dtype=np.float32).reshape(x.shape)
    if x.dtype == np.int16:
        v = y * np.float32(32768.0)
        return np.clip(np.rint(v), -32768, 32767).astype(np.int16)
    return y


SOURCES = {
    # name -> (make the source stream (frames_to_read), its sample rate)
    "f32-stereo": (lambda ftr: miniaudio.stream_memory(wav_bytes(noise(9000, 2)), SF.FLOAT32, 2, RATE, ftr), RATE),
    "f32-mono": (lambda ftr: miniaudio.stream_memory(wav_bytes(noise(7001, 1, 2)), SF.FLOAT32, 1, RATE, ftr), RATE),
    "s16-stereo": (lambda ftr: miniaudio.stream_memory(wav_bytes(noise(8000, 2, 3)), SF.SIGNED16, 2, 44100, ftr),
                   44100),
    "s16-mono": (lambda ftr: miniaudio.stream_memory(wav_bytes(noise(6000, 1, 4, amp=0.95)), SF.SIGNED16, 1, RATE,
                                                     ftr), RATE),
    "chain": (lambda ftr: miniaudio.chain(
        miniaudio.stream_memory(wav_bytes(noise(3000, 2, 5)), SF.FLOAT32, 2, RATE),
        miniaudio.stream_memory(wav_bytes(noise(4100, 2, 6)), SF.FLOAT32, 2, RATE), frames_to_read=ftr), RATE),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("ftr", [1, 333, 1024, 5000])
def test_processed_equals_offline_process(name, ftr):
    make, rate = SOURCES[name]
    plain = read_all(make(1024))
    procs = make_procs(plain.shape[1])
    src = make(ftr)
    processed = src.then(*procs)
    assert (processed.sample_format, processed.nchannels, processed.sample_rate, processed.frames_to_read) == (
        src.sample_format, src.nchannels, src.sample_rate, ftr)
    got = read_all(processed)
    want = offline(make_procs(plain.shape[1]), plain, rate)
    assert got.shape == plain.shape
    assert got.dtype == want.dtype
    assert np.array_equal(got, want), "first difference at %s" % (np.argwhere(got != want)[:3],)
    assert not np.array_equal(got, plain)
    # position and length follow the source, which the processed stream ended with
    assert processed.position == len(plain)
    assert processed.length == len(plain)


def test_send_sizes_and_single_processor_on_int16_equal_process():
    """A single processor on an int16 source: exactly process() of the int16 array."""
    x = noise(10000, 2, 7, amp=0.9)
    plain = read_all(miniaudio.stream_memory(wav_bytes(x), SF.SIGNED16, 2, RATE))
    processed = miniaudio.stream_memory(wav_bytes(x), SF.SIGNED16, 2, RATE).then(miniaudio.PeakingEQ(3000, 9, 0.7))
    got = read_all(processed, sizes=[1, 17, 4096, 999, 2])
    want = miniaudio.PeakingEQ(3000, 9, 0.7, sample_rate=RATE).process(plain)
    assert np.array_equal(got, want)


def test_raw_pcm_source():
    """stream_raw_pcm_memory (memoryview chunks) processed: bytes chunks, the same frames as
    process(); a partial last frame (only the raw stream's next() gives it) is not counted."""
    x = noise(5000, 2, 8)
    raw = array.array("f", x.tobytes())
    lp = miniaudio.LowPass(3000, 2, sample_rate=RATE)
    processed = miniaudio.stream_raw_pcm_memory(raw, 2, 4, frames_to_read=700).then(lp)
    assert processed.sample_rate is None
    assert processed.length == 5000
    chunk = next(processed)
    assert isinstance(chunk, bytes) and len(chunk) == 700 * 8
    rest = read_all(processed)
    got = np.concatenate([np.frombuffer(chunk, np.float32).reshape(-1, 2), rest])
    assert np.array_equal(got, miniaudio.LowPass(3000, 2, sample_rate=RATE).process(x))
    s16 = np.round(x * 20000).astype(np.int16).tobytes()
    partial = miniaudio.stream_raw_pcm_memory(s16 + b"\1\2", 2, 2)
    assert partial.length == 5001  # the raw stream counts its partial last frame (next() gives it)
    p3 = partial.then(miniaudio.Gain(-6, sample_rate=RATE))
    assert p3.length == 5000  # not a frame the processed stream gives
    assert len(read_all(p3)) == 5000


def test_waveform_source():
    w1 = miniaudio.Waveform("sine", 440.0, 0.8, RATE, 2, SF.FLOAT32)
    w2 = miniaudio.Waveform("sine", 440.0, 0.8, RATE, 2, SF.FLOAT32, frames_to_read=500)
    plain = np.frombuffer(w1.send(12000), np.float32).reshape(-1, 2)
    procs = [miniaudio.Delay(0.01, 0.6), miniaudio.Gain(-3), miniaudio.Pan(-0.5)]
    processed = w2.then(*procs)
    assert processed.length is None
    got = np.concatenate([np.frombuffer(next(processed), np.float32).reshape(-1, 2) for _ in range(24)])
    assert np.array_equal(got, offline([miniaudio.Delay(0.01, 0.6), miniaudio.Gain(-3), miniaudio.Pan(-0.5)],
                                       plain, RATE))
    assert processed.position == 12000


def test_seek_resets_processors_and_position_follows():
    x = noise(6000, 2, 9)
    src = miniaudio.stream_memory(wav_bytes(x), SF.FLOAT32, 2, RATE)
    processed = src.then(miniaudio.Delay(0.02, 0.7), miniaudio.LowPass(1000, 6))
    first = read_all(processed)
    assert processed.seek(0) == 0
    assert processed.position == 0
    again = read_all(processed)
    assert np.array_equal(first, again)  # the delay line and filters started again
    processed.seek(2500)
    tail = read_all(processed)
    plain = read_all(miniaudio.stream_memory(wav_bytes(x), SF.FLOAT32, 2, RATE))
    assert np.array_equal(tail, offline([miniaudio.Delay(0.02, 0.7), miniaudio.LowPass(1000, 6)], plain[2500:], RATE))
    with pytest.raises(ValueError, match="6000 frames"):
        processed.seek(6001)


def test_processed_stream_in_a_chain_and_processed_twice():
    x = noise(4000, 2, 10)
    a = miniaudio.stream_memory(wav_bytes(x), SF.FLOAT32, 2, RATE).then(miniaudio.Gain(-6))
    b = miniaudio.stream_memory(wav_bytes(x), SF.FLOAT32, 2, RATE).then(miniaudio.LowPass(500)).then(
        miniaudio.Gain(6))
    got = read_all(miniaudio.chain(a, b))
    plain = read_all(miniaudio.stream_memory(wav_bytes(x), SF.FLOAT32, 2, RATE))
    want = np.concatenate([offline([miniaudio.Gain(-6)], plain, RATE),
                           offline([miniaudio.LowPass(500), miniaudio.Gain(6)], plain, RATE)])
    assert np.array_equal(got, want)


def test_playlist_cannot_hold_itself_through_a_processed_stream():
    pl = miniaudio.Playlist(output_format=SF.FLOAT32, nchannels=2, sample_rate=RATE)
    pl.append(miniaudio.stream_memory(wav_bytes(noise(100, 2)), SF.FLOAT32, 2, RATE))
    processed = pl.then(miniaudio.Gain(-1))
    with pytest.raises(ValueError, match="itself"):
        pl.append(processed)  # reading pl would read processed, which reads pl: refused
    processed.close()


# ---- a device on the NULL backend ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [SF.FLOAT32, SF.SIGNED16])
def test_null_device_plays_a_processed_stream_to_its_end(fmt):
    frames = 24000
    src = miniaudio.stream_memory(wav_bytes(noise(frames, 2, 11)), fmt, 2, RATE)
    lp, gain = miniaudio.LowPass(2000, 4), miniaudio.Gain(-6)
    processed = src.then(lp, gain)
    with miniaudio.PlaybackDevice(output_format=fmt, nchannels=2, sample_rate=RATE, backends=NULL,
                                  buffersize_msec=20) as dev:
        dev.start(processed)
        assert dev.wait(timeout=30), "the device did not stop by itself"
        assert not dev.running
        assert dev.stats.frames >= frames
    assert processed.position == frames
    assert processed.length == frames
    with pytest.raises(StopIteration):
        next(processed)  # ended (seek() would rewind it)
    processed.close()
    assert src.position == frames
    with pytest.raises(StopIteration):
        next(src)  # the source, unclaimed, is at its end too
    assert not lp.attached and not gain.attached


# ---- bad input ---------------------------------------------------------------------------------------

def _src(nchannels=2, rate=RATE):
    return miniaudio.stream_memory(wav_bytes(noise(500, nchannels)), SF.FLOAT32, nchannels, rate)


def test_bad_input():
    s = _src()
    with pytest.raises(TypeError, match="argument 2 must be a processor"):
        s.then(miniaudio.Gain(0), "loud")
    with pytest.raises(TypeError, match="at least one processor"):
        s.then()
    lp = miniaudio.LowPass(1000)
    first = _src().then(lp)
    with pytest.raises(ValueError, match=r"argument 2: this LowPass is already attached to another processed"):
        s.then(miniaudio.Gain(0), lp)
    g = miniaudio.Gain(0)
    with pytest.raises(ValueError, match="argument 2 is the same Gain as argument 1"):
        s.then(g, g)
    assert not g.attached
    with pytest.raises(ValueError, match=r"argument 1: this Gain has nchannels=1, the stream has 2 channels"):
        s.then(miniaudio.Gain(-1, nchannels=1))
    with pytest.raises(ValueError, match=r"argument 1: Pan: nchannels must be 2"):
        _src(nchannels=1).then(miniaudio.Pan(0.1))
    with pytest.raises(ValueError, match=r"argument 1: this LowPass has sample_rate=44100, the stream's is 48000"):
        s.then(miniaudio.LowPass(1000, sample_rate=44100))
    with pytest.raises(ValueError, match=r"argument 1: LowPass: cutoff"):
        s.then(miniaudio.LowPass(30000))  # at or above the stream's Nyquist frequency
    unbound, ok = miniaudio.LowPass(1000), miniaudio.Gain(0, sample_rate=RATE)
    with pytest.raises(ValueError, match="argument 2: LowPass needs the sample rate"):
        miniaudio.stream_raw_pcm_memory(array.array("h", bytes(400)), 2, 2).then(ok, unbound)
    # a refused then() binds nothing
    assert unbound.nchannels is None and unbound.sample_rate is None and ok.nchannels is None
    # nothing was taken by the refusals: the stream is still usable and free
    assert len(next(s)) > 0
    s.seek(0)
    # a closed, claimed or finished source
    closed = _src()
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        closed.then(miniaudio.Gain(0))
    held = _src()
    holder = miniaudio.chain(held)  # noqa: F841 (holds `held` while it lives)
    with pytest.raises(RuntimeError, match="already played"):
        held.then(miniaudio.Gain(0))
    src = _src()
    processed = src.then(miniaudio.Gain(0))
    with pytest.raises(RuntimeError, match="already played"):
        src.then(miniaudio.Gain(0))
    # the processed stream's source cannot be used meanwhile
    with pytest.raises(RuntimeError):
        next(src)
    processed.close()
    ended = _src()
    read_all(ended)
    with pytest.raises(ValueError, match="already ended"):
        ended.then(miniaudio.Gain(0))
    # a stream over a Python file object needs the GIL for its reads
    anystream = miniaudio.stream_any(io.BytesIO(wav_bytes(noise(100, 2))), output_format=SF.FLOAT32)
    with pytest.raises(ValueError, match="stream_any"):
        anystream.then(miniaudio.Gain(0))
    assert len(next(anystream)) > 0
    with pytest.raises(ValueError, match="unknown sample format"):
        miniaudio.stream_raw_pcm_memory(bytes(800), 2, 4).then(miniaudio.Gain(0))
    # process() refuses an attached processor
    with pytest.raises(RuntimeError, match="attached"):
        lp.process(np.zeros((10, 2), np.float32))
    first.close()


# ---- life: closing frees, GC frees -------------------------------------------------------------------

def test_close_frees_processors_and_source_for_reuse():
    src = _src()
    lp, g = miniaudio.LowPass(1000), miniaudio.Gain(-3)
    processed = src.then(lp, g)
    assert lp.attached and g.attached
    next(processed)
    processed.close()
    assert not lp.attached and not g.attached
    assert src.position == 500  # the 500-frame source, read in one 1024-frame chunk
    src.seek(0)
    again = src.then(lp, g)  # the same processors, the same source: free again
    assert lp.attached
    again.close()
    lp.process(np.zeros((10, 2), np.float32))  # usable offline again
    with _src().then(miniaudio.Gain(0)) as p:  # a context manager closes it
        next(p)
    assert p.closed


def test_dropped_processed_stream_releases_everything():
    src = _src()
    lp = miniaudio.LowPass(1000)
    processed = src.then(lp)
    ref = weakref.ref(processed)
    del processed
    gc.collect()
    assert ref() is None
    assert not lp.attached
    assert len(next(src)) > 0  # unclaimed
    # dropped together with its source (numpy chunks: a wrapper held by both)
    src2 = miniaudio.stream_memory(wav_bytes(noise(100, 2)), SF.FLOAT32, 2, RATE, chunk_type="numpy")
    g = miniaudio.Gain(0)
    p2 = src2.then(g)
    assert next(p2).shape == (100, 2)
    ref2, src_ref = weakref.ref(p2), weakref.ref(src2)
    del p2, src2
    gc.collect()
    assert ref2() is None and src_ref() is None
    assert not g.attached


# ---- parameter changes from another thread while a device plays (NULL backend) -----------------------

def test_parameter_changes_while_a_null_device_plays():
    """Another thread sweeps the cutoff and the gain while the device pulls the processed stream: no
    crash, no refusal, every frame played, and the last values are the processors' values."""
    frames = 3 * RATE
    src = miniaudio.stream_memory(wav_bytes(noise(frames, 2, 12)), SF.FLOAT32, 2, RATE)
    lp, gain = miniaudio.LowPass(2000, 4), miniaudio.Gain(-6)
    processed = src.then(lp, gain)
    changes = []

    def sweep():
        i = 0
        while processed.position < frames // 2 or i < 100:
            lp.cutoff = 500 + (i % 40) * 400
            gain.db = -(i % 12)
            changes.append(i)
            i += 1
            if i > 100000:
                break

    with miniaudio.PlaybackDevice(output_format=SF.FLOAT32, nchannels=2, sample_rate=RATE, backends=NULL,
                                  buffersize_msec=10) as dev:
        dev.start(processed)
        t = threading.Thread(target=sweep)
        t.start()
        t.join(30)
        assert dev.wait(timeout=30)
    assert len(changes) >= 100
    assert processed.position == frames
    processed.close()
    assert lp.cutoff == 500 + ((len(changes) - 1) % 40) * 400


# ---- on a sound server: the PulseAudio null sink's monitor ------------------------------------------

TONE_AMP = 0.25


def two_tones(seconds):
    """1 kHz + 8 kHz, TONE_AMP each, stereo float32 at 48 kHz (both whole periods in 48 frames)."""
    n = np.arange(int(seconds * RATE), dtype=np.float64)
    x = TONE_AMP * np.sin(2 * np.pi * 1000 * n / RATE) + TONE_AMP * np.sin(2 * np.pi * 8000 * n / RATE)
    return np.repeat(x.astype(np.float32)[:, None], 2, axis=1)


def designed_gain(cutoff, freq, order=4):
    """|H(freq)| of LowPass(cutoff, order) at 48 kHz, from its own impulse response."""
    impulse = np.zeros(1 << 15, np.float32)
    impulse[0] = 1.0
    h = miniaudio.LowPass(cutoff, order, sample_rate=RATE, nchannels=1).process(impulse).astype(np.float64)
    return abs(np.sum(h * np.exp(-2j * np.pi * freq * np.arange(len(h)) / RATE)))


def tone_amplitude(y, freq):
    """The amplitude of the `freq` component of y (a whole number of its periods long)."""
    n = np.arange(len(y))
    return 2.0 / len(y) * abs(np.sum(y * np.exp(-2j * np.pi * freq * n / RATE)))


def record_processed(pulse_server, tmp_path, processed, during=None):
    """Plays `processed` on the null sink (float32 stereo 48 kHz) while parec records the monitor;
    `during(processed)` runs on this thread while it plays.  The recording, float, (frames, 2)."""
    from test_devices_pulse import DEADLINE, MonitorRecorder, open_playback

    with open_playback(fmt=SF.FLOAT32) as playback:
        rec = MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(RATE // 10)  # parec's first bytes come late (the idle sink's latency)
            playback.start(processed)
            if during is not None:
                during(processed)
            assert playback.wait(timeout=DEADLINE)
            rec.wait_frames(RATE // 4)
        finally:
            x = rec.stop()
    return x.astype(np.float64) / 32768.0


def tone_start(x):
    loud = np.nonzero(np.abs(x[:, 0]) > 0.05)[0]
    assert loud.size, "no tone in the recording"
    return int(loud[0])


def check_tones(w, cutoff, what):
    """The 1 kHz component of the window w at its designed gain (0.2 dB), the 8 kHz one down from it
    by the designed amount (0.5 dB)."""
    a1, a8 = tone_amplitude(w[:, 0], 1000), tone_amplitude(w[:, 0], 8000)
    h1, h8 = designed_gain(cutoff, 1000), designed_gain(cutoff, 8000)
    got_db, want_db = 20 * np.log10(a8 / a1), 20 * np.log10(h8 / h1)
    gain1_db = 20 * np.log10(a1 / TONE_AMP)
    print("%s: 1 kHz at %.3f dB (designed %.3f), 8 kHz %.2f dB below it (designed %.2f)"
          % (what, gain1_db, 20 * np.log10(h1), -got_db, -want_db))
    assert abs(gain1_db - 20 * np.log10(h1)) < 0.2, what
    assert abs(got_db - want_db) < 0.5, what
    assert np.allclose(w[:, 0], w[:, 1], atol=2 / 32768), what  # both channels alike
    return got_db


def test_live_lowpass_on_the_null_sink(pulse_server, tmp_path):
    """A 1 kHz + 8 kHz tone through LowPass(2000, order=4) played by a PlaybackDevice: the monitor
    shows the 8 kHz component down by the filter's designed amount (about 50 dB)."""
    x = two_tones(3.0)
    src = miniaudio.stream_raw_pcm_memory(array.array("f", x.tobytes()), 2, 4)
    lp = miniaudio.LowPass(2000, order=4, sample_rate=RATE)
    y = record_processed(pulse_server, tmp_path, src.then(lp))
    start = tone_start(y)
    w = y[start + RATE // 2:start + RATE // 2 + RATE]  # 1 s from 0.5 s into the tone
    assert len(w) == RATE
    db = check_tones(w, 2000, "LowPass(2000, 4)")
    assert db < -40
    # the same tone unprocessed has both components equal: what the filter took is the filter's
    assert abs(tone_amplitude(x[:RATE, 0], 8000) / tone_amplitude(x[:RATE, 0], 1000) - 1) < 1e-4


def test_cutoff_changed_from_another_thread_while_playing(pulse_server, tmp_path):
    """While the device plays, another thread raises the cutoff from 2 kHz to 12 kHz: the recording
    shows the 2 kHz design before the change and the 12 kHz design after it; no dropout, no click
    (nothing above the tones' own peak)."""
    x = two_tones(4.0)
    src = miniaudio.stream_raw_pcm_memory(array.array("f", x.tobytes()), 2, 4)
    lp = miniaudio.LowPass(2000, order=4, sample_rate=RATE)
    processed = src.then(lp)

    def change(p):
        assert helpers.wait_until(lambda: p.position >= 2 * RATE, 30, 0.002)
        t = threading.Thread(target=setattr, args=(lp, "cutoff", 12000.0))
        t.start()
        t.join()

    y = record_processed(pulse_server, tmp_path, processed, during=change)
    assert lp.cutoff == 12000.0
    start = tone_start(y)
    before = y[start + RATE // 2:start + RATE // 2 + RATE]  # 0.5 .. 1.5 s
    after = y[start + int(2.6 * RATE):start + int(2.6 * RATE) + RATE]  # 2.6 .. 3.6 s
    assert len(after) == RATE
    db_before = check_tones(before, 2000, "before the change")
    db_after = check_tones(after, 12000, "after the change")
    assert db_after - db_before > 40
    tone = y[start:start + int(3.9 * RATE), 0]
    peak = 2 * TONE_AMP * designed_gain(12000, 8000) * 1.05 + 0.01
    assert np.abs(tone).max() < peak, "a click: %.4f above the tones' peak %.4f" % (np.abs(tone).max(), peak)


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32])
def test_integer_formats_round_trip_exactly(fmt):
    """Each integer format goes to float32 and back exactly: Gain(0) changes no frame (u8 and s24,
    which process() does not take, included)."""
    x = noise(3000, 2, 13, amp=0.99)
    make = lambda: miniaudio.stream_memory(wav_bytes(x), fmt, 2, RATE, chunk_type="bytes")  # noqa: E731
    plain = b"".join(make())
    processed = b"".join(make().then(miniaudio.Gain(0)))
    assert len(processed) == len(plain) == 3000 * 2 * {SF.UNSIGNED8: 1, SF.SIGNED16: 2, SF.SIGNED24: 3,
                                                        SF.SIGNED32: 4}[fmt]
    assert processed == plain
    halved = b"".join(make().then(miniaudio.Gain(-20 * np.log10(2))))
    assert halved != plain
