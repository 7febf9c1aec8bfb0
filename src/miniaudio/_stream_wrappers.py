"""1.71's pure-Python stream helpers: stream_with_callbacks(), a playback generator wrapped with
callbacks, and WavFileReadStream, a file object that reads a generator's frames as a WAV file."""

import io
import sys
from typing import Any, Callable, Optional

from . import _miniaudio as _ma
from ._convert import width_from_format
from ._enums import SampleFormat, enum_value
from ._stream_args import _int_arg
from ._types import FramesType, PlaybackCallbackGeneratorType


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
        self.bytes_done = 0
        # The one WAV writer's header: PCM for integers, IEEE float (with its fact chunk) for
        # FLOAT32 (1.71 wrote floats as PCM).
        self.buffered = _ma._wav_header(output_format, nchannels, sample_rate, max_frames)
        self.max_bytes = (len(self.buffered) + data_size) if max_frames else sys.maxsize

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
