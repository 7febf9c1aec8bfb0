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


def test_on_source_end_is_told_every_end_of_every_pass():
    ends = []
    c = miniaudio.chain(*ramp_streams([5, 6, 3]), output_format=SF.SIGNED16, sample_rate=8000, frames_to_read=4,
                        loop=3, on_source_end=lambda i, s: ends.append(i))
    out = [x for piece in c for x in piece]
    assert out == list(range(14)) * 3
    assert ends == [0, 1, 2] * 3
    assert c.ended_count == 3 and c.loops_done == 2


def test_on_source_end_after_a_seek_back_to_the_start():
    ends = []
    c = miniaudio.chain(*ramp_streams([5, 6]), output_format=SF.SIGNED16, sample_rate=8000, frames_to_read=8,
                        loop=True, on_source_end=lambda i, s: ends.append((i, s)))
    assert list(next(c)) == list(range(8))  # member 0 ended
    assert [i for i, _ in ends] == [0]
    assert c.seek(0) == 0 and c.ended_count == 0
    assert [x for _ in range(3) for x in next(c)] == (list(range(11)) * 3)[:24]  # 0, 1, 0, 1 ended
    assert [i for i, _ in ends] == [0, 0, 1, 0, 1]
    assert all(isinstance(s, miniaudio.DecoderStream) for _, s in ends)


def test_a_device_tells_the_ends_of_a_looping_chain_in_order():
    """On a device the event thread tells the ends: every one of them, in order, across the wraps
    (members of 441 frames: about 10 ms each, so the thread is never 256 ends behind)."""
    import threading
    got, done = [], threading.Event()

    def on_end(i, s):
        got.append(i)
        if len(got) == 3 * 4:
            done.set()

    members = ramp_streams([441, 441, 441])
    c = miniaudio.chain(*members, output_format=SF.SIGNED16, sample_rate=44100, loop=4, on_source_end=on_end)
    with miniaudio.PlaybackDevice(SF.SIGNED16, 1, 44100, buffersize_msec=10, backends=NULL) as dev:
        dev.start(c)
        assert dev.wait(timeout=30)
        assert done.wait(10), got
    assert got == [0, 1, 2] * 4
    assert c.loops_done == 3


def test_ends_far_ahead_of_the_callback_skip_the_oldest():
    """1-frame members looping 1000 times in one read: 3000 ends before on_source_end can run; it is
    told the last 256 of them, in order, and nothing else.  (The last source's last frame ends the
    chunk exactly, so its end is counted by the next read, as documented.)"""
    ends = []
    c = miniaudio.chain(*ramp_streams([1, 1, 1]), output_format=SF.SIGNED16, sample_rate=8000,
                        frames_to_read=3000, loop=1000, on_source_end=lambda i, s: ends.append(i))
    assert list(next(c)) == [0, 1, 2] * 1000
    assert len(ends) == 256
    assert ends == ([0, 1, 2] * 1000)[:-1][-256:]
