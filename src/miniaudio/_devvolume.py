"""The master volume and the click-free pause/resume of PlaybackDevice and DuplexStream.

The audio thread's side is miniaudio_c/devvolume.c: it applies the volume and the fade to what each
period produced, in the device's sample format, and while paused it does not pull the source at all.
This mixin checks the arguments and turns seconds into frames.
"""

import math
import numbers
from typing import Any

from ._errors import MiniaudioError

__all__ = ["_VolumePause"]

_MAX_FADE = 3600.0  # seconds


def _real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    return float(value)


class _VolumePause:
    """Mixed into PlaybackDevice and DuplexStream (over the C type's _set_volume/_pause)."""

    _set_volume: Any
    _pause: Any
    _volume: float
    _paused: bool
    sample_rate: int

    @property
    def volume(self) -> float:
        """The master volume, a linear factor from 0.0 (silent) to 1.0 (unchanged, the default).

        Settable at any time, from any thread, before :meth:`~AbstractDevice.start` or while the
        device plays; it applies from the next period on and stays for later runs.  Like
        miniaudio's master volume (``ma_device_set_master_volume``) it only attenuates: values
        above 1.0 are refused (they would overflow integer samples).  The audio thread multiplies
        every sample of the device's own format by it (integers truncated toward zero, as
        miniaudio does; FLOAT32 samples exactly: 0.5 halves each one), whatever plays: a
        generator, a stream, :meth:`~AbstractDevice.write` or ``callback=``.  On a
        :class:`DuplexStream` it scales the output, not the input.

        Raises:
            TypeError: Not a number.
            ValueError: NaN, below 0.0 or above 1.0.
        """
        return float(self._volume)

    @volume.setter
    def volume(self, value: float) -> None:
        v = _real(value, "volume")
        if not 0.0 <= v <= 1.0:  # NaN fails too
            raise ValueError(f"volume must be 0.0 to 1.0, not {value!r}")
        self._set_volume(v)

    @property
    def volume_db(self) -> float:
        """The master volume in decibels: ``20 * log10(volume)``; 0.0 is full volume, -6.02 half,
        ``-inf`` silence.  Settable like :attr:`volume` (values above 0 dB are refused, as
        miniaudio's ``ma_device_set_master_volume_db`` refuses them).

        Raises:
            TypeError: Not a number.
            ValueError: NaN or above 0.0.
        """
        v = float(self._volume)
        return -math.inf if v == 0.0 else 20.0 * math.log10(v)

    @volume_db.setter
    def volume_db(self, value: float) -> None:
        db = _real(value, "volume_db")
        if not db <= 0.0:  # NaN fails too
            raise ValueError(f"volume_db must be at most 0.0 (dB; 0 is full volume), not {value!r}")
        self._set_volume(10.0 ** (db / 20.0))

    @property
    def paused(self) -> bool:
        """True from :meth:`pause` until :meth:`resume` or the end of the run (during the fade out
        too); False when the device is not running."""
        return bool(self._paused)

    def _fade_frames(self, fade: Any) -> int:
        seconds = _real(fade, "fade")
        if not 0.0 <= seconds <= _MAX_FADE:
            raise ValueError(f"fade must be 0 to {_MAX_FADE:g} seconds, not {fade!r}")
        return int(round(seconds * self.sample_rate))

    def _set_paused(self, paused: bool, fade: Any, what: str) -> None:
        frames = self._fade_frames(fade)
        if not self._pause(paused, frames):
            raise MiniaudioError(f"{what}() needs a running device: start() it (or write() to it) first")

    def pause(self, fade: float = 0.01) -> None:
        """Pause without a click: fade the output to silence over ``fade`` seconds, then play
        silence while the device keeps running.

        The source stops exactly after the last frame of the fade: a stream keeps its position, a
        generator or ``callback=`` is not called, the ring of :meth:`~AbstractDevice.write` is not
        emptied (``write()`` fills it, then waits; :meth:`~AbstractDevice.drain` and
        :meth:`~AbstractDevice.wait` wait until a :meth:`resume`).  On a :class:`DuplexStream` the
        input recorded while paused is dropped.  Paused periods do not count as padded or as
        underflows in :attr:`~AbstractDevice.stats`.  Pausing a paused device changes nothing
        (but its fade length); :meth:`~AbstractDevice.stop` works while paused, and the next
        :meth:`~AbstractDevice.start` plays unpaused.  Callable from any thread, even from the
        device's own generator or callback.

        Args:
            fade: The length of the fade out in seconds (0 to 3600; 0: at once).  The fade is
                linear: with F = fade x sample_rate frames, the source's next F frames are
                multiplied by F/(F+1), (F-1)/(F+1), ... 1/(F+1).  A pause during a
                :meth:`resume`'s fade in fades out from the level reached.

        Raises:
            TypeError: ``fade`` is not a number.
            ValueError: ``fade`` is NaN, negative or above 3600.
            MiniaudioError: The device is not running (or is closed).
        """
        self._set_paused(True, fade, "pause")

    def resume(self, fade: float = 0.01) -> None:
        """Resume after :meth:`pause`: the source plays on from exactly the frame after the last one
        heard, fading in over ``fade`` seconds (its next F frames multiplied by 1/(F+1), 2/(F+1),
        ... F/(F+1)).  Resuming a device that is not paused changes nothing; a resume during the
        fade out fades in from the level reached.

        Args:
            fade: The length of the fade in, in seconds (0 to 3600; 0: at once).

        Raises:
            TypeError: ``fade`` is not a number.
            ValueError: ``fade`` is NaN, negative or above 3600.
            MiniaudioError: The device is not running (or is closed).
        """
        self._set_paused(False, fade, "resume")
