"""The enums of the miniaudio API, with the member names and values of miniaudio 1.71."""

from enum import Enum
from typing import Type

__all__ = ["FileFormat", "SampleFormat", "DeviceType", "DitherMode", "ChannelMixMode", "Backend",
           "ThreadPriority", "SeekOrigin"]


class FileFormat(Enum):
    """An encoded audio format.

    WAV, FLAC, MP3 and VORBIS (Ogg Vorbis) can be decoded.  UNKNOWN stands for "detect it from the
    content" (the ``source_format`` of :func:`stream_any`) and is the ``file_format`` of a
    :class:`DecodedSoundFile`.
    """

    UNKNOWN = 0
    WAV = 1
    FLAC = 2
    MP3 = 3
    VORBIS = 4


class SampleFormat(Enum):
    """The format of one PCM sample in memory.

    UNSIGNED8 (``array.array`` typecode ``'B'``; silence is 128), SIGNED16 (``'h'``), SIGNED24
    (3 bytes, packed: no ``array.array`` type holds it, so it is only written, streamed as bytes
    or converted), SIGNED32 (``'i'``) and FLOAT32 (``'f'``, from -1.0 to 1.0).  UNKNOWN is no
    format.
    """

    UNKNOWN = 0
    UNSIGNED8 = 1
    SIGNED16 = 2
    SIGNED24 = 3
    SIGNED32 = 4
    FLOAT32 = 5


class DeviceType(Enum):
    """The kind of a device: PLAYBACK, CAPTURE or DUPLEX (the ``"type"`` of a :class:`Devices` dict);
    LOOPBACK is a capture of what a playback device plays (``CaptureDevice(loopback=True)``)."""

    PLAYBACK = 1
    CAPTURE = 2
    DUPLEX = 3
    LOOPBACK = 4


class DitherMode(Enum):
    """The dither added when a conversion reduces the bits per sample (e.g. FLOAT32 to SIGNED16).

    NONE rounds; RECTANGLE and TRIANGLE add a little noise of rectangular or triangular
    distribution, which turns the rounding error into a steady hiss instead of distortion.
    Dithered results differ from run to run.
    """

    NONE = 0
    RECTANGLE = 1
    TRIANGLE = 2


class ChannelMixMode(Enum):
    """How channels are mixed when the channel count changes (the ``channel_mix`` argument).

    RECTANGULAR (also named DEFAULT) mixes by the channels' positions: mono goes to every
    channel, stereo to mono is the average, 5.1 to stereo blends the center and surround channels
    into left and right.  SIMPLE drops the channels the output has no room for and leaves extra
    output channels silent (mono still goes to every channel, and mixing down to mono still
    averages).  CUSTOMWEIGHTS exists for 1.71 compatibility; no function takes the weights, so
    it is refused with a ValueError.
    """

    RECTANGULAR = 0
    SIMPLE = 1
    CUSTOMWEIGHTS = 2
    DEFAULT = 0  # alias of RECTANGULAR


class Backend(Enum):
    """An audio backend of the operating system.

    Only the backends compiled in can be used (:func:`get_enabled_backends`; on Linux
    PULSEAUDIO, ALSA, JACK and NULL).  NULL needs no sound hardware: it plays into nothing and
    records silence, in real time, which makes it handy for tests.  Device arguments also take
    the names in lower case (``backends=["pulseaudio", "alsa"]``).
    """

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
    """The priority of miniaudio's audio thread (the ``thread_prio`` argument of the devices).

    From IDLE to REALTIME; HIGHEST (also named DEFAULT) is the devices' default.
    """

    IDLE = -5
    LOWEST = -4
    LOW = -3
    NORMAL = -2
    HIGH = -1
    HIGHEST = 0
    REALTIME = 1
    DEFAULT = 0  # alias of HIGHEST


class SeekOrigin(Enum):
    """Where the offset of :meth:`StreamableSource.seek` counts from: START, CURRENT or END.

    The values are those of :data:`os.SEEK_SET`, :data:`os.SEEK_CUR` and :data:`os.SEEK_END`.
    """

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
