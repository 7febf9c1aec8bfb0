"""Module surface: version, enums (the 1.71 table is the spec), exceptions,
backend queries, width_from_format, presence of the 1.71 public names."""

import enum

import pytest

import miniaudio

# Hard-coded from the established 1.71 API table (established-1.71-api.md, section 1.2).
ENUMS_171 = {
    "FileFormat": {"UNKNOWN": 0, "WAV": 1, "FLAC": 2, "MP3": 3, "VORBIS": 4},
    "SampleFormat": {"UNKNOWN": 0, "UNSIGNED8": 1, "SIGNED16": 2, "SIGNED24": 3, "SIGNED32": 4, "FLOAT32": 5},
    "DeviceType": {"PLAYBACK": 1, "CAPTURE": 2, "DUPLEX": 3},
    "DitherMode": {"NONE": 0, "RECTANGLE": 1, "TRIANGLE": 2},
    "ChannelMixMode": {"RECTANGULAR": 0, "SIMPLE": 1, "CUSTOMWEIGHTS": 2},
    "Backend": {
        "WASAPI": 0, "DSOUND": 1, "WINMM": 2, "COREAUDIO": 3, "SNDIO": 4, "AUDIO4": 5, "OSS": 6,
        "PULSEAUDIO": 7, "ALSA": 8, "JACK": 9, "AAUDIO": 10, "OPENSL": 11, "WEBAUDIO": 12,
        "CUSTOM": 13, "NULL": 14,
    },
    "ThreadPriority": {"IDLE": -5, "LOWEST": -4, "LOW": -3, "NORMAL": -2, "HIGH": -1, "HIGHEST": 0, "REALTIME": 1},
    "SeekOrigin": {"START": 0, "CURRENT": 1, "END": 2},
}
# aliases: name -> canonical member
ALIASES_171 = {
    "ChannelMixMode": {"DEFAULT": "RECTANGULAR"},
    "ThreadPriority": {"DEFAULT": "HIGHEST"},
}

PUBLIC_FUNCTIONS_171 = [
    "get_file_info", "read_file", "decode", "decode_file",
    "vorbis_get_file_info", "vorbis_get_info", "vorbis_read", "vorbis_read_file",
    "flac_get_file_info", "flac_get_info",
    "flac_read_s16", "flac_read_s32", "flac_read_f32",
    "flac_read_file_s16", "flac_read_file_s32", "flac_read_file_f32",
    "mp3_get_file_info", "mp3_get_info", "mp3_read_s16", "mp3_read_f32", "mp3_read_file_s16", "mp3_read_file_f32",
    "wav_get_file_info", "wav_get_info",
    "wav_read_s16", "wav_read_s32", "wav_read_f32",
    "wav_read_file_s16", "wav_read_file_s32", "wav_read_file_f32",
    "wav_write_file", "convert_sample_format", "convert_frames", "width_from_format",
    "lib_version", "is_backend_enabled", "get_enabled_backends", "is_loopback_supported",
]


def test_lib_version():
    assert miniaudio.lib_version() == "0.11.25"


@pytest.mark.parametrize("enum_name", sorted(ENUMS_171))
def test_enum_members_match_171(enum_name):
    cls = getattr(miniaudio, enum_name)
    assert issubclass(cls, enum.Enum)
    canonical = {m.name: m.value for m in cls}
    # members added since 1.71, after its own (same values as miniaudio's)
    added = {"DeviceType": {"LOOPBACK": 4}}.get(enum_name, {})
    assert canonical == dict(ENUMS_171[enum_name], **added)
    # iteration order is value order as in 1.71's class bodies
    assert [m.name for m in cls] == list(ENUMS_171[enum_name]) + list(added)
    for name, value in ENUMS_171[enum_name].items():
        assert cls[name].value == value
        assert cls(value) is cls[name]


@pytest.mark.parametrize("enum_name", sorted(ALIASES_171))
def test_enum_aliases_match_171(enum_name):
    cls = getattr(miniaudio, enum_name)
    for alias, target in ALIASES_171[enum_name].items():
        assert cls[alias] is cls[target]
        assert getattr(cls, alias) is getattr(cls, target)
    # no members beyond the 1.71 ones (aliases included) and the ones added since
    added = {"DeviceType": {"LOOPBACK"}}.get(enum_name, set())
    assert set(cls.__members__) == set(ENUMS_171[enum_name]) | set(ALIASES_171[enum_name]) | added


def test_loopback_device_type():
    # not in 1.71 (which could not open a loopback device); miniaudio's value
    assert miniaudio.DeviceType.LOOPBACK.value == 4


def test_exceptions_hierarchy():
    assert issubclass(miniaudio.MiniaudioError, Exception)
    assert issubclass(miniaudio.DecodeError, miniaudio.MiniaudioError)
    assert not issubclass(miniaudio.MiniaudioError, miniaudio.DecodeError)
    # user code may construct them like 1.71 did
    e = miniaudio.DecodeError("could not decode")
    assert "could not decode" in str(e)
    e = miniaudio.MiniaudioError("bad", -2)
    assert e.args[0] == "bad"


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS_171)
def test_public_functions_present(name):
    assert callable(getattr(miniaudio, name))


@pytest.mark.parametrize("name", ["SoundFileInfo", "DecodedSoundFile", "MiniaudioError", "DecodeError"])
def test_public_classes_present(name):
    assert isinstance(getattr(miniaudio, name), type)


@pytest.mark.parametrize(
    "fmt,width",
    [("UNSIGNED8", 1), ("SIGNED16", 2), ("SIGNED24", 3), ("SIGNED32", 4), ("FLOAT32", 4)],
)
def test_width_from_format(fmt, width):
    assert miniaudio.width_from_format(miniaudio.SampleFormat[fmt]) == width


def test_width_from_format_unknown():
    # 1.71: UNKNOWN has width 0
    assert miniaudio.width_from_format(miniaudio.SampleFormat.UNKNOWN) == 0


def test_width_from_format_wrong_type():
    # 1.71 raised MiniaudioError("unsupported sample format", value)
    with pytest.raises((TypeError, ValueError, miniaudio.MiniaudioError)):
        miniaudio.width_from_format("s16")


def test_enabled_backends():
    backends = miniaudio.get_enabled_backends()
    assert isinstance(backends, set)
    assert backends, "at least the NULL backend must be enabled"
    assert all(isinstance(b, miniaudio.Backend) for b in backends)
    assert miniaudio.Backend.NULL in backends
    for b in miniaudio.Backend:
        assert miniaudio.is_backend_enabled(b) == (b in backends)


def test_linux_backends():
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("linux only")
    backends = miniaudio.get_enabled_backends()
    assert miniaudio.Backend.ALSA in backends
    assert miniaudio.Backend.PULSEAUDIO in backends
    assert miniaudio.Backend.WASAPI not in backends


def test_is_loopback_supported():
    for b in miniaudio.Backend:
        assert miniaudio.is_loopback_supported(b) in (True, False)
    assert miniaudio.is_loopback_supported(miniaudio.Backend.NULL) is False
    assert miniaudio.is_loopback_supported(miniaudio.Backend.WASAPI) is True


@pytest.mark.parametrize("func", ["is_backend_enabled", "is_loopback_supported"])
@pytest.mark.parametrize("bad", ["alsa", 3.5, None, 999])
def test_backend_queries_reject_non_backends(func, bad):
    with pytest.raises((TypeError, ValueError)):
        getattr(miniaudio, func)(bad)
