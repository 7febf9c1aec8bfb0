"""A Converter as a stage of stream.then() (pull_conv.c): converted streams.

What a user checks: a converted stream read to its end gives, bit for bit, what a fresh Converter's
process() on the source's whole output followed by flush(drain=True) gives (several format,
channel and rate combinations; next() with frames_to_read 1, 333 and 4096; send(n) of odd sizes),
with the converter's output format, channels and rate and a length equal to the frames it gives;
then(a, conv, b) equals a.process -> conv -> b.process offline; seek(0) replays it and seek(n)
restarts the conversion at source frame n * from_rate // to_rate; a device on the NULL backend plays
a 44100 Hz stream converted to 48000 to its end and stops by itself, also with set_ratio() called
while it plays (more or fewer frames, as the ratio says); bad input is refused with exceptions that
name the argument; closing or dropping the stream gives the converter back for reuse.
"""

import gc
import io
import threading
import wave
import weakref

import numpy as np
import pytest

import miniaudio
from miniaudio import Backend, SampleFormat as SF

NULL = [Backend.NULL]
DTYPES = {SF.FLOAT32: np.float32, SF.SIGNED16: np.int16, SF.SIGNED32: np.int32, SF.UNSIGNED8: np.uint8}


# ---- inputs, written here ------------------------------------------------------------------------

def wav_bytes(frames, nchannels, rate, seed=1):
    """A 16-bit WAV of noise with a sine on top (so resampling has something smooth to carry)."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames)[:, None] / rate
    x = 0.3 * np.sin(2 * np.pi * 440 * t * (1 + np.arange(nchannels))) + rng.uniform(-0.2, 0.2, (frames, nchannels))
    pcm = np.round(x * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(nchannels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def source(data, fmt, nchannels, rate, frames_to_read=1024, chunk_type="bytes"):
    return miniaudio.stream_memory(data, fmt, nchannels, rate, frames_to_read=frames_to_read,
                                   chunk_type=chunk_type)


def whole(data, fmt, nchannels, rate):
    """The source stream's every frame as bytes (one big chunk)."""
    return b"".join(source(data, fmt, nchannels, rate, frames_to_read=1 << 20))


def read_bytes(stream, sizes=None):
    chunks, i = [], 0
    while True:
        try:
            chunk = next(stream) if sizes is None else stream.send(sizes[i % len(sizes)])
        except StopIteration:
            break
        chunks.append(bytes(chunk))
        i += 1
    return b"".join(chunks)


def offline(conv_args, pcm, **kwargs):
    conv = miniaudio.Converter(*conv_args, **kwargs)
    return conv.process(pcm) + conv.flush(drain=True)


COMBOS = [
    (SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000),
    (SF.FLOAT32, 1, 48000, SF.SIGNED16, 2, 22050),
    (SF.SIGNED16, 2, 44100, SF.SIGNED16, 1, 44100),   # channels only: no resampler
    (SF.FLOAT32, 2, 8000, SF.SIGNED32, 2, 44100),      # 5.5x up: outputs pending after the last input
    (SF.SIGNED16, 1, 48000, SF.UNSIGNED8, 1, 11025),
]


# ---- exact frames -----------------------------------------------------------------------------------

@pytest.mark.parametrize("ftr", [1, 333, 4096])
@pytest.mark.parametrize("combo", COMBOS, ids=lambda c: f"{c[0].name}x{c[1]}@{c[2]}-{c[3].name}x{c[4]}@{c[5]}")
def test_converted_stream_equals_process_and_drained_flush(combo, ftr):
    fi, ci, ri, fo, co, ro = combo
    data = wav_bytes(10007, ci, ri)
    expected = offline(combo, whole(data, fi, ci, ri))
    conv = miniaudio.Converter(*combo)
    stream = source(data, fi, ci, ri, frames_to_read=ftr).then(conv)
    assert (stream.sample_format, stream.nchannels, stream.sample_rate) == (fo, co, ro)
    frame_bytes = co * miniaudio.width_from_format(fo)
    assert stream.length == len(expected) // frame_bytes
    got = read_bytes(stream)
    assert got == expected
    assert stream.position == stream.length == len(got) // frame_bytes
    stream.close()
    assert not conv.attached


def test_send_sizes_equal_offline():
    combo = (SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
    data = wav_bytes(20000, 2, 44100, seed=5)
    expected = offline(combo, whole(data, SF.SIGNED16, 2, 44100))
    stream = source(data, SF.SIGNED16, 2, 44100).then(miniaudio.Converter(*combo))
    assert read_bytes(stream, sizes=[1, 7, 1000, 4097, 2, 333]) == expected


def test_numpy_chunks_have_the_converted_shape():
    data = wav_bytes(3000, 1, 44100)
    stream = source(data, SF.SIGNED16, 1, 44100, chunk_type="numpy").then(
        miniaudio.Converter(SF.SIGNED16, 1, 44100, SF.FLOAT32, 2, 48000))
    chunk = next(stream)
    assert chunk.dtype == np.float32 and chunk.shape[1] == 2


def test_staged_processors_around_a_converter_equal_offline():
    """then(a, conv, b) == a.process -> conv.process + flush(drain=True) -> b.process."""
    data = wav_bytes(9000, 2, 44100, seed=3)
    pcm = np.frombuffer(whole(data, SF.FLOAT32, 2, 44100), np.float32).reshape(-1, 2)
    combo = (SF.FLOAT32, 2, 44100, SF.FLOAT32, 2, 48000)
    a, b = miniaudio.LowPass(3000, 4, sample_rate=44100), miniaudio.Gain(-5, sample_rate=48000)
    y = a.process(pcm)
    conv = miniaudio.Converter(*combo)
    z = np.frombuffer(conv.process(y.tobytes()) + conv.flush(drain=True), np.float32).reshape(-1, 2)
    expected = b.process(z)
    a2, c2, b2 = miniaudio.LowPass(3000, 4), miniaudio.Converter(*combo), miniaudio.Gain(-5)
    stream = source(data, SF.FLOAT32, 2, 44100, frames_to_read=333).then(a2, c2, b2)
    assert stream.sample_rate == 48000
    assert b2.sample_rate == 48000 and a2.sample_rate == 44100  # each bound to its place
    got = np.frombuffer(read_bytes(stream), np.float32).reshape(-1, 2)
    assert np.array_equal(got, expected)
    stream.close()
    assert not (a2.attached or c2.attached or b2.attached)
    # a converter alone, first, last, and two converters in a row
    data1 = wav_bytes(4000, 1, 22050)
    c_up = miniaudio.Converter(SF.SIGNED16, 1, 22050, SF.FLOAT32, 1, 44100)
    c_st = miniaudio.Converter(SF.FLOAT32, 1, 44100, SF.FLOAT32, 2, 44100)
    two = source(data1, SF.SIGNED16, 1, 22050).then(c_up, c_st, miniaudio.Pan(0.5))
    assert (two.nchannels, two.sample_rate) == (2, 44100)
    up = offline((SF.SIGNED16, 1, 22050, SF.FLOAT32, 1, 44100), whole(data1, SF.SIGNED16, 1, 22050))
    st = np.frombuffer(offline((SF.FLOAT32, 1, 44100, SF.FLOAT32, 2, 44100), up), np.float32).reshape(-1, 2)
    assert np.array_equal(np.frombuffer(read_bytes(two), np.float32).reshape(-1, 2),
                          miniaudio.Pan(0.5, sample_rate=44100).process(st))


def test_raw_pcm_source_of_unknown_rate_takes_the_converters():
    pcm = np.arange(-3000, 3000, dtype=np.int16)  # 3000 stereo frames
    combo = (SF.SIGNED16, 2, 22050, SF.SIGNED16, 2, 44100)
    stream = miniaudio.stream_raw_pcm_memory(pcm.tobytes(), 2, 2, frames_to_read=700).then(
        miniaudio.Converter(*combo))
    assert stream.sample_rate == 44100
    expected = offline(combo, pcm.tobytes())
    assert stream.length == len(expected) // 4
    assert read_bytes(stream) == expected


def test_source_read_partly_first():
    """then() on a source at frame p: the conversion starts there, position starts at
    p * to_rate // from_rate and ends at the length."""
    combo = (SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
    data = wav_bytes(6000, 2, 44100, seed=9)
    src = source(data, SF.SIGNED16, 2, 44100, frames_to_read=1000)
    next(src)
    stream = src.then(miniaudio.Converter(*combo))
    assert stream.position == 1000 * 48000 // 44100
    got = read_bytes(stream)
    assert got == offline(combo, whole(data, SF.SIGNED16, 2, 44100)[1000 * 4:])
    assert stream.position == stream.length


def test_converted_streams_in_a_chain_and_playlist_self_reference():
    data = wav_bytes(3000, 1, 22050, seed=4)
    combo = (SF.SIGNED16, 1, 22050, SF.FLOAT32, 2, 48000)
    a = source(data, SF.SIGNED16, 1, 22050).then(miniaudio.Converter(*combo))
    b = source(data, SF.SIGNED16, 1, 22050).then(miniaudio.Converter(*combo), miniaudio.Gain(-6))
    got = read_bytes(miniaudio.chain(a, b, frames_to_read=999))
    one = offline(combo, whole(data, SF.SIGNED16, 1, 22050))
    quiet = miniaudio.Gain(-6, nchannels=2, sample_rate=48000).process(np.frombuffer(one, np.float32).copy())
    assert got == one + quiet.tobytes()
    pl = miniaudio.Playlist(output_format=SF.SIGNED16, nchannels=1, sample_rate=22050)
    pl.append(source(data, SF.SIGNED16, 1, 22050))
    converted = pl.then(miniaudio.Converter(*combo))
    with pytest.raises(ValueError, match="itself"):
        pl.append(converted)  # reading pl would read converted, which reads pl: refused
    converted.close()


# ---- seek ---------------------------------------------------------------------------------------------

def test_seek_restarts_the_conversion_at_the_matching_input_frame():
    combo = (SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
    data = wav_bytes(12000, 2, 44100, seed=7)
    pcm = whole(data, SF.SIGNED16, 2, 44100)
    stream = source(data, SF.SIGNED16, 2, 44100, frames_to_read=500).then(miniaudio.Converter(*combo))
    first = read_bytes(stream)
    assert stream.seek(0) == 0 and stream.position == 0
    assert read_bytes(stream) == first
    n = 5000
    assert stream.seek(n) == n and stream.position == n
    m = n * 44100 // 48000  # the source frame it stands for, rounded down
    assert read_bytes(stream) == offline(combo, pcm[m * 4:])
    # the end: a seek to the length (in the drained tail) is allowed and gives nothing more
    length = stream.length
    assert stream.seek(length) == length
    with pytest.raises(StopIteration):
        next(stream)
    # (after a seek the length is where reading ended; read from 0 again, it is the whole again)
    assert stream.seek(0) == 0 and read_bytes(stream) == first and stream.length == len(first) // 8


# ---- a device on the NULL backend ----------------------------------------------------------------------

def test_null_device_plays_a_converted_stream_to_its_end():
    frames = 44100
    combo = (SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
    conv = miniaudio.Converter(*combo)
    expected = len(offline(combo, whole(wav_bytes(frames, 2, 44100), SF.SIGNED16, 2, 44100))) // 8
    stream = source(wav_bytes(frames, 2, 44100), SF.SIGNED16, 2, 44100).then(conv)
    assert stream.length == expected  # 48000 + the drained delay
    with miniaudio.PlaybackDevice(output_format=SF.FLOAT32, nchannels=2, sample_rate=48000, backends=NULL,
                                  buffersize_msec=20) as dev:
        dev.start(stream)
        assert dev.wait(timeout=30), "the device did not stop by itself"
        assert not dev.running
        assert dev.stats.frames >= expected
    assert stream.position == stream.length == expected
    stream.close()
    assert not conv.attached


@pytest.mark.parametrize("ratio", [0.5, 2.0])
def test_set_ratio_while_a_null_device_plays(ratio):
    """set_ratio(r) from another thread while the device plays: the rest of the source comes out at
    about 1/r output frames per input frame (r = input rate / output rate)."""
    frames = 3 * 44100
    conv = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 44100, dynamic_rate=True)
    src = source(wav_bytes(frames, 2, 44100), SF.SIGNED16, 2, 44100)
    stream = src.then(conv)
    switched = {}

    def change():
        while src.position < frames // 4:
            threading.Event().wait(0.001)
        before = src.position, stream.position
        conv.set_ratio(ratio)
        switched["before"], switched["after"] = before, (src.position, stream.position)

    with miniaudio.PlaybackDevice(output_format=SF.FLOAT32, nchannels=2, sample_rate=44100, backends=NULL,
                                  buffersize_msec=10) as dev:
        dev.start(stream)
        t = threading.Thread(target=change)
        t.start()
        t.join(30)
        assert dev.wait(timeout=60), "the device did not stop by itself"
    # Frames made before the request (at 1:1) plus the rest of the source at 1/ratio.  The request
    # landed between the two snapshots.  The source's position runs ahead of what the stage has
    # converted by the input it holds (at most one 1024-frame block), which comes out at the new
    # ratio too: up to 1024 / ratio frames more.  50 for the drained delay.
    bounds = [out + (frames - at) / ratio for at, out in (switched["before"], switched["after"])]
    assert min(bounds) - 50 <= stream.position <= max(bounds) + 1024 / ratio + 50, (stream.position, bounds)
    # and not the 1:1 count: the ratio did change the speed
    assert abs(stream.position - frames) > frames / 8
    assert stream.length == stream.position  # the length made at 1:1 was corrected at the end
    assert conv.rates == (round(ratio * 1_000_000), 1_000_000)
    stream.close()


# ---- bad input ----------------------------------------------------------------------------------------

def _src(nchannels=2, rate=44100, fmt=SF.SIGNED16, chunk_type="bytes"):
    return source(wav_bytes(500, nchannels, rate), fmt, nchannels, rate, chunk_type=chunk_type)


def test_bad_input():
    s = _src()
    with pytest.raises(ValueError, match=r"argument 1: this Converter has from_sample_rate=48000, the stream's "
                                         r"is 44100 Hz"):
        s.then(miniaudio.Converter(SF.SIGNED16, 2, 48000, SF.FLOAT32, 2, 44100))
    with pytest.raises(ValueError, match=r"argument 1: this Converter has from_nchannels=1, the stream has 2"):
        s.then(miniaudio.Converter(SF.SIGNED16, 1, 44100, SF.FLOAT32, 2, 48000))
    with pytest.raises(ValueError, match=r"argument 2: this Converter has from_format=FLOAT32, the stream gives SIGNED16 samples"):
        s.then(miniaudio.Gain(0), miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.FLOAT32, 2, 48000))
    # processors after a converter are checked at its output's channels and rate
    with pytest.raises(ValueError, match=r"argument 2: this Gain has nchannels=2, the stream has 1 channels"):
        s.then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 1, 48000), miniaudio.Gain(0, nchannels=2))
    with pytest.raises(ValueError, match=r"argument 2: this LowPass has sample_rate=44100, the stream's is 48000"):
        s.then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000),
               miniaudio.LowPass(1000, sample_rate=44100))
    with pytest.raises(TypeError, match="argument 2 must be a processor .* or a Converter, not str"):
        s.then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000), "faster")
    with pytest.raises(ValueError, match="SIGNED24"):
        _src(chunk_type="array").then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.SIGNED24, 2, 48000))
    conv = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.SIGNED16, 2, 48000)
    with pytest.raises(ValueError, match="argument 3 is the same Converter as argument 1"):
        s.then(conv, miniaudio.Converter(SF.SIGNED16, 2, 48000, SF.SIGNED16, 2, 44100), conv)
    assert not conv.attached
    # nothing was taken by the refusals
    assert len(next(s)) > 0
    s.seek(0)
    first = _src().then(conv)
    assert conv.attached
    with pytest.raises(ValueError, match="argument 1: this Converter is already attached to another processed"):
        s.then(conv)
    with pytest.raises(RuntimeError, match=r"Converter.process\(\): the converter is attached"):
        conv.process(b"\0\0\0\0")
    with pytest.raises(RuntimeError, match="attached"):
        conv.flush(drain=True)
    conv.set_ratio(1.1)  # allowed while attached
    first.close()
    closed = _src()
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        closed.then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000))
    src = _src()
    conv2 = miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000)
    converted = src.then(conv2)
    with pytest.raises(RuntimeError, match="already played"):
        src.then(miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 48000))
    converted.close()
    assert converted.closed and not conv2.attached
    with pytest.raises(ValueError, match="closed"):
        converted.then(miniaudio.Gain(0))


def test_a_failed_stage_gives_everything_back():
    """then(a, conv, b) refused at b's binding (after a's and conv's stages could be built) leaves
    the source, the processors and the converter free."""
    s = _src()
    a, conv = miniaudio.Gain(-1), miniaudio.Converter(SF.SIGNED16, 2, 44100, SF.FLOAT32, 2, 8000)
    with pytest.raises(ValueError, match="argument 3: LowPass: cutoff"):
        s.then(a, conv, miniaudio.LowPass(5000))  # above 8000 Hz's Nyquist frequency
    assert not a.attached and not conv.attached
    assert len(next(s)) > 0


# ---- life: closing frees, GC frees ----------------------------------------------------------------------

def test_close_and_gc_give_the_converter_back_for_reuse():
    combo = (SF.SIGNED16, 2, 44100, SF.SIGNED16, 2, 48000)
    conv = miniaudio.Converter(*combo)
    pcm = whole(wav_bytes(500, 2, 44100), SF.SIGNED16, 2, 44100)
    src = _src()
    stream = src.then(conv)
    next(stream)
    stream.close()
    assert not conv.attached
    # usable offline again, as new
    assert conv.process(pcm) + conv.flush(drain=True) == offline(combo, pcm)
    conv.reset()
    src.seek(0)
    with src.then(conv) as again:
        assert read_bytes(again) == offline(combo, pcm)
    assert not conv.attached
    src.seek(0)
    dropped = src.then(conv)
    ref = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert ref() is None and not conv.attached
    assert len(next(src)) > 0  # unclaimed
