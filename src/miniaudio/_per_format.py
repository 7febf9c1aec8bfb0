"""The per-format functions of the established 1.71 API (wav_read_s16, flac_read_file_f32,
mp3_get_info, ...), made from one table.

Each is a real Python function with 1.71's name, signature and a docstring of its own (for
help(), inspect.signature and Sphinx autodoc), made by one of four factories over the helpers
_info and _read of miniaudio._decode: the only difference between two of them is a row of the
table at the end of this file.  The Protocol classes give type checkers each function's
signature.
"""

from typing import Callable, Optional, Protocol, TypeVar

from . import _miniaudio as _ma
from ._decode import DecodedSoundFile, SoundFileInfo, _info, _read
from ._enums import FileFormat, SampleFormat
from ._types import BufferType, FilenameType

# How the docstrings speak of each format: (its name, the article before it).
_FORMAT_NAMES = {
    FileFormat.WAV: ("WAV", "a"),
    FileFormat.FLAC: ("FLAC", "a"),
    FileFormat.MP3: ("MP3", "an"),
    FileFormat.VORBIS: ("Ogg Vorbis", "an"),
}
# How the docstrings speak of each output sample format: (its description, array.array typecode
# from the C module's one sample-format table).
_SAMPLE_NAMES = {
    fmt: (description, _ma.SAMPLE_FORMATS[fmt.value][1])
    for fmt, description in ((SampleFormat.SIGNED16, "16-bit signed integer"),
                             (SampleFormat.SIGNED32, "32-bit signed integer"), (SampleFormat.FLOAT32, "32-bit float"))
}

_FILE_INFO_DOC = """Information about {a} {fmt} file (like :func:`get_file_info`, for {fmt} only).

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not {a} {fmt} file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """

_INFO_DOC = """Information about {fmt} audio data in memory.

    Args:
        data: The content of {a} {fmt} file (any bytes-like object).

    Returns:
        SoundFileInfo: The properties, with ``name`` ``"<memory>"``.

    Raises:
        DecodeError: The data is not {fmt}, or it is damaged.
    """

_READ_FILE_DOC = """Decode a whole {fmt} file to {samples} samples ({sample_format}).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode '{typecode}'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not {a} {fmt} file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """

_READ_DOC = """Decode {fmt} data in memory to {samples} samples ({sample_format}).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of {a} {fmt} file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode '{typecode}', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not {fmt}, or it is damaged.
    """


class _GetFileInfo(Protocol):
    def __call__(self, filename: FilenameType) -> SoundFileInfo: ...


class _GetInfo(Protocol):
    def __call__(self, data: BufferType) -> SoundFileInfo: ...


class _ReadFile(Protocol):
    def __call__(self, filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile: ...


class _Read(Protocol):
    def __call__(self, data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile: ...


_F = TypeVar("_F", bound=Callable[..., object])


def _named(function: _F, name: str, template: str, file_format: FileFormat,
           sample_format: Optional[SampleFormat] = None) -> _F:
    """Give a function made below its public name, its module and its docstring."""
    fmt, article = _FORMAT_NAMES[file_format]
    samples, typecode = _SAMPLE_NAMES[sample_format] if sample_format is not None else ("", "")
    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = template.format(fmt=fmt, a=article, samples=samples, typecode=typecode,
                                       sample_format=sample_format.name if sample_format is not None else "")
    return function


def _get_file_info(name: str, file_format: FileFormat) -> _GetFileInfo:
    def get_file_info(filename: FilenameType) -> SoundFileInfo:
        return _info(filename, True, file_format)

    return _named(get_file_info, name, _FILE_INFO_DOC, file_format)


def _get_info(name: str, file_format: FileFormat) -> _GetInfo:
    def get_info(data: BufferType) -> SoundFileInfo:
        return _info(data, False, file_format)

    return _named(get_info, name, _INFO_DOC, file_format)


def _read_file(name: str, file_format: FileFormat, sample_format: SampleFormat) -> _ReadFile:
    def read_file(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
        return _read(filename, True, file_format, sample_format, max_output_bytes=max_output_bytes)

    return _named(read_file, name, _READ_FILE_DOC, file_format, sample_format)


def _read_data(name: str, file_format: FileFormat, sample_format: SampleFormat) -> _Read:
    def read(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
        return _read(data, False, file_format, sample_format, max_output_bytes=max_output_bytes)

    return _named(read, name, _READ_DOC, file_format, sample_format)


_WAV, _FLAC, _MP3, _VORBIS = FileFormat.WAV, FileFormat.FLAC, FileFormat.MP3, FileFormat.VORBIS
_S16, _S32, _F32 = SampleFormat.SIGNED16, SampleFormat.SIGNED32, SampleFormat.FLOAT32

# ---- the table: one row per 1.71 name (tests/test_per_format.py checks each row's name) ---------

wav_get_file_info = _get_file_info("wav_get_file_info", _WAV)
wav_get_info = _get_info("wav_get_info", _WAV)
flac_get_file_info = _get_file_info("flac_get_file_info", _FLAC)
flac_get_info = _get_info("flac_get_info", _FLAC)
mp3_get_file_info = _get_file_info("mp3_get_file_info", _MP3)
mp3_get_info = _get_info("mp3_get_info", _MP3)
vorbis_get_file_info = _get_file_info("vorbis_get_file_info", _VORBIS)
vorbis_get_info = _get_info("vorbis_get_info", _VORBIS)

wav_read_file_s16 = _read_file("wav_read_file_s16", _WAV, _S16)
wav_read_file_s32 = _read_file("wav_read_file_s32", _WAV, _S32)
wav_read_file_f32 = _read_file("wav_read_file_f32", _WAV, _F32)
wav_read_s16 = _read_data("wav_read_s16", _WAV, _S16)
wav_read_s32 = _read_data("wav_read_s32", _WAV, _S32)
wav_read_f32 = _read_data("wav_read_f32", _WAV, _F32)
flac_read_file_s16 = _read_file("flac_read_file_s16", _FLAC, _S16)
flac_read_file_s32 = _read_file("flac_read_file_s32", _FLAC, _S32)
flac_read_file_f32 = _read_file("flac_read_file_f32", _FLAC, _F32)
flac_read_s16 = _read_data("flac_read_s16", _FLAC, _S16)
flac_read_s32 = _read_data("flac_read_s32", _FLAC, _S32)
flac_read_f32 = _read_data("flac_read_f32", _FLAC, _F32)
mp3_read_file_s16 = _read_file("mp3_read_file_s16", _MP3, _S16)
mp3_read_file_f32 = _read_file("mp3_read_file_f32", _MP3, _F32)
mp3_read_s16 = _read_data("mp3_read_s16", _MP3, _S16)
mp3_read_f32 = _read_data("mp3_read_f32", _MP3, _F32)
vorbis_read_file = _read_file("vorbis_read_file", _VORBIS, _S16)
vorbis_read = _read_data("vorbis_read", _VORBIS, _S16)
