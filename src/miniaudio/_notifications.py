"""miniaudio's device notifications on the Python side: ``device.notifications`` and
``device.on_notification`` (a mixin of AbstractDevice).

The backend's thread records each notification in a ring on the C device (miniaudio_c/notify.c,
no GIL, no wait) and queues the device for the package's event thread, which calls
``_deliver_notifications()`` here: it takes them off the ring, keeps the last 256 with their
time, and calls ``on_notification(device, kind)`` for each.
"""

import collections
import threading
import time
from typing import Any, Callable, Deque, List, Optional, Tuple

from . import _events

__all__: List[str] = []

# How many notifications a device keeps (device.notifications).
_KEEP = 256

NotificationCallback = Callable[[Any, str], Any]


class _Notifications:
    """device.on_notification / device.notifications (see AbstractDevice's docstring)."""

    _take_notifications: Callable[[], List[Tuple[float, str]]]  # the C device's (notify.c)

    def _notes_init(self) -> None:
        self._notes: Deque[Tuple[float, str]] = collections.deque(maxlen=_KEEP)
        self._notes_new: Deque[Tuple[float, str]] = collections.deque(maxlen=_KEEP)
        self._notes_lock = threading.Lock()  # takes and appends in one order; never on the audio thread
        self._on_notification: Optional[NotificationCallback] = None

    @property
    def on_notification(self) -> Optional[NotificationCallback]:
        """Called as ``on_notification(device, kind)`` for each notification miniaudio posts
        (``"started"``, ``"stopped"``, ``"rerouted"``, ``"interruption_began"``,
        ``"interruption_ended"``, ``"unlocked"``), on the package's event thread; None (the
        default) for none.  Settable.  See :ref:`device-changes`."""
        return self._on_notification

    @on_notification.setter
    def on_notification(self, callback: Optional[NotificationCallback]) -> None:
        if callback is not None and not callable(callback):
            raise TypeError(f"on_notification must be callable or None, not {type(callback).__name__}")
        self._on_notification = callback
        if callback is not None:
            _events._ensure_event_thread()

    @property
    def notifications(self) -> List[Tuple[float, str]]:
        """The last 256 notifications as ``(time.monotonic() when posted, kind)``, oldest first."""
        self._notes_take()
        return list(self._notes)

    def _notes_take(self) -> None:
        with self._notes_lock:
            taken = self._take_notifications()
            now = time.monotonic()
            for age, kind in taken:
                entry = (now - age, kind)
                self._notes.append(entry)
                self._notes_new.append(entry)

    def _deliver_notifications(self) -> None:
        """Event thread: take the new notifications and call on_notification for each."""
        self._notes_take()
        with self._notes_lock:
            new = list(self._notes_new)
            self._notes_new.clear()
        callback = self._on_notification
        if callback is None:
            return
        for _, kind in new:
            try:
                callback(self, kind)
            except BaseException as exc:
                _events._report(exc, callback)
