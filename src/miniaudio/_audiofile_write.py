"""AudioFile's write mode: pedalboard.io's ``WriteableAudioFile`` and ``AudioFile.encode``, over
the package's one WAV writer (``_WavWriter`` in wavwrite.c: conversion and file writes run with
the GIL released; the header is patched on every flush).

``AudioFile(path_or_file, "w", ...)`` (in _audiofile.py) returns ``WriteableAudioFile(...)`` with
the same arguments; ``encode`` here is ``AudioFile.encode``.
"""

import importlib
import io
import math
import operator
import os
import sys
import threading
from typing import Any, Callable, Dict, Optional, Union

from . import _miniaudio as _ma
from ._audiofile import AudioFile
from ._enums import SampleFormat

__all__ = ["WriteableAudioFile", "encode"]

#: The formats AudioFile can write, as the ``format`` argument names them.
WRITABLE_FORMATS = ("wav",)
_FORMAT_NAMES = {"wav": "wav", "wave": "wav"}
_WRITABLE_TEXT = "WAV (.wav, .wave)"

# bit_depth -> the file's sample format, as pedalboard: 32 bits are float.
_BIT_DEPTHS = {8: SampleFormat.UNSIGNED8, 16: SampleFormat.SIGNED16, 24: SampleFormat.SIGNED24,
               32: SampleFormat.FLOAT32}
# file_dtype (pedalboard's names; its 8-bit WAV files are "int8" though WAV stores them unsigned).
_FILE_DTYPES = {"int8": SampleFormat.UNSIGNED8, "int16": SampleFormat.SIGNED16, "int24": SampleFormat.SIGNED24,
                "int32": SampleFormat.SIGNED32, "float32": SampleFormat.FLOAT32}
_DTYPE_OF = {fmt: name for name, fmt in _FILE_DTYPES.items()}
_BITS_OF = {SampleFormat.UNSIGNED8: 8, SampleFormat.SIGNED16: 16, SampleFormat.SIGNED24: 24,
            SampleFormat.SIGNED32: 32, SampleFormat.FLOAT32: 32}
# Quality words every codec accepts in pedalboard; WAV has no quality setting, so they change nothing.
_QUALITY_WORDS = ("best", "worst", "fastest", "slowest")
# numpy dtypes write() takes (pedalboard's list).
_NUMPY_DTYPES = ("int8", "int16", "int32", "float32", "float64")

_MEMORY = object()  # encode()'s target: the writer fills memory


def _format_from_name(text: str, what: str) -> str:
    name = text.strip().lower().lstrip(".")
    found = _FORMAT_NAMES.get(name)
    if found is None:
        raise ValueError(f"cannot write {what}: AudioFile writes {_WRITABLE_TEXT} only "
                         f"(the formats that can be written: {', '.join(WRITABLE_FORMATS)})")
    return found


def _target_format(target: Any, fmt: Optional[str]) -> str:
    """The format to write: `fmt` when given, else the file name's extension, else WAV."""
    if fmt is not None:
        if not isinstance(fmt, str):
            raise TypeError(f"format must be a str such as 'wav', not {type(fmt).__name__}")
        return _format_from_name(fmt, f"format={fmt!r}")
    name: Any = None
    if isinstance(target, (str, bytes, os.PathLike)):
        name = target
    elif target is not _MEMORY:
        name = getattr(target, "name", None)
        if not isinstance(name, (str, bytes, os.PathLike)):
            name = None
    if name is None:
        return "wav"
    ext = os.path.splitext(os.fsdecode(name))[1]
    if not ext:
        return "wav"  # no extension: WAV, the one format written
    return _format_from_name(ext, f"{os.fsdecode(name)!r} (extension {ext!r})")


def _whole_number(value: Any, name: str, lo: int, hi: int, floats: bool = False) -> int:
    """An int (or with `floats`, a float with no fractional part, as pedalboard takes sample rates)
    from lo to hi."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    if floats and isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        number = int(value)
    else:
        try:
            number = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not lo <= number <= hi:
        raise ValueError(f"{name} must be {lo}..{hi}, not {number}")
    return number


def _sample_format(bit_depth: Any, file_dtype: Optional[str]) -> SampleFormat:
    if isinstance(bit_depth, bool) or not isinstance(bit_depth, int):
        raise TypeError(f"bit_depth must be an int (8, 16, 24 or 32), not {type(bit_depth).__name__}")
    if bit_depth not in _BIT_DEPTHS:
        raise ValueError(f"WAV files do not support a bit depth of {bit_depth} bits: bit_depth must be 8, 16, 24 "
                         f"or 32 (32 writes float; file_dtype='int32' writes 32-bit integers)")
    if file_dtype is None:
        return _BIT_DEPTHS[bit_depth]
    if not isinstance(file_dtype, str):
        raise TypeError(f"file_dtype must be a str such as 'int32', not {type(file_dtype).__name__}")
    if file_dtype not in _FILE_DTYPES:
        raise ValueError(f"file_dtype must be one of {', '.join(repr(d) for d in _FILE_DTYPES)}, not {file_dtype!r}")
    fmt = _FILE_DTYPES[file_dtype]
    if bit_depth != 16 and _BITS_OF[fmt] != bit_depth:
        raise ValueError(f"bit_depth={bit_depth} disagrees with file_dtype={file_dtype!r}")
    return fmt


def _check_quality(quality: Any) -> None:
    """WAV has no quality setting: None, or a word every codec takes, changes nothing."""
    if quality is None:
        return
    if isinstance(quality, str):
        if quality.strip() in _QUALITY_WORDS or not quality.strip():
            return
    elif isinstance(quality, bool) or not isinstance(quality, (int, float)):
        raise TypeError(f"quality must be a str, a number or None, not {type(quality).__name__}")
    raise ValueError(f"Unable to parse provided quality value ({quality}). WAV files do not accept quality settings "
                     f"(None, or one of {', '.join(_QUALITY_WORDS)}, which change nothing for WAV).")


def _riff_info_chunk_function() -> Optional[Callable[[Dict[str, Any]], bytes]]:
    """The RIFF INFO tag writer (``_riff_info_chunk(tags) -> bytes``) when this build has one."""
    for module_name in ("._tags", "._riff_info", "._wav_tags"):
        try:
            module = importlib.import_module(module_name, __package__)
        except ImportError:
            continue
        function = getattr(module, "_riff_info_chunk", None)
        if callable(function):
            return function  # type: ignore[no-any-return]
    return None


def _numpy_type() -> Any:
    numpy = sys.modules.get("numpy")
    return None if numpy is None else numpy.ndarray


class WriteableAudioFile(AudioFile):
    """A WAV file open for writing, as pedalboard.io's ``WriteableAudioFile`` (a subclass of
    :class:`AudioFile`, as there).

    Usually made by ``AudioFile(path_or_file, "w", samplerate, num_channels, bit_depth)``; the
    same arguments make one directly.

    >>> import io, array
    >>> buf = io.BytesIO()
    >>> with miniaudio.WriteableAudioFile(buf, 8000, num_channels=1, format="wav") as f:
    ...     f.write(array.array("f", [0.0, 0.5, -0.5]))
    ...     f.frames
    3
    >>> buf.getvalue()[:4]
    b'RIFF'

    Args:
        filename_or_file_like: A path (str, bytes, os.PathLike; an existing file is replaced),
            or a seekable binary file object (``io.BytesIO``, ``open(..., "w+b")``): the WAV
            starts at its current position, and the object is flushed but never closed.
        samplerate: Frames per second: a whole number (``44100`` or ``44100.0``), required.
        num_channels: Channels per frame (1 by default).
        bit_depth: 8, 16 (default), 24 or 32.  As in pedalboard, 32 writes 32-bit float; 8 is
            WAV's unsigned 8-bit.
        quality: Only None, or one of "best", "worst", "fastest", "slowest" (WAV has no
            quality setting; other values raise ValueError, as in pedalboard).
        format: "wav" (the one format written).  By default the file name's extension says it
            (".wav" or ".wave"; a name without an extension, or a file object without a name,
            is written as WAV); any other format or extension raises ValueError naming the
            formats that can be written.
        file_dtype: Instead of ``bit_depth``: "int8", "int16", "int24", "int32" (32-bit
            integers, which ``bit_depth`` cannot ask for) or "float32".
        tags: A dict of RIFF INFO tags (title, artist, ...) appended as a LIST chunk when the
            file is closed.

    Raises:
        TypeError: samplerate missing, or an argument of the wrong type.
        ValueError: A format other than WAV, an unsupported bit depth, a sample rate or
            channel count out of range, a quality value, a file object that cannot seek.
        OSError: The file cannot be created.
    """

    def __init__(self, filename_or_file_like: Any, samplerate: Optional[Union[int, float]] = None,
                 num_channels: int = 1, bit_depth: int = 16, quality: Optional[Union[str, float]] = None,
                 format: Optional[str] = None, *, file_dtype: Optional[str] = None,
                 tags: Optional[Dict[str, Any]] = None) -> None:
        self._writer: Any = None
        self._encoded: Optional[bytes] = None
        self._lock = threading.Lock()
        self._holder: Optional[str] = None
        self._layout: Optional[bool] = None  # planar (channels, frames) or not, as last written
        target = filename_or_file_like
        if samplerate is None:
            raise TypeError("Opening an audio file for writing requires a samplerate argument "
                            "(AudioFile(path, 'w', samplerate, num_channels))")
        if isinstance(target, io.TextIOBase):
            raise TypeError("the file object must be opened in binary mode (io.BytesIO, open(path, 'wb')), "
                            "not text mode")
        if not isinstance(target, (str, bytes, os.PathLike)) and target is not _MEMORY and \
                not (callable(getattr(target, "write", None)) and callable(getattr(target, "seek", None))):
            raise TypeError(f"filename_or_file_like must be a path (str, bytes, os.PathLike) or a seekable binary "
                            f"file object, not {type(target).__name__}")
        self._format = _target_format(target, format)
        fmt = _sample_format(bit_depth, file_dtype)
        width = _ma.SAMPLE_FORMATS[fmt.value][0]
        channels = _whole_number(num_channels, "num_channels", 1, 0xFFFF // width)
        rate = _whole_number(samplerate, "samplerate", 1, 0xFFFFFFFF // (channels * width), floats=True)
        _check_quality(quality)
        trailer = None
        if tags is not None:
            make_chunk = _riff_info_chunk_function()
            if make_chunk is None:
                raise NotImplementedError("tags: this build has no RIFF INFO tag writer")
            trailer = bytes(make_chunk(tags))  # made now, so that bad tags fail before the file is created
        self._trailer = trailer
        self._file_format = fmt
        self._samplerate = rate
        self._num_channels = channels
        self._name = None
        if isinstance(target, (str, bytes, os.PathLike)):
            self._name = os.fsdecode(target)
        elif target is not _MEMORY:
            name = getattr(target, "name", None)
            self._name = name if isinstance(name, str) else None
        self._writer = _ma._WavWriter(None if target is _MEMORY else target, fmt, channels, rate)

    # ---- one thread at a time --------------------------------------------------------------

    def _enter(self, what: str) -> None:
        me = threading.current_thread().name
        if not self._lock.acquire(blocking=False):
            raise RuntimeError(f"WriteableAudioFile.{what}() was called from thread {me!r} while thread "
                               f"{self._holder!r} is using the file: use one file from one thread at a time")
        self._holder = me

    def _leave(self) -> None:
        self._holder = None
        self._lock.release()

    def _check_open(self) -> None:
        if self._writer is None or self._writer.closed:
            raise RuntimeError("I/O operation on a closed file.")

    # ---- writing ---------------------------------------------------------------------------

    def write(self, samples: Any) -> None:
        """Encode and append audio.

        ``samples`` is one of:

        - a numpy array of int8, int16, int32, float32 or float64, shaped as pedalboard takes
          it: 1-D for a mono file, or 2-D ``(channels, frames)`` or ``(frames, channels)``.  A
          square ``(num_channels, num_channels)`` array is ambiguous: it raises ValueError
          unless an earlier write showed the layout (write ``np.zeros((num_channels, 0))`` to
          say "channels first" without writing anything);
        - an ``array.array`` (typecodes ``b``, ``h``, ``i``, ``f``, ``d``) or a memoryview of
          such items: interleaved samples;
        - ``bytes``, ``bytearray`` or a byte memoryview: interleaved frames already in the
          file's own sample format (``file_dtype``; 8-bit unsigned), little-endian.

        Conversion (pedalboard's scaling): integers are left-aligned to 32 bits and cut down
        to the file's width (int16 into 24 bits is ``x << 8``, into 8 bits ``x >> 8``); floats
        become ``round(x * 2147483647)`` cut down the same way, so a 16-bit file holds
        ``floor(x * 32768)`` (0.5 -> 16384, -1.0 -> -32768, 1.0 -> 32767); values beyond
        +-1.0 clip, NaN writes 0.  A float file (bit_depth 32) keeps floats as they are and
        stores integers as ``x / 2**(bits - 1)`` (int16 32767 -> 0.999969...).

        Raises:
            RuntimeError: The file is closed, or another thread is using it.
            TypeError: An unsupported sample type.
            ValueError: A shape that does not match ``num_channels``, or raw bytes that are
                not whole frames.
            OSError: Writing failed (what the file object raised, or the disk's error); the
                frames written before are kept, and flush()/close() still finish the file.
        """
        self._enter("write")
        try:
            self._check_open()
            ndarray = _numpy_type()
            if ndarray is not None and isinstance(samples, ndarray):
                self._write_numpy(samples)
            else:
                self._writer.write(samples)
        finally:
            self._leave()

    def _write_numpy(self, array: Any) -> None:
        import numpy as np

        if array.dtype.name not in _NUMPY_DTYPES:
            raise TypeError(f"Writing audio requires an array with a datatype of int8, int16, int32, float32, or "
                            f"float64 (got {array.dtype})")
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        channels = self._num_channels
        if array.ndim == 1:
            if channels != 1:
                raise ValueError(f"WriteableAudioFile was opened with num_channels={channels}, but was passed a 1-D "
                                 f"array (mono audio): give a 2-D (channels, frames) or (frames, channels) array")
            planar = False
        elif array.ndim == 2:
            rows, cols = array.shape
            if rows == channels and cols == channels:
                if self._layout is None:
                    raise ValueError(f"Unable to determine the channel layout of a {array.shape} array for "
                                     f"{channels}-channel audio: write a non-square array first, or "
                                     f"np.zeros(({channels}, 0)) to say channels come first")
                planar = self._layout
            elif cols == channels:
                planar = False
            elif rows == channels:
                planar = True
            else:
                raise ValueError(f"WriteableAudioFile was opened with num_channels={channels}, but was passed an "
                                 f"array of shape {array.shape}: give (channels, frames) or (frames, channels)")
            self._layout = planar
        else:
            raise ValueError(f"Number of input dimensions must be 1 or 2 (got {array.ndim}).")
        if not planar and array.ndim == 2 and not array.flags.c_contiguous and array.T.flags.c_contiguous:
            array, planar = array.T, True  # (frames, channels) viewed from a (channels, frames) array
        self._writer.write(np.ascontiguousarray(array), planar=planar)

    def flush(self) -> None:
        """Make the file complete on disk: the header's sizes are patched for everything written
        so far and the file (or file object) is flushed, so a crash after this loses at most
        what is written later."""
        self._enter("flush")
        try:
            self._check_open()
            self._writer.flush()
        finally:
            self._leave()

    def close(self) -> None:
        """Finish the file (last header patch, tags appended) and close it.  A file object is
        flushed, not closed.  Closing a closed file does nothing."""
        if self._writer is None:
            return
        self._enter("close")
        try:
            if not self._writer.closed:
                result = self._writer.close(self._trailer)
                if isinstance(result, bytes):
                    self._encoded = result
        finally:
            self._leave()

    def tell(self) -> int:
        """The position of the write pointer in frames: the frames written so far."""
        return self.frames

    # ---- what a reader has, refused ----------------------------------------------------------

    def _not_readable(self) -> Any:
        raise io.UnsupportedOperation("this AudioFile is open for writing ('w'): open it with AudioFile(path) "
                                      "(mode 'r') to read it")

    def read(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: raises :exc:`io.UnsupportedOperation` (a file open for writing cannot be read)."""
        return self._not_readable()

    def read_raw(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: raises :exc:`io.UnsupportedOperation` (a file open for writing cannot be read)."""
        return self._not_readable()

    def seek(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: raises :exc:`io.UnsupportedOperation` (frames are only appended)."""
        return self._not_readable()

    def readable(self) -> bool:
        """False: a write-mode file cannot be read."""
        return False

    def writable(self) -> bool:
        """True while the file is open."""
        return not self.closed

    def seekable(self) -> bool:
        """False: frames are only appended."""
        return False

    # ---- properties --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the file is closed."""
        return self._writer is None or bool(self._writer.closed)

    @property
    def frames(self) -> int:
        """The frames written so far."""
        return 0 if self._writer is None else int(self._writer.frames)

    @property
    def samplerate(self) -> int:
        """The sample rate in Hz."""
        return self._samplerate

    @property
    def num_channels(self) -> int:
        """The channel count."""
        return self._num_channels

    @property
    def file_dtype(self) -> str:
        """The sample type stored in the file: "int8" (WAV's unsigned 8-bit), "int16", "int24",
        "int32" or "float32"."""
        return _DTYPE_OF[self._file_format]

    @property
    def bit_depth(self) -> int:
        """Bits per sample in the file."""
        return _BITS_OF[self._file_format]

    @property
    def quality(self) -> None:
        """None: WAV has no quality setting."""
        return None

    @property
    def name(self) -> Optional[str]:
        """The path written to, the file object's name, or None."""
        return self._name

    def __enter__(self) -> "WriteableAudioFile":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()  # an exception inside the block still leaves a complete file of what was written

    def __repr__(self) -> str:
        if self.closed:
            return f"<miniaudio.WriteableAudioFile closed at {hex(id(self))}>"
        return (f"<miniaudio.WriteableAudioFile samplerate={self._samplerate} num_channels={self._num_channels} "
                f"file_dtype={self.file_dtype} at {hex(id(self))}>")


def encode(samples: Any, samplerate: Union[int, float], format: str, num_channels: int = 1, bit_depth: int = 16,
           quality: Optional[Union[str, float]] = None, *, file_dtype: Optional[str] = None) -> bytes:
    """Encode audio as the bytes of a WAV file in one call (pedalboard's ``AudioFile.encode``).

    The bytes are exactly what ``AudioFile(io.BytesIO(), "w", samplerate, num_channels,
    bit_depth, format=format)`` writes for ``samples``, made in memory with the GIL released.

    >>> import array
    >>> data = miniaudio.AudioFile.encode(array.array("h", [0, 1000, -1000]), 8000, "wav")
    >>> data[:4], len(data)
    (b'RIFF', 86)

    Args:
        samples: What :meth:`WriteableAudioFile.write` takes.
        samplerate: Frames per second.
        format: "wav" (other formats raise ValueError naming the formats that can be written).
        num_channels, bit_depth, quality, file_dtype: As for :class:`WriteableAudioFile`.
    """
    if isinstance(format, str):
        _format_from_name(format, f"format={format!r}")
    writer = WriteableAudioFile(_MEMORY, samplerate, num_channels, bit_depth, quality, format, file_dtype=file_dtype)
    with writer:
        writer.write(samples)
    assert writer._encoded is not None
    return writer._encoded
