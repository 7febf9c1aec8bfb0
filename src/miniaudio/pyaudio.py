"""PyAudio 0.2.14's API over this package's devices: ``import miniaudio.pyaudio as pyaudio``.

Pure Python on the public device classes: a blocking stream is a device's push I/O (``write()`` /
``read()`` and their ring buffers); a callback stream runs the user's callback on a thread of its
own that reads and writes the same rings, so the callback gets and returns ``bytes`` as in PyAudio
and numpy is never needed.  Host APIs are miniaudio's backends, devices are numbered globally over
them as PortAudio numbers them, and errors are PyAudio's: ``OSError`` / ``ValueError`` with
PortAudio's error codes.  docs/pyaudio.rst lists every difference from PyAudio.
"""

import operator
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Set, Tuple, Type

from . import _miniaudio as _ma
from ._devices import Devices
from ._enums import Backend, SampleFormat
from ._errors import MiniaudioError

if TYPE_CHECKING:
    from ._pyaudio_stream import _Stream

__all__ = [
    "PyAudio", "Stream", "PaMacCoreStreamInfo", "get_sample_size", "get_format_from_width", "get_portaudio_version",
    "get_portaudio_version_text",
    "paFloat32", "paInt32", "paInt24", "paInt16", "paInt8", "paUInt8", "paCustomFormat",
    "paInDevelopment", "paDirectSound", "paMME", "paASIO", "paSoundManager", "paCoreAudio", "paOSS", "paALSA", "paAL",
    "paBeOS", "paWDMKS", "paJACK", "paWASAPI", "paNoDevice",
    "paNoError", "paNotInitialized", "paUnanticipatedHostError", "paInvalidChannelCount", "paInvalidSampleRate",
    "paInvalidDevice", "paInvalidFlag", "paSampleFormatNotSupported", "paBadIODeviceCombination",
    "paInsufficientMemory", "paBufferTooBig", "paBufferTooSmall", "paNullCallback", "paBadStreamPtr", "paTimedOut",
    "paInternalError", "paDeviceUnavailable", "paIncompatibleHostApiSpecificStreamInfo", "paStreamIsStopped",
    "paStreamIsNotStopped", "paInputOverflowed", "paOutputUnderflowed", "paHostApiNotFound", "paInvalidHostApi",
    "paCanNotReadFromACallbackStream", "paCanNotWriteToACallbackStream", "paCanNotReadFromAnOutputOnlyStream",
    "paCanNotWriteToAnInputOnlyStream", "paIncompatibleStreamHostApi",
    "paContinue", "paComplete", "paAbort",
    "paInputUnderflow", "paInputOverflow", "paOutputUnderflow", "paOutputOverflow", "paPrimingOutput",
    "paFramesPerBufferUnspecified",
]

# ---- PortAudio's constants (portaudio.h v19), with PyAudio's names -------------------------------

paFloat32, paInt32, paInt24, paInt16, paInt8, paUInt8, paCustomFormat = 1, 2, 4, 8, 16, 32, 0x10000

paInDevelopment, paDirectSound, paMME, paASIO, paSoundManager, paCoreAudio = 0, 1, 2, 3, 4, 5
paOSS, paALSA, paAL, paBeOS, paWDMKS, paJACK, paWASAPI = 7, 8, 9, 10, 11, 12, 13
paNoDevice = -1

paNoError = 0
(paNotInitialized, paUnanticipatedHostError, paInvalidChannelCount, paInvalidSampleRate, paInvalidDevice,
 paInvalidFlag, paSampleFormatNotSupported, paBadIODeviceCombination, paInsufficientMemory, paBufferTooBig,
 paBufferTooSmall, paNullCallback, paBadStreamPtr, paTimedOut, paInternalError, paDeviceUnavailable,
 paIncompatibleHostApiSpecificStreamInfo, paStreamIsStopped, paStreamIsNotStopped, paInputOverflowed,
 paOutputUnderflowed, paHostApiNotFound, paInvalidHostApi, paCanNotReadFromACallbackStream,
 paCanNotWriteToACallbackStream, paCanNotReadFromAnOutputOnlyStream, paCanNotWriteToAnInputOnlyStream,
 paIncompatibleStreamHostApi) = range(-10000, -9972)

paContinue, paComplete, paAbort = 0, 1, 2
paInputUnderflow, paInputOverflow, paOutputUnderflow, paOutputOverflow, paPrimingOutput = 1, 2, 4, 8, 16
paFramesPerBufferUnspecified = 0

# Pa_GetErrorText()
_ERROR_TEXT = {
    paNoError: "Success", paNotInitialized: "PortAudio not initialized",
    paUnanticipatedHostError: "Unanticipated host error", paInvalidChannelCount: "Invalid number of channels",
    paInvalidSampleRate: "Invalid sample rate", paInvalidDevice: "Invalid device", paInvalidFlag: "Invalid flag",
    paSampleFormatNotSupported: "Sample format not supported",
    paBadIODeviceCombination: "Illegal combination of I/O devices", paInsufficientMemory: "Insufficient memory",
    paBufferTooBig: "Buffer too big", paBufferTooSmall: "Buffer too small",
    paNullCallback: "No callback routine specified", paBadStreamPtr: "Invalid stream pointer",
    paTimedOut: "Wait timed out", paInternalError: "Internal PortAudio error",
    paDeviceUnavailable: "Device unavailable",
    paIncompatibleHostApiSpecificStreamInfo: "Incompatible host API specific stream info",
    paStreamIsStopped: "Stream is stopped", paStreamIsNotStopped: "Stream is not stopped",
    paInputOverflowed: "Input overflowed", paOutputUnderflowed: "Output underflowed",
    paHostApiNotFound: "Host API not found", paInvalidHostApi: "Invalid host API",
    paCanNotReadFromACallbackStream: "Can't read from a callback stream",
    paCanNotWriteToACallbackStream: "Can't write to a callback stream",
    paCanNotReadFromAnOutputOnlyStream: "Can't read from an output only stream",
    paCanNotWriteToAnInputOnlyStream: "Can't write to an input only stream",
    paIncompatibleStreamHostApi: "Incompatible stream host API",
}


def _error(code: int, text: Optional[str] = None) -> OSError:
    """PyAudio's IOError: args (code, text), so str() reads "[Errno -9981] Input overflowed"."""
    return OSError(code, text if text is not None else _ERROR_TEXT[code])


# PortAudio sample format -> (the device's SampleFormat, bytes per sample).  paInt8 plays and records
# as unsigned 8-bit, the sign bit flipped on the way (miniaudio has no signed 8-bit device format).
_FORMATS = {
    paFloat32: (SampleFormat.FLOAT32, 4), paInt32: (SampleFormat.SIGNED32, 4),
    paInt24: (SampleFormat.SIGNED24, 3), paInt16: (SampleFormat.SIGNED16, 2),
    paInt8: (SampleFormat.UNSIGNED8, 1), paUInt8: (SampleFormat.UNSIGNED8, 1),
}
_FLIP_SIGN = bytes(i ^ 0x80 for i in range(256))


def _format_arg(format: Any) -> int:
    if isinstance(format, float) or not hasattr(format, "__index__"):
        raise TypeError(f"format must be a PortAudio sample format (an int such as paInt16), not "
                        f"{type(format).__name__}")
    return operator.index(format)


def get_sample_size(format: int) -> int:
    """Returns the size (in bytes) of a sample of `format` (a PortAudio sample format constant).

    Raises:
        ValueError: ``("Sample format not supported", -9994)`` for anything else (paCustomFormat too).
    """
    size = _FORMATS.get(_format_arg(format))
    if size is None:
        raise ValueError(_ERROR_TEXT[paSampleFormatNotSupported], paSampleFormatNotSupported)
    return size[1]


def get_format_from_width(width: int, unsigned: bool = True) -> int:
    """Returns the PortAudio format constant for a sample width in bytes (1, 2, 3 or 4; 4 is paFloat32).

    Raises:
        ValueError: Any other width.
    """
    if width == 1:
        return paUInt8 if unsigned else paInt8
    if width == 2:
        return paInt16
    if width == 3:
        return paInt24
    if width == 4:
        return paFloat32
    raise ValueError(f"Invalid width: {width}")


def get_portaudio_version() -> int:
    """No PortAudio here: miniaudio's version, encoded as PortAudio encodes its own
    (major << 16 | minor << 8 | patch: 0.11.25 gives 2841)."""
    major, minor, patch = (int(part) for part in _ma.lib_version().split(".")[:3])
    return major << 16 | minor << 8 | patch


def get_portaudio_version_text() -> str:
    """No PortAudio here: ``"miniaudio 0.11.25 (miniaudio.pyaudio)"``."""
    return f"miniaudio {_ma.lib_version()} (miniaudio.pyaudio)"


class PaMacCoreStreamInfo:
    """PyAudio's macOS stream settings: accepted by :meth:`PyAudio.open` on every platform and
    ignored (miniaudio's Core Audio backend has no channel map or conversion-quality settings)."""

    paMacCoreChangeDeviceParameters = 0x01
    paMacCoreFailIfConversionRequired = 0x02
    paMacCoreConversionQualityMin = 0x0100
    paMacCoreConversionQualityMedium = 0x0200
    paMacCoreConversionQualityLow = 0x0300
    paMacCoreConversionQualityHigh = 0x0400
    paMacCoreConversionQualityMax = 0x0000
    paMacCorePlayNice = 0x00
    paMacCorePro = 0x01
    paMacCoreMinimizeCPUButPlayNice = 0x0100
    paMacCoreMinimizeCPU = 0x0101

    def __init__(self, flags: Optional[int] = None, channel_map: Optional[Sequence[int]] = None) -> None:
        if flags is not None and (isinstance(flags, float) or not hasattr(flags, "__index__")):
            raise TypeError(f"flags must be an int, not {type(flags).__name__}")
        if channel_map is not None:
            channel_map = tuple(operator.index(c) for c in channel_map)
        self._flags = 0 if flags is None else operator.index(flags)
        self._channel_map = channel_map

    @property
    def flags(self) -> int:
        """The flags given to the constructor."""
        return self._flags

    @property
    def channel_map(self) -> Optional[Tuple[int, ...]]:
        """The channel map given to the constructor (None if none)."""
        return self._channel_map

    def get_flags(self) -> int:
        """Deprecated (PyAudio 0.2.13): use :attr:`flags`."""
        warnings.warn("PaMacCoreStreamInfo.get_flags is deprecated. Use the flags property instead.",
                      DeprecationWarning, stacklevel=2)
        return self._flags

    def get_channel_map(self) -> Optional[Tuple[int, ...]]:
        """Deprecated (PyAudio 0.2.13): use :attr:`channel_map`."""
        warnings.warn("PaMacCoreStreamInfo.get_channel_map is deprecated. Use the channel_map property instead.",
                      DeprecationWarning, stacklevel=2)
        return self._channel_map


# ---- host APIs and devices ----------------------------------------------------------------------

# miniaudio backend -> (PortAudio host API type id, PortAudio's name for it).  Type ids past paWASAPI
# are PortAudio 19.8's (paAudioIO 15, paPulseAudio 16, paSndio 17); backends PortAudio lacks are
# paInDevelopment.
_HOST_APIS = {
    Backend.WASAPI: (paWASAPI, "Windows WASAPI"), Backend.DSOUND: (paDirectSound, "Windows DirectSound"),
    Backend.WINMM: (paMME, "MME"), Backend.COREAUDIO: (paCoreAudio, "Core Audio"), Backend.SNDIO: (17, "sndio"),
    Backend.AUDIO4: (15, "audio(4)"), Backend.OSS: (paOSS, "OSS"), Backend.PULSEAUDIO: (16, "PulseAudio"),
    Backend.ALSA: (paALSA, "ALSA"), Backend.JACK: (paJACK, "JACK Audio Connection Kit"),
    Backend.AAUDIO: (paInDevelopment, "AAudio"), Backend.OPENSL: (paInDevelopment, "OpenSL|ES"),
    Backend.WEBAUDIO: (paInDevelopment, "Web Audio"), Backend.NULL: (paInDevelopment, "Null"),
}
# What PortAudio reports for a device when the backend does not say (the sample rate, in Hz) and
# the latencies it suggests (seconds): miniaudio's low-latency and conservative profiles.
_DEFAULT_RATE = 44100.0
_LOW_LATENCY, _HIGH_LATENCY = 0.03, 0.3


def _channels_and_rate(formats: List[Dict[str, Any]]) -> Tuple[int, float]:
    channels = max((f["channels"] for f in formats), default=0)
    rates = [f["samplerate"] for f in formats if f["samplerate"]]
    return channels or 2, float(rates[0]) if rates else _DEFAULT_RATE


class _Device:
    """One PortAudio device: a playback device, a capture device, or both with one id (ALSA)."""

    def __init__(self, index: int, host_index: int, backend: Backend, name: str) -> None:
        self.index, self.host_index, self.backend, self.name = index, host_index, backend, name
        self.playback: Any = None  # DeviceId
        self.capture: Any = None
        self.out_channels = self.in_channels = 0
        self.rate = _DEFAULT_RATE

    def info(self) -> Dict[str, Any]:
        low_in = _LOW_LATENCY if self.in_channels else -1.0
        low_out = _LOW_LATENCY if self.out_channels else -1.0
        return {"index": self.index, "structVersion": 2, "name": self.name, "hostApi": self.host_index,
                "maxInputChannels": self.in_channels, "maxOutputChannels": self.out_channels,
                "defaultLowInputLatency": low_in, "defaultLowOutputLatency": low_out,
                "defaultHighInputLatency": _HIGH_LATENCY if self.in_channels else -1.0,
                "defaultHighOutputLatency": _HIGH_LATENCY if self.out_channels else -1.0,
                "defaultSampleRate": self.rate}


def _enumerate(backends: Optional[Sequence[Any]]) -> Tuple[List[Dict[str, Any]], List[_Device]]:
    """The host APIs (dicts as PyAudio makes them) and the devices, numbered as PortAudio numbers them:
    the devices of host API 0 first, then those of host API 1, ..."""
    if backends is None:
        enabled = _ma.enabled_backends()
        chosen: List[Backend] = [b for b in Backend if b.value in enabled and b not in (Backend.NULL, Backend.CUSTOM)]
    else:
        if isinstance(backends, (str, bytes)) or not hasattr(backends, "__iter__"):
            raise TypeError(f"backends must be a list of backends, not {type(backends).__name__}")
        chosen = []
        for b in backends:
            if isinstance(b, str):
                try:
                    b = Backend[b.strip().upper().replace(" ", "")]
                except KeyError:
                    raise ValueError(f"unknown backend name {b!r}; the backends are: "
                                     f"{', '.join(m.name.lower() for m in Backend)}") from None
            chosen.append(Backend(b))
    host_apis: List[Dict[str, Any]] = []
    devices: List[_Device] = []
    for backend in chosen:
        try:
            with Devices(backends=[backend]) as ctx:
                playbacks, captures = ctx.get_playbacks(), ctx.get_captures()
        except MiniaudioError:
            continue  # compiled in but not available here (no server running, ...)
        host_index = len(host_apis)
        first = len(devices)
        default_in = default_out = paNoDevice
        by_id: Dict[Any, _Device] = {}
        for side, listed in (("playback", playbacks), ("capture", captures)):
            for d in listed:
                dev = by_id.get((d["id"].raw, d["name"]))
                if dev is None:
                    dev = _Device(len(devices), host_index, backend, d["name"])
                    devices.append(dev)
                    by_id[(d["id"].raw, d["name"])] = dev
                channels, dev.rate = _channels_and_rate(d["formats"])
                setattr(dev, side, d["id"])
                if side == "playback":
                    dev.out_channels = channels
                    if d["is_default"] and default_out == paNoDevice:
                        default_out = dev.index
                else:
                    dev.in_channels = channels
                    if d["is_default"] and default_in == paNoDevice:
                        default_in = dev.index
        if default_out == paNoDevice:
            default_out = next((d.index for d in devices[first:] if d.out_channels), paNoDevice)
        if default_in == paNoDevice:
            default_in = next((d.index for d in devices[first:] if d.in_channels), paNoDevice)
        type_id, name = _HOST_APIS.get(backend, (paInDevelopment, backend.name))
        host_apis.append({"index": host_index, "structVersion": 1, "type": type_id, "name": name,
                          "deviceCount": len(devices) - first, "defaultInputDevice": default_in,
                          "defaultOutputDevice": default_out})
    return host_apis, devices


def _int_arg(value: Any, name: str) -> int:
    if isinstance(value, float) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return operator.index(value)


class PyAudio:
    """PyAudio's entry point: host APIs, devices and streams.

    Creating it lists the devices of every miniaudio backend available here (PulseAudio, ALSA,
    JACK, ... in miniaudio's order, which makes the first the default host API), as PortAudio does
    at initialisation; :meth:`terminate` closes the streams still open.

    Args:
        backends: (Not in PyAudio; keyword only.)  The backends to list, in order, as the device
            classes take them (``["pulseaudio"]``, ``["null"]``, ...).  None: every backend compiled in
            and available, except the NULL backend.
    """

    Stream: "Type[_Stream]"  # PyAudio.Stream, set below

    def __init__(self, *, backends: Optional[Sequence[Any]] = None) -> None:
        self._host_apis, self._devices = _enumerate(backends)
        self._streams: "Set[_Stream]" = set()
        self._terminated = False

    def terminate(self) -> None:
        """Closes every stream still open; the object's device and host API queries then raise
        ``OSError(-10000, 'PortAudio not initialized')``."""
        for stream in list(self._streams):
            stream.close()
        self._streams = set()
        self._terminated = True

    def _check(self) -> None:
        if self._terminated:
            raise _error(paNotInitialized)

    def get_sample_size(self, format: int) -> int:
        """Returns the size in bytes of a sample of `format` (see :func:`get_sample_size`)."""
        return get_sample_size(format)

    def get_format_from_width(self, width: int, unsigned: bool = True) -> int:
        """Returns the PortAudio format for a sample width (see :func:`get_format_from_width`)."""
        return get_format_from_width(width, unsigned)

    def open(self, *args: Any, **kwargs: Any) -> "_Stream":
        """Opens a new stream: see :class:`PyAudio.Stream` for the arguments."""
        stream = PyAudio.Stream(self, *args, **kwargs)
        self._streams.add(stream)
        return stream

    def close(self, stream: "_Stream") -> None:
        """Closes a stream (use :meth:`PyAudio.Stream.close` instead).

        Raises:
            ValueError: The stream is not one of this object's.
        """
        if stream not in self._streams:
            raise ValueError(f"Stream {stream} not found")
        stream.close()

    def _remove_stream(self, stream: "_Stream") -> None:
        self._streams.discard(stream)

    # ---- host APIs

    def get_host_api_count(self) -> int:
        """Returns the number of host APIs: one per miniaudio backend available."""
        self._check()
        return len(self._host_apis)

    def get_default_host_api_info(self) -> Dict[str, Any]:
        """Returns the default host API's dict (the first backend, in miniaudio's order).

        Raises:
            OSError: ``[Errno -9986] Internal PortAudio error`` when no backend is available.
        """
        self._check()
        if not self._host_apis:
            raise _error(paInternalError)
        return dict(self._host_apis[0])

    def get_host_api_info_by_type(self, host_api_type: int) -> Dict[str, Any]:
        """Returns the dict of the first host API of a type (paALSA, paJACK, ...).

        Raises:
            OSError: ``[Errno -9979] Host API not found``.
        """
        self._check()
        host_api_type = _int_arg(host_api_type, "host_api_type")
        for api in self._host_apis:
            if api["type"] == host_api_type:
                return dict(api)
        raise _error(paHostApiNotFound)

    def get_host_api_info_by_index(self, host_api_index: int) -> Dict[str, Any]:
        """Returns a host API's dict: index, structVersion, type, name, deviceCount,
        defaultInputDevice, defaultOutputDevice.

        Raises:
            OSError: ``[Errno -9978] Invalid host api info`` for an index out of range.
        """
        self._check()
        host_api_index = _int_arg(host_api_index, "host_api_index")
        if not 0 <= host_api_index < len(self._host_apis):
            raise _error(paInvalidHostApi, "Invalid host api info")
        return dict(self._host_apis[host_api_index])

    def get_device_info_by_host_api_device_index(self, host_api_index: int, host_api_device_index: int
                                                 ) -> Dict[str, Any]:
        """Returns the dict of a host API's n-th device.

        Raises:
            OSError: ``[Errno -9978] Invalid host API`` or ``[Errno -9996] Invalid device``.
        """
        self._check()
        host_api_index = _int_arg(host_api_index, "host_api_index")
        host_api_device_index = _int_arg(host_api_device_index, "host_api_device_index")
        if not 0 <= host_api_index < len(self._host_apis):
            raise _error(paInvalidHostApi)
        devices = [d for d in self._devices if d.host_index == host_api_index]
        if not 0 <= host_api_device_index < len(devices):
            raise _error(paInvalidDevice)
        return devices[host_api_device_index].info()

    # ---- devices

    def get_device_count(self) -> int:
        """Returns the number of devices, over all host APIs."""
        self._check()
        return len(self._devices)

    def get_device_info_by_index(self, device_index: int) -> Dict[str, Any]:
        """Returns a device's dict: index, structVersion, name, hostApi, maxInputChannels,
        maxOutputChannels, defaultLow/HighInput/OutputLatency and defaultSampleRate.

        Raises:
            OSError: ``[Errno -9996] Invalid device info`` for an index out of range.
        """
        self._check()
        device_index = _int_arg(device_index, "device_index")
        if not 0 <= device_index < len(self._devices):
            raise _error(paInvalidDevice, "Invalid device info")
        return self._devices[device_index].info()

    def _default(self, key: str) -> int:
        if self._terminated or not self._host_apis:
            return paNoDevice
        return int(self._host_apis[0][key])

    def get_default_input_device_info(self) -> Dict[str, Any]:
        """Returns the default input device's dict.

        Raises:
            OSError: ``No Default Input Device Available``.
        """
        index = self._default("defaultInputDevice")
        if index == paNoDevice:
            raise OSError("No Default Input Device Available")
        return self._devices[index].info()

    def get_default_output_device_info(self) -> Dict[str, Any]:
        """Returns the default output device's dict.

        Raises:
            OSError: ``No Default Output Device Available``.
        """
        index = self._default("defaultOutputDevice")
        if index == paNoDevice:
            raise OSError("No Default Output Device Available")
        return self._devices[index].info()

    def is_format_supported(self, rate: float, input_device: Optional[int] = None, input_channels: Optional[int] = None,
                            input_format: Optional[int] = None, output_device: Optional[int] = None,
                            output_channels: Optional[int] = None, output_format: Optional[int] = None) -> bool:
        """Returns True if the devices can open a stream of this rate, channels and format.

        miniaudio converts rates, channel counts and formats, so what fails here is what PortAudio
        refuses before it asks the device: an unknown device, no channels on that side, a format
        that is not a PortAudio one (or paCustomFormat), a rate outside 1000..200000 Hz, input and
        output on two host APIs.

        Raises:
            ValueError: ``(text, code)``, e.g. ``("Invalid device", -9996)``.
        """
        if input_device is None and output_device is None:
            raise ValueError("Must specify stream format for input, output, or both", paInvalidDevice)
        self._check()
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise TypeError(f"rate must be a number, not {type(rate).__name__}")
        code = self._validate(rate, input_device, input_channels, input_format, output_device, output_channels,
                              output_format)
        if code != paNoError:
            raise ValueError(_ERROR_TEXT[code], code)
        return True

    def _validate(self, rate: float, in_dev: Optional[int], in_ch: Any, in_fmt: Any, out_dev: Optional[int],
                  out_ch: Any, out_fmt: Any) -> int:
        """PortAudio's checks of Pa_OpenStream / Pa_IsFormatSupported, in its order: 0 or an error code."""
        sides = []
        for dev, ch, fmt, name, key in ((in_dev, in_ch, in_fmt, "input", "in_channels"),
                                        (out_dev, out_ch, out_fmt, "output", "out_channels")):
            if dev is None:
                continue
            dev = _int_arg(dev, name + "_device")
            ch = _int_arg(ch, name + "_channels")
            fmt = _format_arg(fmt)
            if not 0 <= dev < len(self._devices):
                return paInvalidDevice
            if ch <= 0:
                return paInvalidChannelCount
            if fmt not in _FORMATS and fmt != paCustomFormat:
                return paSampleFormatNotSupported
            sides.append((self._devices[dev], ch, fmt, key))
        if len(sides) == 2 and sides[0][0].host_index != sides[1][0].host_index:
            return paBadIODeviceCombination
        if not 1000.0 <= rate <= 200000.0:
            return paInvalidSampleRate
        for device, _, fmt, key in sides:
            if getattr(device, key) == 0:
                return paInvalidChannelCount
            if fmt == paCustomFormat:
                return paSampleFormatNotSupported
        return paNoError


from ._pyaudio_stream import _Stream  # noqa: E402  (needs the names above)


class Stream(_Stream):
    """PyAudio's module-level alias of :class:`PyAudio.Stream`: deprecated, use :meth:`PyAudio.open`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn("Do not instantiate pyaudio.Stream directly. Use pyaudio.PyAudio.open() instead. "
                      "pyaudio.Stream may change or be removed in the future.", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)


PyAudio.Stream = _Stream
_Stream.__qualname__ = "_Stream"
