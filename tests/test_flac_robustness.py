"""FLAC (dr_flac) robustness: bad frames followed by seeks and reads, STREAMINFO totals of 0,
metadata blocks that run past the end of the input, and seek points far past it.

The FLAC streams are written here, frame by frame (verbatim, constant and reserved subframes, with
CRC-8 and CRC-16), so each test says exactly what is in its input.  The seek-after-a-bad-frame
scenarios run in a child process: the bug they cover was a SIGSEGV, which must fail the test
rather than kill pytest.
"""

import io
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

import miniaudio
from corpus.make_hostile import crc8, crc16  # FLAC's header and frame CRCs
from miniaudio import SampleFormat as SF

BLOCK = 192  # block size code 1: 192 samples per frame, no extra header bytes


# ---- a small FLAC writer ----------------------------------------------------------------------


class Bits:
    """Big-endian bit writer."""

    def __init__(self):
        self.value, self.count = 0, 0

    def put(self, value, bits):
        self.value = (self.value << bits) | (value & ((1 << bits) - 1))
        self.count += bits

    def bytes(self):
        pad = -self.count % 8
        return (self.value << pad).to_bytes((self.count + pad) // 8, "big")


# channel assignment codes: 0 = mono, 1 = independent stereo, 8 left/side, 9 right/side, 10 mid/side
MONO, STEREO, LEFT_SIDE, RIGHT_SIDE, MID_SIDE = 0, 1, 8, 9, 10
ASSIGNMENTS = {"mono": MONO, "independent": STEREO, "left_side": LEFT_SIDE, "right_side": RIGHT_SIDE,
               "mid_side": MID_SIDE}


def _subframes(assignment, channels):
    """(samples, bits per sample) of each subframe for 16-bit channels `channels`."""
    if assignment in (MONO, STEREO):
        return [(ch, 16) for ch in channels]
    left, right = channels
    side = [a - b for a, b in zip(left, right)]
    if assignment == LEFT_SIDE:
        return [(left, 16), (side, 17)]
    if assignment == RIGHT_SIDE:
        return [(side, 17), (right, 16)]
    mid = [(a + b) >> 1 for a, b in zip(left, right)]
    return [(mid, 16), (side, 17)]


def frame(number, channels, assignment, bad=None):
    """One FLAC frame of BLOCK samples per channel (16-bit, 44.1 kHz, fixed blocking).

    bad: None, "reserved" (first subframe of a reserved type), "second" (the last subframe
    reserved, after good ones), "crc" (wrong CRC-16), "channels" (a header with another channel
    count than the stream's), "blocksize" (a block bigger than STREAMINFO's maximum).
    """
    nch_code = assignment
    block_code = 1
    if bad == "channels":
        nch_code = STEREO if assignment == MONO else MONO
    if bad == "blocksize":
        block_code = 0b1000  # 256 samples, above the stream's maximum of 192
    hdr = bytes([0xFF, 0xF8, (block_code << 4) | 9, (nch_code << 4) | 0x08, number])
    hdr += bytes([crc8(hdr)])
    bits = Bits()
    subs = _subframes(assignment, channels)
    for i, (samples, bps) in enumerate(subs):
        if bad == "reserved" and i == 0 or bad == "second" and i == len(subs) - 1:
            bits.put(0b00000100, 8)          # type 000010: reserved
            bits.put(0, 16 * BLOCK)
        elif len(set(samples)) == 1:
            bits.put(0b00000000, 8)          # CONSTANT
            bits.put(samples[0], bps)
        else:
            bits.put(0b00000010, 8)          # VERBATIM
            for x in samples:
                bits.put(x, bps)
    body = hdr + bits.bytes()
    crc = crc16(body) ^ (0x5555 if bad == "crc" else 0)
    return body + struct.pack(">H", crc)


def streaminfo(nch, total, last=True):
    si = struct.pack(">HH", BLOCK, BLOCK) + b"\0" * 6
    si += ((44100 << 44) | ((nch - 1) << 41) | (15 << 36) | total).to_bytes(8, "big") + bytes(16)
    return bytes([0x80 if last else 0x00, 0, 0, 34]) + si


def seektable(points, last=True):
    """points: (first sample, byte offset from the first frame, samples in that frame)."""
    body = b"".join(struct.pack(">QQH", *p) for p in points)
    return bytes([(0x80 if last else 0) | 3]) + len(body).to_bytes(3, "big") + body


def signal(nframes, nch, seed=0):
    """Per-channel sample lists with a recognisable value at every position (frame k, sample i).
    Frame 1 of each channel is constant (a CONSTANT subframe)."""
    chans = []
    for c in range(nch):
        ch = []
        for k in range(nframes):
            if k == 1:
                ch += [-1234 + c] * BLOCK
            else:
                ch += [((k * 211 + i * 37 + c * 5000 + seed) % 20000) - 10000 for i in range(BLOCK)]
        chans.append(ch)
    return chans


def flac_bytes(layout, frame_kinds, total=None, table=False):
    """A FLAC stream whose frame k is good (None) or bad of kind frame_kinds[k]; returns (data,
    expected interleaved s16 samples of the good frames before the first bad one)."""
    assignment = ASSIGNMENTS[layout]
    nch = 1 if assignment == MONO else 2
    chans = signal(len(frame_kinds), nch)
    frames = [frame(k, [ch[k * BLOCK:(k + 1) * BLOCK] for ch in chans], assignment, bad)
              for k, bad in enumerate(frame_kinds)]
    total = len(frame_kinds) * BLOCK if total is None else total
    meta = streaminfo(nch, total, last=not table)
    if table:
        offsets = [sum(len(f) for f in frames[:k]) for k in range(len(frames))]
        meta += seektable([(k * BLOCK, offsets[k], BLOCK) for k in range(0, len(frames), 4)])
    good = next((k for k, bad in enumerate(frame_kinds) if bad), len(frame_kinds))
    expected = [chans[c][i] for i in range(good * BLOCK) for c in range(nch)]
    return b"fLaC" + meta + b"".join(frames), expected, nch


def as_s16(values, fmt):
    """Samples of a chunk in `fmt`, as the 16-bit values they encode."""
    if fmt == "s16":
        return list(values)
    if fmt == "s32":
        return [v >> 16 for v in values]
    return [round(v * 32768) for v in values]


FORMATS = {"s16": SF.SIGNED16, "s32": SF.SIGNED32, "f32": SF.FLOAT32}


def open_stream(data, how, fmt, nch, tmp, seek_frame=0):
    sf = FORMATS[fmt]
    if how == "memory":
        return miniaudio.stream_memory(data, sf, nch, 44100, seek_frame=seek_frame)
    path = os.path.join(tmp, "t.flac")
    with open(path, "wb") as f:
        f.write(data)
    if how == "path":
        return miniaudio.stream_file(path, sf, nch, 44100, seek_frame=seek_frame)
    return miniaudio.stream_any(io.BytesIO(data), miniaudio.FileFormat.FLAC, sf, nch, 44100,
                                seek_frame=seek_frame)


# ---- seeks and reads after a frame that failed to decode (run in a child process) --------------

BAD_KINDS = ["reserved", "second", "crc", "channels", "blocksize", "truncated"]


def _after_bad_frame(how, fmt, tmp):
    """Every layout and kind of bad frame: read to the end, then seek backward (inside the last
    good frame, into the one before, to 0), forward, and to the end, reading after each.  Returns
    a list of problems (empty when all is well)."""
    problems = []
    for layout in ASSIGNMENTS:
        for kind in BAD_KINDS:
            kinds = [None, None, None if kind == "truncated" else kind, None]
            data, expected, nch = flac_bytes(layout, kinds)
            if kind == "truncated":
                data = data[:-200]   # the last frame loses its end
                expected = expected[:3 * BLOCK * nch]
            good = len(expected) // nch
            where = f"{layout}/{kind}/{how}/{fmt}"
            stream = open_stream(data, how, fmt, nch, tmp)
            delivered = sum(len(c) for c in stream) // nch
            if delivered < good:
                problems.append(f"{where}: {delivered} frames delivered before the bad frame, expected {good}")
                continue
            for target in (delivered - 1, delivered - 39, good - 1, good - BLOCK - 5, 0, 5, good - 5,
                           good + 300, delivered, 10**6, 3):
                if target < 0:
                    continue
                try:
                    pos = stream.seek(target)
                except (miniaudio.DecodeError, ValueError):
                    continue                       # a refused seek is fine; a crash is not
                if pos != target or stream.position != target:
                    problems.append(f"{where}: seek({target}) returned {pos}, position {stream.position}")
                try:
                    chunk = as_s16(stream.send(100), fmt)
                except StopIteration:
                    chunk = []
                if target < good:                  # before the bad frame: exact samples
                    want = expected[target * nch:(target + 100) * nch]
                    if chunk[:len(want)] != want:
                        problems.append(f"{where}: after seek({target}) got {chunk[:6]}, expected {want[:6]}")
    return problems


_CHILD = """
import json, sys, tempfile
sys.path[:0] = {paths!r}
import test_flac_robustness as t
with tempfile.TemporaryDirectory() as tmp:
    print(json.dumps(t.{func}(*{args!r}, tmp)))
"""


def _run_child(func, *args):
    """Runs `func(*args, tmpdir)` of this module in a child process; it returns a list of problems."""
    paths = [os.path.dirname(os.path.abspath(__file__))] + sys.path
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(paths=paths, func=func, args=args)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"child died with {proc.returncode}: {proc.stderr[-2000:]}"
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("fmt", ["s16", "s32", "f32"])
@pytest.mark.parametrize("how", ["memory", "path", "fileobj"])
def test_seeks_and_reads_after_a_bad_frame_never_crash(how, fmt):
    _run_child("_after_bad_frame", how, fmt)


def _reported_case(tmp):
    """A bad frame right after one good frame, a seek back into the good frame, a read."""
    data, expected, _ = flac_bytes("mono", [None, "reserved"])
    problems = []
    for how in ("memory", "path", "fileobj"):
        stream = open_stream(data, how, "s16", 1, tmp)
        frames = sum(len(c) for c in stream)
        if frames != BLOCK or stream.seek(frames - 39) != frames - 39:
            problems.append(f"{how}: {frames} frames, then seek failed")
        elif list(stream.send(100)) != expected[-39:]:
            problems.append(f"{how}: wrong samples after the seek")
    return problems


def test_backward_seek_inside_the_frame_after_a_bad_frame():
    _run_child("_reported_case")


# ---- STREAMINFO total samples 0 ("unknown") ----------------------------------------------------

@pytest.mark.parametrize("table", [False, True], ids=["no_seektable", "seektable"])
@pytest.mark.parametrize("layout", ["mono", "independent", "mid_side"])
def test_seek_with_unknown_total_lands_on_the_target(layout, table, tmp_path):
    data, _, nch = flac_bytes(layout, [None] * 20, total=0, table=table)
    ref = list(miniaudio.decode(data, SF.SIGNED16, nch, 44100).samples)
    assert len(ref) == 20 * BLOCK * nch
    end = 20 * BLOCK
    for how in ("memory", "path", "fileobj"):
        for fmt in ("s16", "f32"):
            stream = open_stream(data, how, fmt, nch, str(tmp_path))
            assert stream.length is None
            for target in (1000, 5, 3839, 191, 192, 2500, 0, end - 1):
                assert stream.seek(target) == target
                assert stream.position == target
                want = ref[target * nch:(target + 3) * nch]
                assert as_s16(stream.send(3), fmt) == want, (how, fmt, target)
            assert stream.seek(end) == end         # exactly at the end: nothing more to read
            with pytest.raises(StopIteration):
                stream.send(3)
            for target in (3000, 17):
                s2 = open_stream(data, how, fmt, nch, str(tmp_path), seek_frame=target)
                assert as_s16(s2.send(3), fmt) == ref[target * nch:(target + 3) * nch]


def test_seek_past_the_end_with_unknown_total_fails_and_keeps_the_position(tmp_path):
    data, _, nch = flac_bytes("mono", [None] * 20, total=0)
    ref = list(miniaudio.decode(data, SF.SIGNED16, 1, 44100).samples)
    for how in ("memory", "path", "fileobj"):
        stream = open_stream(data, how, "s16", 1, str(tmp_path))
        stream.seek(1000)
        with pytest.raises(miniaudio.DecodeError):
            stream.seek(5000)
        assert stream.position == 1000
        assert list(stream.send(3)) == ref[1000:1003]


def test_info_of_a_flac_with_unknown_total_says_0_frames(tmp_path):
    """get_file_info does not decode the file to count frames: 0 means "not in the header"."""
    data, _, _ = flac_bytes("mono", [None] * 4, total=0)
    path = tmp_path / "t.flac"
    path.write_bytes(data)
    assert miniaudio.flac_get_info(data).num_frames == 0
    assert miniaudio.get_file_info(str(path)).num_frames == 0
    assert miniaudio.decode(data, SF.SIGNED16, 1, 44100).num_frames == 4 * BLOCK


# ---- a metadata block whose size runs past the end ---------------------------------------------

def _past_eof(block_type, layout="mono"):
    data, _, nch = flac_bytes(layout, [None] * 10)
    si = streaminfo(nch, 10 * BLOCK, last=False)
    head = b"fLaC" + si
    frames = data[len(b"fLaC") + len(si):]
    return head + bytes([0x80 | block_type]) + (0xFFFFF0).to_bytes(3, "big") + frames, nch


@pytest.mark.parametrize("block_type", [1, 3, 4, 2, 127], ids=["padding", "seektable", "comment",
                                                               "application", "invalid"])
def test_metadata_block_past_eof_memory_path_and_file_object_agree(block_type, tmp_path):
    data, nch = _past_eof(block_type)
    path = tmp_path / "t.flac"
    path.write_bytes(data)
    ref = miniaudio.decode(data, SF.SIGNED16, nch, 44100)
    assert ref.num_frames == 10 * BLOCK
    assert list(miniaudio.decode_file(str(path), SF.SIGNED16, nch, 44100).samples) == list(ref.samples)
    assert miniaudio.get_file_info(str(path)).num_frames == ref.num_frames
    assert miniaudio.flac_get_info(data).num_frames == ref.num_frames
    for how in ("memory", "path", "fileobj"):
        stream = open_stream(data, how, "s16", nch, str(tmp_path))
        got = [x for c in stream for x in c]
        assert got == list(ref.samples), how
        assert stream.seek(0) == 0                 # the first frame is where the frames are
        assert list(stream.send(50)) == list(ref.samples[:50]), how


class _Pipe:
    """read() only: a pipe or a socket."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def read(self, n):
        return self._f.read(n)


@pytest.mark.parametrize("block_type", [1, 4], ids=["padding", "comment"])
def test_metadata_block_past_eof_over_a_pipe_decodes_too(block_type):
    """Over a source that cannot seek, the skip reads to the end and the decoder moves back to the
    block's header, within the bytes kept while opening (before: 0 frames, silently)."""
    data, nch = _past_eof(block_type)
    ref = miniaudio.decode(data, SF.SIGNED16, nch, 44100)
    for fmt in (miniaudio.FileFormat.FLAC, miniaudio.FileFormat.UNKNOWN):
        stream = miniaudio.stream_any(_Pipe(data), fmt, SF.SIGNED16, nch, 44100)
        assert [x for c in stream for x in c] == list(ref.samples), fmt


def test_metadata_block_ending_exactly_at_eof_leaves_no_frames(tmp_path):
    """A block that ends at the last byte is whole: no frames follow, from any input alike."""
    si = streaminfo(1, 0, last=False)
    data = b"fLaC" + si + bytes([0x81]) + (16).to_bytes(3, "big") + bytes(16)
    path = tmp_path / "t.flac"
    path.write_bytes(data)
    assert miniaudio.decode(data, SF.SIGNED16, 1, 44100).num_frames == 0
    assert miniaudio.decode_file(str(path), SF.SIGNED16, 1, 44100).num_frames == 0
    for how in ("memory", "path", "fileobj"):
        assert sum(len(c) for c in open_stream(data, how, "s16", 1, str(tmp_path))) == 0


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to write Ogg FLAC")
def test_ogg_flac_seeks_with_unknown_total(tmp_path):
    """ffmpeg's Ogg FLAC says total samples 0 in its STREAMINFO: seeks land on the target there too."""
    data, _, nch = flac_bytes("left_side", [None] * 20)
    src, oga = tmp_path / "t.flac", tmp_path / "t.oga"
    src.write_bytes(data)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), "-c:a", "flac", "-f", "ogg", str(oga)],
                   check=True, stdin=subprocess.DEVNULL, timeout=60)
    ogg = oga.read_bytes()
    ref = list(miniaudio.decode(data, SF.SIGNED16, nch, 44100).samples)
    assert list(miniaudio.decode(ogg, SF.SIGNED16, nch, 44100).samples) == ref
    for how in ("memory", "path", "fileobj"):
        stream = open_stream(ogg, how, "s16", nch, str(tmp_path))
        for target in (3000, 7, 1500, 20 * BLOCK - 1):
            assert stream.seek(target) == target
            assert list(stream.send(3)) == ref[target * nch:(target + 3) * nch], (how, target)
        assert stream.seek(20 * BLOCK) == 20 * BLOCK
        with pytest.raises(miniaudio.DecodeError):
            stream.seek(20 * BLOCK + 1000)
        assert stream.position == 20 * BLOCK


# ---- a seek point far past the end of the input -------------------------------------------------

FAR_POINT = 2 ** 55  # a seek point's byte offset (about 3.6e16) in a file of a few KB


def _far_seek_point():
    """20 frames; the seek table's last point says sample 2**34 is 2**55 bytes in; the total is
    2**35 samples."""
    data, _, nch = flac_bytes("mono", [None] * 20)
    meta_len = 4 + 34  # the STREAMINFO block
    frames = data[len(b"fLaC") + meta_len:]
    table = seektable([(0, 0, BLOCK), (2 ** 34, FAR_POINT, BLOCK)])
    return b"fLaC" + streaminfo(nch, 2 ** 35, last=False) + table + frames


def _far_seek(tmp):
    """Seeks to the far seek point from memory, a path (on tmpfs when there is one: a file there
    may be 8 EiB, so seeking one past its end always succeeds) and a file object; reports what is
    wrong: a seek that takes more than a second of CPU, or a stream that cannot read again."""
    import resource
    import time
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
    data = _far_seek_point()
    ref = list(miniaudio.decode(data, SF.SIGNED16, 1, 44100).samples[:300])
    folder = "/dev/shm" if os.path.isdir("/dev/shm") else tmp
    path = os.path.join(folder, f"far-seek-point-{os.getpid()}.flac")
    with open(path, "wb") as f:
        f.write(data)
    problems = []
    try:
        for how in ("memory", "path", "fileobj"):
            if how == "memory":
                stream = miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100)
            elif how == "path":
                stream = miniaudio.stream_file(path, SF.SIGNED16, 1, 44100)
            else:
                stream = miniaudio.stream_any(io.BytesIO(data), miniaudio.FileFormat.FLAC, SF.SIGNED16, 1,
                                              44100)
            for target in (2 ** 34 + 1000, 2 ** 35 - 1):
                cpu = time.process_time()
                try:
                    stream.seek(target)
                    outcome = "moved"
                except miniaudio.DecodeError:
                    outcome = "DecodeError"
                spent = time.process_time() - cpu
                if outcome != "DecodeError" or spent > 1.0:
                    problems.append(f"{how}: seek({target}) {outcome} after {spent:.2f} s of CPU")
                if stream.position != 0:
                    problems.append(f"{how}: position {stream.position} after the failed seek")
            if stream.seek(5) != 5 or list(stream.send(295)) != ref[5:]:
                problems.append(f"{how}: the frames after seek(5) are not the file's")
            stream.close()
    finally:
        os.unlink(path)
    return problems


def test_a_seek_point_far_past_the_end_fails_promptly_from_every_input():
    """dr_flac reached a seek point's byte offset in steps of 2**31-1 bytes, and seeking a file past
    its end succeeds: from a path on tmpfs or a file object, the seek spun through millions of steps
    (minutes of CPU).  Each step now checks that the input goes on, so the seek fails from every
    input as it did from memory, and the stream still reads."""
    _run_child("_far_seek")
