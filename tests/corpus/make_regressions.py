#!/usr/bin/env python3
"""Write the reproducers of known bugs in the embedded decoders: tests/corpus/regressions/<bug-id>-*.bin.

Usage:  python tests/corpus/make_regressions.py [--check] [--ffmpeg]

One file per bug (see RELIABILITY.md, "Known problems in the embedded decoders", and the patches in
miniaudio_c/patches/).  Every file is built here with struct from scratch (stdlib only), except the
MP3 ones, which tamper with ma1117-mp3-control-valid.bin: a 0.3 s, 1 kHz mono tone that ffmpeg's
libmp3lame encoded at 64 kbit/s with a LAME "Info" tag (13 frames), committed as is.  Running the
script again writes byte-identical files; ``--check`` exits 1 if the committed files differ (the
tests do the same check).  Bug ids: ma<N> = miniaudio issue N, cve<year>-<N> = the CVE, stbv = a
stb_vorbis setup overflow found while checking those.  Files named fuzz-*.bin in the same folder
come from the fuzzer, not from here.

One file comes from a real encoder, since its bug is in decoding what libvorbis writes:
vorbis-51-libvorbis.bin (0.3 s of 5.1 from ffmpeg 5.1's libvorbis encoder, 9.5 KB).  It is
committed as is and carried by build() unchanged; ``--ffmpeg`` encodes it again (ffmpeg with
libvorbis; -fflags +bitexact makes the bytes repeatable with one ffmpeg and libvorbis version).
"""

import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "regressions")
MP3_CONTROL = "ma1117-mp3-control-valid.bin"
LIBVORBIS_51 = "vorbis-51-libvorbis.bin"

# ------------------------------------------------------------------------------------------------
# WAV (dr_wav)
# ------------------------------------------------------------------------------------------------


def riff_chunk(cid, data, size=None):
    size = len(data) if size is None else size
    return cid + struct.pack("<I", size) + data + (b"\0" if len(data) % 2 else b"")


def riff(body):
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def fmt_pcm16(channels=1, rate=8000):
    return struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)


W64_RIFF = bytes.fromhex("726966662e91cf11a5d628db04c10000")
W64_SUFFIX = bytes.fromhex("f3acd3118cd100c04f8edb8a")


def w64_chunk(four, data, size=None):
    size = len(data) + 24 if size is None else size
    return four + W64_SUFFIX + struct.pack("<Q", size) + data + b"\0" * (-len(data) % 8)


def w64(body):
    return W64_RIFF + struct.pack("<Q", 40 + len(body)) + b"wave" + W64_SUFFIX + body


RAMP = struct.pack("<8h", *range(8))  # the 8 frames every WAV reproducer holds


def wav_files():
    return {
        # A fact chunk of size 0 right before the data chunk: its 4 "sample count" bytes were read
        # from the data chunk's header and the size underflowed to 2^64 - 4.
        "ma1123-wav-fact-size-0.bin": riff(riff_chunk(b"fmt ", fmt_pcm16()) + b"fact" + struct.pack("<I", 0)
                                           + riff_chunk(b"data", RAMP)),
        # A W64 chunk whose 64-bit size (0) is below its own 24-byte header: 2^64 - 24 to skip.
        "ma1123-w64-chunk-size-0.bin": w64(w64_chunk(b"fmt ", fmt_pcm16()) + w64_chunk(b"junk", b"", size=0)
                                           + w64_chunk(b"data", RAMP)),
        # A fmt chunk declaring 0xFFFFFFF8 bytes: after its 16 + 2 bytes were read, the rest was
        # skipped with a seek of (int)(0xFFFFFFF8 - 18) = -26 bytes, back onto its own header.
        "ma1151-wav-fmt-size-fffffff8.bin": riff(b"fmt " + struct.pack("<I", 0xFFFFFFF8) + fmt_pcm16()
                                                 + struct.pack("<H", 0) + riff_chunk(b"data", RAMP)),
        # IEEE float WAVs (32 and 64 bit) holding NaN, +-1.0, +-2.0, +-inf and +-1e30, 7 times (so
        # both the four-at-a-time loops and the one-at-a-time tails see each): read as s32, 1.0 and
        # above became 2^31 and beyond, outside int32; NaN went through every s16 converter's clip.
        "ubsan-wav-f32-extremes.bin": riff(riff_chunk(b"fmt ", fmt_float(4)) + riff_chunk(b"data", FLOAT_EXTREMES_F32)),
        "ubsan-wav-f64-extremes.bin": riff(riff_chunk(b"fmt ", fmt_float(8)) + riff_chunk(b"data", FLOAT_EXTREMES_F64)),
    }


def fmt_float(width, channels=1, rate=8000):
    return struct.pack("<HHIIHH", 3, channels, rate, rate * width * channels, width * channels, 8 * width)


FLOAT_EXTREMES = [float("nan"), 1.0, -1.0, 2.0, -2.0, float("inf"), float("-inf"), 0.5, 1e30, -1e30] * 7
FLOAT_EXTREMES_F32 = struct.pack("<%df" % len(FLOAT_EXTREMES), *FLOAT_EXTREMES)
FLOAT_EXTREMES_F64 = struct.pack("<%dd" % len(FLOAT_EXTREMES), *FLOAT_EXTREMES)


# ------------------------------------------------------------------------------------------------
# MP3 (dr_mp3)
# ------------------------------------------------------------------------------------------------


def mp3_files():
    with open(os.path.join(OUT, MP3_CONTROL), "rb") as f:
        control = f.read()
    tag = control.find(b"Info")
    assert tag > 0 and control[tag + 7] & 1, "the control file must have an Info tag with FRAMES"

    def frames(n):
        d = bytearray(control)
        struct.pack_into(">I", d, tag + 8, n)
        return bytes(d)

    # MPEG-2 layer III, 8 kbit/s, 24 kHz, mono: a 24-byte frame, zero side info, then a Xing tag
    # whose flags announce FRAMES, BYTES, TOC and SCALE (116 bytes) in the 11 bytes left.
    xing24 = bytes([0xFF, 0xF3, 0x14, 0xC0]) + b"\0" * 9 + b"Xing" + b"\0\0\0\x0f" + b"\0\0\0"
    assert len(xing24) == 24
    return {
        "ma1128-mp3-xing-tag-past-frame.bin": xing24,
        "ma1117-mp3-xing-frames-wrap.bin": frames(3728272),  # * 1152 = 2^32 + 2048
        "ma1117-mp3-xing-frames-huge.bin": frames(0xFFFFFFF0),
        "ma1117-mp3-xing-frames-understated.bin": frames(6),
        "ma1117-mp3-concatenated.bin": control + control,
        "ma1117-mp3-truncated.bin": control[:1500],
    }


# ------------------------------------------------------------------------------------------------
# Ogg Vorbis (stb_vorbis)
# ------------------------------------------------------------------------------------------------


_BIT_REVERSED = bytes(int("{:08b}".format(i)[::-1], 2) for i in range(256))


def ogg_crc(data):
    """Ogg's CRC-32 (polynomial 0x04C11DB7, MSB first, no reflection, initial 0, no final xor),
    computed with zlib's reflected CRC-32 on bit-reversed bytes (fast for megabyte pages)."""
    reflected = zlib.crc32(data.translate(_BIT_REVERSED)) ^ zlib.crc32(bytes(len(data)))
    return int("{:032b}".format(reflected)[::-1], 2)


def ogg_stream(packets, granules):
    """Packet 0 alone on the first page (BOS); every later packet starts a page and spans as many
    pages as it needs (255 segments each); the last page has EOS."""
    pages = []
    for i, packet in enumerate(packets):
        lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
        body = packet
        continued = False
        while lacing:
            segs, lacing = lacing[:255], lacing[255:]
            n = sum(segs)
            flags = (1 if continued else 0) | (2 if i == 0 else 0) | (4 if i == len(packets) - 1 and not lacing else 0)
            granule = granules[i] if not lacing else -1
            head = (b"OggS" + bytes([0, flags]) + struct.pack("<qIIi", granule, 0x5EED, len(pages), 0)
                    + bytes([len(segs)]) + bytes(segs))
            page = bytearray(head + body[:n])
            struct.pack_into("<I", page, 22, ogg_crc(page))
            pages.append(bytes(page))
            body, continued = body[n:], True
    return b"".join(pages)


class Bits:
    """Vorbis bit packing: least significant bit first."""

    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def put(self, value, nbits):
        for i in range(nbits):
            self.acc |= ((value >> i) & 1) << self.n
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                self.acc = self.n = 0
        return self

    def bytes(self):
        return bytes(self.out) + (bytes([self.acc]) if self.n else b"")


def ilog(n):
    return n.bit_length()


def vorbis_ident(channels=1, rate=8000):
    return b"\x01vorbis" + struct.pack("<IBIiii", 0, channels, rate, 0, 0, 0) + bytes([8 | (8 << 4), 1])


def vorbis_comment(vendor=b"regression", vendor_len=None, count=None, comments=()):
    """comments: byte strings, or (declared length, bytes) pairs."""
    d = b"\x03vorbis" + struct.pack("<I", (len(vendor) if vendor_len is None else vendor_len) & 0xFFFFFFFF) + vendor
    d += struct.pack("<I", (len(comments) if count is None else count) & 0xFFFFFFFF)
    for c in comments:
        length, text = c if isinstance(c, tuple) else (len(c), c)
        d += struct.pack("<I", length & 0xFFFFFFFF) + text
    return d + b"\x01"


def codebook(b, entries, dims=1, length=1, ordered_length=None, sparse_unused=False, lookup=0, lookup_values=0):
    """One codebook: every entry `length` bits long, or all `ordered_length` (ordered form, a few
    bytes whatever the entry count), or sparse with no entry used; lookup values are 1-bit zeros."""
    b.put(0x42, 8).put(0x43, 8).put(0x56, 8).put(dims, 16).put(entries, 24)
    if ordered_length is not None:
        b.put(1, 1).put(ordered_length - 1, 5).put(entries, ilog(entries))
    elif sparse_unused:
        b.put(0, 1).put(1, 1)
        for _ in range(entries):
            b.put(0, 1)
    else:
        b.put(0, 1).put(0, 1)
        for _ in range(entries):
            b.put(length - 1, 5)
    b.put(lookup, 4)
    if lookup:
        b.put(0, 32).put(0, 32).put(0, 4).put(0, 1)  # minimum 0, delta 0, 1-bit values, no sequence
        for _ in range(lookup_values):
            b.put(0, 1)


def floor1(b, partition_classes=(), classes=()):
    """One floor of type 1; classes: (dimensions, subclass bits, master book, [book + 1, ...])."""
    b.put(0, 6).put(1, 16).put(len(partition_classes), 5)
    for c in partition_classes:
        b.put(c, 4)
    for dims, subs, master, books in classes:
        b.put(dims - 1, 3).put(subs, 2)
        if subs:
            b.put(master, 8)
        for k in range(1 << subs):
            b.put(books[k], 8)
    b.put(0, 2).put(4, 4)  # multiplier 1 (range 256), 4 range bits
    for j, c in enumerate(partition_classes):
        for k in range(classes[c][0]):
            b.put(5 + j + k, 4)  # distinct X positions


def residue(b, rtype=0, end=0, part_size=1, classbook=0, pass0_book=None):
    b.put(0, 6).put(rtype, 16).put(0, 24).put(end, 24).put(part_size - 1, 24).put(0, 6).put(classbook, 8)
    b.put(1 if pass0_book is not None else 0, 3).put(0, 1)
    if pass0_book is not None:
        b.put(pass0_book, 8)


def mapping(b, channels=1, submaps=1, mux=None):
    b.put(0, 6).put(0, 16)
    b.put(1, 1).put(submaps - 1, 4) if submaps > 1 else b.put(0, 1)
    b.put(0, 1).put(0, 2)  # no coupling, reserved
    if submaps > 1:
        for j in range(channels):
            b.put(mux[j], 4)
    for _ in range(submaps):
        b.put(0, 8).put(0, 8).put(0, 8)  # discarded, floor 0, residue 0


def vorbis_setup(books=(lambda b: codebook(b, 2),), floor=floor1, res=residue, mapper=mapping):
    b = Bits()
    for ch in b"\x05vorbis":
        b.put(ch, 8)
    b.put(len(books) - 1, 8)
    for book in books:
        book(b)
    b.put(0, 6).put(0, 16)  # one time-domain transform, type 0
    floor(b)
    res(b)
    mapper(b)
    b.put(0, 6).put(0, 1).put(0, 16).put(0, 16).put(0, 8)  # one mode: short blocks, mapping 0
    return b.put(1, 1).bytes()


def audio_packet(write=lambda b: b.put(0, 1)):
    """An audio packet (type bit 0, the single mode needs no bits); default: the channel is silent."""
    b = Bits().put(0, 1)
    write(b)
    return b.bytes() + b"\0" * 8


def vorbis(comment=None, setup=None, audio=None):
    packets = [vorbis_ident(), comment or vorbis_comment(), setup or vorbis_setup()]
    packets += audio or [audio_packet() for _ in range(6)]
    # short blocks of 256: the first audio packet gives no samples, each later one 128
    return ogg_stream(packets, [0, 0, 0] + [128 * i for i in range(len(packets) - 3)])


def floor_nonzero(b):
    b.put(1, 1).put(0, 8).put(0, 8)  # the floor is used: Y0 = Y1 = 0 (8 bits each for range 256)


def vorbis_files():
    f = {}
    # The comment header (CVE-2023-45675 .. 45677, 45679 .. 45681)
    f["cve2023-45675-vorbis-vendor-length-minus-1.bin"] = vorbis(vorbis_comment(b"", vendor_len=-1))
    f["cve2023-45676-vorbis-vendor-length-2gib.bin"] = vorbis(vorbis_comment(b"abc", vendor_len=0x7FFFFFF0))
    f["cve2023-45677-vorbis-vendor-length-minus-10.bin"] = vorbis(vorbis_comment(b"abc", vendor_len=-10))
    f["cve2023-45679-vorbis-comment-alloc-fails.bin"] = vorbis(vorbis_comment(count=3, comments=[(0x7FFFFFFF, b"x")]))
    f["cve2023-45680-vorbis-comment-list-alloc-fails.bin"] = vorbis(vorbis_comment(count=0x10000000))
    f["cve2023-45681-vorbis-comment-count-overflow.bin"] = vorbis(vorbis_comment(count=0x20000001, comments=[b""] * 40))
    # A mapping with 16 submaps, the single channel in the 16th (CVE-2023-45678)
    f["cve2023-45678-vorbis-16-submaps.bin"] = vorbis(setup=vorbis_setup(mapper=lambda b: mapping(b, 1, 16, [15])))
    # A floor class whose master book (book 1) is sparse with no entry used (CVE-2023-45682)
    f["cve2023-45682-vorbis-sparse-book-no-entries.bin"] = vorbis(
        setup=vorbis_setup(books=(lambda b: codebook(b, 2), lambda b: codebook(b, 8, sparse_unused=True)),
                           floor=lambda b: floor1(b, [0], [(1, 1, 1, [0, 0])])),
        audio=[audio_packet(lambda b: (floor_nonzero(b), b.put(0, 32))) for _ in range(4)])
    # Lookup type 2 with 65538 entries of 65535 dimensions: entries * dimensions wraps to 65534
    # values; a residue decodes entry 65535 (17-bit codeword) and reads multiplicands[65535 * 65535].
    e, d = 65538, 65535

    def wide_entry(b):
        floor_nonzero(b)
        b.put(0, 1)  # the residue's class word: book 0, entry 0
        for i in range(16, -1, -1):
            b.put((65535 >> i) & 1, 1)
        b.put(0, 64)

    f["stbv-lookup2-entries-times-dims-wraps.bin"] = vorbis(
        setup=vorbis_setup(books=(lambda b: codebook(b, 2),
                                  lambda b: codebook(b, e, d, ordered_length=17, lookup=2, lookup_values=e)),
                           res=lambda b: residue(b, 1, end=32, part_size=32, pass0_book=1)),
        audio=[audio_packet(wide_entry) for _ in range(4)])
    # Lookup type 1 with 2^16 + 1 entries of 2^14 dimensions: a 4 GiB + 256 KiB table, sized with
    # an int (256 KiB); lookup1_values(65537, 16384) converts pow(2, 16384) to int.
    f["stbv-lookup1-table-size-truncated.bin"] = vorbis(
        setup=vorbis_setup(books=(lambda b: codebook(b, 2),
                                  lambda b: codebook(b, (1 << 16) + 1, 1 << 14, ordered_length=17, lookup=1,
                                                     lookup_values=1))))
    # A 2^24 - 1 entry codebook (ordered: a few bytes) as the residue's class book.
    f["stbv-huge-classbook.bin"] = vorbis(
        setup=vorbis_setup(books=(lambda b: codebook(b, 2), lambda b: codebook(b, (1 << 24) - 1, ordered_length=24)),
                           res=lambda b: residue(b, 1, end=32, part_size=32, classbook=1)))
    # A sparse book of 2^17 - 2 entries whose first length is 32 (invalid): its 128 KB temporary
    # block of lengths was leaked by every refused open.
    def bad_sparse_book(b):
        b.put(0x42, 8).put(0x43, 8).put(0x56, 8).put(1, 16).put((1 << 17) - 2, 24)
        b.put(0, 1).put(1, 1).put(1, 1).put(31, 5)  # not ordered, sparse; entry 0 present, length 31 + 1

    # A valid codebook of 2^21 entries (ordered: a few bytes), unused: every open set up two
    # million entries (decode: 165 ms for 426 bytes).
    f["stbv-valid-2m-entry-codebook.bin"] = vorbis(
        setup=vorbis_setup(books=(lambda b: codebook(b, 2), lambda b: codebook(b, 1 << 21, ordered_length=21))))
    f["stbv-sparse-lengths-leak.bin"] = vorbis(setup=vorbis_setup(books=(lambda b: codebook(b, 2), bad_sparse_book)))
    return f


def big_comment_vorbis(comment_bytes):
    """A valid stream whose comment header holds one comment of `comment_bytes` bytes."""
    return vorbis(vorbis_comment(comments=[b"COVERART=" + b"A" * comment_bytes]))


# ------------------------------------------------------------------------------------------------
# Vorbis from libvorbis (stb_vorbis decoding of multichannel mappings)
# ------------------------------------------------------------------------------------------------


def libvorbis_51_encode():
    """5.1 (FFmpeg's channel order FL FR FC LFE BL BR) with a 0.5 amplitude sine of 220, 330, 440,
    110, 550, 660 Hz per channel, 0.3 s at 48 kHz, libvorbis q0.  libvorbis codes FL FC FR RL RR in
    one type-2 residue of 5 channels and the LFE in a submap of its own: stb_vorbis read only 2/5 of
    that residue and decoded the rest as the LFE's (noise peaking near 72; patch 0023)."""
    import subprocess
    freqs = (220, 330, 440, 110, 550, 660)
    exprs = "|".join("0.5*sin(%d*2*PI*t)" % f for f in freqs)
    return subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                           "aevalsrc=%s:c=5.1:s=48000:d=0.3" % exprs, "-c:a", "libvorbis", "-q:a", "0",
                           "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "ogg", "-"],
                          check=True, capture_output=True).stdout


def libvorbis_files():
    with open(os.path.join(OUT, LIBVORBIS_51), "rb") as f:
        return {LIBVORBIS_51: f.read()}


def build():
    files = {}
    files.update(wav_files())
    files.update(mp3_files())
    files.update(vorbis_files())
    files.update(libvorbis_files())
    return files


def main(argv):
    if "--ffmpeg" in argv:
        with open(os.path.join(OUT, LIBVORBIS_51), "wb") as f:
            f.write(libvorbis_51_encode())
    made = build()
    if "--check" in argv:
        bad = []
        for name, data in made.items():
            path = os.path.join(OUT, name)
            if not os.path.exists(path) or open(path, "rb").read() != data:
                bad.append(name)
        print("differ:" if bad else "all files match", *bad)
        return 1 if bad else 0
    for name, data in made.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(made), OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
