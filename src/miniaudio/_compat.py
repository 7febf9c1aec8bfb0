"""``miniaudio.ffi`` and ``miniaudio.lib``: what programs written for 1.71 take from its cffi layer.

1.71 was built with cffi and exposed its ``ffi`` and ``lib`` objects; programs reached through
them for a few things that had no other spelling there: comparing and saving device ids
(``ffi.buffer(device["id"])``), making an id from saved bytes (``ffi.new("ma_device_id *")``),
``ffi.NULL``, and miniaudio's constants (``lib.MA_SUCCESS``, ``lib.ma_format_s16``, ...).  These
two small objects give those, with 1.71's values, and nothing else: any other name raises an
AttributeError that names the replacement (this package has no cffi layer, so there are no C
functions or structures to call).  See docs/migrating.rst.
"""

from enum import Enum
from typing import Any, Dict, List, Optional, Tuple, Type

from ._enumeration import DeviceId, RawDeviceId
from ._enums import Backend, ChannelMixMode, DeviceType, DitherMode, FileFormat, SampleFormat, SeekOrigin, \
    ThreadPriority

__all__ = ["ffi", "lib"]

_ID_SIZE = 256  # sizeof(ma_device_id)
_MIGRATING = "see 'Migrating from miniaudio 1.71' in the documentation"


class _Null:
    """``ffi.NULL``: false, equal only to itself, as 1.71's NULL pointer was in practice."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<cdata 'void *' NULL>"

    def __reduce__(self) -> str:
        return "NULL"


NULL = _Null()

_FFI_HINTS = {
    "new": "only ffi.new(\"ma_device_id *\") exists here (an empty device id to fill with ffi.buffer)",
    "cast": "samples are array.array, bytes or bytearray objects: use memoryview(x).cast(...)",
    "memmove": "samples are array.array, bytes or bytearray objects: copy with slicing or memoryview",
    "from_buffer": "pass any bytes-like object (bytes, bytearray, array.array, numpy) to the functions directly",
    "new_handle": "a StreamableSource needs no handle: pass the object itself to stream_any()",
    "from_handle": "a StreamableSource needs no handle: pass the object itself to stream_any()",
    "addressof": "there are no C structures to take the address of",
    "sizeof": "a device id has 256 bytes (len(miniaudio.ffi.buffer(device_id)))",
    "CData": "device ids are miniaudio.DeviceId values; samples are array.array objects",
}

_LIB_HINTS = [
    ("ma_device_", "use the device object's start(), stop() and close() (PlaybackDevice, CaptureDevice, "
                   "DuplexStream)"),
    ("ma_context_", "use miniaudio.Devices (get_playbacks(), get_captures(), close())"),
    ("ma_decoder_", "use decode(), decode_file() or the stream functions (stream_file, stream_memory, stream_any)"),
    ("ma_decode_", "use decode() or decode_file()"),
    ("ma_dr_wav", "use the wav_* functions (wav_read_file_s16, wav_stream_file, wav_write_file, ...)"),
    ("ma_dr_flac", "use the flac_* functions (flac_read_file_s16, flac_stream_file, ...)"),
    ("ma_dr_mp3", "use the mp3_* functions (mp3_read_file_f32, mp3_stream_file, ...)"),
    ("stb_vorbis", "use the vorbis_* functions (vorbis_read_file, vorbis_stream_file, ...)"),
    ("ma_get_format_name", "use SampleFormat members and width_from_format()"),
    ("ma_version", "use miniaudio.lib_version()"),
    ("ma_convert", "use convert_frames() or convert_sample_format()"),
    ("ma_is_backend_enabled", "use is_backend_enabled() or get_enabled_backends()"),
]


def _id_bytes(obj: Any, what: str) -> bytes:
    """The 256 bytes of a device id as 1.71's ``ffi.buffer`` gave them (zero-padded)."""
    if isinstance(obj, dict) and "id" in obj:
        raise TypeError(f"{what}: pass the device's id (device[\"id\"]), not the whole device dict")
    if isinstance(obj, DeviceId):
        return obj.raw.ljust(_ID_SIZE, b"\0")
    raise TypeError(f"{what}: expected a device id (a DeviceId) or a bytes-like object, not {type(obj).__name__}")


class _FFI:
    """``miniaudio.ffi``: the parts of 1.71's cffi ``ffi`` object that programs use.

    * ``ffi.buffer(device_id)``: the 256 bytes of a device id, as 1.71 gave them for its
      ``ma_device_id`` pointers, so ``ffi.buffer(a) == ffi.buffer(b)`` compares two ids and
      ``bytes(ffi.buffer(id)).hex()`` is the same string 1.71 saved.  A read-only memoryview;
      for any other bytes-like object, a byte view of it.  ``ffi.buffer(x, size)`` gives the
      first ``size`` bytes.
    * ``ffi.new("ma_device_id *")``: an empty (zeroed) device id to fill through
      ``ffi.buffer(...)[a:b] = saved_bytes``; ``device_id=`` takes it.
    * ``ffi.string(x)``: the bytes of a device id or a bytes-like object up to the first zero
      byte (a PulseAudio or ALSA id is the device's name).
    * ``ffi.NULL``: a false placeholder for 1.71's NULL pointer.

    Anything else raises AttributeError naming what to use instead.
    """

    NULL = NULL

    def buffer(self, cdata: Any, size: int = -1) -> memoryview:
        """The bytes of a device id (256, zero-padded, as in 1.71) or of a bytes-like object."""
        if isinstance(cdata, RawDeviceId):
            view = memoryview(cdata)
        elif isinstance(cdata, DeviceId) or isinstance(cdata, dict):
            view = memoryview(_id_bytes(cdata, "ffi.buffer()"))
        else:
            try:
                view = memoryview(cdata).cast("B")
            except TypeError:
                raise TypeError(f"ffi.buffer(): expected a device id (a DeviceId) or a bytes-like object, not "
                                f"{type(cdata).__name__}") from None
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"ffi.buffer(): size must be an int, not {type(size).__name__}")
        if size >= 0:
            if size > len(view):
                raise ValueError(f"ffi.buffer(): size {size} is larger than the object ({len(view)} bytes)")
            view = view[:size]
        return view

    def new(self, cdecl: str, init: Any = None) -> RawDeviceId:
        """``ffi.new("ma_device_id *")``: a zeroed 256-byte device id (the only type available)."""
        if not isinstance(cdecl, str):
            raise TypeError(f"ffi.new(): cdecl must be a str, not {type(cdecl).__name__}")
        if " ".join(cdecl.replace("*", " * ").split()) not in ("ma_device_id *", "union ma_device_id *"):
            raise AttributeError(f"miniaudio.ffi.new({cdecl!r}) is not available: this package has no cffi layer; "
                                 f"only ffi.new(\"ma_device_id *\") exists ({_MIGRATING})")
        raw = RawDeviceId(_ID_SIZE)
        if init is not None:
            data = bytes(memoryview(init).cast("B"))
            if len(data) > _ID_SIZE:
                raise ValueError(f"ffi.new(): a device id has {_ID_SIZE} bytes, not {len(data)}")
            raw[:len(data)] = data
        return raw

    def string(self, cdata: Any, maxlen: int = -1) -> bytes:
        """The bytes of a device id or a bytes-like object up to the first zero byte."""
        if isinstance(cdata, (DeviceId, dict)):
            data = _id_bytes(cdata, "ffi.string()")
        elif isinstance(cdata, str):
            raise TypeError("ffi.string(): expected a device id or a bytes-like object, not str (names such as "
                            "device[\"name\"] are already str)")
        else:
            try:
                data = bytes(memoryview(cdata).cast("B"))
            except TypeError:
                raise TypeError(f"ffi.string(): expected a device id or a bytes-like object, not "
                                f"{type(cdata).__name__}") from None
        if isinstance(maxlen, int) and not isinstance(maxlen, bool) and maxlen >= 0:
            data = data[:maxlen]
        return data.split(b"\0", 1)[0]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        hint = _FFI_HINTS.get(name, "use the package's Python API instead")
        raise AttributeError(f"miniaudio.ffi.{name} is not available: this package has no cffi layer; {hint} "
                             f"({_MIGRATING})")

    def __dir__(self) -> List[str]:
        return ["NULL", "buffer", "new", "string"]

    def __repr__(self) -> str:
        return "<miniaudio.ffi: 1.71 compatibility (buffer, new, string, NULL)>"


def _constants() -> Dict[str, int]:
    table: Dict[str, int] = dict(_RESULTS)
    formats = {"unknown": SampleFormat.UNKNOWN, "u8": SampleFormat.UNSIGNED8, "s16": SampleFormat.SIGNED16,
               "s24": SampleFormat.SIGNED24, "s32": SampleFormat.SIGNED32, "f32": SampleFormat.FLOAT32}
    for suffix, fmt in formats.items():
        table["ma_format_" + suffix] = fmt.value
    table["ma_format_count"] = 6
    groups: List[Tuple[str, Type[Enum]]] = [
        ("ma_encoding_format_", FileFormat), ("ma_backend_", Backend), ("ma_device_type_", DeviceType),
        ("ma_dither_mode_", DitherMode), ("ma_channel_mix_mode_", ChannelMixMode),
        ("ma_thread_priority_", ThreadPriority), ("ma_seek_origin_", SeekOrigin)]
    for prefix, enum_cls in groups:
        for name, member in enum_cls.__members__.items():
            table[prefix + ("custom_weights" if name == "CUSTOMWEIGHTS" else name.lower())] = member.value
    table["ma_device_type_loopback"] = 4
    table.update(MA_DR_WAVE_FORMAT_PCM=0x1, MA_DR_WAVE_FORMAT_ADPCM=0x2, MA_DR_WAVE_FORMAT_IEEE_FLOAT=0x3,
                 MA_DR_WAVE_FORMAT_ALAW=0x6, MA_DR_WAVE_FORMAT_MULAW=0x7, MA_DR_WAVE_FORMAT_DVI_ADPCM=0x11,
                 MA_DR_WAVE_FORMAT_EXTENSIBLE=0xFFFE, MA_MAX_CHANNELS=254, MA_TRUE=1, MA_FALSE=0)
    return table


# miniaudio 0.11.25's ma_result codes (the codes 1.71 put in its exceptions' args[1]).
_RESULTS = {
    "MA_SUCCESS": 0, "MA_ERROR": -1, "MA_INVALID_ARGS": -2, "MA_INVALID_OPERATION": -3, "MA_OUT_OF_MEMORY": -4,
    "MA_OUT_OF_RANGE": -5, "MA_ACCESS_DENIED": -6, "MA_DOES_NOT_EXIST": -7, "MA_ALREADY_EXISTS": -8,
    "MA_TOO_MANY_OPEN_FILES": -9, "MA_INVALID_FILE": -10, "MA_TOO_BIG": -11, "MA_PATH_TOO_LONG": -12,
    "MA_NAME_TOO_LONG": -13, "MA_NOT_DIRECTORY": -14, "MA_IS_DIRECTORY": -15, "MA_DIRECTORY_NOT_EMPTY": -16,
    "MA_AT_END": -17, "MA_NO_SPACE": -18, "MA_BUSY": -19, "MA_IO_ERROR": -20, "MA_INTERRUPT": -21,
    "MA_UNAVAILABLE": -22, "MA_ALREADY_IN_USE": -23, "MA_BAD_ADDRESS": -24, "MA_BAD_SEEK": -25, "MA_BAD_PIPE": -26,
    "MA_DEADLOCK": -27, "MA_TOO_MANY_LINKS": -28, "MA_NOT_IMPLEMENTED": -29, "MA_NO_MESSAGE": -30,
    "MA_BAD_MESSAGE": -31, "MA_NO_DATA_AVAILABLE": -32, "MA_INVALID_DATA": -33, "MA_TIMEOUT": -34,
    "MA_NO_NETWORK": -35, "MA_NOT_UNIQUE": -36, "MA_NOT_SOCKET": -37, "MA_NO_ADDRESS": -38, "MA_BAD_PROTOCOL": -39,
    "MA_PROTOCOL_UNAVAILABLE": -40, "MA_PROTOCOL_NOT_SUPPORTED": -41, "MA_PROTOCOL_FAMILY_NOT_SUPPORTED": -42,
    "MA_ADDRESS_FAMILY_NOT_SUPPORTED": -43, "MA_SOCKET_NOT_SUPPORTED": -44, "MA_CONNECTION_RESET": -45,
    "MA_ALREADY_CONNECTED": -46, "MA_NOT_CONNECTED": -47, "MA_CONNECTION_REFUSED": -48, "MA_NO_HOST": -49,
    "MA_IN_PROGRESS": -50, "MA_CANCELLED": -51, "MA_MEMORY_ALREADY_MAPPED": -52, "MA_CRC_MISMATCH": -100,
    "MA_FORMAT_NOT_SUPPORTED": -200, "MA_DEVICE_TYPE_NOT_SUPPORTED": -201, "MA_SHARE_MODE_NOT_SUPPORTED": -202,
    "MA_NO_BACKEND": -203, "MA_NO_DEVICE": -204, "MA_API_NOT_FOUND": -205, "MA_INVALID_DEVICE_CONFIG": -206,
    "MA_LOOP": -207, "MA_BACKEND_NOT_ENABLED": -208, "MA_DEVICE_NOT_INITIALIZED": -300,
    "MA_DEVICE_ALREADY_INITIALIZED": -301, "MA_DEVICE_NOT_STARTED": -302, "MA_DEVICE_NOT_STOPPED": -303,
    "MA_FAILED_TO_INIT_BACKEND": -400, "MA_FAILED_TO_OPEN_BACKEND_DEVICE": -401,
    "MA_FAILED_TO_START_BACKEND_DEVICE": -402, "MA_FAILED_TO_STOP_BACKEND_DEVICE": -403,
}


class _Lib:
    """``miniaudio.lib``: 1.71's miniaudio constants, as plain ints with the same values.

    Result codes (``lib.MA_SUCCESS``, ``lib.MA_INVALID_FILE``, ...: the code 1.71 put in an
    exception's ``args[1]``, now also its ``result``), sample formats (``lib.ma_format_s16``),
    encodings (``lib.ma_encoding_format_mp3``), backends (``lib.ma_backend_pulseaudio``), device
    types, dither modes, channel mix modes, thread priorities, seek origins, WAV format tags
    (``lib.MA_DR_WAVE_FORMAT_IEEE_FLOAT``, for ``sub_format``) and ``MA_MAX_CHANNELS``.  The
    enums (:class:`SampleFormat`, :class:`Backend`, ...) have the same values.

    There are no C functions: ``lib.ma_device_stop`` and the like raise AttributeError naming
    the Python call to use instead.
    """

    def __init__(self) -> None:
        self.__dict__.update(_constants())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        hint: Optional[str] = None
        for prefix, text in _LIB_HINTS:
            if name.startswith(prefix):
                hint = text
                break
        if hint is None:
            hint = "only miniaudio's constants are here (dir(miniaudio.lib) lists them); use the package's Python API"
        raise AttributeError(f"miniaudio.lib.{name} is not available: this package has no cffi layer; {hint} "
                             f"({_MIGRATING})")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"miniaudio.lib.{name} cannot be set: the constants are read-only")

    def __dir__(self) -> List[str]:
        return sorted(self.__dict__)

    def __repr__(self) -> str:
        return "<miniaudio.lib: 1.71 compatibility (miniaudio's constants)>"


ffi = _FFI()
lib = _Lib()
