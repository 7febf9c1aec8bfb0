"""Callbacks in sounddevice's style for devices: ``start(callback=fn)``, and capture/duplex generators
sent numpy arrays (``start(gen, input_type="numpy")``).  The per-period work is in C
(miniaudio_c/pycallback.c); this module holds the names users see and builds the run."""

from typing import Any, Optional

from . import _miniaudio as _ma

__all__ = ["CallbackFlags", "CallbackStop", "CallbackAbort", "CallbackTime"]

#: The ``time`` argument of a device callback (a named tuple of floats): ``currentTime``,
#: ``inputBufferAdcTime``, ``outputBufferDacTime``.
CallbackTime = _ma.CallbackTime

_INPUT_UNDERFLOW, _INPUT_OVERFLOW, _OUTPUT_UNDERFLOW, _OUTPUT_OVERFLOW, _PRIMING_OUTPUT = 1, 2, 4, 8, 16
_RUN_CALLBACK, _RUN_NUMPY_GENERATOR = 0, 1


class CallbackFlags:
    """The ``status`` argument of a device callback: what went wrong since the previous period.

    As sounddevice's class of the same name: ``bool(status)`` is True when any flag is set, ``str``
    lists them, and ``errors |= status`` collects the flags of many periods::

        errors = miniaudio.CallbackFlags()
        def callback(outdata, frames, time, status):
            nonlocal errors
            errors |= status

    miniaudio does not report the backend's own under/overflows, so the device estimates them:
    ``output_underflow`` (a device that plays) and ``input_overflow`` (a device that records) are set
    when the previous callback took longer than its period lasts (the audio had a gap).
    ``input_underflow``, ``output_overflow`` and ``priming_output`` are never set.
    """

    __slots__ = ("_flags",)

    def __init__(self, flags: int = 0) -> None:
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise TypeError(f"flags must be an int, not {type(flags).__name__}")
        self._flags = flags

    def __repr__(self) -> str:
        return f"<miniaudio.CallbackFlags: {self or 'no flags set'}>"

    def __str__(self) -> str:
        return ", ".join(name.replace("_", " ") for name in ("input_underflow", "input_overflow", "output_underflow",
                                                             "output_overflow", "priming_output")
                         if getattr(self, name))

    def __bool__(self) -> bool:
        return bool(self._flags)

    def __ior__(self, other: "CallbackFlags") -> "CallbackFlags":
        if not isinstance(other, CallbackFlags):
            return NotImplemented
        self._flags |= other._flags
        return self

    @property
    def input_underflow(self) -> bool:
        """Silence was inserted in the input (never set by miniaudio's devices)."""
        return bool(self._flags & _INPUT_UNDERFLOW)

    @property
    def input_overflow(self) -> bool:
        """Recorded frames were probably lost before this period: the previous callback was late."""
        return bool(self._flags & _INPUT_OVERFLOW)

    @property
    def output_underflow(self) -> bool:
        """A gap was probably heard before this period: the previous callback was late."""
        return bool(self._flags & _OUTPUT_UNDERFLOW)

    @property
    def output_overflow(self) -> bool:
        """Output was discarded (never set by miniaudio's devices)."""
        return bool(self._flags & _OUTPUT_OVERFLOW)

    @property
    def priming_output(self) -> bool:
        """The output primes the stream (never set: miniaudio does not prime through the callback)."""
        return bool(self._flags & _PRIMING_OUTPUT)


class CallbackStop(Exception):
    """Raise it in a device callback to end the run after this period's ``outdata`` has played.

    The device then plays what it holds (one buffer), the run ends by itself: ``running`` turns
    False, ``on_finished`` runs, :meth:`~miniaudio.AbstractDevice.wait` returns.  Not an error: it is
    not raised again by ``stop()``/``wait()``.
    """


class CallbackAbort(Exception):
    """Raise it in a device callback to end the run at once: this period's ``outdata`` is not played.

    The run ends by itself as after :class:`CallbackStop` (``on_finished`` runs), without playing
    what the device still holds beyond this period.
    """


def _asarray() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy.asarray


def callback_runner(device: Any, callback: Any) -> Any:
    """What ``start(callback=...)`` hands the C layer in place of a generator."""
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    cap, play = device._latency
    return _ma._CallbackRunner(callback, _RUN_CALLBACK, _asarray(), CallbackFlags, CallbackStop, CallbackAbort,
                               cap, play)


def check_input_type(input_type: Optional[str]) -> bool:
    """True for input_type="numpy", False for None or "bytearray"; ValueError otherwise."""
    if input_type is None or input_type == "bytearray":
        return False
    if input_type == "numpy":
        return True
    raise ValueError(f"input_type must be \"bytearray\" or \"numpy\", not {input_type!r}")


def numpy_generator_runner(device: Any, generator: Any, capture_format: Any) -> Any:
    """What ``start(gen, input_type="numpy")`` hands the C layer: the (primed) generator is sent
    (frames, channels) numpy arrays of the recorded frames."""
    asarray = _asarray()
    if asarray is None:
        raise ModuleNotFoundError("input_type=\"numpy\" needs numpy, which is not installed")
    if _ma.SAMPLE_FORMATS[capture_format.value][2] is None:
        raise ValueError("input_type=\"numpy\": numpy has no 24-bit sample type (SIGNED24); use a 32-bit or "
                         "float format, or input_type=\"bytearray\"")
    cap, play = device._latency
    return _ma._CallbackRunner(generator, _RUN_NUMPY_GENERATOR, asarray, CallbackFlags, CallbackStop, CallbackAbort,
                               cap, play)
