"""Audio devices: enumeration (Devices), PlaybackDevice, CaptureDevice and DuplexStream.

The device classes subclass the C type ``_miniaudio._Device``, which owns the miniaudio context and
device and runs the audio-thread bridge (miniaudio_c/callback.c).  This module adds what is
easier in Python: argument normalisation, device ids as values, the event thread that runs
``on_finished`` off the audio thread, ``wait()``, and closing every live device at exit.
See docs/devices-api.md for the contract.
"""

import atexit
import dataclasses
import inspect
import sys
import threading
import types
import weakref
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Union

from . import _miniaudio as _ma
from ._decoding import MiniaudioError, width_from_format
from ._enums import Backend, DeviceType, SampleFormat, ThreadPriority, enum_value
from ._streams import GeneratorTypes

__all__ = ["Devices", "DeviceId", "DeviceStats", "AbstractDevice", "PlaybackDevice", "CaptureDevice",
           "DuplexStream"]

_ID_SIZE = 256  # sizeof(ma_device_id)
_STRING_ID_BACKENDS = {"PulseAudio", "ALSA", "Core Audio", "sndio", "audio(4)", "OSS", "Web Audio", "WASAPI"}


@dataclasses.dataclass(frozen=True, order=True)
class DeviceId:
    """Identifies a device of one backend: a value (hashable, comparable, picklable) rather than a
    pointer.  ``raw`` is miniaudio's ``ma_device_id`` without its trailing zero bytes."""

    backend: str
    raw: bytes

    def __str__(self) -> str:
        if self.backend in _STRING_ID_BACKENDS and self.backend != "WASAPI":
            return self.raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        if self.backend == "WASAPI":
            return self.raw.decode("utf-16-le", "replace").split("\0", 1)[0]
        return str(int.from_bytes(self.raw[:4].ljust(4, b"\0"), sys.byteorder, signed=True))


class DeviceStats(NamedTuple):
    """What a device's audio thread has done since the device was opened."""

    callbacks: int  #: data callbacks served while a generator or stream was running
    frames: int  #: frames played/recorded in those callbacks
    late_callbacks: int  #: callbacks whose own run time exceeded one period
    padded_callbacks: int  #: playback periods padded with silence: the generator gave fewer frames than asked
    max_callback_seconds: float  #: the longest callback
    callback_seconds: float  #: total time spent inside callbacks


BackendsType = Optional[Sequence[Union[Backend, int, str]]]


def _backend_values(backends: BackendsType) -> Optional[List[int]]:
    """Backend members, their values or their names (case-insensitive) -> a list of ints."""
    if backends is None:
        return None
    if isinstance(backends, (str, bytes, Backend)) or not hasattr(backends, "__iter__"):
        raise TypeError(f"backends must be a list of Backend values, not {type(backends).__name__}")
    values = []
    for b in backends:
        if isinstance(b, str):
            try:
                values.append(Backend[b.strip().upper().replace(" ", "")].value)
            except KeyError:
                names = ", ".join(m.name.lower() for m in Backend)
                raise ValueError(f"unknown backend name {b!r}; the backends are: {names}") from None
        else:
            values.append(enum_value(Backend, b, "backends"))
    return values or None


def _raw_id(device_id: Any, argname: str) -> Union[None, str, tuple]:
    """A device_id argument for the C layer: None, a name to look up, or (backend, raw id)."""
    if device_id is None or isinstance(device_id, str):
        return device_id
    if isinstance(device_id, dict) and "id" in device_id:
        device_id = device_id["id"]
    if isinstance(device_id, DeviceId):
        return (device_id.backend, bytes(device_id.raw))
    raise TypeError(f"{argname} must be None, a DeviceId, a device dict from Devices or a device name, "
                    f"not {type(device_id).__name__}")


class Devices:
    """Query the audio playback and record devices that miniaudio provides"""

    def __init__(self, backends: BackendsType = None) -> None:
        self._context = _ma._Context(_backend_values(backends))
        self.backend: str = self._context.backend

    def _list(self, device_type: DeviceType) -> List[Dict[str, Any]]:
        devices = []
        for name, raw, is_default, formats in self._context.devices(device_type.value):
            devices.append({
                "name": name,
                "type": device_type,
                "id": DeviceId(self.backend, raw.rstrip(b"\0")),
                "formats": [{"format": _ma.format_name(f), "samplerate": rate, "channels": channels}
                            for f, rate, channels in formats],
                "is_default": is_default,
            })
        return devices

    def get_playbacks(self) -> List[Dict[str, Any]]:
        """Get a list of playback devices and some details about them"""
        return self._list(DeviceType.PLAYBACK)

    def get_captures(self) -> List[Dict[str, Any]]:
        """Get a list of capture devices and some details about them"""
        return self._list(DeviceType.CAPTURE)

    def close(self) -> None:
        """Release the miniaudio context (also done when the object is collected)."""
        self._context.close()

    def __enter__(self) -> "Devices":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ---- the event thread ----------------------------------------------------------------------------

_live: "weakref.WeakSet[AbstractDevice]" = weakref.WeakSet()
_event_thread: Optional[threading.Thread] = None
_event_thread_lock = threading.Lock()


def _report(exc: BaseException, obj: Any) -> None:
    """Hands `exc` to sys.unraisablehook ("Exception ignored in: obj"); never raises."""
    try:
        _ma._write_unraisable(exc, obj)
    except BaseException:
        pass


def _event_loop() -> None:
    """Runs on the daemon thread "miniaudio-events": stops devices whose run ended by itself and
    calls their stop_callback / on_finished; closes devices whose last reference died on their own
    audio thread."""
    while True:
        try:
            events = _ma._next_events()
        except BaseException as exc:  # MemoryError: try again rather than die
            _report(exc, _event_loop)
            continue
        for device, run in events:
            try:
                if run == -1:
                    device._close()
                else:
                    device._run_ended(run)
            except BaseException as exc:  # never let the event thread die
                _report(exc, device)
        events = device = None  # drop the last references here, not while waiting


def _ensure_event_thread() -> None:
    global _event_thread
    with _event_thread_lock:
        if _event_thread is None or not _event_thread.is_alive():
            _event_thread = threading.Thread(target=_event_loop, name="miniaudio-events", daemon=True)
            _event_thread.start()


@atexit.register
def _close_all_devices() -> None:
    """Interpreter exit: stop and release every live device before Python tears itself down."""
    for device in list(_live):
        try:
            device._close()
        except BaseException:
            pass


# ---- devices -------------------------------------------------------------------------------------


class AbstractDevice(_ma._Device):
    """The behaviour shared by PlaybackDevice, CaptureDevice and DuplexStream."""

    def __init__(self) -> None:
        self.stop_callback: Optional[Callable[[], Any]] = None
        self.on_finished: Optional[Callable[["AbstractDevice"], Any]] = None
        self._ended = threading.Event()
        self._ended.set()
        # Serialises start/stop/close/end-of-run handling of this device between threads (the C
        # calls release the GIL).  Never taken on the audio thread: those calls refuse to run there.
        self._op_lock = threading.Lock()

    def _setup(self, device_type: DeviceType, play_format: Any, play_channels: Any, capture_format: Any,
               capture_channels: Any, sample_rate: Any, buffersize_msec: int, play_id: Any, capture_id: Any,
               callback_periods: int, backends: BackendsType, thread_prio: Any, app_name: str,
               on_finished: Optional[Callable[["AbstractDevice"], Any]]) -> None:
        AbstractDevice.__init__(self)
        if on_finished is not None and not callable(on_finished):
            raise TypeError("on_finished must be callable or None")
        self.on_finished = on_finished
        if not isinstance(app_name, str):
            raise TypeError(f"app_name must be a str, not {type(app_name).__name__}")
        for name, value, top in (("buffersize_msec", buffersize_msec, 10000), ("callback_periods", callback_periods, 64)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            if not 0 <= value <= top:
                raise ValueError(f"{name} must be 0..{top} (0: the backend's default), not {value}")
        self._open(device_type.value, play_format, play_channels, capture_format, capture_channels, sample_rate,
                   buffersize_msec, callback_periods, play_id, capture_id, _backend_values(backends),
                   enum_value(ThreadPriority, thread_prio, "thread_prio"), app_name)
        info = self._info
        self.backend: str = info["backend"]
        self.sample_rate: int = info["sample_rate"]
        self.buffersize_msec = buffersize_msec
        self.device_name: Optional[str] = info["playback_name"] or info["capture_name"] or None
        _live.add(self)

    @property
    def stats(self) -> DeviceStats:
        """Callbacks served, frames, late and padded callbacks, callback time (see DeviceStats)."""
        return DeviceStats(*self._stats)

    def start(self, callback_generator: GeneratorTypes) -> None:
        """Start the device with the given generator (see the subclasses for the protocol).
        A generator that has not been started yet is primed with next() first."""
        if self._on_audio_thread:
            raise RuntimeError("start() called from the device's own callback generator")
        _ensure_event_thread()
        if not self._ended.is_set() and threading.current_thread() is not _event_thread and not self.running:
            self._ended.wait()  # the last run ended by itself: let its on_finished run first
        with self._op_lock:
            if self.closed:
                raise MiniaudioError("cannot start a closed device")
            if self.running:
                raise MiniaudioError("can't start an already started device")
            gen = callback_generator
            if isinstance(gen, types.GeneratorType) and inspect.getgeneratorstate(gen) == inspect.GEN_CREATED:
                next(gen)
            self._ended.clear()
            try:
                self._start(gen)
            except BaseException:
                self._ended.set()
                raise

    def stop(self) -> None:
        """Halt playback or capture.  Raises the exception that ended the run, if not raised yet."""
        if self._on_audio_thread:
            self._halt()  # raises the RuntimeError
        with self._op_lock:
            self._halt()
            self._ended.set()
        self._raise_pending()

    def close(self) -> None:
        """Halt playback or capture and close down the device (idempotent).  If you use the device as
        a context manager, it will be closed automatically."""
        if self._on_audio_thread:
            self._close()  # raises the RuntimeError
        with self._op_lock:
            self._close()
            self._ended.set()
        self.stop_callback = None
        self._raise_pending()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the current run has ended (its generator finished or failed, or stop()/close()
        was called) and its on_finished callback has run.  True if it has, False on timeout.
        Raises the exception that ended the run, if not raised yet."""
        if self._on_audio_thread:
            raise RuntimeError("wait() called from the device's own callback generator would wait forever")
        if threading.current_thread() is _event_thread and not self._ended.is_set():
            raise RuntimeError("wait() called from on_finished/stop_callback would wait for itself")
        done = self._ended.wait(timeout)
        if done:
            self._raise_pending()
        return done

    def _raise_pending(self) -> None:
        error = self._take_error()
        if error is not None:
            raise error

    def _run_ended(self, run: int) -> None:
        """Event thread: the run ended by itself; stop the device and call the callbacks."""
        with self._op_lock:
            if not self._end_run(run):
                return
        try:
            for callback, args in ((self.stop_callback, ()), (self.on_finished, (self,))):
                if callback is not None:
                    try:
                        callback(*args)
                    except BaseException as exc:
                        _report(exc, callback)
        finally:
            if self._run == run:
                self._ended.set()

    def __enter__(self) -> "AbstractDevice":
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            try:
                self.close()
            except Exception:
                pass  # the with-block's own exception is the one to see

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("running" if self.running else "stopped")
        name = getattr(self, "device_name", None)
        return f"<{type(self).__name__} {name!r} {getattr(self, 'backend', '?')} {state}>"


class PlaybackDevice(AbstractDevice):
    """An audio device provided by miniaudio, for audio playback."""

    def __init__(
        self,
        output_format: SampleFormat = SampleFormat.SIGNED16,
        nchannels: int = 2,
        sample_rate: int = 44100,
        buffersize_msec: int = 200,
        device_id: Any = None,
        callback_periods: int = 0,
        backends: BackendsType = None,
        thread_prio: ThreadPriority = ThreadPriority.HIGHEST,
        app_name: str = "",
        *,
        on_finished: Optional[Callable[["AbstractDevice"], Any]] = None,
    ) -> None:
        self._setup(DeviceType.PLAYBACK, output_format, nchannels, None, None, sample_rate, buffersize_msec,
                    _raw_id(device_id, "device_id"), None, callback_periods, backends, thread_prio, app_name,
                    on_finished)
        self.format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))
        self.sample_width = width_from_format(self.format)
        self.nchannels: int = self._info["playback_channels"]

    def start(self, callback_generator: GeneratorTypes) -> None:
        """Start the audio device: playback begins. The audio data is provided by the given callback generator.
        The generator gets sent the required number of frames and should yield the sample data
        as raw bytes, a memoryview, an array.array, or as a numpy array with shape (numframes, numchannels).
        One of the package's own streams (stream_file, stream_memory, ...) is played without the GIL."""
        return super().start(callback_generator)


class CaptureDevice(AbstractDevice):
    """An audio device provided by miniaudio, for audio capture (recording)."""

    def __init__(
        self,
        input_format: SampleFormat = SampleFormat.SIGNED16,
        nchannels: int = 2,
        sample_rate: int = 44100,
        buffersize_msec: int = 200,
        device_id: Any = None,
        callback_periods: int = 0,
        backends: BackendsType = None,
        thread_prio: ThreadPriority = ThreadPriority.HIGHEST,
        app_name: str = "",
        *,
        on_finished: Optional[Callable[["AbstractDevice"], Any]] = None,
    ) -> None:
        self._setup(DeviceType.CAPTURE, None, None, input_format, nchannels, sample_rate, buffersize_msec, None,
                    _raw_id(device_id, "device_id"), callback_periods, backends, thread_prio, app_name, on_finished)
        self.format = SampleFormat(enum_value(SampleFormat, input_format, "input_format"))
        self.sample_width = width_from_format(self.format)
        self.nchannels: int = self._info["capture_channels"]

    def start(self, callback_generator: GeneratorTypes) -> None:
        """Start the audio device: capture (recording) begins.
        The recorded audio data is sent to the given callback generator as a bytearray."""
        return super().start(callback_generator)


class DuplexStream(AbstractDevice):
    """Joins a capture device and a playback device."""

    def __init__(
        self,
        playback_format: SampleFormat = SampleFormat.SIGNED16,
        playback_channels: int = 2,
        capture_format: SampleFormat = SampleFormat.SIGNED16,
        capture_channels: int = 2,
        sample_rate: int = 44100,
        buffersize_msec: int = 200,
        playback_device_id: Any = None,
        capture_device_id: Any = None,
        callback_periods: int = 0,
        backends: BackendsType = None,
        thread_prio: ThreadPriority = ThreadPriority.HIGHEST,
        app_name: str = "",
        *,
        on_finished: Optional[Callable[["AbstractDevice"], Any]] = None,
    ) -> None:
        self._setup(DeviceType.DUPLEX, playback_format, playback_channels, capture_format, capture_channels,
                    sample_rate, buffersize_msec, _raw_id(playback_device_id, "playback_device_id"),
                    _raw_id(capture_device_id, "capture_device_id"), callback_periods, backends, thread_prio,
                    app_name, on_finished)
        self.playback_format = SampleFormat(enum_value(SampleFormat, playback_format, "playback_format"))
        self.capture_format = SampleFormat(enum_value(SampleFormat, capture_format, "capture_format"))
        self.sample_width = width_from_format(self.capture_format)
        self.playback_channels: int = self._info["playback_channels"]
        self.capture_channels: int = self._info["capture_channels"]

    def start(self, callback_generator: GeneratorTypes) -> None:
        """Start the audio device: playback and capture begin.
        The audio data for playback is provided by the given callback generator, which is sent the
        recorded audio data (a bytearray) at the same time."""
        return super().start(callback_generator)
