"""Python generators as mixer voices: the prefetch path of a Mixer.

A voice cannot call Python: the mixer is read without the GIL (a device's audio thread, or
render() with the GIL released).  A generator voice therefore plays a queue stream
(miniaudio_c/pull_queue.c: a lock-free ring) that Python fills ahead of the reader:

- on a device, one feeder thread per mixer (started with the first generator voice, gone with the
  last) sends each generator its frame counts and queues what it yields, up to ``prefetch_msec``
  ahead; play() fills the queue once before the voice starts, so it starts with sound;
- offline, render() fills the queues itself before each block it mixes, so the result does not
  depend on thread timing.

The protocol is the one a device uses (1.71's): the generator is primed with ``next()`` and then
sent the number of frames wanted; a chunk may be any samples ``write()`` takes (bytes are raw
frames of the voice's sample format); a shorter chunk is followed by silence up to the frames
asked.  A queue that runs dry before the generator ended is padded with silence and the underflow
counted (Voice.underflows): the mix never waits for the GIL.
"""

import math
import threading
import weakref
from typing import Any, List, Optional

from . import _miniaudio as _ma
from ._types import _generator_unstarted

PREFETCH_MAX_MSEC = 60000

# Generators being fed by some mixer (a generator cannot play twice at once).
_playing: "weakref.WeakSet[Any]" = weakref.WeakSet()
_playing_lock = threading.Lock()


class _Feed:
    """One generator voice: the generator, its queue stream, the chunk being queued."""

    def __init__(self, gen: Any, stream: Any, chunk_frames: int, capacity: int, frame_bytes: int) -> None:
        self.gen = gen
        self.stream = stream
        self.chunk_frames = chunk_frames
        self.capacity = capacity
        self.frame_bytes = frame_bytes
        self.pending: Any = None       # the chunk being queued, from frame `offset`
        self.offset = 0
        self.pad = 0                   # frames of silence owed after it (a short chunk)
        self.ended = False             # the generator returned or raised: its queue's input is closed
        self.done = False              # the voice is over: nothing more to do
        self.error: Optional[BaseException] = None
        self.pitch = 1.0               # the voice's pitch as last set (render() sizes its blocks by it)
        self.lock = threading.RLock()  # one top-up at a time (render() and the feeder thread)
        self.filling = False           # a top-up is in the generator (a re-entered one does nothing)
        self.final: Any = (0, 0, 0, 0, 0)  # the queue's last _queue_info, kept when it is closed

    def room(self) -> int:
        return int(_ma._queue_info(self.stream)[0])

    def top_up(self) -> None:
        """Queue what the generator gives until the queue is full or the generator ended."""
        if not self.lock.acquire(blocking=False):
            return  # another thread is at it
        try:
            if self.ended or self.done or self.filling:
                return
            self.filling = True
            try:
                self._fill()
            except BaseException as exc:  # the generator's error, or a chunk that is not samples
                if not self.done:
                    self._end(exc)
            finally:
                self.filling = False
        finally:
            self.lock.release()

    def _fill(self) -> None:
        stream = self.stream
        room = self.room()
        while room > 0:
            if self.pending is None and self.pad == 0:
                try:
                    chunk = self.gen.send(self.chunk_frames)
                except StopIteration:
                    self._end(None)
                    return
                self.pending = b"" if chunk is None else chunk
                self.offset = 0
            if self.pending is not None:
                put, total = _ma._queue_write(stream, self.pending, self.offset)
                self.offset += put
                room -= put
                if self.offset < total:
                    return  # full: the rest goes next time
                self.pad = max(0, self.chunk_frames - total)
                self.pending = None
            if self.pad > 0:
                n = min(self.pad, room)
                if n <= 0:
                    return
                put, _ = _ma._queue_write(stream, bytes(n * self.frame_bytes), 0)
                self.pad -= put
                room -= put
                if put < n:
                    return

    def _end(self, exc: Optional[BaseException]) -> None:
        self.ended = True
        self.pending = None
        self.error = exc
        try:
            _ma._queue_info(self.stream, True)  # the voice ends once the queue is read out
        except ValueError:
            pass  # its stream is closed already (the voice is over)
        release(self.gen)
        if exc is not None:
            import sys
            sys.unraisablehook(_Unraisable(exc, self.gen))  # type: ignore[arg-type]

    def finish(self) -> None:
        """The voice is over (released by the mixer: no reader left): let go of the generator and
        the queue."""
        with self.lock:
            if self.done:
                return
            self.done = True
            if not self.ended:
                self.ended = True
                release(self.gen)
            self.pending = None
            try:
                self.final = _ma._queue_info(self.stream)
                self.stream.close()
            except ValueError:
                pass

    def underflows(self) -> int:
        info = self.final if self.done else _ma._queue_info(self.stream)
        return int(info[2])


class _Unraisable:
    """What sys.unraisablehook expects (as PyErr_WriteUnraisable gives it)."""

    def __init__(self, exc: BaseException, obj: Any) -> None:
        self.exc_type = type(exc)
        self.exc_value = exc
        self.exc_traceback = exc.__traceback__
        self.err_msg = "Exception in a mixer voice's generator"
        self.object = obj


def claim(gen: Any) -> None:
    """Marks `gen` as playing; RuntimeError if it is already."""
    with _playing_lock:
        try:
            if gen in _playing:
                raise RuntimeError("source is already playing (this generator feeds another voice): "
                                   "give another generator")
            _playing.add(gen)
        except TypeError:
            pass  # not weakly referenceable: cannot be tracked


def release(gen: Any) -> None:
    with _playing_lock:
        _playing.discard(gen)


def make_feed(mixer: Any, gen: Any, sample_format: Any, nchannels: Optional[int], sample_rate: Optional[int],
              prefetch_msec: Any) -> _Feed:
    """Checks a generator voice's arguments, primes the generator, makes its queue."""
    from ._enums import SampleFormat
    if sample_format is None:
        sample_format = SampleFormat.FLOAT32
    elif not isinstance(sample_format, SampleFormat):
        if type(sample_format) is not int:
            raise TypeError(f"sample_format must be a SampleFormat, not {type(sample_format).__name__}")
        try:
            sample_format = SampleFormat(sample_format)
        except ValueError:
            raise ValueError(f"sample_format must be a SampleFormat value, not {sample_format!r}") from None
    nchannels = mixer.nchannels if nchannels is None else nchannels
    sample_rate = mixer.sample_rate if sample_rate is None else sample_rate
    for name, value in (("nchannels", nchannels), ("sample_rate", sample_rate)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if isinstance(prefetch_msec, bool) or not isinstance(prefetch_msec, (int, float)):
        raise TypeError(f"prefetch_msec must be a number of milliseconds, not {type(prefetch_msec).__name__}")
    if not math.isfinite(prefetch_msec) or not 1 <= prefetch_msec <= PREFETCH_MAX_MSEC:
        raise ValueError(f"prefetch_msec must be 1 to {PREFETCH_MAX_MSEC} ms, not {prefetch_msec!r}")
    device = mixer.device
    if device is not None:
        period = device._period_frames() * sample_rate / mixer.sample_rate
    else:
        period = sample_rate / 100  # offline: 10 ms chunks
    chunk_frames = max(1, round(period))
    capacity = max(2 * chunk_frames, round(prefetch_msec * sample_rate / 1000))
    stream = _ma._queue_stream(sample_format, nchannels, sample_rate, capacity)
    width = int(_ma.SAMPLE_FORMATS[sample_format.value][0])
    claim(gen)
    try:
        if _generator_unstarted(gen):
            try:
                next(gen)
            except StopIteration:
                raise ValueError("the generator returned before its first yield") from None
    except BaseException:
        release(gen)
        raise
    return _Feed(gen, stream, chunk_frames, capacity, width * nchannels)


class Feeds:
    """A mixer's generator voices and, on a device, the thread that keeps their queues full."""

    def __init__(self, mixer: Any) -> None:
        # Weakly: a mixer dropped without close() is collected; the thread then lets its feeds go.
        self._mixer = weakref.ref(mixer)
        self._lock = threading.Lock()
        self._feeds: List[_Feed] = []
        self._thread: Optional[threading.Thread] = None
        self._closed = False

    def __bool__(self) -> bool:
        return bool(self._feeds)

    def add(self, feed: _Feed, threaded: bool) -> None:
        with self._lock:
            if not self._closed:
                self._feeds.append(feed)
                if threaded and self._thread is None:
                    self._thread = threading.Thread(target=self._main, name="miniaudio-mixer-feed", daemon=True)
                    self._thread.start()
                return
        feed.finish()  # the mixer was closed meanwhile (its voice is released already)

    def top_up_all(self) -> None:
        """Offline: every live feed's queue filled (render() calls this before each block)."""
        for feed in self._live():
            feed.top_up()

    def min_block(self, default: int) -> int:
        """The largest block render() may mix so that no generator voice can run dry inside it."""
        block = default
        for feed in self._live():
            need = math.ceil(max(feed.pitch, 1.0)) + 2
            block = min(block, max(1, feed.capacity // need))
        return block

    def _live(self) -> List[_Feed]:
        with self._lock:
            self._feeds = [f for f in self._feeds if not f.done]
            return list(self._feeds)

    def _main(self) -> None:
        while True:
            mixer = self._mixer()
            gone = mixer is None or mixer.closed
            del mixer
            if gone:
                self.close()
            with self._lock:
                self._feeds = [f for f in self._feeds if not f.done]
                feeds = list(self._feeds)
                if not feeds or self._closed:
                    self._thread = None
                    return
            slack = 0.02
            for feed in feeds:
                feed.top_up()
                slack = min(slack, feed.capacity / 4 / max(1, _rate(feed)))
            _sleep(max(0.002, slack))

    def close(self) -> Optional[threading.Thread]:
        """Every feed finished; returns the thread to join (None if none or it is this one)."""
        with self._lock:
            self._closed = True
            feeds, self._feeds = self._feeds, []
            thread = self._thread
        for feed in feeds:
            feed.finish()
        if thread is None or thread is threading.current_thread():
            return None
        return thread


def _rate(feed: _Feed) -> int:
    return int(feed.stream.sample_rate)


def _sleep(seconds: float) -> None:
    import time
    time.sleep(seconds)
