"""Type stubs for the private C module miniaudio._miniaudio (use the `miniaudio` package)."""

import array
from typing import Any, Optional, Tuple

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
    sample_rate: int
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
