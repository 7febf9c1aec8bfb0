#!/usr/bin/env python3
"""Write the tag corpus: small audio files whose tags are valid or hostile (tests/corpus/tags/).

Usage:  python tests/corpus/make_tags_corpus.py [--check] [OUTDIR]

Built here with struct (stdlib only) from the committed samples (real MP3 frames, FLAC frames,
Vorbis packets), so running it again writes byte-identical files; OUTDIR (default
tests/corpus/tags/) is emptied of files the script no longer makes.  ``--check`` exits 1 if the
committed files differ (tests/test_tags.py does the same check).

Each file is <container>_<what>.<ext>.  They seed the "tags" fuzz target (tests/fuzz/run.py) and
are replayed through it and the decoder targets by tests/test_fuzz.py; tests/test_tags.py reads
every one: no crash, no exception from the info functions, the audio decodes as without the tag.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "samples")
DEFAULT_OUT = os.path.join(HERE, "tags")

CORPUS = {}  # name -> bytes
WHY = {}


def add(name, data, why):
    assert name not in CORPUS, name
    assert len(data) <= 16 * 1024, (name, len(data))
    CORPUS[name] = bytes(data)
    WHY[name] = why


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


u32 = lambda v: struct.pack("<I", v & 0xFFFFFFFF)  # noqa: E731


# ---- ID3 (MP3) ------------------------------------------------------------------------------------


def syncsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3(major, body, flags=0, size=None):
    return b"ID3" + bytes([major, 0, flags]) + (size if size is not None else syncsafe(len(body))) + body


def frame(major, fid, payload, fflags=b"\0\0", size=None):
    if major == 2:
        return fid + (len(payload) if size is None else size).to_bytes(3, "big") + payload
    n = len(payload) if size is None else size
    return fid + (syncsafe(n) if major == 4 else n.to_bytes(4, "big")) + fflags + payload


def utf16(text):
    return b"\xff\xfe" + text.encode("utf-16-le")


def v1(title=b"", artist=b"", album=b"", year=b"", comment=b"", track=None, genre=255):
    c = comment.ljust(30, b"\0") if track is None else comment.ljust(28, b"\0") + b"\0" + bytes([track])
    return b"TAG" + title.ljust(30, b"\0") + artist.ljust(30, b"\0") + album.ljust(30, b"\0") + \
        year.ljust(4, b"\0") + c + bytes([genre])


def build_mp3():
    audio = sample("mono.mp3")[:2400]
    full = [frame(3, b"TIT2", b"\x01" + utf16("Tïtle ☃ 𝄞")), frame(3, b"TPE1", b"\0Artist"),
            frame(3, b"TALB", b"\x01" + utf16("Albüm")), frame(3, b"TYER", b"\x002024"), frame(3, b"TDAT", b"\x000605"),
            frame(3, b"TCON", b"\0(17)"), frame(3, b"TRCK", b"\x003/12"),
            frame(3, b"COMM", b"\0eng\0a comment"), frame(3, b"TXXX", b"\0comment\0other")]
    add("mp3_id3v23_all_fields.mp3", id3(3, b"".join(full) + bytes(64)) + audio, "ID3v2.3, every field, padding")
    v22 = [frame(2, b"TT2", b"\0Title"), frame(2, b"TP1", b"\x01" + utf16("Ärtist") + b"\0\0"),
           frame(2, b"TCO", b"\0(13)Custom"), frame(2, b"COM", b"\0eng\0c22")]
    add("mp3_id3v22_all_fields.mp3", id3(2, b"".join(v22)) + audio, "ID3v2.2 three-letter frames")
    raw = "ÿÿ title".encode("latin-1")
    v24 = [frame(4, b"TIT2", syncsafe(len(raw) + 1) + (b"\0" + raw).replace(b"\xff", b"\xff\x00"), fflags=b"\0\x03"),
           frame(4, b"TPE1", b"\x02" + "Ωmega".encode("utf-16-be")), frame(4, b"TALB", b"G\x03Alb", fflags=b"\0\x40"),
           frame(4, b"TDRC", b"\x03zz", fflags=b"\0\x08"), frame(4, b"TDRC", b"\x032020")]
    add("mp3_id3v24_unsync_dli_group.mp3", id3(4, syncsafe(6) + b"\x01\0" + b"".join(v24), flags=0x40) + audio,
        "ID3v2.4 extended header, per-frame unsync with data length, grouping, compressed frame")
    unsynced = (struct.pack(">I", 6) + bytes(6) + b"".join(full)).replace(b"\xff", b"\xff\x00")
    add("mp3_id3v23_whole_unsync.mp3", id3(3, unsynced, flags=0xC0) + audio,
        "ID3v2.3 unsynchronised tag (UTF-16 byte order marks hold 0xFF) with an extended header")
    add("mp3_id3_size_not_syncsafe.mp3", id3(3, b"".join(full), size=b"\xff\xff\xff\xff") + audio,
        "ID3v2 size bytes with the top bit set (syncsafe overflow)")
    add("mp3_id3_size_max.mp3", id3(4, b"".join(full), size=b"\x7f\x7f\x7f\x7f") + audio,
        "ID3v2 size 256 MiB in a 3 KB file")
    add("mp3_id3_frame_size_huge.mp3", id3(3, frame(3, b"TIT2", b"\0x", size=0xFFFFFFF0)) + audio,
        "an ID3v2.3 frame claiming 4 GiB")
    add("mp3_id3_frame_size_24_huge.mp3", id3(4, frame(4, b"TIT2", b"\0x", size=0x0FFFFFFF)) + audio,
        "an ID3v2.4 frame claiming 256 MiB")
    add("mp3_id3_frame_truncated.mp3", id3(3, frame(3, b"TALB", b"\0kept") + b"TIT2\0\0\0\x40\0\0\0cut") + audio,
        "the last frame runs past the tag")
    add("mp3_id3_ext_header_huge.mp3", id3(3, b"\x7f\xff\xff\xff" + b"".join(full), flags=0x40) + audio,
        "ID3v2.3 extended header of 2 GiB")
    add("mp3_id3_ext_header_small.mp3", id3(4, syncsafe(2) + b"".join(v24), flags=0x40) + audio,
        "ID3v2.4 extended header of 2 bytes (below its minimum)")
    zero = [frame(3, fid, b"") for fid in (b"TIT2", b"TPE1", b"COMM", b"TXXX", b"TCON", b"TDAT")] + \
        [frame(3, b"TALB", b"\x01"), frame(3, b"COMM", b"\x01en"), frame(3, b"TRCK", b"\x01\xff\xfe")]
    add("mp3_id3_zero_length_fields.mp3", id3(3, b"".join(zero)) + audio, "empty frames and fields")
    bad = [frame(3, b"TIT2", b"\x09abc"), frame(3, b"TPE1", b"\x03\xff\xfe\xc3\x28"),
           frame(3, b"TALB", b"\x01\xff\xfe\x00\xd8\x00\xdc\x00\xd8"), frame(3, b"TCON", b"\x01\xfe\xff\x00"),
           frame(3, b"TRCK", b"\x03\xed\xa0\x80"), frame(3, b"COMM", b"\x02eng\x00\x00\xd8\x3d\xde")]
    add("mp3_id3_bad_encodings.mp3", id3(3, b"".join(bad)) + audio,
        "unknown encoding byte, invalid UTF-8, lone surrogates, odd-length UTF-16")
    add("mp3_id3_unsync_all_ff.mp3", id3(3, b"\xff\x00" * 1500, flags=0x80) + audio, "an unsynchronised tag of 0xFF")
    add("mp3_id3_many_empty_frames.mp3", id3(3, frame(3, b"TXXX", b"") * 600) + audio, "600 empty frames")
    add("mp3_id3_two_tags.mp3", id3(3, frame(3, b"TIT2", b"\0first")) + id3(3, frame(3, b"TIT2", b"\0second")) + audio,
        "two ID3v2 tags one after the other")
    add("mp3_id3_cut_in_header.mp3", b"ID3\x03\x00", "a file that ends inside the ID3v2 header")
    add("mp3_id3v1_only.mp3", audio + v1(b"v1 title", b"v1 artist", b"album", b"1999", b"cmt", 7, 17),
        "ID3v1.1 with a track number and a genre")
    add("mp3_id3v1_cut_utf8.mp3", audio + v1("ü".encode() * 14 + b"x\xc3", genre=147),
        "ID3v1 title of 30 bytes ending in half a UTF-8 character")
    add("mp3_id3v1_latin1.mp3", audio + v1("Café".encode("latin-1"), genre=200), "ID3v1 Latin-1, unknown genre")
    add("mp3_id3v1_only_tag.mp3", v1(b"x" * 30, b"y" * 30, b"z" * 30, b"9999", b"w" * 30), "nothing but an ID3v1 tag")
    add("mp3_id3v1_127_bytes.mp3", v1(b"short")[:127], "127 bytes starting with TAG")


# ---- FLAC -----------------------------------------------------------------------------------------


def flac_parts():
    data = sample("mono.flac")
    pos, blocks = 4, []
    while True:
        head = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        blocks.append((head & 0x7F, data[pos + 4:pos + 4 + size]))
        pos += 4 + size
        if head & 0x80:
            return blocks[0], data[pos:pos + 3000]


def flac(blocks, prefix=b"", sizes=None):
    streaminfo, frames = flac_parts()
    blocks = [streaminfo] + blocks
    out = prefix + b"fLaC"
    for i, (btype, body) in enumerate(blocks):
        size = len(body) if sizes is None or sizes.get(i) is None else sizes[i]
        out += bytes([(0x80 if i == len(blocks) - 1 else 0) | btype]) + size.to_bytes(3, "big") + body
    return out + frames


def comments(items, vendor=b"vendor", count=None):
    out = u32(len(vendor)) + vendor + u32(len(items) if count is None else count)
    for c in items:
        if isinstance(c, tuple):
            out += u32(c[0]) + c[1]
        else:
            out += u32(len(c)) + c
    return out


FIELDS = [b"TITLE=T\xc3\xaftle", b"ARTIST=Artist", b"ALBUM=Album", b"DATE=2024", b"GENRE=Rock", b"TRACKNUMBER=3",
          b"COMMENT=c"]


def build_flac():
    add("flac_comment_all_fields.flac", flac([(4, comments(FIELDS)), (1, bytes(32))]), "every field")
    add("flac_comment_vendor_huge.flac", flac([(4, u32(0xFFFFFFFF) + b"v")]), "vendor length 2**32-1")
    add("flac_comment_count_huge.flac", flac([(4, comments([b"TITLE=x"], count=0xFFFFFFFF))]),
        "comment count 2**32-1, one comment")
    add("flac_comment_length_huge.flac", flac([(4, comments([(0xFFFFFFF0, b"TITLE=x"), b"ARTIST=a"]))]),
        "a comment claiming 4 GiB")
    add("flac_comment_block_4_bytes.flac", flac([(4, b"\0\0\0\0")]), "a VORBIS_COMMENT block of 4 bytes")
    add("flac_comment_block_empty.flac", flac([(4, b"")]), "a VORBIS_COMMENT block of 0 bytes")
    add("flac_comment_block_past_eof.flac", flac([(4, comments(FIELDS))], sizes={1: 0xFFFFFF}),
        "a VORBIS_COMMENT block whose size runs past the file")
    add("flac_comment_many_empty.flac", flac([(4, comments([b""] * 2000 + [b"TITLE=late"]))]),
        "2000 empty comments then a title")
    add("flac_comment_no_equals.flac", flac([(4, comments([b"TITLE", b"=", b"=x", b"TITLE=\xff\xfe\xfd"]))]),
        "comments without '=', empty keys, invalid UTF-8")
    add("flac_id3_before_magic_huge.flac", flac([(4, comments(FIELDS))], prefix=id3(3, b"", size=b"\x7f\x7f\x7f\x7f")),
        "an ID3v2 tag claiming 256 MiB before fLaC")
    add("flac_two_comment_blocks.flac", flac([(4, comments([b"TITLE=first"])), (4, comments([b"TITLE=second"]))]),
        "two VORBIS_COMMENT blocks")


# ---- Ogg Vorbis -----------------------------------------------------------------------------------

_CRC = []


def crc(data):
    if not _CRC:
        for i in range(256):
            r = i << 24
            for _ in range(8):
                r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
            _CRC.append(r & 0xFFFFFFFF)
    c = 0
    for b in data:
        c = ((c << 8) & 0xFFFFFFFF) ^ _CRC[(c >> 24) ^ b]
    return c


def page(flags, serial, seq, lacing, body, granule=0):
    head = b"OggS\0" + bytes([flags]) + struct.pack("<qII", granule, serial, seq) + b"\0\0\0\0" + \
        bytes([len(lacing)]) + bytes(lacing)
    p = head + body
    return p[:22] + u32(crc(p)) + p[26:]


def ogg_split():
    data = sample("mono.ogg")
    pos, packets, current = 0, [], b""
    while len(packets) < 3:
        serial = struct.unpack("<I", data[pos + 14:pos + 18])[0]
        nseg = data[pos + 26]
        lacing = data[pos + 27:pos + 27 + nseg]
        body_pos = pos + 27 + nseg
        for v in lacing:
            current += data[body_pos:body_pos + v]
            body_pos += v
            if v < 255:
                packets.append(current)
                current = b""
        pos = body_pos
    return packets, data[pos:], serial


def repage(packets, serial, per_page, other=False):
    pages, seq, lacing, body, cont = [], 0, [], b"", 0
    for i, packet in enumerate(packets):
        vals = [255] * (len(packet) // 255) + [len(packet) % 255]
        off = 0
        for v in vals:
            lacing.append(v)
            body += packet[off:off + v]
            off += v
            if len(lacing) == per_page or (i == 0 and v < 255):
                pages.append(page(cont | (2 if seq == 0 else 0), serial, seq, lacing, body))
                cont = 1 if v == 255 else 0
                seq, lacing, body = seq + 1, [], b""
                if other:
                    pages.append(page(2, serial + 1, 0, [3], b"xyz"))
    if lacing:
        pages.append(page(cont, serial, seq, lacing, body))
    return b"".join(pages)


def build_ogg():
    packets, audio, serial = ogg_split()

    def with_comment(comment_packet, per_page=255, other=False, tail=audio):
        return repage([packets[0], comment_packet, packets[2]], serial, per_page, other) + tail

    good = b"\x03vorbis" + comments(FIELDS) + b"\x01"
    add("ogg_comment_all_fields.ogg", with_comment(good), "every field")
    add("ogg_comment_one_segment_pages.ogg", with_comment(b"\x03vorbis" + comments([b"X=" + b"a" * 700] + FIELDS) +
                                                          b"\x01", per_page=1),
        "the comment packet on pages of one segment each")
    add("ogg_comment_other_stream_pages.ogg", with_comment(good, per_page=3, other=True),
        "pages of another logical stream between the header pages")
    add("ogg_comment_vendor_huge.ogg", with_comment(b"\x03vorbis" + u32(0xFFFFFFFF) + b"v"), "vendor length 2**32-1")
    add("ogg_comment_count_huge.ogg", with_comment(b"\x03vorbis" + comments([b"TITLE=x"], count=0x20000001) + b"\x01"),
        "comment count 0x20000001 (CVE-2023-45681's)")
    add("ogg_comment_length_huge.ogg", with_comment(b"\x03vorbis" + comments([(0x7FFFFFFF, b"x")], count=3)),
        "a comment length of 2**31-1 (CVE-2023-45679's)")
    add("ogg_comment_no_framing_bit.ogg", with_comment(b"\x03vorbis" + comments(FIELDS)), "no framing bit")
    add("ogg_comment_packet_never_ends.ogg",
        repage([packets[0]], serial, 255) + b"".join(page(1 if i else 0, serial, 1 + i, [255], b"\x03vorbis" +
                                                            bytes(248) if i == 0 else bytes(255)) for i in range(30)),
        "a comment packet continued on page after page to the end of the file")
    add("ogg_comment_wrong_type.ogg", with_comment(b"\x05vorbis" + comments(FIELDS)), "the setup header in its place")
    add("ogg_first_page_garbage.ogg", b"OggS\0\x02" + bytes(30) + audio[:500], "a first page header of zeros")


# ---- WAV ------------------------------------------------------------------------------------------


def chunk(cid, data, size=None):
    return cid + u32(len(data) if size is None else size) + data + (b"\0" if len(data) & 1 else b"")


def riff(chunks, form=b"RIFF"):
    body = b"WAVE" + b"".join(chunks)
    return form + u32(len(body)) + body


def info(*subs):
    return chunk(b"LIST", b"INFO" + b"".join(subs))


def build_wav():
    fmt = chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))
    data = chunk(b"data", bytes(range(200)))
    allf = info(chunk(b"INAM", "Tïtle".encode() + b"\0"), chunk(b"IART", b"Artist\0"), chunk(b"IPRD", b"Album\0"),
                chunk(b"ICRD", b"2024\0"), chunk(b"IGNR", b"Rock\0"), chunk(b"ITRK", b"3\0"), chunk(b"ICMT", b"c\0"))
    add("wav_info_all_fields.wav", riff([fmt, allf, data]), "every field, before the data")
    add("wav_info_after_data.wav", riff([fmt, data, allf]), "every field, after the data")
    add("wav_info_list_size_huge.wav", riff([fmt, data, b"LIST" + u32(0xFFFFFFF0) + b"INFO" +
                                             chunk(b"INAM", b"x\0")]), "a LIST chunk claiming 4 GiB")
    add("wav_info_sub_size_huge.wav", riff([fmt, data, info(chunk(b"INAM", b"kept\0"),
                                                            chunk(b"IART", b"x", size=0xFFFFFFFF))]),
        "an INFO sub-chunk claiming 4 GiB")
    add("wav_info_odd_no_pad.wav", riff([fmt, data, chunk(b"LIST", b"INFO" + b"INAM" + u32(3) + b"abc" +
                                                          b"IART" + u32(2) + b"x\0")]),
        "odd sub-chunk sizes without their pad byte")
    add("wav_info_latin1.wav", riff([fmt, data, info(chunk(b"INAM", "Café".encode("latin-1") + b"\0"))]),
        "a Latin-1 title")
    add("wav_info_empty.wav", riff([fmt, data, chunk(b"LIST", b"INFO"), chunk(b"LIST", b"IN")]), "empty INFO lists")
    add("wav_many_junk_chunks.wav", riff([fmt, data] + [chunk(b"JUNK", b"")] * 1200 + [allf]),
        "1200 empty chunks before the INFO list")
    add("wav_data_size_ffffffff.wav", riff([fmt, b"data" + u32(0xFFFFFFFF) + bytes(200), allf]),
        "a data chunk claiming 4 GiB before the INFO list")
    ds64 = chunk(b"ds64", struct.pack("<QQQI", 0, 200, 100, 0))
    add("wav_rf64_info.wav", riff([ds64, fmt, b"data" + u32(0xFFFFFFFF) + bytes(200), allf], form=b"RF64"),
        "RF64 with its ds64 data size, then the INFO list")
    ds64 = chunk(b"ds64", struct.pack("<QQQI", 0, 0xFFFFFFFFFFFFFFF0, 100, 0))
    add("wav_rf64_ds64_huge.wav", riff([ds64, fmt, b"data" + u32(0xFFFFFFFF) + bytes(200), allf], form=b"RF64"),
        "RF64 whose ds64 data size is 2**64-16")


def build():
    CORPUS.clear()
    WHY.clear()
    build_mp3()
    build_flac()
    build_ogg()
    build_wav()
    return dict(CORPUS)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if not a.startswith("--")]
    out = args[0] if args else DEFAULT_OUT
    made = build()
    if "--list" in argv:
        for name in sorted(WHY):
            print(f"{name}: {WHY[name]}")
        return 0
    if check:
        on_disk = {n: open(os.path.join(out, n), "rb").read() for n in os.listdir(out)} if os.path.isdir(out) else {}
        if on_disk != made:
            print(f"{out} differs from the script: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name not in made:
            os.remove(os.path.join(out, name))
    for name, data in made.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
