"""watch_devices(): a thread of the package that polls the device list (the package's own
enumeration, a Devices context kept between polls) and tells a callback which devices were
added or removed and when the default playback or capture device changed.  See docs/devices.rst
("Device changes").
"""

import atexit
import math
import threading
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _events
from ._enumeration import BackendsType, Devices, _backend_values
from ._enums import DeviceType

__all__ = ["DeviceWatcher", "watch_devices"]

WatchCallback = Callable[[str, Dict[str, Any]], Any]
_Key = Tuple[DeviceType, Any]  # (type, DeviceId)

_watchers: "weakref.WeakSet[DeviceWatcher]" = weakref.WeakSet()
_EXIT_GRACE_SECONDS = 2.0  # how long the exit waits for a watcher's thread (daemon: left behind after)


def _key(device: Dict[str, Any]) -> _Key:
    return (device["type"], device["id"])


class DeviceWatcher:
    """Watches the device list of a backend on a thread of its own; made by :func:`watch_devices`.

    :meth:`close` (or the end of a ``with`` block) stops the thread and waits for it.

    Attributes:
        interval (float): The seconds between two polls.
        devices (list): The device dicts of the last poll (playbacks, then captures).
    """

    def __init__(self, callback: WatchCallback, interval: float = 1.0, backends: BackendsType = None) -> None:
        _check_arguments(callback, interval, backends)
        self._callback = callback
        self.interval = float(interval)
        self._backends = backends
        self._stop = threading.Event()
        self._failing = False
        # The first list is taken here, so that a bad backend fails watch_devices() itself and the
        # devices present before the call are never reported as "added".  The thread polls with a
        # context of its own (some backends tie a context to the thread that made it).
        with Devices(backends) as first:
            self.devices: List[Dict[str, Any]] = first.get_playbacks() + first.get_captures()
        self._context: Optional[Devices] = None
        self._thread = threading.Thread(target=self._run, name="miniaudio-watch", daemon=True)
        _watchers.add(self)
        self._thread.start()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._stop.is_set()

    def _poll_once(self) -> List[Dict[str, Any]]:
        if self._context is None:
            self._context = Devices(self._backends)
        try:
            return self._context.get_playbacks() + self._context.get_captures()
        except BaseException:
            # A context whose server went away stays broken: open a new one next time.
            context, self._context = self._context, None
            try:
                context.close()
            except BaseException:
                pass
            raise

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                now = self._poll_once()
            except BaseException as exc:
                if not self._failing:  # once per failure, not every poll
                    self._failing = True
                    _events._report(exc, self)
                continue
            self._failing = False
            self._compare(self.devices, now)
            self.devices = now
        context, self._context = self._context, None
        if context is not None:
            context.close()

    def _compare(self, before: List[Dict[str, Any]], now: List[Dict[str, Any]]) -> None:
        old = {_key(d): d for d in before}
        new = {_key(d): d for d in now}
        events = [("removed", d) for k, d in old.items() if k not in new]
        events += [("added", d) for k, d in new.items() if k not in old]
        for device_type in (DeviceType.PLAYBACK, DeviceType.CAPTURE):
            was = [k for k, d in old.items() if k[0] is device_type and d["is_default"]]
            for k, d in new.items():
                if k[0] is device_type and d["is_default"] and [k] != was:
                    events.append(("default", d))
                    break
        for event, device in events:
            if self._stop.is_set():
                return
            try:
                self._callback(event, device)
            except BaseException as exc:
                _events._report(exc, self._callback)

    def close(self) -> None:
        """Stop the thread and wait for it to end (idempotent).  From the callback itself the
        thread ends after the callback returns."""
        self._close(None)

    def _close(self, timeout: Optional[float]) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not threading.current_thread() and thread.is_alive():
            thread.join(timeout)

    def __enter__(self) -> "DeviceWatcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "watching"
        return f"<DeviceWatcher {len(self.devices)} devices, every {self.interval} s, {state}>"


def watch_devices(callback: WatchCallback, interval: float = 1.0,
                  backends: BackendsType = None) -> DeviceWatcher:
    """Call ``callback(event, device)`` whenever the device list changes, from a thread of the package.

    The thread polls the device list every `interval` seconds with the same enumeration as
    :class:`Devices` and compares the devices by their id.  `event` is ``"added"`` or
    ``"removed"`` (a device appeared or went away), or ``"default"`` (the default playback or
    capture device changed: `device` is the new default).  `device` is the device dict as
    :meth:`Devices.get_playbacks` / :meth:`Devices.get_captures` give it (its ``"type"`` tells
    playback from capture).  The devices present when it is called are not reported.

    A callback that raises is reported through :func:`sys.unraisablehook` and the watcher keeps
    going; so is an enumeration that fails (once, until one succeeds again).

    >>> with miniaudio.watch_devices(print, interval=0.5, backends=["null"]) as watcher:
    ...     print([d["name"] for d in watcher.devices])
    ['NULL Playback Device', 'NULL Capture Device']

    Args:
        callback: Called as ``callback(event, device)`` on the watcher's thread.
        interval: The seconds between two polls (more than 0).
        backends: The backends to try, as for :class:`Devices`.

    Returns:
        DeviceWatcher: Stop it with :meth:`DeviceWatcher.close` or a ``with`` block.

    Raises:
        TypeError: `callback` is not callable, `interval` is not a number.
        ValueError: `interval` is not more than 0, or an unknown backend name.
        MiniaudioError: None of the backends is available.
    """
    return DeviceWatcher(callback, interval, backends)


def _check_arguments(callback: Any, interval: Any, backends: Any) -> None:
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        raise TypeError(f"interval must be a number of seconds, not {type(interval).__name__}")
    if not (interval > 0 and math.isfinite(interval)):
        raise ValueError(f"interval must be a finite number of seconds more than 0, not {interval}")
    if interval > threading.TIMEOUT_MAX:
        raise ValueError(f"interval must be at most {threading.TIMEOUT_MAX} s, not {interval}")
    _backend_values(backends)  # a bad name fails here, with Devices' message


@atexit.register
def _close_all_watchers() -> None:
    """Interpreter exit: stop every watcher's thread before Python tears itself down."""
    for watcher in list(_watchers):
        try:
            watcher._close(_EXIT_GRACE_SECONDS)  # a callback blocked for good must not hang the exit
        except BaseException:
            pass
