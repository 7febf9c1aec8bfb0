"""File information and whole-file decoding: SoundFileInfo, DecodedSoundFile, get_file_info,
read_file, decode_file and decode, over the one C path in miniaudio._miniaudio.

The two helpers _info and _read are what every function here and every per-format function of
1.71 (miniaudio._per_format) goes through.
"""

from typing import Any, Dict, Optional

from . import _miniaudio as _ma
from ._convert import width_from_format
from ._enums import ChannelMixMode, DitherMode, FileFormat, SampleFormat, enum_value
from ._errors import MiniaudioError
from ._types import ArrayType, BufferType, FilenameType, _display_name, _fs_name

_MEMORY_NAME = "<memory>"
# array.array typecode -> numpy dtype name, from the C module's one sample-format table.
_NUMPY_DTYPES = {typecode: dtype for _, typecode, dtype, _ in _ma.SAMPLE_FORMATS.values() if typecode}


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
        tags (dict): The file's tags, as :func:`read_tags` gives them: ``{"title": ...,
            "artist": ...}`` with only the fields the file has (``{}`` when it has none, and in
            a :class:`DecodedSoundFile`).
    """

    tags: Dict[str, str]

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
        tags: Optional[Dict[str, str]] = None,
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
        self.tags = dict(tags) if tags else {}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        # an object pickled before tags existed (1.71) gets {} too
        self.__dict__.update(state)
        self.__dict__.setdefault("tags", {})

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


# ---- the two helpers every decoding function goes through -------------------------------------


# What SoundFileInfo.__init__ computes per sample format, looked up once: _info() builds the
# object without the checks (its values come from the C layer), a few microseconds a call.
_SAMPLE_FORMATS = {m.value: m for m in SampleFormat}
_FILE_FORMATS = {m.value: m for m in FileFormat}
_FORMAT_NAMES = {m.value: _ma.format_name(m.value) for m in SampleFormat}
_WIDTHS = {m.value: width_from_format(m) for m in SampleFormat}


def _info(source: Any, from_file: bool, file_format: FileFormat, tags: bool = True) -> SoundFileInfo:
    """The SoundFileInfo of a path (from_file) or of bytes; without its tags (an empty dict, one
    read of the file less) when `tags` is false."""
    if from_file:
        result = _ma.get_info(_fs_name(source), from_file=True, encoding=file_format.value, tags=tags)
        name = source if isinstance(source, str) else _display_name(source)
    else:
        result = _ma.get_info(source, from_file=False, encoding=file_format.value, tags=tags)
        name = _MEMORY_NAME
    code, nchannels, sample_rate, sample_format, num_frames, sub_format = result[:6]
    encoding = _FILE_FORMATS[code]
    info = SoundFileInfo.__new__(SoundFileInfo)
    info.__dict__.update(
        name=name, nchannels=nchannels, sample_rate=sample_rate, sample_format=_SAMPLE_FORMATS[sample_format],
        sample_format_name=_FORMAT_NAMES[sample_format], sample_width=_WIDTHS[sample_format],
        num_frames=num_frames, duration=num_frames / sample_rate if sample_rate else 0.0,
        file_format=encoding, sub_format=sub_format,
        tags=result[6] if tags else {})
    return info


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
    return _read(filename, True, FileFormat.UNKNOWN, SampleFormat.SIGNED16 if convert_to_16bit else 0,
                 max_output_bytes=max_output_bytes)


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
