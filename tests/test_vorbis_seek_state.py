"""Ogg Vorbis: the end of a stream stays the end, and a file object gives the frames memory and a
path give, also where a packet does not decode (patches 0041, 0042).

Found by the long fuzz run (target seek): tests/corpus/regressions/fuzz-seek-vorbis-seek-state.bin
is the fuzz input as found (64 control bytes, then the file): an Ogg Vorbis whose header pages are
sound but whose only audio "page" is garbage (another serial number, a bad CRC, a body that runs
past the end of the file).  FFmpeg decodes nothing from it, and neither did decode() or a fresh
stream; but after three reads and seek(0) the fourth read gave 192 frames (stb_vorbis stops at a
packet that gives no frames as at the end, yet its next call goes on past it, and miniaudio skips
a seek to the frame the decoder is at), and a file object gave 4288 frames (push mode decoded on
past such packets).
"""

import io
import os
import sys

import pytest

import miniaudio


HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ_FILE = os.path.join(HERE, "corpus", "regressions", "fuzz-seek-vorbis-seek-state.bin")


def fuzz_payload():
    with open(FUZZ_FILE, "rb") as f:
        return f.read()[64:]


def send_all(stream, n=4096):
    """The frames' samples a stream gives until it ends (StopIteration or an empty chunk)."""
    out = []
    while True:
        try:
            chunk = stream.send(n)
        except StopIteration:
            break
        if not len(chunk):
            break
        out.extend(chunk)
    return out


def kinds(data, tmp_path, **kw):
    path = str(tmp_path / "in.ogg")
    with open(path, "wb") as f:
        f.write(data)
    return {
        "memory": lambda: miniaudio.stream_memory(data, **kw),
        "path": lambda: miniaudio.stream_file(path, **kw),
        "bytesio": lambda: miniaudio.stream_any(io.BytesIO(data), **kw),
    }


def test_fuzz_input_replays_clean():
    sys.path.insert(0, os.path.join(HERE, "fuzz"))
    try:
        import stateful
    finally:
        sys.path.pop(0)
    with open(FUZZ_FILE, "rb") as f:
        data = f.read()
    old = stateful.STRICT
    stateful.STRICT = True
    try:
        stateful.target_seek(data)  # raised InvariantError (stream-eq-decode) before
    finally:
        stateful.STRICT = old


@pytest.mark.parametrize("kind", ["memory", "path", "bytesio"])
def test_fuzz_input_decodes_nothing_after_any_reads_and_seeks(kind, tmp_path):
    data = fuzz_payload()
    kw = dict(output_format=miniaudio.SampleFormat.SIGNED16, nchannels=2, sample_rate=44100)
    assert len(miniaudio.decode(data, **kw).samples) == 0
    make = kinds(data, tmp_path, **kw)[kind]
    assert send_all(make()) == []
    stream = make()
    for _ in range(6):
        assert send_all(stream, 192) == [], kind
        assert stream.seek(0) == 0
        assert stream.position == 0
    assert send_all(stream, 192) == [], kind
