"""Type stubs for the private C module miniaudio._miniaudio (use the `miniaudio` package)."""

import array
from typing import Any, Dict, List, Optional, Tuple

MAX_CHANNELS: int
MAX_SAMPLE_RATE: int
MAX_FILTER_ORDER: int

class MiniaudioError(Exception):
    result: Optional[int]
    result_name: Optional[str]

class DecodeError(MiniaudioError): ...

def lib_version() -> str: ...
def enabled_backends() -> Tuple[int, ...]: ...
def is_backend_enabled(backend: Any, /) -> bool: ...
def is_loopback_supported(backend: Any, /) -> bool: ...
def format_name(sample_format: Any, /) -> str: ...
def get_info(source: Any, /, from_file: bool, encoding: Any) -> Tuple[int, int, int, int, int, Optional[int]]: ...
def decode(
    source: Any,
    /,
    from_file: bool,
    encoding: Any,
    output_format: Any,
    nchannels: Any,
    sample_rate: Any,
    dither: Any = 0,
    channel_mix: Any = 0,
    resampler_order: Any = 4,
) -> Tuple[array.array, int, int, int]: ...
def convert_frames(
    from_fmt: Any,
    from_numchannels: Any,
    from_samplerate: Any,
    sourcedata: Any,
    to_fmt: Any,
    to_numchannels: Any,
    to_samplerate: Any,
    dither: Any = 0,
    channel_mix: Any = 0,
    resampler_order: Any = 4,
) -> bytearray: ...
def convert_sample_format(from_fmt: Any, sourcedata: Any, to_fmt: Any, dither: Any = 0) -> bytearray: ...
def wav_write_file(filename: Any, samples: Any, nchannels: Any, sample_rate: Any, sample_format: Any) -> None: ...

class DecoderStream:
    position: int
    length: Optional[int]
    closed: bool
    nchannels: int
    sample_rate: Optional[int]
    sample_format: Any
    frames_to_read: int
    def __iter__(self) -> "DecoderStream": ...
    def __next__(self) -> Any: ...
    def send(self, frames: Optional[int], /) -> Any: ...
    def throw(self, typ: Any, val: Any = ..., tb: Any = ..., /) -> Any: ...
    def close(self) -> None: ...
    def seek(self, frame: int, /) -> int: ...
    def __enter__(self) -> "DecoderStream": ...
    def __exit__(self, *args: Any) -> bool: ...

def stream(
    source: Any,
    /,
    kind: int,
    encoding: Any,
    output_format: Any,
    nchannels: Any,
    sample_rate: Any,
    frames_to_read: int = 1024,
    dither: Any = 0,
    seek_frame: int = 0,
    chunk_type: int = 0,
    wrap: Any = None,
    seek_origins: Any = None,
) -> DecoderStream: ...

def stream_raw(
    data: Any, /, nchannels: int, sample_width: int, frames_to_read: int, output_format: Any
) -> DecoderStream: ...
def _next_events() -> List[Tuple["_Device", int]]: ...

class _Device:
    running: bool
    closed: bool
    callback_generator: Any
    callback_error: Optional[BaseException]
    _stats: Tuple[int, int, int, int, float, float]
    _info: Dict[str, Any]
    _run: int
    _on_audio_thread: bool
    def _open(
        self,
        type: int,
        play_format: Any,
        play_channels: Any,
        capture_format: Any,
        capture_channels: Any,
        sample_rate: Any,
        buffersize_msec: int,
        periods: int,
        play_id: Any,
        capture_id: Any,
        backends: Any,
        thread_prio: int,
        app_name: str,
        /,
    ) -> None: ...
    def _start(self, generator: Any, /) -> int: ...
    def _halt(self) -> None: ...
    def _close(self) -> None: ...
    def _end_run(self, run: int, /) -> bool: ...
    def _take_error(self) -> Optional[BaseException]: ...

class _Context:
    backend: Optional[str]
    def __init__(self, backends: Any = None, thread_prio: int = 0, app_name: str = "") -> None: ...
    def devices(self, type: int, /) -> List[Tuple[str, bytes, bool, List[Tuple[int, int, int]]]]: ...
    def close(self) -> None: ...
