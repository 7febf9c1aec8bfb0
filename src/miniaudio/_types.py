"""The type aliases of the public signatures (1.71's generator aliases among them), and how a file
name argument becomes a path."""

import array
import os
import types
from typing import TYPE_CHECKING, Any, Generator, Union

FilenameType = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]  # os.PathLike[...] works at run time
BufferType = Any  # any C-contiguous bytes-like object: bytes, bytearray, memoryview, array.array, numpy
if TYPE_CHECKING:
    ArrayType = array.array[Any]
else:
    ArrayType = array.array  # subscriptable at run time only from Python 3.12


# 1.71's aliases.  bytearray and memoryview are spelled out because mypy no longer counts them as
# bytes; devices send recorded frames as a bytearray.  (A numpy array is played too, but cannot be
# named here without importing numpy: annotate such a generator's yield type as Any.)
FramesType = Union[bytes, bytearray, memoryview, ArrayType]
PlaybackCallbackGeneratorType = Generator[FramesType, int, None]
CaptureCallbackGeneratorType = Generator[None, bytearray, None]
DuplexCallbackGeneratorType = Generator[FramesType, bytearray, None]
GeneratorTypes = Union[PlaybackCallbackGeneratorType, CaptureCallbackGeneratorType, DuplexCallbackGeneratorType]


def _fs_name(filename: FilenameType) -> FilenameType:
    """The path to open: ~ expanded, as 1.71 does."""
    if isinstance(filename, (str, bytes, os.PathLike)):
        return os.path.expanduser(filename)
    return filename  # the C layer raises a TypeError naming the argument


def _display_name(filename: FilenameType) -> str:
    return filename if isinstance(filename, str) else os.fsdecode(filename)


def _generator_unstarted(obj: Any) -> bool:
    """Whether obj is a Python generator that has not run yet (inspect.getgeneratorstate() ==
    GEN_CREATED, without importing inspect at `import miniaudio`)."""
    if not isinstance(obj, types.GeneratorType) or obj.gi_running or obj.gi_frame is None:
        return False
    suspended = getattr(obj, "gi_suspended", None)  # Python 3.11+
    if suspended is not None:
        return not suspended
    return obj.gi_frame.f_lasti == -1

