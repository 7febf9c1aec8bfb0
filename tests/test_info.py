"""File information: get_file_info (content-based detection), the per-format
*_get_info(data) / *_get_file_info(filename) functions, SoundFileInfo attributes."""

import pytest

import miniaudio
from miniaudio import FileFormat as FF, SampleFormat as SF

from helpers import SAMPLES, BY_NAME, MP3_FRAME_TOLERANCE

SAMPLE_FORMAT_NAMES = {
    SF.UNSIGNED8: "8-bit Unsigned Integer",
    SF.SIGNED16: "16-bit Signed Integer",
    SF.SIGNED24: "24-bit Signed Integer (Tightly Packed)",
    SF.SIGNED32: "32-bit Signed Integer",
    SF.FLOAT32: "32-bit IEEE Floating Point",
}

PREFIX = {FF.WAV: "wav", FF.FLAC: "flac", FF.MP3: "mp3", FF.VORBIS: "vorbis"}


def frames_ok(info, sample):
    if sample.file_format == FF.MP3:
        return abs(info.num_frames - sample.num_frames) <= MP3_FRAME_TOLERANCE
    return info.num_frames == sample.num_frames


def check_info(info, sample, expect_name=None):
    assert isinstance(info, miniaudio.SoundFileInfo)
    assert info.file_format == sample.file_format
    assert info.nchannels == sample.nchannels
    assert info.sample_rate == sample.sample_rate
    assert info.sample_format == sample.sample_format
    assert isinstance(info.sample_format, SF)
    assert info.sample_format_name == SAMPLE_FORMAT_NAMES[sample.sample_format]
    assert info.sample_width == miniaudio.width_from_format(sample.sample_format)
    assert frames_ok(info, sample), (info.num_frames, sample.num_frames)
    assert info.duration == pytest.approx(info.num_frames / sample.sample_rate, abs=1e-6)
    if expect_name is not None:
        assert info.name == expect_name


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_get_file_info_detects_from_content(sample, sample_path):
    path = sample_path(sample.name)
    info = miniaudio.get_file_info(path)
    check_info(info, sample, expect_name=path)
    if sample.file_format == FF.WAV:
        assert info.sub_format == sample.sub_format


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_format_specific_get_file_info(sample, sample_path):
    path = sample_path(sample.name)
    func = getattr(miniaudio, PREFIX[sample.file_format] + "_get_file_info")
    info = func(path)
    check_info(info, sample, expect_name=path)
    if sample.file_format == FF.WAV:
        # 1.71: wav_get_file_info sets sub_format to the (translated) WAV format tag
        assert info.sub_format == sample.sub_format


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_format_specific_get_info_from_memory(sample, sample_bytes):
    func = getattr(miniaudio, PREFIX[sample.file_format] + "_get_info")
    info = func(sample_bytes(sample.name))
    check_info(info, sample)
    if sample.file_format == FF.WAV and info.sub_format is not None:
        # 1.71 left it None for wav_get_info; if set, it must be right
        assert info.sub_format == sample.sub_format


@pytest.mark.parametrize(
    "func,other",
    [
        ("wav_get_info", "tone_16.flac"),
        ("flac_get_info", "tone_s16.wav"),
        ("mp3_get_info", "tone.ogg"),
        ("vorbis_get_info", "tone.mp3"),
        ("wav_get_info", "tone.ogg"),
        ("flac_get_info", "tone.mp3"),
        ("vorbis_get_info", "tone_16.flac"),
    ],
)
def test_get_info_wrong_format_raises(func, other, sample_bytes):
    with pytest.raises(miniaudio.DecodeError):
        getattr(miniaudio, func)(sample_bytes(other))


@pytest.mark.parametrize(
    "func,other",
    [
        ("wav_get_file_info", "tone_16.flac"),
        ("flac_get_file_info", "tone_s16.wav"),
        ("mp3_get_file_info", "tone.ogg"),
        ("vorbis_get_file_info", "tone.mp3"),
    ],
)
def test_get_file_info_wrong_format_raises(func, other, sample_path):
    with pytest.raises(miniaudio.DecodeError):
        getattr(miniaudio, func)(sample_path(other))


def test_misleading_extensions_detected_by_content(sample_path):
    assert miniaudio.get_file_info(sample_path("mono_flac.wav")).file_format == FF.FLAC
    assert miniaudio.get_file_info(sample_path("tone_mp3.dat")).file_format == FF.MP3
    assert miniaudio.get_file_info(sample_path("mono_ogg.mp3")).file_format == FF.VORBIS


def test_read_file_uses_content_detection(sample_path):
    a = miniaudio.read_file(sample_path("mono_flac.wav"))
    b = miniaudio.read_file(sample_path("mono.flac"))
    assert a.samples == b.samples
    c = miniaudio.read_file(sample_path("tone_mp3.dat"))
    d = miniaudio.read_file(sample_path("tone.mp3"))
    assert c.samples == d.samples
    e = miniaudio.read_file(sample_path("mono_ogg.mp3"))
    f = miniaudio.read_file(sample_path("mono.ogg"))
    assert e.samples == f.samples


def test_info_str_and_repr(sample_path):
    info = miniaudio.get_file_info(sample_path("tone_s16.wav"))
    for text in (str(info), repr(info)):
        assert "tone_s16.wav" in text
        assert "WAV" in text
        assert "44100" in text
        assert "SIGNED16" in text


def test_sound_file_info_constructor_171_signature():
    info = miniaudio.SoundFileInfo("x.wav", FF.WAV, 2, 22050, SF.SIGNED16, 0.97, 21393, 1)
    assert info.name == "x.wav"
    assert info.file_format == FF.WAV
    assert info.nchannels == 2
    assert info.sample_rate == 22050
    assert info.sample_format == SF.SIGNED16
    assert info.sample_format_name == "16-bit Signed Integer"
    assert info.sample_width == 2
    assert info.duration == 0.97
    assert info.num_frames == 21393
    assert info.sub_format == 1
    info2 = miniaudio.SoundFileInfo("y.flac", FF.FLAC, 1, 44100, SF.SIGNED32, 1.0, 44100)
    assert info2.sub_format is None


def test_info_of_24bit_flac_memory_and_file_agree(sample_path, sample_bytes):
    a = miniaudio.flac_get_file_info(sample_path("tone_24.flac"))
    b = miniaudio.flac_get_info(sample_bytes("tone_24.flac"))
    assert (a.nchannels, a.sample_rate, a.sample_format, a.num_frames) == (b.nchannels, b.sample_rate, b.sample_format, b.num_frames)
    assert a.sample_format == SF.SIGNED24


def test_get_info_for_all_samples_consistent_with_decode(sample_path):
    """num_frames from the info functions equals what a full decode yields (lossless and Vorbis exactly)."""
    for s in SAMPLES:
        info = miniaudio.get_file_info(sample_path(s.name))
        dec = miniaudio.decode_file(sample_path(s.name), nchannels=s.nchannels, sample_rate=s.sample_rate)
        if s.file_format == FF.MP3:
            assert abs(dec.num_frames - info.num_frames) <= MP3_FRAME_TOLERANCE, s.name
        else:
            assert dec.num_frames == info.num_frames, s.name
    assert BY_NAME["tone.mp3"].num_frames == 44100
