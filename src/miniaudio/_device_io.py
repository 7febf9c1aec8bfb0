"""Push I/O for devices: write(), read(), drain() and the ring buffers behind them
(miniaudio_c/pushio.c).  A mixin of AbstractDevice, kept apart from the device life cycle."""

import array
import threading
from typing import Any, Optional, Tuple

from . import _miniaudio as _ma
from ._enums import SampleFormat
from ._errors import MiniaudioError

_DONE, _TIMEOUT, _STOPPED = 0, 1, 2

# Set by the exit handler before it closes the devices: only daemon threads are left then, and one
# that waits in write()/read() waits on quietly until the process ends rather than print a
# traceback half-way through the interpreter's shutdown.
_exit_started = False


def _park_if_exiting() -> None:
    if _exit_started:
        threading.Event().wait()
_FORMATS = _ma.SAMPLE_FORMATS  # format value -> (width, typecode, numpy dtype, item codes)


def _have_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


class _PushIO:
    """write(), read() and drain(): the push model, as in sounddevice's and PyAudio's blocking streams."""

    # Provided by AbstractDevice / _Device.
    _push_write: Any
    _push_read: Any
    _push_drain: Any
    _push_available: Any
    _set_ring: Any
    _ring_asked: int
    _latency: Tuple[float, float]
    sample_rate: int
    running: bool

    def _push_start(self) -> None:
        try:
            self.start()  # type: ignore[attr-defined]
        except MiniaudioError:
            # Another thread started the device since write()/read() found it stopped: go on with
            # that run (write()/read() refuse one that is not a push run).
            if not self.running or getattr(self, "closed", False):
                raise

    def _set_ring_msec(self, ring_msec: Optional[float]) -> None:
        if ring_msec is None:
            return
        if isinstance(ring_msec, bool) or not isinstance(ring_msec, (int, float)):
            raise TypeError(f"ring_msec must be a number of milliseconds or None, not {type(ring_msec).__name__}")
        if not 1 <= ring_msec <= 600000:
            raise ValueError(f"ring_msec must be 1 to 600000 ms (or None: four periods, at least 100 ms), not "
                             f"{ring_msec}")
        self._ring_asked = max(1, round(ring_msec * self.sample_rate / 1000))
        self._set_ring(self._ring_asked)

    def _refuse_while_prefetching(self, what: str) -> None:
        if self._prefetching():  # type: ignore[attr-defined]
            raise RuntimeError(f"{what}() cannot be used while a generator plays on this device with prefetch: "
                               f"stop() it first")

    def _play_side(self) -> Tuple[int, int]:
        """(format value, channels) of what write() queues."""
        fmt = getattr(self, "playback_format", None) or getattr(self, "format")
        channels = getattr(self, "playback_channels", None) or getattr(self, "nchannels")
        return fmt.value, channels

    def _capture_side(self) -> Tuple[int, int]:
        fmt = getattr(self, "capture_format", None) or getattr(self, "format")
        channels = getattr(self, "capture_channels", None) or getattr(self, "nchannels")
        return fmt.value, channels

    def write(self, data: Any, timeout: Optional[float] = None) -> bool:
        """Queue frames for playing, waiting while the ring buffer is full.

        The frames go into a ring buffer that the audio thread plays from without the GIL; the GIL
        is released while write() waits for room.  On a device that is not running, the first
        write() starts it (after queuing what fits), as does :meth:`start` with no generator.

        ``data`` is raw frames in the device's format (``bytes``, ``bytearray``, a ``memoryview`` of
        bytes), or numbers: an ``array.array`` or numpy array, 1-D (interleaved) or 2-D
        ``(frames, channels)``, of any integer or float type, converted to the device's format
        (floats are full scale at +-1.0 and clipped for integer formats; integers at their own full
        scale; unsigned integers are offset binary).

        Args:
            data: The frames to play.
            timeout: The most seconds to wait for room; None waits as long as it takes.

        Returns:
            bool: True if the device ran out of frames to play (an underflow: silence was heard)
            since the previous write(); counted in ``stats.underflows`` too.

        Raises:
            TimeoutError: The timeout passed first; the frames that fit were queued, the rest not:
                its ``frames`` attribute says how many were queued.
            TypeError: ``data`` is not a buffer of real numbers, or the device only records.
            ValueError: A partial frame, or a 2-D array whose column count is not the device's
                channel count (nothing is queued then).
            RuntimeError: A generator or stream is playing on the device, or another thread is
                in write(), or drain() is waiting.
            MiniaudioError: The device was stopped or closed (even if started again at once), or it
                stopped by itself, during the wait (the exception that ended the run, if any, is
                raised instead).
            KeyboardInterrupt: Ctrl-C during the wait (what was queued stays queued).
        """
        self._refuse_while_prefetching("write")
        done, status, underflowed = self._push_write(data, timeout, self._push_start)
        if status == _TIMEOUT:
            exc = TimeoutError(f"write() timed out after {timeout} s with {done} frames queued; the rest of the "
                               f"data was not queued")
            exc.frames = done  # type: ignore[attr-defined]
            raise exc
        if status == _STOPPED:
            _park_if_exiting()
            self._raise_pending()  # type: ignore[attr-defined]
            raise MiniaudioError(f"the device stopped during write(): {done} frames were queued, the rest not")
        return bool(underflowed)

    def read(self, frames: Optional[int] = None, timeout: Optional[float] = None, *, out: Any = None,
             chunk_type: Optional[str] = None) -> Any:
        """Return the next recorded frames, waiting until that many have been recorded.

        The audio thread records into a ring buffer without the GIL; the GIL is released while
        read() waits.  On a device that is not running, the first read() starts it.  If the
        reader falls behind by more than the ring holds, the newest frames are dropped: the next
        read() sets :attr:`overflowed` and ``stats.overflows`` / ``stats.dropped_frames`` count it.

        Args:
            frames: How many frames (None: as many as ``out`` holds).
            timeout: The most seconds to wait; None waits as long as it takes.
            out: A writable buffer to fill instead of returning a new one: a numpy array
                (``(frames, channels)`` or 1-D) or ``array.array`` of the device's sample type, or a
                ``bytearray``.
            chunk_type: What to return without ``out``: ``"numpy"`` (a ``(frames, channels)``
                array of the device's dtype; the default when numpy is installed), ``"array"``
                (``array.array`` of interleaved samples; the default otherwise) or ``"bytes"``.

        Returns:
            The frames (``out`` itself when given).

        Raises:
            TimeoutError: The timeout passed first.  Its ``frames`` attribute says how many frames
                were read and its ``data`` attribute holds them (in ``out`` when given).
            TypeError: The device only plays, or ``out`` has the wrong item type.
            ValueError: Negative ``frames``, an unknown ``chunk_type``, or ``out`` too small.
            RuntimeError: A generator runs on the device, or another thread is in read().
            MiniaudioError: The device was stopped or closed (even if started again at once), or
                stopped by itself, during the wait.
            KeyboardInterrupt: Ctrl-C during the wait (the frames already taken are in ``out``).
        """
        self._refuse_while_prefetching("read")
        fmt, channels = self._capture_side()
        width, typecode, dtype, codes = _FORMATS[fmt]
        frame_bytes = width * channels
        if out is None:
            if frames is None:
                raise TypeError("read() needs frames (or out=)")
            frames = _frames_arg(frames)
            buf, result = _new_buffer(frames, channels, width, typecode, dtype, chunk_type)
        else:
            if chunk_type is not None:
                raise ValueError("read() takes out= or chunk_type=, not both")
            view = memoryview(out)
            if view.readonly:
                raise TypeError("out must be writable")
            item = view.format.lstrip("@=<")
            if view.itemsize == 1 and item in ("B", "b", "c"):
                pass
            elif item not in codes or view.itemsize != width:
                raise TypeError(f"out holds items of type '{view.format}' but the device records "
                                f"{SampleFormat(fmt).name} samples ({width} bytes): give an array of its type "
                                f"or a bytearray")
            if view.ndim == 2 and view.shape is not None and view.shape[1] != channels and view.itemsize == width:
                raise ValueError(f"out is a {view.shape} array but the device has {channels} channels")
            capacity = view.nbytes // frame_bytes
            frames = capacity if frames is None else _frames_arg(frames)
            if frames > capacity:
                raise ValueError(f"out holds {capacity} frames, fewer than the {frames} asked for")
            buf, result = out, out
        done, status, overflowed = self._push_read(buf, frames, timeout, self._push_start)
        self.overflowed = bool(overflowed)
        if status == _TIMEOUT:
            exc = TimeoutError(f"read() timed out after {timeout} s with {done} of {frames} frames read")
            exc.frames = done  # type: ignore[attr-defined]
            exc.data = _trim(result, done, frame_bytes) if out is None else out  # type: ignore[attr-defined]
            raise exc
        if status == _STOPPED:
            _park_if_exiting()
            self._raise_pending()  # type: ignore[attr-defined]
            raise MiniaudioError(f"the device stopped during read(): {done} of {frames} frames were read")
        if isinstance(result, _BytesResult):
            return bytes(result.buf)
        return result

    #: True when recorded frames were dropped (the reader was late) before the last read() returned.
    overflowed: bool = False

    def drain(self, timeout: Optional[float] = None) -> bool:
        """Let everything written so far play, then end the run (the device stops by itself).

        After the last queued frame one buffer of silence plays, as at the end of a stream, so
        the end is heard; then ``on_finished`` runs and :meth:`~AbstractDevice.wait` returns.  A
        later write() starts the device again.  (:meth:`~AbstractDevice.stop` instead stops at
        once and drops what was not played.)

        Args:
            timeout: The most seconds to wait; None waits as long as it takes.

        Returns:
            bool: True when the run has ended (at once if no write()/read() run was going), False
            on timeout.
        """
        self._refuse_while_prefetching("drain")
        if not self._push_drain():
            return True
        return bool(self.wait(timeout))  # type: ignore[attr-defined]

    @property
    def write_available(self) -> int:
        """Frames write() can queue now without waiting (0 for a device that only records)."""
        return int(self._push_available(True))

    @property
    def read_available(self) -> int:
        """Recorded frames read() can return now without waiting (0 for a device that only plays)."""
        return int(self._push_available(False))

    @property
    def latency(self) -> Any:
        """The latency the backend negotiated, in seconds: its periods times their length.

        A float for a playback or capture device, ``(input, output)`` for a :class:`DuplexStream`
        (as in sounddevice).  write()/read() add what waits in the ring buffer on top.
        """
        cap, play = self._latency
        if hasattr(self, "capture_channels"):  # a DuplexStream
            return (cap, play)
        return play if play else cap


def _frames_arg(frames: Any) -> int:
    if isinstance(frames, bool) or not isinstance(frames, int):
        raise TypeError(f"frames must be an int, not {type(frames).__name__}")
    if frames < 0:
        raise ValueError(f"frames must be >= 0, not {frames}")
    return frames


def _new_buffer(frames: int, channels: int, width: int, typecode: Optional[str], dtype: Optional[str],
                chunk_type: Optional[str]) -> Tuple[Any, Any]:
    if chunk_type is None:
        chunk_type = "numpy" if dtype is not None and _have_numpy() else ("array" if typecode else "bytes")
    if chunk_type == "numpy":
        if dtype is None:
            raise ValueError("numpy has no 24-bit sample type: use chunk_type=\"bytes\"")
        import numpy
        matrix = numpy.empty((frames, channels), dtype=dtype)
        return matrix, matrix
    if chunk_type == "array":
        if typecode is None:
            raise ValueError("array.array has no 24-bit sample type: use chunk_type=\"bytes\"")
        samples = array.array(typecode, bytes(frames * channels * width))
        return samples, samples
    if chunk_type == "bytes":
        buf = bytearray(frames * channels * width)
        return buf, _BytesResult(buf)
    raise ValueError(f"chunk_type must be \"numpy\", \"array\" or \"bytes\", not {chunk_type!r}")


class _BytesResult:
    """Marks a bytearray to be returned as bytes."""

    def __init__(self, buf: bytearray) -> None:
        self.buf = buf


def _trim(result: Any, done: int, frame_bytes: int) -> Any:
    if isinstance(result, _BytesResult):
        return bytes(result.buf[:done * frame_bytes])
    if isinstance(result, array.array):
        return result[:done * frame_bytes // result.itemsize]
    return result[:done]
