"""sounddevice's stream classes over the package's devices: Stream, InputStream, OutputStream and
their Raw variants.  Each stream owns one PlaybackDevice, CaptureDevice or DuplexStream; a callback
is run by the device's callback bridge (miniaudio_c/pycallback.c), blocking read()/write() by its
push I/O (pushio.c).  What sounddevice offers and the devices do not is adapted here: a fixed
``blocksize`` (frames are re-blocked in Python when the device's period differs), the Raw classes'
plain buffers, ``int8`` samples (played and recorded as uint8 with the sign bit flipped), and
PortAudio's stream states (stopped / active / closed) and error codes.
"""

import contextlib
import time as _time
import threading
from typing import Any, Callable, Optional, Tuple

from . import _sd_devices as _sdd
from ._callbacks import CallbackAbort, CallbackStop
from ._devices import CaptureDevice, DuplexStream, PlaybackDevice
from ._events import _report
from ._enums import SampleFormat
from ._errors import MiniaudioError
from ._sd_devices import PortAudioError, default, pa_error

__all__ = ["Stream", "InputStream", "OutputStream", "RawStream", "RawInputStream", "RawOutputStream"]

_MAX_CHANNELS = 254  # MA_MAX_CHANNELS
_MAX_RATE = 384000  # MA_MAX_SAMPLE_RATE
_DRAIN_SECONDS = 60.0  # stop() lets what write() queued play, for at most this long
_STREAM_IS_STOPPED = (-9983, "Stream is stopped")
_CANNOT_READ_CALLBACK = (-9977, "Can not read from a callback stream")
_CANNOT_WRITE_CALLBACK = (-9976, "Can not write to a callback stream")


class _Side:
    """The settings of one direction of a stream, resolved against `default` and the device."""

    def __init__(self, kind: str, what: str, device: Any, channels: Any, dtype: Any, latency: Any,
                 samplerate: Any, raw: bool) -> None:
        if device is None:
            device = default.device
        self.index = _sdd.get_device_id(device, kind, raise_on_error=True)
        info = _sdd.query_devices(self.index)
        channels = _sdd.split(default.channels if channels is None else channels)[kind == "output"]
        dtype = _sdd.split(default.dtype if dtype is None else dtype)[kind == "output"]
        latency = _sdd.split(default.latency if latency is None else latency)[kind == "output"]
        if samplerate is None:
            samplerate = default.samplerate
        if channels is None:
            channels = info["max_" + kind + "_channels"]
        if isinstance(channels, bool) or not isinstance(channels, int):
            raise TypeError(f"channels must be an int, not {type(channels).__name__}")
        if not 1 <= channels <= _MAX_CHANNELS or info["max_" + kind + "_channels"] < 1:
            raise pa_error(f"Error opening {what}: {channels} {kind} channels on {info['name']!r}",
                           _sdd.PA_INVALID_CHANNEL_COUNT)
        name = _sdd.dtype_name(dtype)
        if name not in _sdd.SAMPLE_FORMATS or (name == "int24" and not raw):
            extra = " ('int24' is only for the Raw streams)" if name == "int24" else ""
            raise ValueError(f"Invalid {kind} sample format: {dtype!r}{extra}")
        if samplerate is None:
            samplerate = info["default_samplerate"]
        if isinstance(samplerate, bool) or not isinstance(samplerate, (int, float)):
            raise TypeError(f"samplerate must be a number, not {type(samplerate).__name__}")
        if not 0 < samplerate <= _MAX_RATE:  # also nan
            raise pa_error(f"Error opening {what}: samplerate {samplerate}", _sdd.PA_INVALID_SAMPLE_RATE)
        if not (latency in ("low", "high") or (not isinstance(latency, (bool, str)) and
                                                isinstance(latency, (int, float)))):
            raise TypeError(f"latency must be 'low', 'high' or a number of seconds, not {latency!r}")
        self.kind = kind
        self.info = info
        self.channels = channels
        self.dtype = name
        self.format, self.samplesize, self.typecode = _sdd.SAMPLE_FORMATS[name]
        self.int8 = name == "int8"
        self.latency = latency
        self.samplerate = samplerate
        self.backend, self.device_id = _sdd.device_target(self.index, kind)

    @property
    def frame_bytes(self) -> int:
        return self.samplesize * self.channels


def _device_args(side: _Side, blocksize: int, rate: int) -> Tuple[int, Any]:
    """(buffersize_msec, latency) for the device: a period near `blocksize` when one is asked for."""
    if blocksize:
        msec = max(1, min(10000, round(blocksize * 1000 / rate)))
        return msec, (None if isinstance(side.latency, str) else side.latency)
    return 0, side.latency


class _StreamBase:
    """What all the stream classes share (sounddevice's _StreamBase)."""

    _device: Any = None
    _kind = ""
    _raw = False

    def __init__(self, kind: str, samplerate: Any = None, blocksize: Any = None, device: Any = None,
                 channels: Any = None, dtype: Any = None, latency: Any = None, extra_settings: Any = None,
                 callback: Optional[Callable[..., Any]] = None, finished_callback: Optional[Callable[[], Any]] = None,
                 clip_off: Any = None, dither_off: Any = None, never_drop_input: Any = None,
                 prime_output_buffers_using_stream_callback: Any = None) -> None:
        what = type(self).__name__
        if not self._raw:
            import numpy  # noqa: F401  (as sounddevice: the numpy classes need numpy)
        if blocksize is None:
            blocksize = default.blocksize
        if isinstance(blocksize, bool) or not isinstance(blocksize, int):
            raise TypeError(f"blocksize must be an int, not {type(blocksize).__name__}")
        if blocksize < 0:  # PortAudio's framesPerBuffer is unsigned: sounddevice gets OverflowError
            raise OverflowError(f"blocksize must not be negative, not {blocksize}")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        if finished_callback is not None and not callable(finished_callback):
            raise TypeError(f"finished_callback must be callable, not {type(finished_callback).__name__}")
        self._kind = kind
        self._callback = callback
        self._finished_callback = finished_callback
        self._blocksize = blocksize
        self._lock = threading.Lock()
        self._stopped = True
        self._finish_pending = False
        self._mode = "callback" if callback is not None else "push"
        self._adapter: Any = None
        self._sides: Tuple[Optional[_Side], Optional[_Side]]
        raw = self._raw
        try:
            if kind == "duplex":
                idev, odev = _sdd.split(device)
                ich, och = _sdd.split(channels)
                idt, odt = _sdd.split(dtype)
                ilat, olat = _sdd.split(latency)
                ins = _Side("input", what, idev, ich, idt, ilat, samplerate, raw)
                outs = _Side("output", what, odev, och, odt, olat, samplerate, raw)
                if ins.samplerate != outs.samplerate:
                    raise ValueError("Input and output device must have the same samplerate")
                if ins.backend != outs.backend:
                    raise pa_error(f"Error opening {what}: the input device is on {ins.backend} and the output "
                                   f"device on {outs.backend}", _sdd.PA_BAD_IO_COMBINATION)
                self._sides = (ins, outs)
                rate = round(ins.samplerate)
                msec, lat = _device_args(outs, blocksize, rate)
                self._device = DuplexStream(outs.format, outs.channels, ins.format, ins.channels, rate, msec,
                                            outs.device_id, ins.device_id, 0,
                                            [ins.backend] if ins.backend is not None else None,
                                            app_name="", latency=lat)
            else:
                side = _Side(kind, what, device, channels, dtype, latency, samplerate, raw)
                self._sides = (side, None) if kind == "input" else (None, side)
                rate = round(side.samplerate)
                msec, lat = _device_args(side, blocksize, rate)
                cls = CaptureDevice if kind == "input" else PlaybackDevice
                self._device = cls(side.format, side.channels, rate, msec, side.device_id, 0,
                                   [side.backend] if side.backend is not None else None, latency=lat)
        except PortAudioError:
            raise
        except MiniaudioError as exc:
            raise PortAudioError(f"Error opening {what}: {exc}", _sdd.PA_DEVICE_UNAVAILABLE[0]) from exc
        self._device.on_finished = self._ended_by_itself
        self._samplerate = float(self._device.sample_rate)
        self._opened_at = _time.monotonic()

    # ---- attributes ----------------------------------------------------------------------------

    @property
    def _in_side(self) -> _Side:
        side = self._sides[0]
        assert side is not None
        return side

    @property
    def _out_side(self) -> _Side:
        side = self._sides[1]
        assert side is not None
        return side

    def _pair(self, attr: str) -> Any:
        ins, outs = self._sides
        if ins is not None and outs is not None:
            return getattr(ins, attr), getattr(outs, attr)
        return getattr(ins or outs, attr)

    @property
    def samplerate(self) -> float:
        """The sampling frequency in Hertz (the device's, as opened)."""
        return self._samplerate

    @property
    def blocksize(self) -> int:
        """Frames per callback as asked for (0: the device's period, which miniaudio keeps fixed)."""
        return self._blocksize

    @property
    def device(self) -> Any:
        """The index (an (input, output) pair for duplex) of the device in :func:`query_devices`."""
        return self._pair("index")

    @property
    def channels(self) -> Any:
        """The number of input/output channels."""
        return self._pair("channels")

    @property
    def dtype(self) -> Any:
        """The data type of the samples, e.g. ``'float32'``."""
        return self._pair("dtype")

    @property
    def samplesize(self) -> Any:
        """The size in bytes of a single sample."""
        return self._pair("samplesize")

    @property
    def latency(self) -> Any:
        """The latency the backend granted, in seconds (an (input, output) pair for duplex)."""
        return self._device.latency

    @property
    def active(self) -> bool:
        """True while the stream runs: after start(), until stop()/abort()/close() or the
        callback ended it (CallbackStop, CallbackAbort, an exception)."""
        return not self.closed and bool(self._device.running)

    @property
    def stopped(self) -> bool:
        """True before start() and after stop()/abort()/close() (not after the callback ended the run)."""
        return self.closed or self._stopped

    @property
    def closed(self) -> bool:
        """True after close()."""
        return bool(self._device.closed)

    @property
    def time(self) -> float:
        """The current stream time in seconds: the clock of the callback's ``time`` argument."""
        return _time.monotonic()

    @property
    def cpu_load(self) -> float:
        """The time the callback took, as a fraction of the audio time it handled (0.0 for a
        blocking read/write stream)."""
        if self._mode != "callback":
            return 0.0
        stats = self._device.stats
        if not stats.frames:
            return 0.0
        return float(stats.callback_seconds / (stats.frames / self._samplerate))

    # ---- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.stop()
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("active" if self.active else "stopped" if self.stopped else "inactive")
        return f"<{type(self).__name__} device={self.device!r} {self.samplerate:g} Hz {state}>"

    def _begin(self) -> bool:
        if self.closed:
            raise PortAudioError("Error starting stream: the stream is closed", -9988)
        if not self._stopped:  # running, or ended by its callback and not stopped yet: as PortAudio
            return False
        self._stopped = False
        with self._lock:
            self._finish_pending = True
        return True

    def start(self) -> None:
        """Commence audio processing (nothing happens on a stream that was started and not stopped)."""
        if not self._begin():
            return
        try:
            if self._mode == "callback":
                runner = _make_runner(self)
                self._adapter = runner
                self._device.start(callback=runner)
            else:
                self._device.start()
        except BaseException:
            self._stopped = True
            with self._lock:
                self._finish_pending = False
            raise

    def _start_source(self, source: Any) -> None:
        """Play one of the package's streams on the device (the one-call play()), GIL-free."""
        self._mode = "source"
        if not self._begin():
            raise PortAudioError("Error starting stream: the stream is running", -9982)
        try:
            self._device.start(source)
        except BaseException:
            self._stopped = True
            with self._lock:
                self._finish_pending = False
            raise

    def _ended_by_itself(self, device: Any) -> None:
        """Event thread: the run ended by itself (CallbackStop/Abort, an exception, end of a source)."""
        self._call_finished()

    def _call_finished(self) -> None:
        with self._lock:
            pending, self._finish_pending = self._finish_pending, False
        if pending and self._finished_callback is not None:
            try:
                self._finished_callback()
            except Exception as exc:
                _report(exc, self._finished_callback)

    def _quiet(self, action: Callable[[], Any]) -> None:
        """Run a device call; the callback's own exception was reported when it happened (as
        sounddevice prints it) and is not raised again here."""
        error = self._device.callback_error
        try:
            action()
        except Exception as exc:
            if exc is not error and exc is not self._device.callback_error:
                raise

    def stop(self, ignore_errors: bool = True) -> None:
        """Terminate audio processing: what write() queued plays first (sounddevice's stop())."""
        if self.closed:
            return
        if self._mode == "push" and self._sides[1] is not None and self._device.running:
            self._quiet(lambda: self._device.drain(timeout=_DRAIN_SECONDS))
        self._quiet(self._device.stop)
        self._stopped = True
        self._call_finished()

    def abort(self, ignore_errors: bool = True) -> None:
        """Terminate audio processing at once, dropping what was not played."""
        if self.closed:
            return
        self._quiet(self._device.stop)
        self._stopped = True
        self._call_finished()

    def close(self, ignore_errors: bool = True) -> None:
        """Close the stream (as abort() if it runs); a closed stream cannot be started again."""
        if self._device is None or self.closed:
            return
        self._quiet(self._device.close)
        self._stopped = True
        self._call_finished()

    def _check_push(self, what: str) -> None:
        if self._mode == "callback":
            raise PortAudioError(*(_CANNOT_READ_CALLBACK if what == "read" else _CANNOT_WRITE_CALLBACK)[::-1])
        if self.closed:
            raise PortAudioError("Bad stream pointer: the stream is closed", -9988)
        if self._stopped:
            raise PortAudioError(_STREAM_IS_STOPPED[1], _STREAM_IS_STOPPED[0])


@contextlib.contextmanager
def _stopped_as_portaudio_error() -> Any:
    """A read()/write() ended by stop()/abort()/close() from another thread raises PortAudioError
    (Stream is stopped), as sounddevice does, not the device's plain MiniaudioError."""
    try:
        yield
    except PortAudioError:
        raise
    except MiniaudioError as exc:
        if not str(exc).startswith("the device stopped during "):
            raise
        raise PortAudioError(f"{_STREAM_IS_STOPPED[1]}: {exc}", _STREAM_IS_STOPPED[0]) from exc


class _InputStreamBase(_StreamBase):
    """read() and read_available."""

    @property
    def read_available(self) -> int:
        """The number of frames that can be read without waiting."""
        return int(self._device.read_available)

    def _raw_read(self, frames: int) -> Tuple[Any, bool]:
        """Read frames into a buffer of interleaved samples: returns (data, overflowed)."""
        self._check_push("read")
        side = self._in_side
        if isinstance(frames, bool) or not isinstance(frames, int):
            raise TypeError(f"frames must be an int, not {type(frames).__name__}")
        if frames < 0:
            raise ValueError(f"negative number of frames: {frames}")
        buf = bytearray(frames * side.frame_bytes)
        if frames:
            with _stopped_as_portaudio_error():
                self._device.read(frames, out=buf)
        if side.int8:
            buf = buf.translate(_sdd.FLIP_SIGN)
        return memoryview(buf), bool(self._device.overflowed)


class _OutputStreamBase(_StreamBase):
    """write() and write_available."""

    @property
    def write_available(self) -> int:
        """The number of frames that can be written without waiting."""
        return int(self._device.write_available)

    def _raw_write(self, data: Any) -> bool:
        """Write a buffer of interleaved samples; returns ``underflowed``."""
        self._check_push("write")
        side = self._out_side
        try:
            view = memoryview(data)
        except TypeError:
            view = memoryview(bytes(data))  # an iterable of ints, as sounddevice takes
        if not view.c_contiguous:
            raise TypeError("data must be C-contiguous")
        view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
        samples, remainder = divmod(len(view), side.samplesize)
        if remainder:
            raise ValueError("len(data) not divisible by samplesize")
        if samples % side.channels:
            raise ValueError("Number of samples not divisible by channels")
        if not samples:
            return False
        if side.int8:
            view = memoryview(bytes(view).translate(_sdd.FLIP_SIGN))
        with _stopped_as_portaudio_error():
            return bool(self._device.write(view))


class RawInputStream(_InputStreamBase):
    """Raw stream for recording only: the callback and read() get plain buffers (no numpy needed).

    The callback is called as ``callback(indata, frames, time, status)``; ``indata`` is a
    ``memoryview`` of bytes (interleaved samples).
    """

    _raw = True

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "input", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)

    read = _InputStreamBase._raw_read


class RawOutputStream(_OutputStreamBase):
    """Raw stream for playback only: the callback and write() use plain buffers (no numpy needed).

    The callback is called as ``callback(outdata, frames, time, status)``; fill ``outdata`` (a
    writable ``memoryview`` of bytes) with ``outdata[:] = ...``.
    """

    _raw = True

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "output", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)

    write = _OutputStreamBase._raw_write


class RawStream(RawInputStream, RawOutputStream):
    """Raw stream for playback and recording: ``callback(indata, outdata, frames, time, status)``
    with ``memoryview`` buffers; read() and write() on plain buffers."""

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "duplex", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)


class InputStream(_InputStreamBase):
    """Stream for input only, with numpy arrays: ``callback(indata, frames, time, status)``,
    ``indata`` a ``(frames, channels)`` array; read() returns ``(data, overflowed)``."""

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "input", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)

    def read(self, frames: int) -> Tuple[Any, bool]:
        """Read ``frames`` frames: returns ``(data, overflowed)``, data a ``(frames, channels)`` array."""
        import numpy as np
        data, overflowed = _InputStreamBase._raw_read(self, frames)
        side = self._in_side
        return np.frombuffer(data, dtype=side.dtype).reshape(-1, side.channels), overflowed


class OutputStream(_OutputStreamBase):
    """Stream for output only, with numpy arrays: ``callback(outdata, frames, time, status)``;
    write() takes a ``(frames, channels)`` array (1-D for mono) and returns ``underflowed``."""

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "output", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)

    def write(self, data: Any) -> bool:
        """Write a ``(frames, channels)`` array of the stream's dtype; returns ``underflowed``."""
        import numpy as np
        data = np.asarray(data)
        side = self._out_side
        if data.ndim < 2:
            data = data.reshape(-1, 1)
        elif data.ndim > 2:
            raise ValueError("data must be one- or two-dimensional")
        if data.shape[1] != side.channels:
            raise ValueError(f"number of channels must match: data has {data.shape[1]}, the stream "
                             f"{side.channels}")
        if data.dtype != side.dtype:
            raise TypeError(f"dtype mismatch: {data.dtype.name!r} vs {side.dtype!r}")
        if not data.flags.c_contiguous:
            raise TypeError("data must be C-contiguous")
        return _OutputStreamBase._raw_write(self, data)


class Stream(InputStream, OutputStream):
    """Stream for input and output, with numpy arrays:
    ``callback(indata, outdata, frames, time, status)``; read() and write() as
    :class:`InputStream` and :class:`OutputStream`.  ``device``, ``channels``, ``dtype`` and
    ``latency`` take one value for both sides or an (input, output) pair."""

    def __init__(self, samplerate: Any = None, blocksize: Any = None, device: Any = None, channels: Any = None,
                 dtype: Any = None, latency: Any = None, extra_settings: Any = None, callback: Any = None,
                 finished_callback: Any = None, clip_off: Any = None, dither_off: Any = None,
                 never_drop_input: Any = None, prime_output_buffers_using_stream_callback: Any = None) -> None:
        _StreamBase.__init__(self, "duplex", samplerate, blocksize, device, channels, dtype, latency, extra_settings,
                             callback, finished_callback, clip_off, dither_off, never_drop_input,
                             prime_output_buffers_using_stream_callback)


# ---- the callback runner -------------------------------------------------------------------------

def _make_runner(stream: _StreamBase) -> Any:
    """What the device calls every period: the user's callback itself when the device's buffers
    are what sounddevice passes (numpy, no fixed blocksize, no int8), else an adapter."""
    ins, outs = stream._sides
    int8 = (ins is not None and ins.int8) or (outs is not None and outs.int8)
    if not stream._raw and not stream._blocksize and not int8:
        return stream._callback
    return _Adapter(stream)


class _Adapter:
    """Re-blocks the device's periods into ``blocksize`` frames, and makes the buffers the user's
    callback gets (numpy arrays or memoryviews of bytes, int8 samples).  Runs on the audio thread,
    with the GIL (as any Python callback).  Queued bytes are kept in the device's format."""

    def __init__(self, stream: _StreamBase) -> None:
        self.user: Any = stream._callback
        self.kind = stream._kind
        self.block = stream._blocksize
        self.raw = stream._raw
        self.ins, self.outs = stream._sides
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.stopping = False
        if self.outs is not None:
            self.silence = b"\x80" if self.outs.format == SampleFormat.UNSIGNED8 else b"\x00"
            if self.kind == "duplex" and self.block:  # the output runs one block behind the input
                self.outbuf += self.silence * (self.block * self.outs.frame_bytes)
        if not self.raw:
            import numpy
            self.np = numpy

    def _user_in(self, block: bytearray) -> Any:
        side = self.ins
        assert side is not None
        if side.int8:
            block = block.translate(_sdd.FLIP_SIGN)
        if self.raw:
            return memoryview(block)
        return self.np.frombuffer(block, dtype=side.dtype).reshape(-1, side.channels)

    def _user_out(self, blk: bytearray) -> Any:
        side = self.outs
        assert side is not None
        if self.raw:
            return memoryview(blk)
        return self.np.frombuffer(blk, dtype=side.dtype).reshape(-1, side.channels)

    def _call(self, args: Tuple[Any, ...], blk: Optional[bytearray]) -> None:
        try:
            self.user(*args)
        except CallbackStop:
            self.stopping = True  # this block still plays (the callback filled it)
        finally:
            if blk is not None:
                self.outbuf += blk.translate(_sdd.FLIP_SIGN) if self.outs is not None and self.outs.int8 else blk

    def __call__(self, *args: Any) -> None:
        frames, time, status = args[-3], args[-2], args[-1]
        block = self.block or frames
        if self.ins is not None:
            self.inbuf += memoryview(args[0]).cast("B")
            in_bytes = block * self.ins.frame_bytes
        if self.kind == "input":
            while len(self.inbuf) >= in_bytes and not self.stopping:
                chunk = self.inbuf[:in_bytes]
                del self.inbuf[:in_bytes]
                self._call((self._user_in(chunk), block, time, status), None)
            if self.stopping:
                raise CallbackStop
            return
        outs = self.outs
        assert outs is not None
        need = frames * outs.frame_bytes
        out_bytes = block * outs.frame_bytes
        if self.kind == "output":
            while len(self.outbuf) < need and not self.stopping:
                blk = bytearray(out_bytes)
                self._call((self._user_out(blk), block, time, status), blk)
        else:
            while len(self.inbuf) >= in_bytes and not self.stopping:
                chunk = self.inbuf[:in_bytes]
                del self.inbuf[:in_bytes]
                blk = bytearray(out_bytes)
                self._call((self._user_in(chunk), self._user_out(blk), block, time, status), blk)
        target = memoryview(args[-4]).cast("B")
        n = min(need, len(self.outbuf))
        target[:n] = self.outbuf[:n]
        del self.outbuf[:n]
        if n < need:
            target[n:] = self.silence * (need - n)
        if self.stopping and not self.outbuf:
            raise CallbackStop
