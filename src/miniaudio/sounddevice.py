"""python-sounddevice's API (0.5) over this package: ``import miniaudio.sounddevice as sd``.

The names, signatures, defaults, return values and exception types of sounddevice, with
miniaudio's backends in place of PortAudio's host APIs and no system library to install.  What
differs is listed in the documentation's "sounddevice" page (docs/sounddevice.rst).
"""

import time as _time
from typing import Any, Tuple

from . import _sd_devices
from ._callbacks import CallbackAbort, CallbackFlags, CallbackStop
from ._library import lib_version as _lib_version
from ._oneshot import get_status, get_stream, play, playrec, rec, stop, wait
from ._sd_devices import DeviceList, PortAudioError, default, query_devices, query_hostapis
from ._sd_streams import (InputStream, OutputStream, RawInputStream, RawOutputStream, RawStream, Stream,
                          _InputStreamBase, _OutputStreamBase, _Side, _StreamBase)

__version__ = "0.5.5"

__all__ = [
    "play", "rec", "playrec", "wait", "stop", "get_status", "get_stream", "query_devices", "query_hostapis",
    "check_input_settings", "check_output_settings", "sleep", "get_portaudio_version", "default", "Stream",
    "InputStream", "OutputStream", "RawStream", "RawInputStream", "RawOutputStream", "DeviceList",
    "CallbackFlags", "CallbackStop", "CallbackAbort", "PortAudioError", "AsioSettings", "CoreAudioSettings",
    "WasapiSettings",
]


def check_input_settings(device: Any = None, channels: Any = None, dtype: Any = None, extra_settings: Any = None,
                         samplerate: Any = None) -> None:
    """Check input settings as sounddevice does: nothing happens if they can be used, else an
    exception (ValueError for an unknown device or sample format, PortAudioError for a bad channel
    count or sample rate).  The device is not opened."""
    _Side("input", "input settings", device, channels, dtype, None, samplerate, raw=True)


def check_output_settings(device: Any = None, channels: Any = None, dtype: Any = None, extra_settings: Any = None,
                          samplerate: Any = None) -> None:
    """Check output settings, as :func:`check_input_settings`."""
    _Side("output", "output settings", device, channels, dtype, None, samplerate, raw=True)


def sleep(msec: Any) -> None:
    """Sleep for at least ``msec`` milliseconds."""
    if isinstance(msec, bool) or not isinstance(msec, (int, float)):
        raise TypeError(f"msec must be a number, not {type(msec).__name__}")
    _time.sleep(max(0, msec) / 1000)


def get_portaudio_version() -> Tuple[int, str]:
    """There is no PortAudio: miniaudio's version, as (number, text), e.g. ``(1125, 'miniaudio 0.11.25')``."""
    version = _lib_version()
    major, minor, patch = (int(p) for p in version.split(".")[:3])
    return major * 10000 + minor * 100 + patch, "miniaudio " + version


class AsioSettings:
    """Accepted for compatibility and ignored: miniaudio has no ASIO backend."""

    def __init__(self, channel_selectors: Any) -> None:
        if isinstance(channel_selectors, int):
            raise TypeError("channel_selectors must be a list or tuple")
        self.channel_selectors = list(channel_selectors)


class CoreAudioSettings:
    """Accepted for compatibility and ignored (Core Audio's channel map and conversion options
    are not applied)."""

    def __init__(self, channel_map: Any = None, change_device_parameters: bool = False,
                 fail_if_conversion_required: bool = False, conversion_quality: str = "max") -> None:
        if isinstance(channel_map, int):
            raise TypeError("channel_map must be a list or tuple")
        qualities = ["min", "low", "medium", "high", "max"]
        if not isinstance(conversion_quality, str) or conversion_quality.lower() not in qualities:
            raise ValueError("conversion_quality must be one of " + repr(qualities))
        if channel_map is not None and len(channel_map) == 0:
            raise TypeError("channel_map must not be empty")
        self.channel_map = None if channel_map is None else list(channel_map)


class WasapiSettings:
    """Accepted for compatibility and ignored: miniaudio's WASAPI backend opens devices in shared
    mode and converts formats itself."""

    def __init__(self, exclusive: bool = False, auto_convert: bool = False,
                 explicit_sample_format: bool = False) -> None:
        self.exclusive = bool(exclusive)
        self.auto_convert = bool(auto_convert)
        self.explicit_sample_format = bool(explicit_sample_format)


def _initialize() -> None:
    """Take a new snapshot of the devices at the next query (sounddevice re-initialises PortAudio)."""
    _sd_devices._forget_devices()


def _terminate() -> None:
    """Forget the device snapshot (the devices of open streams stay open)."""
    _sd_devices._forget_devices()


if __name__ == "__main__":
    print(query_devices())
