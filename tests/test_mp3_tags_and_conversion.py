"""MP3s with metadata tags decode the same from every kind of input, and float samples convert
to integers the same whatever the chunk size or alignment.

1. An MP3 that ends in an ID3v1, APE (v1, v2 with and without its header) or Lyrics3 v2 tag, or
   starts with an ID3v2 tag, gives the same frames (count and samples) through decode(bytes),
   decode_file, get_file_info, stream_file, stream_any over an open file and stream_any over a
   pipe-like object with only read(): the frames of the MP3 without its trailing tags.  Before
   patches 0030/0031 a path or file object lost the last frame, a 0.15 s file failed entirely
   (decode_file DecodeError, stream_file 0 frames, stream_any "not a valid stream"), and APE tags
   without a header lost their last frame even from bytes.
2. float32 -> u8/s16/s24/s32 gives the same value for a sample in a buffer of any length and
   alignment (miniaudio's SSE2 loop gave -32768 for -1.5 where the scalar loop gave -32767, and
   -32768 for NaN and +inf), through convert_sample_format and through decode() of a float WAV
   against a stream of 1-frame chunks.  Before patch 0032 the s16 rows failed.

The MP3s are made by ffmpeg (libmp3lame), written to a file so that its Xing/LAME frame is in
them as in real files; the tags are made here.
"""

import array
import io
import math
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF


def _has_lame():
    if shutil.which("ffmpeg") is None:
        return False
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return "libmp3lame" in out


needs_lame = pytest.mark.skipif(not _has_lame(), reason="needs ffmpeg with libmp3lame")


# --- tags, built by hand after their specifications -------------------------------------------

def id3v1_tag():
    return (b"TAG" + b"Title".ljust(30, b"\0") + b"Artist".ljust(30, b"\0") + bytes(30) + b"2026"
            + b"Comment".ljust(30, b"\0") + b"\xff")


def ape_tag(header=True, version=2000, items=((b"Title", b"A song"), (b"Artist", b"Someone"))):
    """APE tag: [header] items footer.  The size field counts the items and the footer, never the
    header; flag bit 31 says a header exists, bit 29 marks the header itself."""
    body = b"".join(struct.pack("<II", len(v), 0) + k + b"\0" + v for k, v in items)
    size = len(body) + 32
    flags = 0x80000000 if header else 0
    footer = b"APETAGEX" + struct.pack("<IIII", version, size, len(items), flags) + bytes(8)
    head = b"APETAGEX" + struct.pack("<IIII", version, size, len(items), flags | 0x20000000) + bytes(8)
    return (head if header else b"") + body + footer


def lyrics3v2_tag():
    body = b"LYRICSBEGIN" + b"IND00002" + b"10" + b"LYR00016" + b"[00:01]la la la\n"
    return body + b"%06d" % len(body) + b"LYRICS200"


TRAILING = {
    "none": b"",
    "id3v1": id3v1_tag(),
    "ape2-header": ape_tag(header=True),
    "ape2-no-header": ape_tag(header=False),
    "ape1": ape_tag(header=False, version=1000),
    "ape2-big+id3v1": ape_tag(items=((b"Cover", bytes(range(256)) * 40),)) + id3v1_tag(),
    "ape2+id3v1": ape_tag() + id3v1_tag(),
    "lyrics3+id3v1": lyrics3v2_tag() + id3v1_tag(),
    "ape2+lyrics3+id3v1": ape_tag() + lyrics3v2_tag() + id3v1_tag(),
}


@pytest.fixture(scope="module")
def mp3s(tmp_path_factory):
    """{(seconds, id3v2): mp3 bytes} made by ffmpeg from a file (so with the Xing/LAME frame)."""
    folder = tmp_path_factory.mktemp("mp3tags")
    made = {}
    for seconds in (0.15, 2.5):
        for id3v2 in (False, True):
            path = folder / f"s{seconds}-{id3v2}.mp3"
            tag_args = ["-metadata", "title=Tagged", "-id3v2_version", "3"] if id3v2 else ["-id3v2_version", "0"]
            subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                            f"sine=frequency=440:duration={seconds}", "-ac", "2", "-c:a", "libmp3lame",
                            "-b:a", "128k", *tag_args, "-write_xing", "1", str(path)], check=True)
            data = path.read_bytes()
            assert (data[:3] == b"ID3") == id3v2
            made[(seconds, id3v2)] = data
    return made


class PipeLike:
    """A source with read() only (no seek, no tell), as a pipe or socket is."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def read(self, n):
        return self._f.read(n)


def _samples(chunks):
    out = array.array("h")
    for chunk in chunks:
        out.extend(chunk)
    return out


def _all_inputs(data, path):
    """name -> int16 samples (stereo 44.1 kHz) through every entry point."""
    kw = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100)
    results = {}

    def attempt(name, fn):
        try:
            results[name] = fn()
        except miniaudio.MiniaudioError as exc:
            results[name] = f"{type(exc).__name__}: {exc}"

    attempt("decode(bytes)", lambda: miniaudio.decode(data, **kw).samples)
    attempt("decode_file", lambda: miniaudio.decode_file(path, **kw).samples)
    attempt("stream_file", lambda: _samples(miniaudio.stream_file(path, frames_to_read=1000, **kw)))
    attempt("stream_memory", lambda: _samples(miniaudio.stream_memory(data, frames_to_read=1000, **kw)))

    def from_open_file():
        with open(path, "rb") as f:
            return _samples(miniaudio.stream_any(f, frames_to_read=1000, **kw))

    attempt("stream_any(open file)", from_open_file)
    attempt("stream_any(pipe)", lambda: _samples(miniaudio.stream_any(PipeLike(data), frames_to_read=1000, **kw)))
    return results


@needs_lame
@pytest.mark.parametrize("seconds", [0.15, 2.5])
@pytest.mark.parametrize("id3v2", [False, True], ids=["plain", "id3v2"])
@pytest.mark.parametrize("trailing", list(TRAILING))
def test_tagged_mp3_same_frames_from_every_input(mp3s, tmp_path, seconds, id3v2, trailing):
    mp3 = mp3s[(seconds, id3v2)]
    reference = miniaudio.decode(mp3, SF.SIGNED16, 2, 44100).samples
    # about the duration: LAME's delay and padding are honoured (1 frame = 1152 samples of slack)
    assert abs(len(reference) // 2 - round(seconds * 44100)) <= 1152
    data = mp3 + TRAILING[trailing]
    path = str(tmp_path / "tagged.mp3")
    with open(path, "wb") as f:
        f.write(data)
    results = _all_inputs(data, path)
    frames = {name: (len(r) // 2 if not isinstance(r, str) else r) for name, r in results.items()}
    assert frames == {name: len(reference) // 2 for name in results}, frames
    for name, samples in results.items():
        assert samples == reference, name
    info = miniaudio.get_file_info(path)
    assert (info.num_frames, info.nchannels, info.sample_rate) == (len(reference) // 2, 2, 44100)
    assert miniaudio.mp3_get_info(data).num_frames == len(reference) // 2


# --- float to integer conversion ---------------------------------------------------------------

F32 = np.float32
SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0,
           float(np.nextafter(F32(1), F32(2))), float(np.nextafter(F32(-1), F32(-2))),
           float(np.nextafter(F32(1), F32(0))), float(np.nextafter(F32(-1), F32(0))),
           32768 / 32767, -32768 / 32767, 1.00002, -1.00002, 1.5, -1.5, 2.0, -2.0, 65536.0, -65536.0,
           1e10, -1e10, math.inf, -math.inf, math.nan, 0.25, -0.75, 1 / 32767, -1 / 32767, 0.999, -0.999]


def expected_ints(values, to_fmt):
    """The documented mapping: NaN -> 0, clip to -1..1, scale, truncate toward zero."""
    x = np.array(values, dtype=np.float32)
    x = np.where(np.isnan(x), F32(0), x)
    x = np.clip(x, F32(-1), F32(1)).astype(np.float32)
    if to_fmt == SF.UNSIGNED8:
        return np.trunc((x + F32(1)) * F32(127.5)).astype(np.int64)
    if to_fmt == SF.SIGNED16:
        return np.trunc(x * F32(32767)).astype(np.int64)
    if to_fmt == SF.SIGNED24:
        return np.trunc(x * F32(8388607)).astype(np.int64)
    return np.trunc(x.astype(np.float64) * 2147483647.0).astype(np.int64)


def as_ints(raw, to_fmt):
    raw = bytes(raw)
    if to_fmt == SF.UNSIGNED8:
        return np.frombuffer(raw, np.uint8).astype(np.int64)
    if to_fmt == SF.SIGNED16:
        return np.frombuffer(raw, np.int16).astype(np.int64)
    if to_fmt == SF.SIGNED24:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int64)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        return np.where(v >= 1 << 23, v - (1 << 24), v)
    return np.frombuffer(raw, np.int32).astype(np.int64)


INT_FORMATS = [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED24, SF.SIGNED32]


def test_s16_full_scale_and_beyond():
    """The mapping chosen: -1.0 and below -> -32767 (as in range, symmetric), NaN -> 0."""
    x = np.array([-1.5] * 16 + [math.nan] * 16 + [math.inf] * 16 + [1e10] * 16 + [-1.0] * 16, np.float32)
    got = as_ints(miniaudio.convert_sample_format(SF.FLOAT32, x.tobytes(), SF.SIGNED16), SF.SIGNED16)
    assert got.tolist() == [-32767] * 16 + [0] * 16 + [32767] * 32 + [-32767] * 16


@pytest.mark.parametrize("to_fmt", INT_FORMATS, ids=lambda f: f.name)
def test_float_to_int_same_for_any_length_and_alignment(to_fmt):
    rng = np.random.default_rng(13)
    pool = np.array(SPECIAL * 2 + list(rng.uniform(-1.2, 1.2, 60)), dtype=np.float32)
    rng.shuffle(pool)
    one_by_one = {}
    for v in range(len(pool)):
        one = miniaudio.convert_sample_format(SF.FLOAT32, pool[v:v + 1].tobytes(), to_fmt)
        one_by_one[v] = as_ints(one, to_fmt)[0]
    want = expected_ints(pool, to_fmt)
    assert [one_by_one[i] for i in range(len(pool))] == want.tolist()
    # a 16-byte aligned buffer with room for misaligned views at every float offset
    backing = bytearray(len(pool) * 4 + 64)
    base = (-np.frombuffer(backing, np.uint8).ctypes.data) % 16
    for length in range(1, 41):
        for start in range(0, len(pool) - length, 7):
            for shift in range(4):     # 0 aligned, 1..3 misaligned by 4, 8, 12 bytes
                at = base + 4 * shift
                chunk = pool[start:start + length].tobytes()
                backing[at:at + len(chunk)] = chunk
                got = as_ints(miniaudio.convert_sample_format(SF.FLOAT32, memoryview(backing)[at:at + len(chunk)],
                                                              to_fmt), to_fmt)
                assert got.tolist() == want[start:start + length].tolist(), (length, start, shift)


def float_wav(samples, channels=2, rate=44100):
    data = np.asarray(samples, np.float32).tobytes()
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE" + b"fmt "
            + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)


def _streamed(data, to_fmt, frames_to_read):
    chunks = miniaudio.stream_memory(data, output_format=to_fmt, nchannels=2, sample_rate=44100,
                                     frames_to_read=frames_to_read, chunk_type="bytes")
    return as_ints(b"".join(bytes(c) for c in chunks), to_fmt).tolist()


def _decoded(data, to_fmt):
    """decode()'s samples; SIGNED24 (no array.array type) as one chunk of a stream."""
    if to_fmt == SF.SIGNED24:
        return _streamed(data, to_fmt, 1 << 20)
    return as_ints(miniaudio.decode(data, output_format=to_fmt, nchannels=2, sample_rate=44100).samples,
                   to_fmt).tolist()


@pytest.mark.parametrize("to_fmt", INT_FORMATS, ids=lambda f: f.name)
def test_float_wav_decode_equals_small_chunks(to_fmt):
    """dr_wav converts float WAV samples itself (its own mapping), the same for any chunk size."""
    rng = np.random.default_rng(7)
    values = np.array(SPECIAL * 4 + list(rng.uniform(-1.3, 1.3, 300)), np.float32)
    values = np.concatenate([values, np.full(64, -1.5, np.float32), np.full(64, math.nan, np.float32)])
    wav = float_wav(values[: len(values) // 2 * 2])
    whole = _decoded(wav, to_fmt)
    for frames_to_read in (1, 3, 5, 1024):
        assert _streamed(wav, to_fmt, frames_to_read) == whole, frames_to_read


def _has_libvorbis():
    if shutil.which("ffmpeg") is None:
        return False
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return "libvorbis" in out


@pytest.fixture(scope="module")
def loud_vorbis(tmp_path_factory):
    """An Ogg Vorbis file whose decoded float samples go beyond -1..1 (a 1.6x overdriven tone)."""
    if not _has_libvorbis():
        pytest.skip("needs ffmpeg with libvorbis")
    path = tmp_path_factory.mktemp("vorbis") / "loud.ogg"
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "aevalsrc=1.6*sin(2*PI*440*t)+0.2*sin(2*PI*3000*t):d=0.3:s=44100", "-ac", "2",
                    "-c:a", "libvorbis", "-q:a", "6", str(path)], check=True)
    return path.read_bytes()


@pytest.mark.parametrize("to_fmt", INT_FORMATS, ids=lambda f: f.name)
def test_vorbis_decode_equals_one_frame_chunks(loud_vorbis, to_fmt):
    """stb_vorbis gives floats and miniaudio's converter makes the integers: decode() (whole
    buffers, the SIMD loop) and 1-frame chunks (the scalar loop) give the documented values."""
    floats = np.frombuffer(bytes(miniaudio.decode(loud_vorbis, SF.FLOAT32, 2, 44100).samples), np.float32)
    assert (floats < -32768 / 32767).sum() > 100 and (floats > 1).sum() > 100   # beyond full scale
    want = expected_ints(floats, to_fmt).tolist()
    whole = _decoded(loud_vorbis, to_fmt)
    assert whole == want
    for frames_to_read in (1, 3):
        assert _streamed(loud_vorbis, to_fmt, frames_to_read) == want, frames_to_read
