"""Large WAV reads from a path on two threads: the same bytes as one thread reading.

A read of 8 MiB or more of a WAV file's samples (RIFF, RF64 or W64) that is either the file's bytes as
they are (a file read to its own sample format) or integer PCM widened to a wider output is cut into
pieces that the calling thread and a helper thread read with pread() side by side (ma_impl.c,
parread.c).  Every byte must land where one thread reading puts it: decode_file(), the wav_read_file_*
functions and stream_file() chunks must give what decode() of the same bytes in memory gives (memory is
never read on two threads), and where the file's bytes are the output, those bytes themselves; a file
shorter than its header says must end where it ends; reads in several Python threads at once, and a
stream that goes on reading and seeking after a large read, must stay right.
"""

import os
import random
import struct
import threading

import pytest

import miniaudio
from miniaudio import SampleFormat

from test_fast_paths_2 import W64_DATA, W64_FMT, W64_RIFF, W64_WAVE

SF = SampleFormat
PARALLEL_MIN_BYTES = 8 << 20
FLOAT_TAG, PCM_TAG = 3, 1


def fmt_chunk_body(tag, bits, channels, rate=44100):
    width = bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * channels * width, channels * width, bits)


def wav_file(container, tag, bits, channels, data, data_size=None):
    """A RIFF, RF64 or W64 file holding `data` (its data chunk claims `data_size` bytes)."""
    fmt = fmt_chunk_body(tag, bits, channels)
    size = len(data) if data_size is None else data_size
    pad = b"\0" if len(data) % 2 else b""
    if container == "W64":
        fmt_chunk = W64_FMT + struct.pack("<Q", 24 + len(fmt)) + fmt + b"\0" * (-len(fmt) % 8)
        data_chunk = W64_DATA + struct.pack("<Q", 24 + size) + data + b"\0" * (-len(data) % 8)
        body = W64_WAVE + fmt_chunk + data_chunk
        return W64_RIFF + struct.pack("<Q", 24 + len(body)) + body
    if container == "RF64":
        ds64 = struct.pack("<QQQI", 0, size, 0, 0)
        body = (b"WAVE" + b"ds64" + struct.pack("<I", len(ds64)) + ds64 + b"fmt " + struct.pack("<I", len(fmt)) + fmt
                + b"data" + struct.pack("<I", 0xFFFFFFFF) + data + pad)
        return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size & 0xFFFFFFFF) + \
        data + pad
    return b"RIFF" + struct.pack("<I", min(len(body), 0xFFFFFFFF)) + body


def samples(bits, channels, frames, seed, tag=PCM_TAG):
    """`frames` frames of random samples (floats: random finite values in [-1, 1))."""
    rng = random.Random(seed)
    if tag == FLOAT_TAG:
        values = [rng.uniform(-1.0, 1.0) for _ in range(256)]
        table = struct.pack("<256f", *values)
        raw = rng.randbytes(frames * channels)
        return b"".join(table[b * 4:b * 4 + 4] for b in raw)
    return rng.randbytes(frames * channels * bits // 8)


# (format tag, bits, output format): the file's bytes as they are, then widened
RAW = [(PCM_TAG, 16, SF.SIGNED16), (PCM_TAG, 32, SF.SIGNED32), (PCM_TAG, 8, SF.UNSIGNED8),
       (FLOAT_TAG, 32, SF.FLOAT32)]
WIDENED = [(PCM_TAG, 16, SF.FLOAT32), (PCM_TAG, 24, SF.SIGNED32), (PCM_TAG, 8, SF.SIGNED16),
           (PCM_TAG, 24, SF.FLOAT32)]


def frames_for(bits, channels, raw_bytes=PARALLEL_MIN_BYTES + (3 << 20) + 777):
    """Frames of just over the two-thread minimum, an odd number (the last piece is partial)."""
    return raw_bytes // (channels * bits // 8) | 1


def read_all(path, fmt, channels, frames_to_read):
    out = bytearray()
    for chunk in miniaudio.stream_file(path, fmt, channels, 44100, frames_to_read=frames_to_read, chunk_type="bytes"):
        out += chunk
    return bytes(out)


def check_paths(path, blob, fmt, channels, want_frames, raw=None):
    """decode_file, wav_read_file_*, and large stream_file chunks of `path` == decode(blob)."""
    ref = miniaudio.decode(blob, fmt, channels, 44100)
    assert ref.num_frames == want_frames
    ref_bytes = ref.samples.tobytes()
    if raw is not None:
        assert ref_bytes == raw  # (memory: the file's bytes as they are)
    got = miniaudio.decode_file(path, fmt, channels, 44100)
    assert got.num_frames == want_frames
    assert got.samples.tobytes() == ref_bytes
    reader = {SF.SIGNED16: miniaudio.wav_read_file_s16, SF.SIGNED32: miniaudio.wav_read_file_s32,
              SF.FLOAT32: miniaudio.wav_read_file_f32}.get(fmt)
    if reader is not None:
        assert reader(path).samples.tobytes() == ref_bytes
    # one chunk of everything, and chunks that cross the two-thread minimum at odd places
    assert read_all(path, fmt, channels, want_frames + 5) == ref_bytes
    assert read_all(path, fmt, channels, want_frames * 2 // 3 + 1) == ref_bytes


@pytest.mark.parametrize("container", ["RIFF", "RF64", "W64"])
@pytest.mark.parametrize("tag,bits,fmt", RAW + WIDENED)
def test_a_large_read_gives_what_one_thread_gives(tmp_path, container, tag, bits, fmt):
    channels = 2
    frames = frames_for(bits, channels)
    data = samples(bits, channels, frames, seed=bits * 7 + len(container), tag=tag)
    blob = wav_file(container, tag, bits, channels, data)
    path = str(tmp_path / "big.wav")
    with open(path, "wb") as f:
        f.write(blob)
    check_paths(path, blob, fmt, channels, frames, raw=data if (tag, bits, fmt) in RAW else None)


@pytest.mark.parametrize("tag,bits,fmt", [RAW[0], RAW[3], WIDENED[0], WIDENED[1]])
@pytest.mark.parametrize("case", ["cut_mid_frame", "cut_mid_data", "size_past_end", "size_ffffffff"])
def test_a_large_file_shorter_than_its_header_ends_where_it_ends(tmp_path, tag, bits, fmt, case):
    """The pieces past the file's end come up short: the read ends at the last whole frame, as one
    thread's read does."""
    channels = 3
    frame = channels * bits // 8
    frames = frames_for(bits, channels, raw_bytes=PARALLEL_MIN_BYTES * 2)
    data = samples(bits, channels, frames, seed=bits + len(case), tag=tag)
    if case == "cut_mid_frame":
        blob = wav_file("RIFF", tag, bits, channels, data)[:-(frame // 2 + 1)]
        whole = frames - 1
    elif case == "cut_mid_data":
        blob = wav_file("RIFF", tag, bits, channels, data)[:-(len(data) // 3)]
        whole = (len(data) - len(data) // 3) // frame
    elif case == "size_past_end":
        blob = wav_file("RIFF", tag, bits, channels, data, data_size=len(data) * 3)
        whole = frames
    else:  # what writers that cannot seek back leave
        blob = wav_file("RIFF", tag, bits, channels, data, data_size=0xFFFFFFFF)
        whole = frames
    path = str(tmp_path / "short.wav")
    with open(path, "wb") as f:
        f.write(blob)
    check_paths(path, blob, fmt, channels, whole, raw=data[:whole * frame] if (tag, bits, fmt) in RAW else None)


def test_large_reads_in_several_threads_at_once(tmp_path):
    """Four Python threads each decoding their own large files (each read starts its own helper)."""
    files = []
    for i, (tag, bits, fmt) in enumerate(RAW[:2] + WIDENED[:2]):
        frames = frames_for(bits, 2)
        data = samples(bits, 2, frames, seed=100 + i, tag=tag)
        path = str(tmp_path / f"t{i}.wav")
        blob = wav_file("RIFF", tag, bits, 2, data)
        with open(path, "wb") as f:
            f.write(blob)
        files.append((path, fmt, miniaudio.decode(blob, fmt, 2, 44100).samples.tobytes()))
    errors = []

    def work(path, fmt, want):
        try:
            for _ in range(3):
                if miniaudio.decode_file(path, fmt, 2, 44100).samples.tobytes() != want:
                    errors.append(path)
        except BaseException as e:  # pragma: no cover (reported below)
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=f) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("fmt", [SF.SIGNED16, SF.FLOAT32])
def test_a_stream_reads_on_and_seeks_after_a_large_read(tmp_path, fmt):
    """After a two-thread send(n), the stream's position, its next chunks and its seeks (back into
    what the helper read, and forward) are those of one thread reading."""
    channels, bits = 2, 16
    frames = frames_for(bits, channels, raw_bytes=PARALLEL_MIN_BYTES * 2)
    data = samples(bits, channels, frames, seed=5)
    blob = wav_file("RIFF", PCM_TAG, bits, channels, data)
    path = str(tmp_path / "s.wav")
    with open(path, "wb") as f:
        f.write(blob)
    ref = miniaudio.decode(blob, fmt, channels, 44100).samples.tobytes()
    fb = channels * (2 if fmt == SF.SIGNED16 else 4)
    big = PARALLEL_MIN_BYTES // 4 + 12345  # frames: 8 MiB + of raw 16-bit stereo
    with miniaudio.stream_file(path, fmt, channels, 44100, frames_to_read=1000, chunk_type="bytes") as s:
        assert s.send(7) == ref[:7 * fb]
        assert s.send(big) == ref[7 * fb:(7 + big) * fb]
        assert s.position == 7 + big
        assert next(s) == ref[(7 + big) * fb:(1007 + big) * fb]
        s.seek(big // 2)  # back into the part the helper thread read
        assert s.send(3000) == ref[big // 2 * fb:(big // 2 + 3000) * fb]
        s.seek(frames - 10)
        assert s.send(100) == ref[(frames - 10) * fb:]
        assert s.position == frames
