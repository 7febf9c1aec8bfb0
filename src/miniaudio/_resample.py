"""pedalboard.io's StreamResampler and pedalboard's Resample.Quality names, over the streaming
Converter (converter.c): miniaudio's linear resampler with a low-pass filter of order 0 to 8.

Each quality name maps to one low-pass order (Quality.resampler_order); the mapping is the table in
docs/audiofile.rst.  No numpy-level resampling: every frame goes through ma_data_converter."""

import enum
import operator
from typing import Any, Optional, Union

from ._converter import Converter
from ._enums import SampleFormat

__all__ = ["Resample", "StreamResampler"]

_MAX_RATE = 384000


class _Quality(enum.IntEnum):
    """A resampling quality, by pedalboard's names (``Resample.Quality.Linear``, ...).

    miniaudio has one resampler: linear interpolation followed by a low-pass filter whose order
    (0, no filter, to 8) sets the quality.  Each name gives the order in
    :attr:`resampler_order`: ZeroOrderHold and Linear 0 (plain linear interpolation; there is no
    zero-order hold), CatmullRom 2, Lagrange 4, WindowedSinc8 4, WindowedSinc16 6, and
    WindowedSinc32 (pedalboard's default), WindowedSinc64, WindowedSinc128, WindowedSinc256 and
    WindowedSinc 8.  The values are pedalboard's; a name is also accepted as a string
    (``"Linear"``, ``"windowedsinc32"``).
    """

    ZeroOrderHold = 0
    Linear = 1
    CatmullRom = 2
    Lagrange = 3
    WindowedSinc = 4
    WindowedSinc256 = 5
    WindowedSinc128 = 6
    WindowedSinc64 = 7
    WindowedSinc32 = 8
    WindowedSinc16 = 9
    WindowedSinc8 = 10

    @property
    def resampler_order(self) -> int:
        """The order of the low-pass filter this quality runs (0 to 8), as
        :class:`Converter`'s ``resampler_order``."""
        return _ORDERS[self]


_Quality.__name__ = "Quality"
_Quality.__qualname__ = "Resample.Quality"
_ORDERS = {
    _Quality.ZeroOrderHold: 0,
    _Quality.Linear: 0,
    _Quality.CatmullRom: 2,
    _Quality.Lagrange: 4,
    _Quality.WindowedSinc8: 4,
    _Quality.WindowedSinc16: 6,
    _Quality.WindowedSinc32: 8,
    _Quality.WindowedSinc64: 8,
    _Quality.WindowedSinc128: 8,
    _Quality.WindowedSinc256: 8,
    _Quality.WindowedSinc: 8,
}
_BY_NAME = {member.name.lower(): member for member in _Quality}


class Resample:
    """pedalboard's ``Resample`` name, for its quality names: ``Resample.Quality.Linear`` and the
    rest (see :class:`Resample.Quality <miniaudio.Resample.Quality>`).  Only the names: to resample
    audio use :class:`StreamResampler`, :meth:`ReadableAudioFile.resampled_to` or
    :class:`Converter`."""

    Quality = _Quality


def _quality(value: Any, name: str = "quality") -> _Quality:
    """A Quality from a member, its int value or its name (any case): TypeError/ValueError naming
    the argument."""
    if isinstance(value, _Quality):
        return value
    if isinstance(value, str):
        member = _BY_NAME.get(value.strip().lower().rpartition(".")[2])
        if member is None:
            raise ValueError(f"{name} must be one of {', '.join(m.name for m in _Quality)}, not {value!r}")
        return member
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a Resample.Quality or its name (str), not {type(value).__name__}")
    try:
        return _Quality(value)
    except ValueError:
        raise ValueError(f"{name} must be a Resample.Quality (0 to {len(_Quality) - 1}), not {value}") from None


def _whole_rate(value: Any, name: str) -> int:
    """A sample rate in whole Hz (an int, or a float without a fraction), 1 to 384000."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not bool")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be a finite number, not {value}")
        if not value.is_integer():
            raise ValueError(f"{name} must be a whole number of Hz (miniaudio's resampler takes whole-Hz rates), "
                             f"not {value}")
        rate = int(value)
    else:
        try:
            rate = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be a number, not {type(value).__name__}") from None
    if not 1 <= rate <= _MAX_RATE:
        raise ValueError(f"{name} must be 1 to {_MAX_RATE} Hz, not {rate}")
    return rate


def _channels(value: Any, name: str = "num_channels") -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not 1 <= count <= 254:
        raise ValueError(f"{name} must be 1 to 254, not {count}")
    return count


class StreamResampler:
    """Resamples a stream of float32 audio chunk by chunk, with constant memory: pedalboard.io's
    ``StreamResampler``.

    >>> import numpy as np
    >>> quality = miniaudio.Resample.Quality.Linear
    >>> resampler = miniaudio.StreamResampler(44100, 16000, 2, quality)
    >>> first = resampler.process(np.zeros((2, 4410), np.float32))
    >>> first.shape, first.dtype
    ((2, 1600), dtype('float32'))
    >>> rest = resampler.process()      # flush: the end of the stream
    >>> rest.shape
    (2, 0)

    Chunks given one by one give the same frames, bit for bit, as all of them given at once; in
    all, N input frames give ``ceil(N * target_sample_rate / source_sample_rate)`` frames.  The
    resampler is miniaudio's linear one with a low-pass filter of the order the quality gives
    (:attr:`Resample.Quality.resampler_order <miniaudio.Resample.Quality.resampler_order>`); it
    returns output from the first input frame on.  Equal rates pass the frames through unchanged.

    Args:
        source_sample_rate: The rate of the input, in whole Hz (1 to 384000; a float is accepted
            when it has no fraction).
        target_sample_rate: The rate of the output, likewise.
        num_channels: The channels of every chunk (1 to 254).
        quality: A :class:`Resample.Quality <miniaudio.Resample.Quality>` or its name;
            WindowedSinc32 (low-pass order 8) by default.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: A rate is fractional or out of range, num_channels is out of range, or
            quality is not a quality name.
    """

    def __init__(
        self,
        source_sample_rate: float,
        target_sample_rate: float,
        num_channels: int,
        quality: Union[_Quality, str] = _Quality.WindowedSinc32,
    ) -> None:
        self._source = _whole_rate(source_sample_rate, "source_sample_rate")
        self._target = _whole_rate(target_sample_rate, "target_sample_rate")
        self._channels = _channels(num_channels)
        self._quality = _quality(quality)
        self._conv = Converter(SampleFormat.FLOAT32, self._channels, self._source, SampleFormat.FLOAT32,
                               self._channels, self._target, resampler_order=self._quality.resampler_order)
        self._channels_last = False  # the layout of the last 2-D chunk: (frames, channels) when True

    def __repr__(self) -> str:
        return (f"<miniaudio.StreamResampler source_sample_rate={self._source} target_sample_rate={self._target} "
                f"num_channels={self._channels} quality={self._quality.name}>")

    def _layout(self, chunk: Any) -> Any:
        """chunk as C-contiguous (frames, channels) float32; remembers its layout."""
        import numpy

        if not isinstance(chunk, numpy.ndarray):
            raise TypeError(f"input must be a numpy array of float32, not {type(chunk).__name__}")
        if chunk.dtype != numpy.float32:
            if chunk.dtype != numpy.float64:
                raise TypeError(f"input must be a numpy array of float32 (or float64), not {chunk.dtype}")
            chunk = chunk.astype(numpy.float32)
        channels = self._channels
        if chunk.ndim == 1:
            if channels != 1:
                raise ValueError(f"Expected {channels}-channel input, but was provided a buffer with 1 channels "
                                 f"and {chunk.shape[0]} samples")
            self._channels_last = False
            return chunk.reshape(-1, 1)
        if chunk.ndim != 2:
            raise ValueError(f"input must be 1-D (mono) or 2-D (channels, frames), not {chunk.ndim}-D")
        rows, cols = chunk.shape
        if rows == channels and cols == channels:
            channels_last = self._channels_last  # ambiguous: as the last chunk
        elif rows == channels:
            channels_last = False
        elif cols == channels:
            channels_last = True
        else:
            raise ValueError(f"Expected {channels}-channel input, but was provided a buffer of shape {chunk.shape} "
                             f"(channels, frames)")
        self._channels_last = channels_last
        return numpy.ascontiguousarray(chunk if channels_last else chunk.T)

    def _out(self, frames: Any) -> Any:
        import numpy

        if self._channels_last:
            return frames
        return numpy.ascontiguousarray(frames.T)

    def process(self, input: Optional[Any] = None, flush: bool = False) -> Any:
        """Resamples the next chunk: the frames it gives now, as float32 of shape
        ``(channels, frames)`` (or ``(frames, channels)`` when that was the input's layout; a
        1-D mono input gives ``(1, frames)``).

        ``process()`` without input (or ``flush=True``) ends the stream: it returns what is
        left (nothing more with miniaudio's resampler, which holds no output back) and resets
        the resampler, so the next call starts a new stream.

        Args:
            input: float32 samples (float64 is converted), ``(channels, frames)``,
                ``(frames, channels)`` or 1-D for mono; None to flush.
            flush: Also end the stream after this chunk.

        Raises:
            TypeError: input is not a float numpy array.
            ValueError: input has another channel count or more than 2 dimensions.
        """
        import numpy

        if not isinstance(flush, bool):
            raise TypeError(f"flush must be True or False, not {type(flush).__name__}")
        parts = []
        if input is not None:
            parts.append(self._conv.process(self._layout(input)))
        if input is None or flush:
            rest = self._conv.flush()
            if isinstance(rest, (bytes, bytearray)):  # nothing was processed since the last reset
                rest = numpy.frombuffer(rest, numpy.float32).reshape(-1, self._channels)
            parts.append(rest)
            self._conv.reset()
        frames = parts[0] if len(parts) == 1 else numpy.concatenate(parts)
        return self._out(frames)

    def reset(self) -> None:
        """Forgets the input so far: the next chunk starts a new stream."""
        self._conv.reset()

    @property
    def input_latency(self) -> float:
        """The resampler's delay, in input frames (1 plus the low-pass filter's delay; 0 for equal
        rates).  Output starts with the first input frame: this is how much later a sound comes
        out than it went in, not a wait for output."""
        return float(self._conv.input_latency)

    @property
    def output_latency(self) -> float:
        """The same delay in output frames."""
        return float(self._conv.output_latency)

    @property
    def num_channels(self) -> int:
        """The channels of every chunk."""
        return self._channels

    @property
    def quality(self) -> _Quality:
        """The :class:`Resample.Quality <miniaudio.Resample.Quality>` in use."""
        return self._quality

    @property
    def source_sample_rate(self) -> float:
        """The rate of the input in Hz (a float, as pedalboard's)."""
        return float(self._source)

    @property
    def target_sample_rate(self) -> float:
        """The rate of the output in Hz (a float, as pedalboard's)."""
        return float(self._target)
