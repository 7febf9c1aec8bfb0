"""Type stubs for the private C module miniaudio._miniaudio (use the `miniaudio` package).

Checked against the built module by `python -m mypy.stubtest miniaudio._miniaudio` (tests/test_typing.py).
Enum arguments take a member of the matching enum or its int value (the C layer reads `.value`).
"""

import array
from collections.abc import Callable, Generator, Iterable, Mapping
from types import TracebackType
from typing import Any, Final, Literal, TypedDict, final, overload

from _typeshed import ReadableBuffer, StrOrBytesPath
from typing_extensions import Self, TypeAlias, disjoint_base

from ._enums import Backend, ChannelMixMode, DitherMode, FileFormat, SampleFormat

_Format: TypeAlias = SampleFormat | int
_Encoding: TypeAlias = FileFormat | int
_Dither: TypeAlias = DitherMode | int
_ChannelMix: TypeAlias = ChannelMixMode | int
_Backend: TypeAlias = Backend | int

MAX_CHANNELS: Final[int]
MAX_SAMPLE_RATE: Final[int]
MAX_FILTER_ORDER: Final[int]
# The one sample-format table: format value -> (width in bytes, array.array typecode or None,
# numpy dtype name or None, struct codes of buffer items a device takes as samples).
SAMPLE_FORMATS: Final[Mapping[int, tuple[int, str | None, str | None, str]]]

class MiniaudioError(Exception):
    result: int | None
    result_name: str | None

class DecodeError(MiniaudioError): ...
class OutputTooLargeError(DecodeError): ...

def lib_version() -> str: ...
def enabled_backends() -> tuple[int, ...]: ...
def is_backend_enabled(backend: _Backend, /) -> bool: ...
def is_loopback_supported(backend: _Backend, /) -> bool: ...
def format_name(sample_format: _Format, /) -> str: ...
def _write_unraisable(exc: BaseException, obj: object, /) -> None: ...

# (encoding, nchannels, sample_rate, sample_format, num_frames, WAV format tag or None)
def get_info(
    source: StrOrBytesPath | ReadableBuffer, /, from_file: bool, encoding: _Encoding, info_only: bool = ...
) -> tuple[int, int, int, int, int, int | None]: ...

# (samples, nchannels, sample_rate, sample_format)
def decode(
    source: StrOrBytesPath | ReadableBuffer,
    /,
    from_file: bool,
    encoding: _Encoding,
    output_format: _Format,
    nchannels: int,
    sample_rate: int,
    dither: _Dither = 0,
    channel_mix: _ChannelMix = 0,
    resampler_order: int = 4,
    max_output_bytes: int | None = None,
) -> tuple[array.array[Any], int, int, int]: ...
def convert_frames(
    from_fmt: _Format,
    from_numchannels: int,
    from_samplerate: int,
    sourcedata: ReadableBuffer,
    to_fmt: _Format,
    to_numchannels: int,
    to_samplerate: int,
    dither: _Dither = 0,
    channel_mix: _ChannelMix = 0,
    resampler_order: int = 4,
) -> bytearray: ...
def convert_sample_format(
    from_fmt: _Format, sourcedata: ReadableBuffer, to_fmt: _Format, dither: _Dither = 0
) -> bytearray: ...
def wav_write_file(
    filename: StrOrBytesPath,
    samples: ReadableBuffer,
    nchannels: int,
    sample_rate: int,
    sample_format: _Format,
    num_frames: int = ...,
    format_tag: int = ...,
) -> None: ...

# A C generator: chunks are array.array (chunk_type 0), bytes (1), what `wrap` makes of an array
# (numpy views), or memoryview slices (stream_raw); so the yield type is Any.
@disjoint_base
class DecoderStream(Generator[Any, int | None, None]):
    @property
    def position(self) -> int: ...
    @property
    def loops_done(self) -> int: ...
    @property
    def length(self) -> int | None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def nchannels(self) -> int: ...
    @property
    def sample_rate(self) -> int | None: ...
    @property
    def sample_format(self) -> SampleFormat | None: ...
    @property
    def frames_to_read(self) -> int: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> Any: ...
    def send(self, frames: int | None, /) -> Any: ...
    @overload
    def throw(
        self, typ: type[BaseException], val: BaseException | object = None, tb: TracebackType | None = None, /
    ) -> Any: ...
    @overload
    def throw(self, typ: BaseException, val: None = None, tb: TracebackType | None = None, /) -> Any: ...
    def close(self) -> None: ...
    def seek(self, frame: int, /) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> Literal[False]: ...


@final
class Waveform(DecoderStream):
    kind: str
    frequency: float
    amplitude: float
    def __new__(
        cls, kind: str = ..., frequency: float = ..., amplitude: float = ..., sample_rate: int = ...,
        nchannels: int = ..., output_format: Any = ..., frames_to_read: int = ..., chunk_type: str = ...
    ) -> Waveform: ...

@final
class PulseWave(DecoderStream):
    frequency: float
    duty_cycle: float
    amplitude: float
    def __new__(
        cls, frequency: float = ..., duty_cycle: float = ..., amplitude: float = ..., sample_rate: int = ...,
        nchannels: int = ..., output_format: Any = ..., frames_to_read: int = ..., chunk_type: str = ...
    ) -> PulseWave: ...

@final
class Noise(DecoderStream):
    kind: str
    amplitude: float
    @property
    def seed(self) -> int: ...
    def __new__(
        cls, kind: str = ..., amplitude: float = ..., seed: int = ..., sample_rate: int = ...,
        nchannels: int = ..., output_format: Any = ..., frames_to_read: int = ..., chunk_type: str = ...
    ) -> Noise: ...

@final
class Playlist(DecoderStream):
    on_source_end: Callable[[int, DecoderStream], object] | None
    @property
    def current(self) -> int | None: ...
    @property
    def ended_count(self) -> int: ...
    @property
    def input_closed(self) -> bool: ...
    def __new__(
        cls, *sources: DecoderStream, output_format: Any = ..., nchannels: int | None = ...,
        sample_rate: int | None = ..., frames_to_read: int = ..., chunk_type: str = ...,
        on_source_end: Callable[[int, DecoderStream], object] | None = ...
    ) -> Playlist: ...
    def send(self, frames: int | None, /) -> Any: ...
    def append(self, source: DecoderStream, /) -> None: ...
    def extend(self, sources: Iterable[DecoderStream], /) -> None: ...
    def close_input(self) -> None: ...
    def _deliver_ends(self) -> None: ...

def stream(
    source: StrOrBytesPath | ReadableBuffer | object,
    /,
    kind: int,
    encoding: _Encoding,
    output_format: SampleFormat,
    nchannels: int,
    sample_rate: int,
    frames_to_read: int = 1024,
    dither: _Dither = 0,
    seek_frame: int = 0,
    chunk_type: int = 0,
    wrap: Callable[[array.array[Any]], Any] | None = None,
    seek_origins: tuple[object, object, object] | None = None,
    loop: int = 0,
    loop_start: int = 0,
    loop_end: int = -1,
) -> DecoderStream: ...
def stream_raw(
    data: ReadableBuffer, /, nchannels: int, sample_width: int, frames_to_read: int, output_format: SampleFormat | None
) -> DecoderStream: ...
def _samples_to_format(data: Any, format: int, nchannels: int, /) -> bytes: ...
def chain(
    members: tuple[object, ...],
    /,
    output_format: object,
    nchannels: object,
    sample_rate: object,
    frames_to_read: int,
    chunk_type: int,
    wrap: Callable[[array.array[Any]], Any] | None,
    format_obj: SampleFormat,
    on_source_end: Callable[[int, DecoderStream], object] | None = None,
    loop: int = 0,
) -> Playlist: ...

# Blocks until devices need the event thread: [(device, run), ...], run -1 meaning "close it", run -2
# a Playlist (not a device) whose members ended: call its _deliver_ends().
def _next_events() -> list[tuple[Any, int]]: ...

class _DeviceInfo(TypedDict):
    backend: str
    sample_rate: int
    playback_channels: int
    capture_channels: int
    playback_name: str
    capture_name: str
    period_frames: int

@disjoint_base
class _Device:
    @property
    def running(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def callback_generator(self) -> Generator[Any, Any, Any] | None: ...
    @property
    def callback_error(self) -> BaseException | None: ...
    # (callbacks, frames, late_callbacks, padded_callbacks, max_callback_seconds, callback_seconds)
    @property
    def _stats(self) -> tuple[int, int, int, int, float, float]: ...
    @property
    def _info(self) -> _DeviceInfo: ...
    @property
    def _run(self) -> int: ...
    @property
    def _on_audio_thread(self) -> bool: ...
    @property
    def _volume(self) -> float: ...
    @property
    def _paused(self) -> bool: ...
    def _set_volume(self, volume: float, /) -> None: ...
    def _pause(self, paused: bool, fade_frames: int, /) -> bool: ...
    # 1.71's private per-period method: (device, output, input, framecount) -> None; replaceable.
    @property
    def _data_callback(self) -> Callable[[Any, Any, Any, int], Any]: ...
    @_data_callback.setter
    def _data_callback(self, value: Callable[[Any, Any, Any, int], Any] | None) -> None: ...
    @_data_callback.deleter
    def _data_callback(self) -> None: ...
    def _default_data_callback(self, device: Any, output: Any, input: Any, framecount: int, /) -> None: ...
    def _open(
        self,
        type: int,
        play_format: _Format | None,
        play_channels: int | None,
        capture_format: _Format | None,
        capture_channels: int | None,
        sample_rate: int,
        buffersize_msec: int,
        periods: int,
        play_id: str | tuple[str, bytes] | None,
        capture_id: str | tuple[str, bytes] | None,
        backends: list[int] | None,
        thread_prio: int,
        app_name: str,
        performance_profile: int = 0,
        /,
    ) -> None: ...
    def _start(self, generator: Generator[Any, Any, Any] | None,
               method: Callable[[Any, Any, Any, int], Any] | None = None, /) -> int: ...
    def _push_write(self, data: Any, timeout: float | None, start: Callable[[], None] | None, pad_to: int = 0,
                    run: int = 0, /) -> tuple[int, int, bool]: ...
    def _push_read(self, out: Any, frames: int, timeout: float | None, start: Callable[[], None] | None,
                   run: int = 0, /) -> tuple[int, int, bool]: ...
    def _feed_end(self, run: int, exc: BaseException | None, obj: Any, /) -> bool: ...
    def _push_drain(self) -> bool: ...
    def _push_available(self, for_write: bool, /) -> int: ...
    def _set_ring(self, frames: int, /) -> int: ...
    @property
    def _latency(self) -> tuple[float, float]: ...
    def _halt(self) -> None: ...
    def _close(self) -> None: ...
    def _close_at_exit(self, grace: float, /) -> bool: ...
    def _end_run(self, run: int, /) -> bool: ...
    def _take_error(self) -> BaseException | None: ...

# (name, raw id, is_default, [(format, sample_rate, channels), ...])
_DeviceEntry: TypeAlias = tuple[str, bytes, bool, list[tuple[int, int, int]]]

@final
class _Context:
    @property
    def backend(self) -> str | None: ...
    def __new__(cls, backends: list[int] | None = None, thread_prio: int = 0, app_name: str = "") -> Self: ...
    def devices(self, type: int, /) -> list[_DeviceEntry]: ...
    def close(self) -> None: ...

# A device callback's `time` argument (pycallback.c): sounddevice's names, seconds on one monotonic clock.
@final
class CallbackTime(tuple[float, float, float]):
    n_fields: Final[int]
    n_sequence_fields: Final[int]
    n_unnamed_fields: Final[int]
    __match_args__: Final = ("currentTime", "inputBufferAdcTime", "outputBufferDacTime")
    def __new__(cls, sequence: tuple[float, float, float], dict: dict[str, Any] = ...) -> Self: ...
    @property
    def currentTime(self) -> float: ...
    @property
    def inputBufferAdcTime(self) -> float: ...
    @property
    def outputBufferDacTime(self) -> float: ...

# What start(callback=...) or start(gen, input_type="numpy") hands _Device._start (pycallback.c):
# mode 0 calls `target` as a callback, mode 1 sends the generator `target` numpy arrays.
@final
class _CallbackRunner:
    def __new__(cls, target: Any, mode: int, asarray: Callable[[Any], Any] | None, flags_type: Callable[[int], Any],
                stop_type: type[BaseException], abort_type: type[BaseException], cap_latency: float,
                play_latency: float, /) -> Self: ...
    def send(self, value: Any, /) -> Any: ...
