"""Audio devices: PlaybackDevice, CaptureDevice and DuplexStream, and what they share (AbstractDevice).

The device classes subclass the C type ``_miniaudio._Device``, which owns the miniaudio context and
device and runs the audio-thread bridge (miniaudio_c/callback.c).  This module adds what is
easier in Python: argument normalisation, ``start()``/``stop()``/``close()``/``wait()`` and the end
of a run.  Enumeration and device ids are in _enumeration.py, the event thread that runs
``on_finished`` off the audio thread and the closing of every live device at exit in _events.py.
See docs/devices-api.rst for the contract.
"""

import threading
import warnings
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, TypeVar

from . import _callbacks
from . import _events
from . import _miniaudio as _ma
from ._convert import width_from_format
from ._async import _AsyncIO, _EndedEvent
from ._device_io import _PushIO
from ._devvolume import _VolumePause
from ._notifications import _Notifications
from ._prefetch import _Prefetch
from ._devopts import ChannelMapType, channel_map_bytes, device_options, performance_profile_value
# DeviceId and Devices: miniaudio/__init__.py imports them from here with the device classes.
from ._enumeration import BackendsType, DeviceId, Devices, _backend_values, _raw_id
from ._errors import MiniaudioError
from ._enums import DeviceType, SampleFormat, ThreadPriority, enum_value
from ._events import _ensure_event_thread, _live, _report  # _events._event_thread: rebound there
from ._streams import GeneratorTypes
from ._types import _generator_unstarted

__all__ = ["Devices", "DeviceId", "DeviceStats", "AbstractDevice", "PlaybackDevice", "CaptureDevice",
           "DuplexStream"]


class DeviceStats(NamedTuple):
    """What a device's audio thread has done since the device was opened (:attr:`AbstractDevice.stats`).

    A named tuple.  A late callback took longer than its period lasts (frames / sample rate): the
    audio had a gap.  A padded callback got fewer frames than it asked for and played silence
    for the rest; the short last chunk of a stream counts too.
    """

    callbacks: int  #: data callbacks served while a generator or stream was running
    frames: int  #: frames played/recorded in those callbacks
    late_callbacks: int  #: callbacks whose own run time exceeded one period
    padded_callbacks: int  #: playback periods padded with silence: the generator gave fewer frames than asked
    max_callback_seconds: float  #: the longest callback
    callback_seconds: float  #: total time spent inside callbacks
    underflows: int = 0  #: write(): times the ring ran dry while being written to (silence was heard)
    #: read(): periods whose recorded frames did not all fit in the ring (the reader was late); a
    #: DuplexStream on PulseAudio or JACK: times its input did not fit in the buffer that passes it
    #: to the playback side (the callback was late by more than five periods)
    overflows: int = 0
    dropped_frames: int = 0  #: recorded frames dropped by those overflows


# miniaudio's performance profiles (ma_performance_profile) and the periods it uses by default
_PROFILE_LOW_LATENCY, _PROFILE_CONSERVATIVE = 0, 1
_DEFAULT_PERIODS = 3


def _latency_setting(latency: Any, buffersize_msec: int, callback_periods: int) -> Tuple[int, int]:
    """(buffersize_msec, performance profile) for a device's `latency` argument, as sounddevice's:
    "low" (miniaudio's low-latency profile and its default period, 10 ms), "high" (the conservative
    profile and its default period, 100 ms), or seconds for the whole buffer (split into the
    callback periods); None keeps buffersize_msec."""
    if latency is None:
        return buffersize_msec, _PROFILE_LOW_LATENCY
    if isinstance(latency, str):
        if latency == "low":
            return 0, _PROFILE_LOW_LATENCY
        if latency == "high":
            return 0, _PROFILE_CONSERVATIVE
        raise ValueError(f"latency must be 'low', 'high' or a number of seconds, not {latency!r}")
    if isinstance(latency, bool) or not isinstance(latency, (int, float)):
        raise TypeError(f"latency must be 'low', 'high' or a number of seconds, not {type(latency).__name__}")
    if not 0.001 <= latency <= 10.0:
        raise ValueError(f"latency must be 0.001 to 10 seconds, not {latency}")
    periods = callback_periods or _DEFAULT_PERIODS
    period_msec = max(1, round(latency * 1000 / periods))
    return period_msec, _PROFILE_LOW_LATENCY if latency < 0.1 else _PROFILE_CONSERVATIVE


# ---- devices -------------------------------------------------------------------------------------


# The C getset behind `device._data_callback` (1.71's per-period method, replaceable per instance).
_DEFAULT_DATA_CALLBACK: Any = _ma._Device.__dict__["_data_callback"]

_DeviceT = TypeVar("_DeviceT", bound="AbstractDevice")  # `with PlaybackDevice() as d`: d is a PlaybackDevice


class AbstractDevice(_AsyncIO, _PushIO, _Prefetch, _Notifications, _ma._Device):
    """What :class:`PlaybackDevice`, :class:`CaptureDevice` and :class:`DuplexStream` share.

    Not created directly.  A device opens at creation and is a context manager: leaving the
    ``with`` block closes it.  Devices still open at interpreter exit are closed by an
    :mod:`atexit` handler.  See :doc:`devices` for the generator protocol.

    Attributes:
        backend (str): miniaudio's name of the backend in use, e.g. ``"PulseAudio"`` or ``"Null"``.
        sample_rate (int): The sample rate in Hz (the device's own if 0 was asked for).
        buffersize_msec (int): The period in milliseconds, as given.
        device_name (str or None): The name of the device (of the playback side for a
            :class:`DuplexStream`).
        stop_callback (callable or None): Called with no arguments when a run ends by itself
            (as in 1.71; just before ``on_finished``).  Settable.
        on_finished (callable or None): Called as ``on_finished(device)`` when a run ends by
            itself: the generator returned or raised, the stream ended, or the device was lost;
            not after :meth:`stop` or :meth:`close`.  It runs on the package's event thread
            ("miniaudio-events", shared by all devices), never on the audio thread, so it may
            start the device again.  An exception in it goes to :func:`sys.unraisablehook`.
            Settable.
    """

    def __init__(self) -> None:
        self.stop_callback: Optional[Callable[[], Any]] = None
        self.on_finished: Optional[Callable[["AbstractDevice"], Any]] = None
        self._ended = _EndedEvent()  # wakes wait_async() too (_async.py)
        self._ended.set()
        # Serialises start/stop/close/end-of-run handling of this device between threads (the C
        # calls release the GIL).  Never taken on the audio thread: those calls refuse to run there.
        self._op_lock = threading.Lock()
        self._notes_init()

    def _setup(self, device_type: DeviceType, play_format: Any, play_channels: Any, capture_format: Any,
               capture_channels: Any, sample_rate: Any, buffersize_msec: int, play_id: Any, capture_id: Any,
               callback_periods: int, backends: BackendsType, thread_prio: Any, app_name: str,
               on_finished: Optional[Callable[["AbstractDevice"], Any]], latency: Any = None,
               options: Optional[Dict[str, Any]] = None, performance_profile: Optional[str] = None) -> None:
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
        buffersize_msec, profile = _latency_setting(latency, buffersize_msec, callback_periods)
        profile = performance_profile_value(performance_profile, profile)
        self._open(device_type.value, play_format, play_channels, capture_format, capture_channels, sample_rate,
                   buffersize_msec, callback_periods, play_id, capture_id, _backend_values(backends),
                   enum_value(ThreadPriority, thread_prio, "thread_prio"), app_name, profile, options)
        info = self._info
        self.backend: str = info["backend"]
        self.sample_rate: int = info["sample_rate"]
        self.buffersize_msec = buffersize_msec if latency is None else _latency_setting(latency, buffersize_msec,
                                                                                         callback_periods)[0]
        self.device_name: Optional[str] = info["playback_name"] or info["capture_name"] or None
        _live.add(self)

    @property
    def stats(self) -> DeviceStats:
        """The device's statistics: callbacks, frames, late and padded callbacks, callback time.

        A :class:`DeviceStats` named tuple, counted since the device was opened.
        """
        return DeviceStats(*self._stats)

    def start(self, callback_generator: Optional[GeneratorTypes] = None, *,
              callback: Optional[Callable[..., Any]] = None, input_type: Optional[str] = None,
              prefetch_msec: Optional[float] = None) -> None:
        """Start a run: the device calls the generator, or the callback, from its audio thread.

        See the subclasses' ``start()`` for what the generator is sent and yields.  A Python generator
        that has not been started yet is primed with ``next()`` first (1.71 required you to do that;
        both work).  If the previous run ended by itself, ``start()`` first waits until its
        ``on_finished`` has run.  A device can be started again after it stopped or finished.

        Without a generator the device starts for :meth:`write` and :meth:`read` (the first of
        those starts a device that is not running, too).

        With ``callback=fn`` the device calls ``fn`` every period, as sounddevice does (see
        :ref:`device-callbacks`).

        With ``prefetch_msec``, a thread of the package runs a Python generator up to that many
        milliseconds ahead of the audio thread, which then never waits for the GIL (see
        :doc:`realtime`); the generator is sent and yields the same things.

        Args:
            callback_generator: A generator, or any object with ``send()``; None for write()/read().
            callback: A function called every period with the buffers (instead of a generator).
            input_type: What a capture or duplex generator is sent: ``"bytearray"`` (the default,
                as in 1.71) or ``"numpy"`` (a ``(frames, channels)`` array of the device's dtype).
            prefetch_msec: Run the generator this far ahead, in milliseconds (at least one period,
                at most 60000), on a thread of its own; None (the default): on the audio thread.

        Raises:
            MiniaudioError: The device is running already, or it is closed.
            TypeError: ``callback_generator`` has no ``send()`` method, ``callback`` is not callable,
                both were given, or ``prefetch_msec`` is given without a generator, with a
                callback or with one of the package's streams, or is not a number.
            ValueError: An unknown ``input_type``, ``input_type`` with a callback or a playback
                device, or ``prefetch_msec`` out of range.
            RuntimeError: Called from the device's own generator.
        """
        if callback is not None and callback_generator is not None:
            raise TypeError("start() takes either callback_generator or callback=, not both")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        numpy_input = _callbacks.check_input_type(input_type)
        playback = isinstance(self, PlaybackDevice)
        if (input_type is not None and playback) or (numpy_input and callback_generator is None):
            raise ValueError("input_type applies to the generator of a CaptureDevice or DuplexStream (a callback "
                             "always gets arrays; read() has chunk_type=)")
        if self._on_audio_thread:
            raise RuntimeError("start() called from the device's own callback generator")
        frames = 0 if prefetch_msec is None else self._prefetch_frames(prefetch_msec, callback_generator)
        if frames and numpy_input:
            raise ValueError("input_type='numpy' cannot be combined with prefetch_msec yet: a prefetched capture "
                             "generator is sent bytearrays")
        if frames and type(self)._data_callback is not _DEFAULT_DATA_CALLBACK:
            raise TypeError("prefetch_msec cannot be used with an overridden _data_callback (it is called on the "
                            "audio thread every period)")
        _ensure_event_thread()
        if not self._ended.is_set() and threading.current_thread() is not _events._event_thread and not self.running:
            self._ended.wait()  # the last run ended by itself: let its on_finished run first
        with self._op_lock:
            if self.closed:
                raise MiniaudioError("cannot start a closed device")
            if self.running:
                raise MiniaudioError("can't start an already started device")
            gen = callback_generator
            if gen is not None and _generator_unstarted(gen):
                try:
                    next(gen)
                except StopIteration:
                    raise ValueError("callback_generator returned before its first yield") from None
            if frames:
                self._ended.clear()
                try:
                    self._prefetch_begin(gen, frames, "duplex" if isinstance(self, DuplexStream) else
                                         "capture" if isinstance(self, CaptureDevice) else "playback")
                except BaseException:
                    self._prefetch_join(self._prefetch_halted())
                    self._ended.set()
                    raise
                return
            method = None
            if callback is not None:
                gen = _callbacks.callback_runner(self, callback)
            elif numpy_input and hasattr(gen, "send") and not isinstance(gen, _ma.DecoderStream):
                fmt = getattr(self, "capture_format", None) or self.format  # type: ignore[attr-defined]
                gen = _callbacks.numpy_generator_runner(self, gen, fmt)
            elif gen is not None and type(self)._data_callback is not _DEFAULT_DATA_CALLBACK:
                # A subclass overrides 1.71's private per-period method (super()._data_callback
                # reaches the default): the C layer calls it every period of this run.
                warnings.warn("_data_callback is private: overriding it works as in miniaudio 1.71, but "
                              "device.stats counts the callbacks without slowing the audio thread",
                              DeprecationWarning, stacklevel=3)
                method = self._data_callback
            self._ended.clear()
            try:
                self._start(gen, method)
            except BaseException:
                self._ended.set()
                raise

    def stop(self) -> None:
        """Stop the run (no-op when not running).

        When it returns, the audio thread has left the generator and will not call it again.
        ``on_finished`` is not called for a run stopped this way.

        Raises:
            BaseException: The exception that ended the run (raised by the generator, a bad chunk, a
                decode error), if no ``stop()``, ``close()`` or ``wait()`` has raised it yet.
            RuntimeError: Called from the device's own generator (it would wait for itself).
        """
        if self._on_audio_thread:
            self._halt()  # raises the RuntimeError
        with self._op_lock:
            self._halt()
            feeder = self._prefetch_halted()
            self._ended.set()
        self._prefetch_join(feeder)
        self._raise_pending()

    def close(self) -> None:
        """Stop the device and release it and its miniaudio context (idempotent).

        Leaving a ``with`` block calls it.

        Raises:
            BaseException: The exception that ended the run, if not raised yet (as for :meth:`stop`).
            RuntimeError: Called from the device's own generator.
        """
        if self._on_audio_thread:
            self._close()  # raises the RuntimeError
        with self._op_lock:
            feeder = self._prefetch_halted()
            self._close()
            self._ended.set()
        self._prefetch_join(feeder)
        self.stop_callback = None
        self._raise_pending()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the current run has ended and its callbacks have run.

        A run ends when the generator returns or raises, the stream ends, :meth:`stop` or
        :meth:`close` is called, or the device is lost.  At the end of a playback stream the device
        first plays one buffer of silence, so that the end is heard.  Returns True at once when the
        device is not running.

        Args:
            timeout: The most seconds to wait; None waits as long as it takes.

        Returns:
            bool: True if the run has ended, False on timeout.

        Raises:
            BaseException: The exception that ended the run, if not raised yet (as for :meth:`stop`).
            RuntimeError: Called from the device's own generator, or from ``on_finished`` /
                ``stop_callback`` (it would wait for itself).
        """
        if self._on_audio_thread:
            raise RuntimeError("wait() called from the device's own callback generator would wait forever")
        if threading.current_thread() is _events._event_thread and not self._ended.is_set():
            raise RuntimeError("wait() called from on_finished/stop_callback would wait for itself")
        if self._on_feeder_thread and not self._ended.is_set():
            raise RuntimeError("wait() called from the device's own generator (prefetch) would wait for itself")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
                raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
            if timeout != timeout:
                raise ValueError("timeout must be a number of seconds or None, not nan")
            if timeout > threading.TIMEOUT_MAX:
                raise OverflowError(f"timeout must be at most {threading.TIMEOUT_MAX} s (or None), not {timeout}")
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
            feeder = self._feeder
            finished = feeder is not None and feeder.finished
            feeder_thread = self._prefetch_halted()
        # A feeder that ended the run itself is about to return; one that did not (the device
        # was lost) leaves its wait at once, but may be inside the generator: never wait for that.
        self._prefetch_join(feeder_thread if finished else None, 1.0)
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

    def __enter__(self: "_DeviceT") -> "_DeviceT":
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


class PlaybackDevice(_VolumePause, AbstractDevice):
    """A playback device: plays the frames a generator yields, or one of the package's streams.

    >>> stream = miniaudio.stream_file("samples/tone.mp3", seek_frame=39690)  # last 0.1 s
    >>> with miniaudio.PlaybackDevice(backends=["null"], buffersize_msec=20) as device:
    ...     device.start(stream)
    ...     device.wait(timeout=10)
    True

    Args:
        output_format: The sample format the device plays.
        nchannels: The channel count (0: the device's own; the attribute then shows it).
        sample_rate: The sample rate in Hz (0: the device's own; the attribute then shows it).
        buffersize_msec: The period in milliseconds: how much audio one callback handles
            (miniaudio's ``periodSizeInMilliseconds``; 0: the backend's default).  The default,
            200, is 1.71's and gives high latency; see :doc:`realtime`.
        device_id: None (the default device), a :class:`DeviceId`, a device dict from
            :class:`Devices`, or a name: a case-insensitive substring of the device's name (an
            exact name wins).
        callback_periods: How many periods the backend buffers (0: the backend's default).
        backends: The backends to try, in order: :class:`Backend` members, their int values or
            their names (``"pulseaudio"``, ``"alsa"``, ``"jack"``, ``"null"``, ...;
            case-insensitive).  None tries miniaudio's default order.
        thread_prio: The priority of miniaudio's audio thread.
        app_name: The application name that PulseAudio and JACK show.
        on_finished: Called as ``on_finished(device)`` when a run ends by itself (see
            :attr:`AbstractDevice.on_finished`); None for no call.
        ring_msec: The size of the ring buffer between :meth:`~AbstractDevice.write` /
            :meth:`~AbstractDevice.read` and the audio thread, in milliseconds (None: four
            periods, at least 100 ms).
        latency: As in sounddevice: ``"low"`` (miniaudio's low-latency profile with its default
            10 ms periods), ``"high"`` (its conservative profile, 100 ms periods) or the seconds
            the backend's whole buffer should hold (split into ``callback_periods`` periods, 3 by
            default); it replaces ``buffersize_msec``.  None: ``buffersize_msec`` decides.  The
            :attr:`~AbstractDevice.latency` attribute reports what the backend granted.
        exclusive: Ask for exclusive use of the device (miniaudio's share mode; WASAPI, DirectSound,
            ALSA, Core Audio, AAudio, OSS, audio(4)); ValueError on other backends.
        channel_map: The channel position of each of the device's channels, names such as
            ``"front_left"``/``"FL"`` or ints (see :ref:`backend-settings`).
        performance_profile: ``"low_latency"`` or ``"conservative"`` (miniaudio's profile); None:
            as ``latency`` gives it (low latency by default).
        no_clip: Do not clip FLOAT32 output to -1..1 (FLOAT32 devices only).
        no_pre_silence: miniaudio does not clear the output buffer before the callback.
        stream_name: The stream name PulseAudio shows (``pactl list sink-inputs``); ValueError on
            other backends.
        backend_options: Settings of one backend, ``{"pulse": {...}, "wasapi": {...}, ...}`` (see
            :ref:`backend-settings`); the sections of backends not opened are not used.

    Attributes:
        format (SampleFormat): The sample format.
        sample_width (int): Bytes per sample.
        nchannels (int): The channel count.

    Raises:
        ValueError: An argument is out of range (the message names it), or no device or more than
            one matches a device name (the message lists the devices).
        TypeError: An argument has the wrong type (the message names it).
        MiniaudioError: None of the backends is available, or the device cannot be opened.
    """

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
        ring_msec: Optional[float] = None,
        latency: Any = None,
        exclusive: bool = False,
        channel_map: ChannelMapType = None,
        performance_profile: Optional[str] = None,
        no_clip: bool = False,
        no_pre_silence: bool = False,
        stream_name: Optional[str] = None,
        backend_options: Optional[Dict[Any, Dict[str, Any]]] = None,
    ) -> None:
        self.format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))  # before opening
        if no_clip is True and self.format is not SampleFormat.FLOAT32:
            raise ValueError(f"no_clip applies to output_format=SampleFormat.FLOAT32 only, not {self.format.name}")
        options = device_options(exclusive=exclusive, playback_map=channel_map_bytes(channel_map, nchannels,
                                 "channel_map"), no_clip=no_clip, no_pre_silence=no_pre_silence,
                                 stream_name=stream_name, backend_options=backend_options)
        self._setup(DeviceType.PLAYBACK, output_format, nchannels, None, None, sample_rate, buffersize_msec,
                    _raw_id(device_id, "device_id"), None, callback_periods, backends, thread_prio, app_name,
                    on_finished, latency, options, performance_profile)
        self.sample_width = width_from_format(self.format)
        self.nchannels: int = self._info["playback_channels"]
        self._set_ring_msec(ring_msec)

    def start(self, callback_generator: Optional[GeneratorTypes] = None, *,
              callback: Optional[Callable[..., Any]] = None, input_type: Optional[str] = None,
              prefetch_msec: Optional[float] = None) -> None:
        """Start playback: the generator is sent frame counts and yields the frames to play.

        Each callback sends the generator the number of frames the device needs (an int) and plays
        what it yields: ``bytes``, ``bytearray``, ``memoryview``, ``array.array`` or a numpy array
        (1-D interleaved, or 2-D ``(frames, nchannels)``) of the device's sample type; raw bytes
        always do.  Fewer frames than asked (or None) are padded with silence; more frames, a wrong
        item type or a partial frame end the run with an error.  When the generator returns, one
        buffer of silence plays, then the run ends (``running`` turns False, ``on_finished`` runs,
        :meth:`~AbstractDevice.wait` returns).

        A :class:`DecoderStream` from :func:`stream_file`, :func:`stream_memory`,
        :func:`stream_raw_pcm_memory` or a ``*_stream_file`` function is decoded in C on the audio
        thread, without the GIL; its sample format, channels and rate must be the device's.
        While the device plays it, using the stream from Python raises RuntimeError (its
        ``position`` stays readable).

        With ``prefetch_msec``, a thread of the package runs a Python generator that far ahead
        (milliseconds) and queues its chunks (converted as :meth:`~AbstractDevice.write` converts
        them) into a ring buffer the audio thread plays without the GIL: no dropout while another
        thread holds the GIL for less than that, at the price of that much more latency (see
        :doc:`realtime`).  The generator is sent one period's frame count each time, as without
        prefetch; when it returns, what it gave plays to the end before the run ends.

        Args:
            callback_generator: A playback generator, or one of the package's streams.
            callback: Instead of a generator, a function called every period as
                ``callback(outdata, frames, time, status)`` (sounddevice's signature; see
                :ref:`device-callbacks`).
            input_type: Only for capture and duplex generators: any value but None raises
                ValueError here.
            prefetch_msec: Run a Python generator this many milliseconds ahead on a thread of its
                own (at least one period; not for the package's streams, which never wait for
                the GIL); None: on the audio thread.

        Raises:
            ValueError: A stream whose format, channels or sample rate differ from the device's, or
                a stream that has ended already; ``input_type`` given.
            MiniaudioError: The device is running already, or it is closed.
            TypeError: ``callback_generator`` has no ``send()`` method, ``callback`` is not callable,
                or both were given.
            RuntimeError: Called from the device's own generator.
        """
        return super().start(callback_generator, callback=callback, input_type=input_type,
                             prefetch_msec=prefetch_msec)


class CaptureDevice(AbstractDevice):
    """A capture device: sends the recorded frames to a generator.

    Args:
        input_format: The sample format of the recorded frames.
        nchannels: The channel count (0: the device's own; the attribute then shows it).
        sample_rate: The sample rate in Hz (0: the device's own; the attribute then shows it).
        buffersize_msec: The period in milliseconds: how much audio one callback handles
            (miniaudio's ``periodSizeInMilliseconds``; 0: the backend's default).  The default,
            200, is 1.71's and gives high latency; see :doc:`realtime`.
        device_id: None (the default device), a :class:`DeviceId`, a device dict from
            :class:`Devices`, or a name: a case-insensitive substring of the device's name (an
            exact name wins).
        callback_periods: How many periods the backend buffers (0: the backend's default).
        backends: The backends to try, in order: :class:`Backend` members, their int values or
            their names (``"pulseaudio"``, ``"alsa"``, ``"jack"``, ``"null"``, ...;
            case-insensitive).  None tries miniaudio's default order.
        thread_prio: The priority of miniaudio's audio thread.
        app_name: The application name that PulseAudio and JACK show.
        on_finished: Called as ``on_finished(device)`` when a run ends by itself (see
            :attr:`AbstractDevice.on_finished`); None for no call.
        ring_msec: The size of the ring buffer between :meth:`~AbstractDevice.write` /
            :meth:`~AbstractDevice.read` and the audio thread, in milliseconds (None: four
            periods, at least 100 ms).
        latency: As in sounddevice: ``"low"`` (miniaudio's low-latency profile with its default
            10 ms periods), ``"high"`` (its conservative profile, 100 ms periods) or the seconds
            the backend's whole buffer should hold (split into ``callback_periods`` periods, 3 by
            default); it replaces ``buffersize_msec``.  None: ``buffersize_msec`` decides.  The
            :attr:`~AbstractDevice.latency` attribute reports what the backend granted.
        loopback: Record what a playback device plays ("what you hear"): on WASAPI miniaudio's
            loopback, on PulseAudio the monitor of the sink; ``device_id`` then names the playback
            device (None: the default one).  ValueError on other backends (see :ref:`loopback`).
        exclusive: Ask for exclusive use of the device (miniaudio's share mode; WASAPI, DirectSound,
            ALSA, Core Audio, AAudio, OSS, audio(4)); ValueError on other backends.
        channel_map: The channel position of each of the device's channels, names such as
            ``"front_left"``/``"FL"`` or ints (see :ref:`backend-settings`).
        performance_profile: ``"low_latency"`` or ``"conservative"`` (miniaudio's profile); None:
            as ``latency`` gives it (low latency by default).
        stream_name: The stream name PulseAudio shows (``pactl list sink-inputs``); ValueError on
            other backends.
        backend_options: Settings of one backend, ``{"pulse": {...}, "wasapi": {...}, ...}`` (see
            :ref:`backend-settings`); the sections of backends not opened are not used.

    Attributes:
        format (SampleFormat): The sample format.
        sample_width (int): Bytes per sample.
        nchannels (int): The channel count.
        loopback (bool): Whether it records what a playback device plays (``loopback=True``).

    Raises:
        ValueError: An argument is out of range (the message names it), or no device or more than
            one matches a device name (the message lists the devices).
        TypeError: An argument has the wrong type (the message names it).
        MiniaudioError: None of the backends is available, or the device cannot be opened.
    """

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
        ring_msec: Optional[float] = None,
        latency: Any = None,
        loopback: bool = False,
        exclusive: bool = False,
        channel_map: ChannelMapType = None,
        performance_profile: Optional[str] = None,
        stream_name: Optional[str] = None,
        backend_options: Optional[Dict[Any, Dict[str, Any]]] = None,
    ) -> None:
        self.format = SampleFormat(enum_value(SampleFormat, input_format, "input_format"))  # before opening
        if not isinstance(loopback, bool):
            raise TypeError(f"loopback must be True or False, not {type(loopback).__name__}")
        options = device_options(exclusive=exclusive, capture_map=channel_map_bytes(channel_map, nchannels,
                                 "channel_map"), stream_name=stream_name, backend_options=backend_options)
        self._setup(DeviceType.LOOPBACK if loopback else DeviceType.CAPTURE, None, None, input_format, nchannels,
                    sample_rate, buffersize_msec, None, _raw_id(device_id, "device_id"), callback_periods, backends,
                    thread_prio, app_name, on_finished, latency, options, performance_profile)
        self.loopback: bool = loopback
        self.sample_width = width_from_format(self.format)
        self.nchannels: int = self._info["capture_channels"]
        self._set_ring_msec(ring_msec)

    def start(self, callback_generator: Optional[GeneratorTypes] = None, *,
              callback: Optional[Callable[..., Any]] = None, input_type: Optional[str] = None,
              prefetch_msec: Optional[float] = None) -> None:
        """Start recording: the generator is sent the recorded frames of every period.

        Each callback sends the generator a ``bytearray`` of the recorded frames (frames x channels x
        sample width bytes, interleaved), or with ``input_type="numpy"`` a ``(frames, channels)``
        numpy array of the device's dtype (a new one each period unless the generator let go of the
        last one: keeping it is safe); what it yields is ignored.  The run ends when the generator
        returns or raises, or at :meth:`~AbstractDevice.stop`.

        With ``prefetch_msec``, a thread of the package takes the recorded frames (one period
        at a time) from a ring buffer of that many milliseconds, which the audio thread fills
        without the GIL, and sends them to the generator: a generator (or a thread holding the
        GIL) late by less than that loses nothing.

        Args:
            callback_generator: A capture generator.
            callback: Instead of a generator, a function called every period as
                ``callback(indata, frames, time, status)`` (sounddevice's signature; see
                :ref:`device-callbacks`).
            input_type: What the generator is sent: ``"bytearray"`` (the default, as in 1.71) or
                ``"numpy"``.
            prefetch_msec: The ring buffer between the audio thread and a generator run on a
                thread of its own, in milliseconds (at least one period); None: the generator
                runs on the audio thread.

        Raises:
            MiniaudioError: The device is running already, or it is closed.
            TypeError: ``callback_generator`` has no ``send()`` method, or is a :class:`DecoderStream`;
                ``callback`` is not callable, or both were given.
            ValueError: An unknown ``input_type``, ``input_type="numpy"`` for a SIGNED24 device, or
                ``input_type`` without a generator.
            ModuleNotFoundError: ``input_type="numpy"`` without numpy installed.
            RuntimeError: Called from the device's own generator.
        """
        return super().start(callback_generator, callback=callback, input_type=input_type,
                             prefetch_msec=prefetch_msec)


class DuplexStream(_VolumePause, AbstractDevice):
    """A capture device and a playback device driven by one generator, in step.

    Args:
        playback_format: The sample format played.
        playback_channels: The channel count played (0: the device's own).
        capture_format: The sample format recorded.
        capture_channels: The channel count recorded (0: the device's own).
        sample_rate: The sample rate in Hz (0: the device's own; the attribute then shows it).
        buffersize_msec: The period in milliseconds: how much audio one callback handles
            (miniaudio's ``periodSizeInMilliseconds``; 0: the backend's default).  The default,
            200, is 1.71's and gives high latency; see :doc:`realtime`.
        playback_device_id: The playback device: None (the default), a :class:`DeviceId`, a
            device dict or a name substring, as for :class:`PlaybackDevice`.
        capture_device_id: The capture device, the same way.
        callback_periods: How many periods the backend buffers (0: the backend's default).
        backends: The backends to try, in order: :class:`Backend` members, their int values or
            their names (``"pulseaudio"``, ``"alsa"``, ``"jack"``, ``"null"``, ...;
            case-insensitive).  None tries miniaudio's default order.
        thread_prio: The priority of miniaudio's audio thread.
        app_name: The application name that PulseAudio and JACK show.
        on_finished: Called as ``on_finished(device)`` when a run ends by itself (see
            :attr:`AbstractDevice.on_finished`); None for no call.
        ring_msec: The size of the ring buffer between :meth:`~AbstractDevice.write` /
            :meth:`~AbstractDevice.read` and the audio thread, in milliseconds (None: four
            periods, at least 100 ms).
        latency: As in sounddevice: ``"low"`` (miniaudio's low-latency profile with its default
            10 ms periods), ``"high"`` (its conservative profile, 100 ms periods) or the seconds
            the backend's whole buffer should hold (split into ``callback_periods`` periods, 3 by
            default); it replaces ``buffersize_msec``.  None: ``buffersize_msec`` decides.  The
            :attr:`~AbstractDevice.latency` attribute reports what the backend granted.
        exclusive: Ask for exclusive use of the device (miniaudio's share mode; WASAPI, DirectSound,
            ALSA, Core Audio, AAudio, OSS, audio(4)); ValueError on other backends.
        playback_channel_map, capture_channel_map: The channel position of each channel of that side, names such as
            ``"front_left"``/``"FL"`` or ints (see :ref:`backend-settings`).
        performance_profile: ``"low_latency"`` or ``"conservative"`` (miniaudio's profile); None:
            as ``latency`` gives it (low latency by default).
        no_clip: Do not clip FLOAT32 output to -1..1 (FLOAT32 devices only).
        no_pre_silence: miniaudio does not clear the output buffer before the callback.
        stream_name: The stream name PulseAudio shows (``pactl list sink-inputs``); ValueError on
            other backends.
        backend_options: Settings of one backend, ``{"pulse": {...}, "wasapi": {...}, ...}`` (see
            :ref:`backend-settings`); the sections of backends not opened are not used.

    Attributes:
        playback_format (SampleFormat): The sample format played.
        capture_format (SampleFormat): The sample format recorded.
        playback_channels (int): The channel count played.
        capture_channels (int): The channel count recorded.
        sample_width (int): Bytes per recorded sample (as in 1.71).

    Raises:
        ValueError: An argument is out of range (the message names it), or no device or more than
            one matches a device name (the message lists the devices).
        TypeError: An argument has the wrong type (the message names it).
        MiniaudioError: None of the backends is available, or the device cannot be opened.
    """

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
        ring_msec: Optional[float] = None,
        latency: Any = None,
        exclusive: bool = False,
        playback_channel_map: ChannelMapType = None,
        capture_channel_map: ChannelMapType = None,
        performance_profile: Optional[str] = None,
        no_clip: bool = False,
        no_pre_silence: bool = False,
        stream_name: Optional[str] = None,
        backend_options: Optional[Dict[Any, Dict[str, Any]]] = None,
    ) -> None:
        self.playback_format = SampleFormat(enum_value(SampleFormat, playback_format, "playback_format"))
        self.capture_format = SampleFormat(enum_value(SampleFormat, capture_format, "capture_format"))
        if no_clip is True and self.playback_format is not SampleFormat.FLOAT32:
            raise ValueError(f"no_clip applies to playback_format=SampleFormat.FLOAT32 only, not "
                             f"{self.playback_format.name}")
        options = device_options(
            exclusive=exclusive, no_clip=no_clip, no_pre_silence=no_pre_silence, stream_name=stream_name,
            playback_map=channel_map_bytes(playback_channel_map, playback_channels, "playback_channel_map"),
            capture_map=channel_map_bytes(capture_channel_map, capture_channels, "capture_channel_map"),
            backend_options=backend_options)
        self._setup(DeviceType.DUPLEX, playback_format, playback_channels, capture_format, capture_channels,
                    sample_rate, buffersize_msec, _raw_id(playback_device_id, "playback_device_id"),
                    _raw_id(capture_device_id, "capture_device_id"), callback_periods, backends, thread_prio,
                    app_name, on_finished, latency, options, performance_profile)
        self.sample_width = width_from_format(self.capture_format)
        self.playback_channels: int = self._info["playback_channels"]
        self.capture_channels: int = self._info["capture_channels"]
        self._set_ring_msec(ring_msec)

    def start(self, callback_generator: Optional[GeneratorTypes] = None, *,
              callback: Optional[Callable[..., Any]] = None, input_type: Optional[str] = None,
              prefetch_msec: Optional[float] = None) -> None:
        """Start playback and capture: the generator is sent the recorded frames and yields frames to play.

        Each callback sends the generator a ``bytearray`` of the recorded frames (or with
        ``input_type="numpy"`` a ``(frames, channels)`` numpy array) and plays what it yields, by the
        rules of :meth:`PlaybackDevice.start` (the frames asked for are as many as were recorded).

        With ``prefetch_msec``, a thread of the package runs the generator: it takes the
        recorded frames from one ring buffer and queues what the generator yields into another,
        which starts with ``prefetch_msec`` of silence, so the output follows the input that much
        later and the audio thread never waits for the GIL.

        Args:
            callback_generator: A duplex generator.
            callback: Instead of a generator, a function called every period as
                ``callback(indata, outdata, frames, time, status)`` (sounddevice's signature; see
                :ref:`device-callbacks`).
            input_type: What the generator is sent: ``"bytearray"`` (the default, as in 1.71) or
                ``"numpy"``.
            prefetch_msec: The head start of the output, in milliseconds (at least one period),
                with the generator on a thread of its own; None: on the audio thread.

        Raises:
            MiniaudioError: The device is running already, or it is closed.
            TypeError: ``callback_generator`` has no ``send()`` method, or is a :class:`DecoderStream`;
                ``callback`` is not callable, or both were given.
            ValueError: An unknown ``input_type``, ``input_type="numpy"`` for a SIGNED24 capture
                format, or ``input_type`` without a generator.
            ModuleNotFoundError: ``input_type="numpy"`` without numpy installed.
            RuntimeError: Called from the device's own generator.
        """
        return super().start(callback_generator, callback=callback, input_type=input_type,
                             prefetch_msec=prefetch_msec)
