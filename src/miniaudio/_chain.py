"""Gapless chains and playlists: chain() and Playlist play streams back to back as one
DecoderStream (miniaudio_c/chain.c)."""

from typing import Any, Callable, Optional, Sequence, Tuple, Union

from . import _miniaudio as _ma
from ._enums import SampleFormat, enum_value
from ._stream_args import _chunk_wrapper, _int_arg, _loop_args
from ._streams import DecoderStream

Playlist = _ma.Playlist


def _settings(
    name: str,
    sources: Sequence[Any],
    output_format: Optional[SampleFormat] = None,
    nchannels: Optional[int] = None,
    sample_rate: Optional[int] = None,
    frames_to_read: int = 1024,
    chunk_type: str = "array",
    on_source_end: Optional[Callable[[int, DecoderStream], Any]] = None,
) -> Tuple[SampleFormat, int, int, int, int, Optional[Callable[[Any], Any]]]:
    """The checked settings of chain() / Playlist() (`name` in messages): (output_format, nchannels,
    sample_rate, frames_to_read, chunk_type as the C layer takes it, chunk wrapper).  Defaults come from
    the first source; without sources the format, channels and rate must be given."""
    first = sources[0] if sources else None
    if sources and not isinstance(first, DecoderStream):
        raise TypeError(f"{name} argument 1 must be a DecoderStream (stream_file(), stream_memory(), a generator, "
                        f"...), not {type(first).__name__}")
    if not sources and (output_format is None or nchannels is None or sample_rate is None):
        raise ValueError(f"{name} without sources needs output_format, nchannels and sample_rate")
    if on_source_end is not None and not callable(on_source_end):
        raise TypeError(f"on_source_end must be callable or None, not {type(on_source_end).__name__}")
    if output_format is None:
        output_format = first.sample_format  # type: ignore[union-attr]
        if output_format is None:
            raise ValueError(f"{name} argument 1 is raw PCM of unknown sample format: give output_format")
    output_format = SampleFormat(enum_value(SampleFormat, output_format, "output_format"))
    nchannels = first.nchannels if nchannels is None else _int_arg(nchannels, "nchannels", 1, 254)  # type: ignore
    if sample_rate is None:
        sample_rate = first.sample_rate  # type: ignore[union-attr]
        if sample_rate is None:
            raise ValueError(f"{name} argument 1 is raw PCM (no sample rate): give sample_rate")
    sample_rate = _int_arg(sample_rate, "sample_rate", 1, 384000)
    frames_to_read = _int_arg(frames_to_read, "frames_to_read", 1)
    wrap = _chunk_wrapper(chunk_type, output_format, nchannels)
    if output_format is SampleFormat.SIGNED24 and chunk_type == "array":
        raise ValueError("output_format SIGNED24 cannot be held in an array.array; use chunk_type \"bytes\", or "
                         "SIGNED32 or FLOAT32")
    return output_format, nchannels, sample_rate, frames_to_read, 1 if chunk_type == "bytes" else 0, wrap


def chain(
    *sources: "DecoderStream",
    output_format: Optional[SampleFormat] = None,
    nchannels: Optional[int] = None,
    sample_rate: Optional[int] = None,
    frames_to_read: int = 1024,
    chunk_type: str = "array",
    on_source_end: Optional[Callable[[int, DecoderStream], Any]] = None,
    loop: Union[bool, int] = False,
) -> "Playlist":
    """Play streams back to back, gaplessly: one :class:`DecoderStream` over all of them.

    A chunk that reaches the end of one source goes on with the next, so every chunk is full
    until the last source ends, and a :class:`PlaybackDevice` plays the chain without a gap and
    without the GIL.  A source of another sample format, channel count or rate is converted to
    the chain's (by default the first source's).  The chain takes the sources over: using one
    from Python while it is chained raises RuntimeError; closing the chain (or its end of life)
    gives them back, each where the chain left it.

    >>> a = miniaudio.stream_file("samples/tone.mp3", nchannels=1, sample_rate=22050)
    >>> b = miniaudio.Waveform("sine", 440, sample_rate=22050, nchannels=1)
    >>> with miniaudio.chain(a, b, frames_to_read=30000) as both:
    ...     print(len(next(both)), len(next(both)), a.closed)
    30000 30000 False

    Args:
        sources: The streams, in playing order: any :class:`DecoderStream` (``stream_file``,
            ``stream_memory``, ``stream_raw_pcm_memory``, looping streams, generators, other
            chains), but not one over a Python file object (``stream_any``), whose reads need
            the GIL.  A source that never ends (a generator, ``loop=True``) is the last one heard.
        output_format: The sample format of the chunks (default: the first source's).
        nchannels: The channel count of the chunks (default: the first source's).
        sample_rate: The sample rate of the chunks (default: the first source's).
        frames_to_read: The frames per chunk that ``next()`` gives.
        chunk_type: ``"array"``, ``"bytes"`` or ``"numpy"``, as for :func:`stream_file`.
        on_source_end: Called as ``on_source_end(index, source)`` when a source has ended, as
            for :class:`Playlist`.
        loop: True loops the whole chain forever, N plays it N times, gaplessly (every source
            goes back to its frame 0 at the chain's end; ``loops_done`` counts the wraps and the
            ``length`` is None); False (the default) plays it once.  ``on_source_end`` is told
            of every end in every pass; if it falls more than 256 ends behind (tiny sources
            looping fast), the oldest untold ends are skipped.

    Returns:
        Playlist: The chain, a :class:`Playlist` (a DecoderStream) whose input is closed.  Its
        ``length`` is the sum of the sources' lengths where that is exact (all known, none
        resampled or looping, all at their frame 0), else None; ``seek(0)`` rewinds every
        source to its frame 0 (other frames: ValueError).

    Raises:
        TypeError: A source is not a DecoderStream (the message gives its position).
        ValueError: No sources; a source is closed, has ended, or reads a Python file object.
        RuntimeError: A source is played by a device or another chain, or given twice.
    """
    if not sources:
        raise ValueError("chain() needs at least one stream")
    fmt, nch, rate, frames, kind, wrap = _settings("chain()", sources, output_format, nchannels, sample_rate,
                                                   frames_to_read, chunk_type, on_source_end)
    passes = _loop_args(loop, 0, None)[0]
    stream: Playlist = _ma.chain(tuple(sources), output_format=fmt, nchannels=nch, sample_rate=rate,
                                 frames_to_read=frames, chunk_type=kind, wrap=wrap, format_obj=fmt,
                                 on_source_end=on_source_end, loop=passes)
    return stream
