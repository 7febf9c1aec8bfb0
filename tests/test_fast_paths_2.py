"""The second round of decoding fast paths: same samples as the general paths, sample for sample.

- Integer PCM WAV widened to a wider output (u8/s16/s24/s32 -> FLOAT32, -> SIGNED32, u8 -> SIGNED16)
  at the file's own channels and rate is read in large blocks straight into the output and
  converted there (decode_file, decode, wav_read_*, and stream chunks of 64 frames or more).  It
  must give exactly what the general path gives (stream chunks of fewer than 64 frames go through
  miniaudio's own read loop) and what dr_wav's formulas give, for every width and channel count,
  in RIFF, RF64, W64 and AIFF files, with truncated data, data chunk sizes that are odd or not a
  multiple of the frame size or larger than the file, and chunks after the data.
- Stream chunks of array.array type are decoded into a buffer that becomes the array: streams of
  every chunk size give the same bytes as decode(), for every format and chunk type.
"""

import array
import os
import random
import struct

import pytest

import miniaudio
from miniaudio import SampleFormat

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
TYPECODE = {SampleFormat.UNSIGNED8: "B", SampleFormat.SIGNED16: "h", SampleFormat.SIGNED32: "i",
            SampleFormat.FLOAT32: "f"}
GENERAL_CHUNK = 63  # stream chunks this small go through miniaudio's own read loop


def pcm_bytes(bits, channels, frames, seed):
    """Random samples of `bits` (little-endian), led by each width's extremes on every channel."""
    width = bits // 8
    rng = random.Random(seed)
    extremes = [b"\x00" * width, b"\xff" * width, b"\x00" * (width - 1) + b"\x80",
                b"\xff" * (width - 1) + b"\x7f", b"\x01" + b"\x00" * (width - 1)]
    data = b"".join(e * channels for e in extremes)
    return data + bytes(rng.getrandbits(8) for _ in range(frames * channels * width))


def riff(bits, channels, data, data_size=None, after=b"", rate=44100, container="RIFF"):
    """A RIFF (or RF64) WAV file with `data` as its data chunk, which claims `data_size` bytes."""
    width = bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * width, channels * width, bits)
    size = len(data) if data_size is None else data_size
    pad = b"\0" if len(data) % 2 else b""
    if container == "RF64":
        ds64 = struct.pack("<QQQI", 0, size, 0, 0)
        body = (b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64 + b"fmt " + struct.pack("<I", len(fmt)) + fmt
                + b"data" + struct.pack("<I", 0xFFFFFFFF) + data + pad + after)
        return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data + pad + after
    return b"RIFF" + struct.pack("<I", len(body)) + body


W64_RIFF = bytes.fromhex("726966662e91cf11a5d628db04c10000")
W64_WAVE = bytes.fromhex("77617665f3acd3118cd100c04f8edb8a")
W64_FMT = bytes.fromhex("666d7420f3acd3118cd100c04f8edb8a")
W64_DATA = bytes.fromhex("64617461f3acd3118cd100c04f8edb8a")


def w64(bits, channels, data, rate=44100):
    width = bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * width, channels * width, bits)
    fmt_chunk = W64_FMT + struct.pack("<Q", 24 + len(fmt)) + fmt + b"\0" * (-len(fmt) % 8)
    data_chunk = W64_DATA + struct.pack("<Q", 24 + len(data)) + data + b"\0" * (-len(data) % 8)
    body = W64_WAVE + fmt_chunk + data_chunk
    return W64_RIFF + struct.pack("<Q", 24 + len(body)) + body


def aiff(bits, channels, data, rate=44100):
    """An AIFF file (big-endian, signed 8-bit) holding the same sample values as the WAV `data`."""
    width = bits // 8
    samples = [data[i:i + width] for i in range(0, len(data) - len(data) % width, width)]
    if bits == 8:
        be = bytes((s[0] - 128) & 0xFF for s in samples)  # WAV 8-bit is unsigned, AIFF signed
    else:
        be = b"".join(s[::-1] for s in samples)
    frames = len(samples) // channels
    be = be[:frames * channels * width]
    # 80-bit extended sample rate
    exponent = 16383 + rate.bit_length() - 1
    mantissa = rate << (64 - rate.bit_length())
    comm = struct.pack(">hIh", channels, frames, bits) + struct.pack(">HQ", exponent, mantissa)
    ssnd = struct.pack(">II", 0, 0) + be
    body = (b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
            + (b"\0" if len(ssnd) % 2 else b""))
    return b"FORM" + struct.pack(">I", len(body)) + body


def expected(data, bits, fmt):
    """dr_wav's conversion of the little-endian integer samples in `data`, in Python."""
    width = bits // 8
    ints = [int.from_bytes(data[i:i + width], "little", signed=bits > 8)
            for i in range(0, len(data) - len(data) % width, width)]
    if fmt == SampleFormat.FLOAT32:
        if bits == 8:
            c = array.array("f", [0.00784313725490196078])[0]
            scaled = array.array("f", [x * c for x in ints])
            return array.array("f", [x - 1 for x in scaled])
        return array.array("f", [x / 2.0 ** (bits - 1) for x in ints])
    if fmt == SampleFormat.SIGNED32:
        return array.array("i", [(x - 128) << 24 if bits == 8 else x << (32 - bits) for x in ints])
    return array.array("h", [(x - 128) << 8 for x in ints])  # u8 -> s16


def general(path, fmt, channels, rate):
    """The file through miniaudio's own read loop (stream chunks below the fast path's minimum)."""
    out = array.array(TYPECODE[fmt])
    for chunk in miniaudio.stream_file(path, fmt, channels, rate, frames_to_read=GENERAL_CHUNK):
        out.extend(chunk)
    return out


def streamed(path, fmt, channels, rate, frames, chunk_type="array"):
    out = bytearray()
    for chunk in miniaudio.stream_file(path, fmt, channels, rate, frames_to_read=frames, chunk_type=chunk_type):
        out += memoryview(chunk).cast("B")
    return bytes(out)


def check_all_paths(path, fmt, channels, want):
    """Every reading path of `path` gives `want` (an array of the output's samples)."""
    with open(path, "rb") as f:
        blob = f.read()
    rate = 44100
    got = miniaudio.decode_file(path, fmt, channels, rate)
    assert got.samples.typecode == want.typecode
    assert got.num_frames * channels == len(want)
    assert got.samples == want
    assert miniaudio.decode(blob, fmt, channels, rate).samples == want
    assert general(path, fmt, channels, rate) == want
    for frames in (64, 1000, 65536, 70001):
        assert streamed(path, fmt, channels, rate, frames) == want.tobytes(), frames
    if fmt == SampleFormat.FLOAT32:
        assert miniaudio.wav_read_file_f32(path).samples == want
        assert miniaudio.wav_read_f32(blob).samples == want
    if fmt == SampleFormat.SIGNED32:
        assert miniaudio.wav_read_file_s32(path).samples == want
        assert miniaudio.wav_read_s32(blob).samples == want


WIDENED = [(bits, fmt) for bits in (8, 16, 24, 32) for fmt in (SampleFormat.FLOAT32, SampleFormat.SIGNED32)
           if not (bits == 32 and fmt == SampleFormat.SIGNED32)] + [(8, SampleFormat.SIGNED16)]


@pytest.mark.parametrize("channels", [1, 2, 6])
@pytest.mark.parametrize("bits,fmt", WIDENED)
def test_widened_pcm_equals_general_path_and_formula(tmp_path, bits, fmt, channels):
    data = pcm_bytes(bits, channels, 70000 + bits, seed=bits * 10 + channels)
    path = str(tmp_path / "w.wav")
    with open(path, "wb") as f:
        f.write(riff(bits, channels, data))
    check_all_paths(path, fmt, channels, expected(data, bits, fmt))


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
@pytest.mark.parametrize("case", ["cut_mid_frame", "cut_mid_data", "odd_size", "size_not_frames",
                                  "size_past_end", "chunk_after_data"])
def test_unusual_data_chunks(tmp_path, bits, case):
    channels, width = 2, bits // 8
    frame = channels * width
    data = pcm_bytes(bits, channels, 20000, seed=bits)
    if case == "cut_mid_frame":
        blob = riff(bits, channels, data)[:-(frame // 2 + 1)]  # the file ends inside the last frame
        frames = len(data) // frame - 1
    elif case == "cut_mid_data":
        blob = riff(bits, channels, data)[:-(len(data) // 3)]
        frames = (len(data) - len(data) // 3 + (len(data) % 2)) // frame
    elif case == "odd_size":
        blob = riff(bits, channels, data[:-1] + b"", data_size=len(data) - 1)
        frames = (len(data) - 1) // frame
    elif case == "size_not_frames":
        blob = riff(bits, channels, data, data_size=len(data) - frame // 2 - 1)
        frames = (len(data) - frame // 2 - 1) // frame
    elif case == "size_past_end":
        blob = riff(bits, channels, data, data_size=0x7FFFFFF0)
        frames = len(data) // frame
    else:
        blob = riff(bits, channels, data, after=b"LIST" + struct.pack("<I", 12) + b"INFOISFT\0\0\0\0")
        frames = len(data) // frame
    path = str(tmp_path / "u.wav")
    with open(path, "wb") as f:
        f.write(blob)
    want = expected(data[:frames * frame], bits, SampleFormat.FLOAT32)
    check_all_paths(path, SampleFormat.FLOAT32, channels, want)


@pytest.mark.parametrize("container", ["RF64", "W64", "AIFF"])
@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_other_containers(tmp_path, container, bits):
    channels = 2
    data = pcm_bytes(bits, channels, 30000, seed=bits + 1)
    blob = {"RF64": lambda: riff(bits, channels, data, container="RF64"),
            "W64": lambda: w64(bits, channels, data),
            "AIFF": lambda: aiff(bits, channels, data)}[container]()
    path = str(tmp_path / ("c." + container.lower()))
    with open(path, "wb") as f:
        f.write(blob)
    assert miniaudio.get_file_info(path).num_frames == len(data) // (channels * bits // 8)
    for fmt in (SampleFormat.FLOAT32, SampleFormat.SIGNED32):
        if bits == 32 and fmt == SampleFormat.SIGNED32:
            continue
        check_all_paths(path, fmt, channels, expected(data, bits, fmt))


def test_extensible_with_unusual_channel_mask_is_unchanged(tmp_path):
    """A channel mask that the decoder maps to other positions keeps the general path's output."""
    bits, channels = 16, 2
    data = pcm_bytes(bits, channels, 5000, seed=3)
    fmt = (struct.pack("<HHIIHH", 0xFFFE, channels, 44100, 44100 * 4, 4, bits) + struct.pack("<HHI", 22, bits, 0x30000)
           + struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71"))
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path = str(tmp_path / "x.wav")
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
    got = miniaudio.decode_file(path, SampleFormat.FLOAT32, channels, 44100)
    assert got.samples == general(path, SampleFormat.FLOAT32, channels, 44100)
    assert got.num_frames == len(data) // 4


STREAM_FILES = ["tone_s16.wav", "short_u8.wav", "short_s24.wav", "short_s32.wav", "short_f32.wav", "tone_16.flac",
                "tone_24.flac", "tone.mp3", "tone.ogg", "mono.flac", "mono.mp3", "mono.ogg"]


@pytest.mark.parametrize("name", STREAM_FILES)
@pytest.mark.parametrize("fmt", [SampleFormat.SIGNED16, SampleFormat.FLOAT32, SampleFormat.SIGNED32,
                                 SampleFormat.UNSIGNED8])
def test_streams_of_every_chunk_size_equal_decode(name, fmt):
    path = os.path.join(SAMPLES, name)
    info = miniaudio.get_file_info(path)
    whole = miniaudio.decode_file(path, fmt, info.nchannels, info.sample_rate)
    want = whole.samples.tobytes()
    frames = whole.num_frames
    for size in (1, 63, 64, 256, 1000, 4096, 16384, 65536, 65537, frames, frames + 1, 10 ** 6):
        for chunk_type in ("array", "bytes"):
            got = streamed(path, fmt, info.nchannels, info.sample_rate, size, chunk_type)
            assert got == want, (size, chunk_type)
    # chunks are complete, ordinary arrays of the right type and length, only the last one short
    chunks = list(miniaudio.stream_file(path, fmt, info.nchannels, info.sample_rate, frames_to_read=1000))
    assert all(type(c) is array.array and c.typecode == TYPECODE[fmt] for c in chunks)
    assert [len(c) for c in chunks[:-1]] == [1000 * info.nchannels] * (len(chunks) - 1)
    assert 0 < len(chunks[-1]) <= 1000 * info.nchannels
    chunks[0].append(chunks[0][0])  # an adopted buffer grows like any array's
    assert len(chunks[0]) == 1000 * info.nchannels + 1


def test_send_sizes_mixed_equal_decode():
    path = os.path.join(SAMPLES, "tone_16.flac")
    info = miniaudio.get_file_info(path)
    want = miniaudio.decode_file(path, SampleFormat.FLOAT32, info.nchannels, info.sample_rate).samples
    stream = miniaudio.stream_file(path, SampleFormat.FLOAT32, info.nchannels, info.sample_rate)
    out = array.array("f", next(stream))
    sizes = [1, 63, 64, 5000, 70000, 3]
    i = 0
    while True:
        try:
            out.extend(stream.send(sizes[i % len(sizes)]))
        except StopIteration:
            break
        i += 1
    assert out == want
