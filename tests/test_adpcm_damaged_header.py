"""ADPCM WAV blocks whose header holds an index past its table (patch 0053).

The long fuzz run's agree target found a stereo IMA ADPCM WAV whose second block header has step
index 170 (the table has 89 entries): get_info said 4,658 frames, decode() gave 4,089 (the first
block) and the rest of the file was never heard.  MS ADPCM did the same with a predictor index past
its 7 coefficient pairs.  Now such a block is decoded as libsndfile decodes it (IMA: the step index
clamped to the table; MS: predictor 0) and decoding goes on.

The files are real: ffmpeg encodes samples/tone_s16.wav to IMA and MS ADPCM, then one block header
is damaged.  Each ADPCM block starts from its own header, so every block but the damaged one must
decode to exactly the samples of the undamaged file.
"""

import io
import os
import shutil
import struct
import subprocess

import pytest

import miniaudio

from helpers import Pipe  # noqa: E402  (a read()-only source)

SF = miniaudio.SampleFormat
FF = miniaudio.FileFormat
HERE = os.path.dirname(os.path.abspath(__file__))
TONE = os.path.join(HERE, "..", "samples", "tone_s16.wav")
REGRESSION = os.path.join(HERE, "corpus", "regressions", "fuzz-agree-wav-ima-bad-step-index.bin")

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None and not os.environ.get("CI"),
                                  reason="ffmpeg encodes the ADPCM files")


def encode(codec, channels, tmp_path):
    out = tmp_path / f"{codec}-{channels}.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", TONE, "-ac", str(channels), "-ar", "22050",
                    "-c:a", codec, str(out)], check=True)
    return out.read_bytes()


def layout(data):
    """(offset of the data chunk's payload, block align, channels) of a WAV."""
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
        if cid == b"data":
            return pos + 8, fmt[4], fmt[1]
        pos += 8 + size + (size & 1)
    raise AssertionError("no data chunk")


def damage(data, block, codec, value):
    """The file with block `block`'s header index (every channel's) set to `value`."""
    start, align, channels = layout(data)
    b = bytearray(data)
    at = start + block * align
    for ch in range(channels):
        if codec == "adpcm_ima_wav":
            b[at + 4 * ch + 2] = value           # predictor (2 bytes), step index, reserved
        else:
            b[at + ch] = value                   # predictor indexes come first
    return bytes(b)


def every_input(data, tmp_path, channels, rate=22050):
    args = (SF.SIGNED16, channels, rate)
    path = tmp_path / "damaged.wav"
    path.write_bytes(data)
    full = lambda s: b"".join(bytes(c) for c in s)  # noqa: E731
    out = {
        "decode": miniaudio.decode(data, *args).samples.tobytes(),
        "decode_file": miniaudio.decode_file(str(path), *args).samples.tobytes(),
        "stream_memory": full(miniaudio.stream_memory(data, *args, 700, chunk_type="bytes")),
        "stream_file": full(miniaudio.stream_file(str(path), *args, 700, chunk_type="bytes")),
        "pipe": full(miniaudio.stream_any(Pipe(data), FF.UNKNOWN, *args, 700, chunk_type="bytes")),
        "BytesIO": full(miniaudio.stream_any(io.BytesIO(data), FF.UNKNOWN, *args, 700, chunk_type="bytes")),
    }
    return out


CASES = [("adpcm_ima_wav", 1, 89), ("adpcm_ima_wav", 2, 170), ("adpcm_ima_wav", 2, 255),
         ("adpcm_ms", 1, 7), ("adpcm_ms", 2, 200)]


@needs_ffmpeg
@pytest.mark.parametrize("codec,channels,bad", CASES)
def test_a_damaged_block_header_does_not_end_the_decode(codec, channels, bad, tmp_path):
    good = encode(codec, channels, tmp_path)
    start, align, _ = layout(good)
    info = miniaudio.wav_get_info(good)
    clean = miniaudio.decode(good, SF.SIGNED16, channels, 22050).samples.tobytes()
    assert len(clean) == info.num_frames * 2 * channels
    if codec == "adpcm_ima_wav":
        per_block = 1 + (align - 4 * channels) * 2 // channels
    else:
        per_block = 2 + (align - 7 * channels) * 2 // channels
    damaged = damage(good, 2, codec, bad)
    assert miniaudio.wav_get_info(damaged).num_frames == info.num_frames
    outputs = every_input(damaged, tmp_path, channels)
    for name, got in outputs.items():
        # every frame is there: before the fix each input stopped at the damaged block (frame 2 x
        # frames per block)
        assert len(got) == len(clean), name
        assert got == outputs["decode"], name
    got = outputs["decode"]
    # the blocks before and after the damaged one are the undamaged file's samples, exactly
    frame_bytes = 2 * channels
    diff = [i // frame_bytes for i in range(0, len(got), frame_bytes) if got[i:i + frame_bytes] != clean[i:i + frame_bytes]]
    at = start + 2 * align
    if codec == "adpcm_ms" and not any(good[at:at + channels]):
        # this block used predictor 0 already: decoded with predictor 0, it is unchanged
        assert got == clean
        return
    assert diff, "the damaged header changed nothing"
    first, last = diff[0], diff[-1]
    # only the damaged block (the third) differs
    assert 2 * per_block <= first <= last < 3 * per_block, (first, last, per_block)
    assert got[:first * frame_bytes] == clean[:first * frame_bytes]
    assert got[(last + 1) * frame_bytes:] == clean[(last + 1) * frame_bytes:]
    assert len(got) - (last + 1) * frame_bytes > len(got) // 2, "too little of the file after the damaged block"


@needs_ffmpeg
@pytest.mark.parametrize("codec,channels,bad", CASES[1:2] + CASES[4:])
def test_a_damaged_block_header_keeps_seek_and_length_true(codec, channels, bad, tmp_path):
    damaged = damage(encode(codec, channels, tmp_path), 2, codec, bad)
    want = miniaudio.decode(damaged, SF.SIGNED16, channels, 22050).samples
    n = len(want) // channels
    s = miniaudio.stream_memory(damaged, SF.SIGNED16, channels, 22050, 500, chunk_type="array")
    assert s.length == n
    for target in (n - 1, n // 2, 10):
        s.seek(target)
        rest = [x for c in s for x in c]
        assert rest == list(want[target * channels:]), target
        assert s.position == n


def test_the_fuzz_finding_decodes_every_frame_it_states(tmp_path):
    data = open(REGRESSION, "rb").read()
    info = miniaudio.wav_get_info(data)
    assert (info.nchannels, info.num_frames) == (2, 4658)
    outputs = every_input(data, tmp_path, 2, 44100)
    for name, got in outputs.items():
        assert len(got) == 4658 * 4, name
        assert got == outputs["decode"], name


# ---- MS ADPCM, exact samples from a decoder written here ---------------------------------------

MS_ADAPT = [230, 230, 230, 230, 307, 409, 512, 614, 768, 614, 512, 409, 307, 230, 230, 230]
MS_COEFS = [(256, 0), (512, -256), (0, 0), (192, 64), (240, 0), (460, -208), (392, -232)]


def msadpcm_mono(blocks, block_align, predictor):
    """A mono MS ADPCM WAV whose every block names `predictor` (there are 7 pairs) and has
    changing nibbles, and the samples a decoder that takes predictor 0 for a bad one gives."""
    per_block = (block_align - 7) * 2 + 2
    fmt = struct.pack("<HHIIHHHHH", 2, 1, 8000, 8000 * block_align // per_block, block_align, 4, 32, per_block, 7)
    fmt += b"".join(struct.pack("<hh", *c) for c in MS_COEFS)
    data, want = b"", []
    for i in range(blocks):
        s1, s2, delta = 1000 * i - 1500, 300 - 200 * i, 16 + 40 * i
        cycle = [1, 14, 2, 13, 5, 3, 15, 0, 12, 2]   # keeps delta (and the sums) small
        nibs = [cycle[(j + i) % len(cycle)] for j in range(2 * (block_align - 7))]
        payload = bytes(nibs[k] << 4 | nibs[k + 1] for k in range(0, len(nibs), 2))
        data += bytes([predictor]) + struct.pack("<hhh", delta, s1, s2) + payload
        c1, c2 = MS_COEFS[predictor if predictor < 7 else 0]
        want += [s2, s1]
        for byte in payload:
            for nib in (byte >> 4, byte & 15):
                signed = nib - 16 if nib >= 8 else nib
                new = max(-32768, min(32767, ((s1 * c1 + s2 * c2) >> 8) + signed * delta))
                delta = max(16, (MS_ADAPT[nib] * delta) >> 8)
                s2, s1 = s1, new
                want.append(new)
                assert delta < 1 << 20   # no int32 overflow in the decoder's products
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body, want


@pytest.mark.parametrize("predictor", [0, 5, 7, 200])
def test_msadpcm_bad_predictor_decodes_as_predictor_0(predictor, tmp_path):
    data, want = msadpcm_mono(4, 256, predictor)
    assert miniaudio.wav_get_info(data).num_frames == len(want) == 4 * 500
    outputs = every_input(data, tmp_path, 1, 8000)
    for name, got in outputs.items():
        assert list(struct.unpack(f"<{len(got) // 2}h", got)) == want, name
