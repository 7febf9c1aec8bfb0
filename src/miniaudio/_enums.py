"""The enums of the miniaudio API, with the member names and values of miniaudio 1.71."""

from enum import Enum
from typing import Type

__all__ = ["FileFormat", "SampleFormat", "DeviceType", "DitherMode", "ChannelMixMode", "Backend",
           "ThreadPriority", "SeekOrigin"]


class FileFormat(Enum):
    """Audio file format"""

    UNKNOWN = 0
    WAV = 1
    FLAC = 2
    MP3 = 3
    VORBIS = 4


class SampleFormat(Enum):
    """Sample format in memory"""

    UNKNOWN = 0
    UNSIGNED8 = 1
    SIGNED16 = 2
    SIGNED24 = 3
    SIGNED32 = 4
    FLOAT32 = 5


class DeviceType(Enum):
    """Type of audio device"""

    PLAYBACK = 1
    CAPTURE = 2
    DUPLEX = 3


class DitherMode(Enum):
    """How to dither when converting"""

    NONE = 0
    RECTANGLE = 1
    TRIANGLE = 2


class ChannelMixMode(Enum):
    """How to mix channels when converting"""

    RECTANGULAR = 0
    SIMPLE = 1
    CUSTOMWEIGHTS = 2
    DEFAULT = 0  # alias of RECTANGULAR


class Backend(Enum):
    """Operating system audio backend to use (only a subset will be available)"""

    WASAPI = 0
    DSOUND = 1
    WINMM = 2
    COREAUDIO = 3
    SNDIO = 4
    AUDIO4 = 5
    OSS = 6
    PULSEAUDIO = 7
    ALSA = 8
    JACK = 9
    AAUDIO = 10
    OPENSL = 11
    WEBAUDIO = 12
    CUSTOM = 13
    NULL = 14


class ThreadPriority(Enum):
    """The priority of the worker thread (default=HIGHEST)"""

    IDLE = -5
    LOWEST = -4
    LOW = -3
    NORMAL = -2
    HIGH = -1
    HIGHEST = 0
    REALTIME = 1
    DEFAULT = 0  # alias of HIGHEST


class SeekOrigin(Enum):
    """How to seek() in a source"""

    START = 0
    CURRENT = 1
    END = 2


def enum_value(enum_cls: Type[Enum], value: object, argname: str) -> int:
    """The int value of `value`, a member of enum_cls or one of its values; TypeError/ValueError
    naming the argument otherwise."""
    if isinstance(value, enum_cls):
        number: int = value.value
        return number
    if isinstance(value, Enum) or isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argname} must be a {enum_cls.__name__}, not {type(value).__name__} {value!r}")
    try:
        number = enum_cls(value).value
    except ValueError:
        names = ", ".join(m.name for m in enum_cls)
        raise ValueError(f"{argname} must be a {enum_cls.__name__} ({names}), not {value!r}") from None
    return number
