"""PyAudio.Stream for miniaudio.pyaudio: a device's push I/O (write()/read() and their ring buffers),
and for callback streams a thread of its own that calls the user's callback with bytes, reads what
it needs from the capture ring and writes what it returns into the play ring.  (The callback does
not run on the audio thread: it never makes the audio thread wait for the GIL, and it needs no
numpy.)"""

import threading
import time
from typing import Any, Dict, Optional, Tuple

from . import _miniaudio as _ma
from ._devices import CaptureDevice, DuplexStream, PlaybackDevice
from ._errors import MiniaudioError
from . import pyaudio as _pa
from .pyaudio import _ERROR_TEXT, _FLIP_SIGN, _FORMATS, _error, _format_arg, _int_arg

_MAX_CHANNELS = 254  # MA_MAX_CHANNELS
_STOP_GRACE = 10.0  # seconds stop_stream()/close() wait for the callback thread before stopping the device


def _index_arg(value: Any, name: str) -> int:
    """A device index as PyAudio's C layer takes it: None -> -1 (the default), numbers -> int."""
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be integer (or None)")
    return int(value)


def _raw_view(data: Any) -> memoryview:
    """`data` as a flat memoryview of bytes (any buffer, read as raw frames as PyAudio does)."""
    if isinstance(data, str):
        raise TypeError("frames must be bytes or another bytes-like object, not str")
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"frames must be bytes or another bytes-like object, not {type(data).__name__}") from None
    if view.ndim == 1 and view.itemsize == 1 and view.c_contiguous:
        return view.cast("B") if view.format != "B" else view
    return memoryview(view.tobytes())


class _Stream:
    """PortAudio stream wrapper: use :meth:`PyAudio.open` to make one.

    Args:
        PA_manager: The :class:`PyAudio` that opens it.
        rate: The sample rate in Hz (an int).
        channels: The channel count.
        format: A PortAudio sample format: paInt16, paInt32, paInt24, paFloat32, paUInt8 or paInt8.
        input: Record.
        output: Play.
        input_device_index: The input device's index (None or negative: the default input).
        output_device_index: The output device's index (None or negative: the default output).
        frames_per_buffer: The frames per buffer: the device's period (rounded to whole
            milliseconds) and the ``frame_count`` of every callback; 0 (paFramesPerBufferUnspecified)
            lets the backend choose the period, and callbacks get 10 ms of frames.
        start: Start at once (otherwise :meth:`start_stream` does).
        input_host_api_specific_stream_info: Accepted and ignored.
        output_host_api_specific_stream_info: Accepted and ignored.
        stream_callback: ``callback(in_data, frame_count, time_info, status_flags)`` returning
            ``(out_data, flag)``: called on a thread of the stream's own (see docs/pyaudio.rst).

    Raises:
        ValueError: Neither input nor output; channels below 1; a device index that is not a number.
        TypeError: A non-integer rate, channels, format or frames_per_buffer; a callback that is not
            callable.
        OSError: PortAudio's error codes: ``-9996`` (invalid device), ``-9998`` (invalid number of
            channels), ``-9994`` (sample format not supported), ``-9997`` (invalid sample rate),
            ``-9993`` (input and output on two host APIs), ``-9999`` (the backend refused the device).
    """

    def __init__(self, PA_manager: Any, rate: int, channels: int, format: int, input: bool = False,
                 output: bool = False, input_device_index: Optional[int] = None,
                 output_device_index: Optional[int] = None, frames_per_buffer: int = 0, start: bool = True,
                 input_host_api_specific_stream_info: Any = None, output_host_api_specific_stream_info: Any = None,
                 stream_callback: Any = None) -> None:
        self._device: Any = None
        self._closed = True
        self._is_running = False
        if not (input or output):
            raise ValueError("Must specify an input or output stream.")
        PA_manager._check()
        rate = _int_arg(rate, "rate")
        channels = _int_arg(channels, "channels")
        format = _format_arg(format)
        frames_per_buffer = _int_arg(frames_per_buffer, "frames_per_buffer")
        if stream_callback is not None and not callable(stream_callback):
            raise TypeError("stream_callback must be callable")
        in_index = _index_arg(input_device_index, "input_device_index")
        out_index = _index_arg(output_device_index, "output_device_index")
        if channels < 1:
            raise ValueError("Invalid audio channels")
        devices = PA_manager._devices
        out_dev = in_dev = None
        if output:
            out_index = out_index if out_index >= 0 else PA_manager._default("defaultOutputDevice")
            if not 0 <= out_index < len(devices):
                raise _error(_pa.paInvalidDevice, "Invalid output device (no default output device)")
            out_dev = devices[out_index]
        if input:
            in_index = in_index if in_index >= 0 else PA_manager._default("defaultInputDevice")
            if not 0 <= in_index < len(devices):
                raise _error(_pa.paInvalidDevice, "Invalid input device (no default input device)")
            in_dev = devices[in_index]
        code = PA_manager._validate(rate, in_index if input else None, channels, format,
                                    out_index if output else None, channels, format)
        if code == _pa.paNoError and channels > _MAX_CHANNELS:
            code = _pa.paInvalidChannelCount
        if code == _pa.paNoError and not 0 <= frames_per_buffer <= rate * 10:
            code = _pa.paBufferTooBig
        if code != _pa.paNoError:
            raise _error(code)

        self._parent = PA_manager
        self._rate, self._channels, self._format = rate, channels, format
        self._is_input, self._is_output = bool(input), bool(output)
        self._frames_per_buffer = frames_per_buffer
        self._callback = stream_callback
        self._int8 = format == _pa.paInt8
        sample_format, width = _FORMATS[format]
        self._frame_bytes = width * channels
        # Callbacks get frames_per_buffer frames, or 10 ms when unspecified.
        self._cb_frames = frames_per_buffer or max(64, rate // 100)
        period_ms = frames_per_buffer * 1000.0 / rate
        options: Dict[str, Any] = {"backends": [(out_dev or in_dev).backend]}  # type: ignore[union-attr]
        if frames_per_buffer:
            options["buffersize_msec"] = max(1, round(period_ms))
        else:
            options["latency"] = "low"
        ring_out = min(600000.0, max(100.0, 3 * period_ms, 3000.0 * self._cb_frames / rate))
        ring_in = min(600000.0, max(1000.0, 4 * period_ms))
        try:
            if input and output:
                self._device = DuplexStream(sample_format, channels, sample_format, channels, rate,
                                            playback_device_id=out_dev.playback,  # type: ignore[union-attr]
                                            capture_device_id=in_dev.capture,  # type: ignore[union-attr]
                                            ring_msec=max(ring_out, ring_in), **options)
            elif output:
                self._device = PlaybackDevice(sample_format, channels, rate, device_id=out_dev.playback,  # type: ignore
                                              ring_msec=ring_out, **options)
            else:
                self._device = CaptureDevice(sample_format, channels, rate, device_id=in_dev.capture,  # type: ignore
                                             ring_msec=ring_in, **options)
        except (MiniaudioError, ValueError) as exc:
            raise _error(_pa.paUnanticipatedHostError, f"{_ERROR_TEXT[_pa.paUnanticipatedHostError]}: {exc}") from exc
        self._closed = False
        self._ring_frames = self._device.write_available if output else 0
        self._halt = threading.Event()
        self._pump: Optional[threading.Thread] = None
        self._pending: Optional[BaseException] = None
        self._cpu_seconds = 0.0
        self._run_started = 0.0
        if start:
            self.start_stream()

    # ---- stream info

    def _latencies(self) -> Tuple[float, float]:
        latency = self._device.latency
        if isinstance(latency, tuple):
            return (float(latency[0]), float(latency[1]))
        return (latency, 0.0) if self._is_input else (0.0, latency)

    def get_input_latency(self) -> float:
        """Returns the input latency in seconds (0.0 for an output-only stream): the backend's."""
        self._check_open()
        return float(self._latencies()[0]) if self._is_input else 0.0

    def get_output_latency(self) -> float:
        """Returns the output latency in seconds (0.0 for an input-only stream): the backend's plus
        the ring buffer that write() fills."""
        self._check_open()
        if not self._is_output:
            return 0.0
        return float(self._latencies()[1]) + self._ring_frames / self._rate

    def get_time(self) -> float:
        """Returns the stream's time in seconds: :func:`time.monotonic`, the clock of ``time_info``."""
        self._check_open()
        return time.monotonic()

    def get_cpu_load(self) -> float:
        """Returns the share of the time spent in the callback since the stream started (0.0 for
        blocking streams)."""
        self._check_open()
        if self._callback is None or not self._run_started:
            return 0.0
        return min(1.0, self._cpu_seconds / max(1e-9, time.monotonic() - self._run_started))

    # ---- life cycle

    def _check_open(self) -> None:
        if self._closed:
            raise _error(_pa.paBadStreamPtr, "Stream closed")

    def _raise_pending(self) -> None:
        exc, self._pending = self._pending, None
        if exc is not None:
            raise exc

    def start_stream(self) -> None:
        """Starts the stream (nothing if it is running)."""
        if self._is_running:
            return
        self._check_open()
        self._raise_pending()
        self._halt.clear()
        self._device.start()
        self._is_running = True
        self._run_started = time.monotonic()
        self._cpu_seconds = 0.0
        if self._is_input and self._is_output:
            # A duplex stream plays what it recorded a moment ago: give the output a head start so that
            # it does not run dry every period while the reader waits for the next input.
            self._device.write(bytes(2 * self._cb_frames * self._frame_bytes))
        if self._callback is not None:
            self._pump = threading.Thread(target=self._run_callback, name="miniaudio-pyaudio-callback",
                                          daemon=True)
            self._pump.start()

    def _halt_pump(self, abort: bool) -> None:
        """Tells the callback thread to stop and waits for it; `abort` first stops the device (close())."""
        self._halt.set()
        pump, self._pump = self._pump, None
        if pump is None or pump is threading.current_thread():
            return
        if abort:
            self._device.stop()
        pump.join(_STOP_GRACE)
        if pump.is_alive():  # a callback that does not return: stop the device under it
            self._device.stop()
            pump.join(_STOP_GRACE)

    def _drain(self) -> None:
        if self._is_output and self._device.running:
            self._device.drain(timeout=self._ring_frames / self._rate + 5.0)

    def stop_stream(self) -> None:
        """Stops the stream: what was written plays to the end first (as Pa_StopStream); recorded
        frames not read are dropped."""
        if not self._is_running:
            return
        self._halt_pump(abort=False)
        try:
            self._drain()
            self._device.stop()
        finally:
            self._is_running = False
        self._raise_pending()

    def close(self) -> None:
        """Closes the stream.  A callback stream stops at once; a blocking output stream first plays
        what was written (see docs/pyaudio.rst)."""
        self._close()
        self._raise_pending()

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._callback is not None:
                self._halt_pump(abort=True)
            else:
                try:
                    self._drain()
                except BaseException:
                    pass
            self._device.close()
        finally:
            self._is_running = False
            self._parent._remove_stream(self)

    def __del__(self) -> None:
        device = getattr(self, "_device", None)
        if device is not None and not getattr(self, "_closed", True):
            self._halt.set()
            try:
                device.close()
            except BaseException:
                pass

    def is_active(self) -> bool:
        """Returns whether the stream is active: started, and for a callback stream, its callback has
        not completed or aborted.  An exception the callback raised is raised here (once)."""
        if self._closed:
            raise OSError("Stream not open")
        self._raise_pending()
        return bool(self._is_running and self._device.running)

    def is_stopped(self) -> bool:
        """Returns whether the stream is stopped (not started, or stop_stream() called)."""
        self._check_open()
        return not self._is_running

    # ---- blocking I/O

    def write(self, frames: Any, num_frames: Optional[int] = None, exception_on_underflow: bool = False) -> None:
        """Writes frames to play, waiting while the ring buffer is full.

        Args:
            frames: Raw frames in the stream's format: ``bytes`` or any bytes-like object.
            num_frames: How many frames of ``frames`` to write (None: all its whole frames).
            exception_on_underflow: Raise ``OSError(-9980, 'Output underflowed')`` (after writing) if
                the output ran dry since the previous write.

        Raises:
            OSError: ``("Not output stream", -9974)`` on an input-only stream; ``-9976`` on a callback
                stream, ``-9988`` once closed, ``-9983`` when stopped.
            ValueError: Negative ``num_frames`` (``Invalid number of frames``), or more than
                ``frames`` holds.
        """
        if not self._is_output:
            raise OSError("Not output stream", _pa.paCanNotWriteToAnInputOnlyStream)
        view = _raw_view(frames)
        have = view.nbytes // self._frame_bytes
        count = have if num_frames is None else _int_arg(num_frames, "num_frames")
        if count < 0:
            raise ValueError("Invalid number of frames")
        if count > have:
            raise ValueError(f"num_frames is {count} but frames holds {have} frames")
        self._check_io(_pa.paCanNotWriteToACallbackStream)
        if count == 0:
            return
        data: Any = view[:count * self._frame_bytes]
        if self._int8:
            data = data.tobytes().translate(_FLIP_SIGN)
        try:
            underflowed = self._device.write(data)
        except MiniaudioError as exc:
            raise self._io_error(exc) from exc
        if underflowed and exception_on_underflow:
            raise _error(_pa.paOutputUnderflowed)

    def read(self, num_frames: int, exception_on_overflow: bool = True) -> bytes:
        """Reads recorded frames (raw, in the stream's format), waiting until that many were recorded.

        Args:
            num_frames: How many frames.
            exception_on_overflow: Raise ``OSError(-9981, 'Input overflowed')`` if recorded frames were
                dropped (the reader was late) before these; False returns the frames anyway.

        Raises:
            OSError: ``("Not input stream", -9975)`` on an output-only stream; ``-9977`` on a callback
                stream, ``-9988`` once closed, ``-9983`` when stopped, ``-9981`` as above.
            ValueError: Negative ``num_frames`` (``Invalid number of frames``).
        """
        if not self._is_input:
            raise OSError("Not input stream", _pa.paCanNotReadFromAnOutputOnlyStream)
        num_frames = _int_arg(num_frames, "num_frames")
        if num_frames < 0:
            raise ValueError("Invalid number of frames")
        self._check_io(_pa.paCanNotReadFromACallbackStream)
        try:
            data: bytes = self._device.read(num_frames, chunk_type="bytes")
        except MiniaudioError as exc:
            raise self._io_error(exc) from exc
        if self._device.overflowed and exception_on_overflow:
            raise _error(_pa.paInputOverflowed)
        return data.translate(_FLIP_SIGN) if self._int8 else data

    def _io_error(self, exc: MiniaudioError) -> OSError:
        """The OSError for a read()/write() the device ended: another thread's stop_stream() or
        close() gives PortAudio's ``-9983`` ("Stream is stopped"), anything else ``-9999``."""
        if self._closed or not self._is_running or not self._device.running:
            return _error(_pa.paStreamIsStopped, f"{_ERROR_TEXT[_pa.paStreamIsStopped]}: {exc}")
        return _error(_pa.paUnanticipatedHostError, f"{_ERROR_TEXT[_pa.paUnanticipatedHostError]}: {exc}")

    def _check_io(self, callback_code: int) -> None:
        self._check_open()
        if self._callback is not None:
            raise _error(callback_code)
        if not self._is_running:
            raise _error(_pa.paStreamIsStopped)

    def get_read_available(self) -> int:
        """Returns the frames read() can return without waiting (as PortAudio: a negative error code
        for an output-only or a callback stream)."""
        self._check_open()
        if not self._is_input:
            return _pa.paCanNotReadFromAnOutputOnlyStream
        if self._callback is not None:
            return _pa.paCanNotReadFromACallbackStream
        return int(self._device.read_available)

    def get_write_available(self) -> int:
        """Returns the frames write() can take without waiting (as PortAudio: a negative error code
        for an input-only or a callback stream)."""
        self._check_open()
        if not self._is_output:
            return _pa.paCanNotWriteToAnInputOnlyStream
        if self._callback is not None:
            return _pa.paCanNotWriteToACallbackStream
        return int(self._device.write_available)

    # ---- callback streams

    def _run_callback(self) -> None:
        """The callback thread: read, call, write, until the callback completes or aborts, the
        stream is stopped or closed, or the callback raises."""
        device, callback, frames = self._device, self._callback, self._cb_frames
        want = frames * self._frame_bytes
        in_lat, out_lat = self._latencies()
        status = 0
        flag = _pa.paContinue
        try:
            while not self._halt.is_set():
                in_data = None
                if self._is_input:
                    in_data = device.read(frames, chunk_type="bytes")
                    if device.overflowed:
                        status |= _pa.paInputOverflow
                    if self._int8:
                        in_data = in_data.translate(_FLIP_SIGN)
                if self._halt.is_set():
                    break
                now = time.monotonic()
                queued = self._ring_frames - device.write_available if self._is_output else 0
                time_info = {
                    "input_buffer_adc_time": now - in_lat - frames / self._rate if self._is_input else 0.0,
                    "current_time": now,
                    "output_buffer_dac_time": now + out_lat + queued / self._rate if self._is_output else 0.0,
                }
                started = time.perf_counter()
                result = callback(in_data, frames, time_info, status)
                self._cpu_seconds += time.perf_counter() - started
                status = 0
                out, flag = _callback_result(result)
                if self._is_output:
                    data = _raw_view(b"" if out is None else out)
                    if data.nbytes < want:
                        flag = _pa.paComplete if flag == _pa.paContinue else flag
                    data = data[:min(want, data.nbytes // self._frame_bytes * self._frame_bytes)]
                    if self._int8:
                        data = memoryview(data.tobytes().translate(_FLIP_SIGN))
                    if data.nbytes and flag != _pa.paAbort and device.write(data):
                        status |= _pa.paOutputUnderflow
                if flag != _pa.paContinue:
                    break
        except BaseException as exc:
            if isinstance(exc, MiniaudioError) and self._halt.is_set():
                return  # stop_stream()/close() stopped the device under a waiting read()/write()
            self._pending = exc
            try:
                _ma._write_unraisable(exc, callback)
            except BaseException:
                pass
            flag = _pa.paAbort
        if self._halt.is_set():
            return
        if flag == _pa.paComplete:
            self._drain()
        device.stop()


def _callback_result(result: Any) -> Tuple[Any, int]:
    """(out_data, flag) from what the callback returned, checked as PyAudio checks it."""
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(f"the stream callback must return a tuple (out_data, flag), not "
                        f"{type(result).__name__}{'' if not isinstance(result, tuple) else ' of ' + str(len(result))}")
    out, flag = result
    if isinstance(flag, bool) or not isinstance(flag, int):
        raise TypeError(f"the stream callback's flag must be an int (paContinue, paComplete or paAbort), not "
                        f"{type(flag).__name__}")
    if flag not in (_pa.paContinue, _pa.paComplete, _pa.paAbort):
        raise ValueError("Invalid PaStreamCallbackResult from callback")
    return out, flag
