"""Mixer and Voice: many sounds at once on one device, on miniaudio's own engine.

The C types ``_Mixer`` (mixer.c: an ``ma_engine`` without a device of its own, read by a stream)
and ``_Voice`` (voice.c: an ``ma_sound`` over one of the package's streams) do the work; this
module checks the arguments, starts the device, and delivers the ends of voices: the voices that
are over are released by ``_reap()`` on a Python thread (the event thread, woken by the audio
thread, or any mixer call), and their ``on_finished`` runs on the event thread.
"""

import array
import collections
import collections.abc
import math
import numbers
import threading
from typing import Any, Callable, Deque, List, Optional, Union

from . import _events
from . import _miniaudio as _ma
from . import _mixer_feed
from ._enums import SampleFormat
from ._preload import PreloadedSound


def _numpy() -> Any:
    """numpy, imported on first use (not at `import miniaudio`), or None without it: render()
    then gives array.array('f')."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy

TimeType = Union[int, float]


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return x


MAX_VOLUME = 1000.0  # +60 dB


def _volume(value: Any, name: str = "volume") -> float:
    x = _number(value, name)
    if not 0 <= x <= MAX_VOLUME:
        raise ValueError(f"{name} must be from 0 to {MAX_VOLUME:g}, not {value!r}")
    return x


def _pan(value: Any) -> float:
    x = _number(value, "pan")
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"pan must be from -1.0 (left) to 1.0 (right), not {value!r}")
    return x


def _pitch(value: Any) -> float:
    x = _number(value, "pitch")
    if not 0 < x <= 1000:
        raise ValueError(f"pitch must be > 0 and at most 1000, not {value!r}")
    return x


class Voice(_ma._Voice):
    """A sound playing in a :class:`Mixer`, made by :meth:`Mixer.play`.

    ``volume``, ``pan`` and ``pitch`` can be set while it plays.  When it ends (its source ended,
    or :meth:`stop` or ``stop_at`` stopped it) the mixer releases it by itself: its source stream
    is no longer claimed (it can be used again, e.g. ``seek(0)`` and play it again) and
    :attr:`finished` turns True.

    :attr:`position` is the source frame the voice mixes next (the source's frames mixed so far
    when it started at frame 0; on a device, the device plays it a buffer later).

    Attributes:
        on_finished (callable or None): Called once as ``on_finished(voice)`` on the package's
            event thread when the voice ends by itself or by :meth:`stop` (set after it ended, e.g.
            on a sound so short that it ended before ``play()`` returned: called soon after);
            never for a voice ended by :meth:`Mixer.close`.  An exception in it goes to
            :func:`sys.unraisablehook`.
    """

    _feed: Optional[_mixer_feed._Feed] = None  # a Python generator's queue (_mixer_feed.py)

    def _event(self) -> threading.Event:
        return self.__dict__.setdefault("_done", threading.Event())  # type: ignore[no-any-return]

    @property
    def on_finished(self) -> Optional[Callable[["Voice"], Any]]:
        """Called once as ``on_finished(voice)`` on the event thread when the voice ends by itself
        or by :meth:`stop` (also when set after it ended); never after :meth:`Mixer.close`."""
        return self.__dict__.get("_on_finished")

    @on_finished.setter
    def on_finished(self, callback: Optional[Callable[["Voice"], Any]]) -> None:
        self.__dict__["_on_finished"] = callback
        if callback is not None and self.finished and not self.__dict__.get("_closed_out"):
            # It ended before this was set (the release found no callback): deliver it now.
            # _run_pending calls it once even if the release queued it too.
            mixer = self.mixer
            mixer._pending.append(self)
            mixer._wake()

    @property
    def volume(self) -> float:
        """The gain, 0.0 to 1000.0 (1.0: as the source is).  Settable while it plays."""
        return _ma._Voice.volume.__get__(self)  # type: ignore[no-any-return]

    @volume.setter
    def volume(self, value: float) -> None:
        self._set_volume(_volume(value))

    @property
    def pan(self) -> float:
        """-1.0 (left) .. 1.0 (right); miniaudio's balance law: panning right lowers the left channel
        by ``1 - pan``.  Settable while it plays."""
        return _ma._Voice.pan.__get__(self)  # type: ignore[no-any-return]

    @pan.setter
    def pan(self, value: float) -> None:
        self._set_pan(_pan(value))

    @property
    def pitch(self) -> float:
        """The playback speed and pitch, > 0 (2.0: an octave up, half the duration).  Settable
        while it plays."""
        return _ma._Voice.pitch.__get__(self)  # type: ignore[no-any-return]

    @pitch.setter
    def pitch(self, value: float) -> None:
        value = _pitch(value)
        self._set_pitch(value)
        if self._feed is not None:
            self._feed.pitch = value

    @property
    def underflows(self) -> int:
        """A Python generator's voice: how many times its queue ran dry before the generator ended
        (silence was mixed in its place).  0 for the package's streams, which never run dry."""
        return 0 if self._feed is None else self._feed.underflows()

    @property
    def error(self) -> Optional[BaseException]:
        """What ended the voice early: the decode error of its source, or the exception a Python
        generator raised (also reported to :func:`sys.unraisablehook`); None if nothing did."""
        feed = self._feed
        if feed is not None and feed.error is not None:
            return feed.error
        code = self._error
        return None if code == 0 else _ma.MiniaudioError(f"the voice's source failed to decode (error {code})",
                                                         code)

    def stop(self, fade_out: TimeType = 0, *, at: Optional[TimeType] = None) -> None:
        """Stop the voice, now or at ``at`` on the mixer's clock, fading out over ``fade_out``
        (frames as an int, seconds as a float) before that point.  A no-op once it finished.

        Raises:
            TypeError, ValueError: A bad ``fade_out`` or ``at`` (the message names it).
        """
        mixer = self.mixer
        fade = mixer._frames(fade_out, "fade_out")
        when = -1 if at is None else mixer._frames(at, "at")
        self._stop(when, fade)
        mixer._collect()

    def pause(self) -> None:
        """Hold the voice where it is (silence, its source untouched) until :meth:`resume`.

        Raises:
            ValueError: The voice has finished.
        """
        self._pause(True)

    def resume(self) -> None:
        """Go on from where :meth:`pause` held it.

        Raises:
            ValueError: The voice has finished.
        """
        self._pause(False)

    def seek(self, frame: int) -> None:
        """Go to ``frame`` of the source (taken by the mixer before its next block).

        Raises:
            TypeError: ``frame`` is not an int.
            ValueError: ``frame`` is negative, or the voice has finished.
        """
        if isinstance(frame, bool) or not isinstance(frame, numbers.Integral):
            raise TypeError(f"frame must be an int, not {type(frame).__name__}")
        if not 0 <= frame < 1 << 62:
            raise ValueError(f"frame must be from 0 to 2**62, not {frame!r}")
        if self._feed is not None:
            raise ValueError("cannot seek a Python generator's voice: a generator cannot go back")
        self._seek(int(frame))

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the voice has finished (or ``timeout`` seconds passed); True if it has.

        A voice of a mixer that is not playing (an offline mixer between two :meth:`Mixer.render`
        calls, a stopped device) does not move: this then waits for the timeout.
        """
        if not self.finished:
            self.mixer._collect()
        if self.finished:
            return True
        return self._event().wait(timeout)


class MixerGroup(_ma._MixerGroup):
    """A group (bus) of a :class:`Mixer`, made by :meth:`Mixer.group`: the voices played into it
    (``mixer.play(..., group=g)``) and its child groups are summed, then its ``volume`` and ``pan``
    apply, then its ``processors`` run on the result, in order, before it goes on to its
    ``parent`` group or the mixer's output.

    :attr:`volume` and :attr:`pan` can be set while it plays; the processors' parameters too
    (``lowpass.cutoff = 800``: applied from the next block mixed).  The processors run on every
    block, also when nothing plays in the group, so a filter's ring or an echo's tail goes on.
    """

    @property
    def volume(self) -> float:
        """The group's gain, 0.0 to 1000.0, on the sum of what plays in it.  Settable while it plays."""
        return _ma._MixerGroup.volume.__get__(self)  # type: ignore[no-any-return]

    @volume.setter
    def volume(self, value: float) -> None:
        self._set_volume(_volume(value))

    @property
    def pan(self) -> float:
        """-1.0 (left) .. 1.0 (right), miniaudio's balance law as for a voice, on the group's sum.
        Settable while it plays."""
        return _ma._MixerGroup.pan.__get__(self)  # type: ignore[no-any-return]

    @pan.setter
    def pan(self, value: float) -> None:
        self._set_pan(_pan(value))

    def close(self) -> None:
        """Stop the voices playing in this group and in its child groups, close the child groups,
        and close this one (idempotent).  Their sources are released (usable again) and the
        processors detached (usable elsewhere); ``on_finished`` is not called for voices stopped
        this way."""
        if self.closed:
            return
        mixer = self.mixer
        with mixer._reap_lock:
            voices = self._close()
        for voice in voices:
            voice._event().set()

    def __enter__(self) -> "MixerGroup":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Mixer(_ma._Mixer):
    """Many sounds at once on one device, on miniaudio's own engine (``ma_engine``).

    ``Mixer(device)`` mixes for a :class:`PlaybackDevice`: :meth:`play` starts the device on the
    mixer's stream if it is not running, and the device's audio thread mixes without the GIL.
    ``Mixer(sample_rate=..., nchannels=...)`` renders offline: :meth:`render` gives the next frames
    of the mix.  The mix is float32; a device of another format, channel count or rate converts it.

    >>> mixer = miniaudio.Mixer(sample_rate=48000, nchannels=2)
    >>> sine = miniaudio.Waveform("sine", frequency=440, amplitude=0.5)
    >>> voice = mixer.play(sine, stop_at=4800)
    >>> mixer.render(9600).shape
    (9600, 2)
    >>> voice.finished
    True

    Attributes:
        device (PlaybackDevice or None): The device the mixer plays on (None: offline).

    Args:
        device: A :class:`PlaybackDevice`, or None to render offline.
        sample_rate: The mix's rate (default: the device's, or 48000).
        nchannels: The mix's channel count (default: the device's, or 2).

    Raises:
        TypeError: ``device`` is not a :class:`PlaybackDevice` (a capture device cannot play).
        ValueError: ``sample_rate`` or ``nchannels`` out of range, or the device is closed.
    """

    def __new__(cls, device: Any = None, *, sample_rate: Optional[int] = None,
                nchannels: Optional[int] = None) -> "Mixer":
        from ._devices import PlaybackDevice
        if device is not None:
            if not isinstance(device, PlaybackDevice):
                raise TypeError(f"device must be a PlaybackDevice (or None to render offline), not "
                                f"{type(device).__name__}")
            if device.closed:
                raise ValueError("device is closed")
        for name, value in (("sample_rate", sample_rate), ("nchannels", nchannels)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if sample_rate is None:
            sample_rate = device.sample_rate if device is not None else 48000
        if nchannels is None:
            nchannels = device.nchannels if device is not None else 2
        if not 1 <= sample_rate <= _ma.MAX_SAMPLE_RATE:
            raise ValueError(f"sample_rate must be 1..{_ma.MAX_SAMPLE_RATE}, not {sample_rate!r}")
        if not 1 <= nchannels <= _ma.MAX_CHANNELS:
            raise ValueError(f"nchannels must be 1..{_ma.MAX_CHANNELS}, not {nchannels!r}")
        return super().__new__(cls, int(nchannels), int(sample_rate), SampleFormat.FLOAT32)

    def __init__(self, device: Any = None, *, sample_rate: Optional[int] = None,
                 nchannels: Optional[int] = None) -> None:
        self.device = device
        self._pending: Deque[Voice] = collections.deque()
        # One reap at a time: a reap can let other threads run (the garbage collector, a stream's
        # teardown), and a second reap then would not see the voices the first is releasing.
        self._reap_lock = threading.RLock()
        self._feeds = _mixer_feed.Feeds(self)  # Python generators' voices
        # render() reads the engine with the GIL released: close() must not free it meanwhile.
        self._render_lock = threading.RLock()  # (re-entered by a generator that closes the mixer)
        _events._ensure_event_thread()

    # ---- clock and arguments ----

    def _frames(self, value: Any, name: str) -> int:
        """Frames (an int) or seconds (a float) on the mixer's clock, as an int >= 0."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be frames (an int) or seconds (a float), not {type(value).__name__}")
        if isinstance(value, numbers.Integral):
            frames = int(value)
        else:
            seconds = float(value)
            if not math.isfinite(seconds):
                raise ValueError(f"{name} must be a finite number of seconds, not {value!r}")
            frames = round(seconds * self.sample_rate)
        if frames < 0:
            raise ValueError(f"{name} must be >= 0, not {value!r}")
        if frames >= 1 << 62:
            raise ValueError(f"{name} is too far ahead: {value!r}")
        return frames

    @property
    def volume(self) -> float:
        """The master volume, 0.0 to 1000.0 (1.0: unchanged).  Settable at any time."""
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._set_volume(_volume(value))

    # ---- groups ----

    def group(self, volume: float = 1.0, pan: float = 0.0, processors: Any = (),
              parent: Optional[MixerGroup] = None) -> MixerGroup:
        """A new group (bus): voices played with ``play(..., group=g)`` and child groups made with
        ``parent=g`` are summed, scaled by ``volume``, panned by ``pan`` and run through
        ``processors`` before they go on to ``parent`` (or the mixer's output).

        Args:
            volume: Gain, 0.0 to 1000.0.
            pan: -1.0 (left) .. 1.0 (right), miniaudio's balance law.
            processors: A sequence of the package's processors (:class:`LowPass`, :class:`Gain`,
                :class:`Delay`, ...), run in order on the group's output.  They are bound to the
                mixer's channels and rate and attached to the group until it is closed (their
                ``process()`` and ``then()`` refuse them meanwhile); their parameters stay settable.
            parent: Another group of this mixer that this one plays into (nested buses), or None.

        Raises:
            ValueError: The mixer or ``parent`` is closed, ``parent`` belongs to another mixer, a
                bad number, or a processor is already attached elsewhere (a processed stream or
                another group), given twice, or made for other channels or another rate.
            TypeError: ``processors`` is not a sequence of processors, or ``parent`` is not a
                :class:`MixerGroup`.
        """
        if self.closed:
            raise ValueError("cannot make a group: the mixer is closed")
        if isinstance(processors, (str, bytes)) or not isinstance(processors, collections.abc.Iterable):
            raise TypeError(f"processors must be a sequence of processors (LowPass, Gain, ...), not "
                            f"{type(processors).__name__}")
        if parent is not None and not isinstance(parent, _ma._MixerGroup):
            raise TypeError(f"parent must be a MixerGroup (made by Mixer.group()) or None, not {type(parent).__name__}")
        args = (_volume(volume), _pan(pan), tuple(processors), parent)
        group: MixerGroup = self._group(MixerGroup, *args)
        return group

    # ---- playing ----

    def play(self, source: Any, volume: float = 1.0, pan: float = 0.0, pitch: float = 1.0, loop: bool = False,
             fade_in: TimeType = 0, start_at: Optional[TimeType] = None,
             stop_at: Optional[TimeType] = None, *, group: Optional[MixerGroup] = None,
             sample_format: Optional[SampleFormat] = None,
             nchannels: Optional[int] = None, sample_rate: Optional[int] = None,
             prefetch_msec: float = 100) -> Voice:
        """Play ``source`` and return its :class:`Voice`; starts the device if it is not running.

        Args:
            source: One of the package's streams: :func:`stream_file`, :func:`stream_memory`,
                :func:`stream_raw_pcm_memory` (16-bit or 8-bit), :class:`Waveform` and the other
                generators, :func:`chain` / :class:`Playlist`.  Its format, channels and rate are
                converted to the mixer's.  The mixer claims it while the voice plays (Python cannot
                use it then); it is released when the voice ends.  Or a Python generator with
                the protocol of :meth:`PlaybackDevice.start` (primed with ``next()``, then sent
                the number of frames wanted), run ahead of the mix on a thread of the package
                (offline: by :meth:`render` itself); see ``sample_format`` and the next two.  Or a
                :class:`PreloadedSound` (see :meth:`preload`): each play is a new voice over its
                shared samples.
            volume: Gain, 0.0 to 1000.0.
            pan: -1.0 (left) .. 1.0 (right), miniaudio's balance law.
            pitch: Speed and pitch, > 0 and at most 1000 (2.0: an octave up, half the duration).
            loop: Play the source again from its start each time it ends (until :meth:`Voice.stop`).
            fade_in: Ramp the volume up from 0 over this long (frames as an int, seconds as a float).
            start_at: When to start on the mixer's clock (:attr:`time`; frames or seconds); the
                source's first frame is mixed exactly there.  None, or a time not ahead of
                :attr:`time` (a time already past is allowed): at once, with the next frame but
                one (the engine's pitch resampler delays a sound by one frame).
            stop_at: When to stop on the mixer's clock (frames or seconds), or None.
            group: A :class:`MixerGroup` of this mixer to play into (its volume, pan and
                processors apply to the voice), or None: straight to the mixer's output.
            sample_format: A Python generator's chunks: their sample format when they are bytes
                (default FLOAT32; arrays are read by their item type as ``write()`` reads them).
            nchannels: A Python generator's channel count (default: the mixer's).
            sample_rate: A Python generator's sample rate (default: the mixer's).
            prefetch_msec: How far ahead a Python generator is run (its queue), 1 to 60000 ms.

        Raises:
            ValueError: The mixer or ``group`` is closed, ``group`` belongs to another mixer; a bad number (NaN, a negative volume, pitch <= 0, pan
                outside -1..1); a stream over a Python file object, or raw PCM of an unknown format.
            TypeError: ``source`` is neither one of the package's streams nor a generator, or an
                argument has the wrong type (``sample_format``, ``nchannels``, ``sample_rate`` and
                ``prefetch_msec`` are for Python generators only).
            RuntimeError: ``source`` is already playing (in a mixer, on a device or in a chain; a
                generator: in a voice).
            Exception: What a Python generator raised when play() ran it first.
        """
        if self.closed:
            raise ValueError("cannot play: the mixer is closed")
        if self.device is not None and self.device.closed:
            raise ValueError("cannot play: the mixer's device is closed (close the mixer too)")
        if source is self._stream:
            raise ValueError("source is the mixer's own stream: a mixer cannot play itself")
        if isinstance(source, PreloadedSound):
            source = source.stream()  # a new stream over the shared samples: no decoding, no copy
        is_gen = not isinstance(source, _ma.DecoderStream) and hasattr(source, "send")
        if not isinstance(source, _ma.DecoderStream) and not is_gen:
            raise TypeError(f"source must be one of the package's streams (stream_file(), stream_memory(), "
                            f"Waveform, chain(), ...) or a Python generator, not {type(source).__name__}")
        if not is_gen and (sample_format, nchannels, sample_rate) != (None, None, None):
            raise TypeError("sample_format, nchannels and sample_rate are for Python generators: a stream "
                            "has its own (the mixer converts it)")
        if not isinstance(loop, bool):
            raise TypeError(f"loop must be a bool, not {type(loop).__name__}")
        if is_gen and loop:
            raise ValueError("loop=True needs a source that can go back to its start: a Python generator cannot")
        args = (_volume(volume), _pan(pan), _pitch(pitch), loop, self._frames(fade_in, "fade_in"),
                -1 if start_at is None else self._frames(start_at, "start_at"),
                -1 if stop_at is None else self._frames(stop_at, "stop_at"))
        if group is not None and not isinstance(group, _ma._MixerGroup):
            raise TypeError(f"group must be a MixerGroup (made by Mixer.group()) or None, not {type(group).__name__}")
        self._collect()
        feed = None
        if is_gen:
            feed = _mixer_feed.make_feed(self, source, sample_format, nchannels, sample_rate, prefetch_msec)
            feed.pitch = args[2]
            if self.device is not None:
                try:
                    feed._fill()  # the queue full before the voice starts (an exception: raised here)
                except BaseException:
                    feed.finish()
                    raise
            source = feed.stream
        try:
            voice: Voice = self._play(Voice, source, *args, group)
        except BaseException:
            if feed is not None:
                feed.finish()
            raise
        voice._event()
        if feed is not None:
            voice._feed = feed
            self._feeds.add(feed, threaded=self.device is not None)
        if self.device is not None:
            try:
                self._ensure_playing()
            except BaseException:
                # The device cannot play the mix (closed, or playing something else; or close()
                # ran meanwhile): the voice goes at once and its source is given back.
                voice._stop(-1, 0)
                self._collect()
                if self.closed:
                    raise ValueError("cannot play: the mixer is closed") from None
                raise
        return voice

    def preload(self, source: Any, *, max_output_bytes: Optional[int] = None) -> PreloadedSound:
        """Decode ``source`` once into a :class:`PreloadedSound` at the mixer's sample rate and
        channel count, to :meth:`play` many times at once without decoding or resampling.

        ``source`` and ``max_output_bytes`` are as for :class:`PreloadedSound`, which raises the
        same errors.  The sound is not tied to this mixer: other mixers can play it too.
        """
        return PreloadedSound(source, sample_rate=self.sample_rate, nchannels=self.nchannels,
                              max_output_bytes=max_output_bytes)

    def _ensure_playing(self) -> None:
        device = self.device
        if device.callback_generator is self._stream:
            return
        if device.running:
            raise RuntimeError("the mixer's device is playing something else: stop it first")
        device.start(self._stream)

    def render(self, frames: int) -> Any:
        """The next ``frames`` frames of the mix (offline mixers only).

        Returns a float32 numpy array of shape ``(frames, nchannels)`` when numpy is installed,
        else an interleaved ``array.array('f')``.  The mixer's clock moves by ``frames``; voices
        that ended within them are finished when it returns.  The GIL is released while mixing.

        Raises:
            TypeError: ``frames`` is not an int.
            ValueError: ``frames`` is negative, or the mixer is closed.
            RuntimeError: The mixer plays on a device (the device reads it).
        """
        if isinstance(frames, bool) or not isinstance(frames, numbers.Integral):
            raise TypeError(f"frames must be an int, not {type(frames).__name__}")
        if frames < 0:
            raise ValueError(f"frames must be >= 0, not {frames!r}")
        if self.closed:
            raise ValueError("cannot render: the mixer is closed")
        if self.device is not None:
            raise RuntimeError("render() is for offline mixers: this one plays on a device, which reads it")
        with self._render_lock:  # close() from another thread waits for this render
            if self.closed:
                raise ValueError("cannot render: the mixer is closed")
            if not self._feeds:
                chunk = array.array("f") if frames == 0 else self._stream.send(int(frames))
            else:
                # Python generators' voices: their queues filled before each block, in this thread.
                chunk = array.array("f")
                left = int(frames)
                while left > 0:
                    self._feeds.top_up_all()
                    if self.closed:  # a generator closed the mixer
                        raise ValueError("cannot render: the mixer is closed")
                    n = min(left, self._feeds.min_block(left))
                    chunk.extend(self._stream.send(n))
                    left -= n
                    self._collect()
        self._collect()
        np = _numpy()
        if np is not None:
            return np.frombuffer(chunk, dtype=np.float32).reshape(-1, self.nchannels)
        return chunk

    # ---- ends ----

    def _collect(self) -> None:
        """Releases the voices that are over and queues their on_finished for the event thread."""
        with self._reap_lock:
            done: List[Voice] = self._reap()
            for voice in done:
                if voice._feed is not None:
                    voice._feed.finish()
                voice._event().set()
                if voice.on_finished is not None:
                    self._pending.append(voice)
        if self._pending:
            self._wake()

    def _wake(self) -> None:
        """Runs the on_finished calls waiting (on the event thread), or wakes the event thread."""
        if threading.current_thread() is _events._event_thread:
            self._run_pending()
        else:
            self._notify()  # a closed mixer: nothing (close() dropped the calls waiting)

    def _run_pending(self) -> None:
        while self._pending:
            try:
                voice = self._pending.popleft()
            except IndexError:
                break
            if voice.__dict__.get("_called"):
                continue
            callback = voice.on_finished
            if callback is not None:
                voice.__dict__["_called"] = True
                try:
                    callback(voice)
                except BaseException as exc:
                    _events._report(exc, callback)

    def _deliver_ends(self) -> None:
        """The event thread: voices ended on the audio thread (or on_finished calls are waiting)."""
        self._collect()
        self._run_pending()

    # ---- life ----

    def close(self) -> None:
        """Stop every voice, close every group and release the mixer (idempotent).  A device
        playing the mixer is stopped (not closed).  ``on_finished`` is not called for voices stopped
        this way."""
        if self.closed:
            return
        with self._render_lock:
            if self.closed:
                return
            device = self.device
            while True:
                if device is not None and device.callback_generator is self._stream:
                    device.stop()
                try:
                    with self._reap_lock:
                        voices = self._close()
                    break
                except RuntimeError:
                    # A play() on another thread restarted the device between the two calls.
                    if device is None or device.callback_generator is not self._stream:
                        raise
        for voice in voices:
            voice.__dict__["_closed_out"] = True
        thread = self._feeds.close()
        for voice in voices:
            if voice._feed is not None:
                voice._feed.finish()
            voice._event().set()
        if thread is not None:
            thread.join(5.0)  # it leaves at its next look (after the generator call it is in)
        self._pending.clear()

    def __enter__(self) -> "Mixer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
