"""Helpers shared by the test modules (import as ``import helpers``; conftest puts
this directory on sys.path).  Pure numpy/stdlib: nothing here uses miniaudio
except to name enum members."""

import io
import os
import time
import struct
from dataclasses import dataclass

import numpy as np

import miniaudio
from miniaudio import FileFormat as FF, SampleFormat as SF


@dataclass(frozen=True)
class Sample:
    name: str            # file name in samples/
    file_format: object  # FileFormat detected from the content
    signal: str          # key into signals.SIGNALS
    stored: str          # "u8", "s16", "s24", "s32", "f32" for lossless files, None for lossy
    sample_format: object  # SampleFormat reported by the info functions
    nchannels: int
    sample_rate: int
    num_frames: int
    sub_format: int = None  # WAV format tag (wav_get_file_info)

    @property
    def lossless(self):
        return self.stored is not None


SAMPLES = [
    Sample("tone_s16.wav", FF.WAV, "tone", "s16", SF.SIGNED16, 2, 44100, 44100, 1),
    Sample("short_u8.wav", FF.WAV, "short", "u8", SF.UNSIGNED8, 2, 44100, 22050, 1),
    Sample("short_s24.wav", FF.WAV, "short", "s24", SF.SIGNED24, 2, 44100, 22050, 1),
    Sample("short_s32.wav", FF.WAV, "short", "s32", SF.SIGNED32, 2, 44100, 22050, 1),  # WAVE_FORMAT_EXTENSIBLE
    Sample("short_f32.wav", FF.WAV, "short", "f32", SF.FLOAT32, 2, 44100, 22050, 3),
    Sample("mono_s16.wav", FF.WAV, "mono", "s16", SF.SIGNED16, 1, 22050, 22050, 1),
    Sample("tone_16.flac", FF.FLAC, "tone", "s16", SF.SIGNED16, 2, 44100, 44100),
    Sample("tone_24.flac", FF.FLAC, "tone", "s24", SF.SIGNED24, 2, 44100, 44100),
    Sample("mono.flac", FF.FLAC, "mono", "s16", SF.SIGNED16, 1, 22050, 22050),
    Sample("mono_flac.wav", FF.FLAC, "mono", "s16", SF.SIGNED16, 1, 22050, 22050),  # misleading extension
    Sample("tone.mp3", FF.MP3, "tone", None, SF.SIGNED16, 2, 44100, 44100),
    Sample("tone_mp3.dat", FF.MP3, "tone", None, SF.SIGNED16, 2, 44100, 44100),  # unknown extension
    Sample("mono.mp3", FF.MP3, "mono", None, SF.SIGNED16, 1, 22050, 22050),
    Sample("tone.ogg", FF.VORBIS, "tone", None, SF.SIGNED16, 2, 44100, 44100),
    Sample("mono.ogg", FF.VORBIS, "mono", None, SF.SIGNED16, 1, 22050, 22050),
    Sample("mono_ogg.mp3", FF.VORBIS, "mono", None, SF.SIGNED16, 1, 22050, 22050),  # misleading extension
]
BY_NAME = {s.name: s for s in SAMPLES}

# one representative file per container format
PER_FORMAT = {
    "wav": "tone_s16.wav",
    "flac": "tone_16.flac",
    "mp3": "tone.mp3",
    "vorbis": "tone.ogg",
}

# MP3 may be off by up to one MPEG frame if the encoder delay/padding is not honoured.
MP3_FRAME_TOLERANCE = 1152

# The sample-format facts, from the C module's one table (SAMPLE_FORMATS: value -> (width, typecode,
# numpy dtype name, buffer item codes)); test_sample_format_table checks the table itself.
SAMPLE_FORMATS = {SF(value): row for value, row in miniaudio._miniaudio.SAMPLE_FORMATS.items()}
WIDTH = {fmt: row[0] for fmt, row in SAMPLE_FORMATS.items()}
TYPECODE = {fmt: row[1] for fmt, row in SAMPLE_FORMATS.items() if row[1]}
NP_DTYPE = {fmt: np.dtype(row[2]).type for fmt, row in SAMPLE_FORMATS.items() if row[2]}
TYPECODE_ITEMSIZE = {fmt: WIDTH[fmt] for fmt in TYPECODE}

# size of one quantisation step, in full-scale units ([-1, 1))
LSB = {"u8": 1 / 128, "s16": 1 / 32768, "s24": 1 / 8388608, "s32": 1 / 2147483648, "f32": 2.0 ** -24}
FMT_NAME = {SF.UNSIGNED8: "u8", SF.SIGNED16: "s16", SF.SIGNED24: "s24", SF.SIGNED32: "s32", SF.FLOAT32: "f32"}


def pcm(decoded):
    """(frames, channels) numpy copy of a DecodedSoundFile's samples, built
    independently of DecodedSoundFile.as_numpy()."""
    dtype = NP_DTYPE[decoded.sample_format]
    a = np.frombuffer(bytes(decoded.samples), dtype=dtype)
    assert len(a) % decoded.nchannels == 0
    return a.reshape(-1, decoded.nchannels)


def bytes_to_pcm(data, fmt, nchannels):
    """numpy (frames, channels) from raw interleaved bytes in SampleFormat fmt
    (s24 is unpacked to int32 values in the 24-bit range)."""
    data = bytes(data)
    if fmt == SF.SIGNED24:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.int32)
        return v.reshape(-1, nchannels)
    return np.frombuffer(data, dtype=NP_DTYPE[fmt]).reshape(-1, nchannels)


def s24_bytes(values):
    """Pack int values in the 24-bit range as little-endian 3-byte samples."""
    v = np.asarray(values, dtype="<i4").reshape(-1)
    return v.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def to_float(x, fmt):
    """Full-scale float64 view of integer/float PCM stored as fmt ("u8", "s16", ...)."""
    x = np.asarray(x)
    if fmt == "u8":
        return (x.astype(np.float64) - 128.0) / 128.0
    if fmt == "s16":
        return x.astype(np.float64) / 32768.0
    if fmt == "s24":
        return x.astype(np.float64) / 8388608.0
    if fmt == "s32":
        return x.astype(np.float64) / 2147483648.0
    if fmt == "f32":
        return x.astype(np.float64)
    raise ValueError(fmt)


def assert_close_lsb(actual, actual_fmt, expected, expected_fmt, nlsb=1.0):
    """Compare two PCM arrays in full-scale units, allowing nlsb steps of the
    coarser of the two formats (plus float rounding)."""
    assert np.shape(actual) == np.shape(expected), (np.shape(actual), np.shape(expected))
    a = to_float(actual, actual_fmt)
    e = to_float(expected, expected_fmt)
    tol = nlsb * max(LSB[actual_fmt], LSB[expected_fmt]) * 1.0001 + 1e-9
    err = np.max(np.abs(a - e)) if a.size else 0.0
    assert err <= tol, "max error %.3g > %.3g (%s vs %s)" % (err, tol, actual_fmt, expected_fmt)


def check_decoded_meta(decoded, nchannels, sample_rate, sample_format):
    assert isinstance(decoded, miniaudio.DecodedSoundFile)
    assert decoded.nchannels == nchannels
    assert decoded.sample_rate == sample_rate
    assert decoded.sample_format == sample_format
    assert decoded.sample_width == miniaudio.width_from_format(sample_format)
    assert decoded.samples.itemsize == TYPECODE_ITEMSIZE[sample_format]
    assert len(decoded.samples) == decoded.num_frames * nchannels
    assert abs(decoded.duration - decoded.num_frames / sample_rate) < 1e-9


# --- a tiny independent RIFF/WAVE parser (for files written by wav_write_file) ---

def parse_wav(path):
    """Return dict(tag, sub_tag, channels, rate, bits, block_align, data, fact) by walking the chunks."""
    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:4] == b"RIFF", raw[:4]
    assert raw[8:12] == b"WAVE"
    riff_size = struct.unpack("<I", raw[4:8])[0]
    assert riff_size == len(raw) - 8, "RIFF size %d but file has %d bytes after header" % (riff_size, len(raw) - 8)
    pos = 12
    out = {"fact": None, "data": None}
    while pos + 8 <= len(raw):
        cid = raw[pos:pos + 4]
        size = struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = raw[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            tag, ch, rate, byte_rate, block_align, bits = struct.unpack("<HHIIHH", body[:16])
            out.update(tag=tag, channels=ch, rate=rate, byte_rate=byte_rate, block_align=block_align, bits=bits)
            out["sub_tag"] = tag
            if tag == 0xFFFE and len(body) >= 40:
                out["sub_tag"] = struct.unpack("<H", body[24:26])[0]
        elif cid == b"fact":
            out["fact"] = struct.unpack("<I", body[:4])[0]
        elif cid == b"data":
            out["data"] = body
        pos += 8 + size + (size & 1)
    return out


def wait_until(predicate, timeout=30.0, interval=0.002):
    """Poll predicate() until it is true or the deadline passes; returns its last value.
    Device tests wait for frames or callbacks this way, never with a bare sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Pipe:
    """A read()-only source over bytes: stream_any can neither seek it nor learn its size."""

    def __init__(self, data):
        self._b = io.BytesIO(data)

    def read(self, n=-1):
        return self._b.read(n)


# ---- what a device run leaves behind: Python thread states, OS threads, memory -------------------

def silent_runs(silent, min_len):
    """[(start, end)] of the runs of True in the boolean array `silent` at least min_len long."""
    padded = np.concatenate(([0], silent.view(np.int8), [0]))
    edges = np.diff(padded)
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(int(a), int(b)) for a, b in zip(starts, ends) if b - a >= min_len]


import ctypes as _ctypes  # noqa: E402

_api = _ctypes.pythonapi
_api.PyInterpreterState_Get.restype = _ctypes.c_void_p
_api.PyInterpreterState_Get.argtypes = []
_api.PyInterpreterState_ThreadHead.restype = _ctypes.c_void_p
_api.PyInterpreterState_ThreadHead.argtypes = [_ctypes.c_void_p]
_api.PyThreadState_Next.restype = _ctypes.c_void_p
_api.PyThreadState_Next.argtypes = [_ctypes.c_void_p]
_api.PyGILState_Check.restype = _ctypes.c_int
_api.PyGILState_Check.argtypes = []


def thread_states():
    """How many Python thread states the interpreter has (the GIL is held: ctypes.pythonapi)."""
    n = 0
    ts = _api.PyInterpreterState_ThreadHead(_api.PyInterpreterState_Get())
    while ts:
        n += 1
        ts = _api.PyThreadState_Next(ts)
    return n


def gil_state_check():
    """PyGILState_Check(): 1 when the calling thread's PyGILState slot holds its current state."""
    return _api.PyGILState_Check()


def os_threads():
    return len(os.listdir("/proc/self/task"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
