"""Streaming decode: stream_file() and stream_memory() return a DecoderStream, a C object that is
a generator (next/send/throw/close), a context manager, and knows its position and length."""

import collections.abc
from typing import Any, Callable, Optional

from . import _miniaudio as _ma
from ._decoding import BufferType, FilenameType, _display_name, _fs_name
from ._enums import DitherMode, FileFormat, SampleFormat, enum_value

DecoderStream = _ma.DecoderStream
collections.abc.Generator.register(DecoderStream)

_CHUNK_TYPES = ("array", "bytes", "numpy")
_NUMPY_DTYPES = {1: "uint8", 2: "int16", 4: "int32", 5: "float32"}


def _numpy_wrapper(output_format: SampleFormat, nchannels: int) -> Callable[[Any], Any]:
    import numpy

    dtype = numpy.dtype(_NUMPY_DTYPES[output_format.value])

    def as_frames(chunk: Any) -> Any:
        # A writable (frames, channels) view of the array.array chunk: no copy.
        return numpy.frombuffer(chunk, dtype=dtype).reshape(-1, nchannels)

    return as_frames


def _stream(
    source: Any,
    from_file: bool,
    source_format: Any,
    output_format: Any,
    nchannels: int,
    sample_rate: int,
    frames_to_read: int,
    dither: Any,
    seek_frame: int,
    chunk_type: str,
) -> "DecoderStream":
    output_format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))
    if chunk_type not in _CHUNK_TYPES:
        raise ValueError(f"chunk_type must be one of {', '.join(_CHUNK_TYPES)}, not {chunk_type!r}")
    wrap: Optional[Callable[[Any], Any]] = None
    if chunk_type == "numpy":
        if output_format.value not in _NUMPY_DTYPES:
            raise ValueError(f"output_format {output_format.name} has no numpy dtype")
        wrap = _numpy_wrapper(output_format, nchannels)
    return _ma.stream(
        _fs_name(source) if from_file else source,
        from_file=from_file,
        encoding=enum_value(FileFormat, source_format, "source_format"),
        output_format=output_format,
        nchannels=nchannels,
        sample_rate=sample_rate,
        frames_to_read=frames_to_read,
        dither=enum_value(DitherMode, dither, "dither"),
        seek_frame=seek_frame,
        chunk_type=1 if chunk_type == "bytes" else 0,
        wrap=wrap,
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
) -> "DecoderStream":
    """
    Convenience generator function to decode and stream any supported audio file
    as chunks of raw PCM samples in the chosen format.
    If you send() a number into the generator rather than just using next() on it,
    you'll get that given number of frames, instead of the default configured amount.
    This is particularly useful to plug this stream into an audio device callback that
    wants a variable number of frames per call.

    The stream also has ``position``, ``length`` (None when unknown) and ``seek(frame)``;
    ``chunk_type`` is "array" (array.array, as 1.71), "bytes" or "numpy" ((frames, channels)).
    """
    return _stream(filename, True, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type)


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
) -> "DecoderStream":
    """
    Convenience generator function to decode and stream any supported audio file in memory
    as chunks of raw PCM samples in the chosen format.
    If you send() a number into the generator rather than just using next() on it,
    you'll get that given number of frames, instead of the default configured amount.
    This is particularly useful to plug this stream into an audio device callback that
    wants a variable number of frames per call.

    The data buffer is held (not copied) until the stream is closed.  Same extras as stream_file().
    """
    return _stream(data, False, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type)
