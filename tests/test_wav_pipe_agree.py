"""IMA ADPCM blocks whose payload is not whole 4-byte groups per channel (patch 0052).

The long fuzz run's agree target found a stereo IMA ADPCM WAV with block align 4102 (an 8-byte
header, 511 groups of 8 frames, 6 bytes over) that gave 15 more frames over a pipe than decode().
dr_wav's IMA reader decoded a group whenever any byte was left in the block: the 6-byte tail made
its unsigned bytes-left-in-block wrap, and from then on it read no block header again, decoding
every later byte as nibbles.  From bytes, paths and file objects the frame count (the tail holds
no frame) cut that off, with wrong samples after the first block; over a pipe, where the header's
data size cannot be checked, it decoded to the end of the bytes.

The oracle needs no reference decoder: the same blocks written with and without a padding tail
after each block's payload must decode to the same samples, from every input kind, with the
frame count wav_get_info and get_file_info announce.  Inputs are generated here; each test
failed before the fix.
"""

import io
import random
import struct

import pytest

import miniaudio

SF = miniaudio.SampleFormat
FF = miniaudio.FileFormat


from helpers import Pipe  # noqa: E402  (a read()-only source)


def ima_blocks(channels, groups, last_groups, nblocks, seed):
    """(header, payload) pairs: valid block headers, random nibbles; the last block is short."""
    rnd = random.Random(seed)
    out = []
    for i in range(nblocks + 1):
        head = b"".join(struct.pack("<hBB", rnd.randrange(-30000, 30000), rnd.randrange(89), 0)
                        for _ in range(channels))
        n = groups if i < nblocks else last_groups
        out.append((head, bytes(rnd.randrange(256) for _ in range(n * 4 * channels))))
    return out


def ima_wav(channels, blocks, groups, tail, data_size=None, tail_fill=0xA5):
    """An IMA ADPCM WAV of `blocks`: each full block's payload is followed by `tail` padding bytes
    (block align = header + groups x 4 x channels + tail); the last (short) block has no tail."""
    align = 4 * channels + groups * 4 * channels + tail
    per_block = 1 + groups * 8
    fmt = struct.pack("<HHIIHHHH", 0x11, channels, 22050, 22050 * align // per_block, align, 4, 2, per_block)
    data = b""
    for i, (head, payload) in enumerate(blocks):
        data += head + payload + (bytes([tail_fill]) * tail if i < len(blocks) - 1 else b"")
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data
    if len(data) % 2:
        body += b"\0"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def frames_of(channels, groups, last_groups, nblocks):
    return nblocks * (1 + groups * 8) + 1 + last_groups * 8


def full(stream):
    return b"".join(bytes(c) for c in stream)


def every_input(data, tmp_path, channels, chunk=1000):
    """Samples (as bytes) from decode(), decode_file, stream_memory, stream_file, stream_any over a
    file object and over a pipe, all as signed 16-bit at the file's own rate and channels."""
    args = (SF.SIGNED16, channels, 22050)
    path = tmp_path / "ima.wav"
    path.write_bytes(data)
    out = {
        "decode": miniaudio.decode(data, *args).samples.tobytes(),
        "decode_file": miniaudio.decode_file(str(path), *args).samples.tobytes(),
        "stream_memory": full(miniaudio.stream_memory(data, *args, chunk, chunk_type="bytes")),
        "stream_file": full(miniaudio.stream_file(str(path), *args, chunk, chunk_type="bytes")),
        "pipe": full(miniaudio.stream_any(Pipe(data), FF.UNKNOWN, *args, chunk, chunk_type="bytes")),
    }
    with open(path, "rb") as f:
        out["file object"] = full(miniaudio.stream_any(f, FF.UNKNOWN, *args, chunk, chunk_type="bytes"))
    return out


# (channels, groups per block, tail bytes): mono tails 1-3, stereo tails 1-7, and the fuzz
# finding's layout (stereo, 511 groups, 6 bytes over: block align 4102)
LAYOUTS = [(1, 8, 1), (1, 8, 2), (1, 8, 3), (1, 1, 3)] + [(2, 8, t) for t in range(1, 8)] + [(2, 511, 6)]


@pytest.mark.parametrize("channels,groups,tail", LAYOUTS)
def test_padded_blocks_decode_like_unpadded_from_every_input(channels, groups, tail, tmp_path):
    last = min(3, groups - 1)                           # the last block is short
    blocks = ima_blocks(channels, groups, last, 4, seed=groups * 10 + tail)
    expected_frames = frames_of(channels, groups, last, 4)
    plain = miniaudio.decode(ima_wav(channels, blocks, groups, 0), SF.SIGNED16, channels, 22050)
    assert plain.num_frames == expected_frames          # the layout dr_wav always handled
    want = plain.samples.tobytes()
    padded = ima_wav(channels, blocks, groups, tail)
    assert miniaudio.wav_get_info(padded).num_frames == expected_frames
    path = tmp_path / "info.wav"
    path.write_bytes(padded)
    assert miniaudio.get_file_info(str(path)).num_frames == expected_frames
    for name, got in every_input(padded, tmp_path, channels).items():
        assert len(got) == len(want), (name, len(got) // (2 * channels), expected_frames)
        assert got == want, name


@pytest.mark.parametrize("channels,groups,tail", [(1, 8, 2), (2, 8, 6), (2, 511, 6)])
def test_pipe_of_a_file_cut_short_agrees_with_bytes(channels, groups, tail, tmp_path):
    # the finding: the header announces far more data than the file holds; bytes, paths and file
    # objects measure the file, a pipe cannot, and decoded the padding and later headers as audio
    blocks = ima_blocks(channels, groups, 5, 2, seed=7 + tail)
    want = miniaudio.decode(ima_wav(channels, blocks, groups, 0), SF.SIGNED16, channels, 22050)
    lying = ima_wav(channels, blocks, groups, tail, data_size=0x7FFFFF00)
    got = every_input(lying, tmp_path, channels, chunk=1)
    assert len(got["pipe"]) // (2 * channels) == want.num_frames == frames_of(channels, groups, 5, 2)
    for name, samples in got.items():
        assert samples == want.samples.tobytes(), name


@pytest.mark.parametrize("kind", ["memory", "file object"])
def test_seek_into_a_later_block_gives_decodes_samples(kind, tmp_path):
    channels, groups, tail = 2, 8, 5
    blocks = ima_blocks(channels, groups, 2, 5, seed=3)
    data = ima_wav(channels, blocks, groups, tail)
    want = miniaudio.decode(data, SF.SIGNED16, channels, 22050).samples.tobytes()
    plain = miniaudio.decode(ima_wav(channels, blocks, groups, 0), SF.SIGNED16, channels, 22050)
    assert want == plain.samples.tobytes()
    path = tmp_path / "ima.wav"
    path.write_bytes(data)
    for target in (65, 66, 200, 3 * 65 + 7, 0):
        f = open(path, "rb") if kind == "file object" else None
        try:
            s = (miniaudio.stream_any(f, FF.WAV, SF.SIGNED16, channels, 22050, 50, chunk_type="bytes")
                 if f else miniaudio.stream_memory(data, SF.SIGNED16, channels, 22050, 50, chunk_type="bytes"))
            next(s)
            assert s.seek(target) == target
            assert full(s) == want[target * 2 * channels:], (kind, target)
        finally:
            if f:
                f.close()
