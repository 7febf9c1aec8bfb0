"""Streaming decode.  stream_file(), stream_memory() and stream_any() return a DecoderStream, a C
object that is a generator (next/send/throw/close), a context manager, and knows its position and
length; so do 1.71's per-format stream functions and stream_raw_pcm_memory().  The argument checks
are in _stream_args.py, StreamableSource in _sources.py, stream_with_callbacks and WavFileReadStream
(small pure Python with 1.71's behaviour) in _stream_wrappers.py; miniaudio/__init__.py imports
all of them, and 1.71's generator aliases (_types.py), from here."""

import array
import collections.abc
from typing import Any, Optional, Union

from . import _miniaudio as _ma
from ._decode import _check_output
from ._enums import DitherMode, FileFormat, SampleFormat, SeekOrigin, enum_value
from ._sources import StreamableSource, _FileLikeSource
from ._stream_args import LoopType, _chunk_wrapper, _int_arg, _loop_args
from ._stream_wrappers import WavFileReadStream, stream_with_callbacks
from ._types import (
    ArrayType,
    BufferType,
    CaptureCallbackGeneratorType,
    DuplexCallbackGeneratorType,
    FilenameType,
    FramesType,
    GeneratorTypes,
    PlaybackCallbackGeneratorType,
    _fs_name,
)

__all__ = [
    "CaptureCallbackGeneratorType", "DecoderStream", "DuplexCallbackGeneratorType", "FramesType", "GeneratorTypes",
    "PlaybackCallbackGeneratorType", "StreamableSource", "WavFileReadStream", "flac_stream_file", "mp3_stream_file",
    "stream_any", "stream_file", "stream_memory", "stream_raw_pcm_memory", "stream_with_callbacks",
    "vorbis_stream_file", "wav_stream_file",
]

_MEMORY, _FILE, _PYTHON = 0, 1, 2
_SEEK_ORIGINS = (SeekOrigin.START, SeekOrigin.CURRENT, SeekOrigin.END)

DecoderStream = _ma.DecoderStream
collections.abc.Generator.register(DecoderStream)


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
