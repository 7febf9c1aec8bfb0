"""The argument checks the stream functions and chain() share: chunk_type (and the numpy view of a
chunk), counts, and the loop arguments."""

import operator
import sys
from typing import Any, Callable, Optional, Union

from . import _miniaudio as _ma
from ._enums import SampleFormat

_CHUNK_TYPES = ("array", "bytes", "numpy")
# SampleFormat value -> numpy dtype name, from the C module's one table of format facts
_NUMPY_DTYPES = {value: row[2] for value, row in _ma.SAMPLE_FORMATS.items() if row[2] is not None}


def _numpy_wrapper(output_format: SampleFormat, nchannels: int) -> Callable[[Any], Any]:
    import numpy

    dtype = numpy.dtype(_NUMPY_DTYPES[output_format.value])

    def as_frames(chunk: Any) -> Any:
        # A writable (frames, channels) view of the array.array chunk: no copy.
        return numpy.frombuffer(chunk, dtype=dtype).reshape(-1, nchannels)

    return as_frames


def _chunk_wrapper(chunk_type: Any, output_format: SampleFormat, nchannels: int) -> Optional[Callable[[Any], Any]]:
    """Checks chunk_type ("array", "bytes" or "numpy"); for "numpy", the wrapper that views each
    array.array chunk as (frames, channels), else None."""
    if not isinstance(chunk_type, str):
        raise TypeError(f"chunk_type must be a str ({', '.join(_CHUNK_TYPES)}), not {type(chunk_type).__name__}")
    if chunk_type not in _CHUNK_TYPES:
        raise ValueError(f"chunk_type must be one of {', '.join(_CHUNK_TYPES)}, not {chunk_type!r}")
    if chunk_type != "numpy":
        return None
    if output_format.value not in _NUMPY_DTYPES:
        raise ValueError(f"output_format {output_format.name} has no numpy dtype")
    if nchannels == 0:
        raise ValueError("numpy chunks need an explicit nchannels")
    return _numpy_wrapper(output_format, nchannels)


def _int_arg(value: Any, name: str, lo: int, hi: int = sys.maxsize) -> int:
    """`value` as an int from lo to hi (any object with __index__ but a bool): TypeError,
    ValueError (below lo, or above a hi of its own) or OverflowError (above sys.maxsize), each
    naming the argument."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if number < lo:
        raise ValueError(f"{name} must be at least {lo}, not {number}")
    if number > hi:
        if hi == sys.maxsize:
            raise OverflowError(f"{name} must be at most {hi}, not {number}")
        raise ValueError(f"{name} must be {lo}..{hi}, not {number}")
    return number


LoopType = Union[bool, int]


def _loop_args(loop: Any, loop_start: Any, loop_end: Any) -> "tuple[int, int, int]":
    """The C stream's loop arguments: passes (0 none, -1 forever, N), loop_start, loop_end (-1: the end).
    TypeError/ValueError naming the argument."""
    if loop is True:
        passes = -1
    elif loop is False:
        passes = 0
    else:
        try:
            passes = operator.index(loop)
        except TypeError:
            raise TypeError(f"loop must be True, False or a number of passes (int), not {type(loop).__name__}") \
                from None
        if passes < 1:
            raise ValueError(f"loop must be True, False or a number of passes >= 1, not {passes}")
        if passes > 2**63 - 1:
            raise OverflowError(f"loop must be at most {2**63 - 1} passes, not {passes}")
    start = _int_arg(loop_start, "loop_start", 0, 2**63 - 1)
    end = -1 if loop_end is None else _int_arg(loop_end, "loop_end", 1, 2**63 - 1)
    if passes == 0 and (start != 0 or end != -1):
        raise ValueError("loop_start and loop_end need loop=True or a number of passes")
    if end != -1 and start >= end:
        raise ValueError(f"loop_start ({start}) must be below loop_end ({end})")
    return passes, start, end
