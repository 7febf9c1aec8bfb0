"""
miniaudio for Python: decoding, format conversion, streaming, playback and capture of audio,
through a hand-written C extension that embeds the miniaudio C library (https://miniaud.io).

A drop-in for the established ``miniaudio`` package (1.71): same names, signatures and defaults.
numpy is optional and only imported when you ask for numpy results.
"""

from typing import TYPE_CHECKING, Any, List

from ._enums import (
    Backend,
    ChannelMixMode,
    DeviceType,
    DitherMode,
    FileFormat,
    SampleFormat,
    SeekOrigin,
    ThreadPriority,
)
from ._errors import DecodeError, MiniaudioError, OutputTooLargeError
from ._decode import DecodedSoundFile, SoundFileInfo, decode, decode_file, get_file_info, read_file
from ._per_format import (
    flac_get_file_info,
    flac_get_info,
    flac_read_f32,
    flac_read_file_f32,
    flac_read_file_s16,
    flac_read_file_s32,
    flac_read_s16,
    flac_read_s32,
    mp3_get_file_info,
    mp3_get_info,
    mp3_read_f32,
    mp3_read_file_f32,
    mp3_read_file_s16,
    mp3_read_s16,
    vorbis_get_file_info,
    vorbis_get_info,
    vorbis_read,
    vorbis_read_file,
    wav_get_file_info,
    wav_get_info,
    wav_read_f32,
    wav_read_file_f32,
    wav_read_file_s16,
    wav_read_file_s32,
    wav_read_s16,
    wav_read_s32,
)
from ._convert import convert_frames, convert_sample_format, width_from_format
from ._converter import Converter
from ._write import wav_write_file
from ._resample import Resample, StreamResampler
from ._sf import blocks, info, read, write
from ._audiofile import AudioFile, ChannelConvertedReadableAudioFile, ReadableAudioFile, ResampledReadableAudioFile
from ._audiofile_write import WriteableAudioFile
from ._tags import read_tags
from ._library import get_enabled_backends, is_backend_enabled, is_loopback_supported, lib_version

from ._streams import (
    CaptureCallbackGeneratorType,
    DecoderStream,
    DuplexCallbackGeneratorType,
    FramesType,
    GeneratorTypes,
    PlaybackCallbackGeneratorType,
    StreamableSource,
    WavFileReadStream,
    flac_stream_file,
    mp3_stream_file,
    stream_any,
    stream_file,
    stream_memory,
    stream_raw_pcm_memory,
    stream_with_callbacks,
    vorbis_stream_file,
    wav_stream_file,
)

from ._chain import Playlist, chain
from ._mixer import Mixer, MixerGroup, Voice
from ._preload import PreloadedSound
from ._generators import Noise, NoiseType, PulseWave, Waveform, WaveformType
from ._dsp import (
    BandPass,
    Biquad,
    Delay,
    Fade,
    Gain,
    HighPass,
    HighShelf,
    LowPass,
    LowShelf,
    Notch,
    Pan,
    PeakingEQ,
    Processor,
)

from ._devices import (
    AbstractDevice,
    CaptureDevice,
    DeviceId,
    Devices,
    DeviceStats,
    DuplexStream,
    PlaybackDevice,
)
from ._watch import DeviceWatcher, watch_devices
from ._callbacks import CallbackAbort, CallbackFlags, CallbackStop, CallbackTime
from ._async import play_async
from ._oneshot import default, get_status, get_stream, play, playrec, rec, stop, wait

from ._compat import ffi, lib

__version__ = "2.0.0.dev0"

# The internet radio client needs http.client, ssl and urllib (about half of the import time of the
# whole package): it is imported on first use of one of these names, not by `import miniaudio`.
_LAZY = {"IceCastClient": "._icecast", "IceCastError": "._icecast"}

if TYPE_CHECKING:  # type checkers see the real classes
    from ._icecast import IceCastClient, IceCastError


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Backend", "ChannelMixMode", "DeviceType", "DitherMode", "FileFormat", "SampleFormat", "SeekOrigin",
    "ThreadPriority", "DecodedSoundFile", "DecodeError", "MiniaudioError", "OutputTooLargeError",
    "SoundFileInfo", "Converter", "convert_frames", "AudioFile", "ReadableAudioFile", "ResampledReadableAudioFile",
    "ChannelConvertedReadableAudioFile", "StreamResampler", "Resample", "read", "write", "info", "blocks",
    "convert_sample_format", "decode", "decode_file", "flac_get_file_info", "flac_get_info", "flac_read_f32",
    "flac_read_file_f32", "flac_read_file_s16", "flac_read_file_s32", "flac_read_s16", "flac_read_s32",
    "get_enabled_backends", "get_file_info", "is_backend_enabled", "is_loopback_supported", "lib_version",
    "mp3_get_file_info", "mp3_get_info", "mp3_read_f32", "mp3_read_file_f32", "mp3_read_file_s16",
    "mp3_read_s16", "read_file", "vorbis_get_file_info", "vorbis_get_info", "vorbis_read", "vorbis_read_file",
    "wav_get_file_info", "wav_get_info", "wav_read_f32", "wav_read_file_f32", "wav_read_file_s16",
    "wav_read_file_s32", "wav_read_s16", "wav_read_s32", "wav_write_file", "WriteableAudioFile", "width_from_format", "read_tags",
    "DecoderStream", "stream_file", "stream_memory", "stream_any", "StreamableSource", "WavFileReadStream",
    "flac_stream_file", "mp3_stream_file", "vorbis_stream_file", "wav_stream_file", "stream_raw_pcm_memory",
    "stream_with_callbacks", "FramesType", "PlaybackCallbackGeneratorType", "CaptureCallbackGeneratorType",
    "DuplexCallbackGeneratorType", "GeneratorTypes", "Devices", "DeviceId", "DeviceStats", "AbstractDevice",
    "PlaybackDevice", "CaptureDevice", "DuplexStream", "DeviceWatcher", "watch_devices", "IceCastClient", "IceCastError", "ffi", "lib",
    "Waveform", "PulseWave", "Noise", "WaveformType", "NoiseType", "chain", "Playlist", "Mixer", "MixerGroup", "Voice",
    "PreloadedSound",
    "CallbackFlags", "CallbackStop", "CallbackAbort", "CallbackTime",
    "play", "rec", "playrec", "wait", "stop", "get_status", "get_stream", "default", "play_async",
    "Processor", "Biquad", "LowPass", "HighPass", "BandPass", "Notch", "PeakingEQ", "LowShelf", "HighShelf",
    "Delay", "Gain", "Pan", "Fade",
]
