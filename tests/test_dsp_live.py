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
