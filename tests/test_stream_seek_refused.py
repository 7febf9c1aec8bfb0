"""A seek the stream refuses changes nothing: the samples that follow are the ones a read on from
there gives, resampler and all.

Where a stream's length is not known (Ogg Vorbis through a file object, a FLAC whose STREAMINFO
says 0 frames), a seek past the end is refused only after the decoder went to find the end.  The
way back used to be a seek, which restarts the resampler: the next samples differed (by up to a
third of full scale) from what the same bytes gave from memory, where the known length refuses the
seek before anything moves.  Found by the seek fuzz target on a good multi-page Ogg Vorbis."""

import io
import os

import pytest

import miniaudio
from miniaudio import SampleFormat as SF, FileFormat as FF

from test_stream_robustness import flac_claiming
from test_vorbis_truncated import build_ogg

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
REGRESSIONS = os.path.join(HERE, "corpus", "regressions")


def _sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


INPUTS = {
    "mono.ogg": lambda: (_sample("mono.ogg"), FF.VORBIS),
    "tone.ogg": lambda: (_sample("tone.ogg"), FF.VORBIS),
    "mono.ogg re-paged": lambda: (build_ogg("mono.ogg", repeat=2, body_bytes=300), FF.VORBIS),
    "FLAC of unknown length": lambda: (flac_claiming(0), FF.FLAC),
}


def _open(kind, data, fmt, path, rate, nch):
    args = (SF.SIGNED16, nch, rate)
    if kind == "bytesio":
        return miniaudio.stream_any(io.BytesIO(data), fmt, *args, 192, chunk_type="bytes")
    if kind == "path":
        return miniaudio.stream_file(str(path), *args, 192, chunk_type="bytes")
    return miniaudio.stream_memory(data, *args, 192, chunk_type="bytes")


def _read(stream, n):
    try:
        return stream.send(n)
    except StopIteration:
        return b""


# (bytes and paths know an Ogg Vorbis file's length: they refuse such a seek before moving)
CASES = [(name, kind) for name in sorted(INPUTS) for kind in ("bytesio", "memory", "path")
         if kind == "bytesio" or not name.endswith(("ogg", "re-paged"))]


@pytest.mark.parametrize("rate", [44100, 48000, 22050, 8000])
@pytest.mark.parametrize("name,kind", CASES)
def test_a_refused_seek_changes_nothing(name, kind, rate, tmp_path):
    data, fmt = INPUTS[name]()
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    info = miniaudio.get_file_info(str(path))
    nch, native = info.nchannels, info.sample_rate
    fb = 2 * nch
    with _open(kind, data, fmt, path, rate, nch) as straight:
        assert straight.length is None  # the case: the end is found only by going there
        expected = _read(straight, 192) + _read(straight, 1152) + b"".join(straight)
    n = len(expected) // fb
    for far in (2 ** 31, n + 1000, n + 1, 2 ** 62):
        with _open(kind, data, fmt, path, rate, nch) as s:
            got = _read(s, 192)
            with pytest.raises((ValueError, miniaudio.DecodeError)) as caught:
                s.seek(far)
            # also where the seek finds the end before its target (a resampled stream whose input
            # ends between the last restart point and the target, where the message says where
            # the end is): the stream stays, its resampler included
            assert str(caught.value).startswith(f"cannot seek to frame {far}")
            assert s.position == 192, str(caught.value)
            got += _read(s, 1152) + b"".join(s)
            assert got == expected, far
    # the fuzz finding's case: far past the end, the place and the resampler's state are kept
    with _open(kind, data, fmt, path, rate, nch) as s:
        got = _read(s, 192)
        with pytest.raises((ValueError, miniaudio.DecodeError)):
            s.seek(2 ** 31)
        assert s.position == 192
        assert got + b"".join(s) == expected


def test_the_fuzz_finding():
    """The seek target's input: mono.ogg re-paged, s16 at 44100 Hz; seek(0), next(), seek(2**31)
    (refused), send(1152): the first 24 samples differed (by up to 10,268) between bytes and
    io.BytesIO."""
    with open(os.path.join(REGRESSIONS, "fuzz-seek-vorbis-push-refused-far-seek-resampled.bin"), "rb") as f:
        data = f.read()[64:]
    out = []
    for s in (miniaudio.stream_memory(data, SF.SIGNED16, 1, 44100, 192, chunk_type="bytes"),
              miniaudio.stream_any(io.BytesIO(data), FF.VORBIS, SF.SIGNED16, 1, 44100, 192, chunk_type="bytes")):
        with s:
            s.seek(0)
            first = next(s)
            with pytest.raises((ValueError, miniaudio.DecodeError)):
                s.seek(2 ** 31)
            out.append(first + s.send(1152))
    assert len(out[0]) == (192 + 1152) * 2
    assert out[0] == out[1]
