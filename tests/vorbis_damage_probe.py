"""A probe of damaged Ogg Vorbis files, structure-aware where the fuzzers mutate bytes.

Each file is samples/tone.ogg or samples/mono.ogg re-paged (test_vorbis_truncated.build_ogg), or
tone.ogg re-written with three modes (libvorbis writes two; the mode number then takes two bits, so
a flipped bit can name a mode that does not exist), then damaged as a careless copy or a bad disk would: the page positions of one or two audio pages
moved, bits of the first byte (packet type, mode, window flags) of a run of up to four packets
flipped, or a byte inside a packet overwritten.  check() compares what a user would: the frames
from memory, a path, a seekable file object and a pipe against decode(), the length and
vorbis_get_info() against them, seeks (every 389th frame, from memory and a file object)
against the reads there, and decode()'s frames against the intact file's: damage to a few packets
and positions must not lose more than LOST frames (a reader that ends at the damage agrees with
itself everywhere, so only this catches it).

    python tests/vorbis_damage_probe.py [N]   # N files from each of the three, default 150

prints each failing file and the counts (RELIABILITY.md has the figures).  The random fuzz
targets do not reach these shapes: they would need two coordinated changes in a valid Ogg."""

import io
import os
import random
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import miniaudio  # noqa: E402
from test_vorbis_truncated import build_ogg, native, open_stream, page_bytes, parse_pages, read_all  # noqa: E402

# name: (sample, repeat for build_ogg, RNG seed, modes: None for the file's own two)
SEEDS = {"tone.ogg": ("tone.ogg", 1, 101, None), "mono.ogg": ("mono.ogg", 3, 102, None),
         "tone-3-modes.ogg": ("tone.ogg", 1, 103, 3)}
_GOOD = {}
# At most this many frames lost to the damage: the largest move of a page position made below
# (3000) and a long block.  Positions are moved only on pages before the last, and at most 4
# packets in a row are damaged, so the reads can lose no more where they go on past the damage.
LOST = 4096


def intact_frames(name):
    """The frames the intact file of `name` (re-paged as damaged_files builds it) decodes to."""
    kw = native(intact(name))
    return len(miniaudio.decode(intact(name), **kw).samples) // kw["nchannels"]


def intact(name):
    if name not in _GOOD:
        sample, repeat, _, mode_count = SEEDS[name]
        _GOOD[name] = build_ogg(sample, repeat=repeat, body_bytes=400, mode_count=mode_count)
    return _GOOD[name]


def packet_starts(pages, k):
    """[(offset, first lacing value)] of each packet that starts on page k."""
    off, _, _, _, lacing, _ = pages[k]
    at, starts, new = off + 27 + len(lacing), [], True
    for size in lacing:
        if new:
            starts.append((at, size))
        new = size < 255
        at += size
    return starts


def damaged_files(name, count):
    """The first `count` damaged files of `name` (deterministic): [(trial, bytes)]."""
    good = intact(name)
    rnd = random.Random(SEEDS[name][2])
    pages = parse_pages(good)
    serial = struct.unpack_from("<I", good, 14)[0]
    out = []
    for trial in range(count):
        granules = {}
        if rnd.random() < 0.5:
            for _ in range(rnd.randint(1, 2)):
                k = rnd.randrange(2, len(pages) - 1)
                granules[k] = pages[k][3] + rnd.choice([-1, 1]) * rnd.choice([64, 97, 128, 256, 448, 512, 1024,
                                                                              1792, 3000])
        data = b"".join(page_bytes(fl, granules.get(i, g), serial, i, lac, body)
                        for i, (_, _, fl, g, lac, body) in enumerate(pages))
        damaged = parse_pages(data)
        b = bytearray(data)
        for _ in range(rnd.choice([0, 1, 1, 2])):
            k = rnd.randrange(2, len(damaged))
            starts = packet_starts(damaged, k)
            a = rnd.randrange(len(starts))
            for at, size in starts[a:a + rnd.randint(1, 4)]:
                if rnd.random() < 0.7:
                    b[at] ^= rnd.choice([2, 4, 8, 6, 10, 12, 14])
                else:
                    where = at + 1 + rnd.randrange(max(1, size - 1))
                    b[where] = rnd.randrange(256)
        if bytes(b) != good:
            out.append((trial, bytes(b)))
    return out


def check(data, tmpdir, intact_n=None):
    """What disagrees ([] when nothing): 'length', 'info', 'reads-<input>', 'seeks<N>', and 'lost<N>'
    where decode() gives N frames, more than LOST fewer than the intact file's `intact_n`."""
    kw = native(data)
    ch = kw["nchannels"]
    try:
        ref = miniaudio.decode(data, **kw).samples
    except miniaudio.DecodeError:
        return []
    n = len(ref) // ch
    path = os.path.join(tmpdir, "probe.ogg")
    with open(path, "wb") as f:
        f.write(data)
    problems = []
    if intact_n is not None and n < intact_n - LOST:
        problems.append(f"lost{intact_n - n}")
    if miniaudio.stream_memory(data, **kw).length not in (None, n):
        problems.append("length")
    if miniaudio.vorbis_get_info(data).num_frames not in (0, n):
        problems.append("info")
    for kind in ("memory", "path", "bytesio", "pipe"):
        if read_all(open_stream(kind, data, path, **kw)).tobytes() != ref.tobytes():
            problems.append("reads-" + kind)
    wrong = 0
    for kind in ("memory", "bytesio"):
        for target in range(0, n, 389):
            stream = open_stream(kind, data, path, **kw)
            try:
                if stream.seek(target) != target or \
                        stream.send(64).tobytes() != ref[target * ch:(target + 64) * ch].tobytes():
                    wrong += 1
            except (ValueError, miniaudio.DecodeError):
                wrong += 1
    if wrong:
        problems.append(f"seeks{wrong}")
    return problems


def main(count):
    failed = total = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        for name in SEEDS:
            intact_n = intact_frames(name)
            for trial, data in damaged_files(name, count):
                total += 1
                problems = check(data, tmpdir, intact_n)
                if problems:
                    failed += 1
                    print(f"{name} trial {trial}: {' '.join(problems)}", flush=True)
    print(f"{failed} of {total} damaged files disagree")
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 150) else 0)
