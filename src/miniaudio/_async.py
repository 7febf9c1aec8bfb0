"""asyncio for devices: wait_async(), read_async(), write_async(), drain_async(), chunks(), ``async
with``, and play_async() (the one-call play() awaited).  A mixin of AbstractDevice, kept apart from
the device life cycle (_devices.py) and the blocking push I/O (_device_io.py).

Nothing here blocks an event loop.  Every awaitable is bound to the loop that awaits it (found with
asyncio.get_running_loop()), so several loops in several threads can use the package at once; other
threads only ever reach a loop through loop.call_soon_threadsafe().

- wait_async(): the device's ``_ended`` event is an _EndedEvent, whose set() (on the event thread
  when a run ends by itself, or in stop()/close()) calls the waiters registered by wait_async();
  no thread waits.
- read_async() / write_async(): when the ring already holds the frames (has the room), the loop's
  own thread moves them with a non-blocking _push_read/_push_write (timeout 0, start=None: never
  starts, never waits).  Otherwise a "lane" of the device (a daemon thread, one for reading and one
  for writing, that exits after a second without work) runs the blocking call in slices of SLICE
  seconds (GIL released while it waits in pushio_rw.c), looks at a cancel flag between slices and
  wakes the coroutine with call_soon_threadsafe.
- Cancellation-safe reads: the read lane never hands frames to a coroutine.  It moves them from
  the ring into the device's `pending` bytes (in order, under the state lock), and the coroutine,
  once woken on its loop, takes its frames out of `pending` and returns them with no await in
  between.  A cancelled read_async() therefore takes nothing: what the lane moved stays in
  `pending` for the next read_async().  Frames of an older run are dropped there (as read() never
  joins two runs).
- A cancelled write_async() has queued a prefix of its data: the coroutine asks the lane to stop,
  waits (shielded) for the slice in progress to end, and raises CancelledError with ``frames`` set
  to the frames queued.
- One reader and one writer at a time per device: a second read_async()/write_async() while one
  waits raises RuntimeError (as a second thread in read()/write() does).
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Deque, List, Optional

from . import _device_io
from ._device_io import _FORMATS, _STOPPED, _TIMEOUT, _frames_arg, _new_buffer, _BytesResult
from ._errors import MiniaudioError

if TYPE_CHECKING:
    import asyncio

__all__ = ["play_async"]

# Longest blocking slice of a lane between looks at its cancel flag (seconds): how long a cancelled
# write_async() may take to return, and a cancelled read to stop moving frames.
SLICE = 0.02
# Seconds a lane thread stays without work before it ends.
_LANE_IDLE = 1.0


class _Stopped(MiniaudioError):
    """The run was stopped (stop(), close(), drain(), or it ended by itself) during a read_async():
    chunks() ends its iteration on it."""


# ---- waking a coroutine from another thread ------------------------------------------------------

def _resolve(fut: "asyncio.Future[Any]", value: Any, exc: Optional[BaseException] = None) -> None:
    """Loop thread: completes `fut` unless it was cancelled meanwhile."""
    if not fut.done():
        if exc is not None:
            fut.set_exception(exc)
        else:
            fut.set_result(value)


def _wake(loop: asyncio.AbstractEventLoop, fut: "asyncio.Future[Any]", value: Any = None,
          exc: Optional[BaseException] = None) -> None:
    """Any thread: completes `fut` on its loop; nothing when that loop is closed (its coroutine is
    gone with it; a read's frames stay in `pending`)."""
    try:
        loop.call_soon_threadsafe(_resolve, fut, value, exc)
    except RuntimeError:
        pass


class _EndedEvent(threading.Event):
    """A device's "no run is going" event (AbstractDevice._ended): a threading.Event that also calls
    the waiters of wait_async() when set.  A waiter is called once, on the thread that sets the
    event (or at once, when added to an event that is set), and must not block."""

    def __init__(self) -> None:
        super().__init__()
        self._waiters: List[Callable[[], None]] = []
        self._waiters_lock = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._waiters_lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter()

    def add_waiter(self, waiter: Callable[[], None]) -> None:
        with self._waiters_lock:
            self._waiters.append(waiter)
        if self.is_set():  # set before (or while) it was added: a second call is harmless
            self.remove_waiter(waiter)
            waiter()

    def remove_waiter(self, waiter: Callable[[], None]) -> None:
        with self._waiters_lock:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass


# ---- lanes: a device's blocking jobs, off the loop -----------------------------------------------

class _Lane:
    """A daemon thread that runs a device's blocking jobs one after another, started when a job
    comes and ended after _LANE_IDLE seconds without one.  It holds no reference to the device
    between jobs."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._jobs: Deque[Callable[[], None]] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._thread: Optional[threading.Thread] = None

    def submit(self, job: Callable[[], None]) -> None:
        with self._cond:
            self._jobs.append(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
            else:
                self._cond.notify()

    def _serve(self) -> None:
        while True:
            with self._cond:
                if not self._jobs:
                    self._cond.wait(_LANE_IDLE)
                if not self._jobs:
                    self._thread = None
                    return
                job = self._jobs.popleft()
            try:
                job()
            except BaseException as exc:  # a job delivers its own errors; never let the lane die
                from ._events import _report
                _report(exc, job)
            job = None  # type: ignore[assignment]


class _Job:
    """One wait of a lane for a coroutine: how much it wants, whom to wake, whether to give up.
    Fields are read and written under the device's _AsyncState.lock."""

    __slots__ = ("want", "loop", "fut", "cancelled", "done", "underflowed")

    def __init__(self, want: int, loop: asyncio.AbstractEventLoop, fut: "asyncio.Future[Any]") -> None:
        self.want = want
        self.loop = loop
        self.fut = fut
        self.cancelled = False
        self.done = 0
        self.underflowed = False


class _AsyncState:
    """A device's asyncio state (created on first use)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.read_lane = _Lane("miniaudio-read-async")
        self.write_lane = _Lane("miniaudio-write-async")
        self.reader: Optional[object] = None  # the read_async() call waiting now
        self.writer: Optional[object] = None
        self.read_job: Optional[_Job] = None  # the read lane's job in progress
        self.write_job: Optional[_Job] = None
        self.pending = bytearray()  # recorded frames taken from the ring, not yet returned
        self.pending_run = 0  # the run they were recorded in
        self.overflowed = False
        # What ended the read lane's last job (the run's exception, a close), for the reader that
        # was waiting, or the next one if it was cancelled; a plain stop seen by a cancelled job is
        # nobody's business.
        self.read_error: Optional[BaseException] = None


_state_lock = threading.Lock()


def _bind_loop() -> asyncio.AbstractEventLoop:
    """The running loop of the calling coroutine (asyncio is imported on first use, not with the
    package)."""
    import asyncio
    return asyncio.get_running_loop()



class _AsyncIO:
    """wait_async(), read_async(), write_async(), drain_async(), chunks() and ``async with``."""

    # Provided by AbstractDevice / _PushIO / _ma._Device.
    _ended: _EndedEvent
    _op_lock: Any
    _push_read: Any
    _push_write: Any
    _push_drain: Any
    _push_start: Any
    _refuse_while_prefetching: Any
    _capture_side: Any
    _play_side: Any
    _raise_pending: Any
    _take_error: Any
    _run: int
    closed: bool
    running: bool
    overflowed: bool
    sample_rate: int
    buffersize_msec: int

    def _async_state(self) -> _AsyncState:
        st = self.__dict__.get("_async_st")
        if st is None:
            with _state_lock:
                st = self.__dict__.get("_async_st")
                if st is None:
                    st = self.__dict__["_async_st"] = _AsyncState()
        return st

    def _async_usable(self, what: str, for_playback: bool) -> None:
        if self.closed:
            raise MiniaudioError(f"{what}() on a closed device")
        kind = type(self).__name__
        if for_playback and _is_capture(self):
            raise TypeError(f"{what}() needs a device that plays: this {kind} only records (use read_async())")
        if not for_playback and _is_playback(self):
            raise TypeError(f"{what}() needs a device that records: this {kind} only plays (use write_async())")
        self._refuse_while_prefetching(what.split("(")[0])

    # ---- the end of a run ------------------------------------------------------------------------

    async def wait_async(self, timeout: Optional[float] = None) -> bool:
        """Wait, without blocking the event loop, until the current run has ended and its callbacks
        have run: :meth:`~AbstractDevice.wait` for asyncio.

        Returns at once (True) when the device is not running.  Cancelling the call only stops the
        waiting.

        Args:
            timeout: The most seconds to wait; None waits as long as it takes.

        Returns:
            bool: True if the run has ended, False on timeout.

        Raises:
            MiniaudioError: The device is closed, or was closed during the wait.
            BaseException: The exception that ended the run, if not raised yet (as for
                :meth:`~AbstractDevice.stop`).
        """
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
                raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
            if not 0 <= timeout <= 1e9:
                raise ValueError(f"timeout must be 0 to 1e9 seconds or None, not {timeout}")
        if self.closed:
            raise MiniaudioError("wait_async() on a closed device")
        loop = _bind_loop()
        ended: _EndedEvent = self._ended
        if not ended.is_set():
            fut: "asyncio.Future[bool]" = loop.create_future()

            def waiter() -> None:
                _wake(loop, fut, True)

            ended.add_waiter(waiter)
            timer = loop.call_later(timeout, _resolve, fut, False) if timeout is not None else None
            try:
                if not await fut:
                    return False
            finally:
                ended.remove_waiter(waiter)
                if timer is not None:
                    timer.cancel()
        if self.closed:
            raise MiniaudioError("the device was closed while wait_async() waited for the end of its run")
        self._raise_pending()
        return True

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        """Closes the device on a thread (close() waits for the audio thread), not on the loop."""
        import asyncio
        loop = _bind_loop()
        done = loop.create_future()

        def close() -> None:
            try:
                self.close()  # type: ignore[attr-defined]
            except BaseException as exc:
                _wake(loop, done, None, exc)
            else:
                _wake(loop, done, None)

        threading.Thread(target=close, name="miniaudio-close-async", daemon=True).start()
        try:
            await asyncio.shield(done)
        except Exception:
            if exc_type is None:
                raise  # the run's exception, as __exit__ raises it; else the block's own is the one to see

    # ---- read_async() ----------------------------------------------------------------------------

    async def read_async(self, frames: int, *, chunk_type: Optional[str] = None) -> Any:
        """Return the next ``frames`` recorded frames, waiting without blocking the event loop:
        :meth:`~AbstractDevice.read` for asyncio.

        Starts a device that is not running, as read() does (on a thread, not on the loop).
        Cancellation-safe: a cancelled read_async() returns no frames and loses none; the frames
        it was waiting for are returned by the next read_async() (or :meth:`chunks`).  Plain
        :meth:`~AbstractDevice.read` does not see them, and must not run while a read_async()
        waits.

        Args:
            frames: How many frames.
            chunk_type: ``"numpy"``, ``"array"`` or ``"bytes"``, as for read().

        Returns:
            The frames, as read() returns them.

        Raises:
            MiniaudioError: The device is closed, or was stopped or closed during the wait (the
                exception that ended the run, if any, is raised instead; the frames of that run
                not yet returned are dropped).
            TypeError: The device only plays.
            ValueError: Negative ``frames`` or an unknown ``chunk_type``.
            RuntimeError: Another read_async() (or chunks()) is waiting on this device, read()
                runs in another thread, or a generator runs on the device.
        """
        import asyncio
        self._async_usable("read_async", False)
        frames = _frames_arg(frames)
        fmt, channels = self._capture_side()
        width, typecode, dtype, _codes = _FORMATS[fmt]
        frame_bytes = width * channels
        buf, result = _new_buffer(frames, channels, width, typecode, dtype, chunk_type)
        loop = _bind_loop()
        st = self._async_state()
        token = object()
        with st.lock:
            if st.reader is not None:
                raise RuntimeError("read_async() is already waiting on this device (in another task): one "
                                   "reader at a time")
            st.reader = token
        try:
            want = frames * frame_bytes
            while True:
                with st.lock:
                    if st.read_error is not None:
                        error, st.read_error = st.read_error, None
                        raise error
                    self._drop_old_pending(st)
                    if len(st.pending) >= want or (st.read_job is None and self._read_now(st, want, frame_bytes)):
                        view = memoryview(buf).cast("B")
                        view[:want] = st.pending[:want]
                        del st.pending[:want]
                        self.overflowed, st.overflowed = st.overflowed, False
                        break
                    fut: "asyncio.Future[None]" = loop.create_future()
                    job = st.read_job
                    if job is not None:  # a cancelled read's job still moving frames: take it over
                        job.want, job.loop, job.fut, job.cancelled = want, loop, fut, False
                    else:
                        job = st.read_job = _Job(want, loop, fut)
                        st.read_lane.submit(functools.partial(self._read_lane_job, st, job, frame_bytes))
                try:
                    await fut
                except asyncio.CancelledError:
                    with st.lock:
                        if st.read_job is job:
                            job.cancelled = True
                    raise
        finally:
            with st.lock:
                st.reader = None
        if isinstance(result, _BytesResult):
            return bytes(result.buf)
        return result

    def _drop_old_pending(self, st: _AsyncState) -> None:
        """(st.lock held) Forgets pending frames of a run that is over."""
        if st.pending and st.pending_run != self._run:
            st.pending.clear()

    def _read_now(self, st: _AsyncState, want: int, frame_bytes: int) -> bool:
        """(st.lock held, no lane job) Moves what the ring holds into `pending` without waiting, if
        that gives `want` bytes; True then."""
        need = (want - len(st.pending)) // frame_bytes
        if not self.running or self.read_available < need:  # type: ignore[attr-defined]
            return False
        tmp = bytearray(need * frame_bytes)
        done, status, overflowed = self._push_read(tmp, need, 0, None)
        st.overflowed |= bool(overflowed)
        if done:
            st.pending_run = self._run
            st.pending += memoryview(tmp)[:done * frame_bytes]
        return bool(done == need)

    def _read_lane_job(self, st: _AsyncState, job: _Job, frame_bytes: int) -> None:
        """Read lane: moves recorded frames into `pending` until the job's coroutine can have them,
        the job is cancelled, or the run stops; then wakes the coroutine."""
        exc: Optional[BaseException] = None
        tmp = bytearray()
        try:
            while True:
                with st.lock:
                    self._drop_old_pending(st)
                    need = (job.want - len(st.pending)) // frame_bytes
                    if job.cancelled or need <= 0:
                        break
                if len(tmp) < need * frame_bytes:
                    tmp = bytearray(need * frame_bytes)
                done, status, overflowed = self._push_read(tmp, need, SLICE, self._push_start)
                run = self._run  # (after the call: it may have started the run; one call never joins two)
                with st.lock:
                    st.overflowed |= bool(overflowed)
                    if done:
                        if st.pending_run != run:
                            st.pending.clear()
                        st.pending_run = run
                        st.pending += memoryview(tmp)[:done * frame_bytes]
                if status == _STOPPED:
                    exc = self._stop_error("read_async")
                    with st.lock:
                        st.pending.clear()
                    break
        except BaseException as e:
            exc = e
        with st.lock:
            st.read_job = None
            loop, fut = job.loop, job.fut
            if exc is not None and not (job.cancelled and isinstance(exc, _Stopped)):
                st.read_error = exc  # the reader raises it; a cancelled one leaves it to the next
        _wake(loop, fut, None)

    def _stop_error(self, what: str) -> BaseException:
        """The exception for a run that stopped while `what` waited (lane thread)."""
        _device_io._park_if_exiting()
        with self._op_lock:  # a close() that stopped the run holds it until the device is closed
            pass
        if self.closed:
            return MiniaudioError(f"the device was closed while {what}() waited")
        error: Optional[BaseException] = self._take_error()
        if error is not None:
            return error
        return _Stopped(f"the device stopped while {what}() waited")

    def chunks(self, frames: Optional[int] = None, *, chunk_type: Optional[str] = None) -> AsyncIterator[Any]:
        """An asynchronous iterator of recorded chunks of ``frames`` frames each:
        ``async for chunk in device.chunks(480): ...``.

        Each chunk is what :meth:`read_async` returns; the first starts the device if it is not
        running.  The iteration ends when the device is stopped or closed (by another task or
        thread), or its run ends by itself; the exception that ended a run is raised.  Leaving the
        ``async for`` early (break, cancellation) loses no frames: the next read_async() or
        chunks() goes on where it stopped.

        Args:
            frames: Frames per chunk (None: one period, or 10 ms when the period is the backend's
                default).
            chunk_type: ``"numpy"``, ``"array"`` or ``"bytes"``, as for read().

        Raises:
            TypeError: The device only plays, or ``frames`` is not an int.
            ValueError: ``frames`` < 1, or an unknown ``chunk_type``.
            MiniaudioError: The device is closed.
        """
        self._async_usable("chunks", False)
        if frames is None:
            frames = max(1, self.sample_rate * (self.buffersize_msec or 10) // 1000)
        frames = _frames_arg(frames)
        if frames < 1:
            raise ValueError(f"frames must be >= 1, not {frames}")
        fmt, channels = self._capture_side()
        _new_buffer(0, channels, *_FORMATS[fmt][:3], chunk_type)  # checks chunk_type now
        return self._chunks(frames, chunk_type)

    async def _chunks(self, frames: int, chunk_type: Optional[str]) -> AsyncIterator[Any]:
        while True:
            try:
                chunk = await self.read_async(frames, chunk_type=chunk_type)
            except _Stopped:
                return
            except MiniaudioError:
                if self.closed:
                    return
                raise
            yield chunk

    # ---- write_async() ---------------------------------------------------------------------------

    async def write_async(self, data: Any) -> bool:
        """Queue frames for playing, waiting for room without blocking the event loop:
        :meth:`~AbstractDevice.write` for asyncio (the same ``data`` types).

        Starts a device that is not running, as write() does (on a thread, not on the loop).
        Cancelling it queues a prefix of ``data``: the frames queued before the cancellation
        took effect (at most 20 ms after it); the rest is not queued.  The
        :class:`asyncio.CancelledError` it raises then has a ``frames`` attribute: how many
        frames were queued.

        Args:
            data: The frames to play.

        Returns:
            bool: True if the device ran out of frames to play (an underflow) since the previous
            write.

        Raises:
            MiniaudioError: The device is closed, or was stopped or closed during the wait.
            TypeError: ``data`` is not a buffer of real numbers, or the device only records.
            ValueError: A partial frame, or a 2-D array whose column count is not the device's
                channel count (nothing is queued then).
            RuntimeError: Another write_async() is waiting on this device, write() runs in another
                thread, a generator runs on the device, or drain() is waiting.
        """
        import asyncio
        self._async_usable("write_async", True)
        loop = _bind_loop()
        st = self._async_state()
        fmt, channels = self._play_side()
        piece = _FramePieces(data, _FORMATS[fmt][0], channels)
        token = object()
        with st.lock:
            if st.writer is not None or st.write_job is not None:
                raise RuntimeError("write_async() is already waiting on this device (in another task): one "
                                   "writer at a time")
            st.writer = token
        try:
            if self.running:
                # Queue what fits now, on the loop's thread (never waits, never starts the device).
                done, status, underflowed = self._push_write(data, 0, None)
                if status != _TIMEOUT and status != _STOPPED:
                    return bool(underflowed)
                if status == _STOPPED:
                    done = 0  # not a push run now: the lane starts one
            else:
                done, underflowed = 0, False
            fut: "asyncio.Future[None]" = loop.create_future()
            job = _Job(piece.frames, loop, fut)
            job.done, job.underflowed = done, bool(underflowed)
            with st.lock:
                st.write_job = job
            st.write_lane.submit(functools.partial(self._write_lane_job, st, job, piece))
            try:
                await asyncio.shield(fut)
            except asyncio.CancelledError as cancel:
                with st.lock:
                    job.cancelled = True
                try:
                    await asyncio.shield(fut)  # the slice in progress ends within SLICE seconds
                except BaseException:
                    pass
                cancel.frames = job.done  # type: ignore[attr-defined]
                raise
            return job.underflowed
        finally:
            with st.lock:
                st.writer = None

    def _write_lane_job(self, st: _AsyncState, job: _Job, piece: "_FramePieces") -> None:
        """Write lane: queues the rest of the data in slices until done, cancelled or stopped."""
        exc: Optional[BaseException] = None
        try:
            while True:
                with st.lock:
                    if job.cancelled:
                        break
                done, status, underflowed = self._push_write(piece.after(job.done), SLICE, self._push_start)
                with st.lock:
                    job.done += done
                    job.underflowed |= bool(underflowed)
                if status == _STOPPED:
                    with st.lock:
                        cancelled = job.cancelled
                    if not cancelled:  # (a cancelled call leaves the run's exception to stop()/wait())
                        exc = self._stop_error("write_async")
                    break
                if status != _TIMEOUT:
                    break
        except BaseException as e:
            exc = e
        with st.lock:
            st.write_job = None
        _wake(job.loop, job.fut, None, exc)

    async def drain_async(self, timeout: Optional[float] = None) -> bool:
        """:meth:`~AbstractDevice.drain` for asyncio: let everything written play, then end the run,
        waiting with :meth:`wait_async`.

        Returns:
            bool: True when the run has ended, False on timeout.
        """
        self._refuse_while_prefetching("drain_async")
        if self.closed:
            raise MiniaudioError("drain_async() on a closed device")
        if not self._push_drain():
            return True
        return await self.wait_async(timeout)


def _is_playback(device: Any) -> bool:
    from ._devices import PlaybackDevice
    return isinstance(device, PlaybackDevice)


def _is_capture(device: Any) -> bool:
    from ._devices import CaptureDevice
    return isinstance(device, CaptureDevice)


class _FramePieces:
    """write_async()'s data, cut at a frame: after(n) is the data without its first n frames, of the
    same item type (so the C layer converts it the same way)."""

    def __init__(self, data: Any, width: int, channels: int) -> None:
        self.data = data
        shape = getattr(data, "shape", None)
        if shape is not None and hasattr(data, "__array_interface__") and len(shape) in (1, 2):
            self.kind = "numpy2" if len(shape) == 2 else "items"
            self.view = data
            self.frames = shape[0] if len(shape) == 2 else shape[0] // max(channels, 1)
        else:
            try:
                view = memoryview(data)
            except TypeError:
                raise TypeError(f"data must be bytes, bytearray, memoryview, array.array or a numpy array of numbers, "
                                f"not {type(data).__name__}") from None
            if isinstance(data, (bytes, bytearray)) or (view.itemsize == 1 and view.format in ("B", "b", "c")
                                                        and isinstance(data, memoryview)):
                self.kind = "raw"
                self.view = view.cast("B") if view.ndim != 1 or view.format != "B" else view
                self.frames = view.nbytes // (width * channels)
            elif view.ndim not in (1, 2):
                self.kind, self.view, self.frames = "items", view, 0  # the C layer refuses it by name
            else:
                if view.ndim == 2:
                    if view.shape is not None and view.shape[1] != channels:
                        raise ValueError(f"data is a {view.shape} array but the device has {channels} channels")
                    view = view.cast("B").cast(view.format.lstrip("@="))  # type: ignore[call-overload]
                self.kind = "items"
                self.view = view
                self.frames = len(view) // max(channels, 1)
        self.channels = channels
        self.frame_bytes = width * channels

    def after(self, n: int) -> Any:
        if n == 0:
            return self.data
        if self.kind == "raw":
            return self.view[n * self.frame_bytes:]
        if self.kind == "numpy2":
            return self.view[n:]
        return self.view[n * self.channels:]


# ---- play_async() --------------------------------------------------------------------------------

async def play_async(data: Any, samplerate: Any = None, mapping: Any = None, loop: bool = False,
                     **device_options: Any) -> Any:
    """:func:`miniaudio.sounddevice.play` awaited: play ``data`` on the implicit stream and return when
    it has played to its end, without blocking the event loop.

    Takes what play() takes (an array, a file path, a file object, the bytes of an encoded file,
    or one of the package's streams), except ``blocking``.  Like play(), it stops what a previous
    play()/rec()/playrec() is doing, and a later one stops it (play_async() then returns).  The
    device is opened, and closed at the end, on a thread of its own.  Cancelling the call stops
    the playback (the cancellation takes effect once the device has stopped, within about 50 ms).

    Returns:
        A :class:`~miniaudio.CallbackFlags` if an underflow happened during the run, else None
        (as :func:`miniaudio.sounddevice.wait`).

    Raises:
        What play() raises.
    """
    import asyncio
    if "blocking" in device_options:
        raise TypeError("play_async() has no blocking argument: it always waits for the end (await it)")
    aloop = _bind_loop()
    fut: "asyncio.Future[Any]" = aloop.create_future()
    cancel = threading.Event()

    def run() -> None:
        from . import _oneshot
        try:
            with _oneshot._call_lock:
                _oneshot.play(data, samplerate, mapping, False, loop, **device_options)
                ctx = _oneshot._last
            assert ctx is not None
            while not ctx.event.wait(0.05):
                if cancel.is_set():
                    ctx.stream.stop(True)
                    break
            status = ctx.wait()
        except BaseException as exc:
            _wake(aloop, fut, None, exc)
        else:
            _wake(aloop, fut, status)

    threading.Thread(target=run, name="miniaudio-play-async", daemon=True).start()
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        cancel.set()
        try:
            await asyncio.shield(fut)
        except BaseException:
            pass
        raise
