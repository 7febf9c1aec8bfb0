"""Bad input gives clear Python exceptions, never a crash, hang or SystemError.

- empty / garbage / wrong-format / header-truncated / header-corrupt data -> DecodeError
  (carrying .result / .result_name and a readable message)
- data truncated or corrupted inside the audio -> DecodeError or a shorter/partial
  result (never more frames than the intact file, never a crash)
- missing file -> FileNotFoundError, directory -> IsADirectoryError (or an OSError naming the path)
- wrong enum values, bad ints, bad rates/channel counts -> TypeError / ValueError naming the argument
- non-buffer data -> TypeError; buffers that are not a whole number of samples/frames -> ValueError
- random mutations of every sample file, decoded in a subprocess: no crash
"""

import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF, DitherMode, ChannelMixMode

from helpers import BY_NAME

# data-taking functions, per container format
DATA_FUNCS = {
    "wav": ["wav_read_s16", "wav_read_s32", "wav_read_f32", "wav_get_info"],
    "flac": ["flac_read_s16", "flac_read_s32", "flac_read_f32", "flac_get_info"],
    "mp3": ["mp3_read_s16", "mp3_read_f32", "mp3_get_info"],
    "vorbis": ["vorbis_read", "vorbis_get_info"],
    "any": ["decode"],
}
ALL_DATA_FUNCS = [f for fs in DATA_FUNCS.values() for f in fs]
SAMPLE_OF = {"wav": "tone_s16.wav", "flac": "tone_16.flac", "mp3": "tone.mp3", "vorbis": "tone.ogg"}

FILE_FUNCS = [
    "get_file_info", "read_file", "decode_file",
    "wav_get_file_info", "wav_read_file_s16", "wav_read_file_s32", "wav_read_file_f32",
    "flac_get_file_info", "flac_read_file_s16", "flac_read_file_s32", "flac_read_file_f32",
    "mp3_get_file_info", "mp3_read_file_s16", "mp3_read_file_f32",
    "vorbis_get_file_info", "vorbis_read_file",
]

GARBAGE = {
    "zeros": b"\x00" * 4096,
    "text": b"this is certainly not an audio file\n" * 100,
    "random": np.random.default_rng(1234).integers(0, 256, 20000, dtype=np.uint8).tobytes(),
    "one-byte": b"R",
    "riff-only": b"RIFF",
    "flac-magic-only": b"fLaC",
    "ogg-magic-only": b"OggS",
    "id3-only": b"ID3\x04\x00\x00\x00\x00\x00\x00",
}


def assert_decode_error(exc):
    e = exc.value
    assert isinstance(e, miniaudio.DecodeError)
    msg = str(e)
    assert msg and len(msg) > 8, repr(msg)
    assert not msg.strip().lstrip("-").isdigit()


@pytest.mark.parametrize("func", ALL_DATA_FUNCS)
def test_empty_data(func):
    with pytest.raises(miniaudio.DecodeError) as exc:
        getattr(miniaudio, func)(b"")
    assert_decode_error(exc)


@pytest.mark.parametrize("kind", list(GARBAGE))
@pytest.mark.parametrize("func", ALL_DATA_FUNCS)
def test_garbage_data(func, kind):
    with pytest.raises(miniaudio.DecodeError) as exc:
        getattr(miniaudio, func)(GARBAGE[kind])
    assert_decode_error(exc)


def test_decode_error_carries_result_code():
    with pytest.raises(miniaudio.DecodeError) as exc:
        miniaudio.decode(GARBAGE["text"])
    e = exc.value
    assert isinstance(e.result, int) and e.result < 0, e.result
    assert isinstance(e.result_name, str) and e.result_name.startswith("MA_"), e.result_name
    with pytest.raises(miniaudio.DecodeError) as exc:
        miniaudio.wav_read_s16(GARBAGE["zeros"])
    assert isinstance(exc.value.result, int) and exc.value.result < 0
    assert exc.value.result_name.startswith("MA_")


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "vorbis"])
@pytest.mark.parametrize("other", ["wav", "flac", "mp3", "vorbis"])
def test_wrong_format_data(fmt, other, sample_bytes):
    if fmt == other:
        pytest.skip("same format")
    data = sample_bytes(SAMPLE_OF[other])
    for func in DATA_FUNCS[fmt]:
        with pytest.raises(miniaudio.DecodeError) as exc:
            getattr(miniaudio, func)(data)
        assert_decode_error(exc)


# header sizes: WAV 44 (46 for f32 etc.), FLAC 4+38 (+ more metadata), Ogg Vorbis ~3 pages
HEADER_CUTS = [1, 3, 4, 11, 12, 20, 36, 40]


@pytest.mark.parametrize("cut", HEADER_CUTS)
@pytest.mark.parametrize("fmt", ["wav", "flac", "vorbis"])
def test_truncated_header(fmt, cut, sample_bytes):
    data = sample_bytes(SAMPLE_OF[fmt])[:cut]
    for func in DATA_FUNCS[fmt] + ["decode"]:
        with pytest.raises(miniaudio.DecodeError) as exc:
            getattr(miniaudio, func)(data)
        assert_decode_error(exc)


@pytest.mark.parametrize("cut", [1, 3, 4, 10, 100, 400])
def test_truncated_mp3_header(cut, sample_bytes):
    """Less than one MP3 frame: nothing to decode."""
    data = sample_bytes("tone.mp3")[:cut]
    for func in DATA_FUNCS["mp3"] + ["decode"]:
        with pytest.raises(miniaudio.DecodeError):
            getattr(miniaudio, func)(data)


def full_frames(name):
    return BY_NAME[name].num_frames


READER = {"tone_s16.wav": "wav_read_s16", "short_f32.wav": "wav_read_f32", "tone_16.flac": "flac_read_s16",
          "tone_24.flac": "flac_read_s32", "tone.mp3": "mp3_read_s16", "tone.ogg": "vorbis_read"}


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("name", list(READER))
@pytest.mark.parametrize("api", ["decode", "format-specific"])
def test_truncated_audio_data(name, fraction, api, sample_bytes):
    """Cut inside the audio: either DecodeError, or a non-empty result with no more
    frames than the intact file whose content (lossless formats) is a prefix of the
    intact decode.  An empty result for a stream whose header promises audio is a
    silent failure: it must be a DecodeError instead."""
    full = sample_bytes(name)
    data = full[: int(len(full) * fraction)]
    if api == "decode":
        func = lambda x: miniaudio.decode(x, output_format=SF.SIGNED16, nchannels=2, sample_rate=44100)  # noqa: E731
    else:
        func = getattr(miniaudio, READER[name])
    intact = func(full)
    try:
        d = func(data)
    except miniaudio.DecodeError as e:
        assert str(e)
        return
    assert d.num_frames > 0, "truncated %s (%d of %d bytes) decoded to 0 frames without an error" % (
        name, len(data), len(full))
    if BY_NAME[name].lossless:
        assert d.num_frames < intact.num_frames
    else:
        # a truncated Vorbis/MP3 packet may still decode (partially) to its full length
        assert d.num_frames <= intact.num_frames
    if BY_NAME[name].lossless:
        # what is returned is the intact decode's beginning (the last partial
        # FLAC frame, up to 4096 frames, may differ or be dropped)
        k = max(0, d.num_frames - 4096) * d.nchannels
        assert d.samples[:k] == intact.samples[:k]


def test_valid_empty_wav_is_not_an_error():
    """A well-formed WAV with a zero-length data chunk is empty audio, not an error."""
    data = wav_header(ndata=0)
    d = miniaudio.wav_read_s16(data)
    assert d.num_frames == 0 and d.nchannels == 2 and len(d.samples) == 0
    assert miniaudio.wav_get_info(data).num_frames == 0


def wav_header(channels=2, rate=44100, bits=16, tag=1, data_size=None, ndata=400):
    block = channels * bits // 8 if channels else 0
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    data = b"\x01\x02" * (ndata // 2)
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize(
    "kw",
    [dict(channels=0), dict(rate=0), dict(bits=0)],
    ids=["zero-channels", "zero-rate", "zero-bits"],
)
def test_corrupt_wav_header(kw):
    data = wav_header(**kw)
    for func in ("wav_read_s16", "wav_read_f32", "wav_get_info", "decode"):
        with pytest.raises(miniaudio.DecodeError):
            getattr(miniaudio, func)(data)


@pytest.mark.parametrize("tag", [0x1234, 0], ids=["unknown-tag", "tag-0"])
def test_unsupported_wav_codec(tag):
    """A WAV whose codec tag cannot be decoded must not come back as silently empty
    audio: reading raises DecodeError (the info function may still report the tag)."""
    data = wav_header(tag=tag)
    for func in ("wav_read_s16", "wav_read_f32", "decode"):
        with pytest.raises(miniaudio.DecodeError):
            getattr(miniaudio, func)(data)


def test_valid_handmade_wav_header_sanity():
    d = miniaudio.wav_read_s16(wav_header())
    assert d.num_frames == 100 and d.nchannels == 2


@pytest.mark.parametrize("func", ["wav_read_s16", "decode"])
def test_wav_declares_huge_data_chunk(func):
    """Declared data size far beyond the buffer: read what is there (or DecodeError);
    no giant allocation (MemoryError) and no over-read."""
    data = wav_header(data_size=0xFFFFFFF0, ndata=400)
    try:
        d = getattr(miniaudio, func)(data)
    except miniaudio.DecodeError:
        return
    assert d.num_frames <= 100


def test_flac_declares_huge_total_samples(sample_bytes):
    """STREAMINFO claims 2**35 frames: decode the real ones, do not preallocate."""
    data = bytearray(sample_bytes("tone_16.flac"))
    assert data[:4] == b"fLaC"
    # STREAMINFO body starts at 8; total samples = low 36 bits of bytes 8+13..8+17
    off = 8 + 13
    v = int.from_bytes(data[off:off + 5], "big")
    v = (v & ~((1 << 36) - 1)) | (1 << 35)
    data[off:off + 5] = v.to_bytes(5, "big")
    try:
        d = miniaudio.flac_read_s16(bytes(data))
    except miniaudio.DecodeError:
        return
    assert d.num_frames <= 44100 + 4096


@pytest.mark.parametrize("name,magic_at,func",
                         [("tone_s16.wav", 0, "wav_read_s16"), ("tone_s16.wav", 8, "wav_get_info"),
                          ("tone_16.flac", 0, "flac_read_s16"), ("tone.ogg", 0, "vorbis_read")])
def test_corrupt_magic(name, magic_at, func, sample_bytes):
    data = bytearray(sample_bytes(name))
    data[magic_at:magic_at + 4] = b"XXXX"
    with pytest.raises(miniaudio.DecodeError):
        getattr(miniaudio, func)(bytes(data))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(bytes(data))


# --- files ---------------------------------------------------------------------

@pytest.mark.parametrize("func", FILE_FUNCS)
def test_missing_file(func, tmp_path):
    path = str(tmp_path / "does-not-exist.wav")
    with pytest.raises(FileNotFoundError) as exc:
        getattr(miniaudio, func)(path)
    assert exc.value.filename == path or "does-not-exist.wav" in str(exc.value)


@pytest.mark.parametrize("func", FILE_FUNCS)
def test_directory_instead_of_file(func, tmp_path):
    d = tmp_path / "adir.wav"
    d.mkdir()
    with pytest.raises(OSError) as exc:
        getattr(miniaudio, func)(str(d))
    assert isinstance(exc.value, IsADirectoryError) or "adir.wav" in str(exc.value)
    assert not isinstance(exc.value, FileNotFoundError)


@pytest.mark.parametrize("func", FILE_FUNCS)
@pytest.mark.parametrize("content", [b"", b"garbage " * 300], ids=["empty", "garbage"])
def test_bad_file_content(func, content, tmp_path):
    p = tmp_path / "bad.wav"
    p.write_bytes(content)
    with pytest.raises(miniaudio.DecodeError) as exc:
        getattr(miniaudio, func)(str(p))
    assert_decode_error(exc)


@pytest.mark.parametrize("func", FILE_FUNCS)
@pytest.mark.parametrize("bad", [123, None, 4.5, ["a.wav"]], ids=["int", "None", "float", "list"])
def test_filename_wrong_type(func, bad):
    with pytest.raises(TypeError):
        getattr(miniaudio, func)(bad)


@pytest.mark.parametrize("func", ["get_file_info", "read_file", "decode_file", "wav_read_file_s16", "vorbis_read_file"])
def test_filename_embedded_nul(func):
    with pytest.raises(ValueError):
        getattr(miniaudio, func)("tone\x00.wav")


def test_wrong_format_file(sample_path):
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.wav_read_file_s16(sample_path("tone_16.flac"))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.flac_read_file_s16(sample_path("tone_s16.wav"))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.vorbis_read_file(sample_path("tone.mp3"))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.mp3_read_file_s16(sample_path("tone.ogg"))


# --- non-buffer data -------------------------------------------------------------

@pytest.mark.parametrize("func", ALL_DATA_FUNCS)
@pytest.mark.parametrize("bad", ["RIFF....WAVE", [1, 2, 3], None, 42, object()],
                         ids=["str", "list", "None", "int", "object"])
def test_non_buffer_data(func, bad):
    with pytest.raises(TypeError):
        getattr(miniaudio, func)(bad)


# --- decode() argument validation ------------------------------------------------

@pytest.fixture(scope="module")
def wav(sample_bytes):
    return sample_bytes("mono_s16.wav")


@pytest.mark.parametrize("rate", [0, -1, -44100, 10 ** 7, 2 ** 31, 2 ** 40])
def test_decode_bad_sample_rate(rate, wav, sample_path):
    with pytest.raises((ValueError, OverflowError), match="sample_rate"):
        miniaudio.decode(wav, sample_rate=rate)
    with pytest.raises((ValueError, OverflowError), match="sample_rate"):
        miniaudio.decode_file(sample_path("mono_s16.wav"), sample_rate=rate)


@pytest.mark.parametrize("rate", [44100.0, "44100", None])
def test_decode_sample_rate_wrong_type(rate, wav):
    with pytest.raises(TypeError):
        miniaudio.decode(wav, sample_rate=rate)


@pytest.mark.parametrize("nch", [0, -1, 255, 1000, 2 ** 40])
def test_decode_bad_nchannels(nch, wav, sample_path):
    with pytest.raises((ValueError, OverflowError), match="nchannels"):
        miniaudio.decode(wav, nchannels=nch)
    with pytest.raises((ValueError, OverflowError), match="nchannels"):
        miniaudio.decode_file(sample_path("mono_s16.wav"), nchannels=nch)


def test_decode_max_channels_ok(wav):
    d = miniaudio.decode(wav, nchannels=254, sample_rate=22050)
    assert d.nchannels == 254 and d.num_frames == 22050


@pytest.mark.parametrize("bad", [99, -1, "SIGNED16", 2.0, DitherMode.NONE, ChannelMixMode.SIMPLE],
                         ids=["99", "-1", "str", "float", "DitherMode", "ChannelMixMode"])
def test_decode_bad_output_format(bad, wav):
    with pytest.raises((TypeError, ValueError), match="output_format"):
        miniaudio.decode(wav, output_format=bad)


def test_decode_unknown_output_format(wav):
    """1.71 raised MiniaudioError after decoding; returning the file's native format
    (miniaudio's meaning of ma_format_unknown) is accepted if the result says which."""
    try:
        d = miniaudio.decode(wav, output_format=SF.UNKNOWN)
    except (ValueError, miniaudio.MiniaudioError):
        return
    assert d.sample_format != SF.UNKNOWN
    assert d.samples.itemsize == miniaudio.width_from_format(d.sample_format)


@pytest.mark.parametrize("bad", [99, -1, "NONE", SF.SIGNED16], ids=["99", "-1", "str", "SampleFormat"])
def test_decode_bad_dither(bad, wav):
    with pytest.raises((TypeError, ValueError), match="dither"):
        miniaudio.decode(wav, dither=bad)


@pytest.mark.parametrize("bad", [99, -1, "SIMPLE", DitherMode.TRIANGLE], ids=["99", "-1", "str", "DitherMode"])
def test_decode_bad_channel_mix(bad, wav):
    with pytest.raises((TypeError, ValueError), match="channel_mix"):
        miniaudio.decode(wav, channel_mix=bad)


@pytest.mark.parametrize("bad", [-1, 9, 1000])
def test_decode_bad_resampler_order(bad, wav):
    with pytest.raises((ValueError, OverflowError), match="resampler_order"):
        miniaudio.decode(wav, sample_rate=48000, resampler_order=bad)


def test_decode_keyword_only_arguments(wav):
    with pytest.raises(TypeError):
        miniaudio.decode(wav, SF.SIGNED16, 2, 44100, DitherMode.NONE, ChannelMixMode.RECTANGULAR)
    with pytest.raises(TypeError):
        miniaudio.decode(wav, bogus=1)


# --- conversion argument validation ----------------------------------------------

def test_convert_sample_format_partial_sample():
    with pytest.raises(ValueError, match="(?i)sourcedata|data|sample|multiple"):
        miniaudio.convert_sample_format(SF.SIGNED16, b"\x00\x00\x00", SF.FLOAT32)
    with pytest.raises(ValueError):
        miniaudio.convert_sample_format(SF.FLOAT32, b"\x00" * 6, SF.SIGNED16)
    with pytest.raises(ValueError):
        miniaudio.convert_sample_format(SF.SIGNED24, b"\x00" * 4, SF.SIGNED16)


@pytest.mark.parametrize("bad", [SF.UNKNOWN, 99, "s16", None], ids=["UNKNOWN", "99", "str", "None"])
def test_convert_sample_format_bad_formats(bad):
    with pytest.raises((TypeError, ValueError, miniaudio.MiniaudioError)):
        miniaudio.convert_sample_format(bad, b"\x00" * 8, SF.FLOAT32)
    with pytest.raises((TypeError, ValueError, miniaudio.MiniaudioError)):
        miniaudio.convert_sample_format(SF.SIGNED16, b"\x00" * 8, bad)


@pytest.mark.parametrize("bad", ["abcd", [0, 0], None, 12], ids=["str", "list", "None", "int"])
def test_convert_non_buffer(bad):
    with pytest.raises(TypeError):
        miniaudio.convert_sample_format(SF.SIGNED16, bad, SF.FLOAT32)
    with pytest.raises(TypeError):
        miniaudio.convert_frames(SF.SIGNED16, 1, 44100, bad, SF.FLOAT32, 1, 44100)


def test_convert_frames_partial_frame():
    # 3 s16 samples = 1.5 stereo frames
    with pytest.raises(ValueError, match="(?i)sourcedata|data|frame|multiple"):
        miniaudio.convert_frames(SF.SIGNED16, 2, 44100, b"\x00" * 6, SF.FLOAT32, 2, 44100)
    with pytest.raises(ValueError):
        miniaudio.convert_frames(SF.SIGNED16, 1, 44100, b"\x00" * 3, SF.FLOAT32, 1, 44100)


@pytest.mark.parametrize(
    "args,argname",
    [
        ((SF.SIGNED16, 0, 44100, b"\x00" * 8, SF.FLOAT32, 2, 44100), "from_numchannels"),
        ((SF.SIGNED16, 2, 44100, b"\x00" * 8, SF.FLOAT32, 0, 44100), "to_numchannels"),
        ((SF.SIGNED16, 255, 44100, b"\x00" * 510, SF.FLOAT32, 2, 44100), "from_numchannels"),
        ((SF.SIGNED16, 2, 0, b"\x00" * 8, SF.FLOAT32, 2, 44100), "from_samplerate"),
        ((SF.SIGNED16, 2, 44100, b"\x00" * 8, SF.FLOAT32, 2, 0), "to_samplerate"),
        ((SF.SIGNED16, 2, -5, b"\x00" * 8, SF.FLOAT32, 2, 44100), "from_samplerate"),
        ((SF.SIGNED16, 2, 44100, b"\x00" * 8, SF.FLOAT32, 2, 10 ** 8), "to_samplerate"),
    ],
)
def test_convert_frames_bad_numbers(args, argname):
    with pytest.raises((ValueError, OverflowError), match=argname):
        miniaudio.convert_frames(*args)


def test_convert_frames_bad_format():
    with pytest.raises((TypeError, ValueError, miniaudio.MiniaudioError)):
        miniaudio.convert_frames(SF.UNKNOWN, 2, 44100, b"\x00" * 8, SF.FLOAT32, 2, 44100)
    with pytest.raises((TypeError, ValueError, miniaudio.MiniaudioError)):
        miniaudio.convert_frames(SF.SIGNED16, 2, 44100, b"\x00" * 8, "f32", 2, 44100)


def test_convert_frames_empty():
    out = miniaudio.convert_frames(SF.SIGNED16, 2, 44100, b"", SF.FLOAT32, 2, 48000)
    assert isinstance(out, bytearray) and len(out) == 0


def test_convert_frames_huge_upsample_ratio_is_bounded():
    """A large (valid) ratio produces the proportional amount of output, not a crash."""
    src = np.zeros(100, np.int16).tobytes()
    out = miniaudio.convert_frames(SF.SIGNED16, 1, 8000, src, SF.SIGNED16, 1, 384000)
    assert abs(len(out) // 2 - 100 * 48) <= 48


# --- fuzz in a subprocess: a crash must not take down the test run ----------------

FUZZ_SCRIPT = textwrap.dedent(
    """
    import sys, random
    import miniaudio
    names = sys.argv[1:]
    rnd = random.Random(20240601)
    funcs = ["decode", "wav_read_s16", "flac_read_f32", "mp3_read_s16", "vorbis_read",
             "wav_get_info", "flac_get_info", "mp3_get_info", "vorbis_get_info"]
    n = 0
    for name in names:
        data = open(name, "rb").read()
        for i in range(60):
            b = bytearray(data)
            kind = i % 4
            if kind == 0:      # flip bytes in the first 256 bytes (headers)
                for _ in range(rnd.randint(1, 6)):
                    b[rnd.randrange(min(256, len(b)))] = rnd.randrange(256)
            elif kind == 1:    # flip bytes anywhere
                for _ in range(rnd.randint(1, 40)):
                    b[rnd.randrange(len(b))] = rnd.randrange(256)
            elif kind == 2:    # truncate
                del b[rnd.randrange(len(b)):]
            else:              # zero a block
                p = rnd.randrange(len(b)); b[p:p + rnd.randint(1, 2000)] = bytes(min(2000, len(b) - p))
            for f in funcs:
                try:
                    getattr(miniaudio, f)(bytes(b))
                except miniaudio.DecodeError:
                    pass
                except miniaudio.MiniaudioError:
                    pass
                n += 1
    print("ok", n)
    """
)


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "vorbis"])
def test_fuzz_no_crash(fmt, sample_path, tmp_path):
    names = {"wav": ["mono_s16.wav", "short_f32.wav"], "flac": ["mono.flac", "tone_24.flac"],
             "mp3": ["mono.mp3"], "vorbis": ["mono.ogg"]}[fmt]
    script = tmp_path / "fuzz.py"
    script.write_text(FUZZ_SCRIPT)
    r = subprocess.run([sys.executable, str(script)] + [sample_path(n) for n in names],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "exit code %s\nstdout: %s\nstderr: %s" % (r.returncode, r.stdout[-2000:], r.stderr[-4000:])
    assert r.stdout.startswith("ok")
