"""pedalboard.io's AudioFile: the factory (AudioFile, whose metaclass opens the kind a mode asks
for) and what the readable kinds share (_Reader: read() over _read_fc(), seek checks, properties;
_Busy: one thread at a time).  The kinds live in their own modules: ReadableAudioFile (and its
MP3-in-WAV detection) in _audiofile_readable.py, ResampledReadableAudioFile and
ChannelConvertedReadableAudioFile in _audiofile_wrappers.py, WriteableAudioFile in
_audiofile_write.py; all are re-exported here.

The readable file decodes in the file's own sample format (int16 for 16-bit files, int32 for
24/32-bit, float32 for MP3 and Vorbis), so read_raw() is the file's samples and read() scales them as
pedalboard does (16-bit by 1/32767).  Resampling and channel conversion go through the streaming
Converter (converter.c), fed (frames, channels) float32.

Every operation checks that no other thread is inside the same object (_Busy): pedalboard's users
rely on a RuntimeError naming both threads rather than silent serialisation.
"""

import importlib
import threading
from typing import Any, Optional, Union

from ._resample import Resample, _channels, _quality, _whole_rate

__all__ = ["AudioFile", "ReadableAudioFile", "ResampledReadableAudioFile", "ChannelConvertedReadableAudioFile"]

_Quality = Resample.Quality
_CHUNK = 1 << 16  # frames per internal read when resampling, seeking forward or counting
_CLOSED = "I/O operation on a closed file."


def _writer() -> Any:
    """The write side (another module), imported on first use."""
    return importlib.import_module("._audiofile_write", __package__)


def _numpy() -> Any:
    import numpy

    return numpy


def _num_frames(num_frames: Any, who: str) -> int:
    """read()'s count: an int, or a float without a fraction; at least 1 (pedalboard's rules)."""
    if isinstance(num_frames, bool):
        raise TypeError(f"num_frames must be a number of frames, not bool")
    if isinstance(num_frames, float):
        if num_frames != num_frames or num_frames in (float("inf"), float("-inf")):
            raise ValueError(f"num_frames must be a finite number of frames, not {num_frames}")
        if not num_frames.is_integer():
            raise ValueError(f"{who} cannot read a fractional number of samples; was asked to read {num_frames} "
                             f"samples.  Please provide a whole (integer) number of samples to read instead.")
        num_frames = int(num_frames)
    elif not isinstance(num_frames, int):
        try:
            num_frames = num_frames.__index__()
        except (AttributeError, TypeError):
            raise TypeError(f"num_frames must be a number of frames (int), not {type(num_frames).__name__}") \
                from None
    if num_frames < 0:
        raise ValueError(f"num_frames must not be negative, not {num_frames}")
    if num_frames == 0:
        raise ValueError(f"{who} will not read an entire file at once, due to the possibility that a file may be "
                         f"larger than available memory.  Please pass a number of frames to read (available from "
                         f"the 'frames' attribute).")
    return int(num_frames)


def _position(position: Any) -> int:
    if isinstance(position, bool) or not isinstance(position, int):
        try:
            if isinstance(position, (bool, float)):
                raise TypeError
            position = position.__index__()
        except (AttributeError, TypeError):
            raise TypeError(f"position must be an int (a frame), not {type(position).__name__}") from None
    if position < 0:
        raise ValueError(f"Cannot seek before start of file (to position {position}).")
    return int(position)


class _Busy:
    """One thread at a time inside an object, checked without waiting: a second thread gets
    RuntimeError naming both threads (and so does re-entry from the same thread, e.g. from a
    file object's read())."""

    __slots__ = ("_lock", "_holder", "_what")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder = 0
        self._what = ""

    def enter(self, obj: Any, what: str) -> None:
        if not self._lock.acquire(False):
            names = {thread.ident: thread.name for thread in threading.enumerate()}
            holder = names.get(self._holder, f"<thread {self._holder}>")
            me = threading.current_thread().name
            raise RuntimeError(f"{type(obj).__name__} is in use by thread {holder!r} (in {self._what}()) while "
                               f"thread {me!r} called {what}(): an AudioFile is not shared between threads at once; "
                               f"give each thread its own AudioFile, or hold a lock around every use")
        self._holder = threading.get_ident()
        self._what = what

    def leave(self) -> None:
        self._lock.release()


class _AudioFileType(type):
    """AudioFile(...) opens the kind its mode asks for (pedalboard's factory): built here, so that
    each kind's __init__ runs once, with its own arguments."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is not AudioFile:
            return super().__call__(*args, **kwargs)
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
        if not isinstance(mode, str):
            raise TypeError(f"mode must be 'r' or 'w', not {type(mode).__name__}")
        if mode in ("r", "rb"):
            return ReadableAudioFile(*args, **kwargs)
        if mode in ("w", "wb"):
            try:
                WriteableAudioFile = _writer().WriteableAudioFile
            except ImportError:
                raise NotImplementedError("AudioFile cannot write in this build: writing needs "
                                          "miniaudio._audiofile_write") from None
            # pedalboard's writer arguments: AudioFile's without the mode
            kwargs = {k: v for k, v in kwargs.items() if k != "mode"}
            return WriteableAudioFile(*args[:1], *args[2:], **kwargs)
        raise ValueError(f"AudioFile opens a file in read ('r') or write ('w') mode, not {mode!r}")


class AudioFile(metaclass=_AudioFileType):
    """Opens an audio file for reading (``"r"``, the default) or writing (``"w"``), like
    pedalboard.io's ``AudioFile`` and Python's ``open()``.

    ``AudioFile(path_or_file_or_bytes)`` returns a :class:`ReadableAudioFile`;
    ``AudioFile(path_or_file, "w", samplerate, num_channels, ...)`` a ``WriteableAudioFile``
    (WAV).  Both are subclasses of AudioFile and context managers.

    >>> with miniaudio.AudioFile("samples/tone.ogg") as f:
    ...     audio = f.read(f.frames)
    >>> audio.shape, audio.dtype
    ((2, 44100), dtype('float32'))

    Raises:
        ValueError: ``mode`` is neither ``"r"`` nor ``"w"``.
        TypeError: ``mode`` is not a str.
    """

    @staticmethod
    def encode(*args: Any, **kwargs: Any) -> bytes:
        """Encodes a whole buffer of audio to the bytes of a file (pedalboard's
        ``AudioFile.encode(samples, samplerate, format, num_channels, bit_depth, quality)``); WAV
        only."""
        try:
            encode = _writer().encode
        except (ImportError, AttributeError):
            raise NotImplementedError("AudioFile.encode needs miniaudio._audiofile_write") from None
        result: bytes = encode(*args, **kwargs)
        return result

    # The context manager and close() every kind shares.
    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:  # overridden
        """Closes the file."""


class _Reader(AudioFile):
    """What the three readable kinds share: read() from _read_fc(), seek checks, properties."""

    _busy: _Busy

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(_CLOSED)

    # _read_fc(n): up to n frames as C-contiguous (frames, channels) float32 (busy held by the caller)
    def _read_fc(self, num_frames: int) -> Any:
        raise NotImplementedError

    def _seek_busy(self, position: int) -> None:
        raise NotImplementedError

    def _tell(self) -> int:
        raise NotImplementedError

    def read(self, num_frames: Union[float, int] = 0) -> Any:
        """Reads up to ``num_frames`` frames from the current position: float32 of shape
        ``(channels, frames)``, fewer frames only at the end of the file.

        Raises:
            ValueError: num_frames is 0, negative or fractional.
            RuntimeError: the file is closed, or another thread is using it now.
            DecodeError: the data is damaged, or the file object's read()/seek() raised (the
                original exception is the ``__cause__``).
        """
        count = _num_frames(num_frames, type(self).__name__)
        self._busy.enter(self, "read")
        try:
            self._check_open()
            frames = self._read_fc(count)
        finally:
            self._busy.leave()
        return _numpy().ascontiguousarray(frames.T)

    def seek(self, position: int) -> None:
        """Moves to frame ``position`` (0 to :attr:`frames`); the next read starts there.

        Raises:
            ValueError: position is negative or past the end.
            TypeError: position is not an int.
            RuntimeError: the file is closed, or another thread is using it now.
        """
        position = _position(position)
        self._busy.enter(self, "seek")
        try:
            self._check_open()
            frames = self._frames_busy()
            if position > frames:
                raise ValueError(f"Cannot seek to position {position} frames, which is beyond end of file "
                                 f"({frames} frames) by {position - frames} frames.")
            self._seek_busy(position)
        finally:
            self._busy.leave()

    def tell(self) -> int:
        """The frame the next read starts at."""
        return self._tell()

    def seekable(self) -> bool:
        """Whether seek() works: True while the file is open."""
        return not self.closed

    def _frames_busy(self) -> int:
        raise NotImplementedError

    @property
    def frames(self) -> int:
        """The number of frames (samples per channel) in the file."""
        known = self._known_frames()
        if known is not None:
            return known
        if self.closed:
            return self._last_frames()
        self._busy.enter(self, "frames")
        try:
            return self._frames_busy()
        finally:
            self._busy.leave()

    def _last_frames(self) -> int:
        raise NotImplementedError

    def _known_frames(self) -> Optional[int]:
        """frames when it needs no work (no guard), else None."""
        return None

    @property
    def duration(self) -> float:
        """The length in seconds: frames / samplerate."""
        return self.frames / self.samplerate

    @property
    def samplerate(self) -> int:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    def resampled_to(self, target_sample_rate: float,
                     quality: Union[Any, str] = _Quality.WindowedSinc32) -> "_Reader":
        """This file resampled on the fly to ``target_sample_rate`` (whole Hz): a
        :class:`ResampledReadableAudioFile`; this file itself when the rate is its own.

        Args:
            target_sample_rate: The rate to read at, 1 to 384000 Hz.
            quality: A :class:`Resample.Quality <miniaudio.Resample.Quality>` or its name.
        """
        rate = _whole_rate(target_sample_rate, "target_sample_rate")
        quality = _quality(quality)
        self._check_open()
        if rate == self.samplerate:
            return self
        return ResampledReadableAudioFile(self, rate, quality)

    def with_channels(self, num_channels: int) -> "_Reader":
        """This file with ``num_channels`` channels: a :class:`ChannelConvertedReadableAudioFile`
        (miniaudio's channel mixing: to mono the mean of the channels, from mono a copy to
        each); this file itself when the count is its own."""
        count = _channels(num_channels)
        self._check_open()
        if count == self.num_channels:
            return self
        return ChannelConvertedReadableAudioFile(self, count)

    def mono(self) -> "_Reader":
        """This file as one channel (the mean of its channels): ``with_channels(1)``."""
        return self.with_channels(1)

    def stereo(self) -> "_Reader":
        """This file as two channels (mono copied to both): ``with_channels(2)``."""
        return self.with_channels(2)

    def __repr__(self) -> str:
        name = self.name
        where = f"filename={name!r}" if name is not None else "file_like"
        state = "closed " if self.closed else ""
        return (f"<miniaudio.{type(self).__name__} {state}{where} samplerate={self.samplerate} "
                f"num_channels={self.num_channels} frames={self._last_frames()} file_dtype={self.file_dtype} "
                f"at {id(self):#x}>")

    @property
    def num_channels(self) -> int:
        raise NotImplementedError

    @property
    def file_dtype(self) -> str:
        raise NotImplementedError

    @property
    def name(self) -> Optional[str]:
        raise NotImplementedError


# The kinds, defined in their own modules over the classes above (imported last: they import this one).
from ._audiofile_readable import ReadableAudioFile  # noqa: E402
from ._audiofile_wrappers import ChannelConvertedReadableAudioFile, ResampledReadableAudioFile  # noqa: E402
