"""Internet radio: IceCastClient, a StreamableSource that downloads an Icecast/SHOUTcast stream.

One background thread per client downloads into a bounded buffer, strips the ICY metadata blocks
out of the audio and parses them; read() blocks on a condition variable (no polling) until the
decoder's request can be met, the stream ends, or the download fails.  See docs/icecast-api.rst.
"""

import html
import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, Optional

from . import _miniaudio as _ma
from ._decoding import MiniaudioError
from ._enums import FileFormat
from ._streams import StreamableSource

__all__ = ["IceCastClient", "IceCastError"]

_FORMATS = {
    "audio/mpeg": FileFormat.MP3, "audio/mp3": FileFormat.MP3, "audio/mpeg3": FileFormat.MP3,
    "audio/x-mpeg": FileFormat.MP3, "audio/ogg": FileFormat.VORBIS, "application/ogg": FileFormat.VORBIS,
    "audio/vorbis": FileFormat.VORBIS, "audio/x-ogg": FileFormat.VORBIS, "audio/flac": FileFormat.FLAC,
    "audio/x-flac": FileFormat.FLAC,
}


class IceCastError(MiniaudioError, OSError):
    """An internet radio stream could not be opened, or it broke off.

    Raised for a refused connection, a timeout, an HTTP error status (404, 500, ...), a page that
    is not audio, or a codec the package cannot decode (e.g. AAC).  The message names the URL and
    the cause; the original exception is ``__cause__``.  It is both a :class:`MiniaudioError` and
    an :class:`OSError`.
    """


def _header_text(value: Optional[str]) -> Optional[str]:
    """http.client decodes header bytes as Latin-1; stations mostly send UTF-8."""
    if value is None:
        return None
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _socket_of(response: Any) -> Optional[socket.socket]:
    """The socket under an HTTPResponse (to shut it down from another thread), if it can be found."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class IceCastClient(StreamableSource):
    """An Icecast / SHOUTcast internet radio stream, as a :class:`StreamableSource`.

    The constructor connects (following redirects; http and https) and reads the response
    headers; then a background thread ("miniaudio-icecast") downloads the audio into a bounded
    buffer (:attr:`BUFFER_SIZE` bytes) that :meth:`read` takes from.  ICY metadata is stripped
    from the audio; each new ``StreamTitle`` updates :attr:`stream_title` and calls
    ``update_stream_title``.  Play a station with
    ``stream_any(client, client.audio_format)`` and a :class:`PlaybackDevice`; see :doc:`radio`.

    Args:
        url: The stream's URL (``http://`` or ``https://``).
        update_stream_title: Called as ``update_stream_title(client, title)`` for each new
            title, on the downloader thread.  An exception in it goes to
            :func:`sys.unraisablehook`; downloading goes on.
        ssl_context: The :class:`ssl.SSLContext` for https (None: Python's default).
        timeout: Seconds allowed for connecting and for every network read.

    Attributes:
        url (str): The URL given.
        station_name (str or None): The ``icy-name`` header.
        station_genre (str or None): The ``icy-genre`` header.
        audio_info (str): The ``ice-audio-info`` header ("" when absent).
        audio_format (FileFormat): MP3, VORBIS or FLAC, from the content type.
        stream_title (str): The current title from the ICY metadata ("???" until the first).
        BLOCK_SIZE (int): The most bytes one network read asks for (8192, as in 1.71).
        BUFFER_SIZE (int): The size of the download buffer in bytes (65536, as in 1.71).

    Raises:
        IceCastError: The stream cannot be opened, is not audio, or has a codec the package
            cannot decode.  Nothing keeps running after the error.
        TypeError: ``update_stream_title`` is not callable.
        ValueError: ``timeout`` is not a positive number.
    """

    BLOCK_SIZE = 8 * 1024
    BUFFER_SIZE = 64 * 1024

    def __init__(
        self,
        url: str,
        update_stream_title: Optional[Callable[["IceCastClient", str], None]] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        if update_stream_title is not None and not callable(update_stream_title):
            raise TypeError("update_stream_title must be callable or None")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError(f"ssl_context must be an ssl.SSLContext or None, not {type(ssl_context).__name__}")
        if isinstance(timeout, bool) or not (
                isinstance(timeout, (int, float)) and 0 < timeout <= threading.TIMEOUT_MAX):
            raise ValueError(f"timeout must be a number of seconds > 0, not {timeout!r}")
        self.url = url
        self.stream_title = "???"
        self.station_genre: Optional[str] = "???"
        self.station_name: Optional[str] = "???"
        self.audio_info = ""
        self.audio_format = FileFormat.UNKNOWN
        self._update_title = update_stream_title
        self._cond = threading.Condition()
        self._buffer = bytearray()
        self._ended = False
        self._closed = False
        self._error: Optional[BaseException] = None
        self._response = self._connect(url, ssl_context, timeout)
        headers = self._response.headers
        self.station_genre = _header_text(headers["icy-genre"])
        self.station_name = _header_text(headers["icy-name"])
        self.audio_info = _header_text(headers.get("ice-audio-info", "")) or ""
        try:
            self._metaint = int(headers.get("icy-metaint") or 0)
        except ValueError:
            self._metaint = 0
        self._sock = _socket_of(self._response)
        self._thread = threading.Thread(target=self._download, name="miniaudio-icecast", daemon=True)
        self._thread.start()

    def _connect(self, url: str, ssl_context: Optional[ssl.SSLContext], timeout: float) -> Any:
        request = urllib.request.Request(url, headers={"Icy-MetaData": "1", "User-Agent": "miniaudio-python"})
        try:
            response = urllib.request.urlopen(request, timeout=timeout, context=ssl_context)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise IceCastError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise IceCastError(f"cannot connect to {url}: {exc.reason}") from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise IceCastError(f"cannot open {url}: {exc}") from exc
        content_type = response.headers.get("Content-Type")
        if content_type is not None:
            ctype = response.headers.get_content_type()
            fmt = _FORMATS.get(ctype, FileFormat.UNKNOWN)
            if fmt is FileFormat.UNKNOWN:
                response.close()
                if ctype.startswith("audio/"):
                    raise IceCastError(f"{url}: unsupported codec {ctype}: MP3, Ogg Vorbis and FLAC streams can "
                                       "be decoded")
                raise IceCastError(f"{url} is not an audio stream (content type {ctype})")
            self.audio_format = fmt
        return response

    def determine_audio_format(self, stream_format: str) -> FileFormat:
        """The :class:`FileFormat` of a content type, by 1.71's rules (UNKNOWN when not MP3, FLAC or Ogg).

        Args:
            stream_format: A content type such as ``"audio/mpeg"`` or ``"application/ogg"``.

        Returns:
            FileFormat: MP3, FLAC, VORBIS or UNKNOWN.
        """
        if not isinstance(stream_format, str):
            raise TypeError(f"stream_format must be a str, not {type(stream_format).__name__}")
        if stream_format == "audio/mpeg":
            return FileFormat.MP3
        elif stream_format == "audio/flac":
            return FileFormat.FLAC
        elif stream_format.endswith("/ogg"):
            return FileFormat.VORBIS
        return FileFormat.UNKNOWN

    # ---- the downloader thread ----

    def _put(self, data: bytes) -> None:
        with self._cond:
            while len(self._buffer) >= self.BUFFER_SIZE and not self._closed:
                self._cond.wait()
            self._buffer += data
            self._cond.notify_all()

    def _title(self, block: bytes) -> None:
        text = str(block.strip(b"\0"), "utf-8", errors="replace")
        if not text:
            return
        title = self.parse_metadata(text).get("StreamTitle")
        if title and title != self.stream_title:
            self.stream_title = title
            if self._update_title is not None:
                try:
                    self._update_title(self, title)
                except BaseException as exc:
                    _ma._write_unraisable(exc, self._update_title)

    def _download(self) -> None:
        response = self._response
        try:
            while not self._closed:
                if self._metaint:
                    audio = response.read(self._metaint)
                    if audio:
                        self._put(audio)
                    if len(audio) < self._metaint:
                        break
                    length = response.read(1)
                    if not length:
                        break
                    block = response.read(16 * length[0])
                    if len(block) < 16 * length[0]:
                        break
                    self._title(block)
                else:
                    chunk = response.read1(self.BLOCK_SIZE)
                    if not chunk:
                        break
                    self._put(chunk)
        except BaseException as exc:
            if not self._closed:
                error = IceCastError(f"the stream from {self.url} broke off: {exc}")
                error.__cause__ = exc
                self._error = error
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify_all()
            response.close()

    # ---- StreamableSource ----

    def read(self, num_bytes: int) -> bytes:
        """Up to ``num_bytes`` bytes of audio, without ICY metadata.

        Blocks until ``num_bytes`` bytes (or, for a larger request, a full buffer) have been
        downloaded, or the stream has ended: then it returns what is left, and ``b""`` after that.

        Args:
            num_bytes: The most bytes to return.

        Returns:
            bytes: The audio; ``b""`` at the end and after :meth:`close`.

        Raises:
            IceCastError: The download failed (a stalled server, a dropped connection).
        """
        if isinstance(num_bytes, bool) or not isinstance(num_bytes, int):
            raise TypeError(f"num_bytes must be an int, not {type(num_bytes).__name__}")
        if num_bytes < 0:
            raise ValueError(f"num_bytes must be at least 0, not {num_bytes}")
        with self._cond:
            # A request larger than the buffer is served once the buffer is full (the downloader
            # waits while it is full, so waiting for more would wait forever).
            while (len(self._buffer) < min(num_bytes, self.BUFFER_SIZE) and not self._ended
                   and not self._closed):
                self._cond.wait()
            if self._closed:
                return b""
            if not self._buffer and self._error is not None:
                raise self._error
            chunk = bytes(self._buffer[:num_bytes])
            del self._buffer[:num_bytes]
            self._cond.notify_all()
            return chunk

    def seek(self, offset: int, origin: Any) -> bool:
        """Return False: a live stream cannot seek."""
        return False

    def close(self) -> None:
        """Stop downloading and close the connection (within a second; idempotent).

        Leaving a ``with`` block calls it.  :meth:`read` returns ``b""`` afterwards.
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the downloader's blocking recv
            except OSError:
                pass
        if self._thread is not threading.current_thread():
            self._thread.join(1.0)

    @staticmethod
    def parse_metadata(metadata: str) -> Dict[str, str]:
        """The key/value pairs of an ICY metadata string, by 1.71's exact rules.

        HTML entities are unescaped, the text is split on ``;``, and each ``key=value`` part gives
        one item with the single quotes around the value stripped.

        >>> miniaudio.IceCastClient.parse_metadata("StreamTitle='It's me';StreamUrl='';")
        {'StreamTitle': "It's me", 'StreamUrl': ''}

        Args:
            metadata: The metadata text, e.g. ``"StreamTitle='Artist - Song';"``.

        Returns:
            dict[str, str]: The items.
        """
        if not isinstance(metadata, str):
            raise TypeError(f"metadata must be a str, not {type(metadata).__name__}")
        meta = {}
        metadata = html.unescape(metadata)
        for part in metadata.split(";"):
            key, _, value = part.partition("=")
            if key:
                meta[key] = value.strip("'")
        return meta
