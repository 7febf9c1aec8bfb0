"""The streaming converter: sample format, channel count and sample rate, chunk by chunk, with the
state kept between chunks (in C, ``converter.c``; the GIL is released for large chunks)."""

import array
import sys
from typing import Any, Optional, Tuple

from . import _miniaudio as _ma
from ._enums import ChannelMixMode, DitherMode, SampleFormat, enum_value
from ._types import BufferType

__all__ = ["Converter"]

_FORMATS = _ma.SAMPLE_FORMATS  # format value -> (width, typecode, numpy dtype name, item codes)

# What process() was given last, so that flush() returns the same kind of object.
_BYTES, _BYTEARRAY, _ARRAY, _NUMPY_1D, _NUMPY_2D = range(5)


def _numpy_array_type() -> Any:
    """numpy.ndarray when numpy is imported already (a chunk cannot be a numpy array otherwise)."""
    numpy = sys.modules.get("numpy")
    return None if numpy is None else numpy.ndarray


class Converter:
    """Converts PCM frames to another sample format, channel count and sample rate, chunk by chunk.

    The arguments come in the order of :func:`convert_frames`, and the conversion is the same:
    the chunks given to :meth:`process` one by one, followed by :meth:`flush`, give exactly the
    frames (same count, same samples, bit for bit) that one :func:`convert_frames` call gives on
    all of them at once, whatever the chunk sizes.

    >>> import array
    >>> conv = miniaudio.Converter(miniaudio.SampleFormat.SIGNED16, 1, 8000,
    ...                            miniaudio.SampleFormat.FLOAT32, 2, 16000)
    >>> out = conv.process(array.array("h", [0, 8192, 16384, 8192]))
    >>> len(out) // 2                    # stereo frames, as array.array("f")
    8
    >>> out += conv.flush()

    Args:
        from_format: The :class:`SampleFormat` of the chunks given to :meth:`process`.
        from_nchannels: Their channel count (1 to 254).
        from_sample_rate: Their sample rate in Hz (1 to 384000).
        to_format: The sample format of the result.
        to_nchannels: The channel count of the result.
        to_sample_rate: The sample rate of the result in Hz.
        dither: The :class:`DitherMode` when the result has fewer bits per sample (NONE, the
            default, RECTANGLE or TRIANGLE; dithered results differ from run to run).
        channel_mix: The :class:`ChannelMixMode` when the channel count changes: RECTANGULAR
            (the default) or SIMPLE.
        resampler_order: The order of the low-pass filter of miniaudio's linear resampler, 0
            (none) to 8; 4 by default, as for :func:`convert_frames`.
        dynamic_rate: Whether :meth:`set_rate` / :meth:`set_ratio` may be used.  By default
            (None) it is allowed when the two sample rates differ.  With equal rates the
            frames pass through the resampler only when this is True, which delays them by
            one frame (and then they differ from :func:`convert_frames`' by that frame).

    What :meth:`process` returns is the same kind of object it was given:

    - a numpy array: a numpy array of the result format's dtype (uint8, int16, int32 or
      float32), of shape ``(frames, to_nchannels)`` for a 2-D chunk and 1-D (interleaved) for a
      1-D chunk.  The chunk's dtype must be the one of ``from_format``, and a 2-D chunk must
      have ``from_nchannels`` columns.  SIGNED24 has no numpy type: pass bytes instead.
    - an ``array.array``: an ``array.array`` of the result format's typecode (``'B'``,
      ``'h'``, ``'i'``, ``'f'``); its typecode must fit ``from_format``.
    - ``bytes``: ``bytes``; any other bytes-like object (bytearray, memoryview, ...): a
      ``bytearray``.  Bytes are read as raw interleaved frames of ``from_format``.

    :meth:`flush` returns the kind of the last chunk (``bytes`` before any).

    One call at a time: while a call converts a large chunk with the GIL released, a call
    from another thread raises RuntimeError (the converter's state is never shared).
    """

    def __init__(
        self,
        from_format: SampleFormat,
        from_nchannels: int,
        from_sample_rate: int,
        to_format: SampleFormat,
        to_nchannels: int,
        to_sample_rate: int,
        *,
        dither: DitherMode = DitherMode.NONE,
        channel_mix: ChannelMixMode = ChannelMixMode.RECTANGULAR,
        resampler_order: int = 4,
        dynamic_rate: Optional[bool] = None,
    ) -> None:
        if dynamic_rate is not None and not isinstance(dynamic_rate, bool):
            raise TypeError(f"dynamic_rate must be True, False or None, not {type(dynamic_rate).__name__}")
        from_value = enum_value(SampleFormat, from_format, "from_format")
        to_value = enum_value(SampleFormat, to_format, "to_format")
        self._c = _ma._Converter(
            from_value,
            from_nchannels,
            from_sample_rate,
            to_value,
            to_nchannels,
            to_sample_rate,
            enum_value(DitherMode, dither, "dither"),
            enum_value(ChannelMixMode, channel_mix, "channel_mix"),
            resampler_order,
            -1 if dynamic_rate is None else int(dynamic_rate),
        )
        self.from_format = SampleFormat(from_value)
        self.from_nchannels = int(from_nchannels)
        self.to_format = SampleFormat(to_value)
        self.to_nchannels = int(to_nchannels)
        self._from = _FORMATS[from_value]
        self._to = _FORMATS[to_value]
        self._kind = _BYTES

    def __repr__(self) -> str:
        rates = self._c.rates
        return (f"<Converter {self.from_format.name} x{self.from_nchannels} {rates[0]} Hz -> "
                f"{self.to_format.name} x{self.to_nchannels} {rates[1]} Hz>")

    def _numpy_in(self, chunk: Any) -> Tuple[Any, int]:
        if self._from[2] is None or self._to[2] is None:
            raise ValueError("numpy has no 24-bit sample type (SIGNED24): pass the chunks as bytes")
        if chunk.dtype.name != self._from[2] or not chunk.dtype.isnative:
            raise TypeError(f"chunk must have dtype {self._from[2]} (from_format {self.from_format.name}), "
                            f"not {chunk.dtype}")
        if chunk.ndim == 2:
            if chunk.shape[1] != self.from_nchannels:
                raise ValueError(f"chunk has {chunk.shape[1]} channels (columns), the converter takes "
                                 f"{self.from_nchannels} (from_nchannels)")
            kind = _NUMPY_2D
        elif chunk.ndim == 1:
            if chunk.shape[0] % self.from_nchannels != 0:
                raise ValueError(f"chunk has {chunk.shape[0]} samples, not a whole number of "
                                 f"{self.from_nchannels}-channel frames")
            kind = _NUMPY_1D
        else:
            raise ValueError(f"chunk must be 1-D (interleaved) or 2-D (frames, channels), not {chunk.ndim}-D")
        if not chunk.flags.c_contiguous:
            chunk = chunk.copy(order="C")
        return chunk, kind

    def _array_in(self, chunk: Any) -> None:
        if self._from[1] is None or self._to[1] is None:
            raise ValueError("array.array has no 24-bit sample type (SIGNED24): pass the chunks as bytes")
        if chunk.typecode not in self._from[3] or chunk.itemsize != self._from[0]:
            raise TypeError(f"chunk must be an array.array of typecode {self._from[1]!r} (from_format "
                            f"{self.from_format.name}), not {chunk.typecode!r}")

    def _wrap(self, out: bytearray, kind: int) -> Any:
        if kind == _BYTEARRAY:
            return out
        if kind == _BYTES:
            return bytes(out)
        if kind == _ARRAY:
            samples: "array.array[Any]" = array.array(str(self._to[1]))
            samples.frombytes(out)
            return samples
        import numpy

        matrix: Any = numpy.frombuffer(out, dtype=self._to[2])
        return matrix.reshape(-1, self.to_nchannels) if kind == _NUMPY_2D else matrix

    def process(self, chunk: BufferType) -> Any:
        """Converts the next chunk of frames.

        Returns every frame the chunk gives now (the resampler's state is kept for the next
        chunk), as the same kind of object as ``chunk`` (see the class).

        Args:
            chunk: Interleaved frames of ``from_format`` x ``from_nchannels``: bytes-like,
                ``array.array`` or a numpy array (1-D, or 2-D ``(frames, channels)``).

        Raises:
            TypeError: ``chunk`` is no buffer, or of a numpy dtype / array typecode other than
                ``from_format``'s.
            ValueError: ``chunk`` is not a whole number of frames, has another channel count, or
                the converter was flushed (call :meth:`reset` first).
            RuntimeError: another thread is converting with this converter now.
        """
        ndarray = _numpy_array_type()
        if ndarray is not None and isinstance(chunk, ndarray):
            chunk, kind = self._numpy_in(chunk)
        elif isinstance(chunk, array.array):
            self._array_in(chunk)
            kind = _ARRAY
        elif isinstance(chunk, bytes):
            kind = _BYTES
        else:
            kind = _BYTEARRAY
        out = self._c.process(chunk)
        self._kind = kind
        return self._wrap(out, kind)

    def flush(self, *, drain: bool = False) -> Any:
        """Ends the input: the frames the converter still gives.

        Without ``drain``, the frames that make what :meth:`process` and this returned equal to
        one :func:`convert_frames` call on all the input (with miniaudio's linear resampler,
        which makes every output frame as soon as its input arrives, there are none).  With
        ``drain=True``, the resampler's delay is fed with :attr:`input_latency` frames of
        silence, so the last input frames come out whole: about :attr:`output_latency` frames
        more than :func:`convert_frames` gives.

        Afterwards the converter takes no more chunks until :meth:`reset`.

        Returns:
            The same kind of object as the last chunk given to :meth:`process`.

        Raises:
            ValueError: the converter was flushed already.
        """
        if not isinstance(drain, bool):
            raise TypeError(f"drain must be True or False, not {type(drain).__name__}")
        return self._wrap(self._c.flush(drain=drain), self._kind)

    def reset(self) -> None:
        """Forgets the input so far (the resampler's history): the next chunk starts a new
        stream, as if the converter were new (the rates stay as :meth:`set_rate` left them)."""
        self._c.reset()

    def set_rate(self, from_sample_rate: int, to_sample_rate: int) -> None:
        """Changes the sample rates from the next chunk on (vari-speed), keeping the resampler's
        state: no click.  Allowed from any thread, also while another converts.

        Raises:
            ValueError: a rate out of 1..384000, or the converter has no resampler (equal
                rates without ``dynamic_rate=True``).
        """
        self._c.set_rate(from_sample_rate, to_sample_rate)

    def set_ratio(self, ratio: float) -> None:
        """Changes the ratio of input rate to output rate (0.001 to 1000) from the next chunk
        on: 2.0 consumes two input frames per output frame.  Same as
        ``set_rate(round(ratio * 1_000_000), 1_000_000)``, without the limit on the rates.

        Raises:
            ValueError: ``ratio`` is NaN, infinite or out of range, or the converter has no
                resampler.
        """
        self._c.set_ratio(ratio)

    def expected_output_frames(self, frames: int) -> int:
        """How many frames :meth:`process` returns for ``frames`` more input frames (from the
        resampler's state now)."""
        return int(self._c.expected_output_frames(frames))

    def required_input_frames(self, frames: int) -> int:
        """How many more input frames :meth:`process` needs to return ``frames`` frames."""
        return int(self._c.required_input_frames(frames))

    @property
    def input_latency(self) -> int:
        """The resampler's delay in input frames: 1 + its filter's latency; 0 without a
        resampler (equal rates)."""
        return int(self._c.input_latency)

    @property
    def output_latency(self) -> int:
        """The resampler's delay in output frames (:attr:`input_latency` scaled by the rates)."""
        return int(self._c.output_latency)

    @property
    def rates(self) -> Tuple[int, int]:
        """(from rate, to rate) as the resampler runs now: the constructor's, or the last
        :meth:`set_rate` (``set_ratio(r)`` shows as ``(round(r * 1_000_000), 1_000_000)``)."""
        rates: Tuple[int, int] = self._c.rates
        return rates

    @property
    def dynamic_rate(self) -> bool:
        """Whether :meth:`set_rate` and :meth:`set_ratio` are allowed."""
        return bool(self._c.dynamic_rate)

    @property
    def attached(self) -> bool:
        """Whether a stream's :meth:`~DecoderStream.then` runs this converter now (until that
        stream is closed or dropped); meanwhile only :meth:`set_rate`, :meth:`set_ratio` and the
        attributes work."""
        return bool(self._c.attached)

    @property
    def frames_in(self) -> int:
        """Input frames converted since the start or the last :meth:`reset`."""
        return int(self._c.frames_in)

    @property
    def frames_out(self) -> int:
        """Output frames returned since the start or the last :meth:`reset`."""
        return int(self._c.frames_out)

    @property
    def flushed(self) -> bool:
        """Whether :meth:`flush` was called since the start or the last :meth:`reset`."""
        return bool(self._c.flushed)
