"""pedalboard.io's AudioFile, read side: ReadableAudioFile (what ``AudioFile(path_or_file_or_bytes)``
returns), over one DecoderStream per file (MP3 data in a WAV container is found by the core, as for
every entry point: source_wavmp3.c).

The stream decodes in the file's own sample format (int16 for 16-bit files, int32 for 24/32-bit,
float32 for MP3 and Vorbis), so read_raw() is the file's samples and read() scales them as
pedalboard does (16-bit by 1/32767).  Chunks arrive as array.array, viewed by numpy without a copy;
read() converts and transposes to (channels, frames) in one numpy pass.
"""

import importlib
import os
from typing import Any, Dict, Optional, Union

from . import _miniaudio as _ma
from ._audiofile import _Busy, _num_frames, _numpy, _Reader
from ._enums import DitherMode, FileFormat, SampleFormat
from ._sources import _FileLikeSource
from ._streams import _FILE, _MEMORY, _PYTHON, _stream

__all__ = ["ReadableAudioFile"]

_BLOCK = 1 << 15  # frames per decode when a large read() is converted into one output

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


class _Window:
    """bytes [start, end) of a seekable binary file object, as a file object of their own: what
    the decoder reads of a file object whose audio starts at its position when opened.  Seeks
    absolutely before each read, so its own position is independent of the file object's."""

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
        if kind == _PYTHON:
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
        # MP3 data in a WAV container (format tag 0x0055) is found by the core, which decodes its
        # data chunk as MP3 for every entry point (source_wavmp3.c): it opens as MP3 here too.
        guess = self._guess()
        stream = self._open_stream(guess)
        desc = stream._source_desc
        encoding, file_format = FileFormat(desc[0]), SampleFormat(desc[1])
        if encoding in (FileFormat.MP3, FileFormat.VORBIS):
            file_format = SampleFormat.FLOAT32  # what their decoders make
        # a width with no numpy type of its own (12-bit PCM, ...): decoded as float32
        decode_as, self._file_dtype, raw = _NATIVE.get(file_format, _NATIVE[SampleFormat.FLOAT32])
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
        if self._kind == _FILE:
            return int(_ma.get_info(os.path.expanduser(self._source), from_file=True, encoding=encoding)[4])
        if self._kind == _MEMORY:
            return int(_ma.get_info(self._source, from_file=False, encoding=encoding)[4])
        # A file object: its bytes are read once (position put back) and counted as in memory
        # (stb_vorbis reads a file object in push mode, which does not tell the length).
        fileobj = self._source
        saved = fileobj.tell()
        try:
            fileobj.seek(self._start)
            data = fileobj.read()
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
        stream = self._stream
        if stream is not None:
            stream.close()
