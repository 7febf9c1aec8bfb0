#!/usr/bin/env python3
"""Write the hostile-file corpus: small malformed WAV/RF64/W64/AIFF, MP3, FLAC and Ogg files.

Usage:  python tests/corpus/make_hostile.py [--check] [OUTDIR]

Every file is built here with struct (stdlib only), some from the committed samples in
samples/ (real MP3 frames, FLAC frames and Vorbis packets to tamper with), so the script is
deterministic: running it again writes byte-identical files.  OUTDIR defaults to
tests/corpus/hostile/, which is emptied of files the script no longer makes.  ``--check``
builds the corpus in memory and exits 1 if the committed files differ (tests/test_hostile.py
does the same check).

Each file is named for what it tests: <container>_<what is wrong>.<ext>.  The one-line reasons
are kept next to each builder below (``add(name, data, why)``); ``python make_hostile.py --list``
prints them.  tests/test_hostile.py feeds every file to every decoding entry point and requires a
clean exception or a bounded decode.
"""

import os
import random
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "samples")
DEFAULT_OUT = os.path.join(HERE, "hostile")

CORPUS = {}  # name -> bytes
WHY = {}  # name -> one line


def add(name, data, why):
    assert name not in CORPUS, name
    assert len(data) <= 128 * 1024, (name, len(data))
    CORPUS[name] = bytes(data)
    WHY[name] = why


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


def rng(seed):
    return random.Random(seed)


def garbage(seed, n):
    r = rng(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


# ================================================================================================
# WAV (RIFF, RIFX, RF64, W64) and AIFF: dr_wav
# ================================================================================================

u16, u32, u64 = (lambda v: struct.pack("<H", v)), (lambda v: struct.pack("<I", v)), (lambda v: struct.pack("<Q", v))

PCM_FRAMES = 100


def pcm16(frames=PCM_FRAMES, channels=2):
    """A short 16-bit ramp: frames * channels samples."""
    return b"".join(struct.pack("<h", (i * 331) % 65536 - 32768) for i in range(frames * channels))


def ck(cid, payload, size=None, pad=True):
    """A RIFF chunk; `size` overrides the declared size; odd payloads get a pad byte if `pad`."""
    declared = len(payload) if size is None else size
    out = cid + u32(declared) + payload
    if pad and len(payload) % 2:
        out += b"\0"
    return out


def fmt(tag=1, ch=2, rate=8000, bps=16, align=None, byterate=None, extra=b"", size=None):
    if align is None:
        align = ch * bps // 8 if tag in (1, 3, 6, 7, 0xFFFE) else 0
    if byterate is None:
        byterate = rate * align
    body = struct.pack("<HHIIHH", tag, ch, rate & 0xFFFFFFFF, byterate & 0xFFFFFFFF, align & 0xFFFF, bps & 0xFFFF)
    return ck(b"fmt ", body + extra, size)


GUID_TAIL = bytes([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def subformat(tag):
    return struct.pack("<H", tag) + GUID_TAIL[:2] + GUID_TAIL[2:]  # 16 bytes: tag, 0000, 0010, 8000-00aa00389b71


def ext(valid_bits, mask, guid, cbsize=22):
    return u16(cbsize) + u16(valid_bits) + u32(mask) + guid


def riff(*chunks, size=None, magic=b"RIFF", form=b"WAVE"):
    body = form + b"".join(chunks)
    return magic + u32(len(body) if size is None else size) + body


def wav(fmt_chunk=None, data=None, *, before=(), after=(), data_size=None, size=None):
    fmt_chunk = fmt() if fmt_chunk is None else fmt_chunk
    data = pcm16() if data is None else data
    return riff(fmt_chunk, *before, ck(b"data", data, data_size), *after, size=size)


def build_wav():
    d = pcm16()
    add("wav_channels_0.wav", wav(fmt(ch=0, align=4)), "fmt: 0 channels")
    add("wav_channels_65535.wav", wav(fmt(ch=65535, align=4)), "fmt: 65535 channels, block align of 2")
    add("wav_channels_65535_align_consistent.wav", wav(fmt(ch=65535, align=65535 * 2 & 0xFFFF)),
        "fmt: 65535 channels and the (16-bit wrapped) block align they imply")
    add("wav_channels_255.wav", wav(fmt(ch=255, align=510), d[:510 * 2]), "fmt: 255 channels, two frames")
    add("wav_channels_3_align_4.wav", wav(fmt(ch=3, align=4)), "fmt: 3 channels of 16 bits but block align 4")
    add("wav_rate_0.wav", wav(fmt(rate=0)), "fmt: sample rate 0")
    add("wav_rate_1.wav", wav(fmt(rate=1), d[:40]), "fmt: sample rate 1 Hz (44100x upsampling on decode)")
    add("wav_rate_384001.wav", wav(fmt(rate=384001)), "fmt: sample rate just over the decoder's maximum")
    add("wav_rate_ffffffff.wav", wav(fmt(rate=0xFFFFFFFF)), "fmt: sample rate 2**32-1")
    for bps in (0, 1, 7, 12, 33, 64, 65535):
        add("wav_bps_%d.wav" % bps, wav(fmt(bps=bps, align=4)), "fmt: %d bits per sample, block align 4" % bps)
    add("wav_bps_24_align_8.wav", wav(fmt(bps=24, align=8)), "fmt: 24-bit samples in an 8-byte block align")
    add("wav_bps_8_align_4.wav", wav(fmt(bps=8, align=4)), "fmt: 8-bit stereo with block align 4")
    add("wav_align_0.wav", wav(fmt(align=0)), "fmt: block align 0")
    add("wav_align_1.wav", wav(fmt(align=1)), "fmt: block align 1 for 16-bit stereo")
    add("wav_align_3.wav", wav(fmt(align=3)), "fmt: block align 3 for 16-bit stereo")
    add("wav_align_65535.wav", wav(fmt(align=65535)), "fmt: block align 65535, larger than the data")
    add("wav_byterate_0.wav", wav(fmt(byterate=0)), "fmt: average bytes per second 0")
    # fmt chunk sizes
    add("wav_fmt_size_0.wav", wav(fmt(size=0)), "fmt chunk declares 0 bytes but holds 16")
    add("wav_fmt_size_14.wav", riff(ck(b"fmt ", fmt()[8:22]), ck(b"data", d)), "legacy 14-byte fmt chunk")
    add("wav_fmt_size_17_odd.wav", wav(fmt(extra=b"\0", size=17)), "fmt chunk of odd size 17 (cbSize cut in half)")
    add("wav_fmt_size_ffffffff.wav", wav(fmt(size=0xFFFFFFFF)), "fmt chunk size 0xFFFFFFFF")
    add("wav_fmt_size_fffffff8.wav", wav(fmt(size=0xFFFFFFF8)), "fmt chunk size 0xFFFFFFF8 (wraps 32-bit sums)")
    add("wav_fmt_size_past_end.wav", wav(fmt(size=100000)), "fmt chunk size larger than the file")
    add("wav_fmt_cbsize_ffff.wav", wav(fmt(extra=u16(0xFFFF), size=18)), "fmt cbSize 65535 in an 18-byte fmt")
    add("wav_fmt_after_data.wav", riff(ck(b"data", d), fmt()), "data chunk before the fmt chunk")
    add("wav_no_fmt.wav", riff(ck(b"data", d)), "no fmt chunk")
    add("wav_no_data.wav", riff(fmt()), "no data chunk")
    add("wav_fmt_only_truncated.wav", riff(fmt())[:30], "file ends inside the fmt chunk")
    add("wav_two_fmt_conflicting.wav", riff(fmt(), fmt(ch=0, rate=0, bps=0, align=0), ck(b"data", d)),
        "a valid fmt chunk followed by an all-zero one")
    add("wav_two_data.wav", riff(fmt(), ck(b"data", d), ck(b"data", d[:7])), "two data chunks")
    # data chunk sizes
    for size in (0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFF8, 0x80000000, 1 << 20):
        add("wav_data_size_%x.wav" % size, wav(data_size=size), "data chunk size 0x%X, far past the file" % size)
    add("wav_data_size_0.wav", wav(data_size=0), "data chunk size 0 with bytes after it")
    add("wav_data_size_1.wav", wav(data=b"\x01", data_size=1), "one-byte data chunk (less than a frame)")
    add("wav_data_size_odd.wav", wav(data=d[:201]), "data chunk of odd size 201 (pad byte follows)")
    add("wav_data_size_ffffffff_empty.wav", riff(fmt(), ck(b"data", b"", 0xFFFFFFFF)),
        "data chunk size 0xFFFFFFFF (streamed-WAV marker) and no data")
    # RIFF header sizes and forms
    add("wav_riff_size_0.wav", wav(size=0), "RIFF size 0")
    add("wav_riff_size_ffffffff.wav", wav(size=0xFFFFFFFF), "RIFF size 0xFFFFFFFF")
    add("wav_riff_size_4.wav", wav(size=4), "RIFF size 4: only the form type")
    add("wav_riff_form_not_wave.wav", riff(fmt(), ck(b"data", d), form=b"AVI "), "RIFF form AVI instead of WAVE")
    d_be = b"".join(struct.pack(">h", v) for v in struct.unpack("<%dh" % (len(d) // 2), d))
    be_body = (b"WAVE" + b"fmt " + struct.pack(">IHHIIHH", 16, 1, 2, 8000, 32000, 4, 16) +
               b"data" + struct.pack(">I", len(d)) + d_be)
    add("wav_rifx_bigendian.wav", b"RIFX" + struct.pack(">I", len(be_body)) + be_body,
        "a valid big-endian RIFX file")
    add("wav_rifx_data_size_ffffffff.wav", b"RIFX" + struct.pack(">I", len(be_body)) +
        be_body.replace(b"data" + struct.pack(">I", len(d)), b"data\xff\xff\xff\xff"),
        "big-endian RIFX with data size 0xFFFFFFFF")
    add("wav_rifx_sizes_swapped.wav", riff(fmt(), ck(b"data", d), magic=b"RIFX"),
        "RIFX magic with little-endian sizes (every size read byte-swapped)")
    # fact chunks
    add("wav_fact_size_0.wav", wav(before=[ck(b"fact", b"")]), "fact chunk of size 0 before data (miniaudio #1123)")
    add("wav_fact_size_0_last.wav", riff(fmt(), ck(b"fact", b"")),
        "fact chunk of size 0 as the last chunk, no data chunk")
    add("wav_fact_size_2.wav", wav(before=[ck(b"fact", b"\x05\x00")]), "fact chunk of size 2 (less than its count)")
    add("wav_fact_size_ffffffff.wav", wav(before=[ck(b"fact", u32(5), 0xFFFFFFFF)]), "fact chunk size 0xFFFFFFFF")
    add("wav_fact_after_data.wav", wav(after=[ck(b"fact", u32(0xFFFFFFFF))]), "fact chunk after the data chunk")
    # odd, tiny and unknown chunks
    add("wav_odd_chunk_padded.wav", wav(before=[ck(b"junk", b"abc")]), "odd-sized chunk with its pad byte")
    add("wav_odd_chunk_unpadded.wav", wav(before=[ck(b"junk", b"abc", pad=False)]),
        "odd-sized chunk without its pad byte (everything after is off by one)")
    add("wav_unknown_chunk_size_ffffffff.wav", wav(before=[ck(b"junk", b"1234", 0xFFFFFFFF)]),
        "unknown chunk of size 0xFFFFFFFF before data")
    add("wav_unknown_chunk_size_fffffff8.wav", wav(before=[ck(b"junk", b"1234", 0xFFFFFFF8)]),
        "unknown chunk of size 0xFFFFFFF8 before data")
    add("wav_unknown_chunk_size_7fffffff.wav", wav(before=[ck(b"junk", b"1234", 0x7FFFFFFF)]),
        "unknown chunk of odd size 0x7FFFFFFF (the pad byte makes it 2**31)")
    add("wav_many_tiny_chunks.wav", wav(before=[ck(b"junk", b"")] * 3000), "3000 empty chunks before data")
    add("wav_many_odd_chunks.wav", wav(before=[ck(b"junk", b"x")] * 1500), "1500 one-byte chunks before data")
    add("wav_many_chunks_after_data.wav", wav(after=[ck(b"LIST", b"")] * 3000), "3000 empty LIST chunks after data")
    add("wav_chunk_header_truncated.wav", wav() + b"junk\x10", "file ends inside a chunk header after the data")
    # metadata chunks dr_wav knows
    add("wav_list_huge.wav", wav(before=[ck(b"LIST", b"INFOINAM", 0x7FFFFFF0)]), "LIST chunk size 0x7FFFFFF0")
    add("wav_list_info_nested_garbage.wav",
        wav(before=[ck(b"LIST", b"INFO" + ck(b"INAM", b"x" * 4, 0xFFFFFFF0) + garbage(1, 64))]),
        "LIST/INFO sub-chunk with a huge size")
    smpl = struct.pack("<9I", 0, 0, 22675, 60, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF)
    add("wav_smpl_huge_loop_count.wav", wav(before=[ck(b"smpl", smpl)]), "smpl chunk: 2**32-1 sample loops")
    add("wav_cue_huge_count.wav", wav(before=[ck(b"cue ", u32(0xFFFFFFFF) + b"\0" * 24)]),
        "cue chunk: 2**32-1 cue points in 28 bytes")
    add("wav_bext_size_past_end.wav", wav(before=[ck(b"bext", b"\0" * 40, 0x00FFFFFF)]),
        "bext chunk larger than the file")
    add("wav_acid_inst_short.wav", wav(before=[ck(b"acid", b"\1"), ck(b"inst", b"\2\3")]),
        "acid and inst chunks far shorter than their structures")
    # WAVE_FORMAT_EXTENSIBLE
    E = 0xFFFE
    add("wav_ext_bad_subformat.wav", wav(fmt(E, extra=ext(16, 3, garbage(2, 16)))),
        "extensible: random sub-format GUID")
    add("wav_ext_subformat_zero.wav", wav(fmt(E, extra=ext(16, 3, b"\0" * 16))), "extensible: all-zero sub-format")
    add("wav_ext_subformat_extensible.wav", wav(fmt(E, extra=ext(16, 3, subformat(E)))),
        "extensible: sub-format is itself 0xFFFE")
    add("wav_ext_subformat_adpcm.wav", wav(fmt(E, extra=ext(16, 3, subformat(2)))),
        "extensible: MS-ADPCM sub-format with PCM sizes")
    add("wav_ext_subformat_float_bps16.wav", wav(fmt(E, extra=ext(16, 3, subformat(3)))),
        "extensible: IEEE-float sub-format with 16-bit samples")
    add("wav_ext_cbsize_0.wav", wav(fmt(E, extra=u16(0))), "extensible with cbSize 0 (no extension)")
    add("wav_ext_cbsize_21.wav", wav(fmt(E, extra=ext(16, 3, subformat(1), cbsize=21))), "extensible: cbSize 21")
    add("wav_ext_cbsize_ffff.wav", wav(fmt(E, extra=ext(16, 3, subformat(1), cbsize=0xFFFF))),
        "extensible: cbSize 65535")
    add("wav_ext_fmt_size_18.wav", wav(fmt(E, extra=ext(16, 3, subformat(1)), size=18)),
        "extensible: fmt chunk declares 18 bytes but the extension needs 40")
    add("wav_ext_valid_bits_0.wav", wav(fmt(E, extra=ext(0, 3, subformat(1)))), "extensible: 0 valid bits")
    add("wav_ext_valid_bits_32_of_16.wav", wav(fmt(E, extra=ext(32, 3, subformat(1)))),
        "extensible: 32 valid bits in 16-bit samples")
    add("wav_ext_channel_mask_ffffffff.wav", wav(fmt(E, ch=1, align=2, extra=ext(16, 0xFFFFFFFF, subformat(1)))),
        "extensible: every channel-mask bit set for one channel")
    add("wav_ext_truncated.wav", riff(fmt(E, extra=ext(16, 3, subformat(1))))[:50],
        "file ends inside the extensible fmt")
    # other format tags
    add("wav_float_bps_16.wav", wav(fmt(3, bps=16)), "IEEE float with 16-bit samples")
    add("wav_float_bps_8.wav", wav(fmt(3, bps=8)), "IEEE float with 8-bit samples")
    add("wav_float_nan_inf.wav", wav(fmt(3, bps=32), struct.pack("<4f", float("nan"), float("inf"),
                                                                  float("-inf"), 3.4e38) * 50),
        "IEEE float data of NaN, +-inf and 3.4e38")
    add("wav_float64_denormal.wav", wav(fmt(3, bps=64), struct.pack("<2d", 5e-324, -1e308) * 50),
        "64-bit float data of denormals and -1e308")
    add("wav_alaw_bps_16.wav", wav(fmt(6, bps=16)), "A-law with 16 bits per sample")
    add("wav_mulaw_bps_0.wav", wav(fmt(7, bps=0, align=2)), "mu-law with 0 bits per sample")
    add("wav_tag_0.wav", wav(fmt(0)), "format tag 0 (unknown)")
    add("wav_tag_ffff.wav", wav(fmt(0xFFFF, align=4)), "format tag 0xFFFF")
    add("wav_tag_mp3_garbage.wav", wav(fmt(0x55, align=1), garbage(3, 400)), "format tag 0x55 (MP3) holding garbage")
    # ADPCM
    msadpcm_ext = u16(32) + u16(1012) + u16(7) + b"".join(
        struct.pack("<hh", a, b) for a, b in ((256, 0), (512, -256), (0, 0), (192, 64), (240, 0), (460, -208),
                                              (392, -232)))
    add("wav_msadpcm_align_1.wav", wav(fmt(2, ch=2, bps=4, align=1, extra=msadpcm_ext), garbage(4, 300)),
        "MS-ADPCM with block align 1 (shorter than a block header)")
    add("wav_msadpcm_align_14_header_only.wav", wav(fmt(2, ch=2, bps=4, align=14, extra=msadpcm_ext),
                                                    garbage(5, 280)),
        "MS-ADPCM stereo blocks of only the 14-byte header")
    add("wav_msadpcm_align_65535.wav", wav(fmt(2, ch=1, bps=4, align=65535, extra=msadpcm_ext), garbage(6, 300)),
        "MS-ADPCM block align 65535, larger than the data")
    add("wav_msadpcm_channels_3.wav", wav(fmt(2, ch=3, bps=4, align=1024, extra=msadpcm_ext), garbage(7, 300)),
        "MS-ADPCM with 3 channels")
    blocks = b""
    for predictor in (7, 200, 255):  # the coefficient table has 7 entries
        blocks += bytes([predictor]) + struct.pack("<hhh", 0x7FFF, -32768, 12345) + garbage(predictor, 249)
    add("wav_msadpcm_predictor_out_of_range.wav", wav(fmt(2, ch=1, bps=4, align=256, extra=msadpcm_ext), blocks),
        "MS-ADPCM block headers with predictor indices 7, 200 and 255")
    add("wav_msadpcm_fact_size_0.wav", wav(fmt(2, ch=1, bps=4, align=256, extra=msadpcm_ext), blocks,
                                           before=[ck(b"fact", b"")]),
        "MS-ADPCM with a fact chunk of size 0 (miniaudio #1123)")
    add("wav_msadpcm_fact_huge.wav", wav(fmt(2, ch=1, bps=4, align=256, extra=msadpcm_ext), blocks,
                                         before=[ck(b"fact", u32(0xFFFFFFFF))]),
        "MS-ADPCM with a fact sample count of 2**32-1")
    ima_ext = u16(2) + u16(505)
    ima = b""
    for step in (89, 127, 255):  # the step table has 89 entries
        ima += struct.pack("<hBB", -32768, step, 0) + garbage(step, 252)
    add("wav_imaadpcm_step_index_out_of_range.wav", wav(fmt(0x11, ch=1, bps=4, align=256, extra=ima_ext), ima),
        "IMA-ADPCM block headers with step indices 89, 127 and 255")
    add("wav_imaadpcm_align_1.wav", wav(fmt(0x11, ch=1, bps=4, align=1, extra=ima_ext), ima),
        "IMA-ADPCM block align 1")
    add("wav_imaadpcm_stereo_align_9.wav", wav(fmt(0x11, ch=2, bps=4, align=9, extra=ima_ext), ima),
        "IMA-ADPCM stereo blocks of 9 bytes (not a whole number of 4-byte groups)")
    add("wav_imaadpcm_bps_0.wav", wav(fmt(0x11, ch=1, bps=0, align=256, extra=ima_ext), ima),
        "IMA-ADPCM with 0 bits per sample")
    # RF64
    def ds64(riff_size, data_size, count, extra=b"", size=None):
        return ck(b"ds64", u64(riff_size) + u64(data_size) + u64(count) + u32(0) + extra, size)

    def rf64(ds, *chunks, riff_size=0xFFFFFFFF):
        return riff(*((ds,) if ds else ()), *chunks, size=riff_size, magic=b"RF64")

    add("rf64_valid.wav", rf64(ds64(0, len(d), PCM_FRAMES), fmt(), ck(b"data", d, 0xFFFFFFFF)),
        "a valid RF64 file (the baseline of the rf64_ files)")
    add("rf64_data_size_2pow63.wav", rf64(ds64(0, 1 << 63, 0), fmt(), ck(b"data", d, 0xFFFFFFFF)),
        "RF64: ds64 data size 2**63")
    add("rf64_data_size_max.wav", rf64(ds64(0, (1 << 64) - 1, (1 << 64) - 1), fmt(), ck(b"data", d, 0xFFFFFFFF)),
        "RF64: ds64 data size and sample count 2**64-1")
    add("rf64_ds64_size_0.wav", rf64(ck(b"ds64", b""), fmt(), ck(b"data", d, 0xFFFFFFFF)),
        "RF64: ds64 chunk of size 0 (its 24 fixed bytes are missing)")
    add("rf64_ds64_size_8.wav", rf64(ck(b"ds64", u64(0)), fmt(), ck(b"data", d, 0xFFFFFFFF)),
        "RF64: ds64 chunk of size 8")
    add("rf64_ds64_size_ffffffff.wav", rf64(ds64(0, len(d), 0, size=0xFFFFFFFF), fmt(), ck(b"data", d)),
        "RF64: ds64 chunk size 0xFFFFFFFF")
    add("rf64_ds64_table_huge.wav", rf64(ds64(0, len(d), 0, size=28 + 12 * 0x0FFFFFFF), fmt(), ck(b"data", d)),
        "RF64: ds64 claims a 2**28-entry size table")
    add("rf64_no_ds64.wav", rf64(None, fmt(), ck(b"data", d)), "RF64 without a ds64 chunk")
    add("rf64_riff_size_not_ffffffff.wav", rf64(ds64(0, len(d), 0), fmt(), ck(b"data", d), riff_size=100),
        "RF64 whose RIFF size is not 0xFFFFFFFF")
    add("rf64_fact_size_0.wav", rf64(ds64(0, len(d), 0), fmt(), ck(b"fact", b""), ck(b"data", d, 0xFFFFFFFF)),
        "RF64 with a fact chunk of size 0")
    # W64
    def guid(tag):
        return {
            "riff": bytes.fromhex("726966662e91cf11a5d628db04c10000"),
            "wave": bytes.fromhex("77617665f3acd3118cd100c04f8edb8a"),
            "fmt ": bytes.fromhex("666d7420f3acd3118cd100c04f8edb8a"),
            "data": bytes.fromhex("64617461f3acd3118cd100c04f8edb8a"),
            "fact": bytes.fromhex("66616374f3acd3118cd100c04f8edb8a"),
            "junk": bytes.fromhex("6a756e6bf3acd3118cd100c04f8edb8a"),
        }[tag]

    def wck(tag, payload, size=None):
        size = len(payload) + 24 if size is None else size
        out = guid(tag) + u64(size) + payload
        return out + b"\0" * (-len(out) % 8)

    def w64(*chunks, size=None):
        body = guid("wave") + b"".join(chunks)
        return guid("riff") + u64(len(body) + 24 if size is None else size) + body

    wfmt = fmt()[8:]
    add("w64_valid.w64", w64(wck("fmt ", wfmt), wck("data", d)), "a valid Sony Wave64 file (the w64_ baseline)")
    add("w64_chunk_size_0.w64", w64(wck("junk", b"", 0), wck("fmt ", wfmt), wck("data", d)),
        "W64: a chunk of size 0 (less than its own 24-byte header)")
    add("w64_chunk_size_23.w64", w64(wck("junk", b"", 23), wck("fmt ", wfmt), wck("data", d)),
        "W64: a chunk of size 23")
    add("w64_chunk_size_max.w64", w64(wck("junk", b"", (1 << 64) - 1), wck("fmt ", wfmt), wck("data", d)),
        "W64: a chunk of size 2**64-1")
    add("w64_data_size_huge.w64", w64(wck("fmt ", wfmt), wck("data", d, 1 << 62)), "W64: data chunk size 2**62")
    add("w64_fmt_size_past_end.w64", w64(wck("fmt ", wfmt, 1 << 40), wck("data", d)), "W64: fmt chunk size 2**40")
    add("w64_fact_size_24.w64", w64(wck("fmt ", wfmt), wck("fact", b""), wck("data", d)),
        "W64: fact chunk with no payload (its 8-byte count is missing)")
    add("w64_riff_size_small.w64", w64(wck("fmt ", wfmt), wck("data", d), size=79), "W64: RIFF size 79 (< 80)")
    add("w64_many_tiny_chunks.w64", w64(*[wck("junk", b"")] * 2000, wck("fmt ", wfmt), wck("data", d)),
        "W64: 2000 header-only chunks")
    add("w64_guid_garbage.w64", guid("riff") + u64(1000) + guid("wave") + garbage(8, 300),
        "W64 header followed by garbage")
    # AIFF / AIFC (dr_wav)
    def ext80(value):
        if value == 0:
            return b"\0" * 10
        e = value.bit_length() - 1
        return struct.pack(">HQ", 16383 + e, value << (63 - e))

    def comm(ch=2, frames=PCM_FRAMES, bits=16, rate=ext80(8000), compression=None):
        body = struct.pack(">HIH", ch & 0xFFFF, frames & 0xFFFFFFFF, bits & 0xFFFF) + rate
        if compression is not None:
            body += compression + b"\x00\x00"
        return b"COMM" + struct.pack(">I", len(body)) + body

    be = b"".join(struct.pack(">h", (i * 331) % 65536 - 32768) for i in range(PCM_FRAMES * 2))

    def ssnd(data=be, offset=0, size=None):
        body = struct.pack(">II", offset, 0) + data
        return b"SSND" + struct.pack(">I", len(body) if size is None else size) + body

    def aiff(*chunks, form=b"AIFF", size=None):
        body = form + b"".join(chunks)
        return b"FORM" + struct.pack(">I", len(body) if size is None else size) + body

    add("aiff_valid.aiff", aiff(comm(), ssnd()), "a valid AIFF file (the aiff_ baseline)")
    add("aiff_channels_0.aiff", aiff(comm(ch=0), ssnd()), "AIFF: 0 channels")
    add("aiff_channels_65535.aiff", aiff(comm(ch=65535), ssnd()), "AIFF: 65535 channels")
    add("aiff_bits_0.aiff", aiff(comm(bits=0), ssnd()), "AIFF: 0 bits per sample")
    add("aiff_bits_33.aiff", aiff(comm(bits=33), ssnd()), "AIFF: 33 bits per sample")
    add("aiff_bits_65535.aiff", aiff(comm(bits=65535), ssnd()), "AIFF: 65535 bits per sample")
    add("aiff_rate_0.aiff", aiff(comm(rate=ext80(0)), ssnd()), "AIFF: sample rate 0.0")
    add("aiff_rate_inf.aiff", aiff(comm(rate=b"\x7f\xff" + b"\0" * 8), ssnd()), "AIFF: sample rate +inf")
    add("aiff_rate_nan_negative.aiff", aiff(comm(rate=b"\xff\xff" + b"\xc0" + b"\0" * 7), ssnd()),
        "AIFF: sample rate -NaN")
    add("aiff_rate_2pow40.aiff", aiff(comm(rate=ext80(1 << 40)), ssnd()), "AIFF: sample rate 2**40")
    add("aiff_rate_denormal.aiff", aiff(comm(rate=b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"), ssnd()),
        "AIFF: sample rate a denormal")
    add("aiff_frames_ffffffff.aiff", aiff(comm(frames=0xFFFFFFFF), ssnd()), "AIFF: 2**32-1 frames announced")
    add("aiff_ssnd_offset_huge.aiff", aiff(comm(), ssnd(offset=0xFFFFFFF0)), "AIFF: SSND offset 0xFFFFFFF0")
    add("aiff_ssnd_size_small.aiff", aiff(comm(), ssnd(size=3)), "AIFF: SSND size 3 (less than its header)")
    add("aiff_comm_size_0.aiff", aiff(b"COMM" + b"\0\0\0\0", ssnd()), "AIFF: COMM chunk of size 0")
    add("aiff_no_ssnd.aiff", aiff(comm()), "AIFF without an SSND chunk")
    add("aiff_form_size_0.aiff", aiff(comm(), ssnd(), size=0), "AIFF: FORM size 0")
    add("aifc_compression_garbage.aifc", aiff(comm(compression=b"\x01\x02\x03\x04"), ssnd(), form=b"AIFC"),
        "AIFC with an unknown compression type")
    add("aifc_sowt_bits_24_odd.aifc", aiff(comm(bits=24, compression=b"sowt"), ssnd(be[:301]), form=b"AIFC"),
        "AIFC little-endian 24-bit with an odd-sized SSND")
    add("aifc_fl64_bits_16.aifc", aiff(comm(bits=16, compression=b"fl64"), ssnd(), form=b"AIFC"),
        "AIFC fl64 (float) with 16 bits per sample")
    add("aifc_alaw_bits_16.aifc", aiff(comm(bits=16, compression=b"alaw"), ssnd(), form=b"AIFC"),
        "AIFC A-law with 16 bits per sample")
    add("aifc_ima4.aifc", aiff(comm(bits=16, compression=b"ima4"), ssnd(), form=b"AIFC"), "AIFC IMA4 (unsupported)")


# ================================================================================================
# MP3: dr_mp3 / minimp3
# ================================================================================================

BITRATES = {  # (mpeg1?, layer) -> kbit/s by index
    (True, 3): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    (True, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    (True, 1): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    (False, 3): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    (False, 2): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    (False, 1): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
}
RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def mp3_header(version=3, layer=1, br=9, sr=0, pad=0, mode=0, crc=False, emphasis=0):
    """version: 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5, 1 reserved; layer (the header field): 1 = Layer III,
    2 = Layer II, 3 = Layer I, 0 reserved."""
    b1 = 0xE0 | (version << 3) | (layer << 1) | (0 if crc else 1)
    b2 = (br << 4) | (sr << 2) | (pad << 1)
    b3 = (mode << 6) | emphasis
    return bytes([0xFF, b1, b2, b3])


def mp3_frame_size(version=3, layer=1, br=9, sr=0, pad=0, free_size=200):
    lay = 4 - layer
    if br == 0:
        return free_size
    if br == 15 or sr == 3 or layer == 0 or version == 1:
        return 104
    kbps = BITRATES[(version == 3, lay)][br]
    rate = RATES[version][sr]
    if lay == 1:
        return (12 * kbps * 1000 // rate + pad) * 4
    if lay == 3 and version != 3:
        return 72 * kbps * 1000 // rate + pad
    return 144 * kbps * 1000 // rate + pad


def mp3_frame(payload=b"", fill=b"\0", **kw):
    size = mp3_frame_size(**{k: v for k, v in kw.items() if k in ("version", "layer", "br", "sr", "pad")},
                          free_size=kw.pop("free_size", 200))
    head = mp3_header(**kw)
    body = payload[: size - 4]
    body += (fill * size)[: size - 4 - len(body)]
    return head + body


def side_info_len(version=3, mode=0):
    mono = mode == 3
    if version == 3:
        return 17 if mono else 32
    return 9 if mono else 17


def xing_frame(tag=b"Xing", flags=0xF, frames=100, nbytes=40000, toc=None, lame=None, version=3, mode=0, br=9,
               sr=0):
    body = b"\0" * side_info_len(version, mode) + tag + struct.pack(">I", flags)
    if flags & 1:
        body += struct.pack(">I", frames & 0xFFFFFFFF)
    if flags & 2:
        body += struct.pack(">I", nbytes & 0xFFFFFFFF)
    if flags & 4:
        body += bytes(range(0, 200, 2)) if toc is None else toc
    if flags & 8:
        body += struct.pack(">I", 50)
    if lame is not None:
        body += lame
    return mp3_frame(body, version=version, mode=mode, br=br, sr=sr)


def lame_tag(delay, padding):
    return (b"LAME3.100" + bytes([0x24, 0x41]) + b"\0" * 4 + b"\0" * 4 + bytes([0, 0]) +
            bytes([delay >> 4, ((delay & 0xF) << 4) | (padding >> 8), padding & 0xFF]) + b"\0" * 12)


def id3v2(size_syncsafe, flags=0, body=b""):
    return b"ID3\x04\x00" + bytes([flags]) + bytes(size_syncsafe) + body


def syncsafe(n):
    return [(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F]


def mp3_silence(n, **kw):
    return b"".join(mp3_frame(**kw) for _ in range(n))


def real_mp3_frames():
    """The frames of samples/tone.mp3 after its ID3 tag and Info frame, as a list of bytes."""
    data = sample("tone.mp3")
    pos = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9])
    frames = []
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        h = data[pos:pos + 4]
        br, sr, pad = h[2] >> 4, (h[2] >> 2) & 3, (h[2] >> 1) & 1
        size = mp3_frame_size(3, 1, br, sr, pad)
        frames.append(data[pos:pos + size])
        pos += size
    return frames[1:]  # the first one is the Info frame


def build_mp3():
    frames = real_mp3_frames()
    audio = b"".join(frames[:30])
    add("mp3_id3_only.mp3", id3v2(syncsafe(20), body=b"TIT2\0\0\0\x06\0\0\0hello" + b"\0" * 3),
        "only an ID3v2 tag, no frames")
    add("mp3_id3_size_huge.mp3", id3v2([0x7F] * 4) + audio, "ID3v2 declaring 256 MiB, followed by real frames")
    add("mp3_id3_size_huge_footer.mp3", id3v2([0x7F] * 4, flags=0x10) + audio[:2000],
        "ID3v2 declaring 256 MiB plus a footer")
    add("mp3_id3_size_not_syncsafe.mp3", id3v2([0xFF] * 4) + audio[:2000],
        "ID3v2 size bytes with the high bits set (not sync-safe)")
    add("mp3_id3_size_past_end.mp3", id3v2(syncsafe(5000)) + audio[:1000], "ID3v2 size past the end of the file")
    add("mp3_id3_header_truncated.mp3", b"ID3\x04\x00\x00\x00", "a 7-byte file: a cut ID3v2 header")
    add("mp3_id3_many_tags.mp3", id3v2(syncsafe(0)) * 300 + audio[:3000], "300 empty ID3v2 tags before the frames")
    add("mp3_id3v1_only.mp3", b"TAG" + b"\0" * 125, "only an ID3v1 tag")
    add("mp3_id3v1_after_nothing.mp3", b"\xff\xfb" + b"TAG" + b"x" * 125, "a lone sync word and an ID3v1 tag")
    ape = b"APETAGEX" + struct.pack("<IIII", 2000, 0, 0, 0) + b"\0" * 8
    add("mp3_ape_tag_only.mp3", b"\0" * 200 + ape, "only an APEv2 footer")
    for size in (0xFFFFFFF0, 0xFFFFFFE0, 0x7FFFFFFF):
        apex = b"APETAGEX" + struct.pack("<IIII", 2000, size, 0, 0) + b"\0" * 8
        add("mp3_ape_tag_size_%x.mp3" % size, audio[:2000] + apex, "APEv2 footer of size 0x%X after frames" % size)
    # Xing / Info / LAME / VBRI
    add("mp3_xing_truncated_at_tag.mp3", xing_frame()[:4 + 32 + 4], "file ends right after the Xing tag")
    add("mp3_xing_truncated_in_toc.mp3", xing_frame()[:4 + 32 + 8 + 8 + 30], "file ends inside the Xing TOC")
    add("mp3_xing_only.mp3", xing_frame(), "only a Xing frame, no audio")
    add("mp3_xing_frames_ffffffff.mp3", xing_frame(frames=0xFFFFFFFF) + audio[:4000], "Xing frame count 2**32-1")
    add("mp3_xing_frames_fffffffe.mp3", xing_frame(frames=0xFFFFFFFE) + audio[:4000],
        "Xing frame count 2**32-2 (overflows count * 1152)")
    add("mp3_xing_frames_3728270.mp3", xing_frame(frames=3728271) + audio[:4000],
        "Xing frame count whose product with 1152 just wraps 32 bits")
    add("mp3_xing_frames_0.mp3", xing_frame(frames=0) + audio[:4000], "Xing frame count 0 with frames after")
    add("mp3_xing_frames_1.mp3", xing_frame(frames=1) + audio[:4000], "Xing frame count 1 with 10 frames after")
    add("mp3_info_frames_0_no_audio.mp3", xing_frame(tag=b"Info", frames=0), "Info frame count 0 and no audio")
    add("mp3_xing_in_short_frame.mp3", xing_frame(br=1, lame=lame_tag(4095, 4095)) + audio[:2000],
        "Xing + LAME tag in a 32 kbit/s frame too short to hold them")
    add("mp3_lame_delay_padding_max.mp3", xing_frame(frames=3, lame=lame_tag(4095, 4095)) + audio[:1300],
        "LAME tag: encoder delay and padding 4095, more than the 3 frames hold")
    add("mp3_lame_padding_gt_total.mp3", xing_frame(frames=1, lame=lame_tag(0, 4000)) + audio[:4000],
        "LAME padding larger than the announced length")
    add("mp3_xing_mpeg2_mono.mp3", xing_frame(frames=0xFFFFFFFE, version=2, mode=3, br=8, sr=0) +
        mp3_silence(10, version=2, mode=3, br=8), "MPEG-2 mono Xing header with frame count 2**32-2")
    add("mp3_xing_flags_ff.mp3", xing_frame(flags=0xFF) + audio[:2000], "Xing flags byte 0xFF")
    vbri = b"\0" * 32 + b"VBRI" + struct.pack(">HHHIIHHHH", 1, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, 0xFFFF, 4, 0xFFFF)
    add("mp3_vbri_huge.mp3", mp3_frame(vbri) + audio[:2000], "VBRI header with 2**32-1 frames and a 65535-entry TOC")
    # frame headers
    add("mp3_bad_samplerate_index.mp3", mp3_silence(12, sr=3), "12 frames with sample-rate index 3 (reserved)")
    add("mp3_bad_bitrate_index.mp3", mp3_silence(12, br=15), "12 frames with bitrate index 15 (bad)")
    add("mp3_free_bitrate.mp3", b"".join(mp3_frame(free_size=300 + i, br=0, fill=b"\x55") for i in range(12)),
        "12 free-format frames of varying sizes")
    add("mp3_free_bitrate_huge.mp3", b"".join(mp3_frame(free_size=3000, br=0) for _ in range(4)),
        "free-format frames of 3000 bytes")
    add("mp3_layer_reserved.mp3", mp3_silence(12, layer=0), "12 frames with the reserved layer 0")
    add("mp3_version_reserved.mp3", mp3_silence(12, version=1), "12 frames with the reserved MPEG version 1")
    add("mp3_layer1_garbage.mp3", b"".join(mp3_frame(garbage(10 + i, 400), layer=3, br=4) for i in range(12)),
        "12 Layer I frames of random bytes")
    add("mp3_layer2_garbage.mp3", b"".join(mp3_frame(garbage(30 + i, 500), layer=2) for i in range(12)),
        "12 Layer II frames of random bytes")
    add("mp3_layer3_garbage.mp3", b"".join(mp3_frame(garbage(50 + i, 500)) for i in range(12)),
        "12 Layer III frames of random bytes")
    add("mp3_side_info_ff.mp3", mp3_silence(12, fill=b"\xff"), "12 frames whose side info and data are all 0xFF")
    add("mp3_mpeg25_8khz_garbage.mp3", b"".join(mp3_frame(garbage(70 + i, 200), version=0, sr=2, br=1)
                                                for i in range(12)), "12 MPEG-2.5 8 kHz frames of random bytes")
    add("mp3_crc_wrong.mp3", b"".join(mp3_frame(b"\xde\xad" + garbage(90 + i, 400), crc=True) for i in range(12)),
        "12 CRC-protected frames with wrong CRCs")
    add("mp3_emphasis_reserved.mp3", mp3_silence(12, emphasis=2), "12 frames with the reserved emphasis 2")
    add("mp3_main_data_begin_511.mp3", b"".join(mp3_frame(b"\xff\x80" + b"\0" * 30) for _ in range(12)),
        "12 frames whose main_data_begin points 511 bytes back, before the stream")
    add("mp3_rate_change_midstream.mp3", mp3_silence(12) + mp3_silence(12, sr=1) + mp3_silence(12, version=2, sr=2),
        "sample rate changes from 44100 to 48000 to 16000 Hz mid-stream")
    add("mp3_channels_change_midstream.mp3", b"".join(frames[:12]) + mp3_silence(12, mode=3) + b"".join(frames[:12]),
        "stereo, then mono, then stereo frames")
    add("mp3_layer_change_midstream.mp3", mp3_silence(12) + mp3_silence(12, layer=2) + mp3_silence(12, layer=3),
        "Layer III, then II, then I frames")
    add("mp3_sync_words_only.mp3", b"\xff\xfb\x90\x00" * 1024, "4 KiB of repeated frame headers")
    add("mp3_all_ff.mp3", b"\xff" * 4096, "4 KiB of 0xFF")
    add("mp3_sync_at_end.mp3", b"\0" * 4000 + b"\xff\xfb\x90", "zeros then a cut frame header")
    flipped = bytearray(b"".join(frames[:40]))
    r = rng(100)
    for _ in range(300):
        flipped[r.randrange(len(flipped))] ^= 1 << r.randrange(8)
    add("mp3_real_bitflips.mp3", flipped, "40 real frames with 300 random bit flips")
    holes = b"".join(f if i % 2 else garbage(200 + i, len(f)) for i, f in enumerate(frames[:30]))
    add("mp3_real_every_other_frame_garbage.mp3", holes, "real frames alternating with random bytes")
    add("mp3_real_frames_cut.mp3", b"".join(f[: len(f) // 2] for f in frames[:30]), "30 real frames cut in half")
    tone = sample("tone.mp3")
    first = 10 + (tone[6] << 21 | tone[7] << 14 | tone[8] << 7 | tone[9])
    add("mp3_info_frame_then_garbage.mp3", tone[:first + mp3_frame_size(br=tone[first + 2] >> 4)] +
        garbage(300, 3000), "the real ID3 tag and Info frame, then random bytes")


# ================================================================================================
# FLAC: dr_flac
# ================================================================================================


class Bits:
    def __init__(self):
        self.acc, self.n, self.out = 0, 0, bytearray()

    def put(self, value, nbits):
        value &= (1 << nbits) - 1
        self.acc = (self.acc << nbits) | value
        self.n += nbits
        while self.n >= 8:
            self.n -= 8
            self.out.append((self.acc >> self.n) & 0xFF)
        self.acc &= (1 << self.n) - 1

    def signed(self, value, nbits):
        self.put(value & ((1 << nbits) - 1), nbits)

    def unary(self, q):  # q zeros then a one
        for _ in range(q):
            self.put(0, 1)
        self.put(1, 1)

    def align(self):
        if self.n:
            self.put(0, 8 - self.n)
        return bytes(self.out)


def crc8(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def utf8_number(n):
    """FLAC's UTF-8-like coding of frame/sample numbers (up to 36 bits in 7 bytes)."""
    if n < 0x80:
        return bytes([n])
    for length, limit in ((2, 1 << 11), (3, 1 << 16), (4, 1 << 21), (5, 1 << 26), (6, 1 << 31), (7, 1 << 36)):
        if n < limit:
            break
    tail = []
    for _ in range(length - 1):
        tail.append(0x80 | (n & 0x3F))
        n >>= 6
    first = (0xFF << (8 - length)) & 0xFF
    return bytes([first | n]) + bytes(reversed(tail))


def streaminfo(min_bs=4096, max_bs=4096, min_fs=0, max_fs=0, rate=44100, ch=1, bps=16, total=0, md5=b"\0" * 16):
    b = Bits()
    b.put(min_bs, 16)
    b.put(max_bs, 16)
    b.put(min_fs, 24)
    b.put(max_fs, 24)
    b.put(rate, 20)
    b.put(ch - 1, 3)
    b.put(bps - 1, 5)
    b.put(total, 36)
    return b.align() + md5


def block(btype, body, last=False, size=None):
    size = len(body) if size is None else size
    return bytes([(0x80 if last else 0) | btype]) + size.to_bytes(3, "big") + body


def flac_frame(blocksize=16, bs_code=None, rate_code=9, ch_code=0, ss_code=4, number=0, variable=False,
               subframes=None, bps=16, bad_crc8=False, bad_crc16=False, extra_bs=None):
    """One FLAC frame.  Default: 16 samples, 44.1 kHz, mono, 16 bits, CONSTANT subframes.
    `subframes` is a list of callables taking a Bits writer (one per channel)."""
    b = Bits()
    b.put(0x3FFE, 14)
    b.put(0, 1)
    b.put(1 if variable else 0, 1)
    if bs_code is None:
        bs_code = 7 if blocksize > 256 else 6
    b.put(bs_code, 4)
    b.put(rate_code, 4)
    b.put(ch_code, 4)
    b.put(ss_code, 3)
    b.put(0, 1)
    head = b.align() + utf8_number(number)
    if bs_code == 6:
        head += bytes([(blocksize - 1) & 0xFF])
    elif bs_code == 7:
        head += struct.pack(">H", (blocksize - 1) & 0xFFFF)
    if extra_bs is not None:
        head += extra_bs
    head += bytes([crc8(head) ^ (0xFF if bad_crc8 else 0)])
    b = Bits()
    nch = ch_code + 1 if ch_code < 8 else 2
    for i in range(nch):
        if subframes is None:
            b.put(0, 1)
            b.put(0, 6)  # CONSTANT
            b.put(0, 1)
            b.signed(1000 * (i + 1), bps + (1 if ch_code in (8, 9, 10) and i == (1 if ch_code != 9 else 0) else 0))
        else:
            subframes[i % len(subframes)](b)
    body = head + b.align()
    return body + struct.pack(">H", crc16(body) ^ (0xFFFF if bad_crc16 else 0))


def flac(si=None, blocks=(), frames=(), magic=b"fLaC"):
    si = streaminfo() if si is None else si
    meta = block(0, si, last=not blocks)
    for i, blk in enumerate(blocks):
        meta += blk if isinstance(blk, bytes) else block(*blk, last=i == len(blocks) - 1)
    return magic + meta + b"".join(frames)


def constant_frames(n=8, **kw):
    return [flac_frame(number=i, **kw) for i in range(n)]


def sub(kind, bps=16, **kw):
    """Subframe writers for the hostile frames."""

    def write(b):
        b.put(0, 1)
        if kind == "reserved":
            b.put(0b000010, 6)
            b.put(0, 1)
            b.put(0xFFFF, 16)
        elif kind == "wasted":
            b.put(0, 6)  # CONSTANT, with k wasted bits: the value keeps bps - k bits
            b.put(1, 1)
            b.unary(kw["wasted"] - 1)
            b.put(5, max(1, bps - kw["wasted"]))
        elif kind == "verbatim":
            b.put(1, 6)
            b.put(0, 1)
            for i in range(kw["n"]):
                b.signed(kw.get("value", (-1) ** i * ((1 << (bps - 1)) - 1)), bps)
        elif kind == "fixed":
            order = kw["order"]
            b.put(0b001000 | order, 6)
            b.put(0, 1)
            for _ in range(order):
                b.signed(1 << (bps - 2), bps)
            rice(b, kw["n"] - order, kw.get("partition_order", 0), kw.get("param", 3))
        elif kind == "lpc":
            order = kw["order"]
            b.put(0b100000 | (order - 1), 6)
            b.put(0, 1)
            for _ in range(order):
                b.signed((1 << (bps - 1)) - 1, bps)
            b.put(kw.get("precision", 15) - 1, 4)
            b.signed(kw.get("shift", -16), 5)
            for _ in range(order):
                b.signed(kw.get("coef", (1 << (kw.get("precision", 15) - 1)) - 1), kw.get("precision", 15))
            rice(b, max(0, kw["n"] - order), kw.get("partition_order", 0), kw.get("param", 3))

    return write


def rice(b, nres, partition_order, param, escape=False):
    b.put(0, 2)  # RICE (4-bit parameters)
    b.put(partition_order, 4)
    parts = 1 << partition_order
    for _ in range(parts):
        if escape:
            b.put(0xF, 4)
            b.put(31, 5)
            for _ in range(nres // parts):
                b.put(0x7FFFFFFF, 31)
        else:
            b.put(param, 4)
            for i in range(max(0, nres // parts)):
                b.unary(i % 3)
                b.put(i, param)


def real_flac_frames():
    data = sample("tone_16.flac")
    pos = 4
    while True:
        last, btype, size = data[pos] & 0x80, data[pos] & 0x7F, int.from_bytes(data[pos + 1:pos + 4], "big")
        if btype == 0:
            si = data[pos + 4:pos + 4 + size]
        pos += 4 + size
        if last:
            break
    return si, data[pos:]


def seektable(points):
    return b"".join(struct.pack(">QQH", *p) for p in points)


def build_flac():
    add("flac_magic_only.flac", b"fLaC", "only the fLaC marker")
    add("flac_garbage_after_magic.flac", b"fLaC" + garbage(400, 2000), "fLaC then random bytes")
    add("flac_streaminfo_only.flac", flac(), "STREAMINFO and no frames")
    add("flac_streaminfo_rate_0.flac", flac(streaminfo(rate=0), frames=constant_frames(rate_code=0)),
        "STREAMINFO sample rate 0 (frames say 'from STREAMINFO')")
    add("flac_streaminfo_rate_max.flac", flac(streaminfo(rate=(1 << 20) - 1), frames=constant_frames(rate_code=0)),
        "STREAMINFO sample rate 2**20-1")
    add("flac_streaminfo_bps_1.flac", flac(streaminfo(bps=1), frames=constant_frames(ss_code=0, bps=1)),
        "STREAMINFO 1 bit per sample (minimum legal is 4)")
    add("flac_streaminfo_bps_32.flac", flac(streaminfo(bps=32), frames=constant_frames(ss_code=0, bps=32)),
        "STREAMINFO 32 bits per sample")
    add("flac_streaminfo_channels_8_frames_1.flac", flac(streaminfo(ch=8), frames=constant_frames()),
        "STREAMINFO 8 channels, frames of 1 channel")
    add("flac_streaminfo_channels_1_frames_8.flac", flac(streaminfo(ch=1), frames=constant_frames(ch_code=7)),
        "STREAMINFO 1 channel, frames of 8 channels")
    add("flac_streaminfo_total_max.flac", flac(streaminfo(total=(1 << 36) - 1), frames=constant_frames()),
        "STREAMINFO total samples 2**36-1")
    add("flac_streaminfo_blocksize_0.flac", flac(streaminfo(0, 0), frames=constant_frames()),
        "STREAMINFO min and max block size 0")
    add("flac_streaminfo_blocksize_min_gt_max.flac", flac(streaminfo(4096, 16), frames=constant_frames()),
        "STREAMINFO min block size > max block size")
    add("flac_streaminfo_blocksize_1.flac", flac(streaminfo(1, 1), frames=constant_frames(blocksize=1)),
        "STREAMINFO block size 1 and one-sample frames")
    add("flac_streaminfo_size_0.flac", b"fLaC" + block(0, b"", last=True) + b"".join(constant_frames()),
        "STREAMINFO block of length 0")
    add("flac_streaminfo_size_ffffff.flac", b"fLaC" + block(0, streaminfo(), last=True, size=0xFFFFFF) +
        b"".join(constant_frames()), "STREAMINFO block of length 2**24-1")
    add("flac_streaminfo_not_first.flac", b"fLaC" + block(1, b"\0" * 10) + block(0, streaminfo(), last=True) +
        b"".join(constant_frames()), "a PADDING block before STREAMINFO")
    add("flac_no_streaminfo.flac", b"fLaC" + block(1, b"\0" * 10, last=True) + b"".join(constant_frames()),
        "no STREAMINFO block at all")
    add("flac_two_streaminfo.flac", flac(blocks=[(0, streaminfo(rate=8000, ch=2, bps=8))],
                                         frames=constant_frames()), "two conflicting STREAMINFO blocks")
    # metadata blocks with huge lengths
    for btype, name in ((1, "padding"), (2, "application"), (4, "vorbis_comment"), (5, "cuesheet"), (6, "picture"),
                        (10, "reserved_10")):
        add("flac_%s_size_huge.flac" % name, flac(blocks=[block(btype, b"\0" * 16, last=True, size=0xFFFFFF)],
                                                  frames=constant_frames()),
            "%s block declaring 2**24-1 bytes" % name.upper())
    add("flac_block_type_127.flac", flac(blocks=[(127, b"\0" * 8)], frames=constant_frames()),
        "metadata block type 127 (invalid)")
    add("flac_application_size_3.flac", flac(blocks=[(2, b"abc")], frames=constant_frames()),
        "APPLICATION block of 3 bytes (less than its id)")
    add("flac_vorbis_comment_huge_counts.flac",
        flac(blocks=[(4, struct.pack("<I", 0xFFFFFFFF) + b"x" * 8 + struct.pack("<I", 0xFFFFFFFF))],
             frames=constant_frames()), "VORBIS_COMMENT with vendor length and comment count 2**32-1")
    add("flac_picture_huge_lengths.flac",
        flac(blocks=[(6, struct.pack(">II", 3, 0xFFFFFFFF) + b"image/png" + b"\xff" * 24)], frames=constant_frames()),
        "PICTURE with a 2**32-1 MIME length")
    add("flac_metadata_never_last.flac", b"fLaC" + block(0, streaminfo()) + block(1, b"") * 2000,
        "2000 empty PADDING blocks, none marked last, then the end of the file")
    add("flac_last_block_then_garbage.flac", flac() + garbage(401, 3000), "STREAMINFO marked last, then random bytes")
    add("flac_id3_before_magic.flac", id3v2(syncsafe(20), body=b"\0" * 20) + flac(frames=constant_frames()),
        "an ID3v2 tag before fLaC")
    add("flac_id3_huge_before_magic.flac", id3v2([0x7F] * 4) + flac(frames=constant_frames()),
        "an ID3v2 tag declaring 256 MiB before fLaC")
    # seek tables, on real audio so that seeking has something to find
    si, audio = real_flac_frames()

    def real(points=None, raw=None, size=None):
        blocks = [block(3, seektable(points) if raw is None else raw, last=True, size=size)]
        return flac(si, blocks=blocks, frames=[audio[:12000]])

    add("flac_seektable_offsets_past_end.flac", real([(i * 4608, 10 ** 9 + i, 4608) for i in range(8)]),
        "SEEKTABLE whose byte offsets are past the end of the file")
    add("flac_seektable_unsorted.flac", real([(s, o, 4608) for s, o in ((30000, 9000), (0, 0), (20000, 3000),
                                                                        (10000, 20000), (4608, 1))]),
        "SEEKTABLE with unsorted sample numbers and offsets")
    add("flac_seektable_huge_samples.flac", real([(0, 0, 4608), ((1 << 63) + 5, 100, 4608), ((1 << 64) - 2, 50, 0)]),
        "SEEKTABLE with sample numbers near 2**64")
    add("flac_seektable_all_placeholders.flac", real([((1 << 64) - 1, 0, 0)] * 10), "SEEKTABLE of placeholders only")
    add("flac_seektable_size_17.flac", real(raw=b"\0" * 17), "SEEKTABLE of 17 bytes (not a multiple of 18)")
    add("flac_seektable_size_huge.flac", real(raw=seektable([(0, 0, 4608)]), size=0xFFFFF0),
        "SEEKTABLE declaring 2**24-16 bytes")
    add("flac_seektable_offsets_into_frames.flac", real([(i * 1000, i * 333 + 7, 4608) for i in range(30)]),
        "SEEKTABLE pointing into the middle of frames")
    flipped = bytearray(audio[:20000])
    r = rng(402)
    for _ in range(200):
        flipped[r.randrange(len(flipped))] ^= 1 << r.randrange(8)
    add("flac_real_bitflips.flac", flac(si, frames=[bytes(flipped)]), "real frames with 200 random bit flips")
    add("flac_real_frames_then_garbage.flac", flac(si, frames=[audio[:10000], garbage(403, 10000)]),
        "real frames, then random bytes")
    # hostile frames
    F = flac_frame
    add("flac_frame_blocksize_65536.flac", flac(frames=[F(65536, subframes=[sub("verbatim", n=1)])] * 2),
        "frames of 65536 samples where STREAMINFO says 4096 (verbatim data runs out)")
    add("flac_frame_blocksize_65536_constant.flac", flac(frames=constant_frames(4, blocksize=65536)),
        "constant frames of 65536 samples where STREAMINFO says 4096")
    add("flac_frame_blocksize_code_0.flac", flac(frames=constant_frames(bs_code=0)), "block size code 0 (reserved)")
    add("flac_frame_rate_code_15.flac", flac(frames=constant_frames(rate_code=15)), "sample rate code 15 (invalid)")
    add("flac_frame_rate_code_14_zero.flac", flac(frames=constant_frames(rate_code=14, extra_bs=b"\0\0")),
        "sample rate code 14 with an explicit rate of 0")
    add("flac_frame_channels_reserved.flac", flac(frames=[F(ch_code=c, number=i) for i, c in enumerate(range(11, 16))]),
        "channel assignments 11-15 (reserved)")
    add("flac_frame_sample_size_reserved.flac", flac(frames=constant_frames(ss_code=3)),
        "sample size code 3 (reserved)")
    add("flac_frame_sample_size_32_side.flac", flac(streaminfo(ch=2, bps=32), frames=[
        F(ch_code=c, ss_code=7, bps=32, number=i, subframes=[sub("verbatim", bps=32 + (j == 1), n=16)
                                                              for j in range(2)])
        for i, c in enumerate((8, 9, 10))]), "32-bit left/side, side/right and mid/side frames (33-bit side)")
    add("flac_frame_subframe_reserved.flac", flac(frames=constant_frames(subframes=[sub("reserved")])),
        "subframe type 0b000010 (reserved)")
    add("flac_frame_wasted_bits_40.flac", flac(frames=constant_frames(subframes=[sub("wasted", wasted=40)])),
        "40 wasted bits in 16-bit samples")
    add("flac_frame_wasted_bits_16.flac", flac(frames=constant_frames(subframes=[sub("wasted", wasted=16)])),
        "16 wasted bits in 16-bit samples (0 bits left)")
    add("flac_frame_lpc_order_32.flac", flac(frames=constant_frames(
        blocksize=64, subframes=[sub("lpc", order=32, n=64, precision=15, shift=15)])),
        "LPC order 32, precision 15, full-scale warm-up")
    add("flac_frame_lpc_negative_shift.flac", flac(frames=constant_frames(
        blocksize=64, subframes=[sub("lpc", order=8, n=64, shift=-16)])), "LPC with a negative shift")
    add("flac_frame_lpc_precision_invalid.flac", flac(frames=constant_frames(
        blocksize=64, subframes=[sub("lpc", order=4, n=64, precision=16)])), "LPC precision code 0b1111 (invalid)")
    add("flac_frame_lpc_order_gt_blocksize.flac", flac(frames=constant_frames(
        blocksize=8, subframes=[sub("lpc", order=32, n=8)])), "LPC order 32 in an 8-sample block")
    add("flac_frame_fixed_order_gt_blocksize.flac", flac(frames=constant_frames(
        blocksize=2, subframes=[sub("fixed", order=4, n=2)])), "FIXED order 4 in a 2-sample block")
    add("flac_frame_rice_partition_order_15.flac", flac(frames=constant_frames(
        1, blocksize=16, subframes=[sub("fixed", order=0, n=16, partition_order=15)])),
        "Rice partition order 15 in a 16-sample block")
    add("flac_frame_rice_param_14_overflow.flac", flac(frames=constant_frames(
        blocksize=256, subframes=[sub("fixed", order=4, n=256, param=14)])),
        "FIXED order 4 with large residuals (predictions overflow 32 bits)")
    add("flac_frame_number_huge.flac", flac(frames=[F(number=(1 << 31) - 1 - i) for i in range(8)]),
        "frame numbers near 2**31 in 6-byte UTF-8")
    add("flac_frame_variable_sample_number_max.flac",
        flac(frames=[F(variable=True, number=(1 << 36) - 1 - i) for i in range(8)]),
        "variable block size frames starting at sample 2**36-1")
    add("flac_frame_utf8_invalid.flac", flac(frames=[F()[:4] + b"\xff\xff\xff" + F()[5:]] * 8),
        "frame number of invalid UTF-8 (0xFF)")
    add("flac_frame_bad_crc8.flac", flac(frames=constant_frames(bad_crc8=True)), "every frame header CRC-8 wrong")
    add("flac_frame_bad_crc16.flac", flac(frames=constant_frames(bad_crc16=True)), "every frame CRC-16 wrong")
    add("flac_frame_verbatim_truncated.flac", flac(frames=[F(4096, subframes=[sub("verbatim", n=4096)])[:3000]]),
        "a 4096-sample verbatim frame cut after 3000 bytes")
    add("flac_frame_escape_31_bits.flac", flac(frames=[F(64, subframes=[lambda b: (
        b.put(0, 1), b.put(0b001000, 6), b.put(0, 1), rice(b, 64, 0, 0, escape=True))])] * 4),
        "Rice escape partitions of 31-bit raw residuals")
    add("flac_frames_1_sample_many.flac", flac(streaminfo(1, 1), frames=[F(1, number=i) for i in range(2000)]),
        "2000 frames of one sample each")
    ogg_flac_head = b"\x7fFLAC\x01\x00\x00\x01" + b"fLaC" + block(0, streaminfo(rate=0), last=True)
    add("ogg_flac_rate_0.oga", ogg_page(0, 2, 0, [ogg_flac_head]) + ogg_page(1, 0, 16, [F()]),
        "Ogg FLAC with STREAMINFO sample rate 0")
    add("ogg_flac_garbage.oga", ogg_page(0, 2, 0, [b"\x7fFLAC\x01\x00\x00\x01fLaC" + garbage(404, 60)]) +
        ogg_page(1, 4, 16, [garbage(405, 200)]), "Ogg FLAC mapping with a random STREAMINFO and frame")


# ================================================================================================
# Ogg / Vorbis: stb_vorbis
# ================================================================================================

OGG_CRC_TABLE = []
for _i in range(256):
    _c = _i << 24
    for _ in range(8):
        _c = ((_c << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if _c & 0x80000000 else (_c << 1) & 0xFFFFFFFF
    OGG_CRC_TABLE.append(_c)


def ogg_crc(data):
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ OGG_CRC_TABLE[((crc >> 24) & 0xFF) ^ b]
    return crc


def lacing(length, continues=False):
    out = [255] * (length // 255)
    if not continues:
        out.append(length % 255)
    return out


def page_bytes(version=0, htype=0, granule=0, serial=0x1234, seq=0, lace=(), body=b"", crc=None):
    head = b"OggS" + struct.pack("<BBqIIIB", version, htype, granule, serial, seq, 0, len(lace)) + bytes(lace)
    if crc is None:
        crc = ogg_crc(head + body)
    return head[:22] + struct.pack("<I", crc) + head[26:] + body


def ogg_page(seq, htype, granule, packets, serial=0x1234):
    lace = []
    for p in packets:
        lace += lacing(len(p))
    return page_bytes(htype=htype, granule=granule, serial=serial, seq=seq, lace=lace, body=b"".join(packets))


def parse_pages(data):
    pages, pos = [], 0
    while pos < len(data):
        assert data[pos:pos + 4] == b"OggS"
        version, htype, granule, serial, seq, crc, nseg = struct.unpack("<BBqIIIB", data[pos + 4:pos + 27])
        lace = list(data[pos + 27:pos + 27 + nseg])
        body = data[pos + 27 + nseg:pos + 27 + nseg + sum(lace)]
        pages.append(dict(version=version, htype=htype, granule=granule, serial=serial, seq=seq, lace=lace,
                          body=body, crc=crc))
        pos += 27 + nseg + sum(lace)
    return pages


def join_pages(pages, keep_crc=False):
    out = b""
    for p in pages:
        out += page_bytes(p["version"], p["htype"], p["granule"], p["serial"], p["seq"], p["lace"], p["body"],
                          p["crc"] if keep_crc else None)
    return out


def packets_of(page):
    out, cur = [], b""
    pos = 0
    for v in page["lace"]:
        cur += page["body"][pos:pos + v]
        pos += v
        if v < 255:
            out.append(cur)
            cur = b""
    return out


def vorbis_id(channels=2, rate=44100, bs0=8, bs1=11, version=0, framing=1):
    return (b"\x01vorbis" + struct.pack("<IBIiii", version, channels, rate, 0, 128000, 0) +
            bytes([(bs1 << 4) | bs0, framing]))


def build_ogg():
    base = parse_pages(sample("tone.ogg"))
    id_packet = packets_of(base[0])[0]
    comment, setup = packets_of(base[1])[0], packets_of(base[1])[1]
    assert id_packet[:7] == b"\x01vorbis" and comment[:7] == b"\x03vorbis" and setup[:7] == b"\x05vorbis"
    packets = packets_of(base[2])  # the audio: one EOS page in the sample
    total = base[2]["granule"]
    # Spread the audio packets over 8 pages (granule positions proportional, not exact), so that
    # sequence numbers, CRCs and granules of individual pages can be tampered with.
    groups = [packets[i * len(packets) // 8:(i + 1) * len(packets) // 8] for i in range(8)]
    audio_pages = parse_pages(b"".join(ogg_page(2 + i, 4 if i == 7 else 0, total * (i + 1) // 8, g)
                                       for i, g in enumerate(groups)))

    def stream(id_pkt=id_packet, comment_pkt=comment, setup_pkt=setup, audio=None):
        pages = [ogg_page(0, 2, 0, [id_pkt]), ogg_page(1, 0, 0, [comment_pkt, setup_pkt])]
        audio = audio_pages if audio is None else audio
        for i, p in enumerate(audio):
            q = dict(p, seq=i + 2)
            pages.append(join_pages([q]))
        return b"".join(pages)

    def with_pages(fn):
        pages = parse_pages(stream())
        fn(pages)
        return join_pages(pages, keep_crc=True)

    def fixed(pages):
        for p in pages:
            p["crc"] = ogg_crc(page_bytes(p["version"], p["htype"], p["granule"], p["serial"], p["seq"], p["lace"],
                                          p["body"], 0))

    add("ogg_valid_repaged.ogg", stream(), "a real Vorbis file with its audio over 8 pages (the ogg_ baseline)")
    # CRCs
    for idx, what in ((0, "the first page"), (1, "the header page"), (5, "an audio page")):
        def bad(pages, idx=idx):
            fixed(pages)
            pages[idx]["crc"] ^= 0xDEADBEEF
        add("ogg_bad_crc_page_%d.ogg" % idx, with_pages(bad), "wrong CRC on %s" % what)

    def bad_all(pages):
        for p in pages:
            p["crc"] = 0
    add("ogg_bad_crc_all.ogg", with_pages(bad_all), "CRC 0 on every page")
    # page sequence
    def swap(pages):
        pages[4], pages[6] = pages[6], pages[4]
        fixed(pages)
    add("ogg_pages_swapped.ogg", with_pages(swap), "two audio pages swapped (sequence and granule go backwards)")

    def dup(pages):
        pages.insert(5, dict(pages[5]))
        fixed(pages)
    add("ogg_page_duplicated.ogg", with_pages(dup), "an audio page repeated")

    def seqjump(pages):
        for p in pages[5:]:
            p["seq"] += 1000
        fixed(pages)
    add("ogg_seq_jump.ogg", with_pages(seqjump), "page sequence numbers jump by 1000")

    def seqzero(pages):
        for p in pages:
            p["seq"] = 0
        fixed(pages)
    add("ogg_seq_all_zero.ogg", with_pages(seqzero), "every page has sequence number 0")

    def missing(pages):
        del pages[3]
        fixed(pages)
    add("ogg_page_missing.ogg", with_pages(missing), "an audio page missing")
    # granule positions
    for name, fn in (("minus1", lambda i, g: -1), ("decreasing", lambda i, g: 10 ** 6 - i * 5000),
                     ("huge", lambda i, g: (1 << 62) + i), ("zero", lambda i, g: 0),
                     ("negative", lambda i, g: -(1 << 62))):
        def gran(pages, fn=fn):
            for i, p in enumerate(pages[2:]):
                p["granule"] = fn(i, p["granule"])
            fixed(pages)
        add("ogg_granule_%s.ogg" % name, with_pages(gran), "audio page granule positions: %s" % name)

    def last_granule_huge(pages):
        pages[-1]["granule"] = (1 << 63) - 1
        pages[-1]["htype"] |= 4
        fixed(pages)
    add("ogg_last_granule_max.ogg", with_pages(last_granule_huge), "last page (EOS) granule 2**63-1")
    # serials and header types
    def serial_change(pages):
        for p in pages[6:]:
            p["serial"] ^= 0xFFFF
        fixed(pages)
    add("ogg_serial_change.ogg", with_pages(serial_change), "serial number changes mid-stream")

    def cont_first(pages):
        pages[0]["htype"] = 1
        fixed(pages)
    add("ogg_first_page_continued.ogg", with_pages(cont_first), "first page flagged as a continuation, not BOS")

    def eos_first(pages):
        pages[0]["htype"] = 6
        fixed(pages)
    add("ogg_eos_on_first_page.ogg", with_pages(eos_first), "EOS flag on the first page, more pages after")

    def version1(pages):
        for p in pages:
            p["version"] = 1
        fixed(pages)
    add("ogg_version_1.ogg", with_pages(version1), "stream structure version 1 on every page")
    # lacing
    add("ogg_255_lacing_values.ogg", stream() + page_bytes(htype=0, seq=12, lace=[255] * 255,
                                                           body=garbage(500, 255 * 255)),
        "a page of 255 lacing values of 255 (a packet that never ends) after real audio")
    add("ogg_255_lacing_then_eos.ogg", stream() + page_bytes(seq=12, lace=[255] * 255, body=b"\0" * 255 * 255) +
        page_bytes(htype=5, seq=13, lace=[255, 255, 0], body=b"\0" * 510), "a 65 KB packet of zeros ending at EOS")
    add("ogg_lacing_past_end.ogg", stream()[:-2000] + page_bytes(seq=40, lace=[255] * 200, body=b"\0" * 300),
        "a last page whose lacing promises more bytes than the file has")
    add("ogg_zero_segment_pages.ogg", stream(audio=[]) + b"".join(page_bytes(seq=2 + i) for i in range(500)) +
        join_pages([dict(p, seq=502 + i) for i, p in enumerate(audio_pages)]), "500 pages without segments")
    add("ogg_header_split_one_byte_pages.ogg",
        b"".join([ogg_page(0, 2, 0, [id_packet])] + [
            page_bytes(htype=0 if i == 0 else 1, seq=1 + i, lace=[255], body=(comment + setup)[i:i + 255])
            for i in range(0, 255 * 12, 255)]),
        "comment and setup headers continued over 12 pages of one 255-byte segment each, never ending")
    # identification header values
    for name, kw in (("channels_0", dict(channels=0)), ("channels_255", dict(channels=255)),
                     ("rate_0", dict(rate=0)), ("rate_ffffffff", dict(rate=0xFFFFFFFF)),
                     ("blocksizes_0_0", dict(bs0=0, bs1=0)), ("blocksizes_15_15", dict(bs0=15, bs1=15)),
                     ("blocksize0_gt_blocksize1", dict(bs0=13, bs1=6)), ("blocksizes_6_6", dict(bs0=6, bs1=6)),
                     ("version_1", dict(version=1)), ("framing_0", dict(framing=0))):
        add("ogg_vorbis_id_%s.ogg" % name, stream(vorbis_id(**kw)), "Vorbis identification header: %s" % name)
    add("ogg_vorbis_id_truncated.ogg", stream(id_packet[:12]), "Vorbis identification header of 12 bytes")
    add("ogg_vorbis_id_only.ogg", ogg_page(0, 2, 0, [id_packet]), "only the identification header page")
    # comment and setup headers
    add("ogg_vorbis_comment_vendor_huge.ogg", stream(comment_pkt=b"\x03vorbis" + struct.pack("<I", 0xFFFFFFFF) + b"x"),
        "Vorbis comment header with vendor length 2**32-1")
    add("ogg_vorbis_comment_count_huge.ogg", stream(comment_pkt=b"\x03vorbis" + struct.pack("<II", 1, 0x7FFFFFFF) +
                                                    b"x" + struct.pack("<I", 0xFFFFFFF0) + b"\x01"),
        "Vorbis comment header with 2**31-1 comments, the first of length 2**32-16")
    add("ogg_vorbis_no_comment.ogg", b"".join([ogg_page(0, 2, 0, [id_packet]), ogg_page(1, 0, 0, [setup])] +
                                              [join_pages([dict(p, seq=i + 2)]) for i, p in enumerate(audio_pages)]),
        "the setup header where the comment header should be")
    add("ogg_vorbis_setup_truncated.ogg", stream(setup_pkt=setup[:len(setup) // 2]), "setup header cut in half")
    add("ogg_vorbis_setup_codebooks_255.ogg", stream(setup_pkt=setup[:7] + b"\xfe" + setup[8:]),
        "setup header claiming 255 codebooks")
    add("ogg_vorbis_setup_garbage.ogg", stream(setup_pkt=b"\x05vorbis" + garbage(501, len(setup) - 7)),
        "setup header of random bytes")
    flipped = bytearray(setup)
    r = rng(502)
    for _ in range(20):
        flipped[7 + r.randrange(len(setup) - 7)] ^= 1 << r.randrange(8)
    add("ogg_vorbis_setup_bitflips.ogg", stream(setup_pkt=bytes(flipped)), "setup header with 20 random bit flips")
    # audio packets
    def audio_garbage(seed, fill=None):
        pages = []
        for i, p in enumerate(audio_pages):
            body = garbage(seed + i, len(p["body"])) if fill is None else fill * len(p["body"])
            pages.append(dict(p, body=body))
        return pages

    add("ogg_vorbis_audio_garbage.ogg", stream(audio=audio_garbage(600)), "audio packets of random bytes")
    add("ogg_vorbis_audio_zeros.ogg", stream(audio=audio_garbage(0, b"\0")), "audio packets of zeros")
    add("ogg_vorbis_audio_ff.ogg", stream(audio=audio_garbage(0, b"\xff")), "audio packets of 0xFF")
    add("ogg_vorbis_audio_empty_packets.ogg", stream(audio=[
        dict(audio_pages[0], lace=[0] * 200, body=b"")] + audio_pages[1:4]), "200 empty audio packets")
    # other codecs and plain garbage
    add("ogg_opus_head.opus", ogg_page(0, 2, 0, [b"OpusHead\x01\x02\x38\x01\x80\xbb\0\0\0\0\0"]) +
        ogg_page(1, 0, 0, [b"OpusTags" + b"\0" * 8]) + ogg_page(2, 4, 960, [garbage(503, 100)]),
        "an Ogg Opus stream (not decodable here)")
    add("ogg_speex_head.spx", ogg_page(0, 2, 0, [b"Speex   " + garbage(504, 72)]), "an Ogg Speex header")
    add("ogg_magic_garbage.ogg", b"OggS" + garbage(505, 3000), "OggS then random bytes")
    add("ogg_page_header_truncated.ogg", ogg_page(0, 2, 0, [id_packet])[:20], "file ends inside the first page header")
    add("ogg_garbage_pages_valid_crc.ogg", b"".join(ogg_page(i, 2 if i == 0 else 0, i * 1000, [garbage(506 + i, 300)])
                                                    for i in range(10)), "ten pages of random packets, valid CRCs")


# ================================================================================================
# Whatever the format: empty, tiny, magic then garbage
# ================================================================================================


def build_misc():
    add("any_empty.bin", b"", "an empty file")
    add("any_one_byte.bin", b"\0", "one zero byte")
    add("any_zeros_4k.bin", b"\0" * 4096, "4 KiB of zeros")
    add("any_random_4k.bin", garbage(700, 4096), "4 KiB of random bytes")
    add("any_ascii_text.txt", b"This is not an audio file.\n" * 40, "plain text")
    for magic, name in ((b"RIFF", "riff"), (b"RIFF\x00\x10\x00\x00WAVE", "riff_wave"), (b"RF64", "rf64"),
                        (b"FORM", "form"), (b"FORM\x00\x00\x10\x00AIFF", "form_aiff"), (b"ID3", "id3"),
                        (b"\xff\xfb\x90\x00", "mp3_sync"), (b"fLaC\x00\x00\x00\x22", "flac_streaminfo"),
                        (b"OggS\x00\x02", "oggs_bos")):
        add("magic_%s_garbage.bin" % name, magic + garbage(zlib.crc32(name.encode()) % 1000 + 800, 2048),
            "the %s magic, then random bytes" % name)


# ================================================================================================
# MP3 data in a WAV container (fmt tag 0x0055): the core's RIFF walk and the MP3 decoder's window
# ================================================================================================


def fmt_mp3(bits=0, size=None):
    body = struct.pack("<HHIIHHH", 0x0055, 2, 44100, 16000, 1, bits, 12) + struct.pack("<HIHHH", 1, 2, 417, 1, 0)
    return ck(b"fmt ", body, size)


def build_wav_mp3():
    m = sample("tone.mp3")[:4001]  # an ID3v2 tag, the LAME header frame, a few frames, a cut one
    sync = b"\xff\xfb\x90\x64" * 200
    add("wav_mp3_plain.wav", riff(fmt_mp3(), ck(b"data", m)), "MP3 in WAV, well formed (the near-valid base)")
    add("wav_mp3_bits_16.wav", riff(fmt_mp3(16), ck(b"data", m)), "MP3 in WAV with wBitsPerSample 16")
    add("wav_mp3_data_size_ffffffff.wav", riff(fmt_mp3(), ck(b"data", m, 0xFFFFFFFF)),
        "MP3 in WAV: data size 0xFFFFFFFF (to the end of the file)")
    add("wav_mp3_data_size_past_end.wav", riff(fmt_mp3(), ck(b"data", m, 0x7FFFFFFF)),
        "MP3 in WAV: data size far past the end, odd payload")
    add("wav_mp3_data_size_0.wav", riff(fmt_mp3(), ck(b"data", b"", 0) + m),
        "MP3 in WAV: empty data chunk followed by MP3 bytes outside any chunk")
    add("wav_mp3_chunk_huge_before_data.wav", riff(fmt_mp3(), ck(b"junk", b"abcd", 0xFFFFFFF0), ck(b"data", m)),
        "MP3 in WAV: a chunk claiming 4 GiB before the data")
    add("wav_mp3_fmt_size_ffffffff.wav", riff(fmt_mp3(size=0xFFFFFFFF), ck(b"data", m)),
        "MP3 in WAV: fmt chunk size 0xFFFFFFFF")
    add("wav_mp3_fmt_size_1.wav", riff(ck(b"fmt ", b"\x55"), ck(b"data", m)), "MP3 in WAV: a 1-byte fmt chunk")
    add("wav_mp3_zero_chunks_200.wav", riff(fmt_mp3(), *[ck(b"junk", b"")] * 200, ck(b"data", m)),
        "MP3 in WAV: 200 zero-size chunks before the data (past the walk's bound)")
    add("wav_mp3_odd_chunks.wav", riff(fmt_mp3(), ck(b"junk", b"x"), ck(b"LIST", b"INFOa"), ck(b"data", m)),
        "MP3 in WAV: odd-size chunks (pad bytes) before the data")
    add("wav_mp3_odd_chunks_unpadded.wav",
        riff(fmt_mp3(), ck(b"junk", b"x", pad=False), ck(b"data", m)),
        "MP3 in WAV: an odd-size chunk without its pad byte (the walk lands one byte off)")
    add("wav_mp3_sync_words_around.wav", riff(fmt_mp3(), ck(b"junk", sync), ck(b"data", m), ck(b"junk", sync)),
        "MP3 in WAV: chunks of MP3 sync words before and after the data")
    add("wav_mp3_data_garbage.wav", riff(fmt_mp3(), ck(b"data", garbage(901, 3000))),
        "MP3 in WAV: random bytes as the data")
    add("wav_mp3_no_data.wav", riff(fmt_mp3(), ck(b"LIST", b"INFO")), "MP3 in WAV without a data chunk")
    add("wav_mp3_truncated_in_fmt.wav", riff(fmt_mp3(), ck(b"data", m))[:30], "MP3 in WAV cut inside fmt")
    ext_body = struct.pack("<HHIIHHHHI", 0xFFFE, 2, 44100, 16000, 1, 0, 22, 0, 3)
    guid = struct.pack("<H", 0x0055) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    add("wav_mp3_extensible.wav", riff(ck(b"fmt ", ext_body + guid), ck(b"data", m)),
        "MP3 in WAV: WAVE_FORMAT_EXTENSIBLE with the MP3 subformat")
    add("wav_mp3_extensible_guid_cut.wav", riff(ck(b"fmt ", ext_body + guid[:6]), ck(b"data", m)),
        "MP3 in WAV: EXTENSIBLE fmt cut inside the subformat GUID")
    add("wav_mp3_rf64_data_size_ffffffff.wav",
        riff(ck(b"ds64", u64(0) * 3 + u32(0)), fmt_mp3(), ck(b"data", m, 0xFFFFFFFF), magic=b"RF64"),
        "MP3 in an RF64 container, data size 0xFFFFFFFF")


def build():
    CORPUS.clear()
    WHY.clear()
    build_wav()
    build_wav_mp3()
    build_mp3()
    build_flac()
    build_ogg()
    build_misc()
    return dict(CORPUS)


def main(argv):
    check = "--check" in argv
    listing = "--list" in argv
    args = [a for a in argv if not a.startswith("--")]
    out = args[0] if args else DEFAULT_OUT
    corpus = build()
    if listing:
        for name in sorted(corpus):
            print("%-48s %7d  %s" % (name, len(corpus[name]), WHY[name]))
        print("%d files, %d bytes" % (len(corpus), sum(map(len, corpus.values()))))
        return 0
    existing = set(os.listdir(out)) if os.path.isdir(out) else set()
    if check:
        bad = sorted(n for n in corpus if n not in existing or open(os.path.join(out, n), "rb").read() != corpus[n])
        extra = sorted(existing - set(corpus))
        for n in bad:
            print("differs or missing:", n)
        for n in extra:
            print("not made by the script:", n)
        return 1 if bad or extra else 0
    os.makedirs(out, exist_ok=True)
    for name in existing - set(corpus):
        os.remove(os.path.join(out, name))
    for name, data in corpus.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d files, %d bytes in %s" % (len(corpus), sum(map(len, corpus.values())), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
