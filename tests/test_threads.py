"""Thread safety: decoding / converting / writing from a ThreadPoolExecutor gives
results identical to single-threaded calls (the GIL is released around the C
work, so concurrent calls really overlap; no timing assertions here)."""

import array
import io
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

WORKERS = 4


def key(r):
    if isinstance(r, miniaudio.DecodedSoundFile):
        return (r.nchannels, r.sample_rate, r.sample_format, bytes(r.samples))
    if isinstance(r, miniaudio.SoundFileInfo):
        return (r.file_format, r.nchannels, r.sample_rate, r.sample_format, r.num_frames)
    if isinstance(r, bytes):
        return r
    return bytes(r)


def jobs(sample_path, sample_bytes):
    p, b = sample_path, sample_bytes
    s16 = np.frombuffer(b("tone_s16.wav")[44:], np.int16).tobytes()
    return [
        (miniaudio.wav_read_s16, (b("tone_s16.wav"),), {}),
        (miniaudio.wav_read_file_f32, (p("short_s24.wav"),), {}),
        (miniaudio.flac_read_s32, (b("tone_24.flac"),), {}),
        (miniaudio.flac_read_file_s16, (p("mono.flac"),), {}),
        (miniaudio.mp3_read_f32, (b("tone.mp3"),), {}),
        (miniaudio.mp3_read_file_s16, (p("mono.mp3"),), {}),
        (miniaudio.vorbis_read, (b("tone.ogg"),), {}),
        (miniaudio.vorbis_read_file, (p("mono.ogg"),), {}),
        (miniaudio.decode, (b("tone.mp3"),), dict(output_format=SF.FLOAT32, nchannels=1, sample_rate=48000)),
        (miniaudio.decode_file, (p("tone.ogg"),), dict(sample_rate=22050)),
        (miniaudio.decode, (b("short_f32.wav"),), dict(output_format=SF.SIGNED16, dither=miniaudio.DitherMode.NONE)),
        (miniaudio.get_file_info, (p("tone_16.flac"),), {}),
        (miniaudio.convert_frames, (SF.SIGNED16, 2, 44100, s16, SF.FLOAT32, 1, 16000), {}),
        (miniaudio.convert_sample_format, (SF.SIGNED16, s16, SF.SIGNED24), {}),
    ]


def test_thread_pool_results_identical(sample_path, sample_bytes):
    work = jobs(sample_path, sample_bytes)
    expected = [key(f(*a, **k)) for f, a, k in work]
    tasks = [(i, f, a, k) for _ in range(6) for i, (f, a, k) in enumerate(work)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda t: (t[0], key(t[1](*t[2], **t[3]))), tasks))
    assert len(results) == len(tasks)
    for i, r in results:
        assert r == expected[i], work[i][0].__name__


def test_same_input_object_shared_between_threads(sample_bytes):
    """All threads read the very same buffer object concurrently."""
    data = bytearray(sample_bytes("tone_16.flac"))
    expected = key(miniaudio.decode(data, sample_rate=48000))
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda _: key(miniaudio.decode(data, sample_rate=48000)), range(16)))
    assert all(r == expected for r in results)


def test_errors_in_threads(sample_bytes, tmp_path):
    garbage = b"garbage" * 100

    def bad(i):
        try:
            if i % 3 == 0:
                miniaudio.decode(garbage)
            elif i % 3 == 1:
                miniaudio.read_file(str(tmp_path / ("missing%d.wav" % i)))
            else:
                miniaudio.decode(sample_bytes("tone_s16.wav"), sample_rate=0)
        except miniaudio.DecodeError:
            return "decode"
        except FileNotFoundError:
            return "missing"
        except ValueError:
            return "value"
        return "none"

    with ThreadPoolExecutor(WORKERS) as pool:
        out = list(pool.map(bad, range(30)))
    assert out == ["decode", "missing", "value"] * 10


def test_wav_write_in_threads(tmp_path, sample_bytes):
    sound = miniaudio.wav_read_f32(sample_bytes("short_f32.wav"))

    def write_and_read(i):
        path = os.path.join(str(tmp_path), "t%d.wav" % i)
        miniaudio.wav_write_file(path, sound)
        return key(miniaudio.wav_read_file_f32(path))

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(write_and_read, range(12)))
    assert all(r == key(sound) for r in results)


@pytest.mark.parametrize("n", [2, 8])
def test_many_threads_mixed_formats(n, sample_path):
    names = ["tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg", "mono_flac.wav", "tone_mp3.dat"]
    expected = {nm: key(miniaudio.decode_file(sample_path(nm), output_format=SF.FLOAT32)) for nm in names}
    with ThreadPoolExecutor(n) as pool:
        got = list(pool.map(lambda nm: (nm, key(miniaudio.decode_file(sample_path(nm), output_format=SF.FLOAT32))),
                            names * 4))
    for nm, r in got:
        assert r == expected[nm], nm


# --- 8 threads x 1,000 operations -------------------------------------------------------------------

THREADS = 8
OPS_PER_THREAD = 1000


def small_inputs(sample_bytes):
    """Short inputs of each format, so that 8,000 operations stay quick: a WAV, FLAC and MP3 cut short
    (each decodes to its first frames; the FLAC file starts with an 8 KB padding block) and the
    shortest Vorbis file whole."""
    return {
        "wav": sample_bytes("mono_s16.wav")[:8044],
        "flac": sample_bytes("mono.flac")[:12000],
        "mp3": sample_bytes("mono.mp3")[:2400],
        "ogg": sample_bytes("mono.ogg"),
    }


def stream_key(stream, sizes=(300, 1000, 77)):
    """Drains a stream with send() requests of varying sizes, a seek back to 100 frames half way."""
    parts, i = [], 0
    with stream:
        while True:
            try:
                parts.append(bytes(stream.send(sizes[i % len(sizes)])))
            except StopIteration:
                break
            i += 1
            if i == 4:
                stream.seek(100)
                parts.append(b"seeked")
    return b"|".join(parts)


def mixed_operations(sample_path, sample_bytes, tmp_path):
    small = small_inputs(sample_bytes)
    flac_path = str(tmp_path / "short.flac")
    with open(flac_path, "wb") as f:
        f.write(small["flac"])
    s16 = np.frombuffer(small["wav"][44:], np.int16).tobytes()
    return [
        ("wav_read_s16", lambda: miniaudio.wav_read_s16(small["wav"])),
        ("flac_read_f32", lambda: miniaudio.flac_read_f32(small["flac"])),
        ("mp3_read_s16", lambda: miniaudio.mp3_read_s16(small["mp3"])),
        ("vorbis_read", lambda: miniaudio.vorbis_read(small["ogg"])),
        ("decode_resample", lambda: miniaudio.decode(small["mp3"], output_format=SF.FLOAT32, nchannels=2,
                                                     sample_rate=48000)),
        ("decode_file", lambda: miniaudio.decode_file(flac_path, output_format=SF.SIGNED32)),
        ("convert_frames", lambda: miniaudio.convert_frames(SF.SIGNED16, 1, 22050, s16, SF.FLOAT32, 2, 44100)),
        ("stream_memory", lambda: stream_key(miniaudio.stream_memory(small["mp3"], nchannels=1,
                                                                      sample_rate=22050))),
        ("stream_file", lambda: stream_key(miniaudio.stream_file(flac_path, output_format=SF.FLOAT32,
                                                                  nchannels=2, sample_rate=44100))),
        ("stream_any", lambda: stream_key(miniaudio.stream_any(io.BytesIO(small["wav"]), nchannels=1,
                                                                sample_rate=22050))),
    ]


def test_8_threads_x_1000_operations_identical_to_single_threaded(sample_path, sample_bytes, tmp_path):
    """Decodes of every format, resampling, conversion and streams: 8 threads start together
    (a barrier) and each runs 1,000 operations of the mix, every result compared with the one the
    same operation gave single-threaded."""
    ops = mixed_operations(sample_path, sample_bytes, tmp_path)
    expected = {name: key(fn()) for name, fn in ops}
    assert all(len(v[-1] if isinstance(v, tuple) else v) > 1000 for v in expected.values())
    barrier = threading.Barrier(THREADS)

    def worker(t):
        barrier.wait()
        wrong = []
        for i in range(OPS_PER_THREAD):
            name, fn = ops[(i * 7 + t) % len(ops)]
            if key(fn()) != expected[name]:
                wrong.append((i, name))
        return wrong

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert results == [[]] * THREADS


def test_one_stream_shared_by_8_threads(tmp_path):
    """Eight threads pull from the same stream at once: each next() either gives the next chunk or
    raises RuntimeError (the stream is busy in another thread); the chunks given tile the audio
    exactly once (a ramp makes every chunk's position known), and nothing else goes wrong."""
    frames = 40000
    ramp = np.arange(frames, dtype=np.int64) - 20000  # unique int16 values
    path = str(tmp_path / "ramp.wav")
    sound = miniaudio.DecodedSoundFile("ramp", 1, 22050, SF.SIGNED16, array.array("h", ramp.astype(np.int16)))
    miniaudio.wav_write_file(path, sound)
    stream = miniaudio.stream_file(path, nchannels=1, sample_rate=22050, frames_to_read=250)
    barrier = threading.Barrier(THREADS)

    def worker(t):
        barrier.wait()
        got, busy = [], 0
        while True:
            try:
                got.append(np.frombuffer(bytes(next(stream)), np.int16).copy())
            except StopIteration:
                return got, busy
            except RuntimeError as e:
                assert "another thread" in str(e)
                busy += 1
                time.sleep(0.0001)  # let the thread that holds the stream go on
            if t == 0:
                assert 0 <= stream.position <= frames

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    chunks = sorted((c for got, _ in results for c in got), key=lambda c: int(c[0]))
    assert all(len(c) == 250 for c in chunks)
    assert np.array_equal(np.concatenate(chunks), ramp.astype(np.int16))
    stream.close()
