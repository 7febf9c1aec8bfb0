"""Streaming decode.  stream_file(), stream_memory() and stream_any() return a DecoderStream, a C
object that is a generator (next/send/throw/close), a context manager, and knows its position and
length.  The rest (StreamableSource, stream_raw_pcm_memory, stream_with_callbacks,
WavFileReadStream) is small pure Python with 1.71's behaviour."""

import abc
import array
import collections.abc
import io
import operator
import struct
import sys
from typing import Any, Callable, Generator, Optional, TypeVar, Union

from . import _miniaudio as _ma
from ._convert import width_from_format
from ._decode import _check_output
from ._types import ArrayType, BufferType, FilenameType, _fs_name
from ._enums import DitherMode, FileFormat, SampleFormat, SeekOrigin, enum_value

# 1.71's aliases.  bytearray and memoryview are spelled out because mypy no longer counts them as
# bytes; devices send recorded frames as a bytearray.  (A numpy array is played too, but cannot be
# named here without importing numpy: annotate such a generator's yield type as Any.)
FramesType = Union[bytes, bytearray, memoryview, ArrayType]
PlaybackCallbackGeneratorType = Generator[FramesType, int, None]
CaptureCallbackGeneratorType = Generator[None, bytearray, None]
DuplexCallbackGeneratorType = Generator[FramesType, bytearray, None]
GeneratorTypes = Union[PlaybackCallbackGeneratorType, CaptureCallbackGeneratorType, DuplexCallbackGeneratorType]

_MEMORY, _FILE, _PYTHON = 0, 1, 2
_SEEK_ORIGINS = (SeekOrigin.START, SeekOrigin.CURRENT, SeekOrigin.END)

DecoderStream = _ma.DecoderStream
collections.abc.Generator.register(DecoderStream)

_CHUNK_TYPES = ("array", "bytes", "numpy")
# SampleFormat value -> numpy dtype name, from the C module's one table of format facts
_NUMPY_DTYPES = {value: row[2] for value, row in _ma.SAMPLE_FORMATS.items() if row[2] is not None}


def _numpy_wrapper(output_format: SampleFormat, nchannels: int) -> Callable[[Any], Any]:
    import numpy

    dtype = numpy.dtype(_NUMPY_DTYPES[output_format.value])

    def as_frames(chunk: Any) -> Any:
        # A writable (frames, channels) view of the array.array chunk: no copy.
        return numpy.frombuffer(chunk, dtype=dtype).reshape(-1, nchannels)

    return as_frames


def _chunk_wrapper(chunk_type: Any, output_format: SampleFormat, nchannels: int) -> Optional[Callable[[Any], Any]]:
    """Checks chunk_type ("array", "bytes" or "numpy"); for "numpy", the wrapper that views each
    array.array chunk as (frames, channels), else None."""
    if not isinstance(chunk_type, str):
        raise TypeError(f"chunk_type must be a str ({', '.join(_CHUNK_TYPES)}), not {type(chunk_type).__name__}")
    if chunk_type not in _CHUNK_TYPES:
        raise ValueError(f"chunk_type must be one of {', '.join(_CHUNK_TYPES)}, not {chunk_type!r}")
    if chunk_type != "numpy":
        return None
    if output_format.value not in _NUMPY_DTYPES:
        raise ValueError(f"output_format {output_format.name} has no numpy dtype")
    if nchannels == 0:
        raise ValueError("numpy chunks need an explicit nchannels")
    return _numpy_wrapper(output_format, nchannels)


def _int_arg(value: Any, name: str, lo: int, hi: int = sys.maxsize) -> int:
    """`value` as an int from lo to hi (any object with __index__ but a bool): TypeError,
    ValueError (below lo, or above a hi of its own) or OverflowError (above sys.maxsize), each
    naming the argument."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if number < lo:
        raise ValueError(f"{name} must be at least {lo}, not {number}")
    if number > hi:
        if hi == sys.maxsize:
            raise OverflowError(f"{name} must be at most {hi}, not {number}")
        raise ValueError(f"{name} must be {lo}..{hi}, not {number}")
    return number


LoopType = Union[bool, int]


def _loop_args(loop: Any, loop_start: Any, loop_end: Any) -> "tuple[int, int, int]":
    """The C stream's loop arguments: passes (0 none, -1 forever, N), loop_start, loop_end (-1: the end).
    TypeError/ValueError naming the argument."""
    if loop is True:
        passes = -1
    elif loop is False:
        passes = 0
    else:
        try:
            passes = operator.index(loop)
        except TypeError:
            raise TypeError(f"loop must be True, False or a number of passes (int), not {type(loop).__name__}") \
                from None
        if passes < 1:
            raise ValueError(f"loop must be True, False or a number of passes >= 1, not {passes}")
        if passes > 2**63 - 1:
            raise OverflowError(f"loop must be at most {2**63 - 1} passes, not {passes}")
    start = _int_arg(loop_start, "loop_start", 0, 2**63 - 1)
    end = -1 if loop_end is None else _int_arg(loop_end, "loop_end", 1, 2**63 - 1)
    if passes == 0 and (start != 0 or end != -1):
        raise ValueError("loop_start and loop_end need loop=True or a number of passes")
    if end != -1 and start >= end:
        raise ValueError(f"loop_start ({start}) must be below loop_end ({end})")
    return passes, start, end


def _stream(
    source: Any,
    kind: int,
    source_format: Any,
    output_format: Any,
    nchannels: int,
    sample_rate: int,
    frames_to_read: int,
    dither: Any,
    seek_frame: int,
    chunk_type: str,
    loop: Any = False,
    loop_start: Any = 0,
    loop_end: Any = None,
) -> "DecoderStream":
    output_format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))
    frames_to_read = _int_arg(frames_to_read, "frames_to_read", 1)
    seek_frame = _int_arg(seek_frame, "seek_frame", 0)
    passes, loop_start, loop_end = _loop_args(loop, loop_start, loop_end)
    wrap = _chunk_wrapper(chunk_type, output_format, nchannels)
    return _ma.stream(
        _fs_name(source) if kind == _FILE else source,
        kind=kind,
        encoding=enum_value(FileFormat, source_format, "source_format"),
        output_format=output_format,
        nchannels=nchannels,
        sample_rate=sample_rate,
        frames_to_read=frames_to_read,
        dither=enum_value(DitherMode, dither, "dither"),
        seek_frame=seek_frame,
        chunk_type=1 if chunk_type == "bytes" else 0,
        wrap=wrap,
        seek_origins=_SEEK_ORIGINS if kind == _PYTHON else None,
        loop=passes,
        loop_start=loop_start,
        loop_end=loop_end,
    )


def stream_file(
    filename: FilenameType,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    frames_to_read: int = 1024,
    dither: DitherMode = DitherMode.NONE,
    seek_frame: int = 0,
    *,
    chunk_type: str = "array",
    loop: LoopType = False,
    loop_start: int = 0,
    loop_end: Optional[int] = None,
) -> "DecoderStream":
    """Decode an audio file chunk by chunk: a :class:`DecoderStream`.

    The format (WAV, FLAC, MP3 or Ogg Vorbis) is detected from the content.  ``next(stream)``
    gives the next ``frames_to_read`` frames and ``stream.send(n)`` the next ``n`` frames: that is
    how a :class:`PlaybackDevice` asks for the number of frames it needs.  Only the last chunk is
    shorter.  The stream knows its ``position`` and ``length``, can ``seek(frame)``, and is a
    context manager that releases the decoder and the file.

    >>> with miniaudio.stream_file("samples/tone_16.flac", frames_to_read=4096) as stream:
    ...     first = next(stream)             # 4096 frames, interleaved
    ...     more = stream.send(1000)         # exactly 1000 frames
    ...     print(len(first) // 2, len(more) // 2, stream.position, stream.length)
    4096 1000 5096 44100

    Args:
        filename: The path of the file.
        output_format: The sample format of the chunks.  SIGNED24 needs ``chunk_type="bytes"``
            (no ``array.array`` type holds 3-byte samples).
        nchannels: The channel count of the chunks (1 to 254); channels are mixed as needed.
        sample_rate: The sample rate of the chunks in Hz (1 to 384000); the rate is converted
            as needed.
        frames_to_read: The frames per chunk that ``next()`` gives (``send(n)`` asks for ``n``).
        dither: The dither applied when the chunks have fewer bits per sample than the source
            (NONE, RECTANGLE or TRIANGLE).
        seek_frame: The frame (at the output sample rate) to start at.
        chunk_type: ``"array"`` (``array.array``, as in 1.71), ``"bytes"``, or ``"numpy"`` (an
            array of shape ``(frames, nchannels)`` that is a view of the decoded chunk).
        loop: False (play once), True (loop forever) or a number of passes ``N >= 1``: the
            range ``[loop_start, loop_end)`` is played N times in all, the first pass from
            frame 0 (or ``seek_frame``), gaplessly (a chunk spans the wrap).  The stream then
            ends at ``loop_end``.  ``position`` goes back to ``loop_start`` at each wrap and
            ``loops_done`` counts the wraps; ``length`` stays the file's; ``seek()`` starts
            the count of passes over.
        loop_start: The first frame of the loop range (at the output sample rate).
        loop_end: The frame after the loop range (None: the end of the audio).

    Returns:
        DecoderStream: The stream (a generator), ready for ``next()`` or ``send()``.

    Raises:
        DecodeError: The file is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged (also later,
            from ``next()``/``send()``, for damage found while decoding).
        OSError: The file cannot be opened.
        ValueError: An argument is out of range (the message names it).
        TypeError: An argument has the wrong type.
    """
    _check_output(nchannels, sample_rate)
    return _stream(filename, _FILE, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type, loop, loop_start, loop_end)


def stream_memory(
    data: BufferType,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    frames_to_read: int = 1024,
    dither: DitherMode = DitherMode.NONE,
    seek_frame: int = 0,
    *,
    chunk_type: str = "array",
    loop: LoopType = False,
    loop_start: int = 0,
    loop_end: Optional[int] = None,
) -> "DecoderStream":
    """Decode an audio file held in memory chunk by chunk: a :class:`DecoderStream`.

    The same as :func:`stream_file`, for data.  The buffer is held, not copied, until the stream
    is closed.

    >>> with open("samples/tone.ogg", "rb") as f:
    ...     data = f.read()
    >>> stream = miniaudio.stream_memory(data, nchannels=1, frames_to_read=11025)
    >>> [len(chunk) for chunk in stream]
    [11025, 11025, 11025, 11025]

    Args:
        data: The content of an audio file (any bytes-like object).
        output_format: The sample format of the chunks.  SIGNED24 needs ``chunk_type="bytes"``
            (no ``array.array`` type holds 3-byte samples).
        nchannels: The channel count of the chunks (1 to 254); channels are mixed as needed.
        sample_rate: The sample rate of the chunks in Hz (1 to 384000); the rate is converted
            as needed.
        frames_to_read: The frames per chunk that ``next()`` gives (``send(n)`` asks for ``n``).
        dither: The dither applied when the chunks have fewer bits per sample than the source
            (NONE, RECTANGLE or TRIANGLE).
        seek_frame: The frame (at the output sample rate) to start at.
        chunk_type: ``"array"`` (``array.array``, as in 1.71), ``"bytes"``, or ``"numpy"`` (an
            array of shape ``(frames, nchannels)`` that is a view of the decoded chunk).
        loop: False (play once), True (loop forever) or a number of passes ``N >= 1``: the
            range ``[loop_start, loop_end)`` is played N times in all, the first pass from
            frame 0 (or ``seek_frame``), gaplessly (a chunk spans the wrap).  The stream then
            ends at ``loop_end``.  ``position`` goes back to ``loop_start`` at each wrap and
            ``loops_done`` counts the wraps; ``length`` stays the file's; ``seek()`` starts
            the count of passes over.
        loop_start: The first frame of the loop range (at the output sample rate).
        loop_end: The frame after the loop range (None: the end of the audio).

    Returns:
        DecoderStream: The stream (a generator).

    Raises:
        DecodeError: The data is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged.
        ValueError: An argument is out of range (the message names it).
        TypeError: An argument has the wrong type.
    """
    _check_output(nchannels, sample_rate)
    return _stream(data, _MEMORY, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type, loop, loop_start, loop_end)


_SourceT = TypeVar("_SourceT", bound="StreamableSource")  # `with IceCastClient(url) as c`: c is an IceCastClient


class StreamableSource(abc.ABC):
    """Base class for a source of encoded audio bytes that :func:`stream_any` decodes.

    Subclass it and implement :meth:`read` (and :meth:`seek` if the source can seek).  It is a
    context manager that calls :meth:`close`.  Any binary file-like object works with
    :func:`stream_any` too, without a subclass.

    >>> class FileSource(miniaudio.StreamableSource):
    ...     def __init__(self, path):
    ...         self.file = open(path, "rb")
    ...     def read(self, num_bytes):
    ...         return self.file.read(num_bytes)
    ...     def close(self):
    ...         self.file.close()
    >>> with FileSource("samples/tone.ogg") as source:
    ...     stream = miniaudio.stream_any(source, miniaudio.FileFormat.VORBIS)
    ...     print(sum(len(chunk) for chunk in stream) // 2)
    44100

    A source that can seek may also have a ``tell()`` method returning its position in bytes:
    decoders then may seek from the end (a WAV whose data size is 0xFFFFFFFF, as streaming
    writers emit, is measured that way).  Without ``tell()`` seeks from the end are not asked for.

    The methods are called while the stream is executing: calling the stream from inside them
    (``next()``, ``send()``, ``seek()``, ``close()``, ``throw()``) raises RuntimeError, as a
    generator does when it is re-entered.

    Attributes:
        error_in_readcallback (BaseException or None): As in 1.71; an exception raised by
            :meth:`read` reaches the stream's caller as the ``__cause__`` of a
            :class:`DecodeError` (exceptions that are not :class:`Exception`, such as
            KeyboardInterrupt and SystemExit, propagate unchanged).
    """

    error_in_readcallback: Optional[BaseException] = None  # the exception read() raised, as in 1.71

    @abc.abstractmethod
    def read(self, num_bytes: int) -> Union[bytes, memoryview]:
        """Return up to ``num_bytes`` bytes of encoded audio; ``b""`` at the end.

        Override this.  It is called with the GIL held, by the thread that asks the stream for
        frames (the audio thread when a device plays the stream).

        Args:
            num_bytes: The most bytes to return.

        Returns:
            bytes: The data (``bytes``, ``bytearray`` or ``memoryview``).
        """

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        """Move the read position; return False if the source cannot seek.

        Override this if the source can seek: decoders seek when :meth:`DecoderStream.seek` is used,
        and format detection rewinds the source.  The default returns False.

        Args:
            offset: The byte offset.
            origin: Where ``offset`` counts from (:class:`SeekOrigin`).

        Returns:
            bool: True if the position was moved.
        """
        return False

    def close(self) -> None:
        """Release what the source holds.  Override this; the default does nothing."""

    def __enter__(self: "_SourceT") -> "_SourceT":
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.close()


class _FileLikeSource(StreamableSource):
    """Adapts a binary file-like object (open(..., 'rb'), io.BytesIO, socket.makefile('rb')) to the
    source protocol; seeking works where the object can seek."""

    def __init__(self, fileobj: Any) -> None:
        self.fileobj = fileobj
        try:
            self._seekable = bool(fileobj.seekable())
        except (AttributeError, OSError, ValueError):
            self._seekable = False

    def read(self, num_bytes: int) -> bytes:
        data: bytes = self.fileobj.read(num_bytes)
        return data

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        if not self._seekable:
            return False
        self.fileobj.seek(offset, origin.value)
        return True

    def tell(self) -> int:
        position: int = self.fileobj.tell()
        return position


def stream_any(
    source: Any,
    source_format: FileFormat = FileFormat.UNKNOWN,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    frames_to_read: int = 1024,
    dither: DitherMode = DitherMode.NONE,
    seek_frame: int = 0,
    *,
    chunk_type: str = "array",
    loop: LoopType = False,
    loop_start: int = 0,
    loop_end: Optional[int] = None,
) -> "DecoderStream":
    """Decode audio read from a file-like object or a :class:`StreamableSource`, chunk by chunk.

    ``source`` is a :class:`StreamableSource` (such as :class:`IceCastClient`) or any binary
    file-like object with ``read()`` (an open file, ``io.BytesIO``, ``socket.makefile("rb")``).
    Seeking uses the object's ``seek()`` where it has one.  The source is read with the GIL held,
    from whichever thread asks the stream for frames.

    >>> with open("samples/tone.mp3", "rb") as f:
    ...     stream = miniaudio.stream_any(f, miniaudio.FileFormat.MP3, chunk_type="numpy")
    ...     chunk = next(stream)
    >>> chunk.shape, chunk.dtype
    ((1024, 2), dtype('int16'))

    Args:
        source: Where the encoded audio comes from.
        source_format: The format of the audio, or UNKNOWN to detect it (also over a source
            that cannot seek: the bytes read while detecting are kept and served again).
        output_format: The sample format of the chunks.  SIGNED24 needs ``chunk_type="bytes"``
            (no ``array.array`` type holds 3-byte samples).
        nchannels: The channel count of the chunks (1 to 254); channels are mixed as needed.
        sample_rate: The sample rate of the chunks in Hz (1 to 384000); the rate is converted
            as needed.
        frames_to_read: The frames per chunk that ``next()`` gives (``send(n)`` asks for ``n``).
        dither: The dither applied when the chunks have fewer bits per sample than the source
            (NONE, RECTANGLE or TRIANGLE).
        seek_frame: The frame (at the output sample rate) to start at.
        chunk_type: ``"array"`` (``array.array``, as in 1.71), ``"bytes"``, or ``"numpy"`` (an
            array of shape ``(frames, nchannels)`` that is a view of the decoded chunk).
        loop: False (play once), True (loop forever) or a number of passes ``N >= 1``: the
            range ``[loop_start, loop_end)`` is played N times in all, the first pass from
            frame 0 (or ``seek_frame``), gaplessly (a chunk spans the wrap).  The stream then
            ends at ``loop_end``.  ``position`` goes back to ``loop_start`` at each wrap and
            ``loops_done`` counts the wraps; ``length`` stays the file's; ``seek()`` starts
            the count of passes over.
        loop_start: The first frame of the loop range (at the output sample rate).
        loop_end: The frame after the loop range (None: the end of the audio).

    Returns:
        DecoderStream: The stream (a generator).

    Raises:
        DecodeError: The audio cannot be decoded.  An exception raised by the source's ``read()``,
            ``seek()`` or ``tell()`` surfaces as a DecodeError with the original exception as
            ``__cause__``; KeyboardInterrupt, SystemExit and other exceptions that are not an
            :class:`Exception` propagate unchanged (from ``next()``, ``send()`` and ``seek()`` too).
        TypeError: ``source`` has no ``read()`` method, or an argument has the wrong type.
        ValueError: An argument is out of range (the message names it).
    """
    if not isinstance(source, StreamableSource):
        if not callable(getattr(source, "read", None)):
            raise TypeError(f"source must be a StreamableSource or a binary file-like object with read(), "
                            f"not {type(source).__name__}")
        source = _FileLikeSource(source)
    _check_output(nchannels, sample_rate)
    return _stream(source, _PYTHON, source_format, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type, loop, loop_start, loop_end)


def _native_s16_stream(filename: FilenameType, file_format: FileFormat, frames_to_read: int,
                       seek_frame: int) -> "DecoderStream":
    return _ma.stream(_fs_name(filename), kind=_FILE, encoding=file_format, output_format=SampleFormat.SIGNED16,
                      nchannels=0, sample_rate=0, frames_to_read=_int_arg(frames_to_read, "frames_to_read", 1),
                      seek_frame=_int_arg(seek_frame, "seek_frame", 0))


def wav_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                    seek_frame: int = 0) -> "DecoderStream":
    """Stream a WAV file as 16-bit signed integer chunks, at its own sample rate and channels.

    The 1.71 per-format function; :func:`stream_file` chooses the output format and detects the
    file format.

    Args:
        filename: The path of the file.
        frames_to_read: The frames per chunk.
        seek_frame: The frame to start at.

    Returns:
        DecoderStream: A stream of ``array.array('h')`` chunks.

    Raises:
        DecodeError: The file is not a WAV file, or it is damaged.
        OSError: The file cannot be opened.
    """
    return _native_s16_stream(filename, FileFormat.WAV, frames_to_read, seek_frame)


def flac_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                     seek_frame: int = 0) -> "DecoderStream":
    """Stream a FLAC file as 16-bit signed integer chunks, at its own sample rate and channels.

    The 1.71 per-format function; :func:`stream_file` chooses the output format and detects the
    file format.

    Args:
        filename: The path of the file.
        frames_to_read: The frames per chunk.
        seek_frame: The frame to start at.

    Returns:
        DecoderStream: A stream of ``array.array('h')`` chunks.

    Raises:
        DecodeError: The file is not a FLAC file, or it is damaged.
        OSError: The file cannot be opened.
    """
    return _native_s16_stream(filename, FileFormat.FLAC, frames_to_read, seek_frame)


def mp3_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                    seek_frame: int = 0) -> "DecoderStream":
    """Stream a MP3 file as 16-bit signed integer chunks, at its own sample rate and channels.

    The 1.71 per-format function; :func:`stream_file` chooses the output format and detects the
    file format.

    Args:
        filename: The path of the file.
        frames_to_read: The frames per chunk.
        seek_frame: The frame to start at.

    Returns:
        DecoderStream: A stream of ``array.array('h')`` chunks.

    Raises:
        DecodeError: The file is not an MP3 file, or it is damaged.
        OSError: The file cannot be opened.
    """
    return _native_s16_stream(filename, FileFormat.MP3, frames_to_read, seek_frame)


def vorbis_stream_file(filename: FilenameType, seek_frame: int = 0) -> "DecoderStream":
    """Stream an Ogg Vorbis file as 16-bit signed integer chunks, at its own sample rate and channels.

    Chunks hold 4096 frames.  The 1.71 per-format function; :func:`stream_file` chooses the output
    format and detects the file format.

    Args:
        filename: The path of the file.
        seek_frame: The frame to start at.

    Returns:
        DecoderStream: A stream of ``array.array('h')`` chunks.

    Raises:
        DecodeError: The file is not an Ogg Vorbis file, or it is damaged.
        OSError: The file cannot be opened.
    """
    return _native_s16_stream(filename, FileFormat.VORBIS, 4096, seek_frame)


def stream_raw_pcm_memory(
    pcmdata: Union[ArrayType, memoryview, bytes, BufferType],
    nchannels: int,
    sample_width: int,
    frames_to_read: int = 4096,
) -> "DecoderStream":
    """Stream PCM frames that are already decoded, from memory.

    A :class:`DecoderStream` over the buffer (no copy, no decoding): chunks are ``memoryview``
    slices of it.  A :class:`PlaybackDevice` of the matching format plays it without the GIL.

    >>> import array
    >>> pcm = array.array("h", bytes(4000))        # 1000 stereo frames of silence
    >>> stream = miniaudio.stream_raw_pcm_memory(pcm, nchannels=2, sample_width=2,
    ...                                          frames_to_read=400)
    >>> [len(chunk) // 4 for chunk in stream]
    [400, 400, 200]

    Args:
        pcmdata: The interleaved frames (``array.array``, ``bytes``, ``memoryview``, a numpy
            array, any C-contiguous buffer).
        nchannels: The channel count of the data.
        sample_width: Bytes per sample (an ``array.array`` knows its own, which wins).
        frames_to_read: The frames per chunk for ``next()``.

    Returns:
        DecoderStream: The stream; its ``sample_rate`` is None (raw PCM has none) and its
        ``sample_format`` follows from the width and the buffer's item type (None when a 4-byte
        width could be SIGNED32 or FLOAT32).

    Raises:
        ValueError: A count is below 1.
        TypeError: A count is not an int.
    """
    if isinstance(pcmdata, array.array):
        sample_width = pcmdata.itemsize  # as 1.71: an array knows its own sample width
    nchannels = _int_arg(nchannels, "nchannels", 1, 254)
    sample_width = _int_arg(sample_width, "sample_width", 1, 4)
    frames_to_read = _int_arg(frames_to_read, "frames_to_read", 1)
    try:
        view = memoryview(pcmdata)
    except TypeError:
        raise TypeError(f"pcmdata must be a bytes-like object (bytes, bytearray, memoryview, array.array, numpy "
                        f"array), not {type(pcmdata).__name__}") from None
    # The sample format the data holds, where its width and item type say (played GIL-free by a
    # device of that format); width 4 bytes of raw data could be s32 or f32: None then.
    typecode: str = getattr(pcmdata, "typecode", None) or view.format
    view.release()
    output_format = {1: SampleFormat.UNSIGNED8, 2: SampleFormat.SIGNED16, 3: SampleFormat.SIGNED24}.get(sample_width)
    if sample_width == 4:
        output_format = {"f": SampleFormat.FLOAT32, "i": SampleFormat.SIGNED32}.get(typecode.lstrip("<=@"))
    return _ma.stream_raw(pcmdata, nchannels=nchannels, sample_width=sample_width, frames_to_read=frames_to_read,
                          output_format=output_format)


def stream_with_callbacks(
    sample_stream: PlaybackCallbackGeneratorType,
    progress_callback: Optional[Callable[[int], None]] = None,
    frame_process_method: Optional[Callable[[FramesType], FramesType]] = None,
    end_callback: Optional[Callable[[], Any]] = None,
) -> PlaybackCallbackGeneratorType:
    """Wrap a playback generator, adding a progress callback, a chunk filter and an end callback.

    All three callbacks run where the generator runs: on the device's audio thread.  Keep them
    short; a device playing the wrapper takes the GIL for every period (the GIL-free path of
    :class:`DecoderStream` does not apply to the wrapper).

    >>> played = []
    >>> wrapped = miniaudio.stream_with_callbacks(
    ...     miniaudio.stream_file("samples/tone.mp3"),
    ...     end_callback=lambda: played.append("end"))
    >>> next(wrapped)                  # primed like a 1.71 stream (start() does it too)
    b''
    >>> while True:
    ...     try:
    ...         played.append(len(wrapped.send(22050)) // 2)
    ...     except StopIteration:
    ...         break
    >>> played
    [22050, 22050, 'end']

    Args:
        sample_stream: The playback generator to wrap (sent frame counts, yielding frames).
        progress_callback: Called with the number of frames the device asks for, on each request
            but the first (as in 1.71).
        frame_process_method: Called with each chunk; what it returns is played instead.
        end_callback: Called once ``sample_stream`` has ended; the wrapper then ends too.

    Returns:
        PlaybackCallbackGeneratorType: The wrapping generator.
    """
    if not callable(getattr(sample_stream, "send", None)):
        raise TypeError(f"sample_stream must be a generator (with send()), not {type(sample_stream).__name__}")
    for argname, callback in (("progress_callback", progress_callback), ("frame_process_method", frame_process_method),
                              ("end_callback", end_callback)):
        if callback is not None and not callable(callback):
            raise TypeError(f"{argname} must be callable or None, not {type(callback).__name__}")
    frame_count = yield b""
    try:
        while True:
            frames = sample_stream.send(frame_count)
            if frame_process_method:
                frames = frame_process_method(frames)
            frame_count = yield frames
            if progress_callback:
                progress_callback(frame_count)
    except StopIteration:
        if end_callback:
            end_callback()


def _chunk_bytes(samples: Any) -> Any:
    """A bytes-like view of one generator chunk (array.array, memoryview, numpy, bytes)."""
    if isinstance(samples, (bytes, bytearray)):
        return samples
    return memoryview(samples).cast("B")


class WavFileReadStream(io.RawIOBase):
    """A read-only file object that reads as a WAV file, its frames taken from a generator.

    The WAV header comes first, then the frames of ``next(pcm_sample_gen)`` chunk after chunk.
    FLOAT32 frames are labelled as IEEE float (1.71 labelled them as integer PCM).

    >>> stream = miniaudio.stream_file("samples/tone.mp3")
    >>> wav = miniaudio.WavFileReadStream(stream, 44100, 2,
    ...                                   miniaudio.SampleFormat.SIGNED16,
    ...                                   max_frames=44100)
    >>> data = wav.read()
    >>> miniaudio.wav_get_info(data).num_frames
    44100

    Args:
        pcm_sample_gen: A generator of chunks (``array.array``, ``bytes``, ``memoryview``,
            numpy), e.g. a :class:`DecoderStream`.
        sample_rate: The sample rate written in the header.
        nchannels: The channel count of the chunks.
        output_format: The sample format of the chunks.
        max_frames: Stop after this many frames and write sizes for them in the header: the file
            is then exactly that long, and the generator is not read further than needed.  0
            (the default) reads until the generator ends and writes sizes of 0, as for a WAV
            stream of unknown length: readers that trust the sizes, this package's included,
            then see no frames.
    """

    def __init__(
        self,
        pcm_sample_gen: PlaybackCallbackGeneratorType,
        sample_rate: int,
        nchannels: int,
        output_format: SampleFormat,
        max_frames: int = 0,
    ) -> None:
        super().__init__()
        if not callable(getattr(pcm_sample_gen, "__next__", None)):
            raise TypeError(f"pcm_sample_gen must be a generator or iterator, not {type(pcm_sample_gen).__name__}")
        output_format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))
        width = width_from_format(output_format)
        if width == 0:
            raise ValueError("output_format must be a sample format with a width, not UNKNOWN")
        # The header holds these in 16- and 32-bit fields.
        nchannels = _int_arg(nchannels, "nchannels", 1, 0xFFFF // max(width, 1))
        sample_rate = _int_arg(sample_rate, "sample_rate", 1, 0xFFFFFFFF // max(nchannels * width, 1))
        max_frames = _int_arg(max_frames, "max_frames", 0, (0xFFFFFFFF - 36) // max(nchannels * width, 1))
        self.sample_gen: Optional[PlaybackCallbackGeneratorType] = pcm_sample_gen
        self.sample_rate = sample_rate
        self.nchannels = nchannels
        self.format = output_format
        self.max_frames = max_frames
        self.sample_width = width
        data_size = max_frames * nchannels * self.sample_width
        # With max_frames the file is exactly its header and data_size bytes: reading stops there
        # (1.71 went on to the generator's end, so the data disagreed with the header sizes, and
        # read() of an endless generator never returned).
        self.max_bytes = (44 + data_size) if max_frames else sys.maxsize
        self.bytes_done = 0
        tag = 3 if output_format is SampleFormat.FLOAT32 else 1  # 1.71 wrote floats as PCM
        block_align = nchannels * self.sample_width
        self.buffered = (
            b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, tag, nchannels, sample_rate, sample_rate * block_align,
                                    block_align, self.sample_width * 8)
            + b"data" + struct.pack("<I", data_size)
        )

    def read(self, amount: int = sys.maxsize) -> Optional[bytes]:
        """Read up to ``amount`` bytes of the WAV file (all of it by default); ``b""`` at the end."""
        if self.bytes_done >= self.max_bytes or not self.sample_gen:
            return b""
        if amount is None or (not isinstance(amount, bool) and isinstance(amount, int) and amount < 0):
            amount = sys.maxsize
        amount = min(_int_arg(amount, "amount", 0), self.max_bytes - self.bytes_done)
        parts = [self.buffered]
        have = len(self.buffered)
        while have < amount:
            try:
                samples = next(self.sample_gen)
            except StopIteration:
                self.bytes_done = sys.maxsize
                break
            chunk = bytes(_chunk_bytes(samples))
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        result, self.buffered = data[:amount], data[amount:]
        self.bytes_done += len(result)
        return result

    def close(self) -> None:
        """Close the file object."""
        super().close()
