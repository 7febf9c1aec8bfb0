"""StreamableSource, the base class of a source of encoded bytes that stream_any() decodes (the
internet radio client is one), and the adapter that makes any binary file-like object one."""

import abc
from typing import Any, Optional, TypeVar, Union

from ._enums import SeekOrigin


_SourceT = TypeVar("_SourceT", bound="StreamableSource")  # `with IceCastClient(url) as c`: c is an IceCastClient


class StreamableSource(abc.ABC):
    """Base class for a source of encoded audio bytes that :func:`stream_any` decodes.

    Subclass it and implement :meth:`read` (and :meth:`seek` if the source can seek).  It is a
    context manager that calls :meth:`close`.  Any binary file-like object works with
    :func:`stream_any` too, without a subclass.

    >>> class FileSource(miniaudio.StreamableSource):
    ...     def __init__(self, path):
    ...         self.file = open(path, "rb")
    ...     def read(self, num_bytes):
    ...         return self.file.read(num_bytes)
    ...     def close(self):
    ...         self.file.close()
    >>> with FileSource("samples/tone.ogg") as source:
    ...     stream = miniaudio.stream_any(source, miniaudio.FileFormat.VORBIS)
    ...     print(sum(len(chunk) for chunk in stream) // 2)
    44100

    A source that can seek may also have a ``tell()`` method returning its position in bytes:
    decoders then may seek from the end (a WAV whose data size is 0xFFFFFFFF, as streaming
    writers emit, is measured that way).  Without ``tell()`` seeks from the end are not asked for.

    The methods are called while the stream is executing: calling the stream from inside them
    (``next()``, ``send()``, ``seek()``, ``close()``, ``throw()``) raises RuntimeError, as a
    generator does when it is re-entered.

    Attributes:
        error_in_readcallback (BaseException or None): As in 1.71; an exception raised by
            :meth:`read` reaches the stream's caller as the ``__cause__`` of a
            :class:`DecodeError` (exceptions that are not :class:`Exception`, such as
            KeyboardInterrupt and SystemExit, propagate unchanged).
    """

    error_in_readcallback: Optional[BaseException] = None  # the exception read() raised, as in 1.71

    @abc.abstractmethod
    def read(self, num_bytes: int) -> Union[bytes, memoryview]:
        """Return up to ``num_bytes`` bytes of encoded audio; ``b""`` at the end.

        Override this.  It is called with the GIL held, by the thread that asks the stream for
        frames (the audio thread when a device plays the stream).

        Args:
            num_bytes: The most bytes to return.

        Returns:
            bytes: The data (``bytes``, ``bytearray`` or ``memoryview``).
        """

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        """Move the read position; return False if the source cannot seek.

        Override this if the source can seek: decoders seek when :meth:`DecoderStream.seek` is used,
        and format detection rewinds the source.  The default returns False.

        Args:
            offset: The byte offset.
            origin: Where ``offset`` counts from (:class:`SeekOrigin`).

        Returns:
            bool: True if the position was moved.
        """
        return False

    def close(self) -> None:
        """Release what the source holds.  Override this; the default does nothing."""

    def __enter__(self: "_SourceT") -> "_SourceT":
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.close()


class _FileLikeSource(StreamableSource):
    """Adapts a binary file-like object (open(..., 'rb'), io.BytesIO, socket.makefile('rb')) to the
    source protocol; seeking works where the object can seek."""

    def __init__(self, fileobj: Any) -> None:
        self.fileobj = fileobj
        try:
            self._seekable = bool(fileobj.seekable())
        except (AttributeError, OSError, ValueError):
            self._seekable = False

    def read(self, num_bytes: int) -> bytes:
        data: bytes = self.fileobj.read(num_bytes)
        return data

    def seek(self, offset: int, origin: SeekOrigin) -> bool:
        if not self._seekable:
            return False
        self.fileobj.seek(offset, origin.value)
        return True

    def tell(self) -> int:
        position: int = self.fileobj.tell()
        return position
