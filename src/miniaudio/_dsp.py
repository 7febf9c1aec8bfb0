"""Processors: miniaudio's filters, delay, gain, pan and fade, on whole buffers or chunk by chunk.

Each processor is one of miniaudio's own components (``ma_lpf``, ``ma_peak2``, ``ma_delay``,
``ma_gainer``, ...) working in float32 on interleaved frames.  It keeps its state between calls
of :meth:`Processor.process`, so feeding a signal chunk by chunk gives the same samples, bit for
bit, as feeding it whole.  Parameters (``cutoff``, ``gain_db``, ``db``, ``pan``, ...) can be
changed at any time, from any thread: the change is applied at the start of the next block
processed, keeping the filter's state (no click); gain changes ramp over ``smoothing`` seconds.
"""

import array
from typing import Any, Optional, Tuple

from . import _miniaudio
from ._decode import DecodedSoundFile
from ._enums import SampleFormat

Processor = _miniaudio.Processor

# The kinds, in dsp_kinds.c's order.
(_BIQUAD, _LPF, _HPF, _BPF, _NOTCH, _PEAK, _LOSHELF, _HISHELF, _DELAY, _GAIN, _PAN, _FADE) = range(12)

_ARRAY_CODES = {"f", "d", "h", "i"}
_NUMPY_DTYPES = {"float32", "float64", "int16", "int32"}
_PAN_MODES = {"balance": 0, "pan": 1}


def _raw_format(sample_format: Any, kind_name: str) -> int:
    if sample_format not in (SampleFormat.FLOAT32, SampleFormat.SIGNED16):
        raise ValueError(f"{kind_name}: sample_format must be SampleFormat.FLOAT32 or SIGNED16, not {sample_format!r}")
    return int(sample_format.value)


def _param(index: int, name: str, doc: str) -> property:
    def fget(self: Any) -> float:
        return float(self._get(index))

    def fset(self: Any, value: float) -> None:
        self._set(index, value)

    return property(fget, fset, doc=doc)


def _is_numpy(data: Any) -> bool:
    return type(data).__module__ == "numpy" and hasattr(data, "dtype")


def _numpy_empty(data: Any) -> Any:
    """A new C-ordered numpy array of data's shape and dtype (numpy is imported only when used)."""
    import numpy

    return numpy.empty(data.shape, dtype=data.dtype, order="C")


class _Base(Processor):
    """What every processor does (the methods of :class:`Processor`)."""

    __slots__ = ()
    _names: Tuple[str, ...] = ()

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return (f"{type(self).__name__}({args}, sample_rate={self.sample_rate!r}, "
                f"nchannels={self.nchannels!r})")

    def process(self, data: Any) -> Any:
        """Processes `data` and returns the result in a new object of the same type and shape.

        `data` is bytes / bytearray / memoryview (interleaved samples of the processor's
        ``sample_format``, float32 by default), an array.array (typecode ``'f'``, ``'d'``, ``'h'``
        or ``'i'``), a numpy array (float32, float64, int16 or int32; 1-D interleaved or 2-D
        ``(frames, channels)``), or a :class:`DecodedSoundFile` (whose nchannels and sample_rate
        the processor takes).  Integer samples are converted to float32 (full scale at 1.0),
        processed, and converted back with rounding and clipping.  The state is kept: the next
        call continues where this one ended.  The GIL is released for inputs above 4096 frames.
        """
        if isinstance(data, DecodedSoundFile):
            samples = data.samples
            if not isinstance(samples, array.array) or samples.typecode not in _ARRAY_CODES:
                raise TypeError(f"{type(self).__name__}: data's samples must be FLOAT32, SIGNED16 or SIGNED32, "
                                f"not {data.sample_format!r}")
            out = array.array(samples.typecode, samples)
            self._process_inplace(out, data.nchannels, data.sample_rate)
            return DecodedSoundFile(data.name, data.nchannels, data.sample_rate, data.sample_format, out)
        if isinstance(data, bytes):
            buf = bytearray(data)
            self._process_inplace(buf)
            return bytes(buf)
        if isinstance(data, bytearray):
            buf = bytearray(data)
            self._process_inplace(buf)
            return buf
        if isinstance(data, array.array):
            if data.typecode not in _ARRAY_CODES:
                raise TypeError(f"{type(self).__name__}: data must be an array.array of typecode 'f', 'd', 'h' or "
                                f"'i', not {data.typecode!r}")
            out = array.array(data.typecode, data)
            self._process_inplace(out)
            return out
        if isinstance(data, memoryview):
            if data.format not in ("B", "b", "c") and data.format.lstrip("@=<") not in _ARRAY_CODES:
                raise TypeError(f"{type(self).__name__}: data must hold float32, float64, int16 or int32 samples, "
                                f"not items of format {data.format!r}")
            raw = bytearray(data.tobytes())
            copy = memoryview(raw).cast("B").cast(data.format, data.shape)  # type: ignore[call-overload]
            self._process_inplace(copy)
            return copy
        if _is_numpy(data):
            dtype = data.dtype
            if dtype.name not in _NUMPY_DTYPES:
                raise TypeError(f"{type(self).__name__}: data must be a numpy array of float32, float64, int16 or "
                                f"int32, not {dtype.name}")
            if data.ndim not in (1, 2):
                raise ValueError(f"{type(self).__name__}: data must be 1-D (interleaved) or 2-D (frames, channels), "
                                 f"not {data.ndim}-D")
            if data.flags.c_contiguous and dtype.isnative:
                # copied block by block inside the C loop, while each block is in the cache
                out = _numpy_empty(data)
                self._process_inplace(out, 0, 0, data)
                return out
            out = data.astype(dtype.newbyteorder("="), order="C", copy=True)
            self._process_inplace(out)
            return out
        raise TypeError(f"{type(self).__name__}: data must be bytes, bytearray, memoryview, array.array, a numpy "
                        f"array or a DecodedSoundFile, not {type(data).__name__}")

    def process_inplace(self, buffer: Any) -> None:
        """Processes a writable C-contiguous buffer (bytearray, array.array, numpy array, ...) in place.

        The same types as :meth:`process` except bytes and DecodedSoundFile; nothing is copied.
        """
        if _is_numpy(buffer) and buffer.dtype.name not in _NUMPY_DTYPES:
            raise TypeError(f"{type(self).__name__}: buffer must be a numpy array of float32, float64, int16 or "
                            f"int32, not {buffer.dtype.name}")
        self._process_inplace(buffer)


class Biquad(_Base):
    """A biquad filter with raw coefficients (miniaudio's ``ma_biquad``, direct form 2 transposed).

    y[n] = (b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]) / a0.  Every coefficient can be
    changed while processing.
    """

    __slots__ = ()
    _names = ("b0", "b1", "b2", "a0", "a1", "a2")

    def __new__(cls, b0: float, b1: float, b2: float, a0: float, a1: float, a2: float, *,
                sample_rate: Optional[int] = None, nchannels: Optional[int] = None,
                sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Biquad":
        return super().__new__(cls, _BIQUAD, (b0, b1, b2, a0, a1, a2), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    b0 = _param(0, "b0", "Coefficient b0.")
    b1 = _param(1, "b1", "Coefficient b1.")
    b2 = _param(2, "b2", "Coefficient b2.")
    a0 = _param(3, "a0", "Coefficient a0 (non-zero: the others are divided by it).")
    a1 = _param(4, "a1", "Coefficient a1.")
    a2 = _param(5, "a2", "Coefficient a2.")


class _Cutoff(_Base):
    __slots__ = ()
    _kind = -1
    _names = ("cutoff", "order")

    def __new__(cls, cutoff: float, order: int = 2, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> Any:
        if isinstance(order, bool) or not isinstance(order, int):
            raise TypeError(f"{cls.__name__}: order must be an int, not {type(order).__name__}")
        return super().__new__(cls, cls._kind, (cutoff, float(order)), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    cutoff = _param(0, "cutoff", "The cutoff frequency in Hz (below sample_rate / 2); settable while processing.")

    @property
    def order(self) -> int:
        """The filter's order (fixed at construction)."""
        return int(self._get(1))


class LowPass(_Cutoff):
    """A Butterworth low-pass filter of order 1..8 (miniaudio's ``ma_lpf``).

    Even orders are a cascade of second-order sections (RBJ cookbook low-pass, Q from the
    Butterworth pole angles); odd orders add miniaudio's one-pole section
    (y = (1-a) x + a y[n-1], a = exp(-2 pi cutoff / rate)) in front.
    """

    __slots__ = ()
    _kind = _LPF


class HighPass(_Cutoff):
    """A Butterworth high-pass filter of order 1..8 (miniaudio's ``ma_hpf`` / ``ma_hpf2`` sections).

    Odd orders start with a one-pole, one-zero section H(z) = (1+a)/2 (1 - 1/z) / (1 - a/z),
    a = exp(-2 pi cutoff / rate), which blocks DC (miniaudio's own first-order high-pass does not).
    """

    __slots__ = ()
    _kind = _HPF


class BandPass(_Cutoff):
    """A band-pass filter of even order 2..8 (miniaudio's ``ma_bpf``): order/2 identical RBJ
    band-pass sections (constant skirt gain, Q = 0.707107) centred on `cutoff`; the peak gain is
    -3 dB per section."""

    __slots__ = ()
    _kind = _BPF


class Notch(_Base):
    """A notch (band-stop) filter at `frequency` with quality `q` (miniaudio's ``ma_notch2``, RBJ cookbook)."""

    __slots__ = ()
    _names = ("frequency", "q")

    def __new__(cls, frequency: float, q: float, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Notch":
        return super().__new__(cls, _NOTCH, (frequency, q), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    frequency = _param(0, "frequency", "The notch frequency in Hz; settable while processing.")
    q = _param(1, "q", "The quality (above 0); settable while processing.")


class PeakingEQ(_Base):
    """A peaking EQ: `gain_db` at `frequency`, width set by `q` (miniaudio's ``ma_peak2``, RBJ cookbook)."""

    __slots__ = ()
    _names = ("frequency", "gain_db", "q")

    def __new__(cls, frequency: float, gain_db: float, q: float, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None,
                sample_format: SampleFormat = SampleFormat.FLOAT32) -> "PeakingEQ":
        return super().__new__(cls, _PEAK, (frequency, gain_db, q), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    frequency = _param(0, "frequency", "The centre frequency in Hz; settable while processing.")
    gain_db = _param(1, "gain_db", "The gain at the centre, in dB; settable while processing.")
    q = _param(2, "q", "The quality (above 0); settable while processing.")


class _Shelf(_Base):
    __slots__ = ()
    _kind = -1
    _names = ("frequency", "gain_db", "slope")

    def __new__(cls, frequency: float, gain_db: float, slope: float = 1.0, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> Any:
        return super().__new__(cls, cls._kind, (frequency, gain_db, slope), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    frequency = _param(0, "frequency", "The shelf's midpoint frequency in Hz; settable while processing.")
    gain_db = _param(1, "gain_db", "The shelf's gain in dB; settable while processing.")
    slope = _param(2, "slope", "The shelf slope S (above 0; 1 is the steepest monotonic one).")


class LowShelf(_Shelf):
    """A low shelf: `gain_db` below `frequency` (miniaudio's ``ma_loshelf2``, RBJ cookbook)."""

    __slots__ = ()
    _kind = _LOSHELF


class HighShelf(_Shelf):
    """A high shelf: `gain_db` above `frequency` (miniaudio's ``ma_hishelf2``, RBJ cookbook)."""

    __slots__ = ()
    _kind = _HISHELF


class Delay(_Base):
    """A delay line or echo (miniaudio's ``ma_delay``), `seconds` long (rounded to whole frames).

    The delay line takes ``dry * input + decay * what it held`` and the output is ``wet *`` what
    comes out of it.  With ``decay=0`` (at construction) it is a plain delay: the output is the input
    ``seconds`` late, times ``wet * dry``.  With ``decay > 0`` it is an echo: the input is heard at
    once (times ``wet * dry``), then again every ``seconds``, each time times `decay`.  There is no
    separate dry path: mix the input yourself for one.  decay, wet and dry are settable while
    processing; seconds is fixed.
    """

    __slots__ = ()
    _names = ("seconds", "decay", "wet", "dry")

    def __new__(cls, seconds: float, decay: float = 0.0, wet: float = 1.0, dry: float = 1.0, *,
                sample_rate: Optional[int] = None, nchannels: Optional[int] = None,
                sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Delay":
        return super().__new__(cls, _DELAY, (seconds, decay, wet, dry), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    @property
    def seconds(self) -> float:
        """The delay in seconds (fixed at construction)."""
        return self._get(0)

    decay = _param(1, "decay", "The feedback, 0..1.")
    wet = _param(2, "wet", "The gain of the delay line's output.")
    dry = _param(3, "dry", "The gain of the input into the delay line.")


class Gain(_Base):
    """A gain in dB (miniaudio's ``ma_gainer``): changes of `db` ramp linearly over `smoothing`
    seconds (8 ms, miniaudio's engine default; rounded to whole frames, at least one)."""

    __slots__ = ()
    _names = ("db", "smoothing")

    def __new__(cls, db: float, *, smoothing: float = 0.008, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Gain":
        return super().__new__(cls, _GAIN, (db, smoothing), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    db = _param(0, "db", "The gain in dB (linear factor 10 ** (db / 20)); settable while processing.")

    @property
    def smoothing(self) -> float:
        """The ramp time of gain changes in seconds (fixed at construction)."""
        return self._get(1)


class Pan(_Base):
    """Stereo pan or balance, -1 (left) .. 1 (right) (miniaudio's ``ma_panner``; stereo only).

    ``mode="balance"`` (miniaudio's default) attenuates the other side: pan > 0 multiplies the left
    channel by 1 - pan.  ``mode="pan"`` moves it across: pan > 0 gives left * (1 - pan) on the left and
    right + left * pan on the right (and the mirror image for pan < 0).  A change of `pan` moves
    there linearly over 256 frames from the next block on (miniaudio's panner has no ramp: a
    jump would click); a change of `mode` applies at once.
    """

    __slots__ = ()
    _names = ("pan", "mode")

    def __new__(cls, pan: float = 0.0, *, mode: str = "balance", sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Pan":
        if mode not in _PAN_MODES:
            raise ValueError(f"Pan: mode must be 'balance' or 'pan', not {mode!r}")
        return super().__new__(cls, _PAN, (pan, float(_PAN_MODES[mode])), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    pan = _param(0, "pan", "-1 (left) .. 1 (right); settable while processing.")

    @property
    def mode(self) -> str:
        """'balance' or 'pan'; settable while processing."""
        return "pan" if self._get(1) else "balance"

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in _PAN_MODES:
            raise ValueError(f"Pan: mode must be 'balance' or 'pan', not {value!r}")
        self._set(1, _PAN_MODES[value])


class Fade(_Base):
    """A linear fade of the volume from `start` to `end` over `seconds` (miniaudio's ``ma_fader``),
    from the first frame processed; after it, the volume stays at `end`.

    The volume of frame i is ``start + (end - start) * min(i, n) / n`` (n = seconds in frames).
    Setting start, end or seconds, or calling reset(), starts the fade again at the next block.
    """

    __slots__ = ()
    _names = ("start", "end", "seconds")

    def __new__(cls, start: float, end: float, seconds: float, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None, sample_format: SampleFormat = SampleFormat.FLOAT32) -> "Fade":
        return super().__new__(cls, _FADE, (start, end, seconds), sample_rate, nchannels,
                               _raw_format(sample_format, cls.__name__))

    start = _param(0, "start", "The volume at the start (1 is unchanged).")
    end = _param(1, "end", "The volume at the end and after.")
    seconds = _param(2, "seconds", "The fade's length in seconds.")


__all__ = ["Processor", "Biquad", "LowPass", "HighPass", "BandPass", "Notch", "PeakingEQ", "LowShelf", "HighShelf",
           "Delay", "Gain", "Pan", "Fade"]
