"""An MP3 whose Xing/Info count does not fit the input's size gives the same frames from every input.

Bytes, paths and seekable file objects check a Xing/Info count against the input's size and drop
one that cannot describe it; a pipe has no size and believes it.  Where the stream goes on past a
believed count, decoding drops the rest of the MP3 frame there (the count's padding) and goes on,
so the seekable inputs used to give more frames than a pipe: the first file's padding for two MP3s
appended one to the other, and 199 frames at the start for a damaged MP3 found by the seek fuzz
target (its LAME delay ends past its counted end).  Patch 0071 makes a rejected count end decoding
where it says too; the count is still not taken as the length.
"""

import io
import os

import pytest

import miniaudio
from miniaudio import FileFormat as FF
from miniaudio import SampleFormat as SF

from helpers import Pipe

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROL = 64  # the seek target's control bytes before the payload (tests/fuzz/stateful.py)


def fuzz_mp3():
    with open(os.path.join(HERE, "corpus", "regressions", "fuzz-seek-mp3-pipe-believes-rejected-info-count.bin"),
              "rb") as f:
        return f.read()[CONTROL:]


def concatenated():
    with open(os.path.join(HERE, "..", "samples", "tone.mp3"), "rb") as f:
        one = f.read()
    return one, one + one


def every_input(data, tmp_path, fmt, nch, rate, chunk):
    """name -> (all samples as a list, the stream's length at its end) for every way in."""
    path = tmp_path / "in.mp3"
    path.write_bytes(data)
    makers = {
        "memory": lambda: miniaudio.stream_memory(data, fmt, nch, rate, chunk),
        "path": lambda: miniaudio.stream_file(str(path), fmt, nch, rate, chunk),
        "bytesio": lambda: miniaudio.stream_any(io.BytesIO(data), FF.UNKNOWN, fmt, nch, rate, chunk),
        "pipe": lambda: miniaudio.stream_any(Pipe(data), FF.UNKNOWN, fmt, nch, rate, chunk),
    }
    out = {}
    for name, make in makers.items():
        stream = make()
        samples = [x for c in stream for x in c]
        out[name] = (samples, stream.length)
    out["decode"] = (list(miniaudio.decode(data, fmt, nch, rate).samples), None)
    out["decode_file"] = (list(miniaudio.decode_file(str(path), fmt, nch, rate).samples), None)
    return out


@pytest.mark.parametrize("fmt", [SF.SIGNED16, SF.FLOAT32])
@pytest.mark.parametrize("chunk", [1, 192, 4096])
def test_the_fuzz_mp3_gives_the_same_frames_from_every_input(tmp_path, fmt, chunk):
    data = fuzz_mp3()
    got = every_input(data, tmp_path, fmt, 1, 22050, chunk)
    reference = got["decode"][0]
    assert len(reference) == 3456  # 3655 from bytes before (the frames after the delay, padding kept)
    for name, (samples, length) in got.items():
        assert samples == reference, name
        if name not in ("decode", "decode_file"):
            assert length == len(reference), name  # known at the end, and what was delivered
    info = miniaudio.get_file_info(str(tmp_path / "in.mp3"))
    assert info.num_frames == len(reference)
    assert miniaudio.mp3_get_info(data).num_frames == len(reference)


@pytest.mark.parametrize("chunk", [1, 1000, 4096])
def test_two_mp3s_appended_give_the_same_frames_from_every_input(tmp_path, chunk):
    one, two = concatenated()
    first = list(miniaudio.decode(one, SF.SIGNED16, 2, 44100).samples)
    got = every_input(two, tmp_path, SF.SIGNED16, 2, 44100, chunk)
    reference = got["decode"][0]
    for name, (samples, length) in got.items():
        assert samples == reference, name
    # the first file comes out exactly as decoded alone (its padding dropped where its count
    # ends), then the second one follows
    assert reference[:len(first)] == first
    assert len(reference) > 2 * len(first)


@pytest.mark.parametrize("how", ["memory", "bytesio"])
def test_seeks_in_the_fuzz_mp3_land_on_decodes_frames(how):
    """Seeking decodes from the start, through the same rule: every target gives decode()'s
    frames there, also after the stream was read to its end."""
    data = fuzz_mp3()
    reference = list(miniaudio.decode(data, SF.SIGNED16, 1, 22050).samples)
    if how == "memory":
        stream = miniaudio.stream_memory(data, SF.SIGNED16, 1, 22050, 100)
    else:
        stream = miniaudio.stream_any(io.BytesIO(data), FF.UNKNOWN, SF.SIGNED16, 1, 22050, 100)
    for _ in stream:
        pass
    for target in (0, 1, 198, 199, 200, 1000, 3355, 3455):
        assert stream.seek(target) == target
        assert list(stream.send(100)) == reference[target:target + 100], target
    with pytest.raises(ValueError):
        stream.seek(3457)


@pytest.mark.parametrize("how", ["memory", "path", "bytesio"])
@pytest.mark.parametrize("seek_frame", [0, 1000])
@pytest.mark.parametrize("target", [5096, 2, 8000])
def test_a_resampled_seek_in_an_mp3_without_a_usable_count(tmp_path, how, seek_frame, target):
    """A damaged 22050 Hz MP3 whose Info count the input's size rejects, streamed at 44100 Hz: a
    resampled seek asks the decoder for its length, which dr_mp3 counts by decoding from the start
    and then seeking back; it came back the encoder delay (529 frames) too far, and the stream
    ended at frame 7,100 where decode() gives 8,158 (found by the seek fuzz target; patch 0072)."""
    with open(os.path.join(HERE, "corpus", "regressions", "fuzz-payload-mp3-seek-back-after-count.mp3"), "rb") as f:
        payload = f.read()
    path = tmp_path / "in.mp3"
    path.write_bytes(payload)
    reference = list(miniaudio.decode(payload, SF.SIGNED16, 1, 44100).samples)
    assert len(reference) == 8158
    args = (SF.SIGNED16, 1, 44100, 4096, miniaudio.DitherMode.NONE, seek_frame)
    if how == "memory":
        stream = miniaudio.stream_memory(payload, *args)
    elif how == "path":
        stream = miniaudio.stream_file(str(path), *args)
    else:
        stream = miniaudio.stream_any(io.BytesIO(payload), FF.UNKNOWN, *args)
    assert stream.seek(target) == target
    got = [x for c in stream for x in c]
    assert target + len(got) == len(reference)
    n = min(1000, len(got) - 64)  # the first samples may differ (the resampler restarts)
    assert got[-n:] == reference[-n:]


def _mp3_inputs():
    with open(os.path.join(HERE, "corpus", "regressions", "fuzz-payload-mp3-seek-back-after-count.mp3"), "rb") as f:
        damaged = f.read()
    out = [pytest.param("fuzz", damaged, 44100, id="fuzz-22050-at-44100")]
    for name, rate in (("mono.mp3", 48000), ("tone.mp3", 32000)):
        with open(os.path.join(HERE, "..", "samples", name), "rb") as f:
            out.append(pytest.param(name, f.read(), rate, id=f"{name}-at-{rate}"))
    return out


@pytest.mark.parametrize("name,payload,rate", _mp3_inputs())
@pytest.mark.parametrize("seek_frame,reads", [(0, 0), (0, 3), (2, 0), (1000, 0), (1000, 3)])
def test_a_resampled_forward_seek_over_a_pipe_after_a_read(name, payload, rate, seek_frame, reads):
    """An MP3 with a LAME tag streamed at another rate over a pipe moves forward by reading input
    frames up to the resampler's restart point from where dr_mp3's cursor said it stood, and that
    cursor counted the encoder delay once decoding had skipped it: after any read or seek_frame,
    the stream went on 529 input frames too early and ran past decode()'s end (found by the seek
    fuzz target; patch 0073).  A pipe must give what a seekable file object gives, sample for
    sample, and end where decode() ends."""
    reference = miniaudio.decode(payload, SF.SIGNED16, 1, rate).num_frames
    target = reference // 2 if name != "fuzz" else 5096
    runs = {}
    for kind, make in (("bytesio", lambda: io.BytesIO(payload)), ("pipe", lambda: Pipe(payload))):
        stream = miniaudio.stream_any(make(), FF.MP3, SF.SIGNED16, 1, rate, 100,
                                      miniaudio.DitherMode.NONE, seek_frame)
        before = [x for _ in range(reads) for x in next(stream)]
        assert stream.seek(target) == target
        after = [x for c in stream for x in c]
        runs[kind] = (before, after, stream.position)
    assert runs["pipe"] == runs["bytesio"]
    before, after, position = runs["pipe"]
    assert len(before) == 100 * reads
    assert target + len(after) == reference == position
