"""Playlists: miniaudio.Playlist takes more sources while it plays (append/extend from any thread,
close_input() to end), and tells each source's end (on_source_end, current, ended_count).

Frame-counter signals (a ramp whose frame n holds start + n, and the WAVs of test_stream_chain in other
formats) prove that the output is exactly the concatenation of what was appended: read by next() while
another thread appends, played by a NULL-backend device (every member played to its end, in order), and
recorded from the PulseAudio null sink's monitor (every frame, in order, with members appended while the
device plays and after it ran dry).
"""

import array
import gc
import io
import threading
import time

import numpy as np
import pytest

import miniaudio
from miniaudio import SampleFormat as SF

from device_helpers import DEADLINE, Finished, wait_until
from test_stream_chain import A, B, C, EXPECTED, op

FMT = dict(output_format=SF.SIGNED32, nchannels=1, sample_rate=8000)


def ramp(start, n):
    """A raw PCM stream of n mono s32 frames holding start, start + 1, ..."""
    return miniaudio.stream_raw_pcm_memory(array.array("i", range(start, start + n)), 1, 4)


def free(stream):
    """Whether Python can read `stream` (no chain or device holds it): reads 5 frames."""
    stream.send(5)
    return stream.position == 5


class Ends:
    """An on_source_end recorder: (index, source, thread) per call, and an event per count."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, index, source):
        with self.lock:
            self.calls.append((index, source, threading.current_thread()))

    @property
    def indices(self):
        return [c[0] for c in self.calls]


# ---- read by next() / send() -----------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 333, 4096])
def test_members_appended_between_reads_are_the_concatenation(chunk):
    a, b, c = op(A), op(B, nchannels=2), op(C, rate=16000)
    playlist = miniaudio.Playlist(a, frames_to_read=chunk)
    assert (playlist.sample_format, playlist.nchannels, playlist.sample_rate) == (SF.SIGNED32, 1, 8000)
    out = list(next(playlist))
    playlist.append(b)  # another format: converted
    out += playlist.send(1500)
    playlist.extend([c])
    playlist.close_input()
    for piece in playlist:
        out += piece
    assert out == EXPECTED
    assert playlist.position == len(EXPECTED)


def test_next_when_dry_gives_an_empty_chunk_until_close_input():
    playlist = miniaudio.Playlist(**FMT, frames_to_read=100)
    assert playlist.length is None and playlist.current is None and not playlist.input_closed
    for _ in range(3):
        empty = next(playlist)
        assert isinstance(empty, array.array) and len(empty) == 0
    playlist.append(ramp(0, 150))
    assert list(next(playlist)) == list(range(100))
    assert list(next(playlist)) == list(range(100, 150))  # short: what there is
    assert len(next(playlist)) == 0 and len(playlist.send(7)) == 0
    playlist.append(ramp(150, 10))
    playlist.close_input()
    assert playlist.input_closed
    assert list(playlist.send(100)) == list(range(150, 160))
    with pytest.raises(StopIteration):
        next(playlist)
    assert playlist.position == 160 and playlist.length == 160


@pytest.mark.parametrize("chunk_type,empty", [("bytes", b""), ("numpy", None)])
def test_the_empty_chunk_has_the_chunk_type(chunk_type, empty):
    playlist = miniaudio.Playlist(output_format=SF.SIGNED16, nchannels=2, sample_rate=8000, chunk_type=chunk_type)
    got = next(playlist)
    if empty is None:
        assert isinstance(got, np.ndarray) and got.shape == (0, 2) and got.dtype == np.int16
    else:
        assert got == empty


def test_on_source_end_under_next_runs_after_the_chunk_on_the_callers_thread():
    ends = Ends()
    members = [ramp(0, 50), ramp(50, 30), ramp(80, 200)]
    playlist = miniaudio.Playlist(*members, **FMT, frames_to_read=60, on_source_end=ends)
    assert playlist.on_source_end is ends
    assert list(next(playlist)) == list(range(60))      # member 0 ended in this chunk
    assert ends.indices == [0] and playlist.ended_count == 1 and playlist.current == 1
    assert list(next(playlist)) == list(range(60, 120))  # member 1 ended
    assert ends.indices == [0, 1] and playlist.current == 2
    assert all(source is members[i] and thread is threading.current_thread() for i, source, thread in ends.calls)
    playlist.close_input()
    rest = [x for piece in playlist for x in piece]
    assert rest == list(range(120, 280))
    assert ends.indices == [0, 1, 2] and playlist.ended_count == 3 and playlist.current is None
    # seek(0) starts over: the ends are told again
    assert playlist.seek(0) == 0 and playlist.ended_count == 0
    assert len(playlist.send(1000)) == 280
    assert ends.indices == [0, 1, 2, 0, 1, 2]


def test_chain_tells_its_ends_too():
    ends = Ends()
    chained = miniaudio.chain(op(A), op(B, nchannels=2), on_source_end=ends)
    assert isinstance(chained, miniaudio.Playlist) and chained.input_closed
    assert len(chained.send(10**6)) == 3500
    assert ends.indices == [0, 1]


def test_a_callback_error_goes_to_the_unraisable_hook_and_reading_goes_on(unraisable):
    def boom(index, source):
        raise KeyError(index)

    playlist = miniaudio.Playlist(ramp(0, 10), ramp(10, 10), **FMT, on_source_end=boom, frames_to_read=100)
    playlist.close_input()
    assert list(next(playlist)) == list(range(20))
    assert [type(e) for e, _ in unraisable] == [KeyError, KeyError]
    assert [e.args[0] for e, _ in unraisable] == [0, 1]
    assert unraisable[0][1] is boom


def test_a_reader_and_an_appending_thread_race():
    """Many small appends from another thread while this one reads (next() releases the GIL while it
    reads members): every frame arrives once, in order."""
    playlist = miniaudio.Playlist(**FMT, frames_to_read=37)
    n, size = 2000, 7

    def appender():
        for k in range(n):
            playlist.append(ramp(k * size, size))
            if k % 50 == 0:
                time.sleep(0.0005)
        playlist.close_input()

    t = threading.Thread(target=appender)
    t.start()
    out = []
    for piece in playlist:
        out += piece
    t.join()
    assert out == list(range(n * size))
    assert playlist.ended_count == n


def test_a_playlist_inside_a_chain_plays_silence_while_dry():
    inner = miniaudio.Playlist(ramp(0, 10), **FMT)
    outer = miniaudio.chain(inner, ramp(100, 5))
    assert list(outer.send(15)) == list(range(10)) + [0] * 5  # inner open: silence, not the end
    inner.append(ramp(10, 5))
    inner.close_input()
    assert list(outer.send(100)) == list(range(10, 15)) + list(range(100, 105))


# ---- on a device (NULL backend) --------------------------------------------------------------------

def null_device(devices, **kw):
    return devices(miniaudio.PlaybackDevice, SF.SIGNED32, 1, 8000, **kw)


def test_a_dry_playlist_plays_silence_then_resumes_and_close_input_ends_the_run(devices):
    ends = Ends()
    fin = Finished()
    first = ramp(0, 400)
    playlist = miniaudio.Playlist(first, **FMT, on_source_end=ends)
    dev = null_device(devices, on_finished=fin.on_finished)
    dev.start(playlist)
    assert wait_until(lambda: ends.indices == [0])
    assert playlist.current is None and playlist.ended_count == 1
    dry_at = playlist.position
    assert wait_until(lambda: playlist.position > dry_at + 800)  # silence: the run goes on
    assert dev.running and not fin.event.is_set()
    second = ramp(400, 300)
    playlist.append(second)
    assert wait_until(lambda: ends.indices == [0, 1])
    assert second.closed is False
    assert dev.running  # dry again: silence again
    playlist.close_input()
    assert dev.wait(DEADLINE) is True
    assert fin.event.wait(DEADLINE)
    assert dev.callback_error is None
    assert [thread.name for _, _, thread in ends.calls] == ["miniaudio-events"] * 2
    assert [source for _, source, _ in ends.calls] == [first, second]
    playlist.close()
    assert first.position == 400 and second.position == 300  # each played to its end


def test_appends_racing_with_the_audio_thread(devices):
    """A thread appends 500 small members (one or two periods' worth each) while a device plays: each
    is played to its end, once, in order, and its end told once on the event thread."""
    ends = Ends()
    playlist = miniaudio.Playlist(**FMT, on_source_end=ends)
    dev = null_device(devices)
    dev.start(playlist)
    members = []

    def appender():
        for k in range(500):
            m = ramp(k * 40, 40 + k % 90)
            members.append(m)
            playlist.append(m)
            if k % 10 == 0:
                time.sleep(0.001)

    threads = [threading.Thread(target=appender)]
    threads[0].start()
    threads[0].join()
    playlist.close_input()
    assert dev.wait(DEADLINE + 10) is True
    assert dev.callback_error is None
    assert ends.indices == list(range(500))
    assert all(source is members[i] for i, source, _ in ends.calls)
    assert {t.name for _, _, t in ends.calls} == {"miniaudio-events"}
    assert threading.current_thread().name not in {t.name for _, _, t in ends.calls}
    assert playlist.ended_count == 500
    playlist.close()
    assert all(m.position == 40 + k % 90 for k, m in enumerate(members))


def test_a_callback_error_on_the_event_thread_does_not_stop_playback(unraisable, devices):
    def boom(index, source):
        raise ValueError("boom %d" % index)

    playlist = miniaudio.chain(ramp(0, 100), ramp(100, 100), ramp(200, 100), **FMT, on_source_end=boom)
    dev = null_device(devices)
    dev.start(playlist)
    assert dev.wait(DEADLINE) is True
    assert dev.callback_error is None
    assert wait_until(lambda: len(unraisable) == 3)
    assert [str(e) for e, _ in unraisable] == ["boom 0", "boom 1", "boom 2"]
    assert playlist.position == 300


def test_a_playing_playlist_refuses_python_reads_but_takes_appends(devices):
    playlist = miniaudio.Playlist(ramp(0, 100), **FMT)
    dev = null_device(devices)
    dev.start(playlist)
    try:
        with pytest.raises(RuntimeError, match="played by a device"):
            next(playlist)
        playlist.append(ramp(100, 10))
        assert playlist.position >= 0 and playlist.ended_count in (0, 1, 2)
    finally:
        dev.stop()
    playlist.close_input()
    # the device stopped where it was: next() goes on from there to the end
    rest = [x for piece in playlist for x in piece]
    assert rest == [] or rest[-1] == 109


# ---- bad input -------------------------------------------------------------------------------------

def test_bad_members_and_appends_name_the_argument():
    playlist = miniaudio.Playlist(**FMT)
    closed = ramp(0, 5)
    closed.close()
    with pytest.raises(ValueError, match=r"append\(\) argument 1 is a closed stream"):
        playlist.append(closed)
    python_source = miniaudio.stream_any(io.BytesIO(A), output_format=SF.SIGNED32, nchannels=1, sample_rate=8000)
    with pytest.raises(ValueError, match=r"append\(\) argument 1 reads a Python source"):
        playlist.append(python_source)
    with pytest.raises(TypeError, match=r"append\(\) argument 1 must be a DecoderStream .* not int"):
        playlist.append(42)
    with pytest.raises(ValueError, match="is the playlist itself"):
        playlist.append(playlist)
    with pytest.raises(ValueError, match=r"Playlist\(\) argument 2 is a closed stream"):
        miniaudio.Playlist(ramp(0, 5), closed, **FMT)
    with pytest.raises(TypeError, match=r"Playlist\(\) argument 1 must be a DecoderStream"):
        miniaudio.Playlist(io.BytesIO(A))
    with pytest.raises(TypeError, match="on_source_end must be callable"):
        miniaudio.Playlist(ramp(0, 5), **FMT, on_source_end=3)
    with pytest.raises(ValueError, match="without sources needs output_format"):
        miniaudio.Playlist(nchannels=1)
    with pytest.raises(TypeError, match="unexpected keyword|invalid keyword"):
        miniaudio.Playlist(ramp(0, 5), **FMT, loop=True)
    assert playlist.ended_count == 0 and len(next(playlist)) == 0  # nothing was added


def test_extend_is_all_or_none():
    playlist = miniaudio.Playlist(**FMT)
    good, closed = ramp(0, 5), ramp(0, 5)
    closed.close()
    with pytest.raises(ValueError, match=r"extend\(\) item 2 is a closed stream"):
        playlist.extend([good, closed])
    assert free(good)  # not claimed by the refused extend
    again = ramp(0, 5)
    with pytest.raises(RuntimeError, match=r"extend\(\) item 2 is already played .*given twice"):
        playlist.extend([again, again])
    with pytest.raises(TypeError, match="not a stream: use append"):
        playlist.extend(again)
    assert again.position == 0 and free(again)  # extend(stream) did not read it
    with pytest.raises(TypeError, match="iterable of streams"):
        playlist.extend(5)
    playlist.extend(iter([ramp(0, 3), ramp(3, 3)]))
    playlist.close_input()
    assert list(playlist.send(100)) == list(range(6))


def test_a_cycle_of_playlists_is_refused():
    p1 = miniaudio.Playlist(**FMT)
    p2 = miniaudio.Playlist(**FMT)
    p1.append(p2)
    with pytest.raises(ValueError, match="holds it"):
        p2.append(p1)


def test_append_after_close_input_or_close():
    playlist = miniaudio.Playlist(ramp(0, 5), **FMT)
    playlist.close_input()
    playlist.close_input()  # idempotent
    member = ramp(0, 5)
    with pytest.raises(ValueError, match=r"append\(\) after close_input\(\)"):
        playlist.append(member)
    with pytest.raises(ValueError, match=r"extend\(\) after close_input\(\)"):
        playlist.extend([member])
    playlist.close()
    with pytest.raises(ValueError, match=r"append\(\) on a closed playlist"):
        playlist.append(member)
    with pytest.raises(ValueError, match="closed"):
        playlist.on_source_end = print
    with pytest.raises(ValueError, match="closed"):
        playlist.ended_count
    assert free(member)  # never claimed


def test_closing_a_playlist_gives_its_members_back():
    a, b = ramp(0, 50), ramp(50, 50)
    playlist = miniaudio.Playlist(a, b, **FMT, frames_to_read=70)
    with pytest.raises(RuntimeError, match="already played"):
        miniaudio.chain(a, **FMT)
    next(playlist)
    playlist.close()
    assert a.position == 50 and b.position == 20
    assert array.array("i", bytes(b.send(100))).tolist() == list(range(70, 100))


def test_a_playlist_whose_callback_holds_it_is_collected():
    ends = Ends()

    class Holder:
        pass

    holder = Holder()
    playlist = miniaudio.Playlist(ramp(0, 5), **FMT)
    member = playlist  # noqa: F841
    holder.playlist = playlist
    playlist.on_source_end = lambda i, s: (ends(i, s), holder)
    import weakref

    ref = weakref.ref(playlist)
    del playlist, member, holder
    gc.collect()
    assert ref() is None


# ---- on a real server ------------------------------------------------------------------------------

def _counter_parts(sizes):
    import test_devices_pulse as tdp

    pcm = tdp.counter_pcm(sum(sizes))
    parts, start = [], 0
    for n in sizes:
        parts.append(miniaudio.stream_raw_pcm_memory(array.array("h", pcm[start:start + n].tobytes()), 2, 2))
        start += n
    return parts


def test_members_appended_while_playing_are_heard_as_the_concatenation(pulse_server, tmp_path):
    """The first member plays on the PulseAudio null sink; the others are appended while it plays (one
    per on_source_end, from the event thread, and the last from this thread): the monitor recording
    holds every frame in order, with no gap or repeat at the joins."""
    import test_devices_pulse as tdp

    sizes = [tdp.RATE // 2, tdp.RATE // 3, tdp.RATE // 5, tdp.RATE // 2]
    parts = _counter_parts(sizes)
    ends = Ends()
    playlist = miniaudio.Playlist(parts[0], parts[1], output_format=SF.SIGNED16, nchannels=2, sample_rate=tdp.RATE,
                                  on_source_end=ends)
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=20) as playback:
        rec = tdp.MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(tdp.RATE // 10)
            playback.start(playlist)
            assert wait_until(lambda: playlist.position > tdp.RATE // 10, tdp.DEADLINE)
            playlist.append(parts[2])  # while member 0 plays
            assert wait_until(lambda: playlist.current == 2, tdp.DEADLINE)
            playlist.append(parts[3])  # while member 2 plays
            playlist.close_input()
            assert playback.wait(timeout=tdp.DEADLINE)
            rec.wait_frames(tdp.RATE // 4)
        finally:
            x = rec.stop()
    got = tdp.counter_frames(x)
    gaps = np.nonzero(np.diff(got) != 1)[0]
    assert gaps.size == 0, "discontinuities after frames %r" % [(int(got[g]), int(got[g + 1])) for g in gaps[:10]]
    assert got[0] < tdp.JOIN_SKIP, "the first %d frames are missing" % got[0]
    assert got[-1] == sum(sizes) - 1
    assert ends.indices == [0, 1, 2, 3]


def test_a_dry_playlist_is_silent_then_resumes_on_the_server(pulse_server, tmp_path):
    """A playlist runs dry on the null sink: the device keeps running, silent, and the member appended
    then is heard whole; close_input() ends the run.  The recording is member 1, silence, member 2."""
    import test_devices_pulse as tdp

    sizes = [tdp.RATE // 3, tdp.RATE // 3]
    parts = _counter_parts(sizes)
    playlist = miniaudio.Playlist(parts[0], output_format=SF.SIGNED16, nchannels=2, sample_rate=tdp.RATE)
    with tdp.open_playback(fmt=SF.SIGNED16, buffersize_msec=20) as playback:
        rec = tdp.MonitorRecorder(pulse_server, tmp_path / "monitor.s16")
        try:
            rec.wait_frames(tdp.RATE // 10)
            playback.start(playlist)
            assert wait_until(lambda: playlist.ended_count == 1, tdp.DEADLINE)
            dry = playlist.position
            assert wait_until(lambda: playlist.position > dry + tdp.RATE // 2, tdp.DEADLINE)  # 0.5 s of silence
            assert playback.running
            playlist.append(parts[1])
            playlist.close_input()
            assert playback.wait(timeout=tdp.DEADLINE)
            rec.wait_frames(tdp.RATE // 4)
        finally:
            x = rec.stop()
    loud = x[:, 0] >= 4000
    got = tdp.counter_frames(x[loud])
    assert got[0] < tdp.JOIN_SKIP and got[-1] == sum(sizes) - 1
    assert np.all(np.diff(got) == 1), "a frame of a member is missing or repeated"
    first, last = np.nonzero(loud)[0][[0, -1]]
    silent = np.nonzero(~loud[first:last])[0]
    assert silent.size >= tdp.RATE // 3, "no silence between the members (%d frames)" % silent.size
    assert np.all(x[first:last][~loud[first:last]] == 0)
