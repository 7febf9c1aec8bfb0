"""Writing a sound to a WAV file."""

import os
from typing import Mapping, Optional

from . import _miniaudio as _ma
from ._decode import DecodedSoundFile
from ._enums import SampleFormat, enum_value
from ._tags import _riff_info_chunk
from ._types import FilenameType, _fs_name


def wav_write_file(filename: FilenameType, sound: DecodedSoundFile, *,
                   tags: Optional[Mapping[str, str]] = None) -> None:
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
        tags: Tags to write as a RIFF INFO chunk after the samples, e.g. ``{"title": "Tone",
            "artist": "Me"}``: the keys :func:`read_tags` gives (``"title"``, ``"artist"``,
            ``"album"``, ``"date"``, ``"genre"``, ``"tracknumber"``, ``"comment"``), ``str``
            values of at most 64 KiB of UTF-8 each.  None or ``{}``: no INFO chunk.

    Raises:
        OSError: The file cannot be created.
        ValueError: ``samples`` is not a whole number of frames (and all of it would be
            written), or ``num_frames`` is negative.
        TypeError: ``num_frames`` or ``sub_format`` is not an int, or ``tags`` is not a dict of
            str to str.
        ValueError: ``tags`` has an unknown key, a value with a NUL character or over 64 KiB
            (checked before anything is written).
    """
    info_chunk = _riff_info_chunk(tags)
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
    filename = _fs_name(filename)
    if not isinstance(filename, (str, bytes, os.PathLike)):
        raise TypeError(f"filename must be str, bytes or os.PathLike, not {type(filename).__name__}")
    fmt = enum_value(SampleFormat, sound.sample_format, "sound.sample_format")
    tag = tag if 0 <= tag <= 0xFFFF else 0
    _ma._wav_header(fmt, sound.nchannels, sound.sample_rate, 0, tag)  # checks them (nothing is opened yet)
    if not 1 <= sound.nchannels <= _ma.MAX_CHANNELS:
        raise ValueError(f"nchannels must be a channel count from 1 to {_ma.MAX_CHANNELS}, not {sound.nchannels}")
    try:
        view = memoryview(sound.samples)
    except TypeError:
        raise TypeError(f"samples must be a bytes-like object (bytes, bytearray, memoryview, array.array, numpy "
                        f"array), not {type(sound.samples).__name__}") from None
    if not view.c_contiguous:
        raise ValueError("samples must be a C-contiguous buffer")
    view = view.cast("B")
    width = int(_ma.SAMPLE_FORMATS[fmt][0])
    frame_bytes = width * sound.nchannels
    if 0 <= num_frames < len(view) // frame_bytes:
        view = view[:num_frames * frame_bytes]  # a trimmed sound: what follows its frames is not written
    elif len(view) % frame_bytes:
        raise ValueError(f"samples length {len(view)} bytes is not a whole number of frames "
                         f"({sound.nchannels} channels of {width} bytes)")
    # The one WAV writer: the classic 44-byte header, with room for RF64 only when it will be needed.
    writer = _ma._WavWriter(filename, fmt, sound.nchannels, sound.sample_rate, tag,
                            rf64_room=len(view) > _RIFF_DATA_LIMIT)
    try:
        writer.write(view)
        writer.close(info_chunk or None)  # the tags' INFO chunk after the data
    except BaseException:
        try:
            writer.close()
        except Exception:
            pass
        try:
            os.remove(filename)  # leave no truncated file behind
        except OSError:
            pass
        raise


_RIFF_DATA_LIMIT = 0xFFFFFFFF - 80  # data bytes a classic RIFF header can describe (with room to spare)

