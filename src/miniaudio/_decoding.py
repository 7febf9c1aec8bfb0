"""File information, whole-file decoding, conversion and WAV writing.

The per-format functions of the established API (flac_read_s16, mp3_read_file_f32, ...) are one
line each over two helpers, _info and _read, which call the one C path in miniaudio._miniaudio.
"""

import array
import os
from typing import TYPE_CHECKING, Any, Optional, Set, Union

from . import _miniaudio as _ma
from ._enums import Backend, ChannelMixMode, DitherMode, FileFormat, SampleFormat, enum_value

MiniaudioError = _ma.MiniaudioError
DecodeError = _ma.DecodeError
OutputTooLargeError = _ma.OutputTooLargeError

FilenameType = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
BufferType = Any  # any C-contiguous bytes-like object: bytes, bytearray, memoryview, array.array, numpy
if TYPE_CHECKING:
    ArrayType = array.array[Any]
else:
    ArrayType = array.array  # subscriptable at run time only from Python 3.12

_MEMORY_NAME = "<memory>"
_WIDTHS = {
    SampleFormat.UNKNOWN: 0,
    SampleFormat.UNSIGNED8: 1,
    SampleFormat.SIGNED16: 2,
    SampleFormat.SIGNED24: 3,
    SampleFormat.SIGNED32: 4,
    SampleFormat.FLOAT32: 4,
}
_NUMPY_DTYPES = {"B": "uint8", "h": "int16", "i": "int32", "f": "float32"}


class SoundFileInfo:
    """Information about an audio file or audio data in memory.

    What :func:`get_file_info` and the ``*_get_file_info`` / ``*_get_info`` functions return.
    ``str()`` gives a one-line summary, e.g.
    ``<SoundFileInfo: 'samples/tone.mp3' MP3 2 ch, 44100 hz, SIGNED16, 44100 frames=1.00 sec.>``.

    Attributes:
        name (str): The file name as given, or ``"<memory>"`` for data in memory.
        file_format (FileFormat): WAV, FLAC, MP3 or VORBIS (UNKNOWN in a :class:`DecodedSoundFile`).
        nchannels (int): The number of channels.
        sample_rate (int): Frames per second, in Hz.
        sample_format (SampleFormat): How the file stores its samples.  MP3 and Vorbis report
            SIGNED16, the format their decoders give without conversion.
        sample_format_name (str): miniaudio's name of the sample format, e.g.
            ``"16-bit Signed Integer"``.
        sample_width (int): Bytes per sample.
        num_frames (int): The length in frames (a frame holds one sample of every channel).
        duration (float): The length in seconds.
        sub_format (int or None): WAV only: the format tag of the file (1 integer PCM, 3 IEEE
            float, ...); None for the other formats.
    """

    def __init__(
        self,
        name: str,
        file_format: FileFormat,
        nchannels: int,
        sample_rate: int,
        sample_format: SampleFormat,
        duration: float,
        num_frames: int,
        sub_format: Optional[int] = None,
    ) -> None:
        sample_format = SampleFormat(enum_value(SampleFormat, sample_format, "sample_format"))
        file_format = FileFormat(enum_value(FileFormat, file_format, "file_format"))
        self.name = name
        self.nchannels = nchannels
        self.sample_rate = sample_rate
        self.sample_format = sample_format
        self.sample_format_name = _ma.format_name(sample_format.value)
        self.sample_width = width_from_format(sample_format)
        self.num_frames = num_frames
        self.duration = duration
        self.file_format = file_format
        self.sub_format = sub_format

    def __str__(self) -> str:
        fileformat = self.file_format.name
        if self.sub_format:
            fileformat += " (fmt=" + str(self.sub_format) + ")"
        return (
            f"<{type(self).__name__}: '{self.name}' {fileformat} {self.nchannels} ch, {self.sample_rate} hz, "
            f"{self.sample_format.name}, {self.num_frames} frames={self.duration:.2f} sec.>"
        )

    def __repr__(self) -> str:
        return str(self)


class DecodedSoundFile(SoundFileInfo):
    """A decoded sound: the :class:`SoundFileInfo` attributes plus the samples.

    What :func:`decode_file`, :func:`decode`, :func:`read_file` and the per-format read functions
    return.  Make one yourself to write samples with :func:`wav_write_file`.  ``file_format`` is
    always UNKNOWN and ``sub_format`` None; ``num_frames`` is ``len(samples) // nchannels``.

    Args:
        name: A name for the sound (shown by ``str()``).
        nchannels: The number of channels in ``samples``.
        sample_rate: Frames per second, in Hz.
        sample_format: The sample format of ``samples``.
        samples: The interleaved samples.

    Attributes:
        samples (array.array): The interleaved samples (left, right, left, right, ... for
            stereo): typecode ``'B'`` for UNSIGNED8, ``'h'`` for SIGNED16, ``'i'`` for SIGNED32,
            ``'f'`` for FLOAT32.
    """

    def __init__(
        self,
        name: str,
        nchannels: int,
        sample_rate: int,
        sample_format: SampleFormat,
        samples: ArrayType,
    ) -> None:
        for argname, value in (("nchannels", nchannels), ("sample_rate", sample_rate)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{argname} must be an int, not {type(value).__name__}")
        if nchannels < 1 or sample_rate < 0:
            raise ValueError(f"nchannels must be at least 1 and sample_rate at least 0, not {nchannels} and "
                             f"{sample_rate}")
        num_frames = len(samples) // nchannels
        duration = num_frames / sample_rate if sample_rate else 0.0  # a file may declare 0 Hz
        super().__init__(name, FileFormat.UNKNOWN, nchannels, sample_rate, sample_format, duration, num_frames)
        self.samples = samples

    def as_numpy(self) -> Any:
        """The samples as a numpy array of shape ``(num_frames, nchannels)``, without a copy.

        The array shares memory with :attr:`samples`: writing to one changes the other.  numpy is
        imported here, and only here.

        >>> sound = miniaudio.decode_file("samples/tone.ogg",
        ...                               miniaudio.SampleFormat.FLOAT32)
        >>> frames = sound.as_numpy()
        >>> frames.shape, frames.dtype
        ((44100, 2), dtype('float32'))

        Returns:
            numpy.ndarray: dtype uint8, int16, int32 or float32, after the sample format.

        Raises:
            MiniaudioError: ``samples`` is not an ``array.array`` of one of those types.
            ImportError: numpy is not installed.
        """
        import numpy

        typecode = getattr(self.samples, "typecode", None)
        dtype = _NUMPY_DTYPES.get(typecode) if typecode else None
        if dtype is None:
            raise MiniaudioError(f"samples of type {type(self.samples).__name__} cannot be viewed as numpy")
        return numpy.frombuffer(self.samples, dtype=dtype).reshape(-1, self.nchannels)


def width_from_format(sampleformat: SampleFormat) -> int:
    """The width in bytes of one sample of the given sample format.

    >>> miniaudio.width_from_format(miniaudio.SampleFormat.SIGNED24)
    3

    Args:
        sampleformat: A :class:`SampleFormat` member.

    Returns:
        int: 1, 2, 3 or 4 (0 for UNKNOWN).

    Raises:
        MiniaudioError: ``sampleformat`` is not a :class:`SampleFormat` member.
    """
    if sampleformat in _WIDTHS:
        return _WIDTHS[sampleformat]
    raise MiniaudioError("unsupported sample format", sampleformat)


# ---- the two helpers every per-format function goes through ------------------------------------


def _fs_name(filename: FilenameType) -> FilenameType:
    """The path to open: ~ expanded, as 1.71 does."""
    if isinstance(filename, (str, bytes, os.PathLike)):
        return os.path.expanduser(filename)
    return filename  # the C layer raises a TypeError naming the argument


def _display_name(filename: FilenameType) -> str:
    return filename if isinstance(filename, str) else os.fsdecode(filename)


def _info(source: Any, from_file: bool, file_format: FileFormat) -> SoundFileInfo:
    if from_file:
        result = _ma.get_info(_fs_name(source), from_file=True, encoding=file_format.value)
        name = _display_name(source)
    else:
        result = _ma.get_info(source, from_file=False, encoding=file_format.value)
        name = _MEMORY_NAME
    encoding, nchannels, sample_rate, sample_format, num_frames, sub_format = result
    duration = num_frames / sample_rate if sample_rate else 0.0
    return SoundFileInfo(name, FileFormat(encoding), nchannels, sample_rate, SampleFormat(sample_format),
                         duration, num_frames, sub_format=sub_format)


def _read(
    source: Any,
    from_file: bool,
    file_format: FileFormat,
    output_format: Any = 0,
    nchannels: int = 0,
    sample_rate: int = 0,
    dither: Any = DitherMode.NONE,
    channel_mix: Any = ChannelMixMode.RECTANGULAR,
    resampler_order: int = 4,
    max_output_bytes: Optional[int] = None,
) -> DecodedSoundFile:
    if output_format != 0:
        output_format = enum_value(SampleFormat, output_format, "output_format")
    kwargs = dict(
        from_file=from_file,
        encoding=file_format.value,
        output_format=output_format,
        nchannels=nchannels,
        sample_rate=sample_rate,
        dither=enum_value(DitherMode, dither, "dither"),
        channel_mix=enum_value(ChannelMixMode, channel_mix, "channel_mix"),
        resampler_order=resampler_order,
        max_output_bytes=max_output_bytes,
    )
    if from_file:
        result = _ma.decode(_fs_name(source), **kwargs)
        name = _display_name(source)
    else:
        result = _ma.decode(source, **kwargs)
        name = _MEMORY_NAME
    samples, nchannels, sample_rate, sample_format = result
    return DecodedSoundFile(name, nchannels, sample_rate, SampleFormat(sample_format), samples)


_S16, _S32, _F32 = SampleFormat.SIGNED16, SampleFormat.SIGNED32, SampleFormat.FLOAT32
_WAV, _FLAC, _MP3, _VORBIS = FileFormat.WAV, FileFormat.FLAC, FileFormat.MP3, FileFormat.VORBIS


# ---- information --------------------------------------------------------------------------------


def get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Information about an audio file: format, channels, sample rate, length.

    The format (WAV, FLAC, MP3 or Ogg Vorbis) is detected from the file's content, whatever its
    name.

    >>> info = miniaudio.get_file_info("samples/tone.mp3")
    >>> info.file_format, info.nchannels, info.sample_rate, info.num_frames
    (<FileFormat.MP3: 3>, 2, 44100, 44100)

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _info(filename, True, FileFormat.UNKNOWN)


def wav_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Information about a WAV file (like :func:`get_file_info`, for WAV only).

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not a WAV file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _info(filename, True, _WAV)


def wav_get_info(data: BufferType) -> SoundFileInfo:
    """Information about WAV audio data in memory.

    Args:
        data: The content of a WAV file (any bytes-like object).

    Returns:
        SoundFileInfo: The properties, with ``name`` ``"<memory>"``.

    Raises:
        DecodeError: The data is not WAV, or it is damaged.
    """
    return _info(data, False, _WAV)


def flac_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Information about a FLAC file (like :func:`get_file_info`, for FLAC only).

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not a FLAC file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _info(filename, True, _FLAC)


def flac_get_info(data: BufferType) -> SoundFileInfo:
    """Information about FLAC audio data in memory.

    Args:
        data: The content of a FLAC file (any bytes-like object).

    Returns:
        SoundFileInfo: The properties, with ``name`` ``"<memory>"``.

    Raises:
        DecodeError: The data is not FLAC, or it is damaged.
    """
    return _info(data, False, _FLAC)


def mp3_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Information about an MP3 file (like :func:`get_file_info`, for MP3 only).

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not an MP3 file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _info(filename, True, _MP3)


def mp3_get_info(data: BufferType) -> SoundFileInfo:
    """Information about MP3 audio data in memory.

    Args:
        data: The content of a MP3 file (any bytes-like object).

    Returns:
        SoundFileInfo: The properties, with ``name`` ``"<memory>"``.

    Raises:
        DecodeError: The data is not MP3, or it is damaged.
    """
    return _info(data, False, _MP3)


def vorbis_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Information about an Ogg Vorbis file (like :func:`get_file_info`, for Ogg Vorbis only).

    Args:
        filename: The path of the file.

    Returns:
        SoundFileInfo: The file's properties.

    Raises:
        DecodeError: The file is not an Ogg Vorbis file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _info(filename, True, _VORBIS)


def vorbis_get_info(data: BufferType) -> SoundFileInfo:
    """Information about Ogg Vorbis audio data in memory.

    Args:
        data: The content of a Ogg Vorbis file (any bytes-like object).

    Returns:
        SoundFileInfo: The properties, with ``name`` ``"<memory>"``.

    Raises:
        DecodeError: The data is not Ogg Vorbis, or it is damaged.
    """
    return _info(data, False, _VORBIS)


# ---- whole-file decoding at the file's own rate and channels -----------------------------------


def read_file(
    filename: FilenameType, convert_to_16bit: bool = False, *, max_output_bytes: Optional[int] = None
) -> DecodedSoundFile:
    """Decode a whole audio file in its own sample format, sample rate and channel count.

    The format (WAV, FLAC, MP3 or Ogg Vorbis) is detected from the file's content.

    >>> sound = miniaudio.read_file("samples/tone_16.flac")
    >>> sound.sample_format, sound.nchannels, sound.sample_rate, sound.num_frames
    (<SampleFormat.SIGNED16: 2>, 2, 44100, 44100)

    Args:
        filename: The path of the file.
        convert_to_16bit: Decode to SIGNED16 whatever the file holds.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array``.

    Raises:
        MiniaudioError: The file holds 24-bit samples, which no ``array.array`` type holds, and
            ``convert_to_16bit`` is false (use :func:`decode_file` to choose another format).
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged.
        OSError: The file cannot be opened.
    """
    return _read(filename, True, FileFormat.UNKNOWN, _S16 if convert_to_16bit else 0,
                 max_output_bytes=max_output_bytes)


def wav_read_file_s16(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole WAV file to 16-bit signed integer samples (SIGNED16).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a WAV file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _WAV, _S16, max_output_bytes=max_output_bytes)


def wav_read_file_s32(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole WAV file to 32-bit signed integer samples (SIGNED32).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'i'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a WAV file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _WAV, _S32, max_output_bytes=max_output_bytes)


def wav_read_file_f32(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole WAV file to 32-bit float samples (FLOAT32).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a WAV file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _WAV, _F32, max_output_bytes=max_output_bytes)


def wav_read_s16(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode WAV data in memory to 16-bit signed integer samples (SIGNED16).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a WAV file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not WAV, or it is damaged.
    """
    return _read(data, False, _WAV, _S16, max_output_bytes=max_output_bytes)


def wav_read_s32(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode WAV data in memory to 32-bit signed integer samples (SIGNED32).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a WAV file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'i', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not WAV, or it is damaged.
    """
    return _read(data, False, _WAV, _S32, max_output_bytes=max_output_bytes)


def wav_read_f32(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode WAV data in memory to 32-bit float samples (FLOAT32).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a WAV file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not WAV, or it is damaged.
    """
    return _read(data, False, _WAV, _F32, max_output_bytes=max_output_bytes)


def flac_read_file_s16(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole FLAC file to 16-bit signed integer samples (SIGNED16).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a FLAC file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _FLAC, _S16, max_output_bytes=max_output_bytes)


def flac_read_file_s32(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole FLAC file to 32-bit signed integer samples (SIGNED32).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'i'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a FLAC file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _FLAC, _S32, max_output_bytes=max_output_bytes)


def flac_read_file_f32(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole FLAC file to 32-bit float samples (FLOAT32).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not a FLAC file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _FLAC, _F32, max_output_bytes=max_output_bytes)


def flac_read_s16(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode FLAC data in memory to 16-bit signed integer samples (SIGNED16).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a FLAC file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not FLAC, or it is damaged.
    """
    return _read(data, False, _FLAC, _S16, max_output_bytes=max_output_bytes)


def flac_read_s32(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode FLAC data in memory to 32-bit signed integer samples (SIGNED32).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a FLAC file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'i', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not FLAC, or it is damaged.
    """
    return _read(data, False, _FLAC, _S32, max_output_bytes=max_output_bytes)


def flac_read_f32(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode FLAC data in memory to 32-bit float samples (FLOAT32).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of a FLAC file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not FLAC, or it is damaged.
    """
    return _read(data, False, _FLAC, _F32, max_output_bytes=max_output_bytes)


def mp3_read_file_s16(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole MP3 file to 16-bit signed integer samples (SIGNED16).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not an MP3 file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _MP3, _S16, max_output_bytes=max_output_bytes)


def mp3_read_file_f32(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole MP3 file to 32-bit float samples (FLOAT32).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not an MP3 file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _MP3, _F32, max_output_bytes=max_output_bytes)


def mp3_read_s16(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode MP3 data in memory to 16-bit signed integer samples (SIGNED16).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of an MP3 file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not MP3, or it is damaged.
    """
    return _read(data, False, _MP3, _S16, max_output_bytes=max_output_bytes)


def mp3_read_f32(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode MP3 data in memory to 32-bit float samples (FLOAT32).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of an MP3 file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'f', with
        ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not MP3, or it is damaged.
    """
    return _read(data, False, _MP3, _F32, max_output_bytes=max_output_bytes)


def vorbis_read_file(filename: FilenameType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode a whole Ogg Vorbis file to 16-bit signed integer samples (SIGNED16).

    The result has the file's own sample rate and channel count.

    Args:
        filename: The path of the file.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h'.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not an Ogg Vorbis file, or it is damaged.
        OSError: The file cannot be opened (:class:`FileNotFoundError`, :class:`PermissionError`, ...).
    """
    return _read(filename, True, _VORBIS, _S16, max_output_bytes=max_output_bytes)


def vorbis_read(data: BufferType, *, max_output_bytes: Optional[int] = None) -> DecodedSoundFile:
    """Decode Ogg Vorbis data in memory to 16-bit signed integer samples (SIGNED16).

    The result has the data's own sample rate and channel count.

    Args:
        data: The content of an Ogg Vorbis file (any bytes-like object).
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array`` of typecode 'h', with ``name``
        ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not Ogg Vorbis, or it is damaged.
    """
    return _read(data, False, _VORBIS, _S16, max_output_bytes=max_output_bytes)


# ---- decoding to a chosen format ---------------------------------------------------------------


def _check_output(nchannels: int, sample_rate: int) -> None:
    """decode()/decode_file() ask for an explicit channel count and rate (0 is not 'native')."""
    for value, name, what in ((nchannels, "nchannels", "a channel count from 1 to 254"),
                              (sample_rate, "sample_rate", "a sample rate from 1 to 384000 Hz")):
        if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
            raise ValueError(f"{name} must be {what}, not {value}")


def decode_file(
    filename: FilenameType,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    dither: DitherMode = DitherMode.NONE,
    *,
    channel_mix: ChannelMixMode = ChannelMixMode.RECTANGULAR,
    resampler_order: int = 4,
    max_output_bytes: Optional[int] = None,
) -> DecodedSoundFile:
    """Decode a whole audio file to the sample format, channels and sample rate you choose.

    The format (WAV, FLAC, MP3 or Ogg Vorbis) is detected from the file's content.  Decoding
    releases the GIL, so threads decode files in parallel.

    >>> sound = miniaudio.decode_file("samples/mono.mp3", miniaudio.SampleFormat.FLOAT32,
    ...                               nchannels=2, sample_rate=48000)
    >>> sound.nchannels, sound.sample_rate, sound.num_frames, sound.samples.typecode
    (2, 48000, 48000, 'f')

    Args:
        filename: The path of the file.
        output_format: The sample format of the result.  SIGNED24 is refused (no ``array.array``
            type holds 3-byte samples): decode to SIGNED32 or FLOAT32.
        nchannels: The channel count of the result (1 to 254).  Channels are mixed as
            ``channel_mix`` says.
        sample_rate: The sample rate of the result in Hz (1 to 384000).  miniaudio's linear
            resampler converts the rate.
        dither: The dither applied when the result has fewer bits per sample than the source
            (NONE, RECTANGLE or TRIANGLE).
        channel_mix: RECTANGULAR (the default) mixes by the channels' positions; SIMPLE drops
            the channels the result has no room for and leaves extra channels silent (a mono
            source still goes to every channel).  CUSTOMWEIGHTS is refused (there is no way to
            give the weights).
        resampler_order: The order (0 to 8) of the resampler's low-pass filter: higher removes
            more aliasing and costs more time.  4 is miniaudio's default and 1.71's fixed value.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the file's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The file is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged.
        OSError: The file cannot be opened.
        ValueError: An argument is out of range (the message names it).
        TypeError: An argument has the wrong type (the message names it).
    """
    _check_output(nchannels, sample_rate)
    return _read(filename, True, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, dither,
                 channel_mix, resampler_order, max_output_bytes)


def decode(
    data: BufferType,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    dither: DitherMode = DitherMode.NONE,
    *,
    channel_mix: ChannelMixMode = ChannelMixMode.RECTANGULAR,
    resampler_order: int = 4,
    max_output_bytes: Optional[int] = None,
) -> DecodedSoundFile:
    """Decode a whole audio file held in memory to the sample format, channels and rate you choose.

    The same as :func:`decode_file`, for data: the format (WAV, FLAC, MP3 or Ogg Vorbis) is
    detected from the content.

    >>> with open("samples/tone.ogg", "rb") as f:
    ...     sound = miniaudio.decode(f.read(), nchannels=1, sample_rate=22050)
    >>> sound.name, sound.nchannels, sound.sample_rate, sound.num_frames
    ('<memory>', 1, 22050, 22050)

    Args:
        data: The content of an audio file (any bytes-like object; it is not copied).
        output_format: The sample format of the result.  SIGNED24 is refused (no ``array.array``
            type holds 3-byte samples): decode to SIGNED32 or FLOAT32.
        nchannels: The channel count of the result (1 to 254).  Channels are mixed as
            ``channel_mix`` says.
        sample_rate: The sample rate of the result in Hz (1 to 384000).  miniaudio's linear
            resampler converts the rate.
        dither: The dither applied when the result has fewer bits per sample than the source
            (NONE, RECTANGLE or TRIANGLE).
        channel_mix: RECTANGULAR (the default) mixes by the channels' positions; SIMPLE drops
            the channels the result has no room for and leaves extra channels silent (a mono
            source still goes to every channel).  CUSTOMWEIGHTS is refused (there is no way to
            give the weights).
        resampler_order: The order (0 to 8) of the resampler's low-pass filter: higher removes
            more aliasing and costs more time.  4 is miniaudio's default and 1.71's fixed value.
        max_output_bytes: The most bytes of samples to produce: more raises
            :class:`OutputTooLargeError`.  None (the default) means the larger of 64 MiB and
            4096 times the data's size; ``sys.maxsize`` means no bound.

    Returns:
        DecodedSoundFile: The samples, in an ``array.array``, with ``name`` ``"<memory>"``.

    Raises:
        OutputTooLargeError: The samples would take more than ``max_output_bytes`` bytes (a
            :class:`DecodeError`).
        DecodeError: The data is not WAV, FLAC, MP3 or Ogg Vorbis, or it is damaged.
        ValueError: An argument is out of range (the message names it).
        TypeError: An argument has the wrong type (the message names it).
    """
    _check_output(nchannels, sample_rate)
    return _read(data, False, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, dither,
                 channel_mix, resampler_order, max_output_bytes)


# ---- conversion ---------------------------------------------------------------------------------


def convert_sample_format(
    from_fmt: SampleFormat, sourcedata: BufferType, to_fmt: SampleFormat, dither: DitherMode = DitherMode.NONE
) -> bytearray:
    """Convert raw PCM samples to another sample format.

    The channel count and sample rate stay as they are: every sample is converted on its own.

    >>> import array
    >>> pcm = array.array("h", [16384, -32768])
    >>> f32 = miniaudio.convert_sample_format(miniaudio.SampleFormat.SIGNED16, pcm,
    ...                                       miniaudio.SampleFormat.FLOAT32)
    >>> array.array("f", f32)
    array('f', [0.5, -1.0])

    Args:
        from_fmt: The sample format of ``sourcedata``.
        sourcedata: The samples (any bytes-like object, e.g. an ``array.array``).
        to_fmt: The sample format of the result.
        dither: The dither applied when the result has fewer bits per sample (NONE, RECTANGLE
            or TRIANGLE).

    Returns:
        bytearray: The converted samples, in native byte order (wrap them in an ``array.array``
        or ``numpy.frombuffer`` to use them as numbers).

    Raises:
        ValueError: ``sourcedata`` is not a whole number of samples, or a format is UNKNOWN.
    """
    return _ma.convert_sample_format(
        enum_value(SampleFormat, from_fmt, "from_fmt"),
        sourcedata,
        enum_value(SampleFormat, to_fmt, "to_fmt"),
        enum_value(DitherMode, dither, "dither"),
    )


def convert_frames(
    from_fmt: SampleFormat,
    from_numchannels: int,
    from_samplerate: int,
    sourcedata: BufferType,
    to_fmt: SampleFormat,
    to_numchannels: int,
    to_samplerate: int,
    *,
    dither: DitherMode = DitherMode.NONE,
    channel_mix: ChannelMixMode = ChannelMixMode.RECTANGULAR,
    resampler_order: int = 4,
) -> bytearray:
    """Convert PCM frames to another sample format, channel count and sample rate.

    Conversion runs in C with the GIL released.

    >>> import array
    >>> stereo = array.array("h", [1000, 3000, -2000, 2000])    # two stereo frames
    >>> mono = miniaudio.convert_frames(miniaudio.SampleFormat.SIGNED16, 2, 44100, stereo,
    ...                                 miniaudio.SampleFormat.SIGNED16, 1, 44100)
    >>> array.array("h", mono)
    array('h', [2000, 0])

    Args:
        from_fmt: The sample format of ``sourcedata``.
        from_numchannels: The channel count of ``sourcedata``.
        from_samplerate: The sample rate of ``sourcedata`` in Hz.
        sourcedata: Interleaved frames (any bytes-like object, e.g. an ``array.array``).
        to_fmt: The sample format of the result.
        to_numchannels: The channel count of the result.
        to_samplerate: The sample rate of the result in Hz.
        dither: The dither applied when the result has fewer bits per sample (NONE, RECTANGLE
            or TRIANGLE).
        channel_mix: RECTANGULAR (the default) or SIMPLE, as for :func:`decode_file`.
        resampler_order: The order (0 to 8) of the resampler's low-pass filter, as for
            :func:`decode_file`.

    Returns:
        bytearray: The converted frames, in native byte order.  When the rate changes, the
        number of frames is the source's scaled by the ratio of the rates.

    Raises:
        ValueError: ``sourcedata`` is not a whole number of frames, or an argument is out of
            range (the message names it).
        TypeError: An argument has the wrong type.
    """
    return _ma.convert_frames(
        enum_value(SampleFormat, from_fmt, "from_fmt"),
        from_numchannels,
        from_samplerate,
        sourcedata,
        enum_value(SampleFormat, to_fmt, "to_fmt"),
        to_numchannels,
        to_samplerate,
        enum_value(DitherMode, dither, "dither"),
        enum_value(ChannelMixMode, channel_mix, "channel_mix"),
        resampler_order,
    )


# ---- writing ------------------------------------------------------------------------------------


def wav_write_file(filename: FilenameType, sound: DecodedSoundFile) -> None:
    """Write a sound to a WAV file.

    Integer samples are written as integer PCM and FLOAT32 samples as IEEE float WAV (format
    tag 3), so every sample format reads back exactly.

    >>> import os, tempfile
    >>> sound = miniaudio.decode_file("samples/tone.mp3", miniaudio.SampleFormat.FLOAT32)
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> miniaudio.wav_write_file(path, sound)
    >>> miniaudio.wav_read_file_f32(path).samples == sound.samples
    True

    As in 1.71, ``sound.num_frames`` frames are written: lower it (or slice ``samples``) to
    write the start of a sound only.  A ``sound.sub_format`` you set is the file's format tag
    where it describes the samples: 1 (PCM) for integer samples, 3 (IEEE float) for FLOAT32, 6
    (A-law) or 7 (mu-law) for UNSIGNED8 samples that hold those 8-bit codes.  Any other
    ``sub_format`` is not followed (float samples are never labelled integer PCM): the samples'
    own tag is written.

    Args:
        filename: The path of the file to write (an existing file is replaced).
        sound: What to write: its ``samples``, ``nchannels``, ``sample_rate`` and
            ``sample_format`` are used, and ``num_frames`` and ``sub_format`` when it has them.
            ``samples`` may be any bytes-like object (3-byte samples for SIGNED24).  When
            ``num_frames`` is larger than ``samples`` holds, all of ``samples`` is written.

    Raises:
        OSError: The file cannot be created.
        ValueError: ``samples`` is not a whole number of frames (and all of it would be
            written), or ``num_frames`` is negative.
        TypeError: ``num_frames`` or ``sub_format`` is not an int.
    """
    if not all(hasattr(sound, a) for a in ("samples", "nchannels", "sample_rate", "sample_format")):
        raise TypeError(f"sound must be a DecodedSoundFile (samples, nchannels, sample_rate, sample_format), "
                        f"not {type(sound).__name__}")
    num_frames = getattr(sound, "num_frames", None)
    if num_frames is None:
        num_frames = -1
    elif isinstance(num_frames, bool) or not isinstance(num_frames, int):
        raise TypeError(f"sound.num_frames must be an int, not {type(num_frames).__name__}")
    elif num_frames < 0:
        raise ValueError(f"sound.num_frames must be at least 0, not {num_frames}")
    tag = getattr(sound, "sub_format", None)
    if tag is None:
        tag = 0
    elif isinstance(tag, bool) or not isinstance(tag, int):
        raise TypeError(f"sound.sub_format must be an int (a WAV format tag) or None, not {type(tag).__name__}")
    _ma.wav_write_file(
        _fs_name(filename),
        sound.samples,
        sound.nchannels,
        sound.sample_rate,
        enum_value(SampleFormat, sound.sample_format, "sound.sample_format"),
        min(num_frames, 2 ** 63 - 1),
        tag if 0 <= tag <= 0xFFFF else 0,
    )


# ---- miscellaneous ------------------------------------------------------------------------------


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

    This reports miniaudio's capability only: as in 1.71, no device class opens a loopback device.

    Args:
        backend: A :class:`Backend` member or its int value.

    Returns:
        bool: True if the backend supports loopback.
    """
    return _ma.is_loopback_supported(enum_value(Backend, backend, "backend"))
