"""Leak checks: each main API (success and error paths) is called a few
thousand times after a warm-up; Python-heap growth (tracemalloc) must stay
under 100 KB and process RSS growth under 2 MB.

A leaked decode buffer (tens of KB per call) or a leaked exception/argument
reference shows up far above these limits."""

import array
import gc
import os
import sys
import tracemalloc

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

TRACED_LIMIT = 100 * 1024
RSS_LIMIT = 2 * 1024 * 1024
WARMUP = 200


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _samples_dir():
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")


def _read(name):
    with open(os.path.join(_samples_dir(), name), "rb") as f:
        return f.read()


def _expect(exc_type, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc_type:
        return
    raise AssertionError("expected %s" % exc_type.__name__)


def make_cases(out_wav):
    p = lambda n: os.path.join(_samples_dir(), n)  # noqa: E731
    wav, flac, mp3, ogg = _read("mono_s16.wav"), _read("mono.flac"), _read("mono.mp3"), _read("mono.ogg")
    f32wav = _read("short_f32.wav")
    s16 = np.frombuffer(wav[44:], np.int16)[:4410].tobytes()
    sound = miniaudio.wav_read_s16(wav)
    garbage = b"not audio at all " * 50
    return {
        # name: (callable, iterations)
        "wav_read_s16": (lambda: miniaudio.wav_read_s16(wav), 3000),
        "wav_read_f32_mv": (lambda: miniaudio.wav_read_f32(memoryview(f32wav)), 2000),
        "flac_read_s32": (lambda: miniaudio.flac_read_s32(flac), 2000),
        "mp3_read_f32": (lambda: miniaudio.mp3_read_f32(mp3), 1500),
        "vorbis_read": (lambda: miniaudio.vorbis_read(ogg), 1000),
        "decode_resample": (lambda: miniaudio.decode(np.frombuffer(mp3, np.uint8), sample_rate=48000), 1000),
        "decode_file": (lambda: miniaudio.decode_file(p("mono.flac"), output_format=SF.FLOAT32, nchannels=1), 1500),
        "read_file": (lambda: miniaudio.read_file(p("mono_s16.wav")), 3000),
        "get_file_info": (lambda: [miniaudio.get_file_info(p(n)) for n in ("tone.mp3", "tone.ogg", "tone_24.flac",
                                                                            "short_f32.wav")], 1000),
        "get_info_memory": (lambda: (miniaudio.wav_get_info(wav), miniaudio.flac_get_info(flac),
                                     miniaudio.mp3_get_info(mp3), miniaudio.vorbis_get_info(ogg)), 1000),
        "as_numpy": (lambda: miniaudio.wav_read_s16(wav).as_numpy().sum(), 2000),
        "convert_sample_format": (lambda: miniaudio.convert_sample_format(SF.SIGNED16, s16, SF.FLOAT32), 5000),
        "convert_frames": (lambda: miniaudio.convert_frames(SF.SIGNED16, 1, 22050, array.array("h", s16),
                                                            SF.FLOAT32, 2, 48000), 3000),
        "wav_write_file": (lambda: miniaudio.wav_write_file(out_wav, sound), 1500),
        "decode_error": (lambda: _expect(miniaudio.DecodeError, miniaudio.decode, garbage), 3000),
        "format_errors": (lambda: (_expect(miniaudio.DecodeError, miniaudio.wav_read_s16, flac),
                                   _expect(miniaudio.DecodeError, miniaudio.flac_read_s16, wav),
                                   _expect(miniaudio.DecodeError, miniaudio.vorbis_read, mp3)), 2000),
        "file_not_found": (lambda: _expect(FileNotFoundError, miniaudio.read_file, p("nope ♪.wav")), 3000),
        "arg_errors": (lambda: (_expect(ValueError, miniaudio.decode, wav, sample_rate=0),
                                _expect(ValueError, miniaudio.decode, wav, nchannels=0),
                                _expect(TypeError, miniaudio.decode, "str"),
                                _expect(ValueError, miniaudio.convert_sample_format, SF.SIGNED16, b"\x00" * 3,
                                        SF.FLOAT32)), 3000),
    }


CASE_NAMES = [
    "wav_read_s16", "wav_read_f32_mv", "flac_read_s32", "mp3_read_f32", "vorbis_read", "decode_resample",
    "decode_file", "read_file", "get_file_info", "get_info_memory", "as_numpy", "convert_sample_format",
    "convert_frames", "wav_write_file", "decode_error", "format_errors", "file_not_found", "arg_errors",
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return make_cases(str(tmp_path_factory.mktemp("leak") / "out ♪.wav"))


def run(fn, n):
    for _ in range(n):
        fn()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS from /proc")
@pytest.mark.parametrize("name", CASE_NAMES)
def test_no_leak(name, cases):
    fn, n = cases[name]
    assert set(cases) == set(CASE_NAMES)

    # RSS phase (no tracemalloc overhead)
    run(fn, WARMUP)
    gc.collect()
    rss0 = rss_bytes()
    run(fn, n)
    gc.collect()
    rss_growth = rss_bytes() - rss0

    # Python heap phase
    tracemalloc.start()
    try:
        run(fn, WARMUP // 2)
        gc.collect()
        t0 = tracemalloc.get_traced_memory()[0]
        run(fn, n // 2)
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - t0
    finally:
        tracemalloc.stop()

    assert traced_growth < TRACED_LIMIT, "%s: traced memory grew by %d bytes over %d calls" % (name, traced_growth, n // 2)
    assert rss_growth < RSS_LIMIT, "%s: RSS grew by %d bytes over %d calls" % (name, rss_growth, n)
