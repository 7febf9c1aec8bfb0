"""sounddevice's view of the devices: host APIs (one per miniaudio backend), the device list with
sounddevice's indexes and dicts, device selection by index or name, the module-wide ``default``
settings and PortAudioError.  Shared by the top-level one-call functions (_oneshot.py), the
sounddevice-style streams (_sd_streams.py) and ``miniaudio.sounddevice``.

The device list is a snapshot, as PortAudio's is: taken on first use and kept until
``default.backends`` (or the PulseAudio server address in the environment) changes, or
``miniaudio.sounddevice._terminate()`` / ``_initialize()`` are called.
"""

import os
import threading
from typing import Any, Dict, List, Optional, Tuple

from ._enumeration import DeviceId, Devices, _backend_values
from ._enums import Backend, SampleFormat
from ._errors import MiniaudioError

__all__ = ["PortAudioError", "DeviceList", "default", "query_devices", "query_hostapis"]


class PortAudioError(MiniaudioError):
    """Raised where sounddevice raises its PortAudioError: a stream that cannot be opened with the
    settings asked for (sample rate, channel count, device combination), a device index that does
    not exist.  A subclass of :class:`~miniaudio.MiniaudioError`.

    As in sounddevice, ``args`` holds the message and, where PortAudio has one, the PortAudio
    error code (``str()`` shows it as ``[PaErrorCode -9997]``).
    """

    def __str__(self) -> str:
        msg = str(self.args[0]) if self.args else ""
        if len(self.args) > 1:
            msg = f"{msg} [PaErrorCode {self.args[1]}]"
        return msg


# PortAudio's error codes and texts, for the errors raised where sounddevice raises them.
PA_INVALID_CHANNEL_COUNT = (-9998, "Invalid number of channels")
PA_INVALID_SAMPLE_RATE = (-9997, "Invalid sample rate")
PA_INVALID_DEVICE = (-9996, "Invalid device")
PA_BAD_IO_COMBINATION = (-9993, "Illegal combination of I/O devices")
PA_DEVICE_UNAVAILABLE = (-9985, "Device unavailable")


def pa_error(what: str, code: Tuple[int, str]) -> PortAudioError:
    return PortAudioError(f"{what}: {code[1]}", code[0])


# miniaudio's backend names (ma_get_backend_name) -> Backend members.
_BACKEND_BY_NAME = {
    "WASAPI": Backend.WASAPI, "DirectSound": Backend.DSOUND, "WinMM": Backend.WINMM, "Core Audio": Backend.COREAUDIO,
    "sndio": Backend.SNDIO, "audio(4)": Backend.AUDIO4, "OSS": Backend.OSS, "PulseAudio": Backend.PULSEAUDIO,
    "ALSA": Backend.ALSA, "JACK": Backend.JACK, "AAudio": Backend.AAUDIO, "OpenSL ES": Backend.OPENSL,
    "OpenSL|ES": Backend.OPENSL, "Web Audio": Backend.WEBAUDIO, "Custom": Backend.CUSTOM, "Null": Backend.NULL,
}

# What the devices report as latencies: miniaudio's default periods (10 ms in its low-latency
# profile, 100 ms in its conservative one), three of them.
LOW_LATENCY = 0.03
HIGH_LATENCY = 0.3
_FALLBACK_RATE = 48000.0
_FALLBACK_CHANNELS = 2


class DeviceList(tuple):  # type: ignore[type-arg]
    """What :func:`query_devices` returns: a tuple of device dicts that prints as sounddevice's table.

    One line per device: ``>`` marks the default input device, ``<`` the default output device,
    ``*`` a device that is both; then the index, the name, the host API (the miniaudio backend)
    and the channel counts, e.g. ``< 0 Null Output, PulseAudio (0 in, 2 out)``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        snap = _snapshot()
        idev = _device_index_or(default.device["input"], "input", snap)
        odev = _device_index_or(default.device["output"], "output", snap)
        digits = len(str(len(snap.devices) - 1))
        names = [api["name"] for api in snap.hostapis]
        lines = []
        for info in self:
            idx = info["index"]
            mark = (" ", ">", "<", "*")[(idx == idev) + 2 * (idx == odev)]
            lines.append(f"{mark} {idx:{digits}} {info['name']}, {names[info['hostapi']]} "
                         f"({info['max_input_channels']} in, {info['max_output_channels']} out)")
        return "\n".join(lines)

    __str__ = __repr__


class _Snapshot:
    """The host APIs and devices at one moment; private per-device data in ``extra``."""

    def __init__(self) -> None:
        self.hostapis: List[Dict[str, Any]] = []
        self.devices: List[Dict[str, Any]] = []
        # per device index: (Backend or None, playback DeviceId or None, capture DeviceId or None)
        self.extra: List[Tuple[Optional[Backend], Optional[DeviceId], Optional[DeviceId]]] = []


_lock = threading.RLock()
_cache: Dict[Any, _Snapshot] = {}


def _max_channels(formats: List[Dict[str, Any]]) -> int:
    channels = max((f["channels"] for f in formats), default=0)
    return channels if channels > 0 else _FALLBACK_CHANNELS


def _default_rate(formats: List[Dict[str, Any]]) -> float:
    for f in formats:
        if f["samplerate"]:
            return float(f["samplerate"])
    return _FALLBACK_RATE


def _enumerate(backends: Optional[Tuple[Any, ...]]) -> _Snapshot:
    snap = _Snapshot()
    wanted: List[Any] = list(backends) if backends else [None]
    errors = []
    for backend in wanted:
        try:
            devices = Devices(backends=None if backend is None else [backend])
        except MiniaudioError as exc:
            if backends:  # a backend the user named: say why it is missing
                errors.append(f"{backend}: {exc}")
            continue
        try:
            playbacks, captures = devices.get_playbacks(), devices.get_captures()
            member = _BACKEND_BY_NAME.get(devices.backend)
            api_index = len(snap.hostapis)
            api_devices: List[int] = []
            api: Dict[str, Any] = {"name": devices.backend, "devices": api_devices, "default_input_device": -1,
                                   "default_output_device": -1}
            snap.hostapis.append(api)
            merged: Dict[Tuple[str, Any], int] = {}
            for kind, entries in (("output", playbacks), ("input", captures)):
                for entry in entries:
                    key = (entry["name"], entry["id"].raw)
                    index = merged.get(key)
                    if index is None:
                        index = len(snap.devices)
                        merged[key] = index
                        snap.devices.append({
                            "name": entry["name"], "index": index, "hostapi": api_index,
                            "max_input_channels": 0, "max_output_channels": 0,
                            "default_low_input_latency": LOW_LATENCY, "default_low_output_latency": LOW_LATENCY,
                            "default_high_input_latency": HIGH_LATENCY,
                            "default_high_output_latency": HIGH_LATENCY,
                            "default_samplerate": _default_rate(entry["formats"]),
                        })
                        snap.extra.append((member, None, None))
                        api_devices.append(index)
                    info = snap.devices[index]
                    member_, play_id, cap_id = snap.extra[index]
                    info["max_" + kind + "_channels"] = _max_channels(entry["formats"])
                    if kind == "output":
                        play_id = entry["id"]
                    else:
                        cap_id = entry["id"]
                    snap.extra[index] = (member_, play_id, cap_id)
                    if entry["is_default"] and api["default_" + kind + "_device"] == -1:
                        api["default_" + kind + "_device"] = index
        finally:
            devices.close()
    if not snap.hostapis and errors:
        raise PortAudioError("no host API available: " + "; ".join(errors))
    return snap


def _snapshot() -> _Snapshot:
    key = (None if default.backends is None else tuple(_backend_values(default.backends) or ()),
           os.environ.get("PULSE_SERVER"))
    with _lock:
        snap = _cache.get(key)
        if snap is None:
            snap = _enumerate(key[0])
            _cache.clear()
            _cache[key] = snap
        return snap


def _forget_devices() -> None:
    """Drop the device snapshot: the next query enumerates again."""
    with _lock:
        _cache.clear()


def query_devices(device: Any = None, kind: Optional[str] = None) -> Any:
    """Return information about the available devices, as sounddevice's ``query_devices()``.

    Without arguments: a :class:`DeviceList` of one dict per device, which prints as
    sounddevice's table.  With ``device`` (an index or a name substring) or ``kind``
    (``"input"`` / ``"output"``: the default device of that kind): one dict with sounddevice's
    keys ``name``, ``index``, ``hostapi``, ``max_input_channels``, ``max_output_channels``,
    ``default_low_input_latency``, ``default_low_output_latency``, ``default_high_input_latency``,
    ``default_high_output_latency`` and ``default_samplerate``.

    Raises:
        ValueError: An unknown ``kind``, no device matches the name (or several do), or the
            device has no channels of that ``kind``.
        PortAudioError: No device has that index.
    """
    if kind not in ("input", "output", None):
        raise ValueError(f"Invalid kind: {kind!r}")
    snap = _snapshot()
    if device is None and kind is None:
        return DeviceList(dict(d) for d in snap.devices)
    index = get_device_id(device, kind, raise_on_error=True, snap=snap)
    if isinstance(index, bool) or not 0 <= index < len(snap.devices):
        raise PortAudioError(f"Error querying device {index}")
    info = dict(snap.devices[index])
    if kind and info["max_" + kind + "_channels"] < 1:
        raise ValueError(f"Not an {kind} device: {info['name']!r}")
    return info


def query_hostapis(index: Optional[int] = None) -> Any:
    """Return the host APIs (one per miniaudio backend in use), as sounddevice's ``query_hostapis()``.

    A tuple of dicts with the keys ``name`` (miniaudio's backend name, e.g. ``"PulseAudio"``),
    ``devices`` (the device indexes), ``default_input_device`` and ``default_output_device`` (-1
    when there is none); with ``index``, that one dict.

    Raises:
        PortAudioError: No host API has that index.
    """
    snap = _snapshot()
    if index is None:
        return tuple(dict(api, devices=list(api["devices"])) for api in snap.hostapis)
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"index must be an int, not {type(index).__name__}")
    if not 0 <= index < len(snap.hostapis):
        raise PortAudioError(f"Error querying host API {index}")
    api = snap.hostapis[index]
    return dict(api, devices=list(api["devices"]))


def split(value: Any) -> Tuple[Any, Any]:
    """A single value for input and output, or an (input, output) pair (sounddevice's _split)."""
    if isinstance(value, (str, bytes, dict, DeviceId)):
        return value, value
    try:
        invalue, outvalue = value
    except TypeError:
        invalue = outvalue = value
    except ValueError as e:
        raise ValueError(f"Only single values and pairs are allowed, not {value!r}") from e
    return invalue, outvalue


def _device_index_or(spec: Any, kind: str, snap: _Snapshot) -> int:
    try:
        return get_device_id(spec, kind, raise_on_error=False, snap=snap)
    except (ValueError, TypeError):
        return -1


def get_device_id(spec: Any, kind: Optional[str], raise_on_error: bool = False,
                  snap: Optional[_Snapshot] = None) -> int:
    """The device index `spec` names, by sounddevice's rules (see the sounddevice page of the docs).

    `spec`: None (the default device), an index, a string of space-separated, case-insensitive
    parts that must appear in that order in "<device name>, <host API name>" (an exact name wins
    among several matches), a :class:`~miniaudio.DeviceId` or a device dict of
    :class:`~miniaudio.Devices`.
    """
    if snap is None:
        snap = _snapshot()
    if spec is None:
        spec = default.device
    ispec, ospec = split(spec)
    if kind == "input":
        spec = ispec
    elif kind == "output":
        spec = ospec
    elif ispec == ospec:
        spec = ispec
    else:
        raise ValueError(f"Input and output device are different: {spec!r}")
    if spec is None:  # the default device of the default host API
        if kind is None:
            raise ValueError("kind must be 'input' or 'output' to find the default device")
        api = snap.hostapis[0] if snap.hostapis else None
        index = api["default_" + kind + "_device"] if api else -1
        if index == -1 and api:
            index = next((i for i in api["devices"] if snap.devices[i]["max_" + kind + "_channels"] > 0), -1)
        if index == -1 and raise_on_error:
            raise pa_error(f"No default {kind} device", PA_INVALID_DEVICE)
        return index
    if isinstance(spec, bool):
        raise TypeError("device must be an int, a str or None, not bool")
    if isinstance(spec, int):
        return spec
    if isinstance(spec, dict) and "id" in spec:
        spec = spec["id"]
    if isinstance(spec, DeviceId):
        for index, (_, play_id, cap_id) in enumerate(snap.extra):
            if spec in (play_id, cap_id) and (kind is None or snap.devices[index]["max_" + kind + "_channels"] > 0):
                return index
        if raise_on_error:
            raise ValueError(f"No {kind or 'input/output'} device with id {str(spec)!r} ({spec.backend})")
        return -1
    if not isinstance(spec, str):
        raise TypeError(f"device must be an int, a str, a DeviceId or None, not {type(spec).__name__}")
    query = spec.lower()
    parts = query.split()
    matches: List[Tuple[int, str]] = []
    exact: List[int] = []
    for info in snap.devices:
        if kind and info["max_" + kind + "_channels"] < 1:
            continue
        name = info["name"]
        full = name + ", " + snap.hostapis[info["hostapi"]]["name"]
        pos = 0
        for part in parts:
            pos = full.lower().find(part, pos)
            if pos < 0:
                break
            pos += len(part)
        else:
            matches.append((int(info["index"]), full))
            if query in (name.lower(), full.lower()):
                exact.append(int(info["index"]))
    what = kind or "input/output"
    if not matches:
        if raise_on_error:
            raise ValueError(f"No {what} device matching {spec!r}")
        return -1
    if len(matches) > 1:
        if len(exact) == 1:
            return exact[0]
        if raise_on_error:
            raise ValueError(f"Multiple {what} devices found for {spec!r}:\n" +
                             "\n".join(f"[{i}] {full}" for i, full in matches))
        return -1
    return matches[0][0]


def device_target(index: int, kind: str) -> Tuple[Optional[Backend], Optional[DeviceId]]:
    """(backend, DeviceId) to open the device `index` for `kind` ("input"/"output")."""
    snap = _snapshot()
    if isinstance(index, bool) or not 0 <= index < len(snap.devices):
        raise PortAudioError(f"Error querying device {index}")
    backend, play_id, cap_id = snap.extra[index]
    return backend, (cap_id if kind == "input" else play_id)


# ---- default ------------------------------------------------------------------------------------

class _InputOutputPair:
    """A [input, output] pair of default.device/channels/dtype/latency/extra_settings."""

    _indexmapping = {"input": 0, "output": 1}

    def __init__(self, parent: "_Default", default_attr: str) -> None:
        self._pair: List[Any] = [None, None]
        self._parent = parent
        self._default_attr = default_attr

    def __getitem__(self, index: Any) -> Any:
        index = self._indexmapping.get(index, index)
        value = self._pair[index]
        if value is None:
            value = getattr(self._parent, self._default_attr)[index]
        return value

    def __setitem__(self, index: Any, value: Any) -> None:
        index = self._indexmapping.get(index, index)
        self._pair[index] = value

    def __iter__(self) -> Any:
        return iter((self[0], self[1]))

    def __len__(self) -> int:
        return 2

    def __eq__(self, other: Any) -> bool:
        try:
            return list(self) == list(other)
        except TypeError:
            return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "[{0[0]!r}, {0[1]!r}]".format(self)


class _Default:
    """Module-wide defaults of the one-call functions and the sounddevice-style streams, as
    sounddevice's ``default`` object (``miniaudio.default`` and ``miniaudio.sounddevice.default``
    are the same object).

    ``device``, ``channels``, ``dtype``, ``latency`` and ``extra_settings`` are
    ``[input, output]`` pairs: assign one value for both or a pair.  ``None`` restores the
    factory default of an attribute; :meth:`reset` restores all.  ``backends`` (not in
    sounddevice) lists the miniaudio backends whose devices :func:`query_devices` shows and the
    streams use (None: the backend miniaudio picks).
    """

    _pairs = ("device", "channels", "dtype", "latency", "extra_settings")
    _default_device = (None, None)
    _default_channels = (None, None)
    _default_dtype = ("float32", "float32")
    _default_latency = ("high", "high")
    _default_extra_settings = (None, None)
    device: Any = (None, None)
    channels: Any = (None, None)
    dtype: Any = ("float32", "float32")
    latency: Any = ("high", "high")
    extra_settings: Any = (None, None)
    samplerate: Any = None
    blocksize: Any = 0
    clip_off = False
    dither_off = False
    never_drop_input = False
    prime_output_buffers_using_stream_callback = False
    backends: Any = None

    def __init__(self) -> None:
        for attr in self._pairs:
            vars(self)[attr] = _InputOutputPair(self, "_default_" + attr)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._pairs:
            getattr(self, name)._pair[:] = split(value)
        elif name == "backends":
            _backend_values(value)  # TypeError/ValueError for a bad list, before it is kept
            object.__setattr__(self, name, None if value is None else list(value))
        elif name in dir(self) and name not in ("reset", "hostapi") and not name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError("'default' object has no attribute " + repr(name))

    @property
    def hostapi(self) -> int:
        """Index of the default host API (read-only): always 0, the first backend."""
        return 0

    def reset(self) -> None:
        """Reset all attributes to their factory default."""
        vars(self).clear()
        self.__init__()  # type: ignore[misc]

    def __repr__(self) -> str:
        return ("<default: device=%r, channels=%r, dtype=%r, latency=%r, samplerate=%r, blocksize=%r, backends=%r>"
                % (self.device, self.channels, self.dtype, self.latency, self.samplerate, self.blocksize,
                   self.backends))


default = _Default()

# ---- dtypes --------------------------------------------------------------------------------------

# sounddevice's sample formats -> (SampleFormat the device uses, bytes per sample, array typecode).
# int8 has no miniaudio format: it is played and recorded as UNSIGNED8 with the sign bit flipped.
SAMPLE_FORMATS = {
    "float32": (SampleFormat.FLOAT32, 4, "f"),
    "int32": (SampleFormat.SIGNED32, 4, "i"),
    "int24": (SampleFormat.SIGNED24, 3, None),
    "int16": (SampleFormat.SIGNED16, 2, "h"),
    "int8": (SampleFormat.UNSIGNED8, 1, "b"),
    "uint8": (SampleFormat.UNSIGNED8, 1, "B"),
}
FLIP_SIGN = bytes(i ^ 0x80 for i in range(256))  # int8 <-> uint8, for bytes.translate


def dtype_name(dtype: Any) -> Any:
    """numpy's canonical name of a dtype when numpy can tell, else the value (sounddevice's way)."""
    try:
        import numpy
        return numpy.dtype(dtype).name
    except Exception:
        return dtype
