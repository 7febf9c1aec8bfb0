"""chain(..., loop=): the whole chain loops gaplessly, each pass equal to the first."""
import array

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

NULL = ["null"]


def ramp_streams(sizes, start=0):
    out = []
    for n in sizes:
        out.append(miniaudio.stream_raw_pcm_memory(array.array("h", range(start, start + n)), 1, 2))
        start += n
    return out


@pytest.mark.parametrize("chunk", [1, 7, 1000])
@pytest.mark.parametrize("passes", [1, 2, 5])
def test_n_passes_are_the_concatenation_n_times(chunk, passes):
    sizes = [10, 3, 25]
    c = miniaudio.chain(*ramp_streams(sizes), output_format=SF.SIGNED16, sample_rate=8000, frames_to_read=chunk,
                        loop=passes)
    out = []
    for piece in c:
        out.extend(piece)
        if len(piece) < chunk:
            break
    assert out == list(range(sum(sizes))) * passes
    assert c.loops_done == passes - 1
    with pytest.raises(StopIteration):
        next(c)


def test_loop_forever_keeps_chunks_full_across_the_wrap():
    c = miniaudio.chain(*ramp_streams([5, 6]), output_format=SF.SIGNED16, sample_rate=8000, frames_to_read=4,
                        loop=True)
    assert c.length is None
    out = [x for _ in range(50) for x in next(c)]
    assert out == (list(range(11)) * 20)[:200]
    assert c.loops_done == 18


def test_loop_false_plays_once_and_keeps_the_length():
    c = miniaudio.chain(*ramp_streams([5, 6]), output_format=SF.SIGNED16, sample_rate=8000, loop=False)
    assert c.length == 11
    assert list(next(c)) == list(range(11))


def test_a_device_plays_a_looping_chain_to_its_end():
    wav = miniaudio.stream_raw_pcm_memory(array.array("h", [0] * 2 * 4410), 2, 2)
    c = miniaudio.chain(wav, output_format=SF.SIGNED16, sample_rate=44100, loop=3)
    with miniaudio.PlaybackDevice(SF.SIGNED16, 2, 44100, buffersize_msec=10, backends=NULL) as dev:
        dev.start(c)
        assert dev.wait(timeout=30)
        stats = dev.stats
    assert stats.frames >= 3 * 4410
    assert c.loops_done == 2


@pytest.mark.parametrize("loop,exc", [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("yes", TypeError)])
def test_bad_loop_values(loop, exc):
    with pytest.raises(exc, match="loop"):
        miniaudio.chain(*ramp_streams([5]), output_format=SF.SIGNED16, sample_rate=8000, loop=loop)


def test_loop_with_on_source_end_is_refused():
    with pytest.raises(ValueError, match="on_source_end cannot be combined with loop"):
        miniaudio.chain(*ramp_streams([5]), output_format=SF.SIGNED16, sample_rate=8000, loop=2,
                        on_source_end=print)
