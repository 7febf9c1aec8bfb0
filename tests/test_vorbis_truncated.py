"""Ogg Vorbis files cut short or damaged: seek() lands on decode()'s frames, and memory, path and
file-object inputs give the same frames.

What was wrong (patches 0035 and 0036): from memory and from a path (stb_vorbis's pulling API)
seek() searched the pages by granule position only.  It failed for every target, seek(0)
included, when no complete page with a position lay near the end (a file cut inside its only
audio page, a last page with granule -1), and for every target past the last complete page's
position (a file cut mid-page decodes further); the length was that position, so stream.seek()
also refused frames that decode.  Through a Python file object (push mode) the packet the cut
runs through was dropped: 512 frames fewer than memory for the first 4000 bytes of mono.ogg.
Now a failed search decodes forward from the closest reachable point, the length is what
decodes (counted from the last page's position), and push mode decodes the cut packet too.

The inputs are made here from samples/*.ogg: their audio packets re-paged into many small pages
with exact granule positions (and repeated, for files past the 64 KiB where stb_vorbis's page
search turns binary), then cut at many byte offsets, at page boundaries, with the end-of-stream
flag or the last granule position removed or made bogus, or with garbage appended.
"""

import array
import io
import os
import shutil
import struct
import subprocess

import pytest

import miniaudio

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")


# ---- Ogg pages and Vorbis packets -----------------------------------------------------------

def _crc_table():
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


CRC_TABLE = _crc_table()


def ogg_crc(data):
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ CRC_TABLE[((crc >> 24) & 0xFF) ^ b]
    return crc


def parse_pages(data):
    """[(offset, end, flags, granule, lacing, body)] of the whole pages at the start of data."""
    pages, i = [], 0
    while i + 27 <= len(data) and data[i:i + 4] == b"OggS":
        nseg = data[i + 26]
        lacing = data[i + 27:i + 27 + nseg]
        end = i + 27 + nseg + sum(lacing)
        if len(lacing) < nseg or end > len(data):
            break
        granule = struct.unpack_from("<q", data, i + 6)[0]
        pages.append((i, end, data[i + 5], granule, bytes(lacing), data[i + 27 + nseg:end]))
        i = end
    return pages


def page_bytes(flags, granule, serial, seqno, lacing, body):
    header = b"OggS" + struct.pack("<BBqIII", 0, flags, granule, serial, seqno, 0) + bytes([len(lacing)]) + bytes(lacing)
    crc = ogg_crc(header + body)
    return header[:22] + struct.pack("<I", crc) + header[26:] + body


def packets_of(pages):
    packets, current = [], b""
    for _, _, _, _, lacing, body in pages:
        pos = 0
        for seg in lacing:
            current += body[pos:pos + seg]
            pos += seg
            if seg < 255:
                packets.append(current)
                current = b""
    return packets


def vorbis_modes(setup):
    """The blockflag of each mode, read backwards from the end of the setup header (the modes are
    its last fields: blockflag 1, windowtype 16, transformtype 16, mapping 8 bits each, LSB first)."""
    bits = [(byte >> k) & 1 for byte in setup for k in range(8)]
    end = max(i for i, b in enumerate(bits) if b)  # the framing bit
    pos = end

    def back(n):
        nonlocal pos
        pos -= n
        return sum(bits[pos + k] << k for k in range(n))

    modes, found = [], 0
    while pos >= 41 + 6 and len(modes) < 64:
        mapping, transform, window = back(8), back(16), back(16)
        blockflag = back(1)
        if transform or window or mapping > 63:
            break
        modes.append(blockflag)
        save = pos
        if back(6) + 1 == len(modes):
            found = len(modes)  # a count that fits; the longest one is the table (as FFmpeg reads it)
        pos = save
    assert found, "no Vorbis mode table found"
    return modes[:found][::-1]


def _bits(data):
    return [(byte >> k) & 1 for byte in data for k in range(8)]


def _from_bits(bits):
    bits = bits + [0] * (-len(bits) % 8)
    return bytes(sum(bits[i + k] << k for k in range(8)) for i in range(0, len(bits), 8))


def with_more_modes(setup, audio, count):
    """The setup header with its mode table grown to `count` modes (copies of mode 0), and the
    audio packets with their mode numbers widened to match: the same audio, in a stream of more
    modes than libvorbis writes (it writes two)."""
    modes = vorbis_modes(setup)
    bits = _bits(setup)
    end = max(i for i, b in enumerate(bits) if b)  # the framing bit
    table = end - 41 * len(modes)
    bits = (bits[:table - 6] + [((count - 1) >> k) & 1 for k in range(6)] + bits[table:end]
            + bits[table:table + 41] * (count - len(modes)) + [1])
    old, new = (len(modes) - 1).bit_length(), (count - 1).bit_length()
    # (every packet grows by a byte, so that no bit of it is lost)
    widened = [_from_bits(_bits(p)[:1 + old] + [0] * (new - old) + _bits(p)[1 + old:]) for p in audio]
    return _from_bits(bits), widened


def _header_pages(ident, comment, setup):
    """The three header packets in pages as libvorbis writes them: the first alone, then the other two."""
    def lace(p):
        return bytes([255] * (len(p) // 255) + [len(p) % 255])
    return [(0, 0, 2, 0, lace(ident), ident), (0, 0, 0, 0, lace(comment) + lace(setup), comment + setup)]


def vorbis_stream(name, mode_count=None):
    """(header pages, audio packets, block size of each, the short block size, serial) of
    samples/<name>; with `mode_count`, its mode table grown to that many modes (with_more_modes)."""
    data = open(os.path.join(SAMPLES, name), "rb").read()
    pages = parse_pages(data)
    packets = packets_of(pages)
    ident, setup, audio = packets[0], packets[2], packets[3:]
    blocksizes = (1 << (ident[28] & 15), 1 << (ident[28] >> 4))
    modes = vorbis_modes(setup)
    mode_bits = (len(modes) - 1).bit_length()
    sizes = []
    for p in audio:
        assert p[0] & 1 == 0, "audio packet expected"
        sizes.append(blocksizes[modes[(p[0] >> 1) & ((1 << mode_bits) - 1)]])
    header_pages, n = [], 0  # every page up to the one the setup header ends on
    for page in pages:
        header_pages.append(page)
        n += sum(1 for seg in page[4] if seg < 255)
        if n >= 3:
            break
    serial = struct.unpack_from("<I", data, 14)[0]
    if mode_count:
        setup, audio = with_more_modes(setup, audio, mode_count)
        header_pages = _header_pages(ident, packets[1], setup)
    return header_pages, audio, sizes, blocksizes[0], serial


def build_ogg(name, repeat=1, body_bytes=700, mode_count=None):
    """samples/<name>'s audio packets (repeated `repeat` times) in pages of about body_bytes,
    packets continued across pages as libogg does, each page's granule position exact: a packet
    adds a quarter of its block size and a quarter of the previous one's, and the first one
    (whose output decoders drop) starts the count at a quarter of (short block - its block),
    as libvorbis counts (checked against FFmpeg-encoded files: equal to their page positions)."""
    header_pages, audio, sizes, short, serial = vorbis_stream(name, mode_count)
    out = b"".join(page_bytes(f, g, serial, k, lac, body) for k, (_, _, f, g, lac, body) in enumerate(header_pages))
    # repeat a run of long blocks between long blocks: their window flags (previous and next
    # block long) stay true at the seams, so the stream decodes as a longer tone would
    inner = [i for i in range(1, len(sizes) - 1) if sizes[i - 1] == sizes[i] == sizes[i + 1] == max(sizes)]
    lo, hi = inner[0], inner[0]
    while hi + 1 in inner:
        hi += 1
    packets = audio[:lo] + audio[lo:hi + 1] * repeat + audio[hi + 1:]
    sizes = sizes[:lo] + sizes[lo:hi + 1] * repeat + sizes[hi + 1:]
    pages, lacing, body, continued, granule, done = [], [], b"", 0, (short - sizes[0]) // 4, -1
    for k, p in enumerate(packets):
        segs = [255] * (len(p) // 255) + [len(p) % 255]
        pos = 0
        for j, seg in enumerate(segs):
            lacing.append(seg)
            body += p[pos:pos + seg]
            pos += seg
            if j == len(segs) - 1:
                granule += sizes[k - 1] // 4 + sizes[k] // 4 if k else 0
                done = granule
            if len(lacing) == 255 or len(body) >= body_bytes:
                pages.append((continued, done, lacing, body))
                continued = 0 if j == len(segs) - 1 else 1
                lacing, body, done = [], b"", -1
    if lacing:
        pages.append((continued, done, lacing, body))
    for k, (cont, gran, lac, bod) in enumerate(pages):
        out += page_bytes(cont | (4 if k == len(pages) - 1 else 0), gran, serial, len(header_pages) + k, lac, bod)
    return out


# ---- what the API gives ------------------------------------------------------------------------

def native(data):
    info = miniaudio.vorbis_get_info(data)
    return {"nchannels": info.nchannels, "sample_rate": info.sample_rate,
            "output_format": miniaudio.SampleFormat.FLOAT32}


class Pipe(io.RawIOBase):
    """A file object that cannot seek (a pipe, a socket)."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        return self._f.readinto(b)


def open_stream(kind, data, path, **kw):
    if kind == "memory":
        return miniaudio.stream_memory(data, **kw)
    if kind == "path":
        return miniaudio.stream_file(path, **kw)
    if kind == "bytesio":
        return miniaudio.stream_any(io.BytesIO(data), **kw)
    return miniaudio.stream_any(Pipe(data), **kw)


def read_all(stream, chunk=8192):
    out = array.array("f")
    try:
        out.extend(stream.send(chunk))
        while True:
            out.extend(stream.send(chunk))
    except StopIteration:
        pass
    return out


def reference(data):
    """decode()'s samples (float32, the file's own channels and rate) and its frame count."""
    kw = native(data)
    ref = miniaudio.decode(data, **kw).samples
    return ref, len(ref) // kw["nchannels"]


def prepared(data, tmp_path):
    """(stream keywords, channels, decode()'s samples, its frame count, a path holding data)."""
    kw = native(data)
    ref, n = reference(data)
    path = str(tmp_path / "cut.ogg")
    with open(path, "wb") as f:
        f.write(data)
    return kw, kw["nchannels"], ref, n, path


def check_input(data, tmp_path, targets=None):
    """Every input kind gives decode()'s frames; seeks land on decode()'s samples there; a known
    length is the number of frames that decode."""
    kw, ch, ref, n, path = prepared(data, tmp_path)
    if targets is None:
        targets = sorted(t for t in {0, 1, n // 3, n // 2, n - 300, n - 1} if 0 <= t < n or t == 0)
    for kind in ("memory", "path", "bytesio", "pipe"):
        stream = open_stream(kind, data, path, **kw)
        assert stream.length in (None, n), (kind, stream.length, n)
        got = read_all(stream)
        assert len(got) // ch == n, (kind, len(got) // ch, n)
        assert got.tobytes() == ref.tobytes(), kind
        if kind == "pipe":
            # forward only: a pipe's stream skips by decoding
            stream = open_stream(kind, data, path, **kw)
            assert stream.seek(n // 2) == n // 2
            assert read_all(stream, 8191).tobytes() == ref[n // 2 * ch:].tobytes(), kind
            continue
        for target in targets + [0]:  # backwards again at the end
            assert stream.seek(target) == target, (kind, target)
            assert read_all(stream, 8191).tobytes() == ref[target * ch:].tobytes(), (kind, target)
    return n


def cuts(data, count):
    """`count` byte offsets spread over the audio, and cuts at (about `count`) page boundaries,
    inside page headers and just after segment tables."""
    pages = parse_pages(data)
    first_audio = pages[2][0]
    step = max(1, (len(data) - first_audio) // count)
    offsets = set(range(first_audio + 1, len(data), step))
    some = pages[3::max(1, len(pages) // count)]
    offsets |= {p[0] for p in some}                      # at a page boundary
    offsets |= {p[0] + 20 for p in some}                 # inside a page header
    offsets |= {p[0] + 27 + len(p[4]) for p in some}     # just after a segment table
    return sorted(o for o in offsets if first_audio < o < len(data))


# ---- the tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_repaged_files_have_libvorbis_positions(name):
    """The generator is right: the whole re-paged file decodes to its last page's position, and
    its packets are samples/<name>'s (same samples as the original, up to its end trimming)."""
    data = build_ogg(name, 1)
    pages = parse_pages(data)
    assert len(pages) >= 4
    ref, n = reference(data)
    assert n == pages[-1][3]
    orig = open(os.path.join(SAMPLES, name), "rb").read()
    orig_ref, orig_n = reference(orig)
    assert orig_n == parse_pages(orig)[-1][3] <= n
    assert ref[:len(orig_ref)] == orig_ref


def test_fuzz_finding_first_4000_bytes_of_mono_ogg(tmp_path):
    """The fuzz finding: seek() raised DecodeError (MA_ERROR) from memory and path, seek(0)
    included; push mode gave 9856 frames, memory 10368."""
    data = open(os.path.join(SAMPLES, "mono.ogg"), "rb").read()[:4000]
    assert check_input(data, tmp_path, targets=[0, 500, 5000, 10000]) == 10368


@pytest.mark.parametrize("name,repeat", [("mono.ogg", 1), ("tone.ogg", 1), ("mono.ogg", 8), ("tone.ogg", 20)])
def test_cut_short_anywhere(name, repeat, tmp_path):
    """Cut at byte offsets all over the audio, at page boundaries, inside page headers and just
    after segment tables.  tone.ogg x20 is 70 KB: stb_vorbis's page search is binary there."""
    data = build_ogg(name, repeat)
    decoded = set()
    for offset in cuts(data, 4 if repeat >= 20 else 6 if repeat > 1 else 12):
        decoded.add(check_input(data[:offset], tmp_path))
    assert len(decoded) > 5  # the cuts do decode to different lengths


def _with_last_page(data, flags=None, granule=None):
    pages = parse_pages(data)
    start, end, f, g, lacing, body = pages[-1]
    serial, seqno = struct.unpack_from("<II", data, start + 14)
    return data[:start] + page_bytes(f if flags is None else flags, g if granule is None else granule,
                                     serial, seqno, lacing, body)


DAMAGE = {
    "no end-of-stream flag": lambda d: _with_last_page(d, flags=0),
    "last granule -1": lambda d: _with_last_page(d, granule=-1),
    "last granule 3x": lambda d: _with_last_page(d, granule=parse_pages(d)[-1][3] * 3),
    "last granule halved": lambda d: _with_last_page(d, granule=parse_pages(d)[-1][3] // 2),
    "last granule 0": lambda d: _with_last_page(d, granule=0),
    "garbage appended": lambda d: d + bytes((k * 7919) & 0xFF for k in range(3000)),
    "100 KB of zeros appended": lambda d: d + bytes(100000),
    "cut and garbage appended": lambda d: d[:len(d) - 500] + b"OggS" + bytes(range(256)) * 4,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("name,repeat", [("tone.ogg", 1), ("tone.ogg", 20)])
def test_damaged_end(name, repeat, damage, tmp_path):
    check_input(DAMAGE[damage](build_ogg(name, repeat)), tmp_path)


def _check_failed_seek_moves_nothing(stream, target, ref, ch):
    """A seek past the frames that decode raises DecodeError and moves nothing (the streams'
    contract): position and the next chunk stay as they were."""
    before = stream.position
    with pytest.raises(miniaudio.DecodeError):
        stream.seek(target)
    assert stream.position == before
    assert read_all(stream, 8191).tobytes() == ref[before * ch:].tobytes()


@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
def test_seek_past_the_end(kind, tmp_path):
    """Past the frames that decode: a stream of known length refuses (ValueError, as for any
    format); one of unknown length (a file object) raises DecodeError and moves nothing; seek(n)
    ends the stream; seek(0) plays it again."""
    data = build_ogg("tone.ogg", 4)[:-333]
    kw = native(data)
    ch = kw["nchannels"]
    ref, n = reference(data)
    path = str(tmp_path / "cut.ogg")
    with open(path, "wb") as f:
        f.write(data)
    stream = open_stream(kind, data, path, **kw)
    assert stream.seek(1000) == 1000
    if stream.length is not None:
        assert stream.length == n
        with pytest.raises(ValueError):
            stream.seek(n + 1)
    else:
        _check_failed_seek_moves_nothing(stream, n + 5000, ref, ch)
    assert stream.seek(n) == n
    with pytest.raises(StopIteration):
        next(stream)
    assert stream.seek(0) == 0
    assert read_all(stream).tobytes() == ref.tobytes()


def test_seek_past_the_end_of_unknown_length(tmp_path):
    """From memory, a file whose end no page position bounds (the last 64 KiB hold no page): the
    length is unknown, a seek past the end fails and moves nothing, seeks within land right."""
    data = build_ogg("tone.ogg", 1) + bytes(70000)
    kw = native(data)
    ch = kw["nchannels"]
    ref, n = reference(data)
    stream = miniaudio.stream_memory(data, **kw)
    assert stream.length is None
    assert stream.seek(n // 3) == n // 3
    _check_failed_seek_moves_nothing(stream, n + 10, ref, ch)
    assert stream.seek(n // 2) == n // 2
    assert read_all(stream).tobytes() == ref[n // 2 * ch:].tobytes()


@pytest.mark.parametrize("damage", ["cut", "no end-of-stream flag", "last granule 3x", "last granule -1"])
def test_length_and_info_agree_with_decode(damage, tmp_path):
    """stream.length and get_file_info give the frames that decode (or unknown: None / 0)."""
    data = build_ogg("tone.ogg", 6)
    data = data[:len(data) * 2 // 3] if damage == "cut" else DAMAGE[damage](data)
    kw = native(data)
    _, n = reference(data)
    path = str(tmp_path / "x.ogg")
    with open(path, "wb") as f:
        f.write(data)
    assert miniaudio.get_file_info(path).num_frames in (0, n)
    assert miniaudio.vorbis_get_file_info(path).num_frames in (0, n)
    assert miniaudio.stream_memory(data, **kw).length in (None, n)
    assert miniaudio.stream_file(path, **kw).length in (None, n)
    if damage in ("cut", "no end-of-stream flag"):
        assert miniaudio.stream_memory(data, **kw).length == n  # knowable: counted from the last page


def test_whole_files_keep_their_length(tmp_path):
    """A whole file's length is its last page's position, as before (one frame counted)."""
    for name in ("mono.ogg", "tone.ogg"):
        data = open(os.path.join(SAMPLES, name), "rb").read()
        kw = native(data)
        assert miniaudio.stream_memory(data, **kw).length == parse_pages(data)[-1][3]
        assert miniaudio.stream_file(os.path.join(SAMPLES, name), **kw).length == parse_pages(data)[-1][3]


def test_empty_packets_through_a_file_object(tmp_path):
    """Packets of 0 bytes (legal in Ogg): push mode took stb_vorbis's 0 bytes used for "need more
    data" and ended there (0 frames through a file object, 43904 from memory; 43456 since its
    first two decoded packets, whose window flags name packets the file lacks, are lapped by their
    sizes: patch 0081; 43273 since 183 frames decoded ahead of a page's position after its empty
    packets are left out: patch 0086)."""
    data = open(os.path.join(HERE, "corpus", "hostile", "ogg_vorbis_audio_empty_packets.ogg"), "rb").read()
    kw = native(data)
    ref, n = reference(data)
    assert n == 43273
    path = str(tmp_path / "empty.ogg")
    with open(path, "wb") as f:
        f.write(data)
    for kind in ("memory", "path", "bytesio", "pipe"):
        assert read_all(open_stream(kind, data, path, **kw)).tobytes() == ref.tobytes(), kind


@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_cut_inside_the_setup_header(name, tmp_path):
    """A file cut inside its setup header cannot be decoded, and every input says so (patch 0069:
    bytes and paths read zeros past the cut as the last modes and mappings and opened an empty
    stream, while file objects and pipes refused it; the seek fuzz target's input is mono.ogg cut
    58 bytes before the end of its second page).  Cut right after the setup header, the file has
    no audio: every input gives 0 frames."""
    data = open(os.path.join(SAMPLES, name), "rb").read()
    pages = parse_pages(data)
    setup_end = pages[1][1]  # libvorbis puts the comment and setup headers on the second page
    path = str(tmp_path / "cut.ogg")
    for cut in (setup_end - 58, setup_end - 1, (pages[1][0] + setup_end) // 2):
        with open(path, "wb") as f:
            f.write(data[:cut])
        for kind in ("memory", "path", "bytesio", "pipe"):
            with pytest.raises(miniaudio.DecodeError):
                open_stream(kind, data[:cut], path)
        with pytest.raises(miniaudio.DecodeError):
            miniaudio.decode(data[:cut])
        with pytest.raises(miniaudio.DecodeError):
            miniaudio.get_file_info(path)
    with open(path, "wb") as f:
        f.write(data[:setup_end])
    for kind in ("memory", "path", "bytesio", "pipe"):
        assert len(read_all(open_stream(kind, data[:setup_end], path))) == 0, kind
    assert miniaudio.decode(data[:setup_end]).num_frames == 0


# ---- the seek's page search at the end of the input ----------------------------------------------

_SEEK_PAGE_SEARCH = """
import io, sys
import miniaudio
sys.path.insert(0, {tests!r})
from helpers import Pipe
data = open({path!r}, "rb").read()
out = []
for name, f in [
        ("get_info", lambda: miniaudio.vorbis_get_info(data).num_frames),
        ("get_file_info", lambda: miniaudio.get_file_info({path!r}).num_frames),
        ("decode", lambda: miniaudio.decode(data).num_frames),
        ("decode_file", lambda: miniaudio.decode_file({path!r}).num_frames),
        ("stream_memory", lambda: sum(len(c) for c in miniaudio.stream_memory(data))),
        ("stream_file", lambda: sum(len(c) for c in miniaudio.stream_file({path!r}))),
        ("stream_any(file)", lambda: sum(len(c) for c in miniaudio.stream_any(io.BytesIO(data)))),
        ("stream_any(pipe)", lambda: sum(len(c) for c in miniaudio.stream_any(Pipe(data))))]:
    try:
        out.append((name, f()))
    except miniaudio.MiniaudioError as e:
        out.append((name, type(e).__name__))
print(out)
"""


def test_the_seek_page_search_ends_at_the_end_of_the_input():
    """stb_vorbis's page search for a seek read a page cut short by the end of the input as the
    page before it again (its header buffer kept those bytes), at the same offset, forever: the
    length of a damaged 636-byte Ogg Vorbis (found by the auto fuzz target as a timeout) hung
    get_info(), decode() and every stream (patch 0075).  Run in a child process, so that a
    regression fails here instead of hanging the suite."""
    import subprocess
    import sys
    path = os.path.join(HERE, "corpus", "regressions", "fuzz-auto-vorbis-seek-page-search-loops-at-eof.bin")
    code = _SEEK_PAGE_SEARCH.format(tests=HERE, path=path)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    results = dict(eval(done.stdout))
    # nothing of it decodes: every way in says 0 frames, none raises and none hangs
    assert results == {name: 0 for name in results} and len(results) == 8, results


def page_without_position_running_past_the_end(data, k):
    """data with its k-th page damaged: no granule position, and 255 lacing values of 255 written
    over its start, so the page claims 65 KB more than the input holds (its length is unchanged)."""
    off, end, _, _, _, body = parse_pages(data)[k]
    header = bytearray(data[off:off + 27])
    struct.pack_into("<q", header, 6, -1)
    header[26] = 255
    page = bytes(header) + bytes([255]) * 255 + body
    return data[:off] + page[:end - off] + data[end:]


_DAMAGED_PAGE = """
import io, sys
import miniaudio
from miniaudio import SampleFormat as SF, FileFormat as FF
sys.path.insert(0, {tests!r})
from helpers import Pipe
path = {path!r}
data = open(path, "rb").read()
a = (SF.SIGNED16, 1, 44100)
frames = lambda s: sum(len(c) for c in s)
out = {{"get_info": miniaudio.vorbis_get_info(data).num_frames,
       "decode": miniaudio.decode(data, *a).num_frames,
       "decode_file": miniaudio.decode_file(path, *a).num_frames,
       "stream_memory": frames(miniaudio.stream_memory(data, *a)),
       "stream_file": frames(miniaudio.stream_file(path, *a)),
       "stream_any(file)": frames(miniaudio.stream_any(io.BytesIO(data), FF.VORBIS, *a)),
       "stream_any(pipe)": frames(miniaudio.stream_any(Pipe(data), FF.VORBIS, *a))}}
s = miniaudio.stream_memory(data, *a)
s.seek(1000)
out["after seek(1000)"] = frames(s)
print(out)
"""


@pytest.mark.parametrize("k", [3, 5, 8, 11])
def test_a_page_without_position_running_past_the_end_does_not_hang(tmp_path, k):
    """The class of the fuzz input above, built here: one audio page of a good file loses its
    granule position and claims more bytes than the input holds.  The length search met it, read
    past the end, and looped there (all four hung without patch 0075).  Every way in now gives the
    frames before the damaged page, the length is not known (0), and a seek lands."""
    import subprocess
    import sys
    path = tmp_path / "damaged.ogg"
    path.write_bytes(page_without_position_running_past_the_end(build_ogg("mono.ogg", repeat=8), k))
    code = _DAMAGED_PAGE.format(tests=HERE, path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    out = eval(done.stdout)
    n = out["decode"]
    assert n > 0 and out["get_info"] == 0
    assert {name: out[name] for name in ("decode_file", "stream_memory", "stream_file", "stream_any(file)",
                                         "stream_any(pipe)")} == dict.fromkeys(("decode_file", "stream_memory",
                                                                               "stream_file", "stream_any(file)",
                                                                               "stream_any(pipe)"), n)
    assert out["after seek(1000)"] == n - 1000


REGRESSIONS = os.path.join(HERE, "corpus", "regressions")


@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
def test_a_seek_in_a_file_of_unknown_length_goes_where_the_reads_go(tmp_path, kind):
    """The seek fuzz target's input (patch 0076): a damaged Ogg Vorbis whose length is not known
    (no page position agrees with decoding) reads 1,408 frames, but stb_vorbis's page search found
    pages past where the reads stop: seek(1409) from bytes or a path succeeded and gave 100 frames
    more.  Now seeks go as the reads go: past their end a seek is refused and the stream stays where
    it was; back and forward inside, the frames are decode()'s, sample for sample."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-unknown-length-seek-past-reads.bin"), "rb") as f:
        data = f.read()[64:]  # (the first 64 bytes are the fuzz target's control block)
    info = miniaudio.vorbis_get_info(data)
    assert info.num_frames == 0  # not known
    fb = 2 * info.nchannels
    args = (miniaudio.SampleFormat.SIGNED16, info.nchannels, info.sample_rate)
    ref = miniaudio.decode(data, *args).samples.tobytes()
    n = len(ref) // fb
    assert n == 1408
    path = tmp_path / "u.ogg"
    path.write_bytes(data)
    stream = {"memory": lambda: miniaudio.stream_memory(data, *args, 100, chunk_type="bytes"),
              "path": lambda: miniaudio.stream_file(str(path), *args, 100, chunk_type="bytes"),
              "bytesio": lambda: miniaudio.stream_any(io.BytesIO(data), miniaudio.FileFormat.VORBIS, *args, 100,
                                                      chunk_type="bytes")}[kind]()
    with stream as s:
        assert s.send(50) == ref[:50 * fb]
        for target in (n + 1, n + 100, 5000):
            with pytest.raises((ValueError, miniaudio.DecodeError)):
                s.seek(target)
            assert s.position == 50
        assert s.send(10) == ref[50 * fb:60 * fb]
        assert s.seek(1300) == 1300
        assert b"".join(s) == ref[1300 * fb:]
        assert s.seek(518) == 518
        assert s.send(100) == ref[518 * fb:618 * fb]
        assert s.seek(n) == n
        assert next(s, None) is None


def packet_that_decodes_to_nothing(data, k):
    """data with the first body byte of its k-th page set to 1: the packet that starts there says
    it is not an audio packet, so it decodes to nothing (the pages, their positions and the other
    packets are untouched)."""
    off, _, _, _, lacing, _ = parse_pages(data)[k]
    b = bytearray(data)
    b[off + 27 + len(lacing)] = 0x01
    return bytes(b)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_a_packet_that_decodes_to_nothing_mid_stream(tmp_path, k):
    """Found while fixing patch 0076's finding, on the first multi-page Ogg inputs of the fuzz
    targets (patch 0077).  Reads skipped the packet (256 frames fewer than the pages' positions
    count), while the length is the last page's position and stb_vorbis's seek finds frames by page
    position: seek(n + 1) past what decode() gave succeeded from bytes and paths, and the frames
    after a seek were not decode()'s.  Now the packet's frames are silence, in pull and push mode
    alike: every input gives decode()'s samples, the length is what decodes, and a seek lands on
    decode()'s frames."""
    data = packet_that_decodes_to_nothing(build_ogg("mono.ogg", repeat=3, body_bytes=400), k)
    info = miniaudio.vorbis_get_info(data)
    args = (miniaudio.SampleFormat.SIGNED16, 1, info.sample_rate)
    ref = miniaudio.decode(data, *args).samples.tobytes()
    n = len(ref) // 2
    path = tmp_path / "p.ogg"
    path.write_bytes(data)
    assert info.num_frames == n
    good = miniaudio.decode(build_ogg("mono.ogg", repeat=3, body_bytes=400), *args).samples.tobytes()
    assert len(good) == len(ref) and ref != good  # the same timeline, and the lost packet's place differs
    from helpers import Pipe
    for source in (io.BytesIO(data), Pipe(data)):
        assert b"".join(miniaudio.stream_any(source, miniaudio.FileFormat.VORBIS, *args, 1000,
                                             chunk_type="bytes")) == ref
    for s in (miniaudio.stream_memory(data, *args, 100, chunk_type="bytes"),
              miniaudio.stream_file(str(path), *args, 100, chunk_type="bytes"),
              miniaudio.stream_any(io.BytesIO(data), miniaudio.FileFormat.VORBIS, *args, 100, chunk_type="bytes")):
        with s:
            assert b"".join(s) == ref
            with pytest.raises((ValueError, miniaudio.DecodeError)):
                s.seek(n + 1)
            assert s.seek(n - 100) == n - 100
            assert len(b"".join(s)) == 200


def with_empty_page(data, k, flags=0, granule=-1):
    """data with a page of 0 segments (no packet, no position) before its k-th page, the pages
    after it renumbered."""
    pages = parse_pages(data)
    off = pages[k][0]
    serial, seq = struct.unpack_from("<II", data, off + 14)
    out = data[:off] + page_bytes(flags, granule, serial, seq, b"", b"")
    for j, (_, _, fl, g, lac, body) in enumerate(pages[k:]):
        out += page_bytes(fl, g, serial, seq + 1 + j, lac, body)
    return out


@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_a_page_of_no_segments_is_skipped(name, tmp_path):
    """A page of 0 segments holds no packet, and Ogg readers go on at the next page (FFmpeg
    decodes such files in full).  stb_vorbis read the page before's segment table again from
    memory and ended the stream, and from a path ended it at once (a read of 0 bytes from a FILE
    counted as the end of the file): the seek fuzz target found bytes and paths disagreeing on a
    damaged file (patch 0078).  Now such a page anywhere (between packets, inside one that goes on
    over pages, at the end as libogg's empty last page) changes nothing: every input gives the
    samples of the file without it, and seeks land on them."""
    good = build_ogg(name, repeat=2, body_bytes=400)
    pages = parse_pages(good)
    kw = native(good)
    expected = miniaudio.decode(good, **kw).samples.tobytes()
    serial = struct.unpack_from("<I", good, 14)[0]
    variants = [with_empty_page(good, k) for k in (2, 3, len(pages) // 2, len(pages) - 1)]
    # inside a packet that goes on over pages: the setup header's page cut in two mid-packet,
    # the empty page between the halves, flagged "continued" as the page after it is
    lacing, body = pages[1][4], pages[1][5]
    cut = next(i for i in range(1, len(lacing)) if lacing[i - 1] == 255)
    split = (good[:pages[1][0]] + page_bytes(0, -1, serial, 1, lacing[:cut], body[:sum(lacing[:cut])]) +
             page_bytes(1, pages[1][3], serial, 2, lacing[cut:], body[sum(lacing[:cut]):]) +
             b"".join(page_bytes(fl, g, serial, 3 + j, lac, bod) for j, (_, _, fl, g, lac, bod) in enumerate(pages[2:])))
    assert miniaudio.decode(split, **kw).samples.tobytes() == expected  # the cut alone changes nothing
    variants.append(with_empty_page(split, 2, flags=1))
    variants.append(good + page_bytes(4, pages[-1][3], serial, len(pages), b"", b""))  # libogg's
    assert len(variants) == 6
    for data in variants:
        assert miniaudio.decode(data, **kw).samples.tobytes() == expected
        assert check_input(data, tmp_path) == len(expected) // 4 // kw["nchannels"]


def test_the_fuzz_finding_of_a_page_of_no_segments(tmp_path):
    """The seek fuzz target's input: a damaged Ogg Vorbis of unknown length whose page of 0
    segments ended a path's stream 256 frames before the same bytes' from memory (every read after
    seek(4096) came up short).  Every way in now gives decode()'s frames."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-file-page-of-no-segments.bin"), "rb") as f:
        data = f.read()[64:]
    path = tmp_path / "z.ogg"
    path.write_bytes(data)
    args = (miniaudio.SampleFormat.SIGNED16, 1, 22050)
    ref = miniaudio.decode(data, *args).samples.tobytes()
    assert miniaudio.decode_file(str(path), *args).samples.tobytes() == ref
    from helpers import Pipe
    for make in (lambda: miniaudio.stream_memory(data, *args, 192, chunk_type="bytes"),
                 lambda: miniaudio.stream_file(str(path), *args, 192, chunk_type="bytes"),
                 lambda: miniaudio.stream_any(io.BytesIO(data), miniaudio.FileFormat.VORBIS, *args, 192,
                                              chunk_type="bytes"),
                 lambda: miniaudio.stream_any(Pipe(data), miniaudio.FileFormat.VORBIS, *args, 192,
                                              chunk_type="bytes")):
        with make() as s:
            assert b"".join(s) == ref
        with make() as s:
            assert s.seek(4096) == 4096
            assert b"".join(s) == ref[4096 * 2:]


def test_a_position_on_a_page_where_no_packet_ends(tmp_path):
    """A page whose granule position is set while no packet ends on it (damaged: the Ogg spec says
    -1 there).  stb_vorbis' seek, when its page search stopped on such a page, took "no known
    place" (-2) for the segment to start decoding at, and read before the page's segment table
    (UBSan, the decode_file fuzz target; patch 0080).  Now the seek fails inside and the frame is
    found by decoding: wherever such a page stands, every input kind gives the samples of the file
    without it and seeks land on them, the page's own position included.  (The stray read took
    the high bytes of the page's segment count, 0 for any real page, so the samples came out the
    same before; what fails on the old code is the replay of the fuzz input under UBSan in
    tests/test_fuzz.py.  This test pins that failing the seek inside changes no sample.)"""
    good = build_ogg("mono.ogg", repeat=2, body_bytes=400)
    pages = parse_pages(good)
    kw = native(good)
    expected = miniaudio.decode(good, **kw).samples.tobytes()
    n = len(expected) // 4 // kw["nchannels"]
    audio = [k for k in range(len(pages)) if pages[k][3] > 0]
    for k in (audio[0], audio[1], len(pages) // 2, len(pages) - 1):
        # the position of the page before (what libogg gives an empty page), and one ahead
        for granule in (pages[k - 1][3], pages[k][3] - 64):
            data = with_empty_page(good, k, granule=granule)
            assert miniaudio.decode(data, **kw).samples.tobytes() == expected, (k, granule)
            near = {granule - 1, granule, granule + 1, granule + 300}
            targets = sorted({0, n // 2, n - 1} | {t for t in near if 0 <= t < n})
            assert check_input(data, tmp_path, targets) == n, (k, granule)


def test_the_fuzz_finding_of_a_position_on_a_page_where_no_packet_ends(tmp_path):
    """The decode_file fuzz target's input (replayed under UBSan by tests/test_fuzz.py): its
    length check seeks, and the page search stops on an empty page with a position.  Its length is
    unknown now, and every way in gives decode()'s frames."""
    with open(os.path.join(REGRESSIONS, "fuzz-decode_file-vorbis-segment-index-minus-2.bin"), "rb") as f:
        data = f.read()
    path = tmp_path / "z.ogg"
    path.write_bytes(data)
    ref = miniaudio.decode(data, nchannels=1, sample_rate=22050).samples
    assert len(ref) > 0
    assert miniaudio.decode_file(str(path), nchannels=1, sample_rate=22050).samples == ref
    info = miniaudio.get_file_info(str(path))
    assert info.num_frames in (0, len(miniaudio.decode(data, nchannels=1, sample_rate=info.sample_rate).samples))


def build_looped(name, passes, body_bytes=1800):
    """samples/<name>'s audio packets `passes` times over, joined as copying packets joins them
    (ffmpeg -stream_loop -c copy, an Icecast source looping a file): the last packet's "next"
    flag says long where the first audio packet, which follows it, is short.  Pages positioned as
    libvorbis counts (the sizes the blocks have), as FFmpeg's are."""
    header_pages, audio, sizes, short, serial = vorbis_stream(name)
    out = b"".join(page_bytes(f, g, serial, k, lac, body) for k, (_, _, f, g, lac, body) in enumerate(header_pages))
    packets, sizes = audio * passes, sizes * passes
    pages, lacing, body, granule, seq = [], [], b"", (short - sizes[0]) // 4, len(header_pages)
    for k, p in enumerate(packets):
        assert len(p) < 255 * 255
        lacing += [255] * (len(p) // 255) + [len(p) % 255]
        body += p
        granule += sizes[k - 1] // 4 + sizes[k] // 4 if k else 0
        if len(body) >= body_bytes or k == len(packets) - 1:
            pages.append((granule, lacing, body))
            lacing, body = [], b""
    for k, (gran, lac, bod) in enumerate(pages):
        out += page_bytes(4 if k == len(pages) - 1 else 0, gran, serial, seq + k, lac, bod)
    one_pass = sum(sizes[k - 1] // 4 + sizes[k] // 4 for k in range(len(audio), 2 * len(audio)))
    return out, one_pass


@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_a_looped_stream_keeps_every_frame_of_each_pass(name, tmp_path):
    """A file looped by copying its packets joins its last packet, whose window flag says the next
    block is long, to its first audio packet, a short one.  stb_vorbis lapped the two windows by
    the flag, so each pass lost frames (448 of tone.ogg's 44.1 kHz passes: an Icecast station
    looping a file played 44,864 frames a pass where its pages and FFmpeg count 45,312), and the
    page positions ran ahead of decode().  Now the windows are lapped by the blocks' sizes, as
    libvorbis and FFmpeg do (patch 0081): decode() gives the frames the pages count and FFmpeg
    gives, each pass the same samples, and every input kind and seek agrees."""
    data, one_pass = build_looped(name, 3)
    n = parse_pages(data)[-1][3]
    kw = native(data)
    ch = kw["nchannels"]
    x = miniaudio.decode(data, **kw).samples
    assert len(x) // ch == n
    # each pass the same samples, once the first has begun (its first packet only primes)
    a = x[ch * (one_pass // 2):ch * (one_pass // 2 + one_pass)]
    b = x[ch * (one_pass // 2 + one_pass):ch * (one_pass // 2 + 2 * one_pass)]
    assert len(b) == len(a) and a == b
    assert check_input(data, tmp_path, targets=[0, one_pass - 300, one_pass + 5, 2 * one_pass + 1]) == n


@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_a_looped_stream_decodes_as_ffmpeg_does(name, tmp_path):
    """FFmpeg's decode of the looped stream above: the same frames, and the same samples within
    float rounding (3e-7 here) but at the 2 joins, where its windows' shapes differ from
    libvorbis' a little (within half a long block of each, by at most 2 % of full scale).  Before,
    each pass was a few hundred frames short, and everything after the first join was off."""
    if shutil.which("ffmpeg") is None:
        if os.environ.get("MINIAUDIO_REQUIRE_FFMPEG") == "1":
            pytest.fail("MINIAUDIO_REQUIRE_FFMPEG=1 but ffmpeg is not installed", pytrace=False)
        pytest.skip("ffmpeg not installed (Debian package ffmpeg)")
    data, _ = build_looped(name, 3)
    kw = native(data)
    ch = kw["nchannels"]
    x = miniaudio.decode(data, **kw).samples
    path = tmp_path / "looped.ogg"
    path.write_bytes(data)
    ff = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(path), "-f", "f32le", "-"],
                        capture_output=True, check=True).stdout
    theirs = array.array("f", ff)
    assert len(theirs) == len(x)
    off = [abs(p - q) for p, q in zip(x, theirs) if abs(p - q) > 1e-5]
    long_block = max(vorbis_stream(name)[2])
    assert len(off) // ch <= 2 * long_block // 2 and max(off) < 0.02, (len(off), max(off))


@pytest.mark.parametrize("body_bytes", [1000, 2500, 5000, 8000, 30000])
@pytest.mark.parametrize("name", ["mono.ogg", "tone.ogg"])
def test_seeks_in_a_looped_stream_land_where_reads_are(name, body_bytes, tmp_path):
    """A seek skips the packets far before its target without decoding them, counting their
    frames; it counted them by the window flags, so where a join's flags disagree with the block
    sizes (the looped stream above) seeks past a join landed on other frames than a read gives
    there, 448 later in tone.ogg (13 to 53 of its 136 targets in pages of 1,000 to 8,000 bytes;
    26 to 35 of mono.ogg's 68 in pages of 1,000 and 2,500).
    Now the skipped packets count as reads count them (lapped by size), so every seek from bytes,
    a path and a file object gives decode()'s samples at its target."""
    data, one_pass = build_looped(name, 3, body_bytes=body_bytes)
    kw, ch, ref, n, path = prepared(data, tmp_path)
    targets = list(range(0, n, 997)) + [one_pass + 1, 2 * one_pass + 1, n - 1]
    for kind in ("memory", "path", "bytesio"):
        stream = open_stream(kind, data, path, **kw)
        wrong = []
        for target in targets:
            assert stream.seek(target) == target, (kind, target)
            got = stream.send(256)
            if got.tobytes() != ref[target * ch:(target + 256) * ch].tobytes():
                wrong.append(target)
        assert wrong == [], (kind, len(wrong), len(targets), wrong[:5])


def with_mode_bit_flipped(data, k, j):
    """data with the j-th packet of its k-th page read as the other block size: the first bit after
    the packet type is the mode number (these files have 2 modes: 0 short, 1 long).  The pages,
    their positions and the other packets are untouched."""
    off, _, _, _, lacing, _ = parse_pages(data)[k]
    b = bytearray(data)
    b[off + 27 + len(lacing) + sum(lacing[:j])] ^= 2
    return bytes(b)


def _mode_flips(name, repeat):
    pages = parse_pages(build_ogg(name, repeat=repeat, body_bytes=400))
    picks = [(2, j) for j in range(len(pages[2][4]))] + [(3, 0), (3, 5)]
    picks += [(k, len(pages[k][4]) // 2) for k in range(4, len(pages) - 1)]
    return [(name, repeat, k, j) for k, j in picks]


# (None left open: a short block read as a long one gives more frames than the positions count,
# which are left out (patch 0086); the first packet read as a long block shifted the start (patch
# 0087).)
_OPEN_FLIPS = set()


@pytest.mark.parametrize("name,repeat,k,j", [
    pytest.param(*p, marks=pytest.mark.xfail(strict=True, reason="more frames than the page positions count "
                                              "(open, RELIABILITY.md)"))
    if (p[0], p[2], p[3]) in _OPEN_FLIPS else p
    for p in _mode_flips("mono.ogg", 3) + _mode_flips("tone.ogg", 1)])
def test_a_packet_that_decodes_to_a_shorter_block(name, repeat, k, j, tmp_path):
    """Found by the seek fuzz target (patch 0082): a packet damaged so that it decodes as a short
    block where a long one was (its mode bit) gives fewer frames than the page positions count:
    decode() was 256 frames short of the length, and seeks landed off decode()'s frames.  Now the
    frames missing before a page's position are given as silence: every input gives decode()'s
    samples, the length is what decodes (the file's own, as the pages say), and seeks land on
    decode()'s frames.  (tone.ogg's first packet read as a long block left the packet after it no
    frames, and every input took that for the end: the file was empty, where FFmpeg plays it.  Such
    a packet is passed over now, and that file too gives its length.)"""
    good = build_ogg(name, repeat=repeat, body_bytes=400)
    data = with_mode_bit_flipped(good, k, j)
    n = check_input(data, tmp_path, targets=[0, 1000, 20000])
    assert n == parse_pages(good)[-1][3] == reference(good)[1]


@pytest.mark.parametrize("j", range(17))
def test_seeks_after_a_damaged_block_size_give_the_samples_reads_give(j, tmp_path):
    """Each packet of mono.ogg's first audio page (re-paged) read as the other block size: a seek to
    every 97th frame of the first 2 pages, from bytes and a path, gives decode()'s samples there.
    A seek skips the packets far before its target and decodes from a packet or so before it;
    where that first decoded packet was lapped by size with the wider window of a packet it
    skipped (patch 0081), a read mixes that window's tail into it and the seek did not: with the
    16th packet damaged, seeks to frames 7,469 and 7,500 gave other samples (by up to 0.06).  Now
    such a seek starts again, decoding one packet more (patch 0089)."""
    good = build_ogg("mono.ogg", repeat=3, body_bytes=400)
    data = with_mode_bit_flipped(good, 2, j)
    kw, ch, ref, n, path = prepared(data, tmp_path)
    positions = [p[3] for p in parse_pages(good)]
    targets = list(range(0, positions[3], 97)) + [7469, 7500]
    for kind in ("memory", "path"):
        stream = open_stream(kind, data, path, **kw)
        wrong = []
        for target in targets:
            assert stream.seek(target) == target, (kind, target)
            if stream.send(64).tobytes() != ref[target * ch:(target + 64) * ch].tobytes():
                wrong.append(target)
        assert wrong == [], (kind, wrong)


@pytest.mark.parametrize("name,repeat", [("mono.ogg", 3), ("tone.ogg", 1)])
def test_a_packet_that_decodes_to_a_longer_block(name, repeat, tmp_path):
    """The other direction: a short block damaged into a long one (its mode bit) gives more frames
    than the page positions count (256 in mono.ogg re-paged, 896 in tone.ogg), so decode() gave
    more frames than the length, and seeks in and after that page landed off decode()'s frames (266
    of 308 targets of tone.ogg).  Now as many frames are left out after the page's position: every
    input gives the pages' frames, and a seek to every 97th frame of the first 3 pages gives
    decode()'s samples there, from bytes, a path and a file object."""
    good = build_ogg(name, repeat=repeat, body_bytes=400)
    data = with_mode_bit_flipped(good, 2, 1)
    positions = [p[3] for p in parse_pages(good)]
    targets = list(range(0, positions[4], 97))
    n = check_input(data, tmp_path, targets=targets)
    assert n == positions[-1] == reference(good)[1]


def test_the_fuzz_finding_of_a_shorter_block(tmp_path):
    """The seek target's input: decode() gave 21,504 frames where the stream said 22,144, and
    seek(21505) succeeded."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-shorter-block-before-position.bin"), "rb") as f:
        data = f.read()[64:]
    assert check_input(data, tmp_path) == 22144


def test_the_length_stops_where_reads_stop(tmp_path):
    """The agree fuzz target's input: a damaged Ogg Vorbis whose page after its last counted
    position has no capture pattern.  stb_vorbis stops there with a short read and goes on past it
    at its next call; the reads end at the first short read, the length count went on and counted
    what follows (get_info and a stream's length said 384-512 frames more than decode() gives).
    Now the count stops where the reads stop (patch 0083)."""
    with open(os.path.join(REGRESSIONS, "fuzz-agree-vorbis-length-from-last-page-not-what-decodes.bin"), "rb") as f:
        data = f.read()
    kw = native(data)
    n = check_input(data, tmp_path)
    assert miniaudio.stream_memory(data, **kw).length == n
    assert miniaudio.vorbis_get_info(data).num_frames == n


def test_the_length_counts_after_a_seek_as_reads_count(tmp_path):
    """The agree fuzz target's input (twelfth long run): a damaged Ogg Vorbis whose get_info() and
    stream length said 8,000 frames where decode() and every stream give 7,552.  The length is
    counted from the last page with a position, after a seek there; that seek counted the packets
    it skipped by their window flags, where reads lap them by size (patch 0081).  Now it counts
    them as reads do (patch 0085).  (Its last page with a position lies inside the body of a
    damaged page that the reads parse across it, so since patch 0092 no length is counted from
    that page: not known until a read reaches the end.  Counted from it, the length came out right
    here, and 64 frames short in the input of test_a_last_page_inside_a_damaged_page_gives_no_length.)"""
    with open(os.path.join(REGRESSIONS, "fuzz-agree-vorbis-length-after-a-seek-that-counted-by-flags.bin"), "rb") as f:
        data = f.read()
    kw = native(data)
    n = check_input(data, tmp_path)
    assert n == 7552
    assert miniaudio.stream_memory(data, **kw).length in (None, n)
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)


def test_pushed_data_counts_positions_from_the_start_too(tmp_path):
    """The seek fuzz target's input: a damaged Ogg Vorbis whose first page with a position has a
    garbage one.  Where positions start was measured only for bytes and paths (patch 0084), so
    a file object and a pipe read every later position as frames from 0 and gave 2,944 frames of
    silence at the last page (19,584 frames, where bytes and paths give 16,640), and a file
    object's seek() went to frames decode() does not have.  Now pushed data measures it too
    (patch 0088): every input gives decode()'s frames, and seeks land on them."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-garbage-first-position-push-and-pull.bin"), "rb") as f:
        data = f.read()[64:]
    n = check_input(data, tmp_path, targets=[0, 1000, 12000, 16000, 16639])
    assert n == 16640


def test_a_last_page_inside_a_damaged_page_gives_no_length(tmp_path):
    """The agree fuzz target's input: an Ogg Vorbis whose first audio page states a body of 3,007
    bytes over the pages of a cut stream that follow it.  The reads go from page to page by the
    stated sizes, so they parse that body across those pages' bytes (11,392 frames); the length was
    counted from the last page with a position, found searching backwards from the end, a page
    inside that body that the reads never get to (11,328 frames): get_info() and the length said
    11,328.  Now the length is counted only from a last page that a walk of the page headers by
    their sizes reaches (patch 0092); here it is not known."""
    with open(os.path.join(REGRESSIONS, "fuzz-agree-vorbis-last-page-inside-a-page-the-reads-parse.bin"), "rb") as f:
        data = f.read()
    n = check_input(data, tmp_path, targets=[0, 5000, 11000, 11391])
    assert n == 11392
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)
    assert miniaudio.stream_memory(data).length in (None, n)


def test_a_seek_past_a_packet_that_decodes_to_nothing_lands_where_reads_are(tmp_path):
    """The seek fuzz target's input (from a CI run): a damaged Ogg Vorbis whose first audio page
    holds a packet that decodes to nothing.  Reads give the frames that page's position counts
    there as silence (2,816 frames), but a seek skips packets without decoding them: seek(4096)
    from bytes or a path gave the samples of frame 6,912, where a file object gave decode()'s.
    Now a seek whose skipped packets do not reach a page's position fails inside the decoder, and
    the stream decodes to the target as the reads go (patch 0093)."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-skipped-packet-decodes-to-nothing.bin"), "rb") as f:
        data = f.read()[64:]
    n = check_input(data, tmp_path, targets=[1000, 2500, 4000, 4096, 5000, 5300, 8192, 20000])
    assert n == 22144


def with_positions_shifted(data, shift):
    """data with every page position above 0 moved by `shift` (modulo 2**64), the pages otherwise
    the same."""
    serial = struct.unpack_from("<I", data, 14)[0]
    return b"".join(page_bytes(fl, (g + shift) % 2 ** 64 if g > 0 else g, serial, k, lac, body)
                    for k, (_, _, fl, g, lac, body) in enumerate(parse_pages(data)))


@pytest.mark.parametrize("shift", [1000, 100000, -3000, 2 ** 31 + 5, 2 ** 32 + 1000])
def test_positions_count_from_the_start(shift, tmp_path):
    """A stream recorded from the middle of a live one keeps the positions it had there: its first
    page's position is the frames before it plus where the recording began.  The length was the
    last page's position (143,136 frames for 43,136 that decode, shifted by 100,000), or 0 for a
    stream while get_info() said 2,147,526,789 (shifted past 2**31), and seek(N) found frame
    N - shift by the positions.  Now, as libvorbisfile does, the first position less the frames
    decoded up to it is the stream's start (patch 0084): the length is what decodes, and seeks land
    on decode()'s frames, from memory, a path, a file object and a pipe."""
    good = build_ogg("mono.ogg", repeat=2, body_bytes=400)
    n = reference(good)[1]
    data = with_positions_shifted(good, shift)
    kw = native(data)
    assert miniaudio.decode(data, **kw).samples == miniaudio.decode(good, **kw).samples
    assert check_input(data, tmp_path) == n
    assert miniaudio.stream_memory(data, **kw).length == n
    assert miniaudio.vorbis_get_info(data).num_frames == n
