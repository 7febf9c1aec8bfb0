"""The package's event thread ("miniaudio-events", one per process, started on first use) and the
interpreter's exit.  The thread blocks in ``_miniaudio._next_events()`` (events.c) and, off the
audio thread, stops devices whose run ended by itself and runs their callbacks, closes devices
whose last reference died on their own audio thread, runs a Playlist's ``on_source_end`` and
delivers devices' notifications (``on_notification``).  At
exit an :mod:`atexit` handler closes every live device.  chain.c starts the thread through
``_ensure_event_thread``.
"""

import atexit
import threading
import weakref
from typing import TYPE_CHECKING, Any, List, Optional, Tuple, cast

from . import _device_io
from . import _miniaudio as _ma

if TYPE_CHECKING:
    from ._devices import AbstractDevice

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
    device: Optional[AbstractDevice] = None
    while True:
        try:
            # Every _Device the module hands out here is an AbstractDevice.
            events = cast("List[Tuple[AbstractDevice, int]]", _ma._next_events())
        except BaseException as exc:  # MemoryError: try again rather than die
            _report(exc, _event_loop)
            continue
        for device, run in events:
            try:
                if run == -1:
                    device._close()
                elif run == -2:  # not a device: a Playlist whose members ended (chain.c)
                    cast(Any, device)._deliver_ends()
                elif run == -3:  # notifications (notify.c), before the end of the run if both came
                    device._deliver_notifications()
                else:
                    device._run_ended(run)
            except BaseException as exc:  # never let the event thread die
                _report(exc, device)
        events, device = [], None  # drop the last references here, not while waiting


def _ensure_event_thread() -> None:
    global _event_thread
    with _event_thread_lock:
        if _event_thread is None or not _event_thread.is_alive():
            _event_thread = threading.Thread(target=_event_loop, name="miniaudio-events", daemon=True)
            _event_thread.start()


# Interpreter exit: how long a callback that is running may take to return before its device is
# left to the exiting process (a generator blocked for good would otherwise hang the exit).
_EXIT_GRACE_SECONDS = 2.0


@atexit.register
def _close_all_devices() -> None:
    """Interpreter exit: stop and release every live device before Python tears itself down."""
    _device_io._exit_started = True
    for device in list(_live):
        try:
            device._close_at_exit(_EXIT_GRACE_SECONDS)
        except BaseException:
            pass
