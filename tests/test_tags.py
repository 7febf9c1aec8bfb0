"""Tags: read_tags() and SoundFileInfo.tags from Vorbis comments (FLAC, Ogg Vorbis), ID3v2 and
ID3v1 (MP3) and RIFF INFO (WAV); wav_write_file(tags=) and the RIFF INFO chunk it appends.

Files with tags are made here: by ffmpeg (the tags real programs write) and by hand (the edge
cases: ID3v2.2, unsynchronisation, extended headers, every text encoding, comment packets split
across many Ogg pages, hostile sizes).  No soundfile.
"""

import array
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import wave
import zlib

import pytest

import miniaudio
from miniaudio import FileFormat
from miniaudio import _miniaudio as _ma
from miniaudio._tags import _riff_info_chunk

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
REGRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "regressions")

TAGS = {
    "title": "Tïtle ☃ 𝄞 (astral)",
    "artist": "Ärtist Ωmega",
    "album": "Albüm 日本語",
    "date": "2024-05-06",
    "genre": "Rock",
    "tracknumber": "3/12",
    "comment": "ça va, 😀",
}
FFMPEG_KEYS = {"tracknumber": "track"}  # ffmpeg's name of the field


def _sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


def _ffmpeg(path, *args, tags=TAGS):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    meta = []
    for key, value in tags.items():
        meta += ["-metadata", f"{FFMPEG_KEYS.get(key, key)}={value}"]
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:d=0.3",
                    *meta, *args, str(path)], check=True)
    return str(path)


def _all_ways(path):
    """The tags through every public way: read_tags(path / bytes / file object), get_file_info,
    the per-format *_get_info on bytes."""
    with open(path, "rb") as f:
        data = f.read()
    info = miniaudio.get_file_info(path)
    per_format = {FileFormat.WAV: miniaudio.wav_get_info, FileFormat.FLAC: miniaudio.flac_get_info,
                  FileFormat.MP3: miniaudio.mp3_get_info, FileFormat.VORBIS: miniaudio.vorbis_get_info}
    with open(path, "rb") as f:
        f.seek(5)
        from_fileobj = miniaudio.read_tags(f)
        assert f.tell() == 5  # left where it was
    results = [miniaudio.read_tags(path), miniaudio.read_tags(data), miniaudio.read_tags(bytearray(data)),
               from_fileobj, miniaudio.read_tags(io.BytesIO(data)), info.tags,
               per_format[info.file_format](data).tags]
    for r in results[1:]:
        assert r == results[0]
    return results[0]


# ---- files written by ffmpeg -----------------------------------------------------------------


@pytest.mark.parametrize("ext, args", [
    ("flac", []),
    ("ogg", ["-c:a", "libvorbis"]),
    ("wav", []),
    ("mp3", ["-id3v2_version", "3"]),
    ("mp3", ["-id3v2_version", "4"]),
])
def test_ffmpeg_tags_read_back_exactly(tmp_path, ext, args):
    path = _ffmpeg(tmp_path / f"t.{ext}", *args)
    assert _all_ways(path) == TAGS
    # the tags change nothing in the audio
    untagged = _ffmpeg(tmp_path / f"u.{ext}", *args, tags={})
    assert miniaudio.read_tags(untagged) == {}
    a, b = miniaudio.decode_file(path), miniaudio.decode_file(untagged)
    assert a.samples == b.samples and a.num_frames == b.num_frames > 0


def test_ffmpeg_id3v1_alone(tmp_path):
    """ID3v1 (ffmpeg writes UTF-8 into it, the genre as its number, the track in v1.1's byte): the
    ID3v2 tag in front is cut off so that only the ID3v1 tag is left."""
    tags = {"title": "Tïtle ☃", "artist": "Artist", "album": "Album", "date": "2024", "genre": "SynthPop",
            "tracknumber": "7", "comment": "çomment"}
    path = _ffmpeg(tmp_path / "t.mp3", "-id3v2_version", "3", "-write_id3v1", "1", tags=tags)
    with open(path, "rb") as f:
        data = f.read()
    assert data[:3] == b"ID3" and data[-128:-125] == b"TAG"
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    v1_only = data[10 + size:]
    assert miniaudio.read_tags(v1_only) == tags
    assert miniaudio.mp3_get_info(v1_only).tags == tags
    # both tags: ID3v2 wins where both have a field, and ID3v2's full date
    assert miniaudio.read_tags(data) == tags


def test_ffmpeg_long_comment_across_ogg_pages(tmp_path):
    """A 60000-character comment spans several Ogg pages and is read whole; a 70000-byte one is
    over the 64 KiB cap and left out while the other fields are still read."""
    tags = dict(TAGS, comment="x" * 59990 + "ü☃end")
    assert miniaudio.read_tags(_ffmpeg(tmp_path / "a.ogg", "-c:a", "libvorbis", tags=tags)) == tags
    tags = dict(TAGS, comment="y" * 70000)
    for ext in ("ogg", "flac"):
        path = _ffmpeg(tmp_path / f"b.{ext}", tags=tags)
        expected = {k: v for k, v in TAGS.items() if k != "comment"}
        assert miniaudio.read_tags(path) == expected
        assert miniaudio.get_file_info(path).tags == expected


def test_samples_have_no_tags():
    for name in ("tone.mp3", "tone.ogg", "tone_16.flac", "tone_s16.wav", "mono.mp3"):
        assert miniaudio.read_tags(os.path.join(SAMPLES, name)) == {}
        assert miniaudio.get_file_info(os.path.join(SAMPLES, name)).tags == {}


# ---- ID3v2 by hand -----------------------------------------------------------------------------


def _syncsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _id3(major, frames, flags=0, raw_size=None):
    body = b"".join(frames)
    return b"ID3" + bytes([major, 0, flags]) + (raw_size if raw_size is not None else _syncsafe(len(body))) + body


def _frame(major, fid, payload, fflags=b"\0\0"):
    if major == 2:
        return fid + len(payload).to_bytes(3, "big") + payload
    size = _syncsafe(len(payload)) if major == 4 else len(payload).to_bytes(4, "big")
    return fid + size + fflags + payload


def _mp3(tag=b"", tail=b""):
    return tag + _sample("tone.mp3") + tail


def _utf16(text, bom=True, be=False):
    if not bom:
        return text.encode("utf-16-be" if be else "utf-16-le")
    return (b"\xfe\xff" + text.encode("utf-16-be")) if be else (b"\xff\xfe" + text.encode("utf-16-le"))


def test_id3v22():
    frames = [_frame(2, b"TT2", b"\0Title 2.2\0"), _frame(2, b"TP1", b"\x01" + _utf16("Ärtist") + b"\0\0"),
              _frame(2, b"TAL", b"\0Alb"), _frame(2, b"TYE", b"\x001999"), _frame(2, b"TCO", b"\0(17)"),
              _frame(2, b"TRK", b"\x005"), _frame(2, b"COM", b"\0eng\0two-two")]
    assert miniaudio.read_tags(_mp3(_id3(2, frames))) == {
        "title": "Title 2.2", "artist": "Ärtist", "album": "Alb", "date": "1999", "genre": "Rock",
        "tracknumber": "5", "comment": "two-two"}


def test_id3v23_encodings_and_unsynchronisation():
    """Latin-1, UTF-16 with either byte order mark, a whole-tag unsynchronisation that has to be
    undone before the frame sizes mean anything, and an extended header to skip."""
    title = "ÿÿ\u00ff title ÿ"  # Latin-1 0xFF bytes: unsynchronisation inserts 0x00 after each
    frames = [_frame(3, b"TIT2", b"\0" + title.encode("latin-1")),
              _frame(3, b"TPE1", b"\x01" + _utf16("Ärtist 𝄞", be=True)),
              _frame(3, b"TALB", b"\x01" + _utf16("Albüm")),
              _frame(3, b"TYER", b"\x002001"), _frame(3, b"TDAT", b"\x003112"),
              _frame(3, b"TCON", b"\0(13)Indie Pop"),
              _frame(3, b"COMM", b"\0engdescribed\0not this one"),
              _frame(3, b"COMM", b"\x01eng" + _utf16("") + b"\0\0" + _utf16("this one ☃"))]
    ext = struct.pack(">I", 6) + b"\0\0\0\0\0\0"
    body = ext + b"".join(frames)
    unsynced = body.replace(b"\xff", b"\xff\x00")
    tag = b"ID3\x03\x00" + bytes([0x80 | 0x40]) + _syncsafe(len(unsynced)) + unsynced
    assert miniaudio.read_tags(_mp3(tag)) == {
        "title": title, "artist": "Ärtist 𝄞", "album": "Albüm", "date": "2001-12-31", "genre": "Indie Pop",
        "comment": "this one ☃"}


def test_id3v24_frame_flags_and_encodings():
    """2.4: UTF-8 and UTF-16BE text, syncsafe frame sizes, a per-frame unsynchronisation with a
    data length indicator, a grouping byte, an extended header; compressed and encrypted frames
    skipped; several NUL-separated values give the first."""
    raw = "ÿÿ unsync".encode("latin-1")
    unsynced = raw.replace(b"\xff", b"\xff\x00")
    frames = [_frame(4, b"TIT2", _syncsafe(len(raw) + 1) + b"\0" + unsynced, fflags=b"\0\x03"),
              _frame(4, b"TPE1", b"\x02" + "Ωmega".encode("utf-16-be")),
              _frame(4, b"TALB", b"G\x03" + "Albüm".encode(), fflags=b"\0\x40"),
              _frame(4, b"TCON", b"\x03" + "17".encode()),
              _frame(4, b"TRCK", b"\x03" + b"4\x005"),
              _frame(4, b"TDRC", b"\x00zzz", fflags=b"\0\x08"),  # compressed: skipped
              _frame(4, b"TDRC", b"\x00zzz", fflags=b"\0\x04"),  # encrypted: skipped
              _frame(4, b"TDRC", "\x032020-02-29".encode())]
    ext = _syncsafe(6) + b"\x01\x00"
    tag = _id3(4, [ext] + frames, flags=0x40)
    assert miniaudio.read_tags(_mp3(tag)) == {
        "title": "ÿÿ unsync", "artist": "Ωmega", "album": "Albüm", "genre": "Rock", "tracknumber": "4",
        "date": "2020-02-29"}


def test_id3v2_wins_over_id3v1_field_by_field():
    v1 = b"TAG" + b"v1 title".ljust(30, b"\0") + b"v1 artist".ljust(30, b" ") + b"".ljust(30, b"\0") + b"1980" + \
        b"v1 comment".ljust(28, b"\0") + b"\0\x09" + bytes([255])
    v2 = _id3(3, [_frame(3, b"TIT2", b"\0v2 title")])
    assert miniaudio.read_tags(_mp3(v2, v1)) == {"title": "v2 title", "artist": "v1 artist", "date": "1980",
                                                 "comment": "v1 comment", "tracknumber": "9"}
    # ID3v1 Latin-1 (not valid UTF-8) and an unknown genre number
    v1 = b"TAG" + "Café".encode("latin-1").ljust(30, b"\0") + bytes(64) + bytes(30) + bytes([200])
    assert miniaudio.read_tags(_mp3(b"", v1)) == {"title": "Café"}


# ---- RIFF INFO by hand ---------------------------------------------------------------------------


def _riff(chunks, form=b"RIFF"):
    body = b"WAVE" + b"".join(chunks)
    return form + struct.pack("<I", len(body)) + body


def _chunk(cid, data):
    return cid + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")


def _wav_chunks():
    """The fmt and data chunks of samples/short_u8.wav (odd sizes are possible with u8)."""
    data = _sample("mono_s16.wav")
    out, pos = [], 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid in (b"fmt ", b"data"):
            out.append(_chunk(cid, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return out


def test_riff_info_after_data_latin1_and_odd_sizes():
    info = _chunk(b"LIST", b"INFO" + _chunk(b"INAM", "Café".encode("latin-1") + b"\0") +  # odd: padded
                  _chunk(b"IART", "Ärtist".encode() + b"\0") + _chunk(b"IPRT", b"11\0") +
                  _chunk(b"ISFT", b"some program\0") + _chunk(b"ICMT", b"c") + _chunk(b"IGNR", b"Jazz\0\0\0"))
    data = _riff(_wav_chunks() + [info])
    expected = {"title": "Café", "artist": "Ärtist", "tracknumber": "11", "comment": "c", "genre": "Jazz"}
    assert miniaudio.read_tags(data) == expected
    assert miniaudio.wav_get_info(data).tags == expected
    assert miniaudio.wav_read_s16(data).samples == miniaudio.wav_read_s16(_sample("mono_s16.wav")).samples
    # a sub-chunk whose size runs past the LIST: the fields before it are kept
    info = _chunk(b"LIST", b"INFO" + _chunk(b"INAM", b"kept\0") + b"IART" + struct.pack("<I", 1000) + b"short")
    assert miniaudio.read_tags(_riff(_wav_chunks() + [info])) == {"title": "kept"}


def test_rf64_ds64_data_size():
    fmt, data = _wav_chunks()
    ds64 = _chunk(b"ds64", struct.pack("<QQQI", 0, len(data) - 8, 0, 0))
    data64 = b"data" + struct.pack("<I", 0xFFFFFFFF) + data[8:]
    info = _chunk(b"LIST", b"INFO" + _chunk(b"INAM", b"rf64 title\0"))
    rf64 = _riff([ds64, fmt, data64, info], form=b"RF64")
    assert _ma.read_tags(rf64, 0, FileFormat.WAV.value)[1] == {"title": "rf64 title"}


# ---- FLAC and Ogg by hand ------------------------------------------------------------------------


def _comment_list(comments, vendor=b"hand made"):
    out = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(comments))
    for c in comments:
        out += struct.pack("<I", len(c)) + c
    return out


def _flac_parts():
    data = _sample("tone_16.flac")
    assert data[:4] == b"fLaC"
    pos, blocks = 4, []
    while True:
        head = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        blocks.append((head & 0x7F, data[pos + 4:pos + 4 + size]))
        pos += 4 + size
        if head & 0x80:
            return blocks, data[pos:]


def _flac(extra_blocks, prefix=b""):
    blocks, frames = _flac_parts()
    blocks = [b for b in blocks if b[0] == 0] + extra_blocks
    out = prefix + b"fLaC"
    for i, (btype, body) in enumerate(blocks):
        last = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([last | btype]) + len(body).to_bytes(3, "big") + body
    return out + frames


def test_flac_vorbis_comment_block_by_hand():
    comments = [b"title=lower case key", b"ARTIST=First", b"ARTIST=Second (not kept)", b"no equals sign",
                b"DESCRIPTION=from description", b"TRACKNUMBER=", b"GeNrE=Mixed Case"]
    data = _flac([(1, bytes(100)), (4, _comment_list(comments)), (6, b"\0" * 40)],
                 prefix=_id3(3, [_frame(3, b"TIT2", b"\0id3 before fLaC")]))
    expected = {"title": "lower case key", "artist": "First", "comment": "from description", "genre": "Mixed Case"}
    assert miniaudio.read_tags(data) == expected
    assert miniaudio.flac_get_info(data).tags == expected
    assert miniaudio.flac_read_s16(data).samples == miniaudio.flac_read_s16(_sample("tone_16.flac")).samples



@pytest.mark.parametrize("padding", [3900, *range(4040, 4058, 2), 4047, 4049, 4096, 8188])
def test_tags_from_a_path_across_read_blocks(tmp_path, padding):
    """A path's tags are read in 4 KiB blocks: a comment block whose header (at 46 + padding),
    vendor string or fields straddle a block's edge, and a file's last block (ID3v1 of an MP3) read
    the same as from memory."""
    comments = [b"TITLE=" + b"t" * 50, b"ARTIST=across the edge", b"ALBUM=" + b"a" * 3000, b"GENRE=last"]
    data = _flac([(1, bytes(padding)), (4, _comment_list(comments))])
    path = tmp_path / "t.flac"
    path.write_bytes(data)
    expected = {"title": "t" * 50, "artist": "across the edge", "album": "a" * 3000, "genre": "last"}
    assert miniaudio.read_tags(data) == expected
    assert miniaudio.read_tags(str(path)) == miniaudio.get_file_info(str(path)).tags == expected
    v1 = b"TAG" + b"v1 title".ljust(30, b"\0") + b"v1 artist".ljust(30, b"\0") + bytes(30 + 4 + 30) + b"\x0d"
    mp3 = _mp3(tail=bytes(padding) + v1)
    path = tmp_path / "t.mp3"
    path.write_bytes(mp3)
    assert miniaudio.read_tags(str(path)) == miniaudio.read_tags(mp3) == {"title": "v1 title", "artist": "v1 artist",
                                                                          "genre": "Pop"}


_CRC = []


def _ogg_crc(data):
    if not _CRC:
        for i in range(256):
            r = i << 24
            for _ in range(8):
                r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
            _CRC.append(r & 0xFFFFFFFF)
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[(crc >> 24) ^ b]
    return crc


def _ogg_page(flags, granule, serial, seq, lacing, body):
    head = b"OggS\0" + bytes([flags]) + struct.pack("<qII", granule, serial, seq) + b"\0\0\0\0" + \
        bytes([len(lacing)]) + bytes(lacing)
    page = head + body
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def _ogg_split(data):
    """(first three packets, the bytes of the pages after them, serial) of an Ogg Vorbis file."""
    pos, packets, current = 0, [], b""
    while len(packets) < 3:
        assert data[pos:pos + 4] == b"OggS"
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


def _ogg_repage(packets, serial, segments_per_page, other_serial_pages=False):
    """The packets laid out on pages of at most segments_per_page lacing values (a packet then
    continues on the next page, flag 1); optionally a page of another stream between them."""
    pages, seq, lacing, body, continued = [], 0, [], b"", 0
    for i, packet in enumerate(packets):
        vals = [255] * (len(packet) // 255) + [len(packet) % 255]
        offset = 0
        for v in vals:
            lacing.append(v)
            body += packet[offset:offset + v]
            offset += v
            if len(lacing) == segments_per_page or i == 0 and v < 255:
                pages.append(_ogg_page(continued | (2 if seq == 0 else 0), 0, serial, seq, lacing, body))
                continued = 1 if v == 255 else 0
                seq, lacing, body = seq + 1, [], b""
                if other_serial_pages:
                    pages.append(_ogg_page(2, 0, serial + 1, 0, [3], b"xyz"))
    if lacing:
        pages.append(_ogg_page(continued, 0, serial, seq, lacing, body))
    return b"".join(pages), seq + 1


@pytest.mark.parametrize("segments_per_page", [1, 2, 7, 255])
def test_ogg_comment_packet_across_many_pages(tmp_path, segments_per_page):
    """A comment packet with a 5000-byte picture-like comment first, laid on pages of 1, 2, 7 and
    255 segments, pages of another logical stream between them: every field read, the audio the
    same."""
    original = _ffmpeg(tmp_path / "u.ogg", "-c:a", "libvorbis", tags={})
    with open(original, "rb") as f:
        data = f.read()
    packets, audio_pages, serial = _ogg_split(data)
    comments = [b"METADATA_BLOCK_PICTURE=" + bytes(range(256)) * 20] + \
        [(k.upper() + "=" + v).encode() for k, v in TAGS.items()]
    packets[1] = b"\x03vorbis" + _comment_list(comments) + b"\x01"
    head, _ = _ogg_repage(packets, serial, segments_per_page)
    rebuilt = head + audio_pages
    assert miniaudio.read_tags(rebuilt) == TAGS
    assert miniaudio.vorbis_get_info(rebuilt).tags == TAGS
    assert miniaudio.decode(rebuilt).samples == miniaudio.decode(data).samples
    # pages of another logical stream between ours (which stb_vorbis does not take in the headers)
    head, _ = _ogg_repage(packets, serial, segments_per_page, other_serial_pages=True)
    assert _ma.read_tags(head + audio_pages, 0, FileFormat.VORBIS.value)[1] == TAGS


# ---- hostile and corrupt tags ---------------------------------------------------------------------


def _hostile_id3():
    """ID3v2 tags that lie: (name, tag bytes)."""
    t = {}
    t["size-not-syncsafe"] = b"ID3\x03\x00\x00\xff\xff\xff\xff" + _frame(3, b"TIT2", b"\0x")
    t["size-max"] = b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + _frame(4, b"TIT2", b"\0x")
    t["frame-size-huge"] = _id3(3, [b"TIT2" + b"\xff\xff\xff\xf0\0\0\0title"])
    t["frame-truncated"] = _id3(3, [_frame(3, b"TALB", b"\0kept"), b"TIT2\0\0\0\x20\0\0\0short"])
    t["ext-header-huge"] = _id3(3, [b"\x7f\xff\xff\xff" + _frame(3, b"TIT2", b"\0x")], flags=0x40)
    t["ext-header-24-small"] = _id3(4, [_syncsafe(2) + _frame(4, b"TIT2", b"\0x")], flags=0x40)
    t["zero-length-frames"] = _id3(3, [_frame(3, b"TIT2", b""), _frame(3, b"COMM", b""), _frame(3, b"TXXX", b""),
                                       _frame(3, b"TPE1", b"\x01"), _frame(3, b"COMM", b"\x01en"),
                                       _frame(3, b"TALB", b"\x01\xff\xfe"), _frame(3, b"TCON", b"\0()"),
                                       _frame(3, b"TRCK", b"\x01\xff\xfe\x00\xd8")])  # lone surrogate
    t["bad-encoding-byte"] = _id3(3, [_frame(3, b"TIT2", b"\x09abc"), _frame(3, b"TPE1", b"\x03\xff\xfe\xc3")])
    t["dli-too-short"] = _id3(4, [_frame(4, b"TIT2", b"\0\0", fflags=b"\0\x01"),
                                  _frame(4, b"TPE1", b"", fflags=b"\0\x40")])
    t["unsync-all-ff"] = b"ID3\x03\x00\x80" + _syncsafe(4000) + b"\xff\x00" * 2000
    t["compressed-22"] = b"ID3\x02\x00\x40" + _syncsafe(20) + _frame(2, b"TT2", b"\0x" * 7)
    t["cut-inside-header"] = b"ID3\x03\x00\x00"
    return t


@pytest.mark.parametrize("name", sorted(_hostile_id3()))
def test_hostile_id3_never_stops_decoding(name):
    tag = _hostile_id3()[name]
    for data in (_mp3(tag), _mp3(b"", tag[:128].ljust(128, b"\0")), tag):
        tags = _ma.read_tags(data, 0, FileFormat.MP3.value)[1]
        assert isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values())
    data = _mp3(tag)
    try:
        info = miniaudio.mp3_get_info(data)
    except miniaudio.DecodeError:
        # the decoder skips the tag by its (lying) size and finds no audio: read_tags says the same
        assert name in ("size-max", "size-not-syncsafe", "cut-inside-header"), name
        with pytest.raises(miniaudio.DecodeError):
            miniaudio.read_tags(data)
        return
    tags = miniaudio.read_tags(data)
    assert info.tags == tags
    assert miniaudio.decode(data).num_frames > 0
    if name == "frame-truncated":
        assert tags == {"album": "kept"}
    if name == "zero-length-frames":
        assert tags == {"tracknumber": "\ufffd", "genre": "()"}


def test_hostile_vorbis_comments_and_riff():
    big = 0xFFFFFFFF
    lists = [struct.pack("<I", big), struct.pack("<I", 4) + b"vend" + struct.pack("<I", big),
             _comment_list([]) [:-4] + struct.pack("<I", 0x20000001) + struct.pack("<I", big),
             _comment_list([b"TITLE=ok"])[:-2], _comment_list([b"=", b"TITLE", b"", b"TITLE=\xff\xfe bad utf8"])]
    for body in lists:
        data = _flac([(4, body)])
        tags = miniaudio.read_tags(data)
        assert tags in ({}, {"title": "\ufffd\ufffd bad utf8"})
        assert miniaudio.flac_read_s16(data).num_frames == 44100
    # a block whose 24-bit size runs past the file
    data = _sample("tone_16.flac")[:42] + b"\x84\xff\xff\xff" + _comment_list([b"TITLE=x"])
    assert _ma.read_tags(data, 0, FileFormat.FLAC.value)[1] == {"title": "x"}
    for riff in (_riff([b"LIST" + struct.pack("<I", big) + b"INFO" + _chunk(b"INAM", b"x\0")]),
                 _riff([_chunk(b"LIST", b"INFO")]), _riff([_chunk(b"LIST", b"IN")]),
                 _riff([b"data" + struct.pack("<I", big)] * 2), b"RIFF\0\0\0\0WAVE" + b"JUNK\0\0\0\0" * 5000):
        assert _ma.read_tags(riff, 0, FileFormat.WAV.value)[1] in ({}, {"title": "x"})


def test_cve_comment_header_inputs_stay_safe():
    """The stb_vorbis comment-header CVE inputs (patch 0006 keeps stb_vorbis from storing comments;
    the tags are read by our own parser): info and decoding fail or succeed cleanly as before, and
    the tag parser, which walks the same lengths, stays within its bounds."""
    paths = sorted(p for p in os.listdir(REGRESSIONS) if p.startswith("cve2023-4567") or p.startswith("cve2023-4568"))
    assert len(paths) >= 7
    for name in paths:
        with open(os.path.join(REGRESSIONS, name), "rb") as f:
            data = f.read()
        assert isinstance(_ma.read_tags(data, 0, FileFormat.VORBIS.value)[1], dict)
        try:
            info = miniaudio.vorbis_get_info(data)
        except miniaudio.DecodeError:
            with pytest.raises(miniaudio.DecodeError):
                miniaudio.read_tags(data)
        else:
            assert info.tags == miniaudio.read_tags(data)


# ---- errors ----------------------------------------------------------------------------------------


def test_not_audio_raises_what_get_file_info_raises(tmp_path):
    path = tmp_path / "text.txt"
    path.write_bytes(b"just text, no audio " * 50)
    with pytest.raises(miniaudio.DecodeError) as info_error:
        miniaudio.get_file_info(str(path))
    with pytest.raises(type(info_error.value)):
        miniaudio.read_tags(str(path))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.read_tags(path.read_bytes())
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.read_tags(io.BytesIO(path.read_bytes()))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.read_tags(b"")
    with pytest.raises(FileNotFoundError):
        miniaudio.read_tags(str(tmp_path / "missing.mp3"))
    with pytest.raises(TypeError, match="source must be"):
        miniaudio.read_tags(42)


def test_file_objects(tmp_path):
    data = _mp3(_id3(3, [_frame(3, b"TIT2", b"\0from a file object")]))

    class Unseekable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            raise AssertionError("must not be read")

    assert miniaudio.read_tags(Unseekable()) == {}

    class Failing(io.BytesIO):
        reads = 0

        def read(self, n=-1):
            Failing.reads += 1
            if Failing.reads > 3:
                raise OSError("disk on fire")
            return super().read(n)

    with pytest.raises(miniaudio.DecodeError, match="disk on fire") as e:
        miniaudio.read_tags(Failing(data))
    assert isinstance(e.value.__cause__, OSError)
    # a raw file object that returns short reads
    path = tmp_path / "t.mp3"
    path.write_bytes(data)
    with open(path, "rb", buffering=0) as f:
        assert miniaudio.read_tags(f) == {"title": "from a file object"}


def test_pickle_and_old_pickles():
    data = _mp3(_id3(3, [_frame(3, b"TIT2", b"\0pickled")]))
    info = miniaudio.mp3_get_info(data)
    again = pickle.loads(pickle.dumps(info))
    assert again.tags == {"title": "pickled"} and again.num_frames == info.num_frames
    # an object pickled before tags existed: its state has no "tags"
    state = dict(info.__dict__)
    del state["tags"]
    old = miniaudio.SoundFileInfo.__new__(miniaudio.SoundFileInfo)
    old.__setstate__(state)
    assert old.tags == {}
    decoded = miniaudio.decode(data)
    assert decoded.tags == {}
    assert miniaudio.SoundFileInfo("x", FileFormat.MP3, 1, 8000, miniaudio.SampleFormat.SIGNED16, 0.0, 0).tags == {}


# ---- writing RIFF INFO --------------------------------------------------------------------------


def test_wav_write_file_tags_round_trip(tmp_path):
    sound = miniaudio.DecodedSoundFile("odd", 1, 8000, miniaudio.SampleFormat.UNSIGNED8, array.array("B", b"\x80\x81\x82"))
    path = str(tmp_path / "tags.wav")
    miniaudio.wav_write_file(path, sound, tags=TAGS)
    assert miniaudio.read_tags(path) == TAGS
    info = miniaudio.get_file_info(path)
    assert info.tags == TAGS and info.num_frames == 3
    assert miniaudio.wav_read_file_s16(path).num_frames == 3
    with wave.open(path) as w:
        assert w.getnframes() == 3 and w.readframes(3) == b"\x80\x81\x82"
    with open(path, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8 and len(data) % 2 == 0
    if shutil.which("ffprobe"):
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", path],
                             capture_output=True, text=True, check=True).stdout
        assert json.loads(out)["format"]["tags"]["title"] == TAGS["title"]  # another reader agrees
    miniaudio.wav_write_file(path, sound, tags={})
    assert miniaudio.read_tags(path) == {} and os.path.getsize(path) == 44 + 4


def test_bad_tags_refused_before_writing(tmp_path):
    sound = miniaudio.decode_file(os.path.join(SAMPLES, "tone.mp3"))
    path = tmp_path / "never.wav"
    for tags, error in [({"titel": "x"}, ValueError), ({"title": 3}, TypeError), ({"title": "a\0b"}, ValueError),
                        ({"title": "x" * 65537}, ValueError), ("title=x", TypeError), ({3: "x"}, ValueError),
                        ({"title": "\ud800"}, ValueError)]:
        with pytest.raises(error):
            miniaudio.wav_write_file(str(path), sound, tags=tags)
        assert not path.exists()


def test_riff_info_chunk_layout():
    chunk = _riff_info_chunk({"title": "ab", "artist": "", "comment": "é"})
    assert chunk == b"LIST" + struct.pack("<I", 4 + 8 + 4 + 8 + 4) + b"INFO" + b"INAM\x03\0\0\0ab\0\0" + \
        b"ICMT\x03\0\0\0\xc3\xa9\0\0"
    assert _riff_info_chunk(None) == b"" and _riff_info_chunk({}) == b"" and _riff_info_chunk({"date": ""}) == b""
    full = _riff_info_chunk({k: "x" * 65536 for k in TAGS})
    assert len(full) % 2 == 0 and len(full) < 8 * 65546 + 12
    assert _ma.read_tags(_riff(_wav_chunks() + [full]), 0, FileFormat.WAV.value)[1] == {k: "x" * 65536 for k in TAGS}


# ---- the tag corpus (tests/corpus/make_tags_corpus.py) --------------------------------------------

TAG_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "tags")


def test_tag_corpus_matches_its_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_tags_corpus", os.path.join(os.path.dirname(TAG_CORPUS),
                                                                                    "make_tags_corpus.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.build()
    on_disk = {}
    for name in os.listdir(TAG_CORPUS):
        with open(os.path.join(TAG_CORPUS, name), "rb") as f:
            on_disk[name] = f.read()
    assert on_disk == made, "run tests/corpus/make_tags_corpus.py"


@pytest.mark.parametrize("name", sorted(os.listdir(TAG_CORPUS)))
def test_tag_corpus_file(name, tmp_path):
    """Every corpus file: the parsers as each format from memory, a path and a file object agree
    and never raise; read_tags() raises exactly when get_info() does, else gives info.tags; what
    decodes, decodes."""
    with open(os.path.join(TAG_CORPUS, name), "rb") as f:
        data = f.read()
    path = tmp_path / name
    path.write_bytes(data)
    for fmt in (FileFormat.WAV, FileFormat.FLAC, FileFormat.MP3, FileFormat.VORBIS):
        mem = _ma.read_tags(data, 0, fmt.value)[1]
        assert _ma.read_tags(str(path), 1, fmt.value)[1] == mem
        assert _ma.read_tags(io.BytesIO(data), 2, fmt.value)[1] == mem
    try:
        info = miniaudio.get_file_info(str(path))
    except miniaudio.DecodeError:
        for source in (data, str(path), io.BytesIO(data)):
            with pytest.raises(miniaudio.DecodeError):
                miniaudio.read_tags(source)
        return
    assert miniaudio.read_tags(data) == miniaudio.read_tags(str(path)) == info.tags
    assert miniaudio.decode_file(str(path)).num_frames > 0


@pytest.mark.parametrize("damaged, intact", [
    ("ogg_comment_vendor_huge.ogg", "ogg_comment_all_fields.ogg"),  # patch 0058
    ("ogg_comment_length_huge.ogg", "ogg_comment_all_fields.ogg"),  # patch 0058
    ("ogg_comment_count_huge.ogg", "ogg_comment_all_fields.ogg"),  # patch 0058
    ("ogg_comment_no_framing_bit.ogg", "ogg_comment_all_fields.ogg"),  # patch 0058
    ("flac_comment_block_4_bytes.flac", "flac_comment_all_fields.flac"),  # patch 0059
    ("flac_comment_block_empty.flac", "flac_comment_all_fields.flac"),  # patch 0059
])
def test_damaged_comments_never_stop_the_audio(damaged, intact):
    """A comment header or block that cannot be parsed: the same audio as with intact comments,
    from every input (before patches 0058/0059: DecodeError), and the fields that parse."""
    def load(name):
        with open(os.path.join(TAG_CORPUS, name), "rb") as f:
            return f.read()

    bad, good = load(damaged), load(intact)
    expected = miniaudio.decode(good).samples
    assert miniaudio.decode(bad).samples == expected
    assert miniaudio.get_file_info(os.path.join(TAG_CORPUS, damaged)).num_frames == \
        miniaudio.get_file_info(os.path.join(TAG_CORPUS, intact)).num_frames
    with miniaudio.stream_any(io.BytesIO(bad), nchannels=2, sample_rate=44100) as stream:
        assert array.array("h", b"".join(bytes(c) for c in stream)) == expected
    tags, intact_tags = miniaudio.read_tags(bad), miniaudio.read_tags(good)
    assert tags == {} or tags == {"title": "x"} or tags == intact_tags  # no framing bit: all fields
