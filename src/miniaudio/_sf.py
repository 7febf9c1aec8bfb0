"""soundfile's one-liners: read(), write(), info(), blocks() with soundfile's signatures, shapes,
dtypes and scaling ((frames, channels), 16-bit samples at 1/32768), over the package's decoders.

What differs from soundfile is said where it is: ``samplerate=`` resamples on read (soundfile uses
it for headerless RAW files, which this package does not read); ``write()`` writes WAV only.
"""

import os
from typing import Any, Dict, Iterator, Optional, Tuple

from . import _miniaudio as _ma
from ._decode import SoundFileInfo, _info
from ._enums import FileFormat, SampleFormat

DTYPES = ("float64", "float32", "int32", "int16")

# The decoder's output format for each dtype (float64 is decoded as float32 and widened: every
# sample of a 16- or 24-bit file is exact in float32).
_DECODE_AS = {"float64": SampleFormat.FLOAT32, "float32": SampleFormat.FLOAT32,
              "int32": SampleFormat.SIGNED32, "int16": SampleFormat.SIGNED16}
_NP_OF = {SampleFormat.FLOAT32: "float32", SampleFormat.SIGNED32: "int32", SampleFormat.SIGNED16: "int16"}

_FORMAT_NAMES = {FileFormat.WAV: ("WAV", "WAV (Microsoft)"), FileFormat.FLAC: ("FLAC", "FLAC (Free Lossless Audio Codec)"),
                 FileFormat.MP3: ("MP3", "MPEG-1/2 Audio"), FileFormat.VORBIS: ("OGG", "OGG (OGG Container format)")}
_SUBTYPES = {SampleFormat.UNSIGNED8: ("PCM_U8", "Unsigned 8 bit PCM"), SampleFormat.SIGNED16: ("PCM_16", "Signed 16 bit PCM"),
             SampleFormat.SIGNED24: ("PCM_24", "Signed 24 bit PCM"), SampleFormat.SIGNED32: ("PCM_32", "Signed 32 bit PCM"),
             SampleFormat.FLOAT32: ("FLOAT", "32 bit float")}


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("miniaudio.read(), write() and blocks() need numpy (pip install numpy)") from None
    return numpy


class _Source:
    """The file as the decoders take it: a path, or the bytes of a file object (read from where it
    stands, as soundfile does) or of a buffer."""

    def __init__(self, file: Any) -> None:
        self.path: Optional[str] = None
        self.data: Any = None
        if isinstance(file, (str, os.PathLike)):
            self.path = os.fspath(file)
            if isinstance(self.path, bytes):
                self.path = os.fsdecode(self.path)
            self.name: Any = file
        elif isinstance(file, int) and not isinstance(file, bool):
            with os.fdopen(os.dup(file), "rb") as f:
                self.data = f.read()
            self.name = file
        elif hasattr(file, "read"):
            self.data = file.read()
            if not isinstance(self.data, (bytes, bytearray)):
                raise TypeError(f"the file object must be opened in binary mode (its read() gave "
                                f"{type(self.data).__name__})")
            self.name = getattr(file, "name", file)
        elif isinstance(file, (bytes, bytearray, memoryview)):
            self.data = file
            self.name = "<memory>"
        else:
            raise TypeError(f"file must be a path, a file object or bytes, not {type(file).__name__}")

    def info(self, tags: bool = True) -> SoundFileInfo:
        if self.path is not None:
            return _info(self.path, True, FileFormat.UNKNOWN, tags)
        return _info(self.data, False, FileFormat.UNKNOWN, tags)

    def stream(self, fmt: SampleFormat, channels: int, rate: int, frames: int) -> Any:
        from . import _streams
        if self.path is not None:
            return _streams.stream_file(self.path, fmt, channels, rate, frames)
        return _streams.stream_memory(self.data, fmt, channels, rate, frames)

    def decode(self, fmt: SampleFormat, channels: int, rate: int) -> Any:
        from ._decode import _read
        if self.path is not None:
            return _read(self.path, True, FileFormat.UNKNOWN, fmt, channels, rate)
        return _read(self.data, False, FileFormat.UNKNOWN, fmt, channels, rate)


def _check_dtype(dtype: Any) -> str:
    name = dtype
    if dtype is None:
        name = None
    elif not isinstance(dtype, str):
        try:
            name = str(_numpy().dtype(dtype))  # numpy.float32, numpy.dtype("int16"), ...
        except TypeError:
            name = None
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)!r} and not {dtype!r}")
    return name  # type: ignore[no-any-return]


def _int_arg(value: Any, name: str) -> int:
    import numbers
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return int(value)


def _opt_int_arg(value: Any, name: str) -> Optional[int]:
    return None if value is None else _int_arg(value, name)


class _Reader:
    """An open file at a position, read in soundfile's way."""

    def __init__(self, file: Any, dtype: str, samplerate: Optional[int]) -> None:
        self.source = _Source(file)
        self.file_info = self.source.info(tags=False)  # reading needs no tags
        rate = self.file_info.sample_rate if samplerate is None else _int_arg(samplerate, "samplerate")
        if not 1 <= rate <= _ma.MAX_SAMPLE_RATE:
            raise ValueError(f"samplerate must be 1..{_ma.MAX_SAMPLE_RATE}, not {rate!r}")
        self.rate: int = rate
        self.channels = self.file_info.nchannels
        self.dtype = dtype
        self.fmt, self.convert = self._plan(dtype)
        self.scale, self.direct = self._direct(dtype)
        self.pos = 0
        self._stream: Any = None
        self.total = self._total()

    def _plan(self, dtype: str) -> Tuple[SampleFormat, Any]:
        """How to decode for `dtype` and turn the decoded samples into soundfile's values: the
        decoder's own conversion where it is soundfile's, else a numpy step."""
        kind = self.file_info.sample_format
        float_wav = self.file_info.file_format == FileFormat.WAV and kind == SampleFormat.FLOAT32
        if dtype in ("float64", "float32") and kind == SampleFormat.UNSIGNED8:
            # libsndfile: (x - 128) / 128 (miniaudio's own maps 0..255 onto -1..1)
            return SampleFormat.SIGNED16, lambda x: x / 32768.0
        if dtype == "float64" and kind == SampleFormat.SIGNED32:
            return SampleFormat.SIGNED32, lambda x: x / 2147483648.0  # exact in float64
        if dtype in ("int32", "int16") and float_wav:
            # libsndfile reads a float file as integers unscaled: 42.6 -> 43 (clipped to the type)
            info = _numpy().iinfo(dtype)
            return SampleFormat.FLOAT32, lambda x: _numpy().clip(_numpy().rint(x), info.min, info.max)
        return _DECODE_AS[dtype], None

    def _direct(self, dtype: str) -> Tuple[Optional[float], bool]:
        """(scale, True) when the stream decodes into the output array itself (its
        _read_into, stream_into.c): the decoder's own samples for int16/int32/float32, and for
        float64 the file's samples cast and scaled in float64 (16-bit by 2**-15, 24- and 32-bit as
        int32 by 2**-31: exact, so the values are those of the float32 decode widened).  Changes
        self.fmt to the file's own format for float64 when it does."""
        if self.convert is not None:
            return None, False
        if dtype != "float64":
            return None, True
        if self.rate != self.file_info.sample_rate:
            return None, False  # resampled in float32, then widened
        kind = self.file_info.sample_format
        if self.file_info.file_format in (FileFormat.MP3, FileFormat.VORBIS) or kind == SampleFormat.FLOAT32:
            return None, True
        if kind == SampleFormat.SIGNED16:
            self.fmt = SampleFormat.SIGNED16
            return 2.0 ** -15, True
        if kind in (SampleFormat.SIGNED24, SampleFormat.SIGNED32):
            self.fmt = SampleFormat.SIGNED32
            return 2.0 ** -31, True
        return None, False

    def _put(self, view: Any, at: int, got: Any) -> None:
        view[at:at + len(got)] = got if self.convert is None else self.convert(got)

    def _total(self) -> int:
        if self.rate == self.file_info.sample_rate:
            return int(self.file_info.num_frames)
        stream = self._open()
        length = stream.length
        return int(length) if length is not None else int(self.file_info.num_frames * self.rate //
                                                          self.file_info.sample_rate)

    def _open(self) -> Any:
        if self._stream is None:
            self._stream = self.source.stream(self.fmt, self.channels, self.rate, 4096)
        return self._stream

    def prepare(self, start: Any, stop: Any, frames: Any) -> int:
        """soundfile's _prepare_read: the frames to read from `start` (which it seeks to)."""
        first = _int_arg(start, "start")
        last = _opt_int_arg(stop, "stop")
        count = _int_arg(frames, "frames")
        if count >= 0 and last is not None:
            raise TypeError("Only one of {frames, stop} may be used")
        first, last, _ = slice(first, last).indices(self.total)
        if last < first:
            last = first
        if count < 0:
            count = last - first
        self.pos = first
        return count

    def check_frames(self, frames: int, fill_value: Any) -> int:
        remaining = self.total - self.pos
        if frames < 0 or (frames > remaining and fill_value is None):
            frames = remaining
        return frames

    def empty(self, frames: int, always_2d: bool, dtype: str) -> Any:
        shape = (frames, self.channels) if always_2d or self.channels > 1 else (frames,)
        return _numpy().empty(shape, dtype, order="C")

    def read_into(self, out: Any, frames: int) -> int:
        """Decodes up to `frames` frames at `pos` into the first rows of `out`; returns how many."""
        np = _numpy()
        frames = max(0, min(frames, len(out)))
        if frames == 0:
            return 0
        view = out.reshape(len(out), -1)
        if self.direct:
            stream = self._open()
            if stream.position != self.pos:
                stream.seek(self.pos)
            got = stream._read_into(view, False, 0, frames, self.scale)
            self.pos += got
            return int(got)
        if self.pos == 0 and frames >= self.total and self._stream is None:
            # The whole file: one decode into one buffer, no stream.
            sound = self.source.decode(self.fmt, self.channels, self.rate)
            got = np.frombuffer(sound.samples, dtype=_NP_OF[self.fmt]).reshape(-1, self.channels)[:frames]
            self._put(view, 0, got)
            self.pos = len(got)
            self.total = max(self.total, self.pos) if len(got) < frames else self.total
            return len(got)
        stream = self._open()
        if stream.position != self.pos:
            stream.seek(self.pos)
        done = 0
        while done < frames:
            try:
                chunk = stream.send(min(frames - done, 65536))
            except StopIteration:
                break
            got = np.frombuffer(chunk, dtype=_NP_OF[self.fmt]).reshape(-1, self.channels)
            if len(got) == 0:
                break
            self._put(view, done, got)
            done += len(got)
        self.pos += done
        return done

    def read(self, frames: int, dtype: str, always_2d: bool, fill_value: Any, out: Any) -> Any:
        """soundfile's SoundFile.read from the current position."""
        if out is None:
            frames = self.check_frames(frames, fill_value)
            out = self.empty(frames, always_2d, dtype)
        else:
            _check_out(out, self.channels)
            if frames < 0 or frames > len(out):
                frames = len(out)
        got = self.read_into(out, frames)
        if len(out) > got:
            if fill_value is None:
                out = out[:got]
            else:
                out[got:] = fill_value
        return out

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def _out_dtype(out: Any) -> Any:
    if not hasattr(out, "dtype") or not hasattr(out, "flags"):
        raise TypeError(f"out must be a numpy array, not {type(out).__name__}")
    return out.dtype


def _check_out(out: Any, channels: int) -> None:
    if getattr(out, "ndim", None) not in (1, 2):
        raise ValueError(f"Invalid shape: {getattr(out, 'shape', None)!r}")
    if (out.ndim == 1 and channels != 1) or (out.ndim == 2 and out.shape[1] != channels):
        raise ValueError(f"Invalid shape: {out.shape!r} (channels do not match)")
    if str(out.dtype) not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)!r} and not {str(out.dtype)!r}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")


def read(file: Any, frames: int = -1, start: int = 0, stop: Optional[int] = None, dtype: str = "float64",
         always_2d: bool = False, fill_value: Optional[float] = None, out: Any = None,
         samplerate: Optional[int] = None) -> Tuple[Any, int]:
    """Read a sound file into a numpy array, as :func:`soundfile.read` does.

    Returns ``(data, samplerate)``: ``data`` is ``(frames, channels)``, or ``(frames,)`` for a mono
    file unless ``always_2d``; floats are full scale at 1.0 (16-bit samples divided by 32768, as
    soundfile does), integers at their own full scale.  ``start``/``stop``/``frames`` pick a part
    (negative values count from the end); with ``fill_value`` a read past the end is padded to
    ``frames``; ``out`` is filled instead of a new array.

    Unlike soundfile, ``samplerate=`` resamples while decoding (frames and positions are then at
    that rate); soundfile uses it only for headerless files.

    >>> data, rate = miniaudio.read("samples/tone_s16.wav", stop=4)
    >>> data.shape, data.dtype, rate
    ((4, 2), dtype('float64'), 44100)

    Raises:
        ValueError: A dtype other than float64, float32, int32 or int16; an ``out`` of the wrong
            shape; a bad ``samplerate``.
        TypeError: Both ``frames`` and ``stop`` given, or an argument of the wrong type.
        DecodeError: The file cannot be decoded.
    """
    name = _check_dtype(dtype) if out is None else _check_dtype(str(_out_dtype(out)))
    reader = _Reader(file, name, samplerate)
    try:
        frames = reader.prepare(start, stop, frames)
        data = reader.read(frames, name, bool(always_2d), fill_value, out)
    finally:
        reader.close()
    return data, reader.rate


def blocks(file: Any, blocksize: Optional[int] = None, overlap: int = 0, frames: int = -1, start: int = 0,
           stop: Optional[int] = None, dtype: str = "float64", always_2d: bool = False,
           fill_value: Optional[float] = None, out: Any = None,
           samplerate: Optional[int] = None) -> Iterator[Any]:
    """Read a sound file in blocks of ``blocksize`` frames overlapping by ``overlap``, as
    :func:`soundfile.blocks` does (the last block is shorter unless ``fill_value`` is given).

    >>> blocks = miniaudio.blocks("samples/tone_s16.wav", blocksize=1024, stop=3000)
    >>> [b.shape for b in blocks]
    [(1024, 2), (1024, 2), (952, 2)]

    Raises:
        TypeError: Neither or both of ``blocksize`` and ``out``; both ``frames`` and ``stop``.
        ValueError: ``overlap`` not smaller than ``blocksize``, and what :func:`read` raises.
    """
    np = _numpy()
    name = _check_dtype(dtype) if out is None else _check_dtype(str(_out_dtype(out)))
    step = _int_arg(0 if overlap is None else overlap, "overlap")
    if blocksize is None:
        if out is None:
            raise TypeError("One of {blocksize, out} must be specified")
        size = len(out)
    elif out is not None:
        raise TypeError("Only one of {blocksize, out} may be specified")
    else:
        size = _int_arg(blocksize, "blocksize")
    if size < 1:
        raise ValueError(f"blocksize must be >= 1, not {size}")
    if not 0 <= step < size:
        raise ValueError(f"overlap must be >= 0 and less than blocksize ({size}), not {step}")
    reader = _Reader(file, name, samplerate)
    try:
        count = reader.check_frames(reader.prepare(start, stop, frames), fill_value)
        copy_out = out is None
        if out is None:
            out = reader.empty(size, bool(always_2d), name)
        else:
            _check_out(out, reader.channels)
        memory = None
        while count > 0:
            offset = 0 if memory is None else len(memory)
            if memory is not None:
                out[:offset] = memory
            toread = min(size - offset, count)
            reader.read(toread, name, bool(always_2d), fill_value, out[offset:])
            if step:
                memory = np.copy(out[-step:])
            block = out[:count + step] if size > count + step and fill_value is None else out
            yield np.copy(block) if copy_out else block
            count -= toread
    finally:
        reader.close()


class Info:
    """What :func:`info` tells about a file, with :func:`soundfile.info`'s attribute names."""

    def __init__(self, name: Any, file_info: SoundFileInfo, tags: Dict[str, str]) -> None:
        self.name = name
        self.samplerate = file_info.sample_rate
        self.channels = file_info.nchannels
        self.frames = file_info.num_frames
        self.duration = file_info.num_frames / file_info.sample_rate if file_info.sample_rate else 0.0
        fmt = file_info.file_format
        self.format, self.format_info = _FORMAT_NAMES.get(fmt, (fmt.name, fmt.name))
        if fmt == FileFormat.MP3:
            self.subtype, self.subtype_info = "MPEG_LAYER_III", "MPEG Layer III"
        elif fmt == FileFormat.VORBIS:
            self.subtype, self.subtype_info = "VORBIS", "Vorbis"
        else:
            self.subtype, self.subtype_info = _SUBTYPES.get(file_info.sample_format, ("", ""))
        self.endian = "FILE"
        self.sections = 1
        self.extra_info = ""
        self.tags = tags

    def __repr__(self) -> str:
        return (f"{self.name}\nsamplerate: {self.samplerate} Hz\nchannels: {self.channels}\n"
                f"duration: {self.duration:.3f} s\nformat: {self.format_info} [{self.format}]\n"
                f"subtype: {self.subtype_info} [{self.subtype}]")


def info(file: Any, verbose: bool = False) -> Info:
    """What a sound file holds, as :func:`soundfile.info` tells it: ``samplerate``, ``channels``,
    ``frames``, ``duration``, ``format`` ("WAV", "FLAC", "MP3", "OGG"), ``subtype`` ("PCM_16",
    "PCM_24", "FLOAT", "VORBIS", "MPEG_LAYER_III", ...), and ``tags`` (title, artist, ... when the
    file has them).  ``verbose`` is accepted and ignored.

    >>> miniaudio.info("samples/tone_24.flac").subtype
    'PCM_24'
    """
    source = _Source(file)
    file_info = source.info()
    result = Info(source.name, file_info, dict(file_info.tags))
    if file_info.file_format == FileFormat.WAV and _wav_format_tag(source) == 0xFFFE:
        result.format, result.format_info = "WAVEX", "WAVEX (Microsoft)"
    return result


def _wav_format_tag(source: _Source) -> Optional[int]:
    """The format tag of a WAV file's fmt chunk (0xFFFE: WAVE_FORMAT_EXTENSIBLE), from at most its
    first 64 KiB and 64 chunks; None if it is not found there."""
    if source.path is not None:
        with open(source.path, "rb") as f:
            head = f.read(65536)
    else:
        head = bytes(memoryview(source.data)[:65536])
    if head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        return None
    at = 12
    for _ in range(64):
        if at + 8 > len(head):
            return None
        size = int.from_bytes(head[at + 4:at + 8], "little")
        if head[at:at + 4] == b"fmt ":
            return int.from_bytes(head[at + 8:at + 10], "little") if at + 10 <= len(head) else None
        at += 8 + size + (size & 1)
    return None


# ---- write() -------------------------------------------------------------------------------

_WRITE_SUBTYPES = {"PCM_16": SampleFormat.SIGNED16, "PCM_24": SampleFormat.SIGNED24, "PCM_32": SampleFormat.SIGNED32,
                   "PCM_U8": SampleFormat.UNSIGNED8, "FLOAT": SampleFormat.FLOAT32}


def _format_of(file: Any, format: Optional[str]) -> str:
    if format is None:
        name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else getattr(file, "name", None)
        ext = os.path.splitext(os.fsdecode(name))[1] if isinstance(name, (str, bytes)) else ""
        if not ext:
            raise TypeError("No format specified and unable to get format from file extension: "
                            f"{file!r} (give format='WAV')")
        format = ext[1:]
    if not isinstance(format, str):
        raise TypeError(f"format must be a string, not {type(format).__name__}")
    if format.upper() not in ("WAV", "WAVE"):
        raise ValueError(f"cannot write format {format!r}: miniaudio.write() writes WAV only "
                         f"(subtypes {', '.join(_WRITE_SUBTYPES)}); the decoders read WAV, FLAC, MP3 and Ogg Vorbis")
    return "WAV"


def _samples_for(np: Any, data: Any, fmt: SampleFormat) -> Any:
    """soundfile's (libsndfile's) conversion of `data` to the samples of `fmt`: integers by shifts;
    floats through 32-bit integers, x * 2**31 rounded and clipped, then shifted down (so 16-bit
    values are floored); floats into FLOAT as they are, integers into FLOAT unscaled (both as
    libsndfile does).  NaN becomes 0 (libsndfile: the most negative value)."""
    kind = data.dtype.kind
    if fmt == SampleFormat.FLOAT32:
        return data.astype(np.float32)
    if data.dtype in (np.float64, np.float32):
        # the same rules in one pass in C (sfconv.c): bytes of the samples
        return _ma._sf_to_pcm(np.ascontiguousarray(data), fmt.value)
    if kind == "f":
        x = np.nan_to_num(data.astype(np.float64), nan=0.0)
        i32 = np.clip(np.rint(x * 2147483648.0), -2147483648, 2147483647).astype(np.int64)
    elif data.dtype == np.int16:
        i32 = data.astype(np.int64) << 16
    elif data.dtype == np.int32:
        i32 = data.astype(np.int64)
    else:
        raise ValueError(f"data must be float64, float32, int32 or int16, not {data.dtype}")
    if fmt == SampleFormat.SIGNED32:
        return i32.astype(np.int32)
    if fmt == SampleFormat.SIGNED16:
        return (i32 >> 16).astype(np.int16)
    if fmt == SampleFormat.UNSIGNED8:
        return ((i32 >> 24) + 128).astype(np.uint8)
    s24 = np.ascontiguousarray(i32 >> 8, dtype="<i4").view(np.uint8).reshape(-1, 4)[:, :3]  # little-endian 3-byte samples
    return np.ascontiguousarray(s24)


def write(file: Any, data: Any, samplerate: int, subtype: Optional[str] = None, endian: Optional[str] = None,
          format: Optional[str] = None, closefd: bool = True, compression_level: Optional[float] = None,
          bitrate_mode: Optional[str] = None) -> None:
    """Write ``data`` (``(frames,)`` or ``(frames, channels)``) to a WAV file, as
    :func:`soundfile.write` does: ``subtype`` "PCM_16" (the default), "PCM_24", "PCM_32",
    "PCM_U8" or "FLOAT"; floats are full scale at 1.0, clipped, and converted to integers as
    libsndfile converts them; a file object gets the bytes written from where it stands.

    Differences from soundfile: WAV only (the other formats raise ValueError), "DOUBLE" and the
    compressed WAV subtypes are not written, NaN becomes 0, and ``closefd`` is accepted and
    ignored (a file descriptor is not taken).

    Raises:
        ValueError: Another format or subtype, a big-endian request, a bad sample rate, data of
            more than 2 dimensions or of another dtype, or no frames' shape.
        TypeError: No format and no file extension to tell it; arguments of the wrong type.
    """
    np = _numpy()
    _format_of(file, format)
    name = "PCM_16" if subtype is None else subtype
    if not isinstance(name, str) or name.upper() not in _WRITE_SUBTYPES:
        raise ValueError(f"subtype {subtype!r} cannot be written: miniaudio.write() writes "
                         f"{', '.join(_WRITE_SUBTYPES)}")
    fmt = _WRITE_SUBTYPES[name.upper()]
    if endian not in (None, "FILE", "LITTLE", "file", "little"):
        raise ValueError(f"endian {endian!r} cannot be written: WAV files are little-endian")
    if compression_level is not None or bitrate_mode is not None:
        raise ValueError("compression_level and bitrate_mode are for compressed formats, not WAV")
    rate = _int_arg(samplerate, "samplerate")
    if not 1 <= rate <= 0xFFFFFFFF:
        raise ValueError(f"samplerate must be a positive number of Hz, not {samplerate!r}")
    array_in = np.asarray(data)
    if array_in.ndim not in (1, 2) or (array_in.ndim == 2 and array_in.shape[1] < 1):
        raise ValueError(f"data must be (frames,) or (frames, channels), not of shape {array_in.shape}")
    channels = 1 if array_in.ndim == 1 else array_in.shape[1]
    if channels > _ma.MAX_CHANNELS:
        raise ValueError(f"data has {channels} channels: at most {_ma.MAX_CHANNELS} (is it (channels, frames)? "
                         "give (frames, channels))")
    samples = _samples_for(np, array_in.reshape(len(array_in), channels), fmt)
    _write_wav(file, fmt, channels, rate, samples)


def _write_wav(file: Any, fmt: SampleFormat, channels: int, rate: int, samples: Any) -> None:
    """Writes the converted samples with the package's one WAV writer (miniaudio_c/wavwrite.c):
    to a path, or to a file object from where it stands."""
    if not isinstance(file, (str, os.PathLike)) and not hasattr(file, "write"):
        raise TypeError(f"file must be a path or a file object, not {type(file).__name__}")
    writer = _ma._WavWriter(file, fmt, channels, rate, 0, False)
    try:
        # bytes: raw frames of `fmt`, converted above
        writer.write(samples if isinstance(samples, bytes) else samples.tobytes())
    finally:
        writer.close()
