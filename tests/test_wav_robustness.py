"""dr_wav on lying headers: AIFF, WAV, W64 and RF64 files built here whose sizes and frame counts
disagree with their data (patches 0027-0029).

What a user checks: the frame counts get_info and stream.length report, the exact samples decoded
from memory, a path and a file object, the samples after seeks that follow a full read (they must
come from the data chunk, never from bytes after it), and that seek() far past the end returns
promptly (those run in a subprocess with a CPU limit: the old code spun for minutes).
"""

import io
import json
import math
import os
import random
import struct
import subprocess
import sys
import textwrap

import pytest

import miniaudio
from miniaudio import FileFormat, SampleFormat as SF

RATE = 22050
CH = 2


# ---------------------------------------------------------------------------------------------
# Builders


def pcm_frames(n, seed=0):
    """n stereo s16 frames as a list of (left, right) ints."""
    return [(((i + seed) * 37) % 60000 - 30000, -(((i + seed) * 101) % 60000 - 30000)) for i in range(n)]


def le16(frames):
    return b"".join(struct.pack("<hh", a, b) for a, b in frames)


def be16(frames):
    return b"".join(struct.pack(">hh", a, b) for a, b in frames)


def flat(frames):
    return [s for f in frames for s in f]


def ieee80(rate):
    m, e = math.frexp(rate)
    return struct.pack(">HQ", 16383 + e - 1, int(m * (1 << 64)))


def aiff(frames, comm_frames=None, offset=0, ssnd_size=None, trailing=b""):
    comm = struct.pack(">hIh", CH, len(frames) if comm_frames is None else comm_frames, 16) + ieee80(RATE)
    body = struct.pack(">II", offset, 0) + bytes(min(offset, 64)) + be16(frames)
    size = len(body) if ssnd_size is None else ssnd_size
    chunks = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", size) + body
    return b"FORM" + struct.pack(">I", len(chunks)) + chunks + trailing


def fmt_pcm(tag=1, channels=CH, bits=16, block_align=None, extra=b""):
    align = block_align if block_align is not None else channels * bits // 8
    body = struct.pack("<HHIIHH", tag, channels, RATE, RATE * align, align, bits)
    if extra:
        body += struct.pack("<H", len(extra)) + extra
    return body


def riff(data, fmt=None, data_size=None, fact=None, riff_size=None, trailing=b""):
    fmt = fmt_pcm() if fmt is None else fmt
    chunks = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if fact is not None:
        chunks += b"fact" + struct.pack("<II", 4, fact)
    chunks += b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    if len(data) % 2:
        chunks += b"\0"
    chunks += trailing
    return b"RIFF" + struct.pack("<I", len(chunks) if riff_size is None else riff_size) + chunks


W64_SUFFIX = bytes([0xF3, 0xAC, 0xD3, 0x11, 0x8C, 0xD1, 0x00, 0xC0, 0x4F, 0x8E, 0xDB, 0x8A])
W64_RIFF = b"riff" + bytes([0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00])


def w64_chunk(name, body, size=None):
    chunk = name + W64_SUFFIX + struct.pack("<Q", 24 + len(body) if size is None else size) + body
    return chunk + bytes((8 - len(chunk) % 8) % 8)


def w64(data, data_size=None, fact=None, before=b"", trailing=b""):
    chunks = b"wave" + W64_SUFFIX + before + w64_chunk(b"fmt ", fmt_pcm())
    if fact is not None:
        chunks += w64_chunk(b"fact", struct.pack("<Q", fact))
    chunks += w64_chunk(b"data", data, size=None if data_size is None else 24 + data_size) + trailing
    return W64_RIFF + struct.pack("<Q", 24 + len(chunks)) + chunks


def rf64(data, ds64_data_size=None, ds64_frames=None, trailing=b""):
    size = len(data) if ds64_data_size is None else ds64_data_size
    frames = len(data) // (2 * CH) if ds64_frames is None else ds64_frames
    ds64 = struct.pack("<QQQI", 0, size, frames, 0)
    fmt = fmt_pcm()
    chunks = (b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64 + b"fmt " + struct.pack("<I", len(fmt)) + fmt
              + b"data" + struct.pack("<I", 0xFFFFFFFF) + data + trailing)
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + chunks


def adpcm_wav(kind, blocks, last_block, channels, trailing, seed=1):
    """An MS ADPCM (kind "ms") or IMA ADPCM ("ima") WAV: `blocks` full blocks and a short last block
    of `last_block` bytes, random nibbles with valid block headers, then `trailing` (a chunk)."""
    rnd = random.Random(seed)
    if kind == "ima":
        align = 4 * channels + 32 * channels

        def block(n):
            head = b"".join(struct.pack("<hBB", rnd.randrange(-30000, 30000), rnd.randrange(89), 0)
                            for _ in range(channels))
            return (head + bytes(rnd.randrange(256) for _ in range(align)))[:n]

        fmt = fmt_pcm(0x11, channels, 4, align, struct.pack("<H", (align - 4 * channels) * 8 // (4 * channels) + 1))
    else:
        align = 7 * channels + 32

        def block(n):
            head = bytes(rnd.randrange(7) for _ in range(channels))
            head += b"".join(struct.pack("<h", rnd.randrange(16, 2000)) for _ in range(channels))
            head += b"".join(struct.pack("<h", rnd.randrange(-3000, 3000)) for _ in range(2 * channels))
            return (head + bytes(rnd.randrange(256) for _ in range(align)))[:n]

        coefs = [(256, 0), (512, -256), (0, 0), (192, 64), (240, 0), (460, -208), (392, -232)]
        extra = struct.pack("<HH", (align - 7 * channels) * 2 // channels + 2, 7)
        extra += b"".join(struct.pack("<hh", a, b) for a, b in coefs)
        fmt = fmt_pcm(2, channels, 4, align, extra)
    data = b"".join(block(align) for _ in range(blocks)) + block(last_block)
    return riff(data, fmt=fmt, trailing=trailing)


def junk_chunk(fill):
    body = bytes([fill]) * 64
    return b"LIST" + struct.pack("<I", len(body)) + body


# ---------------------------------------------------------------------------------------------
# Reading helpers: the three inputs a user has


def open_stream(kind, data, tmp_path, channels=CH, **kw):
    if kind == "memory":
        return miniaudio.stream_memory(data, SF.SIGNED16, channels, RATE, **kw)
    if kind == "path":
        path = tmp_path / "input.bin"
        path.write_bytes(data)
        return miniaudio.stream_file(str(path), SF.SIGNED16, channels, RATE, **kw)
    return miniaudio.stream_any(io.BytesIO(data), FileFormat.UNKNOWN, SF.SIGNED16, channels, RATE, **kw)


def read_all(stream):
    out = []
    for chunk in stream:
        out.extend(chunk)
    return out


KINDS = ["memory", "path", "fileobj"]


# ---------------------------------------------------------------------------------------------
# 1. Sizes from headers: never more frames than the data holds


N = 300
LYING = {
    # SSND offset far past the chunk: the old code reported 6148914691236473814 frames
    "aiff-ssnd-offset-past-chunk": (lambda: aiff(pcm_frames(N), comm_frames=0, offset=131072), 0),
    # SSND offset inside the chunk, frames from the data size: the data is size - 8 - offset (the
    # old code counted 8 bytes more: 2 frames of the trailing bytes)
    "aiff-ssnd-offset-inside": (lambda: aiff(pcm_frames(N), comm_frames=0, offset=8, trailing=b"\x7f" * 8), N),
    "aiff-comm-frames-above-data": (lambda: aiff(pcm_frames(N), comm_frames=0xFFFFFFFF), N),
    "w64-fact-2**62": (lambda: w64(le16(pcm_frames(N)), fact=1 << 62), N),
    "rf64-ds64-2**62": (lambda: rf64(le16(pcm_frames(N)), ds64_data_size=1 << 62, ds64_frames=1 << 62), N),
    "rf64-ds64-frames-2**62": (lambda: rf64(le16(pcm_frames(N)), ds64_frames=1 << 62), N),
}
# sizes the old code already clamped from memory and paths, but not over a file object (no tell):
# there, seeks far past the end must still end promptly
FAR = dict(LYING, **{
    "aiff-ssnd-size-above-file": (lambda: aiff(pcm_frames(N), comm_frames=0, ssnd_size=0x7FFFFFF0), N),
    "wav-data-size-above-file": (lambda: riff(le16(pcm_frames(N)), data_size=0xFFFFFFF0), N),
    "w64-data-size-2**62": (lambda: w64(le16(pcm_frames(N)), data_size=1 << 62), N),
})


@pytest.mark.parametrize("case", sorted(LYING))
def test_reported_length_fits_the_data(case, tmp_path):
    make, frames = LYING[case]
    data = make()
    assert miniaudio.wav_get_info(data).num_frames == frames
    for kind in KINDS:
        stream = open_stream(kind, data, tmp_path)
        if kind != "fileobj":       # a file object gives dr_wav no tell(): its size is not known
            assert stream.length in ((frames,) if frames else (0, None)), kind
        assert read_all(stream) == flat(pcm_frames(N)[:frames]), kind


_FAR_SEEK_CHILD = textwrap.dedent("""
    import io, json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_CPU, (10, 10))
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import miniaudio
    from miniaudio import FileFormat, SampleFormat as SF
    import test_wav_robustness as t
    results = {}
    for case in sorted(t.FAR):
        data = t.FAR[case][0]()
        path = sys.argv[3] + "/" + case
        with open(path, "wb") as f:
            f.write(data)
        for kind in t.KINDS:
            row = []
            # (2**62 - 2**20 is below the 2**62 - 32452 frames the old code reported for an AIFF)
            for target in (10 ** 9, 2 ** 59, 2 ** 62 - 2 ** 20, 2 ** 62, 2 ** 63 - 1):
                if kind == "memory":
                    s = miniaudio.stream_memory(data, SF.SIGNED16, 2, t.RATE)
                elif kind == "path":
                    s = miniaudio.stream_file(path, SF.SIGNED16, 2, t.RATE)
                else:
                    s = miniaudio.stream_any(io.BytesIO(data), FileFormat.UNKNOWN, SF.SIGNED16, 2, t.RATE)
                read_first = t.read_all(s)
                cpu = time.process_time()
                try:
                    s.seek(target)
                    outcome = "moved"
                except ValueError:
                    outcome = "refused"
                except miniaudio.DecodeError:
                    outcome = "DecodeError"
                spent = time.process_time() - cpu
                after = t.read_all(s)      # the stream ends (or, when refused, stays at its end)
                s.seek(0)
                again = t.read_all(s)      # and it still plays from the start
                row.append([outcome, spent, len(after), again == read_first])
            results[case + "/" + kind] = row
    print(json.dumps(results))
""")


def test_seek_far_past_the_end_is_prompt_and_ends_the_stream(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))
    proc = subprocess.run([sys.executable, "-c", _FAR_SEEK_CHILD, pkg, here, str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"child died (CPU limit 10 s?): rc {proc.returncode}\n{proc.stderr[-2000:]}"
    results = json.loads(proc.stdout)
    assert len(results) == len(FAR) * len(KINDS)
    for name, row in results.items():
        for outcome, spent, after, again_ok in row:
            assert outcome in ("moved", "refused"), (name, outcome)
            assert spent < 1.0, (name, outcome, spent)
            assert after == 0, (name, outcome, after)
            assert again_ok, name


# ---------------------------------------------------------------------------------------------
# 2. After a full read, seeks land inside the data chunk (not on bytes after it)


M = 1000
TRAILING = b"\x11\x22" * 50
SHORT_COUNT = {
    # (file, frames the headers announce and the stream delivers)
    "aiff-trailing-bytes": (lambda: aiff(pcm_frames(M), trailing=TRAILING), M),
    "aiff-comm-below-ssnd": (lambda: aiff(pcm_frames(M), comm_frames=900, trailing=TRAILING), 900),
    "w64-fact-below-data": (lambda: w64(le16(pcm_frames(M)), fact=900, trailing=w64_chunk(b"junk", TRAILING)), 900),
    "rf64-ds64-frames-below-data": (lambda: rf64(le16(pcm_frames(M)), ds64_frames=900, trailing=junk_chunk(0x44)),
                                    900),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(SHORT_COUNT))
def test_seeks_after_a_full_read_return_the_data(case, kind, tmp_path):
    make, frames = SHORT_COUNT[case]
    expected = pcm_frames(M)[:frames]
    stream = open_stream(kind, make(), tmp_path, frames_to_read=256)
    assert read_all(stream) == flat(expected)
    for target in (frames - 1, frames // 2, frames - 1, 0, frames - 3, 1):
        assert stream.seek(target) == target
        assert list(stream.send(2)) == flat(expected[target:target + 2]), target
    stream.seek(frames - 1)
    assert read_all(stream) == flat(expected[-1:])
    stream.seek(frames)
    assert read_all(stream) == []
    stream.seek(frames - 2)
    assert read_all(stream) == flat(expected[-2:])


# ---------------------------------------------------------------------------------------------
# 3. ADPCM: never decodes bytes after the data chunk, seeks after a full read agree with a decode


ADPCM = {
    # (codec, full blocks, bytes in the short last block, channels, frames the data holds)
    # IMA blocks of 36 (72) bytes hold 1 + 8 * 4 = 65 frames; a short last block of 4 + 6
    # (8 + 12) bytes holds 1 + 8: its last 4-byte group of nibbles would run past the data chunk
    "ima-mono-short-last-block": ("ima", 5, 4 + 6, 1, 5 * 65 + 9),
    "ima-stereo-short-last-block": ("ima", 5, 8 + 12, 2, 5 * 65 + 9),
    # MS ADPCM blocks of 46 bytes (stereo) hold 2 + 32 frames; a 13-byte last block is shorter than
    # its own 14-byte header: no frames (the old code read the header's last byte after the chunk)
    "ms-stereo-short-last-block": ("ms", 5, 13, 2, 5 * 34),
    # mono: 39-byte blocks hold 2 + 64 frames; a 5-byte last block (below the 7-byte header)
    # made the old count lose 2 frames of the full blocks
    "ms-mono-last-block-below-header": ("ms", 5, 5, 1, 5 * 66),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(ADPCM))
def test_adpcm_ignores_bytes_after_the_data_chunk(case, kind, tmp_path):
    codec, blocks, last, channels, frames = ADPCM[case]
    # the same file with different bytes after the data chunk (raw bytes, then a chunk)
    one = adpcm_wav(codec, blocks, last, channels, b"\x00" * 16 + junk_chunk(0x00))
    other = adpcm_wav(codec, blocks, last, channels, b"\xff" * 16 + junk_chunk(0xFF))
    a = open_stream(kind, one, tmp_path, channels=channels, frames_to_read=100)
    whole = read_all(a)
    assert whole == read_all(open_stream(kind, other, tmp_path, channels=channels))
    assert len(whole) == frames * channels
    assert miniaudio.wav_get_info(one).num_frames == frames
    if kind != "fileobj":
        assert a.length == frames
    for target in (frames - 1, frames // 3, 0, frames - 5):
        a.seek(target)
        assert read_all(a) == whole[target * channels:], target
    with pytest.raises(ValueError, match="the stream has"):
        a.seek(2 ** 62)


def test_adpcm_block_align_below_the_block_header_is_refused():
    data = bytearray(adpcm_wav("ms", 3, 0, 2, b""))
    struct.pack_into("<H", data, 20 + 12, 13)        # block align 13 < 14-byte stereo header
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(bytes(data), nchannels=2, sample_rate=RATE)


# ---------------------------------------------------------------------------------------------
# 4. Streaming writers' 0xFFFFFFFF sizes mean "up to the end", from every input


def test_ffffffff_sizes_mean_to_the_end(tmp_path):
    # the old code measured the data from where its SEEK_END had left a file object: 0 frames
    frames = pcm_frames(4000)
    data = riff(le16(frames), data_size=0xFFFFFFFF, riff_size=0xFFFFFFFF)
    for kind in KINDS:
        assert read_all(open_stream(kind, data, tmp_path)) == flat(frames), kind


# ---------------------------------------------------------------------------------------------
# 5. W64 chunks are 8-byte aligned: an odd-sized chunk before the data


@pytest.mark.parametrize("kind", KINDS)
def test_w64_odd_chunk_before_data(kind, tmp_path):
    frames = pcm_frames(500)
    data = w64(le16(frames), before=w64_chunk(b"junk", b"12345"))     # 29-byte chunk, 3 bytes of padding
    assert miniaudio.wav_get_info(data).num_frames == 500
    assert read_all(open_stream(kind, data, tmp_path)) == flat(frames)
