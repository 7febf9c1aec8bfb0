"""The two findings the third long fuzz run left open (patches 0044, 0045 and stream.c's seek_frame).

1. A WAV whose header announces more data than the input holds, opened with seek_frame= (or
   seek()ed) over a source of unknown size: dr_wav's seek moved with relative seeks, which succeed
   past the end, and set its cursor to the target, so the stream stood at frames that reading from
   the start never delivers (fuzz: seek_frame=1000 landed at 21 over a pipe, reading gave 0).
2. An Ogg Vorbis whose first audio page starts with the rest of a packet that never began: bytes
   and paths (stb_vorbis's pulling API) gave 0 frames, a file object (pushdata API) all of them
   (fuzz: 89,088 bytes of float output against 0).

Inputs are built here from samples/ and code; each test failed before the fix.
"""

import io
import os
import struct
import sys

import pytest

import miniaudio

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "corpus"))
import make_hostile as mh  # noqa: E402  (Ogg page helpers)

SF = miniaudio.SampleFormat
FF = miniaudio.FileFormat


from helpers import Pipe  # noqa: E402  (a read()-only source)


class SeekNoTell(miniaudio.StreamableSource):
    """Seeks (past the end too, as files do) but has no tell(): its size is unknown."""

    def __init__(self, data):
        self._b = io.BytesIO(data)

    def read(self, num_bytes):
        return self._b.read(num_bytes)

    def seek(self, offset, origin):
        self._b.seek(offset, origin.value)
        return True


def wav(frames, channels=2, rate=8000, bits=16, announced=None, extra=b"", block_align=None):
    """A PCM WAV of `frames` ramp frames whose data chunk size says `announced` frames' worth."""
    width = bits // 8
    align = block_align or channels * width
    data = b"".join(struct.pack("<h", (i * 37 + c * 1000) % 30000 - 15000) for i in range(frames)
                    for c in range(channels)) if bits == 16 else bytes(frames * align)
    data += extra
    size = (announced if announced is not None else frames) * align
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, bits)
    return (b"RIFF" + struct.pack("<I", min(36 + size, 0xFFFFFFFF)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt +
            b"data" + struct.pack("<I", size) + data)


def frames_of(stream, fb):
    return b"".join(bytes(c) for c in stream), fb


OPENERS = {
    "pipe": lambda d, **kw: miniaudio.stream_any(Pipe(d), FF.UNKNOWN, **kw),
    "seek-no-tell": lambda d, **kw: miniaudio.stream_any(SeekNoTell(d), FF.UNKNOWN, **kw),
    "bytesio": lambda d, **kw: miniaudio.stream_any(io.BytesIO(d), FF.UNKNOWN, **kw),
    "memory": lambda d, **kw: miniaudio.stream_memory(d, **kw),
}

# (frames really present, frames announced, bytes of a partial frame after them)
TRUNCATED = [(300, 1000, 0), (300, 1000, 3), (0, 21, 1), (1, 5000, 2), (999, 1000, 0)]


@pytest.mark.parametrize("kind", sorted(OPENERS))
@pytest.mark.parametrize("present,announced,partial", TRUNCATED)
@pytest.mark.parametrize("seek_frame", [1, 150, 300, 301, 999, 1000, 10 ** 6])
def test_wav_seek_frame_lands_where_reading_from_the_start_ends(kind, present, announced, partial, seek_frame):
    data = wav(present, announced=announced, extra=b"\x11" * partial)
    kw = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=8000, frames_to_read=64, chunk_type="bytes")
    whole = b"".join(bytes(c) for c in OPENERS[kind](data, **kw))
    assert len(whole) == present * 4  # what reading from the start delivers
    stream = OPENERS[kind](data, seek_frame=seek_frame, **kw)
    start = min(seek_frame, present)
    assert stream.position == start
    rest = b"".join(bytes(c) for c in stream)
    assert rest == whole[start * 4:]
    assert stream.position == present


@pytest.mark.parametrize("kind", ["seek-no-tell", "bytesio", "memory"])
@pytest.mark.parametrize("present,announced,partial", TRUNCATED)
def test_wav_seek_never_stands_on_frames_that_reads_do_not_deliver(kind, present, announced, partial):
    data = wav(present, announced=announced, extra=b"\x11" * partial)
    kw = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=8000, frames_to_read=64, chunk_type="bytes")
    whole = b"".join(bytes(c) for c in OPENERS[kind](data, **kw))
    for target in (present // 2, present, present + 1, (present + announced) // 2, announced):
        stream = OPENERS[kind](data, **kw)  # (a stream read to its end knows its length)
        if stream.length is not None and target > stream.length:
            with pytest.raises(ValueError):
                stream.seek(target)
            continue
        if target <= present:
            assert stream.seek(target) == target
            assert stream.position == target
            got = b"".join(bytes(c) for c in stream)
            assert got == whole[target * 4:]
        else:
            # frames the header promised but the input does not hold: the seek says where the
            # decoder stopped, the end of what reads deliver, and stands there
            with pytest.raises(miniaudio.DecodeError, match=f"stopped at frame {present}"):
                stream.seek(target)
            assert stream.position == present
            assert b"".join(bytes(c) for c in stream) == b""


def test_wav_far_seek_over_a_source_without_size_is_cheap_and_exact():
    """A header promising 2**31 frames over 2,000 real ones: the end is found by halving."""
    data = wav(2000, channels=1, announced=(1 << 31) - 1)
    calls = []

    class Counting(SeekNoTell):
        def read(self, num_bytes):
            calls.append(num_bytes)
            return super().read(num_bytes)

    kw = dict(output_format=SF.SIGNED16, nchannels=1, sample_rate=8000, chunk_type="bytes")
    stream = miniaudio.stream_any(Counting(data), FF.UNKNOWN, seek_frame=(1 << 31) - 3, **kw)
    assert stream.position == 2000
    assert len(calls) < 200
    assert b"".join(bytes(c) for c in stream) == b""
    assert stream.seek(1999) == 1999
    assert bytes(next(stream)) == data[44 + 3998:44 + 4000]


# ---- Ogg Vorbis: a page that starts with the rest of a packet that never began ----------------------


def ogg_pages():
    with open(os.path.join(HERE, "..", "samples", "tone.ogg"), "rb") as f:
        return mh.parse_pages(f.read())


def orphan_variant(orphan=b"", cut=None, keep_crc=False):
    """tone.ogg (three pages: id, comment + setup, audio) whose audio page claims to continue a
    packet (flag 1) although the setup packet ended the page before; `orphan` is put in front of
    its packets as that packet's rest; `cut` truncates the file."""
    pages = [dict(p) for p in ogg_pages()]
    audio = pages[2]
    audio["htype"] |= 1
    if orphan:
        audio["lace"] = mh.lacing(len(orphan)) + audio["lace"]
        audio["body"] = orphan + audio["body"]
    data = mh.join_pages(pages, keep_crc=keep_crc)
    return data[:cut] if cut else data


def decode_everywhere(data, tmp_path, fmt=SF.FLOAT32):
    path = str(tmp_path / "in.ogg")
    with open(path, "wb") as f:
        f.write(data)
    kw = dict(output_format=fmt, nchannels=2, sample_rate=44100)
    out = {}
    for name, make in {
        "decode": lambda: miniaudio.decode(data, fmt, 2, 44100).samples.tobytes(),
        "decode_file": lambda: miniaudio.decode_file(path, fmt, 2, 44100).samples.tobytes(),
        "stream_memory": lambda: b"".join(bytes(c) for c in miniaudio.stream_memory(data, chunk_type="bytes", **kw)),
        "stream_file": lambda: b"".join(bytes(c) for c in miniaudio.stream_file(path, chunk_type="bytes", **kw)),
        "stream_any(file)": lambda: b"".join(bytes(c) for c in miniaudio.stream_any(
            open(path, "rb"), FF.UNKNOWN, chunk_type="bytes", **kw)),
        "stream_any(pipe)": lambda: b"".join(bytes(c) for c in miniaudio.stream_any(
            Pipe(data), FF.UNKNOWN, chunk_type="bytes", **kw)),
    }.items():
        try:
            out[name] = make()
        except miniaudio.DecodeError as e:
            out[name] = type(e).__name__
    return out


@pytest.mark.parametrize("orphan", [b"", b"\x55" * 40, b"\xaa" * 300, b"\x00" * 255])
@pytest.mark.parametrize("cut", [None, 5948, 4500])
def test_vorbis_orphan_continuation_decodes_alike_from_every_input(orphan, cut, tmp_path):
    data = orphan_variant(orphan, cut=(cut + len(orphan) + 2) if cut else None)
    out = decode_everywhere(data, tmp_path)
    assert isinstance(out["decode"], bytes)
    assert len(out["decode"]) > 0  # bytes gave 0 frames before the fix
    for name, got in out.items():
        assert got == out["decode"], name


def test_vorbis_orphan_continuation_gives_the_audio_ffmpeg_gives(tmp_path):
    """A CRC-valid file: FFmpeg (libogg's rule) drops the orphan and decodes the page: so do we,
    to within the first packet's priming, with the same tone."""
    data = orphan_variant(b"\x55" * 40)
    original = miniaudio.decode(mh_tone(), SF.FLOAT32, 2, 44100)
    got = miniaudio.decode(data, SF.FLOAT32, 2, 44100)
    assert got.num_frames == original.num_frames == 44100
    # the orphan only replaced nothing: every sample after the first packet's window agrees
    a, b = original.samples, got.samples
    assert max(abs(a[i] - b[i]) for i in range(4096, len(a), 7)) < 1e-6


def mh_tone():
    with open(os.path.join(HERE, "..", "samples", "tone.ogg"), "rb") as f:
        return f.read()


def test_vorbis_orphan_continuation_seek_and_length_agree(tmp_path):
    data = orphan_variant(b"\x55" * 40)
    path = str(tmp_path / "in.ogg")
    with open(path, "wb") as f:
        f.write(data)
    ref = miniaudio.decode(data, SF.SIGNED16, 2, 44100).samples.tobytes()
    kw = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100, chunk_type="bytes")
    for make in (lambda: miniaudio.stream_memory(data, **kw), lambda: miniaudio.stream_file(path, **kw),
                 lambda: miniaudio.stream_any(io.BytesIO(data), FF.UNKNOWN, **kw)):
        s = make()
        assert b"".join(bytes(c) for c in s) == ref
        assert s.seek(0) == 0
        assert len(b"".join(bytes(c) for c in s)) == len(ref)
        s = make()
        assert s.seek(20000) == 20000
        assert len(b"".join(bytes(c) for c in s)) == len(ref) - 20000 * 4
