"""File information, whole-file decoding, conversion and WAV writing.

The per-format functions of the established API (flac_read_s16, mp3_read_file_f32, ...) are one
line each over two helpers, _info and _read, which call the one C path in miniaudio._miniaudio.
"""

import array
import os
from typing import Any, Optional, Set, Union

from . import _miniaudio as _ma
from ._enums import Backend, ChannelMixMode, DitherMode, FileFormat, SampleFormat, enum_value

MiniaudioError = _ma.MiniaudioError
DecodeError = _ma.DecodeError

FilenameType = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
BufferType = Any  # any C-contiguous bytes-like object: bytes, bytearray, memoryview, array.array, numpy

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
    """Contains various properties of an audio file."""

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
    """Contains various properties and also the PCM frames of a fully decoded audio file."""

    def __init__(
        self,
        name: str,
        nchannels: int,
        sample_rate: int,
        sample_format: SampleFormat,
        samples: "array.array[Any]",
    ) -> None:
        num_frames = len(samples) // nchannels
        duration = num_frames / sample_rate
        super().__init__(name, FileFormat.UNKNOWN, nchannels, sample_rate, sample_format, duration, num_frames)
        self.samples = samples

    def as_numpy(self) -> Any:
        """The samples as a numpy array of shape (num_frames, nchannels) that shares memory with
        `samples` (no copy).  Needs numpy, which is imported only here."""
        import numpy

        typecode = getattr(self.samples, "typecode", None)
        dtype = _NUMPY_DTYPES.get(typecode) if typecode else None
        if dtype is None:
            raise MiniaudioError(f"samples of type {type(self.samples).__name__} cannot be viewed as numpy")
        return numpy.frombuffer(self.samples, dtype=dtype).reshape(-1, self.nchannels)


def width_from_format(sampleformat: SampleFormat) -> int:
    """returns the sample width in bytes, of the given sample format."""
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
    """Fetch some information about the audio file.  The format is detected from the file's
    content (WAV, FLAC, MP3 or Ogg Vorbis), whatever its name."""
    return _info(filename, True, FileFormat.UNKNOWN)


def wav_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Fetch some information about the audio file (wav format)."""
    return _info(filename, True, _WAV)


def wav_get_info(data: BufferType) -> SoundFileInfo:
    """Fetch some information about the audio data (wav format)."""
    return _info(data, False, _WAV)


def flac_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Fetch some information about the audio file (flac format)."""
    return _info(filename, True, _FLAC)


def flac_get_info(data: BufferType) -> SoundFileInfo:
    """Fetch some information about the audio data (flac format)."""
    return _info(data, False, _FLAC)


def mp3_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Fetch some information about the audio file (mp3 format)."""
    return _info(filename, True, _MP3)


def mp3_get_info(data: BufferType) -> SoundFileInfo:
    """Fetch some information about the audio data (mp3 format)."""
    return _info(data, False, _MP3)


def vorbis_get_file_info(filename: FilenameType) -> SoundFileInfo:
    """Fetch some information about the audio file (vorbis format)."""
    return _info(filename, True, _VORBIS)


def vorbis_get_info(data: BufferType) -> SoundFileInfo:
    """Fetch some information about the audio data (vorbis format)."""
    return _info(data, False, _VORBIS)


# ---- whole-file decoding at the file's own rate and channels -----------------------------------


def read_file(filename: FilenameType, convert_to_16bit: bool = False) -> DecodedSoundFile:
    """Reads and decodes the whole audio file.
    Miniaudio will attempt to return the sound data in exactly the same format as in the file.
    Unless you set convert_convert_to_16bit to True, then the result is always a 16 bit sample format.
    """
    return _read(filename, True, FileFormat.UNKNOWN, _S16 if convert_to_16bit else 0)


def wav_read_file_s16(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio file. Resulting sample format is 16 bits signed integer."""
    return _read(filename, True, _WAV, _S16)


def wav_read_file_s32(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio file. Resulting sample format is 32 bits signed integer."""
    return _read(filename, True, _WAV, _S32)


def wav_read_file_f32(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio file. Resulting sample format is 32 bits float."""
    return _read(filename, True, _WAV, _F32)


def wav_read_s16(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio data. Resulting sample format is 16 bits signed integer."""
    return _read(data, False, _WAV, _S16)


def wav_read_s32(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio data. Resulting sample format is 32 bits signed integer."""
    return _read(data, False, _WAV, _S32)


def wav_read_f32(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole wav audio data. Resulting sample format is 32 bits float."""
    return _read(data, False, _WAV, _F32)


def flac_read_file_s16(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio file. Resulting sample format is 16 bits signed integer."""
    return _read(filename, True, _FLAC, _S16)


def flac_read_file_s32(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio file. Resulting sample format is 32 bits signed integer."""
    return _read(filename, True, _FLAC, _S32)


def flac_read_file_f32(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio file. Resulting sample format is 32 bits float."""
    return _read(filename, True, _FLAC, _F32)


def flac_read_s16(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio data. Resulting sample format is 16 bits signed integer."""
    return _read(data, False, _FLAC, _S16)


def flac_read_s32(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio data. Resulting sample format is 32 bits signed integer."""
    return _read(data, False, _FLAC, _S32)


def flac_read_f32(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole flac audio data. Resulting sample format is 32 bits float."""
    return _read(data, False, _FLAC, _F32)


def mp3_read_file_s16(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole mp3 audio file. Resulting sample format is 16 bits signed integer."""
    return _read(filename, True, _MP3, _S16)


def mp3_read_file_f32(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole mp3 audio file. Resulting sample format is 32 bits float."""
    return _read(filename, True, _MP3, _F32)


def mp3_read_s16(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole mp3 audio data. Resulting sample format is 16 bits signed integer."""
    return _read(data, False, _MP3, _S16)


def mp3_read_f32(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole mp3 audio data. Resulting sample format is 32 bits float."""
    return _read(data, False, _MP3, _F32)


def vorbis_read_file(filename: FilenameType) -> DecodedSoundFile:
    """Reads and decodes the whole vorbis audio file. Resulting sample format is 16 bits signed integer."""
    return _read(filename, True, _VORBIS, _S16)


def vorbis_read(data: BufferType) -> DecodedSoundFile:
    """Reads and decodes the whole vorbis audio data. Resulting sample format is 16 bits signed integer."""
    return _read(data, False, _VORBIS, _S16)


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
) -> DecodedSoundFile:
    """Convenience function to decode any supported audio file to raw PCM samples in your chosen format.

    channel_mix picks how channels are mixed when nchannels differs from the file's, and
    resampler_order the order (0-8) of the linear resampler's low-pass filter (higher: less
    aliasing, slower); the defaults are those of miniaudio 1.71."""
    _check_output(nchannels, sample_rate)
    return _read(filename, True, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, dither,
                 channel_mix, resampler_order)


def decode(
    data: BufferType,
    output_format: SampleFormat = SampleFormat.SIGNED16,
    nchannels: int = 2,
    sample_rate: int = 44100,
    dither: DitherMode = DitherMode.NONE,
    *,
    channel_mix: ChannelMixMode = ChannelMixMode.RECTANGULAR,
    resampler_order: int = 4,
) -> DecodedSoundFile:
    """Convenience function to decode any supported audio file in memory to raw PCM samples in your chosen format.

    channel_mix and resampler_order are as for decode_file()."""
    _check_output(nchannels, sample_rate)
    return _read(data, False, FileFormat.UNKNOWN, output_format, nchannels, sample_rate, dither,
                 channel_mix, resampler_order)


# ---- conversion ---------------------------------------------------------------------------------


def convert_sample_format(
    from_fmt: SampleFormat, sourcedata: BufferType, to_fmt: SampleFormat, dither: DitherMode = DitherMode.NONE
) -> bytearray:
    """Convert a raw buffer of pcm samples to another sample format.
    The result is returned as another raw pcm sample buffer"""
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
    """Convert audio frames in source sample format with a certain number of channels,
    to another sample format and possibly down/upmixing the number of channels as well.

    dither, channel_mix and resampler_order (0-8, the linear resampler's low-pass filter order)
    are optional; the defaults are those of miniaudio 1.71."""
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
    """Writes the pcm sound to a WAV file.  Float samples are written as IEEE float WAV
    (format tag 3), integer samples as PCM, so the file reads back exactly."""
    _ma.wav_write_file(
        _fs_name(filename),
        sound.samples,
        sound.nchannels,
        sound.sample_rate,
        enum_value(SampleFormat, sound.sample_format, "sound.sample_format"),
    )


# ---- miscellaneous ------------------------------------------------------------------------------


def lib_version() -> str:
    """Returns the version string of the underlying miniaudio C library"""
    return _ma.lib_version()


def is_backend_enabled(backend: Backend) -> bool:
    """Determines whether or not the given backend is available by the compilation environment for the underlying miniaudio C library"""
    return _ma.is_backend_enabled(enum_value(Backend, backend, "backend"))


def get_enabled_backends() -> Set[Backend]:
    """Returns the set of available backends by the compilation environment for the underlying miniaudio C library"""
    return {Backend(b) for b in _ma.enabled_backends()}


def is_loopback_supported(backend: Backend) -> bool:
    """Determines whether or not loopback mode is support by a backend."""
    return _ma.is_loopback_supported(enum_value(Backend, backend, "backend"))
