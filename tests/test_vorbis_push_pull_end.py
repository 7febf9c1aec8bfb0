"""A resampled stream gives the same frames after a seek from memory, a path, a file object and a
pipe, and as many as a straight read has after the target.

Found by the long fuzz run (target seek): tests/corpus/regressions/fuzz-seek-vorbis-resampled-seek-grid.bin
is the fuzz input as found (64 control bytes, then the file): a 22050 Hz mono Ogg Vorbis streamed
as 44100 Hz SIGNED16 with seek_frame=1000.  The pipe gave 41,752 frames (decode()'s 42,752 minus
1000), bytes, paths and file objects 41,750.  It was not about Ogg's end (push mode vs pull mode
agree on every ending tried below): miniaudio's ma_decoder_seek_to_pcm_frame turns output frame F
into the input frame ma_calculate_frame_count_after_resampling(F), a frame count that adds one
when the rates divide evenly (output frame 1000 -> input frame 501, not 500), and restarts the
resampler there, so every seekable input started 2 output frames late and ended 2 short; a pipe,
which cannot seek, decoded and discarded through the resampler instead.  WAV and FLAC did the
same.  Now (ma_impl.c, stream_seek.c) every input puts the decoder at the last point at or before
F where the resampler's step pattern repeats (seeking there, or over a pipe reading and discarding
input frames), restarts the resampler there and drops the few output frames up to F.
"""

import io
import os
import struct
import sys

import pytest

import miniaudio

FF = miniaudio.FileFormat
SF = miniaudio.SampleFormat
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
FUZZ_FILE = os.path.join(HERE, "corpus", "regressions", "fuzz-seek-vorbis-resampled-seek-grid.bin")


class Pipe:
    """A read()-only source: stream_any cannot seek it."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def read(self, n=-1):
        return self._f.read(n)


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


def fuzz_payload():
    with open(FUZZ_FILE, "rb") as f:
        return f.read()[64:]


def read_all(stream, first=None):
    out = b"" if first is None else first
    for chunk in stream:
        out += bytes(chunk)
    return out


def four_inputs(data, path, fmt, nch, rate, seek_frame=0, seek=None, read_first=0, frames_to_read=4096):
    """{input: bytes of every frame it gives} for memory, path, file object and pipe: opened with
    seek_frame, then (optionally) `read_first` frames read and seek(seek), then read to the end."""
    args = (fmt, nch, rate, frames_to_read, miniaudio.DitherMode.NONE, seek_frame)
    makers = {
        "memory": lambda: miniaudio.stream_memory(data, *args, chunk_type="bytes"),
        "path": lambda: miniaudio.stream_file(path, *args, chunk_type="bytes"),
        "file object": lambda: miniaudio.stream_any(io.BytesIO(data), FF.UNKNOWN, *args, chunk_type="bytes"),
        "pipe": lambda: miniaudio.stream_any(Pipe(data), FF.UNKNOWN, *args, chunk_type="bytes"),
    }
    out = {}
    for kind, make in makers.items():
        stream = make()
        head = b""
        if read_first:
            head = bytes(stream.send(read_first))
        if seek is not None:
            assert stream.seek(seek) == seek
            head = b""
        out[kind] = (read_all(stream, head), stream.position)
    return out


def assert_agree(results, expect_frames, frame_bytes):
    sizes = {kind: len(data) // frame_bytes for kind, (data, _) in results.items()}
    assert set(sizes.values()) == {expect_frames}, sizes
    first = results["memory"][0]
    for kind, (data, _) in results.items():
        assert data == first, f"{kind} gives other samples than memory"


# ---- the fuzz finding ------------------------------------------------------------------------


def test_fuzz_input_seek_frame_then_read_agrees(tmp_path):
    data = fuzz_payload()
    path = tmp_path / "in.ogg"
    path.write_bytes(data)
    straight = miniaudio.decode(data, SF.SIGNED16, 1, 44100)
    # (42752 before patches 0081 and 0082: this damaged file has blocks whose window flags name
    # another size, now lapped by their sizes and counted as damage; what matters is below)
    assert straight.num_frames == 43008
    results = four_inputs(data, str(path), SF.SIGNED16, 1, 44100, seek_frame=1000, frames_to_read=65536)
    assert_agree(results, straight.num_frames - 1000, 2)
    for _, position in results.values():
        assert position == straight.num_frames


def test_fuzz_input_replays_through_the_seek_target():
    sys.path.insert(0, os.path.join(HERE, "fuzz"))
    try:
        import stateful
    finally:
        sys.path.pop(0)
    with open(FUZZ_FILE, "rb") as f:
        stateful.target_seek(f.read())


# ---- the class: every format, rate pair, target, and seek() as well as seek_frame ------------


def wav_bytes(rate, nch, frames):
    pcm = struct.pack(f"<{frames * nch}h", *(((i * 37 + c * 1000) % 20000) - 10000
                                              for i in range(frames) for c in range(nch)))
    fmt = struct.pack("<HHIIHH", 1, nch, rate, rate * nch * 2, nch * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


INPUTS = {
    "mono.ogg": lambda: sample("mono.ogg"),
    "tone.ogg": lambda: sample("tone.ogg"),
    "mono.flac": lambda: sample("mono.flac"),
    "fuzz.ogg": fuzz_payload,
    "wav-11025-stereo": lambda: wav_bytes(11025, 2, 9000),
}


@pytest.mark.parametrize("name", sorted(INPUTS))
@pytest.mark.parametrize("rate", [8000, 44100, 48000, 96000])
@pytest.mark.parametrize("target", [1, 2, 3, 159, 160, 161, 1000, 4095])
def test_seek_frame_in_a_resampled_stream_same_from_every_input(tmp_path, name, rate, target):
    data = INPUTS[name]()
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    nch = 2 if name in ("tone.ogg", "wav-11025-stereo") else 1
    straight = miniaudio.decode(data, SF.SIGNED16, nch, rate).num_frames
    results = four_inputs(data, str(path), SF.SIGNED16, nch, rate, seek_frame=target)
    assert_agree(results, max(0, straight - target), 2 * nch)


@pytest.mark.parametrize("name", ["mono.ogg", "mono.flac", "wav-11025-stereo"])
@pytest.mark.parametrize("fmt", [SF.FLOAT32, SF.SIGNED16])
@pytest.mark.parametrize("rate,read_first,target", [(44100, 0, 1000), (44100, 500, 1001), (48000, 700, 2000),
                                                    (8000, 100, 999), (48000, 0, 1)])
def test_seek_in_a_resampled_stream_same_from_every_input(tmp_path, name, fmt, rate, read_first, target):
    """seek() forward (a pipe moves forward by reading) gives the same frames from every input,
    and a read to the end gives the straight read's count minus the target."""
    data = INPUTS[name]()
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    nch = 2 if name == "wav-11025-stereo" else 1
    straight = miniaudio.decode(data, fmt, nch, rate).num_frames
    results = four_inputs(data, str(path), fmt, nch, rate, seek=target, read_first=read_first)
    width = 4 if fmt == SF.FLOAT32 else 2
    assert_agree(results, straight - target, width * nch)
    for kind, (_, position) in results.items():
        assert position == straight, kind


# ---- Ogg Vorbis endings: push mode (file object, pipe) and pull mode (memory, path) agree ----


def ogg_crc(data):
    """The Ogg page CRC (tests/corpus/make_hostile.py's)."""
    sys.path.insert(0, os.path.join(HERE, "corpus"))
    try:
        import make_hostile
    finally:
        sys.path.pop(0)
    return make_hostile.ogg_crc(data)


def last_page(data):
    """(start, end) of the last whole page."""
    pages, i = [], 0
    while i + 27 <= len(data) and data[i:i + 4] == b"OggS":
        nseg = data[i + 26]
        end = i + 27 + nseg + sum(data[i + 27:i + 27 + nseg])
        if end > len(data):
            break
        pages.append((i, end))
        i = end
    return pages[-1]


def rewrite(page, flags=None, granule=None, lacing_tail=None, extra=b""):
    p = bytearray(page)
    if flags is not None:
        p[5] = flags
    if granule is not None:
        struct.pack_into("<q", p, 6, granule)
    if lacing_tail is not None:
        p[27 + p[26] - 1] = lacing_tail
    p += extra
    struct.pack_into("<I", p, 22, 0)
    struct.pack_into("<I", p, 22, ogg_crc(bytes(p)))
    return bytes(p)


def endings(data):
    """Ogg Vorbis files that end differently: the last page's granule trimming more or less (or
    -1, or past the decoded end), no end-of-stream flag, the last packet cut or running on into a
    page that never comes, bytes after the last page."""
    start, end = last_page(data)
    head, page = data[:start], data[start:end]
    granule = struct.unpack_from("<q", page, 6)[0]
    flags = page[5]
    yield "as is", data
    yield "1 byte after", data + b"\0"
    yield "OggS after", data + b"OggS"
    for trim in (1, 2, 100, 255, 256, 1000, 5000):
        yield f"granule -{trim}", head + rewrite(page, granule=granule - trim)
    yield "granule +500", head + rewrite(page, granule=granule + 500)
    yield "granule -1", head + rewrite(page, granule=-1)
    yield "no EOS", head + rewrite(page, flags=flags & ~4)
    yield "no EOS, granule -300", head + rewrite(page, flags=flags & ~4, granule=granule - 300)
    for cut in (1, 2, 10, 50, 100, 300):
        yield f"cut {cut}", data[:end - cut]
    last_seg = page[27 + page[26] - 1]
    if last_seg != 255:
        yield "last packet runs on", head + rewrite(page, lacing_tail=255, extra=b"\0" * (255 - last_seg))


ENDING_CASES = [(src, name) for src in ("mono.ogg", "tone.ogg", "fuzz.ogg")
                for name, _ in endings(INPUTS[src]())]


@pytest.mark.parametrize("src,ending", ENDING_CASES)
def test_vorbis_endings_same_frames_from_every_input(tmp_path, src, ending):
    data = dict(endings(INPUTS[src]()))[ending]
    path = tmp_path / "in.ogg"
    path.write_bytes(data)
    nch = 2 if src == "tone.ogg" else 1
    native = miniaudio.decode(data, SF.SIGNED16, nch)
    for rate, seek_frame in ((native.sample_rate, 0), (native.sample_rate, 1000),
                             (48000, 0), (48000, 1000), (44100, 1000), (8000, 333)):
        straight = miniaudio.decode(data, SF.SIGNED16, nch, rate)
        assert miniaudio.decode_file(str(path), SF.SIGNED16, nch, rate).samples == straight.samples
        results = four_inputs(data, str(path), SF.SIGNED16, nch, rate, seek_frame=seek_frame)
        assert_agree(results, max(0, straight.num_frames - seek_frame), 2 * nch)
        if seek_frame == 0:
            assert results["memory"][0] == straight.samples.tobytes()


def low_rate_wav(rate=45, frames=93, nch=2):
    """An 8-bit PCM WAV at a rate far below the output's, its samples a rising and falling saw, so
    that a resampler's warm-up shows."""
    pcm = bytes((i * 37 + c * 90) % 256 for i in range(frames) for c in range(nch))
    fmt = struct.pack("<HHIIHH", 1, nch, rate, rate * nch, nch, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("rate,seek_frame,read_first,target", [
    (45, 1000, 768, 1770), (45, 0, 1700, 1770), (45, 0, 1599, 1601), (45, 1600, 100, 3300), (11025, 0, 1000, 1003)])
def test_a_short_forward_seek_past_its_grid_point_same_from_every_input(tmp_path, rate, seek_frame, read_first,
                                                                          target):
    """A resampled seek restarts the resampler at the grid point at or before the target (the
    frames after it are then the same from every input); where the input has already been read
    past that point, a pipe cannot restart there and decodes on.  Bytes, a path and a file object
    restarted all the same, and gave the resampler's warm-up where the pipe gave decode()'s
    samples (a 45 Hz WAV streamed at 8000 Hz, seek_frame=1000, 768 frames read, seek(1770): found by
    the seek fuzz target).  Now every input decodes on there."""
    data = low_rate_wav(rate, frames=93 if rate == 45 else 3000)
    path = tmp_path / "low.wav"
    path.write_bytes(data)
    out_rate = 8000 if rate == 45 else 44100
    straight = miniaudio.decode(data, SF.SIGNED16, 2, out_rate)
    results = four_inputs(data, str(path), SF.SIGNED16, 2, out_rate, seek_frame=seek_frame, seek=target,
                          read_first=read_first, frames_to_read=192)
    assert_agree(results, straight.num_frames - target, 4)


def test_the_fuzz_input_of_a_short_forward_seek():
    with open(os.path.join(HERE, "corpus", "regressions", "fuzz-seek-wav-resampled-forward-seek-past-its-grid-point.bin"),
              "rb") as f:
        data = f.read()
    sys.path.insert(0, os.path.join(HERE, "fuzz"))
    try:
        import stateful
    finally:
        sys.path.pop(0)
    stateful.target_seek(data)
