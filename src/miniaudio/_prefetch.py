"""start(gen, prefetch_msec=...): a feeder thread runs a Python generator ahead of the audio thread.

Without prefetch, the audio thread takes the GIL every period to call a Python generator, and a
busy main thread can make it wait past the period (a dropout).  With prefetch, the device runs a
push run (miniaudio_c/pushio.c: the audio thread plays from a ring buffer without the GIL) and a
Python thread of ours, the feeder, sends the generator the frame counts (or, on a capture or
duplex device, the recorded frames) and queues what it yields into the ring, up to
``prefetch_msec`` ahead.  The generator protocol is the same as without prefetch; only the thread
it runs on differs.  The end of a run goes through the C side (`_feed_end`, prefetch.c): a returned
generator drains what is queued, an exception becomes the run's callback_error.

A mixin of AbstractDevice (_devices.py), which calls `_prefetch_begin` in start() and
`_prefetch_halted` / `_prefetch_join` in stop(), close() and at the end of a run.
"""

import math
import threading
from typing import Any, Optional

from . import _miniaudio as _ma
from ._streams import DecoderStream

_STOPPED = 2
PREFETCH_MAX_MSEC = 60000  # one minute: a ring of 23 MB at 48 kHz float32 stereo


class _Feeder:
    """One run's feeder thread."""

    def __init__(self, device: Any, gen: Any, run: int, period: int, mode: str, prefill: int) -> None:
        self.device = device
        self.gen = gen
        self.run = run
        self.period = period
        self.mode = mode  # "playback", "capture" or "duplex"
        self.prefill = prefill
        self.finished = False  # set just before the feeder ends the run itself (returned / raised)
        self.thread = threading.Thread(target=self._main, name="miniaudio-prefetch", daemon=True)

    def _main(self) -> None:
        dev, gen, run, n = self.device, self.gen, self.run, self.period
        try:
            write, read = dev._push_write, dev._push_read
            if self.prefill > 0:
                # Duplex: the output can only be produced as fast as the input arrives, so the
                # prefetch is a head start of silence (added latency, input to output).
                if write(b"", None, None, self.prefill, run)[1] == _STOPPED:
                    return
            cap_bytes = dev._cap_frame_bytes() if self.mode != "playback" else 0
            while True:
                if self.mode == "playback":
                    arg: Any = n
                else:
                    arg = bytearray(n * cap_bytes)
                    if read(arg, n, None, None, run)[1] == _STOPPED:
                        return
                try:
                    chunk = gen.send(arg)
                except StopIteration:
                    self.finished = True
                    dev._feed_end(run, None, gen)
                    return
                except BaseException as exc:
                    self.finished = True
                    dev._feed_end(run, exc, gen)
                    return
                if self.mode == "capture":
                    continue
                if write(b"" if chunk is None else chunk, None, None, n, run)[1] == _STOPPED:
                    return
        except BaseException as exc:
            # From write()/read(): a chunk the device cannot play (the generator's error, as
            # without prefetch), or the device was closed under us (the run is over: nothing to say).
            if dev.closed or dev._run != run or not dev.running:
                return
            self.finished = True
            dev._feed_end(run, exc, gen)
        finally:
            self.gen = None
            self.device = None


class _Prefetch:
    """The feeder's face on AbstractDevice."""

    _feeder: Optional[_Feeder] = None
    _feeder_thread: Optional[threading.Thread] = None  # the last run's feeder (stop()/close() join it)
    _ring_asked: int = 0          # the ring size ring_msec asked for (frames; 0: the default)
    _ring_borrowed: bool = False  # a prefetch run set the ring to its own size

    # Provided by AbstractDevice / _Device.
    _set_ring: Any
    _start: Any
    _push_write: Any
    _push_read: Any
    _feed_end: Any
    _info: Any
    _run: int
    sample_rate: int
    buffersize_msec: int
    running: bool
    closed: bool

    def _cap_frame_bytes(self) -> int:
        fmt, channels = self._capture_side()  # type: ignore[attr-defined]
        return int(_ma.SAMPLE_FORMATS[fmt][0]) * int(channels)

    def _period_frames(self) -> int:
        if self.buffersize_msec:
            return max(1, round(self.buffersize_msec * self.sample_rate / 1000))
        return max(1, int(self._info["period_frames"]))

    def _prefetch_frames(self, prefetch_msec: Any, gen: Any) -> int:
        """Checks start()'s prefetch arguments; the ring size in frames."""
        if isinstance(prefetch_msec, bool) or not isinstance(prefetch_msec, (int, float)):
            raise TypeError(f"prefetch_msec must be a number of milliseconds or None, not "
                            f"{type(prefetch_msec).__name__}")
        period_msec = self._period_frames() * 1000.0 / self.sample_rate
        if not math.isfinite(prefetch_msec) or not period_msec <= prefetch_msec <= PREFETCH_MAX_MSEC:
            raise ValueError(f"prefetch_msec must be at least one period ({period_msec:g} ms) and at most "
                             f"{PREFETCH_MAX_MSEC} ms, not {prefetch_msec}")
        if gen is None:
            raise TypeError("prefetch_msec needs a generator to run ahead (start() without one is for write()/read())")
        if isinstance(gen, DecoderStream):
            raise TypeError(f"prefetch_msec is for Python generators: a {type(gen).__name__} (the package's "
                            f"streams and generators) is pulled in C on the audio thread without the GIL already")
        if not hasattr(gen, "send"):
            raise TypeError(f"start() needs a generator (an object with send()), not {type(gen).__name__}")
        return max(self._period_frames(), round(prefetch_msec * self.sample_rate / 1000))

    def _prefetch_begin(self, gen: Any, frames: int, mode: str) -> None:
        """Under _op_lock, the device not running: start a push run with a ring of `frames` and its
        feeder.  mode: "playback", "capture" or "duplex"."""
        self._set_ring(frames)
        self._ring_borrowed = True
        run = self._start(None)
        period = self._period_frames()
        feeder = _Feeder(self, gen, run, period, mode, max(0, frames - period) if mode == "duplex" else 0)
        self._feeder = feeder
        try:
            feeder.thread.start()
        except BaseException:
            self._halt()  # type: ignore[attr-defined]
            raise

    def _prefetching(self) -> bool:
        """A feeder owns the rings of the current run (write()/read()/drain() are refused)."""
        feeder = self._feeder
        return feeder is not None and feeder.run == self._run and self.running

    def _prefetch_halted(self) -> Optional[threading.Thread]:
        """Under _op_lock, after the run stopped: drop what the feeder queued and not played (a run
        that ended with an error or a lost device keeps it otherwise), give the ring its own size
        back; the thread to join."""
        if self._ring_borrowed and not self.closed:
            self._halt()  # type: ignore[attr-defined]  # (stopped already: only empties the rings)
            self._set_ring(self._ring_asked)
            self._ring_borrowed = False
        feeder, self._feeder = self._feeder, None
        if feeder is not None:
            self._feeder_thread = feeder.thread
        # Another thread's stop() may have taken the feeder and be waiting for it to leave the
        # generator: this stop()/close() waits for that too (it returns once the thread has left).
        thread = self._feeder_thread
        if thread is None or thread is threading.current_thread() or not thread.is_alive():
            return None
        return thread

    @staticmethod
    def _prefetch_join(thread: Optional[threading.Thread], timeout: Optional[float] = None) -> None:
        if thread is not None:
            thread.join(timeout)

    @property
    def callback_generator(self) -> Any:
        """The generator or stream of the current run, or None."""
        feeder = self._feeder
        if feeder is not None and self._prefetching():
            return feeder.gen
        return _ma._Device.callback_generator.__get__(self)

    @property
    def _on_feeder_thread(self) -> bool:
        feeder = self._feeder
        return feeder is not None and feeder.thread is threading.current_thread()
