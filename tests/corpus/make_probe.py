#!/usr/bin/env python3
"""Write tests/corpus/probe/fuzz-<target>-<finding>.bin: one input per finding of the independent
probe (issue 13), shaped for the stateful fuzz targets (tests/fuzz/stateful.py).

Usage:  python tests/corpus/make_probe.py [--check]

Each file is a fuzz input: for seek and source, 64 control bytes (the output and an operation
script, see stateful.py) + the file; for agree, the file.  Built here from scratch with struct
(stdlib only), except the MP3 one, which appends an ID3v1 tag to the head of the committed
regressions/ma1117-mp3-control-valid.bin.  test_fuzz.py replays them unless
MINIAUDIO_FUZZ_STRICT=0 (they fail on the code before the probe's fixes; RELIABILITY.md
says which invariant catches which).  ``--check`` exits 1 if the committed files differ.
"""

import math
import os
import struct

from make_hostile import crc8, crc16  # FLAC's header and frame CRCs (same folder)
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "probe")
CONTROL = 64


def control(head, ops, fill=(12, 0)):
    """head: the 6 setting bytes (format, channels, rate, chunk, seek_frame, unused); ops: (op, arg)."""
    pairs = list(ops) + [fill] * ((CONTROL - 6) // 2 - len(ops))
    c = bytes(head) + b"".join(bytes(p) for p in pairs)
    return c.ljust(CONTROL, b"\0")[:CONTROL]


# seek target op codes (stateful.Run.step)
NEXT, SEND, SEEK0, BACK, FWD, END, FAR, ABS, PROPS, CLOSE = 0, 2, 4, 5, 6, 7, 8, 9, 10, 11
S16, F32 = 0, 1
CHUNK_1, CHUNK_192, CHUNK_1024, CHUNK_4096 = 0, 3, 5, 6


def flac_frame(number, subframe):
    """A fixed-blocking FLAC frame: 192 samples, 44.1 kHz, mono, 16 bits."""
    hdr = bytes([0xFF, 0xF8, 0x19, 0x08, number])
    body = hdr + bytes([crc8(hdr)]) + subframe
    return body + struct.pack(">H", crc16(body))


def verbatim(samples):
    return b"\x02" + struct.pack(">192h", *samples)


def flac(frames, total, last_block=b""):
    si = struct.pack(">HH", 192, 192) + bytes(6) + ((44100 << 44) | (15 << 36) | total).to_bytes(8, "big") + bytes(16)
    return b"fLaC" + bytes([0x00 if last_block else 0x80, 0, 0, 34]) + si + last_block + b"".join(frames)


def ieee80(rate):
    m, e = math.frexp(rate)
    return struct.pack(">HQ", 16383 + e - 1, int(m * (1 << 64)))


def aiff(pcm, channels, frames, bits, offset=0, trailing=b""):
    comm = struct.pack(">hIh", channels, frames, bits) + ieee80(22050.0)
    ssnd = struct.pack(">II", offset, 0) + pcm
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body + trailing


def wav(fmt, data, riff_size=None, data_size=None, extra=b""):
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


def pcm16_fmt(channels, rate):
    return struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)


def files():
    out = {}
    ramp = [int(8000 * ((i % 32) - 16) / 16) for i in range(192)]
    # dr_flac: one good frame, then a frame with a reserved subframe type; read to the end, seek back
    # 39 frames: SIGSEGV (crash, from the memory run)
    bad = flac([flac_frame(0, verbatim(ramp)), flac_frame(1, b"\x04" + bytes(384))], 384)
    out["seek-flac-seek-after-bad-frame"] = control([S16, 0, 0, CHUNK_1024, 0, 0],
                                                    [(NEXT, 0), (NEXT, 0), (BACK, 3), (NEXT, 0)]) + bad
    # FLAC with STREAMINFO total samples 0: seek(1000) lands on frame 0 (stream-eq-decode)
    frames = [flac_frame(k, verbatim([k * 100 + i % 50 for i in range(192)])) for k in range(20)]
    out["seek-flac-total-samples-0"] = control([S16, 0, 0, CHUNK_192, 0, 0], [(FWD, 6), (SEND, 2), (NEXT, 0)]) \
        + flac(frames, 0)
    # FLAC whose last metadata block runs past the end: memory decodes, path/file object give
    # nothing (io-agree, stream-eq-decode, length)
    frames = [flac_frame(k, verbatim([(i * 97 + k) % 2000 - 1000 for i in range(192)])) for k in range(10)]
    past = bytes([0x81]) + (0xFFFFF0).to_bytes(3, "big")
    data = flac(frames, 1920, last_block=past)
    out["seek-flac-metadata-past-eof"] = control([S16, 0, 0, CHUNK_1024, 0, 0], [(NEXT, 0), (NEXT, 0)]) + data
    out["agree-flac-metadata-past-eof"] = data
    # AIFF whose SSND offset exceeds the chunk: length 6.1e18 from 1 KB (length), seek(2**62) spins
    # (timeout / slow input)
    spin = aiff(bytes(900), 1, 0, 24, offset=131072)
    out["seek-aiff-ssnd-offset-seek-spin"] = control([S16, 0, 0, CHUNK_1024, 0, 0], [(FAR, 0), (NEXT, 0)]) + spin
    # AIFF with trailing bytes: read to the end, seek to the last frame, get the trailing bytes
    # (stream-eq-decode)
    pcm = b"".join(struct.pack(">hh", i * 10, -i * 10) for i in range(1000))
    trail = aiff(pcm, 2, 1000, 16, trailing=b"\x11\x22" * 50)
    out["seek-aiff-trailing-bytes"] = control([S16, 0, 0, CHUNK_4096, 0, 0], [(NEXT, 0), (NEXT, 0), (END, 1),
                                                                               (SEND, 0)]) + trail
    # WAV with 0xFFFFFFFF sizes (streaming writers): stream_any over BytesIO gives 0 frames
    # (io-agree, stream-eq-decode)
    pcm = b"".join(struct.pack("<h", (i * 37) % 20000 - 10000) for i in range(1500))
    ffff = wav(pcm16_fmt(1, 8000), pcm, 0xFFFFFFFF, 0xFFFFFFFF)
    out["seek-wav-ffffffff-sizes"] = control([S16, 0, 0, CHUNK_1024, 0, 0], [(NEXT, 0), (NEXT, 0)]) + ffff
    out["agree-wav-ffffffff-sizes"] = ffff
    # WAV whose data size is believed over a file object: length 1073741820 for 1 KB (length), and
    # send(10**9) allocates for it (-malloc_limit_mb; the strict runs send huge)
    lie = wav(pcm16_fmt(2, 44100), bytes(1000), 0xFFFFFFFF, 0xFFFFFFF0)
    out["seek-wav-lying-data-size"] = control([S16, 0, 0, CHUNK_1024, 0, 0], [(SEND, 19), (NEXT, 0)]) + lie
    # IMA ADPCM whose block align (1040) is larger than its 1024-byte blocks imply: short chunks
    # mid-stream (chunk-size)
    blocks = b"".join(struct.pack("<hBB", 0, 0, 0) + bytes((j * 7 + b) % 256 for j in range(1020)) for b in range(5))
    ima = struct.pack("<HHIIHHHH", 0x11, 1, 44100, 22311, 1040, 4, 2, 2041)
    fact = b"fact" + struct.pack("<II", 4, 5 * 2041)
    out["seek-ima-adpcm-short-chunks"] = control([S16, 0, 0, CHUNK_4096, 0, 0], [(NEXT, 0)] * 5) + \
        wav(ima, blocks, extra=fact)
    # float WAV beyond full scale at frames_to_read=1 (dr_wav converts it itself, so this one passes
    # on the unfixed code: the class is caught by the convert input below)
    floats = struct.pack("<16f", *([-1.5] * 8 + [1.5] * 8))
    fmt = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
    out["seek-f32-to-s16-chunk-size"] = control([S16, 0, 0, CHUNK_1, 0, 0], [(NEXT, 0)] * 16) + wav(fmt, floats)
    # raw PCM shorter than a frame: seek(2**62) wraps and returns the bytes (chunk-size / position)
    out["seek-raw-shorter-than-a-frame"] = control([0, 0x80, 1, CHUNK_1024, 1, 0], [(FAR, 0), (NEXT, 0)]) + b"\x01\x02\x03"
    # MP3 + ID3v1 tag: memory strips the tag, paths and file objects do not (agree)
    with open(os.path.join(HERE, "regressions", "ma1117-mp3-control-valid.bin"), "rb") as f:
        mp3 = f.read()
    tag = b"TAG" + b"Title".ljust(30, b"\0") + b"Artist".ljust(30, b"\0") + bytes(30) + b"2026" + bytes(30) + b"\xff"
    out["agree-mp3-id3v1-tag"] = mp3 + tag
    out["seek-mp3-id3v1-tag"] = control([S16, 0, 0, CHUNK_1024, 0, 0], [(NEXT, 0)] * 6) + mp3 + tag
    # a 4 KB WAV at 1 Hz: decode() with default arguments makes 706 MB (bound: -malloc_limit_mb /
    # the output bound, or the slow-input check)
    n = 4000
    onehz = wav(struct.pack("<HHIIHH", 1, 1, 1, 1, 1, 8), bytes((128 + i % 50) for i in range(n)))
    out["agree-resample-amplification"] = onehz
    # the same conversion through convert_sample_format: f32 -> s16 of -1.5 in a buffer (SIMD loop)
    # and one sample at a time (the convert target's control block picks FLOAT32 -> SIGNED16,
    # dither NONE; found by search, atheris.FuzzedDataProvider consumes it)
    convert_control = bytes.fromhex("3101015bec376ebf2246cd5ee0308bf55dbf4d3d4427ca525d729336196f036e"
                                    "06e262c0984cadbec13763ad04d8e462540b86ef772a216e477f7ab80965e610")
    out["convert-f32-to-s16-chunk-size"] = convert_control + struct.pack("<64f", *([-1.5] * 32 + [1.5] * 32))
    # sources (source target: c[0] read mode, c[1] seek mode, c[2] format, then (op << 4 | call - 1,
    # action) pairs; action & 15: 1 KeyboardInterrupt subclass, 3 close, action >> 4 & 1: find the
    # half-built stream through gc)
    pcm = bytes(3200)
    small = wav(pcm16_fmt(1, 8000), pcm)
    head = bytes([0, 0, 2, 0, 0, 0, 1, 0])
    # Ctrl-C in read() at call 6 (after the open): must propagate unchanged (source-exception)
    out["source-keyboardinterrupt-in-read"] = (head + bytes([0x05, 0x01]) + bytes([0x2F, 0x0F]) * 27) + small
    # close() from read() while stream_any() is still opening (gc.get_referrers): crash
    out["source-half-built-stream-closed"] = (head + b"".join(bytes([x, 0x13]) for x in range(28))) + small
    # close() from seek() on the stream's first seek(): use after free
    # (Ogg Vorbis: its push-mode open never seeks, so the stream's first seek() asks the source)
    head = bytes([0, 0, 5, 0, 0, 0, 1, 0])
    with open(os.path.join(HERE, "..", "..", "samples", "mono.ogg"), "rb") as f:
        ogg = f.read()[:4000]
    out["source-seek-closes-stream"] = (head + b"".join(bytes([0x90 + x, 0x03]) for x in range(28))) + ogg
    return out


def main(check=False):
    os.makedirs(OUT, exist_ok=True)
    bad = 0
    for name, data in files().items():
        path = os.path.join(OUT, f"fuzz-{name}.bin")
        if check:
            with open(path, "rb") as f:
                if f.read() != data:
                    print(f"differs: {path}")
                    bad += 1
        else:
            with open(path, "wb") as f:
                f.write(data)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
