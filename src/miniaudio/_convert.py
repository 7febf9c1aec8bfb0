"""Sample formats and PCM conversion: the width of a sample format, and conversion of raw samples or
frames to another sample format, channel count and sample rate (in C, with the GIL released)."""

from . import _miniaudio as _ma
from ._enums import ChannelMixMode, DitherMode, SampleFormat, enum_value
from ._errors import MiniaudioError
from ._types import BufferType

# Sample widths from the C module's one sample-format table (UNKNOWN: 0, as in 1.71).
_WIDTHS = {SampleFormat.UNKNOWN: 0, **{SampleFormat(value): row[0] for value, row in _ma.SAMPLE_FORMATS.items()}}


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
