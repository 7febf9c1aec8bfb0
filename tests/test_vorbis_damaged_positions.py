"""Ogg Vorbis page positions that disagree with the frames their packets give.

Reads count the packets' frames from the start; seeks and the length go by the page positions.
Where one page's position is damaged, or the positions drift from the packets, a seek must still
land where the reads are, and a length must be the frames that decode or not known."""

import os
import struct

import pytest

import miniaudio
from test_vorbis_truncated import build_ogg, check_input, native, page_bytes, parse_pages, prepared, open_stream, \
    reference

REGRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "regressions")
HOSTILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "hostile")


def with_page(data, k, flags=None, granule=None):
    """data with page k's header flags and/or position set (as test_vorbis_truncated's
    _with_last_page does for the last page), the pages otherwise the same."""
    serial = struct.unpack_from("<I", data, 14)[0]
    return b"".join(page_bytes(flags if i == k and flags is not None else fl,
                               granule if i == k and granule is not None else g, serial, i, lac, body)
                    for i, (_, _, fl, g, lac, body) in enumerate(parse_pages(data)))


GOOD = build_ogg("mono.ogg", repeat=3, body_bytes=400)
POSITIONS = [p[3] for p in parse_pages(GOOD)]   # 0, 0 (headers), then the audio pages'


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("delta", [256, -256, 97])
def test_one_damaged_page_position_is_not_trusted(k, delta, tmp_path):
    """One audio page's position off by a few frames (the first audio page, the second, one in the
    middle).  Two fuzz findings were of this shape: a seek started from a damaged page trusting
    its position, and landed that many frames off a read (the length, counted after a seek, said
    22,400 for 22,144 frames that decode); and a damaged first position made the offset of all the
    later ones, so that the length said 13,089 for 12,992 and seek(12993) gave frames no read
    gives.  Now a seek checks the position of the page it starts from against the frames of that
    page's packets, the offset is taken where positions agree, and every input gives decode()'s
    frames, the same after seeks all around the damaged page."""
    data = with_page(GOOD, k, granule=POSITIONS[k] + delta)
    n = reference(GOOD)[1]
    lo, hi = POSITIONS[k - 1] if k > 2 else 0, POSITIONS[k + 1]
    targets = sorted({0, 1, n - 1} | set(range(max(0, lo - 600), min(hi + 600, n), 701)))
    assert check_input(data, tmp_path, targets=targets) == n
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)
    kw = native(data)
    assert miniaudio.stream_memory(data, **kw).length in (None, n)


def test_positions_that_drift_from_the_packets(tmp_path):
    """A hostile file whose positions count 5,512 or 5,513 frames a page where its packets give
    5,120 or 6,144: its last position says 25,433 frames, the reads gave 26,696.  Seeks by the
    positions landed off the reads (11 of 27 seeks to every 997th frame gave other samples), and
    the length said 25,433.  Now the seeks land on decode()'s samples (each decodes from the start,
    as the positions cannot be trusted) and the length is not known until the end.  The reads give
    24,802: where the positions drift from the frames the reads gave and the next position keeps
    the same drift, the frames are given as silence or left out there, as for frames lost to
    damage."""
    with open(os.path.join(HOSTILE, "ogg_lacing_past_end.ogg"), "rb") as f:
        data = f.read()
    kw, ch, ref, n, path = prepared(data, tmp_path)
    assert n == 24802
    assert miniaudio.vorbis_get_info(data).num_frames == 0
    for kind in ("memory", "path", "bytesio"):
        stream = open_stream(kind, data, path, **kw)
        assert stream.length is None
        for target in range(0, n, 997):
            assert stream.seek(target) == target
            assert stream.send(64).tobytes() == ref[target * ch:(target + 64) * ch].tobytes(), (kind, target)


def _regression(name, control=0):
    with open(os.path.join(REGRESSIONS, name), "rb") as f:
        return f.read()[control:]


def test_the_fuzz_finding_of_a_damaged_position_a_seek_started_from(tmp_path):
    """The agree target's input: mono.ogg re-paged, its third audio page's position 12,672 where
    its packets end at 12,416.  get_info() said 22,400 frames, decode() gives 22,144."""
    data = _regression("fuzz-agree-vorbis-damaged-position-of-the-page-a-seek-starts-from.bin")
    n = check_input(data, tmp_path, targets=[0, 5000, 12000, 12500, 13000, 16000, 22143])
    assert n == 22144
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)


def test_the_fuzz_finding_of_a_damaged_first_position(tmp_path):
    """The seek target's input: a damaged Ogg Vorbis whose first audio page says 2,655 where its
    packets give 2,752, the later pages as their packets count (then garbage).  The length said
    13,089, the reads give 12,992, and seek(12993) gave 96 frames.  Now the length is not known up
    front (the length check's seek meets the damaged page and fails), and seek(12993) is refused
    and moves nothing."""
    data = _regression("fuzz-seek-vorbis-damaged-first-position-makes-the-offset.bin", control=64)
    n = check_input(data, tmp_path, targets=[0, 2000, 2700, 3000, 8000, 12000, 12991])
    assert n == 12992
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)
    kw, ch, ref, _, path = prepared(data, tmp_path)
    for how in ("memory", "path", "bytesio"):
        stream = open_stream(how, data, path, **kw)
        assert stream.length in (None, n)
        with pytest.raises((ValueError, miniaudio.DecodeError)):
            stream.seek(12993)
        assert stream.position == 0
        assert stream.send(100).tobytes() == ref[:100 * ch].tobytes()


@pytest.mark.parametrize("k", [2, 3, 6])
def test_a_page_marked_last_before_the_end(k, tmp_path):
    """An audio page in the middle marked as the stream's last (its end-of-stream flag; the agree
    fuzz target's input had it on the first audio page).  The reads end with that page, from every
    input; get_info() said the frames of the whole file (18,112 for 2,752 that decode in the fuzz
    input), counted from the last page, which the walk of the page headers reached past the
    flagged one.  Now that walk stops at a page marked last, and the length is not known."""
    data = with_page(GOOD, k, flags=4)
    n = check_input(data, tmp_path)
    assert n == POSITIONS[k]
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)
    fuzz = _regression("fuzz-agree-vorbis-end-of-stream-flag-on-an-early-page.bin")
    assert check_input(fuzz, tmp_path, targets=[0, 1000, 2751]) == 2752
    assert miniaudio.vorbis_get_info(fuzz).num_frames in (0, 2752)


def _packet_offsets(data, k):
    """Where each packet that starts on page k of data starts (its first byte)."""
    from vorbis_damage_probe import packet_starts
    return [at for at, _ in packet_starts(parse_pages(data), k)]


TONE = build_ogg("tone.ogg", repeat=1, body_bytes=400)


@pytest.mark.parametrize("name", ["tone.ogg", "mono.ogg"])
@pytest.mark.parametrize("k", [3, 4, 5])
@pytest.mark.parametrize("last", [-1, -2])
def test_damage_that_the_window_flags_do_not_show(name, k, last, tmp_path):
    """Three long blocks of one page damaged so that their flags agree with their sizes: the
    first's "next" flag says short, and the two after it are read as short blocks.  No packet
    counts as damaged, so no silence stood for the frames lost (1,792 in tone.ogg), and the reads
    stayed 1,344 frames behind the positions to the end: decode() gave 43,392 frames where the
    length said 44,736, and seeks just after the page landed 1,344 frames off a read (found
    probing runs of damaged packets).  Now the next position says the frames were lost: they are
    given as silence there, and every input, seek and length agrees with the positions."""
    good = TONE if name == "tone.ogg" else GOOD
    positions = [p[3] for p in parse_pages(good)]
    b = bytearray(good)
    first, second, third = _packet_offsets(good, k)[last - 2:][:3]
    assert b[first] & 2 and b[second] & 2 and b[third] & 2  # long blocks
    b[first] &= ~8
    b[second] &= ~2
    b[third] &= ~2
    data = bytes(b)
    targets = list(range(positions[k - 1] - 500, positions[k + 2], 97))
    assert check_input(data, tmp_path, targets=targets) == positions[-1]
    assert miniaudio.vorbis_get_info(data).num_frames == positions[-1]


def test_the_probe_input_of_damage_the_flags_do_not_show(tmp_path):
    """The input the probe found (tone.ogg, its fifth audio page's packets 4-6 damaged)."""
    data = _regression("fuzz-agree-vorbis-window-flags-damaged-to-agree.bin")
    assert check_input(data, tmp_path, targets=list(range(15000, 23000, 61))) == 44736
    assert miniaudio.vorbis_get_info(data).num_frames == 44736


def test_a_packet_all_left_out_is_not_the_end(tmp_path):
    """The first two packets of tone.ogg read as long blocks (their mode bits): decoding runs ahead
    of the first position, and the frames ahead are left out of the next ones given.  Where they
    were more than one packet's frames, that packet gave 0 frames, which the reads took for the
    end: 4,096 of 44,736 frames from every input (found probing damaged packets).  Now such a
    packet is passed over."""
    positions = [p[3] for p in parse_pages(TONE)]
    b = bytearray(TONE)
    first, second = _packet_offsets(TONE, 2)[:2]
    b[first] |= 2 | 4 | 8
    b[second] = (b[second] | 2 | 8) & ~4
    data = bytes(b)
    assert check_input(data, tmp_path, targets=list(range(0, positions[4], 211))) == positions[-1]
    fuzz = _regression("fuzz-agree-vorbis-packet-all-left-out-ended-the-reads.bin")
    assert check_input(fuzz, tmp_path, targets=[0, 1000, 5000, 44735]) == 44736


@pytest.mark.parametrize("mask", [2, 6, 10, 14])
@pytest.mark.parametrize("name,repeat", [("tone.ogg", 1), ("mono.ogg", 3)])
def test_a_damaged_first_audio_packet_is_not_the_end(name, repeat, mask, tmp_path):
    """The first audio packet's mode bit flipped (mask 2, with its window flags in 6, 10, 14): in
    tone.ogg it reads as a long block whose "next" flag says short, so the packet after it decodes
    to no frames, and every input took that for the end: 0 of 44,736 frames and no error, where
    FFmpeg plays the file.  Now a packet of no frames before the last page is passed over: every
    input gives the same frames, seeks land on them, the audio after the damage is the file's own,
    and at most the damaged packets' frames are lost."""
    good = build_ogg(name, repeat=repeat, body_bytes=400)
    positions = [p[3] for p in parse_pages(good)]
    b = bytearray(good)
    b[_packet_offsets(good, 2)[0]] ^= mask
    data = bytes(b)
    n = check_input(data, tmp_path, targets=list(range(0, positions[4], 997)) + [positions[-1] // 2])
    assert positions[-1] - 512 <= n <= positions[-1]
    ref, ch = reference(good)[0], native(good)["nchannels"]
    got = reference(data)[0]
    after = positions[3]   # the damage is on the first audio page; two pages on, the audio is the file's own
    assert got[len(got) - (positions[-1] - after) * ch:].tobytes() == ref[after * ch:].tobytes()


def test_damage_on_the_first_two_pages(tmp_path):
    """mono.ogg re-paged, a long block of its first audio page read as a short one (found as
    damaged, given as silence) and five packets of its second page damaged so that their flags
    agree with their sizes (found probing): the reads ended 768 frames short of the length
    (63,360 of 64,128).  The second position after the start is judged as the others are where
    the offset of the positions was not taken at the first (here it was not: its page was
    damaged), so the frames lost are given as silence at the third, and every input agrees."""
    data = _regression("fuzz-agree-vorbis-damage-on-the-first-two-pages.bin")
    assert check_input(data, tmp_path, targets=list(range(0, POSITIONS[5], 331))) == POSITIONS[-1] == 64128
    assert miniaudio.vorbis_get_info(data).num_frames == 64128


@pytest.mark.parametrize("k,first,second", [(4, 1024, 64), (4, 256, 256), (5, -448, -448), (5, -448, 97), (6, 97, -97)])
def test_two_damaged_page_positions(k, first, second, tmp_path):
    """Two neighbouring audio pages' positions off (by the same or by other amounts), the packets
    intact.  Off alike, a seek checked the page it starts from against the position before it,
    which was off the same, and trusted it: the length and seeks went 256 or 448 frames off the
    reads (found probing damaged files: 20 of 262 such files failed, with damaged packets too).
    Off by other amounts, the second undoes the first only in part: judging one position at a
    time would take the rest for frames lost (64 frames after 1,024 and 64).  Every input gives
    the packets' frames, and seeks all around land on them."""
    data = with_page(with_page(GOOD, k, granule=POSITIONS[k] + first), k + 1, granule=POSITIONS[k + 1] + second)
    n = reference(GOOD)[1]
    targets = list(range(POSITIONS[k - 1] - 700, POSITIONS[k + 2], 173))
    assert check_input(data, tmp_path, targets=targets) == n
    assert miniaudio.vorbis_get_info(data).num_frames in (0, n)


# The probe of damaged files (tests/vorbis_damage_probe.py): of its first 150 files of each
# sample, 27 disagreed before the drift of the positions was judged by the next position, 2 more
# until a seek also checked the page before the one it starts from.


@pytest.mark.parametrize("name", ["tone.ogg", "mono.ogg", "tone-3-modes.ogg"])
def test_a_probe_of_damaged_files(name, tmp_path):
    """The first 100 damaged files of each sample (and of tone.ogg with three modes): every input gives decode()'s frames, the
    length and get_info() agree with them, seeks every 389th frame land on them, and no more than
    the probe's LOST frames are lost to the damage."""
    from vorbis_damage_probe import check, damaged_files, intact_frames
    bad = []
    intact_n = intact_frames(name)
    for trial, data in damaged_files(name, 100):
        problems = check(data, str(tmp_path), intact_n)
        if problems:
            bad.append((trial, problems))
    assert bad == []


def test_a_seek_from_the_page_where_a_drift_is_settled(tmp_path):
    """The probe's mono.ogg files 34 and 88: the first position 1,792 frames ahead (and the third
    256 behind): the reads run 1,792 frames ahead of the positions until a later position keeps
    that drift, and there leave 1,792 frames out of the packet that ends the page.  That page's
    own count agrees with its position, and a seek to a frame just after it started from it and
    gave the frames the reads left out (3 and 1 of 320 seeks).  Now the seek also checks the page
    before, where the drift shows."""
    from vorbis_damage_probe import check, damaged_files
    files = dict(damaged_files("mono.ogg", 89))
    assert check(files[34], str(tmp_path)) == []
    assert check(files[88], str(tmp_path)) == []


@pytest.mark.parametrize("k", [2, 5])
@pytest.mark.parametrize("name,repeat", [("tone.ogg", 1), ("mono.ogg", 3)])
def test_a_packet_of_a_mode_past_the_last_is_passed_over(name, repeat, k, tmp_path):
    """A stream of three modes (libvorbis writes two; the mode number then takes two bits), the
    second packet starting on page k damaged into mode 3, which does not exist: every input ended
    its reads there.  Now such a packet is passed over, as one whose type bit says it is not audio:
    every input gives the same frames, seeks land on them, and two pages on the audio is the
    file's own."""
    good = build_ogg(name, repeat=repeat, body_bytes=400, mode_count=3)
    two_modes = build_ogg(name, repeat=repeat, body_bytes=400)
    assert reference(good)[0].tobytes() == reference(two_modes)[0].tobytes()  # the same audio
    positions = [p[3] for p in parse_pages(good)]
    b = bytearray(good)
    b[_packet_offsets(good, k)[1]] |= 0b110     # the mode number, bits 1 and 2: 3
    data = bytes(b)
    n = check_input(data, tmp_path, targets=list(range(0, positions[k + 2], 1009)) + [positions[-1] - 1])
    assert positions[-1] - 2048 <= n <= positions[-1]
    ref, ch = reference(good)[0], native(good)["nchannels"]
    got = reference(data)[0]
    after = positions[k + 2]
    assert got[len(got) - (positions[-1] - after) * ch:].tobytes() == ref[after * ch:].tobytes()
