"""wav_write_file(): exact round trips for every sample format, a correct
header (checked independently with the ``wave`` module and a hand parser;
FLOAT32 must carry format tag 3, which 1.71 got wrong), all filename kinds."""

import array
import os
import pathlib
import wave

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

import helpers
from helpers import parse_wav, pcm

TYPECODE = helpers.TYPECODE  # the C module's sample-format table
BITS = {SF.UNSIGNED8: 8, SF.SIGNED16: 16, SF.SIGNED32: 32, SF.FLOAT32: 32}
STORED = {SF.UNSIGNED8: "u8", SF.SIGNED16: "s16", SF.SIGNED32: "s32", SF.FLOAT32: "f32"}
READERS = {SF.SIGNED16: miniaudio.wav_read_file_s16, SF.SIGNED32: miniaudio.wav_read_file_s32,
           SF.FLOAT32: miniaudio.wav_read_file_f32}


def make_sound(fmt, sig, signal="tone", name="x"):
    ref = sig.reference(signal, STORED[fmt])
    samples = array.array(TYPECODE[fmt], ref.tobytes())
    rate = sig.SIGNALS[signal][0]
    return miniaudio.DecodedSoundFile(name, ref.shape[1], rate, fmt, samples), ref


def read_back_native(path, fmt, nchannels, rate):
    if fmt in READERS:
        return READERS[fmt](path)
    # u8: decode with no conversion requested
    return miniaudio.decode_file(path, output_format=fmt, nchannels=nchannels, sample_rate=rate)


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32, SF.FLOAT32])
@pytest.mark.parametrize("signal", ["tone", "mono"])
def test_round_trip_exact(fmt, signal, tmp_path, sig):
    sound, ref = make_sound(fmt, sig, signal)
    path = str(tmp_path / ("out_%s_%s.wav" % (signal, fmt.name)))
    assert miniaudio.wav_write_file(path, sound) is None

    # read back with our reader: bit-exact
    back = read_back_native(path, fmt, sound.nchannels, sound.sample_rate)
    assert back.sample_format == fmt
    assert back.nchannels == sound.nchannels
    assert back.sample_rate == sound.sample_rate
    assert back.num_frames == sound.num_frames
    assert back.samples == sound.samples
    np.testing.assert_array_equal(pcm(back), ref)

    # info agrees
    info = miniaudio.wav_get_file_info(path)
    assert info.file_format == miniaudio.FileFormat.WAV
    assert info.sample_format == fmt
    assert info.num_frames == sound.num_frames
    assert info.sub_format == (3 if fmt == SF.FLOAT32 else 1)

    # independent header + data check
    h = parse_wav(path)
    assert h["sub_tag"] == (3 if fmt == SF.FLOAT32 else 1), "format tag %r" % h["sub_tag"]
    assert h["channels"] == sound.nchannels
    assert h["rate"] == sound.sample_rate
    assert h["bits"] == BITS[fmt]
    assert h["block_align"] == sound.nchannels * BITS[fmt] // 8
    assert h["byte_rate"] == sound.sample_rate * h["block_align"]
    assert h["data"] == ref.tobytes()


@pytest.mark.parametrize("fmt", [SF.UNSIGNED8, SF.SIGNED16, SF.SIGNED32])
def test_pcm_readable_by_wave_module(fmt, tmp_path, sig):
    sound, ref = make_sound(fmt, sig, "tone")
    path = str(tmp_path / "w.wav")
    miniaudio.wav_write_file(path, sound)
    with wave.open(path, "rb") as w:
        assert w.getnchannels() == 2
        assert w.getframerate() == 44100
        assert w.getsampwidth() == BITS[fmt] // 8
        assert w.getnframes() == 44100
        assert w.readframes(w.getnframes()) == ref.tobytes()


def test_float32_not_mislabelled_as_pcm(tmp_path, sig):
    """1.71 wrote FLOAT32 data with format tag 1 (PCM), so readers saw 32-bit ints."""
    sound, ref = make_sound(SF.FLOAT32, sig, "tone")
    path = str(tmp_path / "f.wav")
    miniaudio.wav_write_file(path, sound)
    with open(path, "rb") as f:
        raw = f.read()
    i = raw.index(b"fmt ")
    tag = int.from_bytes(raw[i + 8:i + 10], "little")
    if tag == 0xFFFE:
        tag = int.from_bytes(raw[i + 8 + 24:i + 8 + 26], "little")
    assert tag == 3
    np.testing.assert_array_equal(pcm(miniaudio.wav_read_file_f32(path)), ref)
    # s16 conversion of the float data must be sane (a mislabelled file would be ints)
    s16 = pcm(miniaudio.wav_read_file_s16(path)).astype(np.int32)
    assert np.max(np.abs(s16 - sig.reference("tone", "s16"))) <= 2


def test_rewrite_decoded_files(tmp_path, sample_path):
    """Decoded files (from any reader) can be written and read back identically."""
    for src, reader in [("tone_s16.wav", miniaudio.wav_read_file_s16), ("short_f32.wav", miniaudio.wav_read_file_f32),
                        ("tone_24.flac", miniaudio.flac_read_file_s32), ("tone.mp3", miniaudio.mp3_read_file_f32),
                        ("tone.ogg", miniaudio.vorbis_read_file)]:
        d = reader(sample_path(src))
        out = str(tmp_path / (src + ".wav"))
        miniaudio.wav_write_file(out, d)
        back = {SF.SIGNED16: miniaudio.wav_read_file_s16, SF.SIGNED32: miniaudio.wav_read_file_s32,
                SF.FLOAT32: miniaudio.wav_read_file_f32}[d.sample_format](out)
        assert back.samples == d.samples, src
        assert (back.nchannels, back.sample_rate) == (d.nchannels, d.sample_rate)


def test_write_info_object_from_get_file_info_style(tmp_path, sample_path):
    """A DecodedSoundFile from read_file (sub_format None) writes a PCM file."""
    d = miniaudio.read_file(sample_path("mono_s16.wav"))
    out = tmp_path / "m.wav"
    miniaudio.wav_write_file(str(out), d)
    with open(sample_path("mono_s16.wav"), "rb") as f:
        original = f.read()
    assert parse_wav(str(out))["data"] == parse_wav(sample_path("mono_s16.wav"))["data"]
    assert len(original) > 0


@pytest.mark.parametrize(
    "make_name",
    [
        lambda d: str(d / "plain.wav"),
        lambda d: os.fsencode(str(d / "bytes.wav")),
        lambda d: d / "pathlike.wav",
        lambda d: str(d / "tëst ñame ♪.wav"),
        lambda d: d / "日本語のファイル.wav",
    ],
    ids=["str", "bytes", "pathlike", "nonascii", "cjk-pathlike"],
)
def test_write_filename_kinds(make_name, tmp_path, sig):
    sound, ref = make_sound(SF.SIGNED16, sig, "mono")
    name = make_name(tmp_path)
    miniaudio.wav_write_file(name, sound)
    real = os.fsdecode(name) if isinstance(name, bytes) else os.fspath(name)
    assert os.path.isfile(real)
    back = miniaudio.wav_read_file_s16(name)
    assert back.samples == sound.samples
    assert miniaudio.get_file_info(name).num_frames == 22050


def test_write_empty_sound(tmp_path):
    sound = miniaudio.DecodedSoundFile("e", 2, 44100, SF.SIGNED16, array.array("h"))
    path = str(tmp_path / "empty.wav")
    miniaudio.wav_write_file(path, sound)
    h = parse_wav(path)
    assert h["data"] == b""
    assert h["channels"] == 2


def test_overwrite_existing_file(tmp_path, sig):
    path = tmp_path / "o.wav"
    path.write_bytes(b"x" * 1_000_000)
    sound, ref = make_sound(SF.SIGNED16, sig, "mono")
    miniaudio.wav_write_file(str(path), sound)
    assert os.path.getsize(path) < 100_000
    assert parse_wav(str(path))["data"] == ref.tobytes()


def test_write_to_missing_directory_raises(tmp_path, sig):
    sound, _ = make_sound(SF.SIGNED16, sig, "mono")
    target = tmp_path / "no" / "such" / "dir" / "x.wav"
    with pytest.raises(OSError, match="x.wav|no.such|such"):
        miniaudio.wav_write_file(str(target), sound)


def test_write_to_directory_raises(tmp_path, sig):
    sound, _ = make_sound(SF.SIGNED16, sig, "mono")
    with pytest.raises(OSError):
        miniaudio.wav_write_file(str(tmp_path), sound)


def test_write_rejects_non_sound(tmp_path):
    with pytest.raises((TypeError, AttributeError)):
        miniaudio.wav_write_file(str(tmp_path / "x.wav"), b"RIFF....")


def test_write_pathlib_read_by_read_file(tmp_path, sig):
    sound, ref = make_sound(SF.SIGNED32, sig, "tone")
    p = pathlib.Path(tmp_path) / "s32.wav"
    miniaudio.wav_write_file(p, sound)
    back = miniaudio.read_file(p)
    assert back.sample_format == SF.SIGNED32
    assert back.samples == sound.samples
