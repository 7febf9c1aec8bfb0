"""PreloadedSound: a sound decoded once to float32 and played many times at once by a Mixer.

Offline renders are checked sample by sample against the shifted, scaled copies of the sound's
decoded samples (float32 WAV made here, exact through the decoder).  "Decoded once" is checked by
what a user can see: the file deleted or the bytes changed after preloading change nothing, and
64 voices of one sound take far less memory than one more copy of it (tracemalloc).  The samples
outlive the PreloadedSound while voices play, and are freed after the last one.
"""

import array
import gc
import struct
import tracemalloc
import weakref

import pytest

import miniaudio
from miniaudio import SampleFormat as SF

np = pytest.importorskip("numpy")

from test_mixer import wav_f32  # noqa: E402  (the float32 WAV builder the mixer tests share)

RATE = 48000


def noise(seed, frames, channels):
    return np.random.default_rng(seed).uniform(-0.4, 0.4, (frames, channels)).astype(np.float32)


def stereo(x, pan=0.0, gain=1.0):
    """A voice of `x` in a stereo mix at `gain` and `pan` (miniaudio's balance law, as test_mixer)."""
    x = np.asarray(x, dtype=np.float32)
    if x.shape[1] == 1:
        x = np.concatenate([x, x], 1)
    y = x * np.float32(gain)
    if pan > 0:
        y[:, 0] *= np.float32(1.0 - pan)
    elif pan < 0:
        y[:, 1] *= np.float32(1.0 + pan)
    return y


# ---- what it holds ------------------------------------------------------------------------------


def test_preload_holds_the_decoded_samples_read_only():
    x = noise(1, 1000, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    assert (sound.nframes, sound.nchannels, sound.sample_rate) == (1000, 2, RATE)
    assert sound.duration == pytest.approx(1000 / RATE)
    samples = sound.samples
    assert samples.shape == (1000, 2) and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, x)
    assert not samples.flags.writeable
    with pytest.raises(ValueError):
        samples[0, 0] = 1.0
    with pytest.raises(AttributeError):
        sound.nframes = 5
    assert "1000 frames" in repr(sound)


def test_samples_without_numpy_are_a_read_only_memoryview(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_numpy(name, *args, **kwargs):
        if name == "numpy":
            raise ImportError("no numpy here")
        return real_import(name, *args, **kwargs)

    x = noise(2, 10, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    monkeypatch.setattr(builtins, "__import__", no_numpy)
    view = sound.samples
    assert isinstance(view, memoryview) and view.readonly and view.format == "f"
    assert view.tolist() == x.ravel().tolist()


def test_mixer_preload_converts_to_the_mixer_rate_and_channels():
    mono = np.sin(np.arange(2205) * 0.05).astype(np.float32)[:, None] * np.float32(0.5)
    data = wav_f32(mono, rate=22050)
    with miniaudio.Mixer(sample_rate=44100, nchannels=2) as mixer:
        sound = mixer.preload(data)
    assert (sound.nchannels, sound.sample_rate) == (2, 44100)
    expected = miniaudio.decode(data, SF.FLOAT32, nchannels=2, sample_rate=44100)
    assert sound.nframes == expected.num_frames == 4410
    np.testing.assert_array_equal(sound.samples.ravel(), np.frombuffer(expected.samples, np.float32))
    # PreloadedSound() keeps the source's own rate and channels unless told
    own = miniaudio.PreloadedSound(data)
    assert (own.nchannels, own.sample_rate, own.nframes) == (1, 22050, 2205)
    np.testing.assert_array_equal(own.samples, mono)


def test_every_kind_of_source(tmp_path):
    x = noise(3, 3000, 2)
    data = wav_f32(x)
    path = tmp_path / "pad.wav"
    path.write_bytes(data)
    kinds = {
        "str path": str(path),
        "PathLike": path,
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "DecodedSoundFile": miniaudio.decode(data, SF.FLOAT32, 2, RATE),
        "stream": miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=2, sample_rate=RATE,
                                          frames_to_read=7),
        "numpy-chunk stream": miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=2,
                                                      sample_rate=RATE, chunk_type="numpy"),
        "chain": miniaudio.chain(miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=2,
                                                         sample_rate=RATE),
                                 output_format=SF.FLOAT32, nchannels=2, sample_rate=RATE),
        "raw float32 PCM stream": miniaudio.stream_raw_pcm_memory(array.array("f", x.ravel()), 2, 4),
    }
    for name, source in kinds.items():
        rate = RATE if name.startswith("raw") else None  # raw PCM has no rate of its own
        sound = miniaudio.PreloadedSound(source, sample_rate=rate)
        np.testing.assert_array_equal(sound.samples, x, err_msg=name)
        assert sound.sample_rate == RATE, name


def test_a_stream_of_another_format_and_rate_is_converted():
    """A 16-bit stream at 24 kHz preloaded at 48 kHz stereo: what convert_frames() gives."""
    pcm = (np.sin(np.arange(2400) * 0.1) * 12000).astype(np.int16)
    raw = miniaudio.stream_raw_pcm_memory(array.array("h", pcm.tobytes()), 1, 2)
    with pytest.raises(ValueError, match="no sample rate"):
        miniaudio.PreloadedSound(raw)
    # rate given: the raw data is taken as at that rate
    sound = miniaudio.PreloadedSound(miniaudio.stream_raw_pcm_memory(array.array("h", pcm.tobytes()), 1, 2),
                                     sample_rate=24000)
    np.testing.assert_array_equal(sound.samples[:, 0], pcm / np.float32(32768))
    wav16 = (b"RIFF" + struct.pack("<I", 36 + 4800) + b"WAVEfmt " +
             struct.pack("<IHHIIHH", 16, 1, 1, 24000, 48000, 2, 16) + b"data" + struct.pack("<I", 4800) +
             pcm.tobytes())
    stream = miniaudio.stream_memory(wav16, output_format=SF.SIGNED16, nchannels=1, sample_rate=24000)
    sound = miniaudio.PreloadedSound(stream, sample_rate=48000, nchannels=2)
    expected = np.frombuffer(miniaudio.convert_frames(SF.SIGNED16, 1, 24000, pcm.tobytes(), SF.FLOAT32, 2, 48000),
                             np.float32).reshape(-1, 2)
    assert sound.nframes == 4800
    np.testing.assert_array_equal(sound.samples, expected)
    with pytest.raises(StopIteration):
        next(stream)  # read to its end


# ---- played many times at once ---------------------------------------------------------------


def test_64_plays_at_staggered_starts_are_the_sum_of_shifted_copies():
    x = noise(64, 900, 1)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    rng = np.random.default_rng(7)
    total = 6000
    expected = np.zeros((total, 2), np.float32)
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        voices = []
        for i in range(64):
            start = 1 + i * 73 + int(rng.integers(0, 50))
            gain, pan = float(rng.uniform(0, 0.2)), float(rng.uniform(-1, 1))
            voices.append(mixer.play(sound, volume=gain, pan=pan, start_at=start))
            expected[start:start + 900] += stereo(x, pan, gain)
        assert len(mixer.voices) == 64
        out = np.concatenate([mixer.render(n) for n in (481, 1024, 7, 3000, 1488)])
        assert all(v.finished for v in voices) and mixer.voices == []
    np.testing.assert_allclose(out, expected, rtol=0, atol=2e-6)
    # exact positions: nothing before the first start, nothing after the last end
    first = min(1 + i * 73 for i in range(64))
    assert not out[:first].any()
    last_end = max(np.nonzero(expected.any(1))[0]) + 1
    assert not out[last_end:].any() and out[last_end - 1].any()


def test_one_voice_is_the_samples_exactly():
    x = noise(5, 700, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        voice = mixer.play(sound, start_at=33)
        out = mixer.render(800)
        assert voice.finished and voice.position == 700
    np.testing.assert_array_equal(out[33:733], x)
    assert not out[:33].any() and not out[733:].any()


def test_played_in_two_mixers_at_once():
    x = noise(6, 500, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as a, miniaudio.Mixer(sample_rate=RATE, nchannels=1) as b:
        va = [a.play(sound, start_at=10), a.play(sound, start_at=300, volume=0.5)]
        vb = b.play(sound, start_at=5)
        out_a = np.concatenate([a.render(100), a.render(900)])
        out_b = np.concatenate([b.render(250), b.render(750)])
        assert all(v.finished for v in va) and vb.finished
    expected = np.zeros((1000, 2), np.float32)
    expected[10:510] += x
    expected[300:800] += x * np.float32(0.5)
    np.testing.assert_allclose(out_a, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out_b[5:505, 0], x.mean(1), rtol=0, atol=1e-7)  # stereo to mono: the average
    assert not out_b[505:].any()


def test_loop_repeats_the_sound():
    r = (np.arange(1, 101, dtype=np.float32) / 128)[:, None]
    sound = miniaudio.PreloadedSound(wav_f32(r))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        looping = mixer.play(sound, loop=True, start_at=10)
        once = mixer.play(sound, start_at=10, volume=0.0)  # the same sound, not looping, at once
        out = mixer.render(1010)[:, 0]
        np.testing.assert_array_equal(out[10:], np.tile(r[:, 0], 10))
        assert once.finished and not looping.finished
        looping.stop()
        assert looping.finished


@pytest.mark.parametrize("pitch, frames", [(2.0, 500), (0.5, 2001)])
def test_pitch_is_what_the_same_samples_as_a_stream_give(pitch, frames):
    x = noise(8, 1000, 1) + np.float32(0.5)  # never 0: the count of nonzero frames is the duration
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(miniaudio.PreloadedSound(wav_f32(x)), pitch=pitch, start_at=10)
        out = mixer.render(2500)[:, 0]
        assert voice.finished
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        mixer.play(miniaudio.stream_memory(wav_f32(x), output_format=SF.FLOAT32, nchannels=1, sample_rate=RATE),
                   pitch=pitch, start_at=10)
        reference = mixer.render(2500)[:, 0]
    np.testing.assert_array_equal(out, reference)
    nz = np.nonzero(out)[0]
    assert nz[0] == 10 and len(nz) == frames


def test_a_sound_at_another_rate_is_resampled_by_the_voice():
    sound = miniaudio.PreloadedSound(wav_f32(np.full((2400, 1), 0.5, np.float32), rate=24000))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(sound)
        out = mixer.render(6000)[:, 0]
        assert voice.finished
    assert abs(np.count_nonzero(out) - 4800) <= 2


def test_voice_seek_and_position_on_a_preloaded_sound():
    r = (np.arange(1, 1001, dtype=np.float32) / 1024)[:, None]
    sound = miniaudio.PreloadedSound(wav_f32(r))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        voice = mixer.play(sound, start_at=1)
        mixer.render(101)
        assert voice.position >= 100
        voice.seek(500)
        out = mixer.render(1000)[:, 0]
        assert voice.finished and voice.position == 1000
        # the seek lands between blocks: the frames after it are the sound's from frame 500 on
        tail = out[np.nonzero(out)[0]]
        np.testing.assert_array_equal(tail[-500:], r[500:, 0])
        voice = mixer.play(sound)
        mixer.render(10)
        voice.seek(10 ** 9)  # past the end: the voice ends
        mixer.render(600)
        assert voice.finished


# ---- decoded once -----------------------------------------------------------------------------


def test_the_file_deleted_or_the_bytes_changed_after_preloading_change_nothing(tmp_path):
    x = noise(9, 400, 2)
    path = tmp_path / "hit.wav"
    path.write_bytes(wav_f32(x))
    from_file = miniaudio.PreloadedSound(path)
    path.unlink()
    data = bytearray(wav_f32(x))
    from_bytes = miniaudio.PreloadedSound(data)
    data[44:] = bytes(len(data) - 44)  # the audio data zeroed
    decoded = miniaudio.decode(wav_f32(x), SF.FLOAT32, 2, RATE)
    from_decoded = miniaudio.PreloadedSound(decoded)
    decoded.samples[:] = array.array("f", bytes(len(decoded.samples) * 4))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        for sound in (from_file, from_bytes, from_decoded):
            mixer.play(sound, start_at=1)
            mixer.play(sound, start_at=1)
            out = mixer.render(401)
            np.testing.assert_allclose(out[1:], x * 2, rtol=0, atol=1e-7)
            np.testing.assert_array_equal(sound.samples, x)


def test_64_voices_share_the_samples_memory():
    x = noise(10, 4 * RATE, 2)  # 1.5 MB of samples
    sound = miniaudio.PreloadedSound(wav_f32(x))
    nbytes = sound.nframes * 2 * 4
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        mixer.render(10)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            voices = [mixer.play(sound, start_at=100 + i) for i in range(64)]
            mixer.render(1000)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert len(mixer.voices) == 64 and not any(v.finished for v in voices)
    # one copy per voice would be 64 * 1.5 MB; 64 voices take less than half of one copy
    assert grown < nbytes / 2, (grown, nbytes)


def test_streams_of_it_are_new_and_independent():
    x = noise(11, 3000, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    a, b = sound.stream(frames_to_read=1000), sound.stream(chunk_type="numpy", frames_to_read=512)
    assert a is not b and a.sample_format == SF.FLOAT32 and (a.nchannels, a.sample_rate, a.length) == (2, RATE, 3000)
    first = np.frombuffer(next(a), np.float32).reshape(-1, 2)
    np.testing.assert_array_equal(first, x[:1000])
    np.testing.assert_array_equal(np.concatenate(list(b)), x)  # b starts at 0 whatever a did
    assert a.seek(2500) == 2500
    np.testing.assert_array_equal(np.frombuffer(next(a), np.float32).reshape(-1, 2), x[2500:])
    # chain() and then(): the sound twice, gapless, then a gain
    twice = miniaudio.chain(sound.stream(), sound.stream(), output_format=SF.FLOAT32, nchannels=2,
                            sample_rate=RATE)
    np.testing.assert_array_equal(np.frombuffer(twice.send(10000), np.float32).reshape(-1, 2),
                                  np.concatenate([x, x]))
    halved = sound.stream().then(miniaudio.Gain(20 * np.log10(0.5)))
    np.testing.assert_allclose(np.frombuffer(halved.send(3000), np.float32).reshape(-1, 2), x * 0.5, atol=1e-6)
    # a looping stream of it: 2 passes of [1000, 2000) after the first from 0
    looped = sound.stream(loop=2, loop_start=1000, loop_end=2000)
    got = np.frombuffer(looped.send(10000), np.float32).reshape(-1, 2)
    np.testing.assert_array_equal(got, np.concatenate([x[:2000], x[1000:2000]]))


def test_a_null_device_plays_its_stream_and_a_mixer_plays_it(devices):
    sound = miniaudio.PreloadedSound(wav_f32(noise(12, 2400, 2)))
    device = devices(miniaudio.PlaybackDevice, output_format=SF.SIGNED16, nchannels=2, sample_rate=RATE)
    stream = sound.stream()
    device.start(stream)
    deadline = 100
    while stream.position < sound.nframes and deadline:
        import time
        time.sleep(0.02)
        deadline -= 1
    assert stream.position == sound.nframes
    device.stop()
    with miniaudio.Mixer(device) as mixer:
        voices = [mixer.play(sound, volume=0.1) for _ in range(16)]
        assert all(v.wait(10) for v in voices)


# ---- lifetime ----------------------------------------------------------------------------------


def test_voices_go_on_after_the_sound_object_is_dropped_then_the_samples_are_freed():
    x = noise(13, 2000, 2)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    sound_ref, data_ref = weakref.ref(sound), weakref.ref(sound._data)
    with miniaudio.Mixer(sample_rate=RATE, nchannels=2) as mixer:
        voices = [mixer.play(sound, start_at=1 + 100 * i) for i in range(8)]
        del sound
        gc.collect()
        assert sound_ref() is None and data_ref() is not None  # the voices hold the samples
        out = np.concatenate([mixer.render(500) for _ in range(6)])
        assert all(v.finished for v in voices)
        gc.collect()
        assert data_ref() is None  # the last voice gone: the samples are freed
    expected = np.zeros((3000, 2), np.float32)
    for i in range(8):
        expected[1 + 100 * i:2001 + 100 * i] += x
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)


def test_a_stream_keeps_the_samples_alive():
    x = noise(14, 100, 1)
    sound = miniaudio.PreloadedSound(wav_f32(x))
    stream = sound.stream()
    data_ref = weakref.ref(sound._data)
    del sound
    gc.collect()
    assert np.array_equal(np.frombuffer(stream.send(100), np.float32), x[:, 0])
    stream.close()
    del stream
    gc.collect()
    assert data_ref() is None


# ---- bad input ---------------------------------------------------------------------------------


def test_undecodable_and_empty_sources_raise_the_decode_error(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 100)
    for source in (empty, str(junk), b"", b"RIFF\x00\x00", bytearray(b"\x01" * 1000)):
        with pytest.raises(miniaudio.DecodeError):
            miniaudio.PreloadedSound(source)
    with pytest.raises(FileNotFoundError):
        miniaudio.PreloadedSound(tmp_path / "missing.wav")
    with pytest.raises(ValueError, match="no frames"):
        miniaudio.PreloadedSound(wav_f32(np.zeros((0, 2), np.float32)))
    with pytest.raises(ValueError, match="no frames"):
        miniaudio.PreloadedSound(miniaudio.decode(wav_f32(np.zeros((0, 1), np.float32)), SF.FLOAT32, 1, RATE))


def test_streams_that_never_end_are_refused():
    data = wav_f32(noise(15, 100, 1))
    for stream in (miniaudio.Waveform("sine", frequency=440), miniaudio.Noise(), miniaudio.PulseWave(),
                   miniaudio.stream_memory(data, loop=True)):
        with pytest.raises(ValueError, match="never ends"):
            miniaudio.PreloadedSound(stream)
    # hidden in a chain: refused by the bound on what it may fill
    hidden = miniaudio.chain(miniaudio.stream_memory(data), miniaudio.Waveform("sine"))
    with pytest.raises(ValueError, match="did not end within max_output_bytes"):
        miniaudio.PreloadedSound(hidden, max_output_bytes=1 << 20)
    # a Playlist open for append never ends; closed, it is read to its end
    playlist = miniaudio.Playlist(output_format=SF.FLOAT32, nchannels=1, sample_rate=RATE)
    playlist.append(miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=1, sample_rate=RATE))
    with pytest.raises(ValueError, match="open for append"):
        miniaudio.PreloadedSound(playlist)
    playlist.close_input()
    assert miniaudio.PreloadedSound(playlist).nframes == 100
    # a loop of a number of passes ends: preloaded as all its passes
    sound = miniaudio.PreloadedSound(miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=1,
                                                             sample_rate=RATE, loop=3))
    assert sound.nframes == 300


def test_bad_arguments_and_types():
    data = wav_f32(noise(16, 100, 1))
    for source in (None, 123, 1.5, [0.0, 1.0], object()):
        with pytest.raises(TypeError, match="source must be"):
            miniaudio.PreloadedSound(source)
    for kw, exc, match in [
        (dict(sample_rate=0), ValueError, "sample_rate"),
        (dict(sample_rate=-5), ValueError, "sample_rate"),
        (dict(sample_rate=44100.0), TypeError, "sample_rate"),
        (dict(sample_rate=True), TypeError, "sample_rate"),
        (dict(nchannels=0), ValueError, "nchannels"),
        (dict(nchannels=1000), ValueError, "nchannels"),
        (dict(nchannels="2"), TypeError, "nchannels"),
        (dict(max_output_bytes=0), ValueError, "max_output_bytes"),
    ]:
        with pytest.raises(exc, match=match):
            miniaudio.PreloadedSound(data, **kw)
    with pytest.raises(ValueError, match="max_output_bytes"):
        miniaudio.PreloadedSound(miniaudio.decode(data, SF.FLOAT32, 1, RATE), max_output_bytes=100)
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.PreloadedSound(data, max_output_bytes=100)
    sound = miniaudio.PreloadedSound(data)
    for kw, exc, match in [
        (dict(frames_to_read=0), ValueError, "frames_to_read"),
        (dict(chunk_type="list"), ValueError, "chunk_type"),
        (dict(loop=2, loop_end=101), ValueError, "loop_end"),
        (dict(loop=True, loop_start=100), ValueError, "loop_start"),
        (dict(loop="yes"), TypeError, "loop"),
    ]:
        with pytest.raises(exc, match=match):
            sound.stream(**kw)


def test_a_stream_in_use_is_refused_and_a_closed_mixer_refuses_to_play():
    data = wav_f32(noise(17, 100, 1))
    with miniaudio.Mixer(sample_rate=RATE, nchannels=1) as mixer:
        playing = miniaudio.stream_memory(data, output_format=SF.FLOAT32, nchannels=1, sample_rate=RATE)
        mixer.play(playing)
        with pytest.raises(RuntimeError):
            miniaudio.PreloadedSound(playing)
        sound = mixer.preload(data)
        with pytest.raises(ValueError, match="pitch"):
            mixer.play(sound, pitch=0)
        with pytest.raises(ValueError, match="volume"):
            mixer.play(sound, volume=float("nan"))
    with pytest.raises(ValueError, match="closed"):
        mixer.play(sound)
    closed = miniaudio.stream_memory(data)
    closed.close()
    with pytest.raises(ValueError):
        miniaudio.PreloadedSound(closed)
