"""What the compiled-in miniaudio library offers: its version and its audio backends."""

from typing import Set

from . import _miniaudio as _ma
from ._enums import Backend, enum_value


def lib_version() -> str:
    """The version of the miniaudio C library compiled into the package, e.g. ``"0.11.25"``."""
    return _ma.lib_version()


def is_backend_enabled(backend: Backend) -> bool:
    """Whether the given audio backend was compiled into the package.

    Compiled in does not mean usable: PulseAudio, for example, also needs a running server.

    >>> miniaudio.is_backend_enabled(miniaudio.Backend.NULL)
    True

    Args:
        backend: A :class:`Backend` member or its int value.

    Returns:
        bool: True if the backend is compiled in.
    """
    return _ma.is_backend_enabled(enum_value(Backend, backend, "backend"))


def get_enabled_backends() -> Set[Backend]:
    """The audio backends compiled into the package.

    >>> miniaudio.Backend.NULL in miniaudio.get_enabled_backends()
    True

    Returns:
        set[Backend]: The backends (on Linux: PulseAudio, ALSA, JACK and NULL, among others).
    """
    return {Backend(b) for b in _ma.enabled_backends()}


def is_loopback_supported(backend: Backend) -> bool:
    """Whether miniaudio supports loopback capture (recording what is played) on the given backend.

    This reports miniaudio's own loopback, as in 1.71 (WASAPI).  ``CaptureDevice(loopback=True)``
    also records what you hear on PulseAudio, through the sink's monitor (see :ref:`loopback`).

    Args:
        backend: A :class:`Backend` member or its int value.

    Returns:
        bool: True if the backend supports loopback.
    """
    return _ma.is_loopback_supported(enum_value(Backend, backend, "backend"))
