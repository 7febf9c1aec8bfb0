"""Device enumeration and device ids: Devices, DeviceId (and 1.71's RawDeviceId), the backends
argument, and the one device-name match that ``device_id=<name>`` (through the C layer: context.c
calls ``_device_by_name``) and the command line's ``--device`` share.  See docs/devices-api.rst.
"""

import functools
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, cast

from . import _miniaudio as _ma
from ._enums import Backend, DeviceType, enum_value

__all__ = ["Devices", "DeviceId"]

_STRING_ID_BACKENDS = {"PulseAudio", "ALSA", "Core Audio", "sndio", "audio(4)", "OSS", "Web Audio", "WASAPI"}


@functools.total_ordering
class DeviceId:
    """Identifies one device of one backend: a plain value.

    It is hashable, comparable and picklable: use it as a dict key, save it in a settings file,
    compare the ids of two enumerations.  ``str()`` gives a readable form: the PulseAudio sink or
    source name, the ALSA device name, the NULL backend's device number.  Get ids from
    :meth:`Devices.get_playbacks` and :meth:`Devices.get_captures`.

    Attributes:
        backend (str): miniaudio's name of the backend the id belongs to, e.g. ``"PulseAudio"``.
        raw (bytes): miniaudio's ``ma_device_id``, without its trailing zero bytes.
    """

    # A frozen, ordered value class, written out rather than made with dataclasses (which imports
    # inspect: 5 ms of `import miniaudio`); pickles of the dataclass version load the same.
    __match_args__ = ("backend", "raw")
    backend: str
    raw: bytes

    def __init__(self, backend: str, raw: bytes) -> None:
        if not isinstance(backend, str):
            raise TypeError(f"backend must be a str, not {type(backend).__name__}")
        if not isinstance(raw, bytes):
            raise TypeError(f"raw must be bytes, not {type(raw).__name__}")
        object.__setattr__(self, "backend", backend)
        object.__setattr__(self, "raw", raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"DeviceId(backend={self.backend!r}, raw={self.raw!r})"

    def _key(self) -> Tuple[str, bytes]:
        return (self.backend, self.raw)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: "DeviceId") -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        if self.backend in _STRING_ID_BACKENDS and self.backend != "WASAPI":
            return self.raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        if self.backend == "WASAPI":
            return self.raw.decode("utf-16-le", "replace").split("\0", 1)[0]
        return str(int.from_bytes(self.raw[:4].ljust(4, b"\0"), sys.byteorder, signed=True))


BackendsType = Optional[Sequence[Union[Backend, int, str]]]


def _backend_values(backends: BackendsType) -> Optional[List[int]]:
    """Backend members, their values or their names (case-insensitive) -> a list of ints."""
    if backends is None:
        return None
    if isinstance(backends, (str, bytes, Backend)) or not hasattr(backends, "__iter__"):
        raise TypeError(f"backends must be a list of Backend values, not {type(backends).__name__}")
    values = []
    for b in backends:
        if isinstance(b, str):
            try:
                values.append(Backend[b.strip().upper().replace(" ", "")].value)
            except KeyError:
                names = ", ".join(m.name.lower() for m in Backend)
                raise ValueError(f"unknown backend name {b!r}; the backends are: {names}") from None
        else:
            values.append(enum_value(Backend, b, "backends"))
    return values or None


class RawDeviceId(bytearray):
    """What ``miniaudio.ffi.new("ma_device_id *")`` gives (1.71's way to make an id from saved
    bytes): 256 zero bytes to fill through ``miniaudio.ffi.buffer(it)``; ``device_id=`` takes it
    for the backend the device opens with."""


def _raw_id(device_id: Any, argname: str) -> Union[None, str, bytes, Tuple[str, bytes]]:
    """A device_id argument for the C layer: None, a name to look up, (backend, raw id), or the
    raw id alone (a RawDeviceId: any backend)."""
    if device_id is None or isinstance(device_id, str):
        return device_id
    if isinstance(device_id, dict) and "id" in device_id:
        device_id = device_id["id"]
    if isinstance(device_id, DeviceId):
        return (device_id.backend, bytes(device_id.raw))
    if isinstance(device_id, RawDeviceId):
        return bytes(device_id)
    raise TypeError(f"{argname} must be None, a DeviceId, a device dict from Devices or a device name, "
                    f"not {type(device_id).__name__}")


def match_device(spec: str, keys: Sequence[Sequence[str]]) -> Tuple[Optional[int], List[int]]:
    """The one device-name match, used by ``device_id=<name>`` and the command line's ``--device``.

    `keys` holds, per device, the strings that name it (its name; the command line adds its id).
    The device whose key equals `spec` wins, else the one whose key equals it case-insensitively
    (the first such device: an exact name wins even when two devices share it), else the one whose
    key contains it case-insensitively.  Returns (index, []) when one device is meant,
    (None, indexes) when several contain `spec` (ambiguous), (None, []) when none matches.
    """
    wanted = spec.casefold()
    for index, names in enumerate(keys):
        if spec in names:
            return index, []
    for index, names in enumerate(keys):
        if any(key.casefold() == wanted for key in names):
            return index, []
    hits = [index for index, names in enumerate(keys) if any(wanted in key.casefold() for key in names)]
    if len(hits) == 1:
        return hits[0], []
    return None, hits


def _device_by_name(spec: str, names: List[str], kind: str, argname: str) -> int:
    """device_id=<name> (called by the C layer with the names of the device's own context): the
    index of the device `spec` names; ValueError listing the candidates or the matches."""
    index, hits = match_device(spec, [(name,) for name in names])
    if index is not None:
        return index
    if not hits:
        raise ValueError(f"{argname}: no {kind} device name contains {spec!r}; the {kind} devices are: {names!r}")
    raise ValueError(f"{argname}: the name {spec!r} is ambiguous: it matches the {kind} devices "
                     f"{[names[i] for i in hits]!r}")


class Devices:
    """The playback and capture devices of an audio backend.

    Creating it initialises a miniaudio context for the backend; :meth:`close` (or the end of a
    ``with`` block) releases it.

    >>> with miniaudio.Devices(backends=["null"]) as devices:
    ...     print(devices.backend, [d["name"] for d in devices.get_playbacks()])
    Null ['NULL Playback Device']

    Args:
        backends: The backends to try, in order: :class:`Backend` members, their int values or
            their names (``"pulseaudio"``, ``"alsa"``, ``"jack"``, ``"null"``, ...;
            case-insensitive).  None tries miniaudio's default order.

    Attributes:
        backend (str): miniaudio's name of the backend in use: ``"PulseAudio"``, ``"ALSA"``,
            ``"JACK"``, ``"Null"``, ...

    Raises:
        ValueError: An unknown backend name (the message lists the names).
        MiniaudioError: None of the backends is available.
    """

    def __init__(self, backends: BackendsType = None) -> None:
        self._context = _ma._Context(_backend_values(backends))
        self.backend: str = cast(str, self._context.backend)  # None only once closed

    def _list(self, device_type: DeviceType) -> List[Dict[str, Any]]:
        devices = []
        for name, raw, is_default, formats in self._context.devices(device_type.value):
            devices.append({
                "name": name,
                "type": device_type,
                "id": DeviceId(self.backend, raw.rstrip(b"\0")),
                "formats": [{"format": _ma.format_name(f), "samplerate": rate, "channels": channels}
                            for f, rate, channels in formats],
                "is_default": is_default,
            })
        return devices

    def get_playbacks(self) -> List[Dict[str, Any]]:
        """The playback devices (outputs), as a list of dicts.

        Each dict has the keys ``"name"`` (str), ``"type"`` (:class:`DeviceType`), ``"id"``
        (:class:`DeviceId`: pass it, or the whole dict, as ``device_id``), ``"formats"`` (the native
        formats the backend reports, as ``{"format": "16-bit Signed Integer", "samplerate": 48000,
        "channels": 2}`` dicts; 0 means any) and ``"is_default"`` (bool; not in 1.71).

        Raises:
            MiniaudioError: The object is closed, or the backend cannot enumerate its devices.
        """
        return self._list(DeviceType.PLAYBACK)

    def get_captures(self) -> List[Dict[str, Any]]:
        """The capture devices (inputs, and with PulseAudio the monitors of the outputs), as a list of dicts.

        Each dict has the keys ``"name"`` (str), ``"type"`` (:class:`DeviceType`), ``"id"``
        (:class:`DeviceId`: pass it, or the whole dict, as ``device_id``), ``"formats"`` (the native
        formats the backend reports, as ``{"format": "16-bit Signed Integer", "samplerate": 48000,
        "channels": 2}`` dicts; 0 means any) and ``"is_default"`` (bool; not in 1.71).

        Raises:
            MiniaudioError: The object is closed, or the backend cannot enumerate its devices.
        """
        return self._list(DeviceType.CAPTURE)

    def close(self) -> None:
        """Release the miniaudio context (idempotent; also done when the object is collected)."""
        self._context.close()

    def __enter__(self) -> "Devices":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
