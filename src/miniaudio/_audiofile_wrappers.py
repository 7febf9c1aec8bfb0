"""pedalboard.io's wrapped readers: ResampledReadableAudioFile (resampled_to()) and
ChannelConvertedReadableAudioFile (mono(), stereo(), with_channels()), each a reader over another
reader, through the streaming Converter (converter.c) fed (frames, channels) float32.
"""

from typing import Any, Optional, Union

from ._audiofile import _CHUNK, _Busy, _numpy, _Reader
from ._converter import Converter
from ._enums import SampleFormat
from ._resample import Resample, _channels, _quality, _whole_rate

__all__ = ["ResampledReadableAudioFile", "ChannelConvertedReadableAudioFile"]

_Quality = Resample.Quality


def _pull(reader: _Reader, num_frames: int, position: int) -> Any:
    """num_frames frames of `reader` from `position` as (frames, channels) float32, in its busy
    guard: what a wrapper reads its source with (the source may have been used directly since)."""
    reader._busy.enter(reader, "read")
    try:
        reader._check_open()
        if reader._tell() != position:
            reader._seek_busy(position)
        return reader._read_fc(num_frames)
    finally:
        reader._busy.leave()


def _source_frames(reader: _Reader) -> int:
    reader._busy.enter(reader, "frames")
    try:
        reader._check_open()
        return reader._frames_busy()
    finally:
        reader._busy.leave()


class _Wrapper(_Reader):
    """A reader over another reader (its source), which it never closes."""

    _src: _Reader

    def __init__(self, audio_file: Any) -> None:
        if not isinstance(audio_file, _Reader):
            raise TypeError(f"audio_file must be a ReadableAudioFile, not {type(audio_file).__name__}")
        audio_file._check_open()
        self._src = audio_file
        self._busy = _Busy()
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether this file or the file it reads is closed."""
        return self._closed or self._src.closed

    def close(self) -> None:
        """Closes this file; the file it reads stays open."""
        self._closed = True

    @property
    def exact_duration_known(self) -> bool:
        """As the file it reads."""
        return bool(self._src.exact_duration_known)  # type: ignore[attr-defined]

    @property
    def file_dtype(self) -> str:
        """The sample type of the file it reads (read() always gives float32)."""
        return self._src.file_dtype

    @property
    def name(self) -> Optional[str]:
        """The name of the file it reads."""
        return self._src.name


class ResampledReadableAudioFile(_Wrapper):
    """A readable file resampled on the fly, with constant memory: what
    :meth:`ReadableAudioFile.resampled_to` returns.

    Reading in chunks gives exactly (bit for bit) what one read of the whole file gives, and
    what a :class:`StreamResampler` of the same quality makes of the whole file.  Positions
    (:meth:`tell`, :meth:`seek`, :attr:`frames`) count frames at the new rate; reading starts at
    the start of the file.

    >>> with miniaudio.AudioFile("samples/tone_s16.wav").resampled_to(16000) as f:
    ...     audio = f.read(f.frames)
    >>> f.samplerate, audio.shape
    (16000, (2, 16000))

    ``seek()`` stays sample-exact by resampling from where the file is (forward) or from its
    start (backward): its cost grows with the distance.  ``read_raw()`` is not offered.

    Args:
        audio_file: The file to read (a :class:`ReadableAudioFile` or another reader).
        target_sample_rate: The rate to read at, whole Hz (1 to 384000).
        resampling_quality: A :class:`Resample.Quality <miniaudio.Resample.Quality>` or its name.
    """

    def __init__(self, audio_file: Any, target_sample_rate: float,
                 resampling_quality: Union[Any, str] = _Quality.WindowedSinc32) -> None:
        rate = _whole_rate(target_sample_rate, "target_sample_rate")
        quality = _quality(resampling_quality, "resampling_quality")
        super().__init__(audio_file)
        self._rate = rate
        self._quality = quality
        self._conv = Converter(SampleFormat.FLOAT32, audio_file.num_channels, audio_file.samplerate,
                               SampleFormat.FLOAT32, audio_file.num_channels, rate,
                               resampler_order=quality.resampler_order)
        self._restart()

    def _restart(self) -> None:
        self._conv.reset()
        self._pending: Any = None  # output made but not read yet, (frames, channels)
        self._pos = 0  # output frames read
        self._src_pos = 0  # input frames fed
        self._src_ended = False

    def _read_fc(self, num_frames: int) -> Any:
        numpy = _numpy()
        parts = []
        have = 0
        if self._pending is not None:
            parts.append(self._pending[:num_frames])
            have = parts[0].shape[0]
            self._pending = self._pending[num_frames:] if self._pending.shape[0] > num_frames else None
        while have < num_frames and not self._src_ended:
            want = min(max(self._conv.required_input_frames(num_frames - have), 1024), _CHUNK)
            chunk = _pull(self._src, want, self._src_pos)
            self._src_pos += chunk.shape[0]
            made = self._conv.process(chunk)
            if chunk.shape[0] < want:  # the end of the input
                self._src_ended = True
                rest = self._conv.flush()
                if getattr(rest, "shape", (0,))[0]:
                    made = numpy.concatenate([made, rest])
            take = min(made.shape[0], num_frames - have)
            parts.append(made[:take])
            have += take
            if take < made.shape[0]:
                self._pending = made[take:]
        self._pos += have
        if not parts:
            return numpy.empty((0, self.num_channels), numpy.float32)
        return parts[0] if len(parts) == 1 else numpy.concatenate(parts)

    def _seek_busy(self, position: int) -> None:
        if position < self._pos:
            self._restart()
        while self._pos < position:
            got = self._read_fc(min(position - self._pos, _CHUNK)).shape[0]
            if got == 0:
                break

    def _tell(self) -> int:
        return self._pos

    def _frames_busy(self) -> int:
        frames = _source_frames(self._src)
        source_rate = self._src.samplerate
        self._frames_seen = (frames * self._rate + source_rate - 1) // source_rate
        return self._frames_seen

    def _last_frames(self) -> int:
        return getattr(self, "_frames_seen", 0) if self.closed else self.frames

    @property
    def samplerate(self) -> int:
        """The rate this file reads at (the target rate), in Hz."""
        return self._rate

    @property
    def num_channels(self) -> int:
        """The channel count."""
        return self._src.num_channels

    @property
    def resampling_quality(self) -> Any:
        """The :class:`Resample.Quality <miniaudio.Resample.Quality>` in use."""
        return self._quality


class ChannelConvertedReadableAudioFile(_Wrapper):
    """A readable file with another channel count: what :meth:`ReadableAudioFile.mono`,
    :meth:`~ReadableAudioFile.stereo` and :meth:`~ReadableAudioFile.with_channels` return.

    Channels are mixed by miniaudio's channel converter (rectangular mixing): to mono, the mean
    of the channels; from mono, the same samples in every channel; other counts by miniaudio's
    standard channel maps.  Positions are the file's; reading moves the file it reads too.

    >>> with miniaudio.AudioFile("samples/tone_s16.wav").mono() as f:
    ...     audio = f.read(100)
    >>> audio.shape
    (1, 100)

    Args:
        audio_file: The file to read.
        num_channels: The channel count to read as (1 to 254).
    """

    def __init__(self, audio_file: Any, num_channels: int) -> None:
        count = _channels(num_channels)
        super().__init__(audio_file)
        self._channels = count
        self._conv = Converter(SampleFormat.FLOAT32, audio_file.num_channels, audio_file.samplerate,
                               SampleFormat.FLOAT32, count, audio_file.samplerate)

    def _read_fc(self, num_frames: int) -> Any:
        return self._conv.process(_pull(self._src, num_frames, self._src._tell()))

    def _seek_busy(self, position: int) -> None:
        self._src.seek(position)

    def _tell(self) -> int:
        return self._src.tell()

    def _frames_busy(self) -> int:
        self._frames_seen = _source_frames(self._src)
        return self._frames_seen

    def _last_frames(self) -> int:
        return getattr(self, "_frames_seen", 0) if self.closed else self.frames

    @property
    def samplerate(self) -> int:
        """The sample rate of the file it reads, in Hz."""
        return self._src.samplerate

    @property
    def num_channels(self) -> int:
        """The channel count this file reads as."""
        return self._channels
