"""Argument kinds: every `data` argument accepts any C-contiguous buffer with
identical results; every filename accepts str, bytes and os.PathLike,
including non-ASCII names."""

import array
import os
import pathlib
import shutil

import numpy as np
import pytest

import miniaudio

BUFFER_KINDS = {
    "bytes": bytes,
    "bytearray": bytearray,
    "memoryview": memoryview,
    "memoryview-slice": lambda b: memoryview(b"\x00" * 7 + b + b"\x00" * 5)[7:-5],
    "array-B": lambda b: array.array("B", b),
    "numpy-u8": lambda b: np.frombuffer(b, dtype=np.uint8),
    "numpy-u8-copy": lambda b: np.frombuffer(b, dtype=np.uint8).copy(),
    "array-h": lambda b: array.array("h", b),  # itemsize 2: only for even lengths
    "numpy-2d": lambda b: np.frombuffer(b[: len(b) - len(b) % 4], dtype=np.uint8).reshape(-1, 4)
    if len(b) % 4 == 0 else np.frombuffer(b, dtype=np.uint8).reshape(1, -1),
}

# (function, sample file)
DATA_FUNCS = [
    ("wav_read_s16", "tone_s16.wav"), ("wav_read_s32", "short_s32.wav"), ("wav_read_f32", "short_f32.wav"),
    ("flac_read_s16", "tone_16.flac"), ("flac_read_s32", "tone_24.flac"), ("flac_read_f32", "mono.flac"),
    ("mp3_read_s16", "tone.mp3"), ("mp3_read_f32", "mono.mp3"),
    ("vorbis_read", "tone.ogg"),
    ("decode", "tone.mp3"), ("decode", "mono.ogg"), ("decode", "tone_24.flac"), ("decode", "short_u8.wav"),
]
INFO_FUNCS = [
    ("wav_get_info", "short_s24.wav"), ("flac_get_info", "tone_24.flac"),
    ("mp3_get_info", "tone.mp3"), ("vorbis_get_info", "mono.ogg"),
]


@pytest.mark.parametrize("kind", list(BUFFER_KINDS))
@pytest.mark.parametrize("func,name", DATA_FUNCS, ids=["%s-%s" % f for f in DATA_FUNCS])
def test_decoders_accept_any_buffer(func, name, kind, sample_bytes):
    raw = sample_bytes(name)
    if kind == "array-h" and len(raw) % 2:
        pytest.skip("odd length")
    expected = getattr(miniaudio, func)(raw)
    got = getattr(miniaudio, func)(BUFFER_KINDS[kind](raw))
    assert got.samples == expected.samples
    assert (got.nchannels, got.sample_rate, got.sample_format) == (expected.nchannels, expected.sample_rate,
                                                                   expected.sample_format)


@pytest.mark.parametrize("kind", list(BUFFER_KINDS))
@pytest.mark.parametrize("func,name", INFO_FUNCS, ids=["%s-%s" % f for f in INFO_FUNCS])
def test_info_accepts_any_buffer(func, name, kind, sample_bytes):
    raw = sample_bytes(name)
    if kind == "array-h" and len(raw) % 2:
        pytest.skip("odd length")
    expected = getattr(miniaudio, func)(raw)
    got = getattr(miniaudio, func)(BUFFER_KINDS[kind](raw))
    for attr in ("nchannels", "sample_rate", "sample_format", "num_frames", "file_format"):
        assert getattr(got, attr) == getattr(expected, attr)


def test_buffer_not_modified_and_still_usable(sample_bytes):
    raw = bytearray(sample_bytes("tone_16.flac"))
    snapshot = bytes(raw)
    miniaudio.flac_read_s16(raw)
    miniaudio.decode(raw, sample_rate=22050)
    assert raw == snapshot
    raw.extend(b"\x00")  # no buffer export may be left behind (would raise BufferError)
    del raw[-1]


def test_non_contiguous_buffer_rejected(sample_bytes):
    raw = np.frombuffer(sample_bytes("tone_s16.wav"), dtype=np.uint8)
    strided = np.repeat(raw, 2)[::2]  # same bytes, but non-contiguous view
    assert not strided.flags.c_contiguous
    try:
        d = miniaudio.wav_read_s16(strided)
    except (TypeError, ValueError, BufferError):
        return
    # if a copy is made instead, the result must be right
    assert d.samples == miniaudio.wav_read_s16(sample_bytes("tone_s16.wav")).samples


# --- filenames ---------------------------------------------------------------

FILE_FUNCS = [
    ("get_file_info", "tone_24.flac"), ("read_file", "tone_16.flac"),
    ("decode_file", "tone.ogg"),
    ("wav_get_file_info", "tone_s16.wav"), ("wav_read_file_s16", "tone_s16.wav"),
    ("wav_read_file_s32", "short_s32.wav"), ("wav_read_file_f32", "short_f32.wav"),
    ("flac_get_file_info", "mono.flac"), ("flac_read_file_s16", "mono.flac"),
    ("flac_read_file_s32", "tone_24.flac"), ("flac_read_file_f32", "tone_16.flac"),
    ("mp3_get_file_info", "mono.mp3"), ("mp3_read_file_s16", "mono.mp3"), ("mp3_read_file_f32", "tone.mp3"),
    ("vorbis_get_file_info", "mono.ogg"), ("vorbis_read_file", "tone.ogg"),
]

NAME_KINDS = ["str", "bytes", "pathlib", "nonascii-str", "nonascii-bytes", "nonascii-pathlib", "custom-pathlike"]


class MyPath:
    def __init__(self, p):
        self.p = p

    def __fspath__(self):
        return self.p


def make_name(kind, src, tmp_path):
    ext = os.path.splitext(src)[1]
    if kind.startswith("nonascii"):
        target = tmp_path / ("tëst ñame ♪ 音%s" % ext)
        shutil.copyfile(src, target)
    else:
        target = pathlib.Path(src)
    if kind.endswith("bytes"):
        return os.fsencode(str(target))
    if kind.endswith("pathlib"):
        return target
    if kind == "custom-pathlike":
        return MyPath(str(target))
    return str(target)


def result_key(r):
    if isinstance(r, miniaudio.DecodedSoundFile):
        return (r.nchannels, r.sample_rate, r.sample_format, bytes(r.samples))
    return (r.file_format, r.nchannels, r.sample_rate, r.sample_format, r.num_frames, r.sub_format)


@pytest.mark.parametrize("kind", NAME_KINDS)
@pytest.mark.parametrize("func,name", FILE_FUNCS, ids=["%s-%s" % f for f in FILE_FUNCS])
def test_filename_kinds(func, name, kind, sample_path, tmp_path):
    src = sample_path(name)
    expected = getattr(miniaudio, func)(src)
    fname = make_name(kind, src, tmp_path)
    got = getattr(miniaudio, func)(fname)
    assert result_key(got) == result_key(expected)


def test_info_name_is_str_for_pathlike(sample_path):
    info = miniaudio.get_file_info(pathlib.Path(sample_path("tone_s16.wav")))
    assert isinstance(info.name, str)
    assert info.name.endswith("tone_s16.wav")


def test_nonascii_missing_file_message(tmp_path):
    missing = tmp_path / "nïcht dä ♪.wav"
    with pytest.raises(FileNotFoundError) as exc:
        miniaudio.wav_read_file_s16(str(missing))
    assert "nïcht dä ♪.wav" in str(exc.value) or exc.value.filename is not None
