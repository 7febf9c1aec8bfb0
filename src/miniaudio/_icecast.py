"""Internet radio: IceCastClient, a StreamableSource that downloads an Icecast/SHOUTcast stream.

One background thread per client downloads into a bounded buffer, strips the ICY metadata blocks
out of the audio and parses them; read() blocks on a condition variable (no polling) until the
decoder's request can be met, ``timeout`` seconds have passed with some audio buffered, the stream
ends, or the download fails.  See docs/icecast-api.rst.

What a hostile server cannot do: keep the constructor past ``timeout`` (one deadline for
connecting, TLS, redirects, status line and headers, enforced by shutting the socket down), send
more than 64 KiB of headers, make the client read its body into memory (``icy-metaint`` is
validated and the audio between metadata blocks is read in BLOCK_SIZE pieces), or redirect it to
anything but http and https.

1.71's internals stay as they were, because programs subclass IceCastClient and override read()
with them: ``_buffer`` (bytes; readers take from the front), ``_buffer_lock`` (a threading.Lock;
the downloader appends to ``_buffer`` only while holding it) and ``_stop_stream`` (True once the
client is closed).
"""

import html
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Optional

from . import _miniaudio as _ma
from ._errors import MiniaudioError
from ._enums import FileFormat
from ._sources import StreamableSource

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


_SCHEMES = ("http", "https")
MAX_HEADER_BYTES = 64 * 1024     # status line and headers of one response, all lines together
MAX_METAINT = 2 ** 31 - 1        # the largest icy-metaint accepted (read in BLOCK_SIZE pieces)


def _scheme_error(url: str, target: str, redirect: bool) -> "IceCastError":
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    what = "refused to follow a redirect to %s" % target if redirect else "cannot open this URL"
    return IceCastError(f"{url}: {what}: the scheme {scheme!r} is not supported (only http and https)")


class _OpenDeadline:
    """One deadline for everything the constructor does on the network.

    Socket timeouts bound each recv only, so a server sending one byte per second would hold the
    constructor as long as it likes; this timer shuts every socket the open made down when the
    deadline passes, which ends whatever recv, send or TLS handshake is blocked on it.  It keeps
    a dup() of each socket (shutting a dup down shuts the connection down, whatever object --
    plain, TLS, tunnelled -- is built on the original), and connect() itself is bounded by the
    time left.  Name resolution (getaddrinfo) cannot be interrupted and is not bounded.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._socks: List[socket.socket] = []
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.name = "miniaudio-icecast-open"
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def finish(self) -> None:
        """Stop the timer; from now on it shuts nothing down."""
        with self._lock:
            self._done = True
            socks, self._socks = self._socks, []
        self._timer.cancel()
        for sock in socks:
            sock.close()

    def create_connection(self, address: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        """socket.create_connection, each attempt bounded by the time left, the socket watched."""
        host, port = address[0], address[1]
        error: Optional[BaseException] = None
        for family, kind, proto, _, addr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            left = self.left()
            if left <= 0:
                raise TimeoutError("timed out")
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(self.timeout, left))
                if source_address:
                    sock.bind(source_address)
                sock.connect(addr)
                with self._lock:
                    if self._done or self.expired:
                        raise TimeoutError("timed out")
                    self._socks.append(sock.dup())
                return sock
            except BaseException as exc:
                sock.close()
                if not isinstance(exc, OSError):
                    raise
                error = exc
        raise error if error is not None else OSError(f"cannot resolve {host}")


class _HeaderBudget:
    """Stands in for a response's file object while its status line and headers are parsed:
    together they may take MAX_HEADER_BYTES (http.client alone allows 100 lines of 64 KiB).

    It also reads SHOUTcast v1's status line, ``ICY 200 OK``, as ``HTTP/1.0 200 OK`` (what it
    means: headers as in HTTP, then the body until the connection closes); http.client refuses
    any status line that does not start with ``HTTP/``."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self._left = MAX_HEADER_BYTES
        self._status_line = True

    def readline(self, limit: int = -1) -> bytes:
        size = self._left + 1 if limit is None or limit < 0 else min(limit, self._left + 1)
        line: bytes = self._fp.readline(size)
        if len(line) > self._left:
            raise http.client.HTTPException(f"the response headers are longer than {MAX_HEADER_BYTES} bytes")
        self._left -= len(line)
        if self._status_line:
            self._status_line = False
            if line[:4] == b"ICY ":
                line = b"HTTP/1.0 " + line[4:]
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


class _Response(http.client.HTTPResponse):
    """An HTTPResponse whose headers are read within MAX_HEADER_BYTES."""

    def begin(self) -> None:
        fp = self.fp
        self.fp = _HeaderBudget(fp)  # type: ignore[assignment]
        try:
            super().begin()
        finally:
            if self.fp is not None:
                self.fp = fp


class _Connections:
    """Makes urllib's connections use the open's deadline and the bounded response."""

    def __init__(self, *args: Any, deadline: _OpenDeadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        deadline = self._deadline

        def connection(host: str, **args: Any) -> Any:
            conn = http_class(host, **args)
            conn._create_connection = deadline.create_connection  # what HTTPConnection.connect() calls
            conn.response_class = _Response
            return conn

        return super().do_open(connection, req, **kwargs)  # type: ignore[misc]


class _HTTPHandler(_Connections, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_Connections, urllib.request.HTTPSHandler):
    pass


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https only (urllib's own follows ftp too), and does not read
    the body of a redirect (urllib's reads all of it: an endless one would fill memory)."""

    def __init__(self, url: str) -> None:
        self._url = url

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        fp.close()
        if urllib.parse.urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise _scheme_error(self._url, newurl, True)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        target = headers.get("location") or headers.get("uri")
        if target is not None:
            try:
                target = urllib.parse.urljoin(req.full_url, target)
            except ValueError:
                pass
            else:
                if urllib.parse.urlsplit(target).scheme.lower() not in _SCHEMES:
                    fp.close()
                    raise _scheme_error(self._url, target, True)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class IceCastClient(StreamableSource):
    """An Icecast / SHOUTcast internet radio stream, as a :class:`StreamableSource`.

    The constructor connects (following redirects to http and https URLs only) and reads the
    response headers, all within ``timeout`` seconds; then a background thread
    ("miniaudio-icecast") downloads the audio into a bounded buffer (:attr:`BUFFER_SIZE` bytes)
    that :meth:`read` takes from.  ICY metadata is stripped
    from the audio; each new ``StreamTitle`` updates :attr:`stream_title` and calls
    ``update_stream_title``.  Play a station with
    ``stream_any(client, client.audio_format)`` and a :class:`PlaybackDevice`; see :doc:`radio`.

    Args:
        url: The stream's URL (``http://`` or ``https://``).
        update_stream_title: Called as ``update_stream_title(client, title)`` for each new
            title, on the downloader thread.  An exception in it goes to
            :func:`sys.unraisablehook`; downloading goes on.
        ssl_context: The :class:`ssl.SSLContext` for https (None: Python's default).
        timeout: Seconds allowed for the whole open (connecting, TLS, redirects, status line
            and headers), then for each silence of the server; :meth:`read` returns what has
            arrived after this long.

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
        IceCastError: The stream cannot be opened (also: no complete response within
            ``timeout``, headers over 64 KiB, an invalid ``icy-metaint``, a URL or redirect
            that is not http or https), is not audio, or has a codec the package cannot
            decode.  Nothing keeps running after the error.
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
        self._timeout = float(timeout)
        # 1.71's internals (subclasses use them, see the module docstring): keep names and types.
        self._stop_stream = False
        self._buffer = b""
        self._buffer_lock = threading.Lock()
        self._cond = threading.Condition(self._buffer_lock)
        self._ended = False
        self._closed = False
        self._error: Optional[BaseException] = None
        self._response = self._connect(url, ssl_context, self._timeout)
        try:
            headers = self._response.headers
            self.station_genre = _header_text(headers["icy-genre"])
            self.station_name = _header_text(headers["icy-name"])
            self.audio_info = _header_text(headers.get("ice-audio-info", "")) or ""
            self._metaint = self._parse_metaint(headers.get("icy-metaint"))
            self._sock = _socket_of(self._response)
            if self._sock is not None:
                self._sock.settimeout(self._timeout)  # from now on: the longest silence allowed
        except BaseException:
            self._response.close()
            raise
        self._thread = threading.Thread(target=self._download, name="miniaudio-icecast", daemon=True)
        self._thread.start()

    def _parse_metaint(self, value: Optional[str]) -> int:
        """The icy-metaint header: absent or 0, no metadata; else the audio bytes between blocks."""
        if value is None:
            return 0
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 10 and int(text) <= MAX_METAINT:
            return int(text)
        raise IceCastError(f"{self.url}: invalid icy-metaint header {value!r}: expected a whole number of bytes "
                           f"from 0 to {MAX_METAINT}")

    def _connect(self, url: str, ssl_context: Optional[ssl.SSLContext], timeout: float) -> Any:
        request = urllib.request.Request(url, headers={"Icy-MetaData": "1", "User-Agent": "miniaudio-python"})
        if request.type.lower() not in _SCHEMES:
            raise _scheme_error(url, url, False)
        opener = urllib.request.OpenerDirector()
        deadline = _OpenDeadline(timeout)
        for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                        _HTTPHandler(deadline=deadline), _HTTPSHandler(context=ssl_context, deadline=deadline),
                        urllib.request.HTTPDefaultErrorHandler(), _RedirectHandler(url),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        try:
            try:
                response = opener.open(request, timeout=timeout)
            finally:
                deadline.finish()
            if deadline.expired:  # the headers were complete as the deadline passed
                response.close()
                raise TimeoutError("timed out")
        except IceCastError:
            raise
        except Exception as exc:  # (KeyboardInterrupt and the like pass unchanged)
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            if deadline.expired:
                raise IceCastError(f"{url}: no complete response within the timeout ({timeout:g} s)") from exc
            if isinstance(exc, urllib.error.HTTPError):
                raise IceCastError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
            if isinstance(exc, urllib.error.URLError):
                raise IceCastError(f"cannot connect to {url}: {exc.reason}") from exc
            if isinstance(exc, (OSError, http.client.HTTPException, ValueError)):
                raise IceCastError(f"cannot open {url}: {exc}") from exc
            raise
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
            # A 1.71-style read() in a subclass takes from _buffer without notifying: look again
            # every 0.1 s while the buffer is full.
            while len(self._buffer) >= self.BUFFER_SIZE and not self._stop_stream:
                self._cond.wait(0.1)
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
        # Every network read asks for at most BLOCK_SIZE bytes and returns what has arrived
        # (read1), so memory stays within BUFFER_SIZE + BLOCK_SIZE (+ one metadata block of at
        # most 255 * 16 bytes) whatever the server sends, and a slow server delivers what it sent.
        response = self._response
        metaint = self._metaint
        audio_left = metaint  # audio bytes until the next metadata block (with metaint)
        try:
            while not self._stop_stream:
                if not metaint or audio_left:
                    chunk = response.read1(min(audio_left, self.BLOCK_SIZE) if metaint else self.BLOCK_SIZE)
                    if not chunk:
                        break
                    audio_left -= len(chunk) if metaint else 0
                    self._put(chunk)
                    continue
                length = response.read1(1)
                if not length:
                    break
                size = 16 * length[0]
                block = b""
                while len(block) < size and not self._stop_stream:
                    piece = response.read1(size - len(block))
                    if not piece:
                        break
                    block += piece
                if len(block) < size:
                    break
                self._title(block)
                audio_left = metaint
        except BaseException as exc:
            if not self._stop_stream:
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
        When the audio arrives slowly it returns what has arrived after ``timeout`` seconds (a
        short read; the decoders read again).  With nothing buffered it waits for the first bytes;
        a server silent for ``timeout`` seconds ends the download with an error.

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
        # A request larger than the buffer is served once the buffer is full (the downloader
        # waits while it is full, so waiting for more would wait forever).
        wanted = min(num_bytes, self.BUFFER_SIZE)
        give_up = time.monotonic() + self._timeout
        with self._cond:
            while len(self._buffer) < wanted and not self._ended and not self._stop_stream:
                left = give_up - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                elif self._buffer:
                    break  # a short read of what trickled in
                else:
                    self._cond.wait()
            if self._stop_stream:
                return b""
            if not self._buffer and self._error is not None:
                raise self._error
            chunk = self._buffer[:num_bytes]
            self._buffer = self._buffer[len(chunk):]
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
            self._stop_stream = True
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
