"""PreloadedSound: a short sound decoded once to float32, played many times at once.

The samples are decoded (or read from a stream, or copied from a DecodedSoundFile) once into an
``array.array('f')`` that only this module holds and that is exported read-only.  Every
:meth:`PreloadedSound.stream` is a new DecoderStream over that same memory (pull_preload.c:
miniaudio's ``ma_audio_buffer_ref`` with a buffer export of the array, held until the stream is
released), so a :class:`Mixer` plays it as often as asked without decoding or copying it, and the
samples stay alive while any stream reads them, after the PreloadedSound itself is gone.
"""

import array
import numbers
import os
from typing import Any, Optional, Union

from . import _miniaudio as _ma
from ._convert import convert_frames, width_from_format
from ._decode import DecodedSoundFile, _read
from ._enums import FileFormat, SampleFormat
from ._stream_args import _chunk_wrapper, _int_arg, _loop_args

__all__ = ["PreloadedSound"]

_DEFAULT_MAX_BYTES = 64 << 20  # what a stream source may fill by default (as decode()'s bound)
_READ_FRAMES = 1 << 16


def _optional_int(value: Any, name: str, hi: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    number = int(value)
    if not 1 <= number <= hi:
        raise ValueError(f"{name} must be 1..{hi} or None, not {value!r}")
    return number


class PreloadedSound:
    """A sound decoded once to float32 and kept in memory, to play many times at once.

    For sampler pads, game effects, notification sounds: :meth:`Mixer.play` plays it as a new
    voice each time, over the same samples (no decoding, no copy), so one PreloadedSound can play
    64 times at once, in several mixers.  The samples never change and stay in memory as long as
    the PreloadedSound or any of its voices or streams exists.

    >>> mixer = miniaudio.Mixer(sample_rate=44100, nchannels=2)
    >>> snare = mixer.preload("samples/tone.ogg")      # at the mixer's rate and channels
    >>> snare.nframes, snare.nchannels, snare.sample_rate
    (44100, 2, 44100)
    >>> voices = [mixer.play(snare, volume=0.2, start_at=i * 4410) for i in range(8)]

    Args:
        source: What to decode: a path (``str`` or ``os.PathLike``), the bytes of an audio file
            (any bytes-like object: WAV, FLAC, MP3 or Ogg Vorbis), a :class:`DecodedSoundFile`,
            or one of the package's streams (read from where it stands to its end, where it is
            left).
        sample_rate: Convert to this rate (None: the source's own).  Preload at the mixer's rate
            (:meth:`Mixer.preload` does) so that playing it needs no resampling.
        nchannels: Convert to this channel count (None: the source's own).
        max_output_bytes: The most bytes of float32 samples to hold: more raises.  None means
            the bound of :func:`decode` for file data and paths, and 64 MiB for a stream.

    Raises:
        DecodeError: The file or data is not WAV, FLAC, MP3 or Ogg Vorbis, or is damaged
            (:class:`OutputTooLargeError` past ``max_output_bytes``).
        OSError: The file cannot be opened.
        ValueError: A stream that never ends (a generator, ``loop=True``, a :class:`Playlist`
            open for append; or one that did not end within ``max_output_bytes``), a source
            with no frames, a stream of raw PCM
            without a known sample format, or without a rate and no ``sample_rate`` given, or an
            argument out of range.
        RuntimeError: The stream is in use (playing on a device, in a mixer or a chain).
        TypeError: ``source`` is none of those, or an argument has the wrong type.
    """

    __slots__ = ("_data", "_nframes", "_nchannels", "_sample_rate", "__weakref__")

    def __init__(self, source: Any, sample_rate: Optional[int] = None, nchannels: Optional[int] = None, *,
                 max_output_bytes: Optional[int] = None) -> None:
        rate = _optional_int(sample_rate, "sample_rate", _ma.MAX_SAMPLE_RATE)
        channels = _optional_int(nchannels, "nchannels", _ma.MAX_CHANNELS)
        if max_output_bytes is not None:
            max_output_bytes = _int_arg(max_output_bytes, "max_output_bytes", 1)
        if isinstance(source, _ma.DecoderStream):
            data, channels, rate = _from_stream(source, rate, channels, max_output_bytes)
        elif isinstance(source, DecodedSoundFile):
            data, channels, rate = _from_decoded(source, rate, channels, max_output_bytes)
        elif isinstance(source, (str, os.PathLike)):
            data, channels, rate = _decoded(_read(source, True, FileFormat.UNKNOWN, SampleFormat.FLOAT32,
                                                  channels or 0, rate or 0, max_output_bytes=max_output_bytes))
        else:
            try:
                memoryview(source).release()
            except TypeError:
                raise TypeError(f"source must be a path, the bytes of an audio file, a DecodedSoundFile or one of "
                                f"the package's streams, not {type(source).__name__}") from None
            data, channels, rate = _decoded(_read(source, False, FileFormat.UNKNOWN, SampleFormat.FLOAT32,
                                                  channels or 0, rate or 0, max_output_bytes=max_output_bytes))
        if len(data) == 0:
            raise ValueError("source has no frames: there is nothing to preload")
        self._data = data  # never written, resized or handed out (only read-only views of it)
        self._nframes = len(data) // channels
        self._nchannels = channels
        self._sample_rate = rate

    @property
    def nframes(self) -> int:
        """The length in frames."""
        return self._nframes

    @property
    def nchannels(self) -> int:
        """The channel count."""
        return self._nchannels

    @property
    def sample_rate(self) -> int:
        """The sample rate in Hz."""
        return self._sample_rate

    @property
    def duration(self) -> float:
        """The length in seconds."""
        return self._nframes / self._sample_rate

    @property
    def samples(self) -> Any:
        """The samples, read-only and without a copy: a float32 numpy array of shape
        ``(nframes, nchannels)`` when numpy is installed, else a flat, interleaved ``memoryview``
        of format ``'f'``."""
        view = memoryview(self._data).toreadonly()
        try:
            import numpy
        except ImportError:
            return view
        return numpy.frombuffer(view, dtype=numpy.float32).reshape(-1, self._nchannels)

    def stream(self, frames_to_read: int = 1024, *, chunk_type: str = "array", loop: Union[bool, int] = False,
               loop_start: int = 0, loop_end: Optional[int] = None) -> "_ma.DecoderStream":
        """A new :class:`DecoderStream` over the samples (no copy, no decoding), from frame 0.

        Each call gives an independent stream (its own position): play it on a device, put it
        in :func:`chain`, :meth:`DecoderStream.then`; :meth:`Mixer.play` makes one per voice.
        Its chunks are FLOAT32 at the sound's rate and channels.

        Args:
            frames_to_read: The frames per chunk for ``next()``.
            chunk_type: ``"array"`` (``array.array('f')``), ``"bytes"`` or ``"numpy"`` chunks.
            loop: True to loop forever, or a number of passes, as for :func:`stream_file`.
            loop_start: The frame each pass after the first starts at.
            loop_end: The frame each pass ends at (None: the end).

        Raises:
            TypeError, ValueError: A bad argument (the message names it).
        """
        frames_to_read = _int_arg(frames_to_read, "frames_to_read", 1)
        wrap = _chunk_wrapper(chunk_type, SampleFormat.FLOAT32, self._nchannels)
        passes, start, end = _loop_args(loop, loop_start, loop_end)
        if passes != 0:
            if end > self._nframes:
                raise ValueError(f"loop_end {end} is past the end of the sound ({self._nframes} frames)")
            if start >= (self._nframes if end == -1 else end):
                raise ValueError(f"loop_start {start} is not within the sound ({self._nframes} frames)")
        return _ma._preload_stream(self._data, self._nchannels, self._sample_rate, SampleFormat.FLOAT32,
                                   frames_to_read, 1 if chunk_type == "bytes" else 0, wrap, passes, start, end)

    def __repr__(self) -> str:
        return (f"<PreloadedSound {self._nframes} frames, {self._nchannels} channels, {self._sample_rate} Hz, "
                f"{self.duration:.3f} s>")


def _decoded(sound: DecodedSoundFile) -> "tuple[array.array[float], int, int]":
    """What decode()/decode_file() gave: its array is ours alone (no copy)."""
    return sound.samples, sound.nchannels, sound.sample_rate


def _float32(data: Any, fmt: SampleFormat, channels: int, rate: int, to_channels: Optional[int],
             to_rate: Optional[int]) -> "tuple[array.array[float], int, int]":
    """`data` (interleaved frames of fmt/channels/rate) as a new float32 array at the target."""
    to_channels = to_channels or channels
    to_rate = to_rate or rate
    result = array.array("f")
    if fmt == SampleFormat.FLOAT32 and to_channels == channels and to_rate == rate:
        result.frombytes(memoryview(data).cast("B"))
    else:
        result.frombytes(convert_frames(fmt, channels, rate, data, SampleFormat.FLOAT32, to_channels, to_rate))
    return result, to_channels, to_rate


def _check_bound(nbytes: float, max_output_bytes: Optional[int]) -> None:
    if max_output_bytes is not None and nbytes > max_output_bytes:
        raise ValueError(f"the samples would take more than max_output_bytes ({max_output_bytes} bytes)")


def _from_decoded(sound: DecodedSoundFile, rate: Optional[int], channels: Optional[int],
                  max_output_bytes: Optional[int]) -> "tuple[array.array[float], int, int]":
    """A copy of a DecodedSoundFile's samples (the caller may change them later)."""
    src_rate: int = sound.sample_rate or rate or 0
    if src_rate == 0:
        raise ValueError("source has no sample rate (0 Hz): give sample_rate")
    nbytes = (len(sound.samples) // sound.nchannels) * (channels or sound.nchannels) * 4 * \
        ((rate or src_rate) / src_rate)
    _check_bound(nbytes, max_output_bytes)
    return _float32(sound.samples, SampleFormat(sound.sample_format), sound.nchannels, src_rate, channels, rate)


def _from_stream(stream: Any, rate: Optional[int], channels: Optional[int],
                 max_output_bytes: Optional[int]) -> "tuple[array.array[float], int, int]":
    """Reads `stream` to its end (refusing a stream that never ends) and converts it."""
    if _ma._stream_endless(stream):
        raise ValueError("source is a stream that never ends (a generator, or loop=True): it cannot be preloaded; "
                         "give a stream that ends (or loop the voice: Mixer.play(..., loop=True))")
    if isinstance(stream, _ma.Playlist) and not stream.input_closed:
        raise ValueError("source is a Playlist still open for append (it never ends): call its close_input() "
                         "first")
    fmt = stream.sample_format
    if fmt is None:
        raise ValueError("source is raw PCM of an unknown 4-byte sample format: give stream_raw_pcm_memory() an "
                         "array.array of its type, or another source")
    src_rate = stream.sample_rate
    if src_rate is None:
        if rate is None:
            raise ValueError("source is raw PCM, which has no sample rate: give sample_rate (the rate of its data)")
        src_rate = rate
    src_channels = stream.nchannels
    bound = _DEFAULT_MAX_BYTES if max_output_bytes is None else max_output_bytes
    # Output bytes per source frame: float32 at the target channels and rate.
    per_frame = 4 * (channels or src_channels) * ((rate or src_rate) / src_rate)
    frame_bytes = width_from_format(SampleFormat(fmt)) * src_channels
    data = bytearray()
    while True:
        try:
            chunk = stream.send(_READ_FRAMES)
        except StopIteration:
            break
        view = memoryview(chunk).cast("B")
        if len(view) == 0:  # waiting for more (a Playlist open for append, inside another stream)
            raise ValueError("source gave no frames without ending (a Playlist open for append?): it cannot be "
                             "preloaded")
        data += view
        if len(data) // frame_bytes * per_frame > bound:
            raise ValueError(f"source did not end within max_output_bytes ({bound} bytes of samples): a stream "
                             f"that never ends (a chain or processed stream over a generator?) or a longer one "
                             f"(give max_output_bytes)")
    del data[len(data) - len(data) % frame_bytes:]  # raw PCM may end with a partial frame
    return _float32(data, SampleFormat(fmt), src_channels, src_rate, channels, rate)
