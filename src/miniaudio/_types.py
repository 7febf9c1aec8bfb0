"""The type aliases of the public signatures, and how a file name argument becomes a path."""

import array
import os
from typing import TYPE_CHECKING, Any, Union

FilenameType = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]  # os.PathLike[...] works at run time
BufferType = Any  # any C-contiguous bytes-like object: bytes, bytearray, memoryview, array.array, numpy
if TYPE_CHECKING:
    ArrayType = array.array[Any]
else:
    ArrayType = array.array  # subscriptable at run time only from Python 3.12


def _fs_name(filename: FilenameType) -> FilenameType:
    """The path to open: ~ expanded, as 1.71 does."""
    if isinstance(filename, (str, bytes, os.PathLike)):
        return os.path.expanduser(filename)
    return filename  # the C layer raises a TypeError naming the argument


def _display_name(filename: FilenameType) -> str:
    return filename if isinstance(filename, str) else os.fsdecode(filename)
