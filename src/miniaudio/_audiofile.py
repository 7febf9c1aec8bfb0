"""pedalboard.io's AudioFile, read side: AudioFile (the factory), ReadableAudioFile,
ResampledReadableAudioFile and ChannelConvertedReadableAudioFile, over one DecoderStream per file.

The stream decodes in the file's own sample format (int16 for 16-bit files, int32 for 24/32-bit,
float32 for MP3 and Vorbis), so read_raw() is the file's samples and read() scales them as
pedalboard does (16-bit by 1/32767).  Chunks arrive as array.array, viewed by numpy without a copy;
read() converts and transposes to (channels, frames) in one numpy pass.  Resampling and channel
conversion go through the streaming Converter (converter.c), fed (frames, channels) float32.

Every operation checks that no other thread is inside the same object (_Busy): pedalboard's users
rely on a RuntimeError naming both threads rather than silent serialisation.
"""

import importlib
import os
import struct
import threading
from typing import Any, Dict, Optional, Tuple, Union

from . import _miniaudio as _ma
from ._converter import Converter
from ._enums import DitherMode, FileFormat, SampleFormat
from ._resample import Resample, _channels, _quality, _whole_rate
from ._sources import _FileLikeSource
from ._streams import _FILE, _MEMORY, _PYTHON, _stream

__all__ = ["AudioFile", "ReadableAudioFile", "ResampledReadableAudioFile", "ChannelConvertedReadableAudioFile"]

_Quality = Resample.Quality
_CHUNK = 1 << 16  # frames per internal read when resampling, seeking forward or counting
_BLOCK = 1 << 15  # frames per decode when a large read() is converted into one output
_WAVE_FORMAT_MPEGLAYER3 = 0x0055
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE

# The decoder's file_format (SampleFormat value) -> (decode as, file_dtype, raw numpy dtype)
_NATIVE = {
    SampleFormat.UNSIGNED8: (SampleFormat.UNSIGNED8, "int8", "uint8"),
    SampleFormat.SIGNED16: (SampleFormat.SIGNED16, "int16", "int16"),
    SampleFormat.SIGNED24: (SampleFormat.SIGNED32, "int24", "int32"),
    SampleFormat.SIGNED32: (SampleFormat.SIGNED32, "int32", "int32"),
    SampleFormat.FLOAT32: (SampleFormat.FLOAT32, "float32", "float32"),
}
# read()'s scale for each file_dtype: pedalboard's (x * float32(1/32767) for 16-bit, ...).  24-bit
# samples are decoded as int32 (x << 8): the scale is divided by 256, which is exact in float32.
_SCALES = {"int8": 1 / 127, "int16": 1 / 32767, "int24": 1 / 8388607 / 256, "int32": 2.0**-31}
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


class _Window:
    """bytes [start, end) of a seekable binary file object, as a file object of their own: what
    the MP3 decoder reads of a WAV file that holds MP3 data.  Seeks absolutely before each read,
    so its own position is independent of the file object's."""

    def __init__(self, fileobj: Any, start: int, end: int) -> None:
        self._f, self._start, self._end, self._pos = fileobj, start, end, 0

    def read(self, n: int = -1) -> bytes:
        left = self._end - self._start - self._pos
        n = left if n is None or n < 0 else min(n, left)
        if n <= 0:
            return b""
        self._f.seek(self._start + self._pos)
        data: bytes = self._f.read(n)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, self._end - self._start)[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True


def _wav_mp3_data(read_at: Any) -> Optional[Tuple[int, int]]:
    """(offset, size) of the data chunk of a RIFF/WAVE whose format tag is MPEG layer 3 (0x0055,
    directly or in WAVE_FORMAT_EXTENSIBLE), else None.  read_at(offset, n) -> bytes.  Walks at
    most 64 chunks."""
    head = read_at(0, 12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset, tag = 12, None
    for _ in range(64):
        header = read_at(offset, 8)
        if len(header) < 8:
            return None
        cid, size = header[:4], struct.unpack("<I", header[4:])[0]
        if cid == b"fmt ":
            fmt = read_at(offset + 8, min(size, 40))
            if len(fmt) < 2:
                return None
            tag = struct.unpack("<H", fmt[:2])[0]
            if tag == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
                tag = struct.unpack("<H", fmt[24:26])[0]
            if tag != _WAVE_FORMAT_MPEGLAYER3:
                return None
        elif cid == b"data":
            return (offset + 8, size) if tag == _WAVE_FORMAT_MPEGLAYER3 else None
        offset += 8 + size + (size & 1)
    return None


class ReadableAudioFile(_Reader):
    """An audio file open for reading: what ``AudioFile(path_or_file_or_bytes)`` returns.

    Reads WAV (integer, float, A-law, mu-law, ADPCM, and MP3 data in a WAV container), FLAC, MP3
    and Ogg Vorbis, detected from the content, from a path, a seekable binary file object, or a
    bytes-like object (bytes, bytearray, memoryview: held, not copied).

    >>> with miniaudio.AudioFile("samples/tone_s16.wav") as f:
    ...     print(f.samplerate, f.num_channels, f.frames, f.file_dtype)
    ...     first = f.read(1000)
    ...     raw = f.read_raw(1000)
    44100 2 44100 int16
    >>> first.shape, first.dtype, raw.dtype, f.closed
    ((2, 1000), dtype('float32'), dtype('int16'), True)

    Args:
        filename_or_file_like: A path (str or os.PathLike), a binary file object with read(),
            seek(), tell() and seekable(), or a bytes-like object holding the file's content.
        mode: ``"r"``.

    Raises:
        FileNotFoundError, PermissionError, IsADirectoryError: the path cannot be opened.
        DecodeError: the content is not audio this package decodes.
        TypeError: the source is none of the above.
        ValueError: a file object cannot seek, or mode is not ``"r"``.
    """

    def __init__(self, filename_or_file_like: Any, mode: str = "r") -> None:
        if mode not in ("r", "rb"):
            raise ValueError(f"ReadableAudioFile opens in read mode ('r'), not {mode!r}")
        self._busy = _Busy()
        self._stream: Any = None
        self._own_file: Any = None  # a file this object opened (MP3 data in a WAV file on disk)
        self._window: Optional[_Window] = None  # the data chunk of a WAV holding MP3 data, read as a file
        self._name: Optional[str] = None
        self._tags: Optional[Dict[str, Any]] = None
        self._counted: Optional[int] = None
        self._frames_seen = 0
        self._source: Any = None
        self._start = 0
        source = filename_or_file_like
        if isinstance(source, (str, os.PathLike)):
            self._name = os.fspath(source) if isinstance(os.fspath(source), str) else os.fsdecode(source)
            self._kind, self._source = _FILE, source
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self._kind, self._source = _MEMORY, source
        elif callable(getattr(source, "read", None)):
            try:
                seekable = bool(source.seekable()) if callable(getattr(source, "seekable", None)) else False
            except (OSError, ValueError):
                seekable = False
            if not seekable:
                raise ValueError("AudioFile needs a seekable file object (read, seek, tell, seekable); for a pipe or "
                                 "a socket use miniaudio.stream_any()")
            self._kind, self._source = _PYTHON, source
            self._start = source.tell()
        else:
            raise TypeError(f"AudioFile takes a filename, a file-like object (with read, seek, tell and seekable "
                            f"methods) or a bytes-like object, not {type(source).__name__}")
        try:
            self._open()
        except BaseException:
            self._release()
            raise

    # ---- opening ----------------------------------------------------------------------------------

    def _open_stream(self, output_format: SampleFormat, encoding: FileFormat = FileFormat.UNKNOWN) -> Any:
        kind, source = self._kind, self._source
        if self._window is not None:
            self._window.seek(0)
            kind, source = _PYTHON, _FileLikeSource(self._window)
        elif kind == _PYTHON:
            if self._start:  # the audio starts where the object stood: offsets count from there
                source = _Window(source, self._start, source.seek(0, 2))
            else:
                source.seek(0)
            source = _FileLikeSource(source)
        return _stream(source, kind, encoding, output_format, 0, 0, 4096, DitherMode.NONE, 0, "array")

    def _guess(self) -> SampleFormat:
        """The output format to open with first (a wrong guess costs a second open)."""
        head = b""
        if self._kind == _MEMORY:
            head = bytes(memoryview(self._source).cast("B")[:4])
        name = self._name or getattr(self._source, "name", None)
        if head[:4] in (b"RIFF", b"fLaC", b"RF64") or (
                isinstance(name, str) and name.lower().endswith((".wav", ".flac", ".wave"))):
            return SampleFormat.SIGNED16
        return SampleFormat.FLOAT32

    def _open(self) -> None:
        guess = self._guess()
        try:
            stream = self._open_stream(guess)
        except _ma.DecodeError:
            try:
                found = self._mp3_in_wav()
            except Exception:  # the source fails again: the decoder's error says it
                found = False
            if not found:
                raise
            guess = SampleFormat.FLOAT32
            stream = self._open_stream(guess, FileFormat.MP3)
        desc = stream._source_desc
        encoding, file_format = FileFormat(desc[0]), SampleFormat(desc[1])
        if encoding == FileFormat.MP3 and self._window is None and self._head(4) == b"RIFF" and self._mp3_in_wav():
            # dr_wav refused the header (wBitsPerSample 0, as ffmpeg writes it) and dr_mp3 found the
            # frames by their sync words among the RIFF chunks: read the data chunk alone instead
            # (no chunk bytes taken for audio, and the LAME header's gapless trim applies).
            stream.close()
            guess = SampleFormat.FLOAT32
            stream = self._open_stream(guess, FileFormat.MP3)
        if encoding in (FileFormat.MP3, FileFormat.VORBIS):
            file_format = SampleFormat.FLOAT32  # what their decoders make
        decode_as, self._file_dtype, raw = _NATIVE[file_format]
        if decode_as != guess:
            stream.close()
            stream = self._open_stream(decode_as, encoding)
        self._stream = stream
        self._encoding = encoding
        self._channels = stream.nchannels
        self._rate = stream.sample_rate
        numpy = _numpy()
        self._dtype = numpy.dtype(raw)
        scale = _SCALES.get(self._file_dtype)
        self._scale = None if scale is None else numpy.float32(scale)

    def _head(self, n: int) -> bytes:
        """The first n bytes of the source (its position put back)."""
        if self._kind == _MEMORY:
            return bytes(memoryview(self._source).cast("B")[:n])
        if self._kind == _FILE:
            with open(self._source, "rb") as fileobj:
                return fileobj.read(n)
        saved = self._source.tell()
        try:
            self._source.seek(self._start)
            head: bytes = self._source.read(n)
        finally:
            self._source.seek(saved)
        return head

    def _mp3_in_wav(self) -> bool:
        """When the source is a WAV holding MP3 data (format tag 0x0055: dr_wav opens it but cannot
        decode it), narrows the source to its data chunk and says True."""
        if self._kind == _MEMORY:
            view = memoryview(self._source).cast("B")
            found = _wav_mp3_data(lambda offset, n: bytes(view[offset:offset + n]))
            if found is None:
                return False
            self._source = view[found[0]:found[0] + found[1]]
            return True
        base = self._start if self._kind == _PYTHON else 0
        fileobj: Any = open(self._source, "rb") if self._kind == _FILE else self._source

        def read_at(offset: int, n: int) -> bytes:
            fileobj.seek(base + offset)
            data: bytes = fileobj.read(n)
            return data

        try:
            found = _wav_mp3_data(read_at)
        except BaseException:
            if self._kind == _FILE:
                fileobj.close()
            raise
        if found is None:
            if self._kind == _FILE:
                fileobj.close()
            return False
        if self._kind == _FILE:
            self._own_file = fileobj
        self._window = _Window(fileobj, base + found[0], base + found[0] + found[1])
        return True

    # ---- reading ----------------------------------------------------------------------------------

    def _read_native(self, num_frames: int) -> Any:
        """Up to num_frames frames as a (frames, channels) view of the decoded chunk (busy held)."""
        numpy = _numpy()
        try:
            chunk = self._stream.send(num_frames)
        except StopIteration:
            chunk = b""
        frames = numpy.frombuffer(chunk, dtype=self._dtype).reshape(-1, self._channels)
        return frames

    def _scaled(self, native: Any, out: Any) -> Any:
        """native samples -> float32 as pedalboard scales them, written into out (any layout)."""
        numpy = _numpy()
        if self._file_dtype == "float32":
            out[...] = native
        elif self._file_dtype == "int8":
            numpy.subtract(native, numpy.float32(128), out=out, dtype=numpy.float32)
            out *= self._scale
        else:
            numpy.multiply(native, self._scale, out=out, dtype=numpy.float32, casting="unsafe")
        return out

    def _read_fc(self, num_frames: int) -> Any:
        numpy = _numpy()
        if self._file_dtype != "float32":
            return self._read_into(num_frames, False)
        native = self._read_native(num_frames)
        if self._file_dtype == "float32":
            return native
        return self._scaled(native, numpy.empty(native.shape, numpy.float32))

    def read(self, num_frames: Union[float, int] = 0) -> Any:
        """Reads up to ``num_frames`` frames from the current position as float32 of shape
        ``(channels, frames)``, scaled as pedalboard scales them: 8-bit by 1/127, 16-bit by
        1/32767, 24-bit by 1/8388607, 32-bit by 1/2**31; float files as stored.  Fewer frames
        only at the end of the file (or where a damaged file ends early).

        Raises:
            ValueError: num_frames is 0, negative or fractional.
            RuntimeError: the file is closed, or another thread is using it now.
            DecodeError: the data is damaged, or the file object's read()/seek() raised (the
                original exception is the ``__cause__``).
        """
        return self._read_public(num_frames, False)

    def read_raw(self, num_frames: Union[float, int] = 0) -> Any:
        """Reads up to ``num_frames`` frames as the file stores them, shape ``(channels,
        frames)``: int8 (8-bit WAV, as signed values), int16, int32 (24-bit samples as their
        24-bit values; 32-bit), or float32 (float WAV, MP3, Vorbis).

        Raises:
            The same as :meth:`read`.
        """
        return self._read_public(num_frames, True)

    def _read_public(self, num_frames: Any, raw: bool) -> Any:
        count = _num_frames(num_frames, "ReadableAudioFile")
        self._busy.enter(self, "read_raw" if raw else "read")
        try:
            self._check_open()
            return self._read_cf(count, raw)
        finally:
            self._busy.leave()

    def _out_dtype(self, raw: bool) -> Any:
        numpy = _numpy()
        if not raw:
            return numpy.float32
        return numpy.uint8 if self._file_dtype == "int8" else self._dtype  # int8: viewed at the end

    def _convert_into(self, native: Any, out: Any, raw: bool) -> None:
        """(frames, channels) native samples -> out, (channels, frames): one numpy pass."""
        numpy = _numpy()
        if not raw:
            self._scaled(native.T, out)
        elif self._file_dtype == "int8":
            numpy.bitwise_xor(native.T, 0x80, out=out)
        elif self._file_dtype == "int24":
            numpy.right_shift(native.T, 8, out=out)
        else:
            out[...] = native.T

    def _read_cf(self, count: int, raw: bool) -> Any:
        """Up to count frames as (channels, frames), C-contiguous (busy held).  A large read is
        decoded in blocks into one output: the decoded blocks stay in the cache and reuse
        memory, where one block the size of the output would be fresh pages twice over."""
        numpy = _numpy()
        channels, dtype = self._channels, self._out_dtype(raw)
        as_is = channels == 1 and self._file_dtype in (("float32", "int16", "int32") if raw else ("float32",))
        if not raw and not as_is:
            return self._read_into(count, True)
        stream = self._stream
        length = stream.length
        if as_is or count <= _BLOCK or length is None:
            if as_is or count <= _BLOCK:
                native = self._read_native(count)
                if as_is:
                    return native.reshape(1, -1)
                out = numpy.empty((channels, native.shape[0]), dtype)
                self._convert_into(native, out, raw)
            else:  # length unknown: blocks converted one by one, joined at the end
                parts = []
                left = count
                while left > 0:
                    native = self._read_native(min(_BLOCK, left))
                    part = numpy.empty((channels, native.shape[0]), dtype)
                    self._convert_into(native, part, raw)
                    parts.append(part)
                    left -= native.shape[0]
                    if native.shape[0] < _BLOCK:
                        break
                out = parts[0] if len(parts) == 1 else numpy.concatenate(parts, axis=1)
        else:
            size = max(0, min(count, length - stream.position))
            out = numpy.empty((channels, size), dtype)
            got = 0
            while got < size:
                want = min(_BLOCK, size - got)
                native = self._read_native(want)
                got_now = native.shape[0]
                self._convert_into(native, out[:, got:got + got_now], raw)
                got += got_now
                if got_now < want:  # the file ends before its header said (damaged, truncated)
                    out = numpy.ascontiguousarray(out[:, :got])
                    break
            if got == size and size < count and stream.length is None:
                # the header's length was short: the stream goes on; read on in the slow way
                more = self._read_cf(count - size, raw)
                out = numpy.concatenate([out, more], axis=1)
        if raw and self._file_dtype == "int8":
            return out.view(numpy.int8)
        return out

    def _read_into(self, count: int, planar: bool) -> Any:
        """Up to count frames as float32, (channels, frames) if planar else (frames, channels),
        decoded and scaled by the stream straight into the array (stream_into.c; busy held).  An
        array of the remaining length (when known; else blocks of _BLOCK), cut at a short end."""
        numpy = _numpy()
        stream, channels = self._stream, self._channels
        parts, left = [], count
        while left > 0:
            length = stream.length
            size = min(left, _BLOCK if length is None else max(0, length - stream.position))
            if size == 0 and length is not None:
                size = min(left, 1)  # the header's length may be short: 0 frames tell the end
            out = numpy.empty((channels, size) if planar else (size, channels), numpy.float32)
            got = stream._read_into(out, planar, 0, size, self._scale)
            if got < size:
                out = numpy.ascontiguousarray(out[:, :got] if planar else out[:got])
            parts.append(out)
            left -= got
            if got < size:
                break
        if len(parts) == 1:
            return parts[0]
        return numpy.concatenate(parts, axis=1 if planar else 0)

    def _seek_busy(self, position: int) -> None:
        self._stream.seek(position)

    def _tell(self) -> int:
        stream = self._stream
        if stream is None:
            return 0
        position: int = stream.position
        return position

    # ---- length -----------------------------------------------------------------------------------

    def _frames_busy(self) -> int:
        length = self._stream.length
        if length is not None:
            self._frames_seen = length
            return int(length)
        if self._counted is None:
            self._counted = self._count()
        self._frames_seen = self._counted
        return self._counted

    def _count(self) -> int:
        """The exact length of a stream whose header does not say it (MP3 without a Xing/LAME
        header; Vorbis from a file object): counted by get_info, which walks MP3 frame headers and
        Ogg pages without decoding audio."""
        encoding = self._encoding.value
        if self._window is None and self._kind == _FILE:
            return int(_ma.get_info(os.path.expanduser(self._source), from_file=True, encoding=encoding)[4])
        if self._kind == _MEMORY:
            return int(_ma.get_info(self._source, from_file=False, encoding=encoding)[4])
        # A file object: its bytes are read once (position put back) and counted as in memory
        # (stb_vorbis reads a file object in push mode, which does not tell the length).
        if self._window is not None:
            fileobj, start, stop = self._window._f, self._window._start, self._window._end
        else:
            fileobj, start, stop = self._source, self._start, None
        saved = fileobj.tell()
        try:
            fileobj.seek(start)
            data = fileobj.read() if stop is None else fileobj.read(stop - start)
        finally:
            fileobj.seek(saved)
        return int(_ma.get_info(data, from_file=False, encoding=encoding)[4])

    def _known_frames(self) -> Optional[int]:
        stream = self._stream
        if stream is None or stream.closed:
            return None
        length: Optional[int] = stream.length
        return self._counted if length is None else length

    def _last_frames(self) -> int:
        if self._stream is not None and not self._stream.closed and self._stream.length is not None:
            return int(self._stream.length)
        return self._counted if self._counted is not None else self._frames_seen

    @property
    def exact_duration_known(self) -> bool:
        """Whether :attr:`frames` is exact.  It always is once asked: for an MP3 without a
        Xing/LAME header, the first use of :attr:`frames` counts the frames; until then this is
        False."""
        if self._stream is None or self._stream.closed:
            return True
        return self._counted is not None or self._stream.length is not None

    # ---- properties -------------------------------------------------------------------------------

    @property
    def samplerate(self) -> int:
        """The file's sample rate in Hz (an int)."""
        rate: int = self._rate
        return rate

    @property
    def num_channels(self) -> int:
        """The file's channel count."""
        return int(self._channels)

    @property
    def file_dtype(self) -> str:
        """How the file stores its samples: ``"int8"``, ``"int16"``, ``"int24"``, ``"int32"`` or
        ``"float32"`` (MP3 and Vorbis: ``"float32"``, what their decoders make)."""
        return self._file_dtype

    @property
    def name(self) -> Optional[str]:
        """The path the file was opened with; None for a file object or bytes."""
        return self._name

    @property
    def closed(self) -> bool:
        """Whether the file is closed."""
        return self._stream is None or self._stream.closed

    @property
    def tags(self) -> Dict[str, Any]:
        """The file's tags (title, artist, album, ...) as a dict; empty when it has none or they
        cannot be read (a tag never stops the audio)."""
        if self._tags is None:
            self._tags = self._read_tags()
        return dict(self._tags)

    def _read_tags(self) -> Dict[str, Any]:
        try:
            read_tags = importlib.import_module("._tags", __package__).read_tags
        except (ImportError, AttributeError):
            return {}
        source = self._source
        if self._kind == _PYTHON:
            saved = source.tell()
            source.seek(self._start)
        try:
            tags = read_tags(source)
        except Exception:  # a tag that cannot be parsed never stops the audio
            return {}
        finally:
            if self._kind == _PYTHON:
                source.seek(saved)
        return dict(tags) if tags else {}

    def close(self) -> None:
        """Closes the file and releases the decoder (a file object passed in stays open)."""
        self._busy.enter(self, "close")
        try:
            if self._stream is not None:
                self._frames_seen = self._last_frames()
            self._release()
        finally:
            self._busy.leave()

    def _release(self) -> None:
        stream, own = self._stream, self._own_file
        if stream is not None:
            stream.close()
        if own is not None:
            self._own_file = None
            own.close()


def _pull(reader: _Reader, num_frames: int, position: int) -> Any:
    """num_frames frames of `reader` from `position` as (frames, channels) float32, in its busy
    guard: what a wrapper reads its source with (the source may have been used directly since)."""
    reader._busy.enter(reader, "read")
    try:
        reader._check_open()
        if reader._tell() != position:
            reader._seek_busy(position)
        return reader._read_fc(num_frames)
    finally:
        reader._busy.leave()


def _source_frames(reader: _Reader) -> int:
    reader._busy.enter(reader, "frames")
    try:
        reader._check_open()
        return reader._frames_busy()
    finally:
        reader._busy.leave()


class _Wrapper(_Reader):
    """A reader over another reader (its source), which it never closes."""

    _src: _Reader

    def __init__(self, audio_file: Any) -> None:
        if not isinstance(audio_file, _Reader):
            raise TypeError(f"audio_file must be a ReadableAudioFile, not {type(audio_file).__name__}")
        audio_file._check_open()
        self._src = audio_file
        self._busy = _Busy()
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether this file or the file it reads is closed."""
        return self._closed or self._src.closed

    def close(self) -> None:
        """Closes this file; the file it reads stays open."""
        self._closed = True

    @property
    def exact_duration_known(self) -> bool:
        """As the file it reads."""
        return bool(self._src.exact_duration_known)  # type: ignore[attr-defined]

    @property
    def file_dtype(self) -> str:
        """The sample type of the file it reads (read() always gives float32)."""
        return self._src.file_dtype

    @property
    def name(self) -> Optional[str]:
        """The name of the file it reads."""
        return self._src.name


class ResampledReadableAudioFile(_Wrapper):
    """A readable file resampled on the fly, with constant memory: what
    :meth:`ReadableAudioFile.resampled_to` returns.

    Reading in chunks gives exactly (bit for bit) what one read of the whole file gives, and
    what a :class:`StreamResampler` of the same quality makes of the whole file.  Positions
    (:meth:`tell`, :meth:`seek`, :attr:`frames`) count frames at the new rate; reading starts at
    the start of the file.

    >>> with miniaudio.AudioFile("samples/tone_s16.wav").resampled_to(16000) as f:
    ...     audio = f.read(f.frames)
    >>> f.samplerate, audio.shape
    (16000, (2, 16000))

    ``seek()`` stays sample-exact by resampling from where the file is (forward) or from its
    start (backward): its cost grows with the distance.  ``read_raw()`` is not offered.

    Args:
        audio_file: The file to read (a :class:`ReadableAudioFile` or another reader).
        target_sample_rate: The rate to read at, whole Hz (1 to 384000).
        resampling_quality: A :class:`Resample.Quality <miniaudio.Resample.Quality>` or its name.
    """

    def __init__(self, audio_file: Any, target_sample_rate: float,
                 resampling_quality: Union[Any, str] = _Quality.WindowedSinc32) -> None:
        rate = _whole_rate(target_sample_rate, "target_sample_rate")
        quality = _quality(resampling_quality, "resampling_quality")
        super().__init__(audio_file)
        self._rate = rate
        self._quality = quality
        self._conv = Converter(SampleFormat.FLOAT32, audio_file.num_channels, audio_file.samplerate,
                               SampleFormat.FLOAT32, audio_file.num_channels, rate,
                               resampler_order=quality.resampler_order)
        self._restart()

    def _restart(self) -> None:
        self._conv.reset()
        self._pending: Any = None  # output made but not read yet, (frames, channels)
        self._pos = 0  # output frames read
        self._src_pos = 0  # input frames fed
        self._src_ended = False

    def _read_fc(self, num_frames: int) -> Any:
        numpy = _numpy()
        parts = []
        have = 0
        if self._pending is not None:
            parts.append(self._pending[:num_frames])
            have = parts[0].shape[0]
            self._pending = self._pending[num_frames:] if self._pending.shape[0] > num_frames else None
        while have < num_frames and not self._src_ended:
            want = min(max(self._conv.required_input_frames(num_frames - have), 1024), _CHUNK)
            chunk = _pull(self._src, want, self._src_pos)
            self._src_pos += chunk.shape[0]
            made = self._conv.process(chunk)
            if chunk.shape[0] < want:  # the end of the input
                self._src_ended = True
                rest = self._conv.flush()
                if getattr(rest, "shape", (0,))[0]:
                    made = numpy.concatenate([made, rest])
            take = min(made.shape[0], num_frames - have)
            parts.append(made[:take])
            have += take
            if take < made.shape[0]:
                self._pending = made[take:]
        self._pos += have
        if not parts:
            return numpy.empty((0, self.num_channels), numpy.float32)
        return parts[0] if len(parts) == 1 else numpy.concatenate(parts)

    def _seek_busy(self, position: int) -> None:
        if position < self._pos:
            self._restart()
        while self._pos < position:
            got = self._read_fc(min(position - self._pos, _CHUNK)).shape[0]
            if got == 0:
                break

    def _tell(self) -> int:
        return self._pos

    def _frames_busy(self) -> int:
        frames = _source_frames(self._src)
        source_rate = self._src.samplerate
        self._frames_seen = (frames * self._rate + source_rate - 1) // source_rate
        return self._frames_seen

    def _last_frames(self) -> int:
        return getattr(self, "_frames_seen", 0) if self.closed else self.frames

    @property
    def samplerate(self) -> int:
        """The rate this file reads at (the target rate), in Hz."""
        return self._rate

    @property
    def num_channels(self) -> int:
        """The channel count."""
        return self._src.num_channels

    @property
    def resampling_quality(self) -> Any:
        """The :class:`Resample.Quality <miniaudio.Resample.Quality>` in use."""
        return self._quality


class ChannelConvertedReadableAudioFile(_Wrapper):
    """A readable file with another channel count: what :meth:`ReadableAudioFile.mono`,
    :meth:`~ReadableAudioFile.stereo` and :meth:`~ReadableAudioFile.with_channels` return.

    Channels are mixed by miniaudio's channel converter (rectangular mixing): to mono, the mean
    of the channels; from mono, the same samples in every channel; other counts by miniaudio's
    standard channel maps.  Positions are the file's; reading moves the file it reads too.

    >>> with miniaudio.AudioFile("samples/tone_s16.wav").mono() as f:
    ...     audio = f.read(100)
    >>> audio.shape
    (1, 100)

    Args:
        audio_file: The file to read.
        num_channels: The channel count to read as (1 to 254).
    """

    def __init__(self, audio_file: Any, num_channels: int) -> None:
        count = _channels(num_channels)
        super().__init__(audio_file)
        self._channels = count
        self._conv = Converter(SampleFormat.FLOAT32, audio_file.num_channels, audio_file.samplerate,
                               SampleFormat.FLOAT32, count, audio_file.samplerate)

    def _read_fc(self, num_frames: int) -> Any:
        return self._conv.process(_pull(self._src, num_frames, self._src._tell()))

    def _seek_busy(self, position: int) -> None:
        self._src.seek(position)

    def _tell(self) -> int:
        return self._src.tell()

    def _frames_busy(self) -> int:
        self._frames_seen = _source_frames(self._src)
        return self._frames_seen

    def _last_frames(self) -> int:
        return getattr(self, "_frames_seen", 0) if self.closed else self.frames

    @property
    def samplerate(self) -> int:
        """The sample rate of the file it reads, in Hz."""
        return self._src.samplerate

    @property
    def num_channels(self) -> int:
        """The channel count this file reads as."""
        return self._channels
