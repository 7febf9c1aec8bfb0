"""Backend settings of the device classes: their keyword arguments (exclusive, channel_map,
performance_profile, no_clip, no_pre_silence, stream_name) and ``backend_options`` become the flat
``options`` dict that ``_Device._open`` checks and applies (miniaudio_c/devopts.c holds the table
of keys, their kinds and the backends each general setting applies to).  See docs/devices.rst,
"Backend settings".
"""

from typing import Any, Dict, Mapping, Optional, Sequence, Union

from ._enums import Backend

# miniaudio's channel positions (ma_channel): long and short names
_POSITIONS = ["none", "mono", "front_left", "front_right", "front_center", "lfe", "back_left", "back_right",
              "front_left_center", "front_right_center", "back_center", "side_left", "side_right", "top_center",
              "top_front_left", "top_front_center", "top_front_right", "top_back_left", "top_back_center",
              "top_back_right"] + [f"aux{i}" for i in range(32)]
_SHORT = ["-", "m", "fl", "fr", "fc", "lfe", "bl", "br", "flc", "frc", "bc", "sl", "sr", "tc", "tfl", "tfc", "tfr",
          "tbl", "tbc", "tbr"]
CHANNEL_POSITIONS: Dict[str, int] = {name: i for i, name in enumerate(_POSITIONS)}
CHANNEL_POSITIONS.update({name: i for i, name in enumerate(_SHORT) if name != "-"})

# backend_options sections: miniaudio's names for the backends that have settings of their own
_SECTIONS = {"pulse": "pulse", "pulseaudio": "pulse", "wasapi": "wasapi", "alsa": "alsa", "jack": "jack",
             "coreaudio": "coreaudio", "opensl": "opensl", "aaudio": "aaudio"}
_PROFILES = {"low_latency": 0, "conservative": 1}

ChannelMapType = Optional[Sequence[Union[str, int]]]


def channel_map_bytes(channel_map: ChannelMapType, channels: Any, argname: str) -> Optional[bytes]:
    """The channel positions of a channel_map argument as bytes of ma_channel values."""
    if channel_map is None:
        return None
    if isinstance(channel_map, (str, bytes)) or not hasattr(channel_map, "__iter__"):
        raise TypeError(f"{argname} must be a sequence of channel positions (names such as 'front_left' or 'FL', "
                        f"or ints), not {type(channel_map).__name__}")
    out = []
    for pos in channel_map:
        if isinstance(pos, str):
            value = CHANNEL_POSITIONS.get(pos.lower())
            if value is None:
                raise ValueError(f"{argname}: unknown channel position {pos!r}; the positions are "
                                 + ", ".join(_POSITIONS[1:]))
        elif isinstance(pos, int) and not isinstance(pos, bool):
            if not 0 <= pos < len(_POSITIONS):
                raise ValueError(f"{argname}: channel positions are 0..{len(_POSITIONS) - 1}, not {pos}")
            value = pos
        else:
            raise TypeError(f"{argname}: a channel position is a name or an int, not {type(pos).__name__}")
        out.append(value)
    if isinstance(channels, int) and not isinstance(channels, bool) and channels != len(out):
        raise ValueError(f"{argname} has {len(out)} positions but the device has {channels} channels")
    return bytes(out)


def performance_profile_value(profile: Optional[str], default: int) -> int:
    if profile is None:
        return default
    if not isinstance(profile, str):
        raise TypeError(f"performance_profile must be 'low_latency', 'conservative' or None, not "
                        f"{type(profile).__name__}")
    if profile not in _PROFILES:
        raise ValueError(f"performance_profile must be 'low_latency', 'conservative' or None, not {profile!r}")
    return _PROFILES[profile]


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def device_options(*, exclusive: bool = False, playback_map: Optional[bytes] = None,
                   capture_map: Optional[bytes] = None, no_clip: bool = False, no_pre_silence: bool = False,
                   stream_name: Optional[str] = None,
                   backend_options: Optional[Mapping[Any, Mapping[str, Any]]] = None) -> Optional[Dict[str, Any]]:
    """The flat options dict for _Device._open, or None when every setting is at its default."""
    options: Dict[str, Any] = {}
    if _flag("exclusive", exclusive):
        options["exclusive"] = True
    if _flag("no_clip", no_clip):
        options["no_clip"] = True
    if _flag("no_pre_silence", no_pre_silence):
        options["no_pre_silence"] = True
    if stream_name is not None:
        if not isinstance(stream_name, str):
            raise TypeError(f"stream_name must be a str or None, not {type(stream_name).__name__}")
        options["stream_name"] = stream_name
    if playback_map is not None:
        options["playback_channel_map"] = playback_map
    if capture_map is not None:
        options["capture_channel_map"] = capture_map
    if backend_options is not None:
        if not isinstance(backend_options, Mapping):
            raise TypeError(f"backend_options must be a dict {{backend: {{option: value}}}}, not "
                            f"{type(backend_options).__name__}")
        for section, settings in backend_options.items():
            key = section.name.lower() if isinstance(section, Backend) else section
            if not isinstance(key, str) or key.lower() not in _SECTIONS:
                raise ValueError(f"backend_options: unknown backend {section!r}; the backends with settings of "
                                 f"their own are {', '.join(sorted(set(_SECTIONS.values())))}")
            if not isinstance(settings, Mapping):
                raise TypeError(f"backend_options[{section!r}] must be a dict of settings, not "
                                f"{type(settings).__name__}")
            prefix = _SECTIONS[key.lower()]
            for name, value in settings.items():
                if not isinstance(name, str):
                    raise TypeError(f"backend_options[{section!r}]: setting names are str, not "
                                    f"{type(name).__name__}")
                options[f"{prefix}.{name}"] = value
    return options or None
