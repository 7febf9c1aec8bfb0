"""Tags (title, artist, album, ...) of audio files: read_tags(), the `tags` of SoundFileInfo, and
the RIFF INFO chunk that the WAV writers append (_riff_info_chunk).

The parsers are in C (miniaudio_c/tags.c, tags_id3.c) and bounded; what they cannot parse is left
out, and reading tags never changes how the audio decodes.
"""

import os
import struct
from typing import Any, Dict, Mapping, Optional

from . import _miniaudio as _ma
from ._enums import SeekOrigin
from ._errors import DecodeError
from ._sources import _FileLikeSource
from ._types import _fs_name

TAG_FIELDS = ("title", "artist", "album", "date", "genre", "tracknumber", "comment")

# The longest value a tag field holds, in bytes of UTF-8: a longer one is left out when reading
# (miniaudio_c/_miniaudio.h, PYMA_TAG_FIELD_MAX) and refused when writing.
FIELD_MAX = 65536

_MEMORY, _FILE, _PYTHON = 0, 1, 2
_SEEK_ORIGINS = (SeekOrigin.START, SeekOrigin.CURRENT, SeekOrigin.END)

# RIFF INFO sub-chunk per field (the ids ffmpeg, libsndfile and Windows use).
_RIFF_IDS = {"title": b"INAM", "artist": b"IART", "album": b"IPRD", "date": b"ICRD", "genre": b"IGNR",
             "tracknumber": b"ITRK", "comment": b"ICMT"}


def read_tags(source: Any) -> Dict[str, str]:
    """The tags of an audio file: title, artist, album, date, genre, track number and comment.

    Read from the Vorbis comments of FLAC and Ogg Vorbis files, the ID3v2 (2.2, 2.3, 2.4) and
    ID3v1 tags of MP3 files and the RIFF INFO chunk of WAV files.  The dict has the keys
    ``"title"``, ``"artist"``, ``"album"``, ``"date"``, ``"genre"``, ``"tracknumber"`` and
    ``"comment"``, only those the file has, each a ``str`` as the file stores it (a track number
    may be ``"3"`` or ``"3/12"``).

    >>> miniaudio.read_tags("samples/tone.ogg")
    {}

    A tag that cannot be parsed gives fewer fields, never an error, and never stops the audio from
    decoding.  The bounds (a value over 64 KiB is left out, at most 1 MiB of an ID3v2 tag or a
    RIFF INFO chunk is read) are in the "Tags" section of the decoding page.

    Args:
        source: A path (``str`` or ``os.PathLike``), the file's content (``bytes``, ``bytearray``,
            ``memoryview`` or another bytes-like object), or a binary file object opened for
            reading.  A file object is read from its start and left where it was; one that cannot
            seek gives ``{}`` (its tags cannot be read without consuming its audio).

    Returns:
        dict: ``{field: value}``.

    Raises:
        DecodeError: The source is not a WAV, FLAC, MP3 or Ogg Vorbis file (as
            :func:`get_file_info` raises), or the file object's ``read()``/``seek()`` raised (the
            original exception is the ``__cause__``).
        OSError: The file cannot be opened.
        TypeError: ``source`` is none of the above.
    """
    if isinstance(source, (str, os.PathLike)):
        return _ma.read_tags(_fs_name(source), _FILE, 0, check=True)[1]
    if callable(getattr(source, "read", None)) and not _is_buffer(source):
        return _read_fileobj(source)
    if not _is_buffer(source):
        raise TypeError(f"source must be a path, a bytes-like object or a binary file object, not "
                        f"{type(source).__name__}")
    return _ma.read_tags(source, _MEMORY, 0, check=True)[1]


def _is_buffer(obj: Any) -> bool:
    try:
        memoryview(obj).release()
    except TypeError:
        return False
    return True


def _read_fileobj(fileobj: Any) -> Dict[str, str]:
    try:
        if not fileobj.seekable():
            return {}
        position = fileobj.tell()
    except Exception as e:
        raise DecodeError(f"cannot read the tags: {e}") from e
    try:
        fileobj.seek(0)
        return _ma.read_tags(fileobj, _PYTHON, 0, check=True,
                             check_source=_FileLikeSource(fileobj), seek_origins=_SEEK_ORIGINS)[1]
    finally:
        fileobj.seek(position)


def _riff_info_chunk(tags: Optional[Mapping[str, str]]) -> bytes:
    """A RIFF ``LIST``/``INFO`` chunk holding `tags` (keys of TAG_FIELDS, str values), to append
    to a WAV file after its other chunks (the RIFF size then grows by its length); b"" when there
    is nothing to write.  Each value is UTF-8 with a terminating NUL, each sub-chunk padded to an
    even size, so the chunk's length is even.  Empty values are left out.

    Raises TypeError (not a mapping, a value not a str) or ValueError (an unknown key, a NUL in
    a value, a value over FIELD_MAX bytes of UTF-8) before anything is written.
    """
    if tags is None:
        return b""
    if not isinstance(tags, Mapping):
        raise TypeError(f"tags must be a dict of str to str, not {type(tags).__name__}")
    parts = [b"INFO"]
    for key, value in tags.items():
        chunk_id = _RIFF_IDS.get(key) if isinstance(key, str) else None
        if chunk_id is None:
            raise ValueError(f"tags has an unknown key {key!r}: the keys are {', '.join(TAG_FIELDS)}")
        if not isinstance(value, str):
            raise TypeError(f"tags[{key!r}] must be a str, not {type(value).__name__}")
        if "\0" in value:
            raise ValueError(f"tags[{key!r}] contains a NUL character")
        data = value.encode("utf-8")  # a lone surrogate: UnicodeEncodeError, a ValueError
        if len(data) > FIELD_MAX:
            raise ValueError(f"tags[{key!r}] is {len(data)} bytes of UTF-8, more than {FIELD_MAX}")
        if not data:
            continue
        data += b"\0"
        parts.append(chunk_id + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b""))
    if len(parts) == 1:
        return b""
    body = b"".join(parts)
    return b"LIST" + struct.pack("<I", len(body)) + body


__all__ = ["read_tags"]
