"""A header's length against the frames a stream delivers.

1. A header that understates the stream (FLAC STREAMINFO total, MP3 Xing/Info frame count, Ogg
   Vorbis last granule position): the reads deliver every frame, so every delivered frame must be
   reachable by seek() and seek_frame=, with the samples the reads gave there, from memory, a
   path and a file object; a seek past the real end raises DecodeError and moves nothing.
   WAV-family files (AIFF COMM, RF64 ds64 counts below the data) stop their reads at the count:
   the checks hold there too, with the count as the end.
2. A header that announces frames of which none decodes: decode(), decode_file() and every
   stream function raise the same DecodeError, instead of a stream ending silently empty.

Every input is built here from the samples or written frame by frame.
"""

import array
import io
import os
import sys
import random
import struct

import pytest

import miniaudio
from miniaudio import FileFormat as FF
from miniaudio import SampleFormat as SF

import test_flac_robustness as flacw

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


# ---- inputs whose header understates the frames -------------------------------------------------

def flac_with_total(data, total):
    """A FLAC stream with its STREAMINFO total sample count replaced."""
    data = bytearray(data)
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0
    word = int.from_bytes(data[18:26], "big")
    data[18:26] = ((word & ~((1 << 36) - 1)) | total).to_bytes(8, "big")
    return bytes(data)


def mp3_with_xing_count(data, frames):
    """An MP3 whose Xing/Info tag's FRAMES field is replaced (the BYTES field still agrees)."""
    data = bytearray(data)
    pos = data.find(b"Info")
    assert 0 <= pos < 2000
    flags = struct.unpack(">I", data[pos + 4:pos + 8])[0]
    assert flags & 1
    data[pos + 8:pos + 12] = struct.pack(">I", frames)
    return bytes(data)


def ogg_crc(data):
    crc = 0
    for x in data:
        crc ^= x << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def ogg_with_last_granule(data, granule):
    """An Ogg stream whose last page's granule position is replaced (CRC recomputed)."""
    data = bytearray(data)
    pos, last = 0, None
    while pos < len(data):
        assert data[pos:pos + 4] == b"OggS"
        nseg = data[pos + 26]
        size = 27 + nseg + sum(data[pos + 27:pos + 27 + nseg])
        last, pos = (pos, size), pos + size
    start, size = last
    data[start + 6:start + 14] = struct.pack("<q", granule)
    data[start + 22:start + 26] = bytes(4)
    data[start + 22:start + 26] = struct.pack("<I", ogg_crc(bytes(data[start:start + size])))
    return bytes(data)


def ramp(frames, nch, big_endian=False):
    values = [((i * 37) % 20000) - 10000 for i in range(frames * nch)]
    return struct.pack(("<" if not big_endian else ">") + "%dh" % len(values), *values)


def aiff_with_count(frames, counted, nch=1, rate=8000):
    """AIFF with `frames` frames of 16-bit audio whose COMM chunk says `counted`."""
    def chunk(cid, body):
        return cid + struct.pack(">I", len(body)) + body + b"\0" * (len(body) % 2)
    rate80 = struct.pack(">HQ", 16383 + rate.bit_length() - 1, rate << (64 - rate.bit_length()))
    body = b"AIFF" + chunk(b"COMM", struct.pack(">hIh", nch, counted, 16) + rate80)
    body += chunk(b"SSND", bytes(8) + ramp(frames, nch, big_endian=True))
    return b"FORM" + struct.pack(">I", len(body)) + body


def rf64_with_count(frames, counted, nch=1, rate=8000):
    """RF64 with `frames` frames of 16-bit audio whose ds64 sample count says `counted`."""
    pcm = ramp(frames, nch)
    fmt = struct.pack("<HHIIHH", 1, nch, rate, rate * 2 * nch, 2 * nch, 16)
    ds64 = struct.pack("<QQQI", 4 + 36 + 8 + 24 + 8 + len(pcm), len(pcm), counted, 0)
    body = b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64
    body += b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 0xFFFFFFFF) + pcm
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body


def understating_inputs():
    """(name, data, file format, extension, frames the header states)."""
    synth, _, _ = flacw.flac_bytes("mono", [None] * 40, total=1000)
    table, _, _ = flacw.flac_bytes("mid_side", [None] * 40, total=1000, table=True)
    mono_flac = flac_with_total(sample("mono.flac"), 7001)
    tone_mp3 = mp3_with_xing_count(sample("tone.mp3"), 13)
    tone_ogg = ogg_with_last_granule(sample("tone.ogg"), 14700)
    return [
        ("flac-verbatim", synth, FF.FLAC, "flac", 1000),
        ("flac-seektable", table, FF.FLAC, "flac", 1000),
        ("flac-libflac", mono_flac, FF.FLAC, "flac", 7001),
        ("mp3-xing", tone_mp3, FF.MP3, "mp3", None),
        ("vorbis-granule", tone_ogg, FF.VORBIS, "ogg", 14700),
        ("aiff-comm", aiff_with_count(8000, 3000), FF.WAV, "aiff", 3000),
        ("rf64-ds64", rf64_with_count(8000, 3000), FF.WAV, "wav", 3000),
    ]


INPUTS = {case[0]: case for case in understating_inputs()}
HOWS = ["memory", "path", "file object"]


def native(data, ext, tmp_path):
    path = tmp_path / ("info." + ext)
    path.write_bytes(data)
    info = miniaudio.get_file_info(str(path))
    return info.nchannels, info.sample_rate


def open_stream(data, how, ff, ext, nch, rate, tmp_path, seek_frame=0):
    if how == "memory":
        return miniaudio.stream_memory(data, SF.SIGNED16, nch, rate, seek_frame=seek_frame)
    if how == "path":
        path = tmp_path / ("t." + ext)
        path.write_bytes(data)
        return miniaudio.stream_file(str(path), SF.SIGNED16, nch, rate, seek_frame=seek_frame)
    return miniaudio.stream_any(io.BytesIO(data), ff, SF.SIGNED16, nch, rate, seek_frame=seek_frame)


def assert_seek_lands(s, target, expected, nch):
    """seek(target) returns it, and the next 300 frames are the reads' there."""
    assert s.seek(target) == target
    assert s.position == target
    try:
        chunk = list(s.send(300))
    except StopIteration:
        chunk = []
    assert chunk == expected[target * nch:(target + 300) * nch], f"after seek({target})"


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("name", list(INPUTS))
def test_every_delivered_frame_can_be_sought_to(name, how, tmp_path):
    _, data, ff, ext, stated = INPUTS[name]
    nch, rate = native(data, ext, tmp_path)
    expected = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    total = len(expected) // nch
    s = open_stream(data, how, ff, ext, nch, rate, tmp_path)
    got = []
    for chunk in s:
        got += chunk
    assert got == expected
    assert s.length == total == s.position
    rnd = random.Random(name)
    header = stated if stated is not None else total // 3
    targets = [0, 1, header - 1, header, header + 1, header + 500, total // 2, total - 301, total - 1, total]
    targets += [rnd.randrange(total) for _ in range(8)]
    for target in targets + targets[::-1]:
        if not 0 <= target <= total:
            continue
        assert_seek_lands(s, target, expected, nch)


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("name", list(INPUTS))
def test_seek_frame_past_the_stated_length(name, how, tmp_path):
    _, data, ff, ext, stated = INPUTS[name]
    nch, rate = native(data, ext, tmp_path)
    expected = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    total = len(expected) // nch
    for target in (stated or total // 3) + 7, total - 3:
        if target >= total:
            continue
        s = open_stream(data, how, ff, ext, nch, rate, tmp_path, seek_frame=target)
        assert s.position == target
        assert list(s.send(3)) == expected[target * nch:(target + 3) * nch]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("name", [n for n in INPUTS if INPUTS[n][4] is None or INPUTS[n][2] != FF.WAV])
def test_seek_past_the_real_end_moves_nothing(name, how, tmp_path):
    """With length unknown (the stream ran past the header's word), a seek past the real end
    raises DecodeError, and the position and the next chunk stay as they were."""
    _, data, ff, ext, _ = INPUTS[name]
    nch, rate = native(data, ext, tmp_path)
    expected = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    total = len(expected) // nch
    s = open_stream(data, how, ff, ext, nch, rate, tmp_path)
    here = total // 2
    assert len(s.send(here)) == here * nch
    # ran past the header's length, not yet at the end (None); or, for a damaged Ogg Vorbis end
    # read from memory or a path, the frames that decode were counted at the open (the total)
    assert s.length in (None, total)
    for target in (total + 1, total + 10000):
        # past a known length seek() refuses the frame (ValueError); past an unknown one the
        # decoder finds out by trying (DecodeError); either way nothing moves
        with pytest.raises(miniaudio.DecodeError if s.length is None else ValueError):
            s.seek(target)
        assert s.position == here
        assert list(s.send(100)) == expected[here * nch:(here + 100) * nch]
        assert s.seek(here) == here


# An Ogg Vorbis whose page positions count other frames than its packets give (a hostile file:
# 5,512 or 5,513 frames a page by the positions, 5,120 or 6,144 by the packets): its last page
# position says 25,433 frames; the reads give 24,802 (26,696 before the reads gave as silence, or
# left out, the frames of a drift from the positions that the next position confirms; it was
# then an example of frames past a stated length).  Its stream's length is not known up front:
# the length check's seek finds the positions disagreeing with the packets.
DRIFTING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "hostile", "ogg_lacing_past_end.ogg")


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("name", list(INPUTS))
def test_a_frame_past_the_stated_length_can_be_sought_before_reading(name, how, tmp_path):
    """A frame past a length that understates the stream is there before the reads get to it:
    seek() on a fresh stream lands on it with the samples the reads give there (it used to be
    refused: "the stream has 25433 frames").  Past the real end seek() raises and moves nothing."""
    _, data, ff, ext, stated = INPUTS[name]
    nch, rate = native(data, ext, tmp_path)
    expected = list(miniaudio.decode(data, SF.SIGNED16, nch, rate).samples)
    total = len(expected) // nch
    header = stated if stated is not None else open_stream(data, "memory", ff, ext, nch, rate, tmp_path).length
    assert header <= total
    for target in (header + 1, header + 500, total - 301, total - 1, total, header - 1):
        if not 0 <= target <= total:
            continue
        s = open_stream(data, how, ff, ext, nch, rate, tmp_path)
        assert_seek_lands(s, target, expected, nch)
        assert sum(len(c) for c in s) // nch == max(0, total - target - 300)
        assert s.length == total == s.position
    for target in (total + 1, total + 1000, 2 ** 40):
        s = open_stream(data, how, ff, ext, nch, rate, tmp_path)
        length = s.length
        with pytest.raises((ValueError, miniaudio.DecodeError)):
            s.seek(target)
        assert (s.position, s.length) == (0, length)
        assert list(s.send(100)) == expected[:100 * nch]


@pytest.mark.parametrize("how", ["memory", "path"])
def test_a_seek_near_the_end_of_a_resampled_stream_of_unknown_length(how, tmp_path):
    """Through the resampler, in an Ogg Vorbis whose length is not known up front (its positions
    disagree with its packets, so the length check's seek fails): a seek near the end lands, the
    frames after it are the ones left, and the length is then known."""
    with open(DRIFTING, "rb") as f:
        data = f.read()
    nch, rate = native(data, "ogg", tmp_path)
    total = len(miniaudio.decode(data, SF.SIGNED16, nch, 48000).samples) // nch
    s = open_stream(data, how, FF.VORBIS, "ogg", nch, 48000, tmp_path)
    assert s.length is None
    target = total - 500
    assert s.seek(target) == target
    assert sum(len(c) for c in s) // nch == 500
    assert s.length == total == s.position



@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg", "tone_16.flac", "mono.mp3"])
@pytest.mark.parametrize("rate", [8000, 44100, 48000, 96000])
def test_a_resampled_seek_just_past_the_end_is_refused(name, rate):
    """A seek a frame or two past the end of a resampled stream whose length is a claim (Ogg
    Vorbis, FLAC, MP3) is refused and moves nothing, on a fresh stream and after reading to the
    end: seek(44101) on the 22050 Hz mono.ogg streamed at 44100 Hz (length 44100) succeeded, since
    the input's last grid point is its end, and the next read gave nothing (found by the seek fuzz
    target as a file object raising where bytes succeeded).  A seek to the end itself still
    succeeds."""
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples", name), "rb") as f:
        data = f.read()
    length = miniaudio.stream_memory(data, SF.SIGNED16, 1, rate).length
    expected = list(miniaudio.decode(data, SF.SIGNED16, 1, rate).samples)
    assert length == len(expected)
    for read_first in (False, True):
        for target in (length + 1, length + 2, length + 7):
            s = miniaudio.stream_memory(data, SF.SIGNED16, 1, rate, frames_to_read=4096)
            if read_first:
                assert sum(len(c) for c in s) == length
            with pytest.raises(ValueError, match=f"the stream has {length} frames"):
                s.seek(target)
            assert s.position == (length if read_first else 0)
        s = miniaudio.stream_memory(data, SF.SIGNED16, 1, rate)
        assert s.seek(length) == length and s.position == length
        assert s.seek(length - 100) == length - 100
        assert len(s.send(100)) == 100   # (a resampler restarts at a seek: the samples are its own)

def test_wav_counts_below_the_data_end_the_reads():
    """dr_wav reads an AIFF / RF64 only up to its count: length, decode and streams agree."""
    for name in ("aiff-comm", "rf64-ds64"):
        data = INPUTS[name][1]
        decoded = miniaudio.decode(data, SF.SIGNED16, 1, 8000).samples
        assert len(decoded) == 3000
        assert decoded.tobytes() == ramp(3000, 1)
        s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 8000)
        assert s.length == 3000 and sum(len(c) for c in s) == 3000 and s.length == 3000


def test_flac_seek_table_past_the_stated_total_is_checked(tmp_path):
    """A seek point past the STREAMINFO total whose offset leads to another frame than it names
    is not believed: the seek scans and still lands on the right samples."""
    frames = 40
    chans = flacw.signal(frames, 1)
    encoded = [flacw.frame(k, [chans[0][k * flacw.BLOCK:(k + 1) * flacw.BLOCK]], flacw.MONO) for k in range(frames)]
    offsets = [sum(len(f) for f in encoded[:k]) for k in range(frames)]
    points = [(k * flacw.BLOCK, offsets[k], flacw.BLOCK) for k in range(0, 8, 4)]
    points += [(30 * flacw.BLOCK, offsets[20], flacw.BLOCK)]   # says frame 30, is frame 20
    data = b"fLaC" + flacw.streaminfo(1, 1000, last=False) + flacw.seektable(points) + b"".join(encoded)
    expected = chans[0]
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
    assert list(sum((list(c) for c in s), [])) == expected
    for target in (30 * flacw.BLOCK + 5, 25 * flacw.BLOCK, 1200, len(expected) - 1):
        assert s.seek(target) == target
        assert list(s.send(50)) == expected[target:target + 50]


# ---- headers that announce frames of which none decodes -----------------------------------------
# (An ADPCM WAV whose block headers name indexes past their tables is not among them: its blocks
# decode as libsndfile decodes them, tests/test_adpcm_damaged_header.py.)

def mp3_with_garbage_audio():
    """tone.mp3's ID3 tag and Info frame, then bytes that hold no MP3 frame."""
    data = sample("tone.mp3")
    end = data.find(b"\xff\xfb", data.find(b"Info"))
    rnd = random.Random(7)
    return data[:end] + bytes(rnd.randrange(0xF0) for _ in range(len(data) - end))


UNDECODABLE = {
    "flac-reserved-subframes": (flacw.flac_bytes("mono", ["reserved"] * 10)[0], FF.FLAC, "flac"),
    "flac-bad-crc": (flacw.flac_bytes("independent", ["crc"] * 10)[0], FF.FLAC, "flac"),
    "mp3-no-frames": (mp3_with_garbage_audio(), FF.MP3, "mp3"),
}


@pytest.mark.parametrize("name", list(UNDECODABLE))
def test_announced_frames_none_decodable_raise_everywhere(name, tmp_path):
    data, ff, ext = UNDECODABLE[name]
    path = tmp_path / ("bad." + ext)
    path.write_bytes(data)
    attempts = {
        "decode": lambda: miniaudio.decode(data),
        "decode_file": lambda: miniaudio.decode_file(str(path)),
        "stream_memory": lambda: list(miniaudio.stream_memory(data)),
        "stream_file": lambda: list(miniaudio.stream_file(str(path))),
        "stream_any": lambda: list(miniaudio.stream_any(io.BytesIO(data), ff)),
        "stream_any pipe": lambda: list(miniaudio.stream_any(flacw_pipe(data), ff)),
    }
    for what, attempt in attempts.items():
        with pytest.raises(miniaudio.DecodeError) as info:
            attempt()
        if name != "mp3-no-frames":   # that one no decoder even opens
            assert "truncated or corrupt" in str(info.value) and "none decodable" in str(info.value), what
            if what in ("decode_file", "stream_file"):
                assert "bad." + ext in str(info.value), what


def test_a_vorbis_whose_first_audio_page_is_garbage_agrees_from_every_input(tmp_path):
    """An Ogg Vorbis whose first audio page is garbage (another serial number, a body past the end
    of the data, with the real pages inside it).  Bytes and paths used to measure a length from the
    last page position (3,456 frames) and raise "3456 frames announced, none decodable" where a
    file object ended empty (found by the seek fuzz target).  No input announces a length now, and
    every one gives the same frames: what the garbage packets decode to (2,048 quiet frames; FFmpeg
    gives none), and the stream's length is those frames once read."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "regressions",
                           "fuzz-seek-vorbis-garbage-first-audio-page-decodes-nothing.bin"), "rb") as f:
        data = f.read()[64:]   # (the seek target's control block first)
    path = tmp_path / "garbage-first-page.ogg"
    path.write_bytes(data)
    assert miniaudio.get_file_info(str(path)).num_frames == 0
    assert miniaudio.vorbis_get_info(data).num_frames == 0
    ref = miniaudio.decode(data)
    assert ref.samples == miniaudio.decode_file(str(path)).samples
    assert max(map(abs, ref.samples), default=0) < 1000   # not a full-scale noise burst
    streams = {
        "stream_memory": lambda: miniaudio.stream_memory(data, frames_to_read=100),
        "stream_file": lambda: miniaudio.stream_file(str(path), frames_to_read=100),
        "stream_any": lambda: miniaudio.stream_any(io.BytesIO(data), FF.VORBIS, frames_to_read=100),
        "stream_any pipe": lambda: miniaudio.stream_any(flacw_pipe(data), FF.VORBIS, frames_to_read=100),
    }
    for what, make in streams.items():
        s = make()
        assert s.length is None, what
        got = array.array("h")
        for chunk in s:
            got.extend(chunk)
        assert got == ref.samples, what
        assert (s.length, s.position) == (ref.num_frames, ref.num_frames), what


def flacw_pipe(data):
    """A file object that cannot seek (read() only)."""
    class Pipe(io.RawIOBase):
        def __init__(self):
            self.f = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            chunk = self.f.read(len(b))
            b[:len(chunk)] = chunk
            return len(chunk)

        def seekable(self):
            return False
    return Pipe()


def test_undecodable_stream_is_finished_after_the_error():
    data = UNDECODABLE["flac-reserved-subframes"][0]
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
    assert s.length == 1920
    with pytest.raises(miniaudio.DecodeError, match="1920 frames announced, none decodable"):
        next(s)
    with pytest.raises(StopIteration):
        next(s)
    assert s.length == 0 and s.position == 0
    assert s.seek(0) == 0   # the error is the stream's end: it can be rewound like one
    with pytest.raises(StopIteration):
        next(s)


def test_an_empty_read_after_a_seek_is_not_an_error():
    """Once the stream delivered frames, or the error was raised, an empty read ends the stream
    with StopIteration as always (seek(0) on a good stream starts it again)."""
    good, _, _ = flacw.flac_bytes("mono", [None] * 4)
    s = miniaudio.stream_memory(good, SF.SIGNED16, 1, 44100)
    assert len(list(s)) > 0
    s.seek(0)
    assert len(list(s)) > 0


@pytest.mark.parametrize("how", ["memory", "bytesio", "pipe"])
@pytest.mark.parametrize("target", [0, 5, 1919, 1920, 10**6, 2**31])
def test_a_seek_before_the_first_read_keeps_the_none_decodable_error(how, target):
    """A seek that leaves a stream at frame 0 before it delivered anything (seek(0), or one the
    decoder refused, which puts the stream back) does not hide "none decodable": the next read
    raises it as the first read would, from every input.  (Found by the seek fuzz target: a FLAC
    announcing 670108851 frames in 120 bytes, of which none decodes: bytes and paths do not
    believe the count, so seek(2**31) went to the decoder, was refused, and the read after it
    ended empty; a pipe refused the seek up front, with ValueError, and its read raised.)"""
    data = UNDECODABLE["flac-reserved-subframes"][0]
    if how == "memory":
        s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
    else:
        s = miniaudio.stream_any(io.BytesIO(data) if how == "bytesio" else flacw_pipe(data), FF.FLAC,
                                 SF.SIGNED16, 1, 44100)
    try:
        s.seek(target)
    except (ValueError, miniaudio.DecodeError):
        pass  # past the announced 1920 (ValueError), or refused by the decoder
    assert s.position == 0
    with pytest.raises(miniaudio.DecodeError, match="1920 frames announced, none decodable"):
        next(s)
    with pytest.raises(StopIteration):
        next(s)
    assert s.position == 0


def test_the_fuzz_finding_agrees_from_every_input():
    """The seek fuzz target's input itself, in this build (test_fuzz.py replays it under ASan):
    memory, path, file object and pipe give the same results op by op."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "fuzz"))
    import stateful

    with open(os.path.join(here, "corpus", "regressions",
                           "fuzz-seek-flac-refused-seek-then-none-decodable.bin"), "rb") as f:
        stateful.target_seek(f.read())


def mp3_info_frame_only():
    """tone.mp3 cut after its ID3v2 tag and its Xing/Info frame, whose count promises 40 frames:
    no audio frame follows (what a download cut early leaves)."""
    data = sample("tone.mp3")
    start = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    assert data[start:start + 2] == b"\xff\xfb" and b"Info" in data[start:start + 64]
    bitrate = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)[data[start + 2] >> 4]
    return data[:start + 144 * bitrate * 1000 // 44100 + ((data[start + 2] >> 1) & 1)]


def test_mp3_of_only_an_info_frame_is_empty_from_every_input(tmp_path):
    """An MP3's Xing/Info count is a hint a pipe cannot check against the size, so an MP3 that
    decodes nothing is empty everywhere, with no error (over a pipe the stream raised DecodeError
    "none decodable" while decode() gave 0 frames)."""
    data = mp3_info_frame_only()
    path = tmp_path / "info.mp3"
    path.write_bytes(data)
    assert miniaudio.decode(data).num_frames == 0
    assert miniaudio.decode_file(str(path)).num_frames == 0
    for how in ("memory", "path", "bytesio", "pipe"):
        if how == "memory":
            s = miniaudio.stream_memory(data)
        elif how == "path":
            s = miniaudio.stream_file(str(path))
        else:
            s = miniaudio.stream_any(io.BytesIO(data) if how == "bytesio" else flacw_pipe(data), FF.MP3)
        assert sum(len(c) for c in s) == 0, how


def test_seek_frame_past_the_end_starts_at_the_end():
    """stream_memory(seek_frame=) past the real end of a WAV: position says where the stream is
    (it said the target, past a length that stayed smaller)."""
    frames = 234
    pcm = bytes(range(256)) * 2
    data = (b"RIFF" + struct.pack("<I", 36 + 2 * frames) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 2, 44100,
                                                                                      88200, 2, 8)
            + b"data" + struct.pack("<I", 2 * frames) + pcm[:2 * frames])
    s = miniaudio.stream_memory(data, SF.UNSIGNED8, 2, 44100, seek_frame=1000)
    assert (s.length, s.position) == (frames, frames)
    assert sum(len(c) for c in s) == 0
    assert s.length == frames and s.seek(10) == 10 and list(s.send(1)) == list(pcm[20:22])


def test_wav_whose_fmt_extension_runs_past_the_end_is_alike_from_every_input(tmp_path):
    """A float WAV whose `fmt ` extension size (cbSize) runs past the end of the file: the header
    parser seeks over it.  dr_wav's memory reader refused that seek (DecodeError from bytes) while
    a path or a file object went past the end and on (38 frames): now bytes behave like files."""
    frames = [(i / 64.0, -i / 64.0) for i in range(38)]
    pcm = b"".join(struct.pack("<ff", *f) for f in frames)
    fmt = struct.pack("<HHIIHHH", 3, 2, 44100, 44100 * 8, 8, 32, 512)      # cbSize 512 of 2 bytes
    data = (b"RIFF" + struct.pack("<I", 4 + 26 + 12 + 8 + len(pcm)) + b"WAVE" + b"fmt " + struct.pack("<I", 18)
            + fmt + b"fact" + struct.pack("<II", 4, 38) + b"data" + struct.pack("<I", len(pcm)) + pcm)
    path = tmp_path / "f.wav"
    path.write_bytes(data)
    results = {}
    for name, attempt in (("decode", lambda: miniaudio.decode(data, SF.FLOAT32, 2, 44100).samples.tobytes()),
                          ("decode_file", lambda: miniaudio.decode_file(str(path), SF.FLOAT32, 2, 44100).samples.tobytes()),
                          ("stream_any", lambda: b"".join(c.tobytes() for c in miniaudio.stream_any(
                              io.BytesIO(data), FF.UNKNOWN, SF.FLOAT32, 2, 44100)))):
        try:
            results[name] = attempt()
        except miniaudio.DecodeError as exc:
            results[name] = type(exc).__name__
    assert results["decode"] == results["decode_file"] == results["stream_any"], results


HANG_CHILD = r"""
import io, resource, sys
resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
sys.path.insert(0, sys.argv[1])
import miniaudio
data = open(sys.argv[2], "rb").read()
out = []
for name, attempt in (("get_info", lambda: miniaudio._miniaudio.get_info(data, False, 0)),
                      ("decode", lambda: miniaudio.decode(data)),
                      ("decode_file", lambda: miniaudio.decode_file(sys.argv[2])),
                      ("stream_memory", lambda: list(miniaudio.stream_memory(data))),
                      ("stream_any", lambda: list(miniaudio.stream_any(io.BytesIO(data))))):
    try:
        attempt()
        out.append(name + " ok")
    except miniaudio.DecodeError:
        out.append(name + " DecodeError")
print(";".join(out))
"""


def test_wav_chunk_running_past_the_end_of_bytes_does_not_loop(tmp_path):
    """A 222-byte WAV whose `fmt ` extension (cbSize 210) runs past the end: ma_decoder's memory
    reader clamped the skip over it to the end and reported success, dr_wav stepped back by 210
    from there and parsed the same chunks forever (get_info, decode and stream_memory of bytes;
    found by the long fuzz run).  Each call must end, and bytes, path and file object agree."""
    fmt = struct.pack("<HHIIHHH", 1, 45, 44100, 44100 * 90, 90, 16, 210)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 18) + fmt + b"fact" + struct.pack("<II", 4, 22050)
    body += b"data" + struct.pack("<I", 0xE002B110) + bytes(range(256))[:222 - 8 - len(body) - 8]
    data = b"RIFF" + struct.pack("<I", 0x2B142) + body
    assert len(data) == 222
    path = tmp_path / "loop.wav"
    path.write_bytes(data)
    script = tmp_path / "child.py"
    script.write_text(HANG_CHILD)
    import subprocess
    import sys
    src = os.path.dirname(os.path.dirname(miniaudio.__file__))
    proc = subprocess.run([sys.executable, str(script), src, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    results = dict(item.split(" ", 1) for item in proc.stdout.strip().split(";"))
    assert len(set(results.values())) == 1, results


# ---- the length of a resampled stream -----------------------------------------------------------

def pcm_wav(frames, rate, nch=1):
    data = ramp(frames, nch)
    fmt = struct.pack("<HHIIHH", 1, nch, rate, rate * 2 * nch, 2 * nch, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt +
            b"data" + struct.pack("<I", len(data)) + data)


RESAMPLED = [(330, 22050, 8000), (330, 22050, 48000), (330, 22050, 11025), (1000, 44100, 48000),
             (1001, 48000, 44100), (22050, 22050, 11025), (1, 8000, 44100), (7, 44100, 8000),
             (12345, 12345, 1000), (5000, 96000, 7)]


@pytest.mark.parametrize("frames,rate_in,rate_out", RESAMPLED)
def test_resampled_length_is_the_frames_delivered(frames, rate_in, rate_out):
    """The stated length of a resampled stream is what the resampler delivers (output frame k is
    made while k x in / out is before the input's end: ceil(frames x out / in)).  It was
    miniaudio's estimate, one short of a fraction and one over an exact division, so a stream
    delivered a frame past its length, dropped the length and accepted any far seek."""
    data = pcm_wav(frames, rate_in)
    want = -(-frames * rate_out // rate_in)
    decoded = miniaudio.decode(data, SF.SIGNED16, 1, rate_out).samples
    assert len(decoded) == want
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, rate_out, 64, chunk_type="array")
    assert s.length == want
    assert sum(len(c) for c in s) == want
    assert (s.length, s.position) == (want, want)
    for target in {want - 1, want // 2, 0}:
        assert s.seek(target) == target
        rest = [x for c in s for x in c]
        assert len(rest) == want - target, target
        assert s.length == want
    with pytest.raises(ValueError, match=f"the stream has {want} frames"):
        s.seek(want + 1000)
    assert s.length == want


@pytest.mark.parametrize("how", ["memory", "path", "BytesIO", "pipe"])
@pytest.mark.parametrize("past", [1, 11, 812, 10 ** 6 - 180, 2 ** 62])
def test_resampled_seek_frame_past_the_end_opens_at_the_end(how, past, tmp_path):
    """992 frames at 44100 Hz streamed at 8000 Hz are 180 frames.  seek_frame= past them opened the
    seekable inputs at the target with no length (the resampler's restart point lay past the input,
    where nothing decodes and dr_wav's cursor is no guide) and a pipe one frame short of the end;
    every input now opens at frame 180 with length 180, as a read to the end has it."""
    data = pcm_wav(992, 44100, 2)
    path = tmp_path / "t.wav"
    path.write_bytes(data)
    args = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=8000, frames_to_read=192, seek_frame=180 + past)
    s = {"memory": lambda: miniaudio.stream_memory(data, **args),
         "path": lambda: miniaudio.stream_file(str(path), **args),
         "BytesIO": lambda: miniaudio.stream_any(io.BytesIO(data), FF.WAV, **args),
         "pipe": lambda: miniaudio.stream_any(flacw_pipe(data), FF.WAV, **args)}[how]()
    assert (s.position, s.length) == (180, 180)
    assert list(s) == []
    if how != "pipe":
        assert s.seek(179) == 179
        assert sum(len(c) for c in s) == 2


@pytest.mark.parametrize("how", ["memory", "BytesIO"])
@pytest.mark.parametrize("rate", [44100, 48000, 22050])
def test_seek_past_the_end_of_unknown_length_raises_resampled_or_not(how, rate):
    """A FLAC whose STREAMINFO total is 0 (unknown) has no length; a seek past its real end raises
    DecodeError and moves nothing, whether the stream resamples or not."""
    data = flac_with_total(sample("tone_16.flac"), 0)
    end = -(-44100 * rate // 44100)
    open_ = {"memory": lambda: miniaudio.stream_memory(data, SF.SIGNED16, 2, rate, 1000, chunk_type="array"),
             "BytesIO": lambda: miniaudio.stream_any(io.BytesIO(data), FF.FLAC, SF.SIGNED16, 2, rate, 1000,
                                                     chunk_type="array")}[how]
    want = [x for c in open_() for x in c]
    assert len(want) == 2 * end
    s = open_()
    assert s.length is None
    with pytest.raises(miniaudio.DecodeError, match=f"cannot seek to frame {10 ** 7}"):
        s.seek(10 ** 7)
    # where the stream says it is, the reads agree: dr_flac refuses and moves nothing
    assert s.position == 0
    assert [x for c in s for x in c] == want
    assert s.seek(end - 100) == end - 100
    assert len([x for c in s for x in c]) == 200


@pytest.mark.parametrize("how", ["memory", "BytesIO"])
@pytest.mark.parametrize("rate", [22050, 44100, 8000])
def test_an_empty_wav_is_empty_at_every_rate(how, rate):
    """A WAV with no frames (length 0, which streams cannot tell from "unknown"): a seek past its
    end raises DecodeError saying the stream ends at 0 (resampled: the input ended first) or the
    decoder stopped at 0 (not resampled: its cursor), and stays there (resampled streams took the
    target as their position), and seek_frame= past it opens at 0 (resampled streams opened at
    the target with no length)."""
    data = pcm_wav(0, 22050)
    open_ = {"memory": lambda **kw: miniaudio.stream_memory(data, SF.SIGNED16, 1, rate, 64, **kw),
             "BytesIO": lambda **kw: miniaudio.stream_any(io.BytesIO(data), FF.WAV, SF.SIGNED16, 1, rate, 64, **kw)}[how]
    s = open_()
    with pytest.raises(miniaudio.DecodeError, match="cannot seek to frame 5: the " +
                       ("decoder stopped" if rate == 22050 else "stream ends") + " at frame 0"):
        s.seek(5)
    assert s.position == 0
    assert list(s) == []
    # (not 4 or 1000 at 44100: there the target is the resampler's restart point itself, where
    # nothing is decoded, and with a length of 0 ("unknown") the stream opens at the target)
    for seek_frame in (1, 5, 1001):
        s = open_(seek_frame=seek_frame)
        assert (s.position, list(s), s.length) == (0, [], 0)


def test_a_wav_codec_that_cannot_be_decoded_is_refused_by_every_stream(tmp_path):
    """A WAV whose format tag is no codec dr_wav decodes (0xFA01 here) parses, and dr_wav states
    its frames from the data size: decode() refused it, while the streams opened it, read nothing
    and moved through its bytes on seeks (the fuzz seek target: opened at frame 269 by seek_frame,
    then length 169).  Every stream now refuses it as decode() does."""
    data = bytearray(pcm_wav(269, 44100, 2))
    data[20:22] = (0xFA01).to_bytes(2, "little")
    data = bytes(data)
    path = tmp_path / "codec.wav"
    path.write_bytes(data)
    assert miniaudio.wav_get_info(data).num_frames == 269
    message = "WAV codec 0xfa01 is not supported"
    for what, attempt in {
        "decode": lambda: miniaudio.decode(data),
        "stream_memory": lambda: miniaudio.stream_memory(data, seek_frame=1000),
        "stream_file": lambda: miniaudio.stream_file(str(path)),
        "stream_any": lambda: miniaudio.stream_any(io.BytesIO(data), FF.WAV),
        "stream_any pipe": lambda: miniaudio.stream_any(flacw_pipe(data), FF.WAV),
    }.items():
        with pytest.raises(miniaudio.DecodeError, match=message):
            attempt()


@pytest.mark.parametrize("how", ["memory", "path"])
@pytest.mark.parametrize("read_first", [0, 500])
def test_a_refused_seek_past_the_end_of_a_vorbis_of_unknown_length_keeps_it_readable(how, read_first, tmp_path):
    """An Ogg Vorbis whose last granule position is 0 has no length; seek() past its end raises
    DecodeError and moves nothing, so the next reads give what they would have given (they gave
    nothing, even after seek(0), and the stream then took 0 as its length: the fuzz seek target)."""
    data = ogg_with_last_granule(sample("mono.ogg"), 0)
    path = tmp_path / "unknown.ogg"
    path.write_bytes(data)
    open_ = {"memory": lambda: miniaudio.stream_memory(data, SF.SIGNED16, 1, 22050, 500),
             "path": lambda: miniaudio.stream_file(str(path), SF.SIGNED16, 1, 22050, 500)}[how]
    every = [x for c in open_() for x in c]
    s = open_()
    assert s.length is None
    if read_first:
        s.send(read_first)
    with pytest.raises(miniaudio.DecodeError, match="cannot seek to frame 1000000"):
        s.seek(10 ** 6)
    assert s.position == read_first
    assert [x for c in s for x in c] == every[read_first:]
    assert s.seek(0) == 0
    assert [x for c in s for x in c] == every


def fuzz_vorbis(how, tmp_path):
    """The fuzz seek target's damaged Ogg Vorbis (its payload, without the target's control bytes)
    and a function that opens it as a stream from memory or a path."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz"))
    import stateful

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "regressions",
                           "fuzz-seek-vorbis-refused-seek-keeps-reading.bin"), "rb") as f:
        data = f.read()[stateful.CONTROL:]
    path = tmp_path / "v.ogg"
    path.write_bytes(data)
    return data, {"memory": lambda: miniaudio.stream_memory(data, SF.SIGNED16, 1, 22050, 192),
                  "path": lambda: miniaudio.stream_file(str(path), SF.SIGNED16, 1, 22050, 192)}[how]


@pytest.mark.parametrize("how", ["memory", "path"])
def test_a_refused_seek_leaves_the_fuzz_vorbis_readable(how, tmp_path):
    """The fuzz seek target's input (an Ogg Vorbis of unknown length whose last pages are damaged):
    after seek(10**6) was refused, every read gave nothing, even after seek(0) (patch 0055)."""
    data, open_ = fuzz_vorbis(how, tmp_path)
    every = [x for c in open_() for x in c]
    assert len(every) == miniaudio.decode(data, SF.SIGNED16, 1, 22050).num_frames > 0
    s = open_()
    with pytest.raises(miniaudio.DecodeError, match="cannot seek to frame 1000000"):
        s.seek(10 ** 6)
    assert s.position == 0
    assert [x for c in s for x in c] == every
    assert s.seek(0) == 0
    assert [x for c in s for x in c] == every


@pytest.mark.parametrize("how", ["memory", "path"])
@pytest.mark.parametrize("before", ["read", "seek0", "seek100", "read-seek0"])
def test_a_refused_seek_after_a_read_or_seek_leaves_the_fuzz_vorbis_readable(how, before, tmp_path):
    """The same input as the fuzz run met it (a read or a seek first, then seek(1048576)): the reads
    that follow give what they would have given (they gave nothing: patch 0055)."""
    data, open_ = fuzz_vorbis(how, tmp_path)
    every = [x for c in open_() for x in c]
    s = open_()
    at = {"read": 1, "seek0": 0, "seek100": 100, "read-seek0": 0}[before]
    if before.startswith("read"):
        s.send(1000)
    if before != "read":
        s.seek(at)
    else:
        at = 1000
    with pytest.raises(miniaudio.DecodeError, match="cannot seek to frame 1048576"):
        s.seek(1048576)
    assert s.position == at
    assert [x for c in s for x in c] == every[at:]


def _fuzz_wav_without_decodable_frames():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "corpus", "regressions", "fuzz-seek-wav-seek-within-length-before-any-frame.bin"),
              "rb") as f:
        return f.read()[64:]  # the seek target's 64 control bytes come first


@pytest.mark.parametrize("rate", [8000, 22050])
def test_an_empty_read_after_a_seek_before_any_frame_does_not_become_the_length(rate):
    """A WAV that announces frames none of which decode (217 channels of 26-bit PCM in 2-byte
    blocks), sought within its announced length before anything was read: the empty read there
    says the header was wrong, not where the stream ends.  Found by the seek fuzz target (resampled
    to 8000 Hz): the length became 518 after an empty read at 518, then 226 after one at 226,
    below a position the stream had stood at."""
    data = _fuzz_wav_without_decodable_frames()
    with pytest.raises(miniaudio.DecodeError, match="none decodable"):
        miniaudio.decode(data, SF.UNSIGNED8, 217, rate)
    s = miniaudio.stream_memory(data, SF.UNSIGNED8, 217, rate, 65536)
    announced = s.length
    assert announced > 518
    assert s.seek(518) == 518
    with pytest.raises(StopIteration):
        next(s)
    assert s.length is None  # (was 518)
    s.seek(226)
    with pytest.raises(StopIteration):
        next(s)
    assert s.length is None  # (was 226)


def test_a_seek_before_any_read_near_the_end_of_a_good_wav_keeps_the_length():
    """The ordinary case is unchanged: frames after the seek, and the length stays exact."""
    frames = 1000
    pcm = array.array("h", [(i * 37) % 2000 - 1000 for i in range(frames)])
    if sys.byteorder == "big":
        pcm.byteswap()
    data = (b"RIFF" + struct.pack("<I", 36 + frames * 2) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, 44100, 88200, 2, 16)
            + b"data" + struct.pack("<I", frames * 2) + pcm.tobytes())
    s = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100, 100)
    assert s.length == frames
    assert s.seek(frames - 10) == frames - 10
    assert len(next(s)) == 10
    with pytest.raises(StopIteration):
        next(s)
    assert s.length == frames
    assert s.seek(frames) == frames
    with pytest.raises(StopIteration):
        next(s)
    assert s.length == frames
