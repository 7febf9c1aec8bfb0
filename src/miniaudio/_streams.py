"""Streaming decode.  stream_file(), stream_memory() and stream_any() return a DecoderStream, a C
object that is a generator (next/send/throw/close), a context manager, and knows its position and
length.  The rest (StreamableSource, stream_raw_pcm_memory, stream_with_callbacks,
WavFileReadStream) is small pure Python with 1.71's behaviour."""

import abc
import array
import collections.abc
import io
import struct
import sys
from typing import Any, Callable, Generator, Optional, Union

from . import _miniaudio as _ma
from ._decoding import BufferType, FilenameType, _check_output, _fs_name, width_from_format
from ._enums import DitherMode, FileFormat, SampleFormat, SeekOrigin, enum_value

FramesType = Union[bytes, array.array]
PlaybackCallbackGeneratorType = Generator[FramesType, int, None]
CaptureCallbackGeneratorType = Generator[None, FramesType, None]
DuplexCallbackGeneratorType = Generator[FramesType, FramesType, None]
GeneratorTypes = Union[PlaybackCallbackGeneratorType, CaptureCallbackGeneratorType, DuplexCallbackGeneratorType]

_MEMORY, _FILE, _PYTHON = 0, 1, 2
_SEEK_ORIGINS = (SeekOrigin.START, SeekOrigin.CURRENT, SeekOrigin.END)

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
    kind: int,
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
        if nchannels == 0:
            raise ValueError("numpy chunks need an explicit nchannels")
        wrap = _numpy_wrapper(output_format, nchannels)
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
    _check_output(nchannels, sample_rate)
    return _stream(filename, _FILE, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
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
    _check_output(nchannels, sample_rate)
    return _stream(data, _MEMORY, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type)


class StreamableSource(abc.ABC):
    """Base class for streams of audio data bytes. Can be used as a contextmanager, to properly call close()."""

    error_in_readcallback: Optional[BaseException] = None  # the exception read() raised, as in 1.71

    @abc.abstractmethod
    def read(self, num_bytes: int) -> Union[bytes, memoryview]:
        """override this to provide data bytes to the consumer of the stream"""

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        """
        Override this if the stream supports seeking.
        Note: seek support is sometimes not needed if you give the file type
        to a decoder upfront. You can ignore this method then.
        """
        return False

    def close(self) -> None:
        """Override this to properly close the stream and free resources."""

    def __enter__(self) -> "StreamableSource":
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
        return self.fileobj.read(num_bytes)

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        if not self._seekable:
            return False
        self.fileobj.seek(offset, origin.value)
        return True


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
) -> "DecoderStream":
    """
    Convenience function that returns a generator to decode and stream any source of encoded audio data
    (such as a network stream). Stream result is chunks of raw PCM samples in the chosen format.
    If you send() a number into the generator rather than just using next() on it,
    you'll get that given number of frames, instead of the default configured amount.
    This is particularly useful to plug this stream into an audio device callback that
    wants a variable number of frames per call.

    `source` is a StreamableSource or any binary file-like object with read() (and seek(), where
    it can).  An exception raised by the source's read() or seek() surfaces from the stream as
    DecodeError, with the original exception as __cause__.
    """
    if not isinstance(source, StreamableSource):
        if not callable(getattr(source, "read", None)):
            raise TypeError(f"source must be a StreamableSource or a binary file-like object with read(), "
                            f"not {type(source).__name__}")
        source = _FileLikeSource(source)
    _check_output(nchannels, sample_rate)
    return _stream(source, _PYTHON, source_format, output_format, nchannels, sample_rate, frames_to_read,
                   dither, seek_frame, chunk_type)


def _native_s16_stream(filename: FilenameType, file_format: FileFormat, frames_to_read: int,
                       seek_frame: int) -> "DecoderStream":
    return _ma.stream(_fs_name(filename), kind=_FILE, encoding=file_format, output_format=SampleFormat.SIGNED16,
                      nchannels=0, sample_rate=0, frames_to_read=frames_to_read, seek_frame=seek_frame)


def wav_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                    seek_frame: int = 0) -> "DecoderStream":
    """Streams the WAV audio file as interleaved 16 bit signed integer sample arrays segments,
    at the file's own sample rate and channels."""
    return _native_s16_stream(filename, FileFormat.WAV, frames_to_read, seek_frame)


def flac_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                     seek_frame: int = 0) -> "DecoderStream":
    """Streams the flac audio file as interleaved 16 bit signed integer sample arrays segments,
    at the file's own sample rate and channels."""
    return _native_s16_stream(filename, FileFormat.FLAC, frames_to_read, seek_frame)


def mp3_stream_file(filename: FilenameType, frames_to_read: int = 1024,
                    seek_frame: int = 0) -> "DecoderStream":
    """Streams the mp3 audio file as interleaved 16 bit signed integer sample arrays segments,
    at the file's own sample rate and channels."""
    return _native_s16_stream(filename, FileFormat.MP3, frames_to_read, seek_frame)


def vorbis_stream_file(filename: FilenameType, seek_frame: int = 0) -> "DecoderStream":
    """Streams the ogg vorbis audio file as interleaved 16 bit signed integer sample arrays segments,
    at the file's own sample rate and channels (4096-frame chunks)."""
    return _native_s16_stream(filename, FileFormat.VORBIS, 4096, seek_frame)


def stream_raw_pcm_memory(
    pcmdata: Union[array.array, memoryview, bytes],
    nchannels: int,
    sample_width: int,
    frames_to_read: int = 4096,
) -> "DecoderStream":
    """
    Convenience generator function to stream raw pcm audio data from memory.
    Usually you don't need to use this as the library provides many other streaming
    options that work on much smaller, encoded, audio data.
    However, in the odd case that you only have already decoded raw pcm data you can use
    this generator as a stream source.
    The data can be provided in ``array`` type or ``bytes``, ``memoryview`` or even a numpy array.
    Be sure to also specify the correct number of channels that the audio data has, and the
    sample with in bytes.
    """
    if isinstance(pcmdata, array.array):
        sample_width = pcmdata.itemsize  # as 1.71: an array knows its own sample width
    for name, value in (("nchannels", nchannels), ("sample_width", sample_width), ("frames_to_read", frames_to_read)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    # The sample format the data holds, where its width and item type say (played GIL-free by a
    # device of that format); width 4 bytes of raw data could be s32 or f32: None then.
    typecode = getattr(pcmdata, "typecode", None) or getattr(memoryview(pcmdata), "format", "B")
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
    """
    Convenience generator function to add callback and processing functionality to another stream.
    You can specify :
    > A callback function that gets called during play and takes an int
    for the number of frames played.
    > A function that can be used to process raw data frames before they are yielded back
    (takes an array.array or bytes, returns an array.array or bytes)
    *Note: if the processing method is slow it will result in audio glitchiness
    > A callback function that gets called when the stream ends playing.
    """
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
    """An IO stream that reads as a .wav file, and which gets its pcm samples from the provided producer"""

    def __init__(
        self,
        pcm_sample_gen: PlaybackCallbackGeneratorType,
        sample_rate: int,
        nchannels: int,
        output_format: SampleFormat,
        max_frames: int = 0,
    ) -> None:
        super().__init__()
        self.sample_gen: Optional[PlaybackCallbackGeneratorType] = pcm_sample_gen
        self.sample_rate = sample_rate
        self.nchannels = nchannels
        self.format = output_format
        self.max_frames = max_frames
        self.sample_width = width_from_format(output_format)
        self.max_bytes = (max_frames * nchannels * self.sample_width) or sys.maxsize
        self.bytes_done = 0
        data_size = max_frames * nchannels * self.sample_width
        tag = 3 if output_format is SampleFormat.FLOAT32 else 1  # 1.71 wrote floats as PCM
        block_align = nchannels * self.sample_width
        self.buffered = (
            b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, tag, nchannels, sample_rate, sample_rate * block_align,
                                    block_align, self.sample_width * 8)
            + b"data" + struct.pack("<I", data_size)
        )

    def read(self, amount: int = sys.maxsize) -> Optional[bytes]:  # type: ignore[override]
        """Read up to the given amount of bytes from the file."""
        if self.bytes_done >= self.max_bytes or not self.sample_gen:
            return b""
        if amount is None or amount < 0:
            amount = sys.maxsize
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
        """Close the file"""
        super().close()
