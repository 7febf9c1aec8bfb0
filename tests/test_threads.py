"""Thread safety: decoding / converting / writing from a ThreadPoolExecutor gives
results identical to single-threaded calls (the GIL is released around the C
work, so concurrent calls really overlap; no timing assertions here)."""

import os
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
