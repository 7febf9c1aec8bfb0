"""A resampled stream opened with seek_frame= past where its input ends starts at that end from
every input: bytes, paths, file objects and pipes agree, and a FLAC whose announced frames do not
decode raises decode()'s DecodeError on the first read from every input.

Found by the long fuzz run (target seek): a 148-byte FLAC (STREAMINFO announcing frames, no frame
that decodes) streamed resampled with seek_frame=1.  From a pipe the first read raised DecodeError
("... frames announced, none decodable"), as decode() does; from bytes, a path or a file object
the stream opened at position 1 and read empty.  The pipe skips forward by reading input and stops
where it ends (here at 0: the stream is fresh and the first read says why it is empty); the
seekable inputs seek the backend to the resampler's grid point and decode and drop the frames up to
the target (ma_impl.c, pyma_decoder_seek), but where those frames were missing the landing point
was dropped and the stream opened at the target, a position where no frame exists.  A truncated
WAV did the same: seek_frame past the real end opened at seek_frame (length unknown) from bytes and
at the end from a pipe (still so where the resampler's grid point before the target is itself past
the end: not covered).  Now pyma_decoder_seek reports the output frame it reached (also when the
input ends before the grid point) and pyma_stream_open_at (stream_seek.c) starts the stream there,
as it already did without resampling.
"""

import array
import io
import re
import struct

import pytest

import miniaudio

FF = miniaudio.FileFormat
SF = miniaudio.SampleFormat


from helpers import Pipe  # noqa: E402  (a read()-only source)


def flac_no_frames(rate, total):
    """A mono 16-bit FLAC whose STREAMINFO announces `total` frames, followed by zeros (no frame)."""
    packed = (rate << 44) | (0 << 41) | (15 << 36) | total
    streaminfo = struct.pack(">HH", 4096, 4096) + b"\0" * 6 + packed.to_bytes(8, "big") + b"\0" * 16
    return b"fLaC" + bytes([0x80, 0, 0, len(streaminfo)]) + streaminfo + b"\0" * 100


def wav_truncated(rate, announced, present):
    """A mono 16-bit WAV whose data chunk announces `announced` frames and holds `present`."""
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    pcm = array.array("h", [(i * 37) % 2000 - 1000 for i in range(present)])
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        pcm.byteswap()
    return (b"RIFF" + struct.pack("<I", 36 + announced * 2) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", announced * 2) + pcm.tobytes())


def open_stream(kind, data, tmp_path, rate, seek_frame):
    args = (SF.SIGNED16, 1, rate, 4096, miniaudio.DitherMode.NONE, seek_frame)
    if kind == "memory":
        return miniaudio.stream_memory(data, *args)
    if kind == "path":
        path = tmp_path / "input.bin"
        path.write_bytes(data)
        return miniaudio.stream_file(str(path), *args)
    source = io.BytesIO(data) if kind == "bytesio" else Pipe(data)
    return miniaudio.stream_any(source, FF.UNKNOWN, *args)


KINDS = ["memory", "path", "bytesio", "pipe"]


# Output rates and targets whose resampler grid point is input frame 0 (44100 -> 48000 repeats
# every 160 output frames, -> 8000 every 80): the seekable inputs' seek there succeeds.
@pytest.mark.parametrize("rate,seek_frame", [(48000, 1), (48000, 159), (8000, 1), (8000, 79)])
def test_flac_without_frames_raises_decode_error_after_seek_frame(rate, seek_frame, tmp_path):
    data = flac_no_frames(44100, 1_000_000)
    with pytest.raises(miniaudio.DecodeError) as expected:
        miniaudio.decode(data, SF.SIGNED16, 1, rate)
    announced = re.search(r"\(\d+ frames announced, none decodable\)", str(expected.value)).group(0)

    for kind in KINDS:
        stream = open_stream(kind, data, tmp_path, rate, seek_frame)
        assert stream.position == 0, kind  # nothing decodes: the stream is at its end, at 0
        with pytest.raises(miniaudio.DecodeError) as got:
            stream.send(192)
        assert announced in str(got.value), kind  # the same count as decode()'s
        with pytest.raises(StopIteration):  # then it is finished, as after decode()'s error
            stream.send(192)
        assert stream.position == 0, kind


def test_flac_without_frames_fuzz_rates():
    """The fuzz input's own rates: a FLAC claiming 729248 Hz streamed at 44100 Hz, seek_frame=1."""
    data = flac_no_frames(729248, 1_000_000)
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(data, SF.SIGNED16, 1, 44100)
    for source in (data, Pipe(data)):
        if isinstance(source, Pipe):
            stream = miniaudio.stream_any(source, FF.UNKNOWN, SF.SIGNED16, 1, 44100, 4096,
                                          miniaudio.DitherMode.NONE, 1)
        else:
            stream = miniaudio.stream_memory(source, SF.SIGNED16, 1, 44100, 4096, miniaudio.DitherMode.NONE, 1)
        assert stream.position == 0
        with pytest.raises(miniaudio.DecodeError, match="none decodable"):
            stream.send(192)


# Targets past the end whose resampler grid point (44100 -> 48000: every 160 output frames, 147
# input frames; -> 8000: every 80 and 441) is inside the 1000 input frames: the frames from the
# grid point to the end decode, so where the input ends is known.  (A target whose grid point is
# past the end is not covered: there the seekable inputs cannot tell where the input ended, see
# pyma_decoder_seek.)
@pytest.mark.parametrize("rate,seek_frame", [(48000, 1100), (48000, 1119), (8000, 200), (8000, 239)])
def test_truncated_wav_seek_frame_past_end_opens_at_end_everywhere(rate, seek_frame, tmp_path):
    # 1000 frames at 44100 Hz present of 10000 announced: about 1088 / 181 frames resampled
    data = wav_truncated(44100, 10000, 1000)
    decoded = miniaudio.decode(data, SF.SIGNED16, 1, rate).num_frames
    positions = {}
    for kind in KINDS:
        stream = open_stream(kind, data, tmp_path, rate, seek_frame)
        positions[kind] = stream.position
        with pytest.raises(StopIteration):  # at its end: empty, no error (the WAV's frames decode)
            stream.send(192)
        assert stream.position == positions[kind]
        # the end is known now: the length says it, and a seek past it is refused
        assert stream.length == positions[kind], kind
        with pytest.raises(ValueError):
            stream.seek(positions[kind] + 10)
    # one position from every input: the end, decode()'s count or (where the input ended before the
    # resampler's grid point, so its last output frame was not made) one less
    assert len(set(positions.values())) == 1, positions
    assert decoded - 1 <= positions["memory"] <= decoded, (positions, decoded)
