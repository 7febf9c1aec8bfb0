"""The one-call functions, with sounddevice's signatures and semantics: play(), rec(), playrec(),
wait(), stop(), get_status(), get_stream().  They run on one implicit stream: a new call stops the
previous one.

play() hands the device one of the package's streams, decoded and pulled in C on the audio thread
without the GIL: a file (path, file object, encoded bytes) through stream_file()/stream_memory(),
PCM arrays through an in-memory WAV image (which also gives ``loop=``), or the caller's own
stream/source.  rec() and playrec() run a callback that fills the result as it records, as
sounddevice's do; rec() can also write a WAV file.  See docs/sounddevice.rst.
"""

import array
import os
import struct
import threading
import types
from typing import Any, List, Optional, Tuple

from . import _miniaudio as _ma
from . import _sd_devices as _sdd
from ._callbacks import CallbackAbort, CallbackFlags, CallbackStop
from ._decode import _info, get_file_info
from ._enums import FileFormat, SampleFormat
from ._sd_devices import default
from ._sd_streams import InputStream, OutputStream, RawInputStream, RawOutputStream, Stream
from ._streams import stream_file, stream_memory
from ._write import wav_write_file

__all__ = ["play", "rec", "playrec", "wait", "stop", "get_status", "get_stream", "default"]

_last: Optional["_Context"] = None
_last_lock = threading.Lock()
# Held by play()/rec()/playrec() from stopping the previous call to publishing their own stream, and
# by stop(): two calls from two threads at once never both start a stream (one of them would be
# left playing out of stop()'s reach).
_call_lock = threading.RLock()
_OUTPUT_UNDERFLOW = 4


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


class _Context:
    """One invocation of play()/rec()/playrec(): its stream, status and end."""

    stream: Any = None

    def __init__(self) -> None:
        self.event = threading.Event()
        self.status = CallbackFlags()
        self.frame = 0
        self.error: Optional[BaseException] = None
        self.on_end: Any = None

    def finished(self) -> None:
        """The stream's finished_callback: the run ended (by itself, or stop()/close())."""
        try:
            stream = self.stream
            if stream is not None and stream._mode == "source" and stream._device.stats.late_callbacks:
                self.status |= CallbackFlags(_OUTPUT_UNDERFLOW)
            if self.on_end is not None:
                self.on_end()
        except Exception as exc:  # e.g. the WAV file could not be written: raised by wait()
            self.error = exc
        finally:
            self.on_end = None
            self.event.set()

    def start(self, stream_class: Any, blocking: bool, **kwargs: Any) -> None:
        global _last
        with _call_lock:
            stop()  # stop the previous play()/rec()/playrec()
            source = kwargs.pop("_source", None)
            self.stream = stream_class(finished_callback=self.finished, **kwargs)
            try:
                if source is not None:
                    self.stream._start_source(source)
                else:
                    self.stream.start()
            except BaseException:
                self.stream.close()
                raise
            with _last_lock:
                _last = self
        if blocking:
            self.wait()

    def wait(self, ignore_errors: bool = True) -> Optional[CallbackFlags]:
        try:
            self.event.wait()
        finally:
            self.stream.close(ignore_errors)
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return self.status if self.status else None


# ---- play() ------------------------------------------------------------------------------------

def _check_dtype(dtype: Any) -> str:
    """sounddevice's _check_dtype: the stream dtype for data of this dtype (float64 -> float32)."""
    np = _numpy()
    name: Any = np.dtype(dtype).name if np is not None else dtype
    if name in _sdd.SAMPLE_FORMATS and name != "int24":
        return str(name)
    if name == "float64":
        return "float32"
    raise TypeError("Unsupported data type: " + repr(name))


def _check_mapping(mapping: Any, channels: int) -> Tuple[List[int], int]:
    """1-based channel numbers -> (0-based list, channel count)."""
    if mapping is None:
        return list(range(channels)), channels
    if isinstance(mapping, int):
        mapping = [mapping]
    try:
        numbers = [int(m) for m in mapping]
    except (TypeError, ValueError):
        raise TypeError(f"mapping must be a list of channel numbers (starting with 1), not {mapping!r}") from None
    if not numbers:
        raise ValueError("mapping must not be empty")
    if min(numbers) < 1:
        raise ValueError("channel numbers must not be < 1")
    return [m - 1 for m in numbers], max(numbers)


_TYPECODES = {"float32": "f", "float64": "d", "int32": "i", "int16": "h", "int8": "b", "uint8": "B"}
_DTYPE_OF_TYPECODE = {"f": "float32", "d": "float64", "h": "int16", "b": "int8", "B": "uint8"}
for _code in "ilq":
    if array.array(_code).itemsize == 4:
        _DTYPE_OF_TYPECODE.setdefault(_code, "int32")


def _wav_image(pcm: bytes, channels: int, rate: int, dtype: str) -> bytes:
    """A WAV file in memory holding interleaved `pcm` of the stream dtype (int8 already flipped)."""
    fmt, width, _ = _sdd.SAMPLE_FORMATS[dtype]
    tag = 3 if fmt == SampleFormat.FLOAT32 else 1
    n = len(pcm)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + n, b"WAVE", b"fmt ", 16, tag, channels, rate,
                         rate * channels * width, channels * width, width * 8, b"data", n)
    return header + pcm


def _pcm_numpy(np: Any, data: Any, mapping: Any, device: Any) -> Tuple[bytes, int, str, int]:
    """(interleaved bytes, channels, stream dtype, frames) of array data, mapped (sounddevice's check_data)."""
    if isinstance(data, array.array):
        data = np.frombuffer(data, dtype=_DTYPE_OF_TYPECODE.get(data.typecode, data.typecode))
    data = np.asarray(data)
    if data.ndim < 2:
        data = data.reshape(-1, 1)
    elif data.ndim > 2:
        raise ValueError("audio data to be played back must be one- or two-dimensional")
    frames, channels = data.shape
    dtype = _check_dtype(data.dtype)
    explicit = mapping is not None
    cols, channels = _check_mapping(mapping, channels)
    if data.shape[1] != 1 and data.shape[1] != len(cols):
        raise ValueError("number of output channels != size of output mapping")
    if explicit and cols == [0] and _sdd.query_devices(device, "output")["max_output_channels"] >= 2:
        channels = 2  # mapping=[1]: silence on the second channel, as sounddevice
    if len(set(cols)) != len(cols):
        raise ValueError("each channel may only appear once in mapping")
    if not explicit and data.dtype.name == dtype:
        out = np.ascontiguousarray(data)
    else:
        out = np.zeros((frames, channels), dtype=dtype)
        if dtype == "uint8":
            out.fill(128)
        out[:, cols] = data
    pcm = out.tobytes()
    if dtype == "int8":
        pcm = pcm.translate(_sdd.FLIP_SIGN)
    return pcm, channels, dtype, frames


def _pcm_array(data: "array.array[Any]", mapping: Any) -> Tuple[bytes, int, str, int]:
    """The same for an array.array (mono) without numpy."""
    dtype = _DTYPE_OF_TYPECODE.get(data.typecode)
    if dtype is None:
        raise TypeError(f"Unsupported data type: array.array of typecode {data.typecode!r}")
    if dtype == "float64":
        data, dtype = array.array("f", data), "float32"
    cols, channels = _check_mapping(mapping, 1)
    if mapping is not None and cols == [0]:
        channels = 2
    if len(set(cols)) != len(cols):
        raise ValueError("each channel may only appear once in mapping")
    frames = len(data)
    if mapping is None:
        out = data
    else:
        out = array.array(data.typecode, [128 if dtype == "uint8" else 0]) * (frames * channels)
        for col in cols:
            out[col::channels] = data
    pcm = out.tobytes()
    if dtype == "int8":
        pcm = pcm.translate(_sdd.FLIP_SIGN)
    return pcm, channels, dtype, frames


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


def play(data: Any, samplerate: Any = None, mapping: Any = None, blocking: bool = False, loop: bool = False,
         **device_options: Any) -> None:
    """Play audio on the implicit stream, as sounddevice's ``play()``; a new call stops the previous one.

    ``data`` is, as in sounddevice, an array of samples: a numpy array ``(frames,)`` (mono) or
    ``(frames, channels)`` of float64 (played as float32), float32, int32, int16, int8 or uint8,
    or (numpy not needed) an ``array.array`` of those types (mono).  Beyond sounddevice it may be
    an audio file: a path, a file object or the ``bytes`` of an encoded file (WAV, FLAC, MP3,
    Ogg Vorbis), played at the file's own sample rate unless ``samplerate`` is given (then it is
    resampled); or one of the package's streams and sources (a :class:`~miniaudio.DecoderStream`,
    :class:`~miniaudio.Waveform`, :func:`~miniaudio.chain`, :class:`~miniaudio.Playlist`).
    Everything plays without the GIL: the audio thread decodes and converts in C.

    Args:
        data: What to play (see above).
        samplerate: The sample rate of array data (None: ``default.samplerate``, then the device's).
        mapping: The 1-based output channels the columns of array data go to (mono data goes to
            each of them); array data only.
        blocking: Wait until playback has finished (:func:`wait` does that later).
        loop: Play arrays and files over and over until :func:`stop`.
        device_options: The other arguments of sounddevice's ``OutputStream``: ``device`` (an
            index of :func:`~miniaudio.sounddevice.query_devices`, a name substring, or a
            :class:`~miniaudio.DeviceId`), ``blocksize``, ``latency``, ``extra_settings``, ...

    Raises:
        TypeError: An unsupported data type, or ``data`` is none of the above.
        ValueError: Data that is not 1-D/2-D, a bad ``mapping``, ``mapping`` or ``loop`` for a
            stream, an unknown device.
        PortAudioError: The device cannot be opened with these settings (e.g. ``samplerate=0``).
        DecodeError: A file that cannot be decoded.
    """
    if not isinstance(loop, bool):
        raise TypeError(f"loop must be True or False, not {type(loop).__name__}")
    device = device_options.get("device")
    ctx = _Context()
    np = _numpy()
    source = None
    if isinstance(data, _ma.DecoderStream):
        if mapping is not None or loop:
            raise ValueError("mapping and loop apply to arrays and files; open the stream with loop=True and the "
                             "channels you want instead")
        fmt: Any = getattr(data, "sample_format", None)
        dtype = {SampleFormat.SIGNED16: "int16", SampleFormat.SIGNED32: "int32", SampleFormat.UNSIGNED8: "uint8",
                 SampleFormat.SIGNED24: "int24"}.get(fmt, "float32")
        rate = getattr(data, "sample_rate", None) or samplerate
        stream_class = RawOutputStream if dtype == "int24" or np is None else OutputStream
        ctx.start(stream_class, blocking, samplerate=rate, channels=getattr(data, "nchannels", None) or 2,
                  dtype=dtype, _source=data, **device_options)
        return
    encoded = None
    if _is_path(data):
        info = get_file_info(data)
    elif isinstance(data, (bytes, bytearray, memoryview)) or hasattr(data, "read"):
        encoded = data.read() if hasattr(data, "read") else bytes(data)
        if not isinstance(encoded, (bytes, bytearray)):
            raise TypeError(f"the file object's read() returned {type(encoded).__name__}, not bytes")
        info = _info(encoded, False, FileFormat.UNKNOWN)
    else:
        info = None
    if info is not None:
        if mapping is not None:
            raise ValueError("mapping applies to array data, not to files")
        rate = samplerate if samplerate is not None else info.sample_rate
        stream_class = OutputStream if np is not None else RawOutputStream
        if isinstance(rate, (int, float)) and not isinstance(rate, bool) and 0 < rate <= 384000:
            out_rate = round(rate)  # the stream checks the rate; the device opens at round(rate)
            if encoded is None:
                source = stream_file(data, SampleFormat.FLOAT32, info.nchannels, out_rate, loop=loop)
            else:
                source = stream_memory(encoded, SampleFormat.FLOAT32, info.nchannels, out_rate, loop=loop)
        ctx.start(stream_class, blocking, samplerate=rate, channels=info.nchannels, dtype="float32", _source=source,
                  **device_options)
        return
    if np is not None:
        pcm, channels, dtype, frames = _pcm_numpy(np, data, mapping, device)
    elif isinstance(data, array.array):
        pcm, channels, dtype, frames = _pcm_array(data, mapping)
    else:
        raise TypeError(f"play() takes an array of samples (numpy or array.array), a file path, a file object, "
                        f"the bytes of an audio file or one of the package's streams, not {type(data).__name__}")
    stream_class = OutputStream if np is not None else RawOutputStream
    if samplerate is None:
        samplerate = default.samplerate
    if samplerate is None:
        samplerate = _sdd.query_devices(device, "output")["default_samplerate"]
    probe_rate = samplerate if isinstance(samplerate, (int, float)) and not isinstance(samplerate, bool) else None
    if probe_rate is not None and probe_rate > 0:
        rate = round(probe_rate)
        source = stream_memory(_wav_image(pcm, channels, rate, dtype), _sdd.SAMPLE_FORMATS[dtype][0], channels, rate,
                               loop=loop and frames > 0)
    ctx.start(stream_class, blocking, samplerate=samplerate, channels=channels, dtype=dtype, _source=source,
              **device_options)


# ---- rec() and playrec() -------------------------------------------------------------------------

def _check_out(out: Any, frames: Any, channels: Any, dtype: Any, mapping: Any) -> Tuple[Any, int, int, str, List[int],
                                                                                           str]:
    """sounddevice's check_out: (out, frames, stream channels, stream dtype, 0-based mapping, out dtype)."""
    np = _numpy()
    if out is None:
        if frames is None:
            raise TypeError("frames must be specified")
        if channels is None:
            channels = default.channels["input"]
        if channels is None:
            if mapping is None:
                raise TypeError("Unable to determine number of input channels")
            channels = len(mapping) if not isinstance(mapping, int) else 1
        if dtype is None:
            dtype = default.dtype["input"]
        for name, value in (("frames", frames), ("channels", channels)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"'{name}' must be an integer")
        if np is not None:
            out = np.empty((frames, channels), dtype, order="C")
        else:
            if frames < 0 or channels < 0:
                raise ValueError("negative dimensions are not allowed")
            code = _TYPECODES.get(dtype)
            if code is None:
                raise TypeError("Unsupported data type: " + repr(dtype))
            out = array.array(code, bytes(frames * channels * array.array(code).itemsize))
    elif np is not None and isinstance(out, np.ndarray):
        if out.ndim != 2:
            raise ValueError(f"out must be a (frames, channels) array, not of shape {out.shape}")
        frames, channels = out.shape
        dtype = out.dtype
    else:
        raise TypeError(f"out must be a numpy array or a WAV file path, not {type(out).__name__}")
    out_dtype = np.dtype(dtype).name if np is not None else dtype
    stream_dtype = _check_dtype(dtype)
    cols, stream_channels = _check_mapping(mapping, channels)
    if channels != len(cols):
        raise ValueError("number of input channels != size of input mapping")
    return out, frames, stream_channels, stream_dtype, cols, out_dtype


def _wav_writer(path: str, ctx: _Context, out: Any, channels: int, rate_of: Any, out_dtype: str) -> Any:
    """What writes the recording to `path` when it ends: the frames recorded so far."""
    def write() -> None:
        n = ctx.frame
        np = _numpy()
        if np is not None:
            data = out[:n]
            if out_dtype == "float64":
                data = data.astype(np.float32)
            pcm = data.tobytes()
        else:
            data = out[:n * channels]
            if out_dtype == "float64":
                data = array.array("f", data)
            pcm = data.tobytes()
        dtype = "float32" if out_dtype == "float64" else out_dtype
        if dtype == "int8":
            pcm = pcm.translate(_sdd.FLIP_SIGN)
        sound = types.SimpleNamespace(samples=pcm, nchannels=channels, sample_rate=int(rate_of()),
                                      sample_format=_sdd.SAMPLE_FORMATS[dtype][0], num_frames=n)
        wav_write_file(path, sound)  # type: ignore[arg-type]  # (it takes any object with those attributes)
    return write


def rec(frames: Any = None, samplerate: Any = None, channels: Any = None, dtype: Any = None, out: Any = None,
        mapping: Any = None, blocking: bool = False, **kwargs: Any) -> Any:
    """Record on the implicit stream, as sounddevice's ``rec()``; a new call stops the previous one.

    Returns at once (unless ``blocking``) an array that fills as the recording goes on: a numpy
    ``(frames, channels)`` array of ``dtype`` (default ``default.dtype``, float32), or without
    numpy an ``array.array`` of interleaved samples.  :func:`wait` waits for the end.

    Beyond sounddevice, ``out`` may be the path of a WAV file: the recording is written there
    when it ends (after ``frames`` frames, or at :func:`stop` with what was recorded); the file is
    created at once, so a path that cannot be written fails here.  The array is returned too.

    Args:
        frames: How many frames to record (not needed with an ``out`` array).
        samplerate: The sample rate (None: ``default.samplerate``, then the device's).
        channels: The channel count (None: ``default.channels``, or ``len(mapping)``).
        dtype: float64 (recorded as float32), float32, int32, int16, int8 or uint8.
        out: A numpy array to fill, or a WAV file path (see above).
        mapping: The 1-based input channels to record.
        blocking: Wait until the recording has finished.
        kwargs: The other arguments of sounddevice's ``InputStream`` (``device``, ``blocksize``,
            ``latency``, ...).

    Raises:
        TypeError: ``frames`` missing, no channel count, an unsupported dtype.
        ValueError: A bad ``mapping``, an unknown device.
        PortAudioError: The device cannot be opened with these settings.
        OSError: The WAV file cannot be created.
    """
    path = None
    if _is_path(out):
        path = os.fspath(out)
        out = None
    out, frames, stream_channels, stream_dtype, cols, out_dtype = _check_out(out, frames, channels, dtype, mapping)
    np = _numpy()
    ctx = _Context()
    total, nout = frames, len(cols)
    if np is not None:
        def callback(indata: Any, n: int, time: Any, status: Any) -> None:
            ctx.status |= status
            b = min(total - ctx.frame, n)
            if b <= 0:
                raise CallbackAbort
            for target, source in enumerate(cols):
                out[ctx.frame:ctx.frame + b, target] = indata[:b, source]
            ctx.frame += b
            if ctx.frame >= total:
                raise CallbackStop
        stream_class: Any = InputStream
    else:
        code = _TYPECODES[stream_dtype]
        width = array.array(code).itemsize

        def callback(indata: Any, n: int, time: Any, status: Any) -> None:
            ctx.status |= status
            b = min(total - ctx.frame, n)
            if b <= 0:
                raise CallbackAbort
            block = array.array(code)
            block.frombytes(indata[:b * stream_channels * width])
            f = ctx.frame
            for target, source in enumerate(cols):
                column = block[source::stream_channels]
                if out.typecode != code:
                    column = array.array(out.typecode, column)
                out[f * nout + target:(f + b) * nout:nout] = column
            ctx.frame += b
            if ctx.frame >= total:
                raise CallbackStop
        stream_class = RawInputStream
    if path is not None:
        with open(path, "wb"):
            pass
        ctx.on_end = _wav_writer(path, ctx, out, nout, lambda: ctx.stream.samplerate, out_dtype)
    ctx.start(stream_class, blocking, samplerate=samplerate, channels=stream_channels, dtype=stream_dtype,
              callback=callback, **kwargs)
    return out


def playrec(data: Any, samplerate: Any = None, channels: Any = None, dtype: Any = None, out: Any = None,
            input_mapping: Any = None, output_mapping: Any = None, blocking: bool = False, **kwargs: Any) -> Any:
    """Play and record at once on the implicit stream, as sounddevice's ``playrec()`` (needs numpy).

    ``data`` as for :func:`play` (numpy array data only); the recording has as many frames and
    is returned as :func:`rec` returns it (``dtype`` defaults to ``data.dtype``).

    Raises:
        ImportError: numpy is not installed.
        TypeError, ValueError, PortAudioError: As for :func:`play` and :func:`rec`.
    """
    import numpy as np
    data = np.asarray(data)
    if data.ndim < 2:
        data = data.reshape(-1, 1)
    elif data.ndim > 2:
        raise ValueError("audio data to be played back must be one- or two-dimensional")
    output_frames = data.shape[0]
    out_dtype = _check_dtype(data.dtype)
    ocols, ochannels = _check_mapping(output_mapping, data.shape[1])
    if data.shape[1] != 1 and data.shape[1] != len(ocols):
        raise ValueError("number of output channels != size of output mapping")
    if len(set(ocols)) != len(ocols):
        raise ValueError("each channel may only appear once in mapping")
    silent = [c for c in range(ochannels) if c not in ocols]
    if dtype is None:
        dtype = data.dtype  # not default.dtype, as sounddevice
    out, input_frames, ichannels, in_dtype, icols, _ = _check_out(out, output_frames, channels, dtype, input_mapping)
    if input_frames != output_frames:
        raise ValueError("len(data) != len(out)")
    ctx = _Context()
    total = output_frames

    def callback(indata: Any, outdata: Any, n: int, time: Any, status: Any) -> None:
        ctx.status |= status
        f = ctx.frame
        b = min(total - f, n)
        if b <= 0:
            outdata.fill(0)
            raise CallbackAbort
        for target, source in enumerate(icols):
            out[f:f + b, target] = indata[:b, source]
        outdata[:b, ocols] = data[f:f + b]
        outdata[:b, silent] = 0
        outdata[b:] = 0
        ctx.frame += b
        if ctx.frame >= total:
            raise CallbackStop

    ctx.start(Stream, blocking, samplerate=samplerate, channels=(ichannels, ochannels), dtype=(in_dtype, out_dtype),
              callback=callback, **kwargs)
    return out


def wait(ignore_errors: bool = True) -> Optional[CallbackFlags]:
    """Wait until play()/rec()/playrec() has finished (Ctrl-C interrupts), then close its stream.

    Returns:
        A :class:`~miniaudio.CallbackFlags` if an over- or underflow happened during the run, else
        None.

    Raises:
        OSError: rec() could not write its WAV file.
    """
    ctx = _last
    if ctx is not None:
        return ctx.wait(ignore_errors)
    return None


def stop(ignore_errors: bool = True) -> None:
    """Stop play()/rec()/playrec() (streams you created yourself are not affected)."""
    with _call_lock:
        ctx = _last
        if ctx is not None:
            ctx.stream.stop(ignore_errors)
            ctx.stream.close(ignore_errors)


def get_status() -> CallbackFlags:
    """The over- and underflows of the last play()/rec()/playrec(), as a :class:`~miniaudio.CallbackFlags`.

    Raises:
        RuntimeError: None of them was called yet.
    """
    if _last is not None:
        return _last.status
    raise RuntimeError("play()/rec()/playrec() was not called yet")


def get_stream() -> Any:
    """The stream (an OutputStream, InputStream or Stream of :mod:`miniaudio.sounddevice`) of the
    last play()/rec()/playrec().

    Raises:
        RuntimeError: None of them was called yet.
    """
    if _last is not None:
        return _last.stream
    raise RuntimeError("play()/rec()/playrec() was not called yet")
