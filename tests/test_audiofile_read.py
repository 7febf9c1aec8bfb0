"""AudioFile, read side (pedalboard.io's names): ReadableAudioFile, ResampledReadableAudioFile,
ChannelConvertedReadableAudioFile, StreamResampler and Resample.Quality.

Values are checked against what pedalboard gives, computed here from the file's samples with
pedalboard's rules (16-bit x * float32(1/32767), 24-bit x / 8388607, 32-bit x / 2**31, 8-bit
(x - 128) / 127, float as stored), on WAV files written by the tests with known samples including
the extremes.  Where benchmarks/.venv-peers holds pedalboard, test_same_as_pedalboard also runs
pedalboard itself in a subprocess on the same files and compares its arrays (bit for bit for PCM
WAV and FLAC; within the decoders' rounding for Vorbis).  pedalboard's documented read examples
run unchanged except for the import.
"""

import io
import os
import shutil
import struct
import subprocess
import sys
import threading
import wave

import pytest

import miniaudio
from miniaudio import AudioFile, Resample, StreamResampler

np = pytest.importorskip("numpy")

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
PEERS_PYTHON = os.environ.get("MINIAUDIO_PEERS_PYTHON") or os.path.join(os.path.dirname(HERE), "benchmarks",
                                                                        ".venv-peers", "bin", "python")


def sample(name):
    return os.path.join(SAMPLES, name)


def wav_bytes(samples, width, rate=8000, channels=1):
    """A PCM WAV (stdlib wave) of raw little-endian integer samples."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples)
    return buf.getvalue()


def wav_float(x, rate=8000):
    """A float32 WAV (format tag 3) of x, (frames, channels)."""
    x = np.asarray(x, np.float32)
    channels = x.shape[1]
    data = x.tobytes()
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE" + b"fmt " +
            struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)


def mp3_in_wav(mp3, rate=44100, channels=2, extensible=False, bits=16):
    """MP3 data in a RIFF/WAVE container (format tag 0x0055, WAVE_FORMAT_MPEGLAYER3), as ffmpeg
    and Windows' ACM write it; with extensible=True the tag is in a WAVE_FORMAT_EXTENSIBLE
    sub-format GUID.  fact and LIST chunks sit between fmt and data.  wBitsPerSample is 16 as some
    writers set it (dr_wav then opens the file and refuses its codec); with 0 (ffmpeg, ACM)
    dr_wav refuses the header and the MP3 decoder finds the frames by their sync words."""
    if extensible:
        guid = struct.pack("<H", 0x0055) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, 16000, 1152, bits, 22, 0, 3) + guid
    else:
        fmt = (struct.pack("<HHIIHHH", 0x0055, channels, rate, 16000, 1152, bits, 12) +
               struct.pack("<HIHHH", 1, 2, 1152, 1, 0))
    extra = b"fact" + struct.pack("<I", 4) + struct.pack("<I", 44100) + b"LIST" + struct.pack("<I", 4) + b"INFO"
    pad = b"\x00" if len(mp3) % 2 else b""
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", len(mp3)) +
            mp3 + pad)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# Known samples with the extremes of each width.
S16 = np.array([0, 1, -1, 32767, -32768, 12345, -23456, 16384], np.int16)
S32 = np.array([0, 1, -1, 2**31 - 1, -2**31, 123456789, -987654321, 2**30], np.int32)
S24 = np.array([0, 1, -1, 8388607, -8388608, 4194304, 1234567, -7654321], np.int64)
U8 = np.array([128, 129, 127, 255, 0, 200, 17, 64], np.uint8)


def s24_bytes(values):
    return b"".join(int(v & 0xFFFFFF).to_bytes(3, "little") for v in values)


# ---- pedalboard's documented read examples, unchanged but for the import ---------------------------


@pytest.fixture
def docs_dir(tmp_path, monkeypatch):
    """The file names pedalboard's examples use, in the current directory."""
    shutil.copy(sample("tone.mp3"), tmp_path / "my_filename.mp3")
    shutil.copy(sample("tone.mp3"), tmp_path / "my_file.mp3")
    shutil.copy(sample("tone.mp3"), tmp_path / "my_audio_file.mp3")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_pedalboard_example_open_and_read(docs_dir, capsys):
    from miniaudio import AudioFile

    with AudioFile("my_filename.mp3") as f:
        print(f.duration)  # => 30.0
        print(f.samplerate)  # => 44100
        print(f.num_channels)  # => 2
        print(f.read(f.samplerate * 10))
        # => returns a NumPy array of shape (2, 441_000):
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["1.0", "44100", "2"]


def test_pedalboard_example_file_on_disk_and_file_like(docs_dir):
    from miniaudio import AudioFile

    with AudioFile("my_file.mp3") as f:
        first_ten_seconds = f.read(f.samplerate * 10)
    assert first_ten_seconds.shape == (2, 44100) and first_ten_seconds.dtype == np.float32

    def get_audio_buffer(*_):
        with open(sample("tone.ogg"), "rb") as src:
            return io.BytesIO(src.read())

    ogg_buffer: io.BytesIO = get_audio_buffer(...)
    with AudioFile(ogg_buffer) as f:
        first_ten_seconds = f.read(f.samplerate * 10)
    assert first_ten_seconds.shape == (2, 44100)


def test_pedalboard_example_resampled(docs_dir):
    from miniaudio import AudioFile

    with AudioFile("my_file.mp3").resampled_to(22_050) as f:
        first_ten_seconds = f.read(int(f.samplerate * 10))
    assert first_ten_seconds.shape == (2, 22050)

    with AudioFile("my_file.mp3").resampled_to(22_050) as f:
        f.samplerate  # => 22050
        first_ten_seconds = f.read(int(f.samplerate * 10))
    assert f.samplerate == 22050 and first_ten_seconds.shape == (2, 22050)


def test_pedalboard_example_read_to_the_end(docs_dir):
    from miniaudio import AudioFile

    with AudioFile("my_file.mp3") as f:
        while f.tell() < f.frames:
            f.read(f.samplerate * 60)

        # f.frames is now guaranteed to be exact, as the entire file has been read:
        assert f.exact_duration_known == True  # noqa: E712 (pedalboard's text)

        f.seek(0)
        num_channels, num_samples = f.read(f.frames).shape
        assert num_samples == f.frames


def test_pedalboard_example_play_in_chunks_reads(docs_dir):
    """The AudioStream example's reading half: chunks of 512 until tell() reaches frames."""
    from miniaudio import AudioFile

    total = 0
    with AudioFile("my_audio_file.mp3") as f:
        while f.tell() < f.frames:
            # Decode and play 512 samples at a time:
            total += f.read(512).shape[1]
    assert total == 44100


# ---- values, dtypes and shapes -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["s16", "s24", "s32", "u8", "f32"])
@pytest.mark.parametrize("channels", [1, 2])
def test_values_as_pedalboard_scales_them(kind, channels):
    n = 8
    if kind == "s16":
        raw = np.stack([np.roll(S16, c) for c in range(channels)], axis=1)
        data = wav_bytes(raw.astype("<i2").tobytes(), 2, channels=channels)
        expect_raw, dtype = raw, "int16"
        expect = raw.astype(np.float32) * np.float32(1 / 32767)
    elif kind == "s32":
        raw = np.stack([np.roll(S32, c) for c in range(channels)], axis=1)
        data = wav_bytes(raw.astype("<i4").tobytes(), 4, channels=channels)
        expect_raw, dtype = raw, "int32"
        expect = (raw / 2.0**31).astype(np.float32)
    elif kind == "s24":
        raw = np.stack([np.roll(S24, c) for c in range(channels)], axis=1)
        data = wav_bytes(s24_bytes(raw.reshape(-1)), 3, channels=channels)
        expect_raw, dtype = raw.astype(np.int32), "int24"
        expect = raw.astype(np.float32) * np.float32(1 / 8388607)
    elif kind == "u8":
        raw = np.stack([np.roll(U8, c) for c in range(channels)], axis=1)
        data = wav_bytes(raw.tobytes(), 1, channels=channels)
        expect_raw, dtype = (raw.astype(np.int16) - 128).astype(np.int8), "int8"
        expect = (raw.astype(np.float32) - 128) * np.float32(1 / 127)
    else:
        raw = np.stack([np.linspace(-1, 1, n) * (c + 1) / 2 for c in range(channels)], axis=1).astype(np.float32)
        data = wav_float(raw)
        expect_raw, dtype, expect = raw, "float32", raw
    with AudioFile(data) as f:
        assert (f.samplerate, f.num_channels, f.frames, f.file_dtype) == (8000, channels, n, dtype)
        assert f.duration == n / 8000 and f.exact_duration_known and f.name is None
        got = f.read(n)
        f.seek(0)
        got_raw = f.read_raw(n)
    assert got.dtype == np.float32 and got.shape == (channels, n) and got.flags.c_contiguous
    assert np.array_equal(got, expect.T)
    assert got_raw.shape == (channels, n) and got_raw.flags.c_contiguous
    assert got_raw.dtype == expect_raw.dtype and np.array_equal(got_raw, expect_raw.T)
    if kind == "s16":  # pedalboard's 1/32767: full scale is exactly 1.0, the most negative below -1
        assert got[0, 3] == 1.0 and got[0, 4] == np.float32(-32768 / 32767)


def test_flac_mp3_vorbis_dtypes_and_values():
    with AudioFile(sample("tone_24.flac")) as f:
        assert f.file_dtype == "int24"
        raw, _ = f.read_raw(f.frames), f.seek(0)
        got = f.read(f.frames)
    decoded = np.asarray(miniaudio.decode_file(sample("tone_24.flac"), miniaudio.SampleFormat.SIGNED32).as_numpy())
    assert np.array_equal(raw, (decoded >> 8).T)
    assert np.array_equal(got, ((decoded >> 8).astype(np.float32) * np.float32(1 / 8388607)).T)
    for name in ("tone.mp3", "tone.ogg"):
        with AudioFile(sample(name)) as f:
            assert f.file_dtype == "float32"
            got = f.read(f.frames)
            f.seek(0)
            assert np.array_equal(f.read_raw(f.frames), got)
        decoded = miniaudio.decode_file(sample(name), miniaudio.SampleFormat.FLOAT32).as_numpy()
        assert np.array_equal(got, decoded.T)


@pytest.mark.parametrize("name", ["tone_s16.wav", "short_s24.wav", "short_u8.wav", "short_f32.wav", "short_s32.wav",
                                  "tone_16.flac", "tone_24.flac", "tone.mp3", "tone.ogg", "mono.mp3", "mono_s16.wav"])
def test_chunked_reads_equal_one_read(name):
    with AudioFile(sample(name)) as f:
        whole, frames = f.read(f.frames), f.frames
        f.seek(0)
        raw = f.read_raw(f.frames)
        f.seek(0)
        parts = []
        while f.tell() < f.frames:
            parts.append(f.read(1000))
        assert f.read(5).shape == (f.num_channels, 0)  # at the end: empty
        f.seek(0)
        raw_parts = [f.read_raw(777) for _ in range(frames // 777 + 1)]
    assert whole.shape == (f.num_channels, frames)
    assert np.array_equal(np.concatenate(parts, axis=1), whole)
    assert np.array_equal(np.concatenate(raw_parts, axis=1), raw)


def test_large_read_is_block_decoded_identically(tmp_path):
    """A read above the internal block (32768 frames) fills one output block by block."""
    x = (np.sin(np.arange(100_000 * 2) * 0.01) * 30000).astype(np.int16)
    path = tmp_path / "long.wav"
    path.write_bytes(wav_bytes(x.tobytes(), 2, rate=44100, channels=2))
    with AudioFile(str(path)) as f:
        got = f.read(10**9)  # more than the file: as many frames as there are
        f.seek(1)
        raw = f.read_raw(70_001)
    assert got.shape == (2, 100_000) and got.flags.c_contiguous
    assert np.array_equal(got, (x.reshape(-1, 2).astype(np.float32) * np.float32(1 / 32767)).T)
    assert np.array_equal(raw, x.reshape(-1, 2)[1:70_002].T)


def test_sources_path_pathlike_bytes_memoryview_file_object(tmp_path):
    with open(sample("tone.ogg"), "rb") as src:
        data = src.read()
    expect = miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32).as_numpy().T
    p = tmp_path / "x.ogg"
    p.write_bytes(data)
    for source in (str(p), p, data, bytearray(data), memoryview(data), io.BytesIO(data)):
        with AudioFile(source) as f:
            assert np.array_equal(f.read(f.frames), expect), type(source)
            assert f.name == (str(p) if isinstance(source, (str, os.PathLike)) else None)
    # a file object read from where it stands
    buf = io.BytesIO(b"junk" + data)
    buf.read(4)
    with AudioFile(buf) as f:
        assert np.array_equal(f.read(f.frames), expect)
    assert not buf.closed  # a file object passed in stays open


def test_seek_and_tell():
    with AudioFile(sample("tone_s16.wav")) as f:
        whole = f.read(f.frames)
        for position in (0, 1, 12345, 44099, 44100, 7):
            f.seek(position)
            assert f.tell() == position
            assert np.array_equal(f.read(100), whole[:, position:position + 100])
            assert f.tell() == min(position + 100, 44100)
        assert f.seekable()
    assert not f.seekable()


def test_mp3_without_xing_header_counts_its_frames():
    """An MP3 whose header does not give the length: frames counts it on first use, exactly."""
    with open(sample("tone.mp3"), "rb") as src:
        data = src.read()
    # Blank the Xing/Info tag of the first frame: the decoder no longer knows the length up front.
    assert miniaudio.stream_memory(data).length is not None
    tag = data.find(b"Info")
    assert tag > 0
    plain = data[:tag] + b"None" + data[tag + 4:]
    assert miniaudio.stream_memory(plain).length is None
    expect = miniaudio.decode(plain, miniaudio.SampleFormat.FLOAT32).as_numpy().T
    for source in (plain, io.BytesIO(plain)):
        with AudioFile(source) as f:
            assert f.exact_duration_known is False
            assert f.frames == expect.shape[1]
            assert f.exact_duration_known is True
            assert np.array_equal(f.read(f.frames), expect)


# ---- MP3 data in a WAV container ------------------------------------------------------------------------


@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("bits", [0, 16])
def test_mp3_inside_wav_decodes(tmp_path, extensible, bits):
    """Both ways a WAV holding MP3 failed the plain decoders: dr_wav opened it and refused the codec
    (bits 16), or dr_mp3 picked frames out of the RIFF file by their sync words (bits 0) without
    the LAME header's gapless trim (46080 frames instead of 44100).  The core now decodes the data
    chunk as MP3 (tests/test_wav_mp3.py), and AudioFile agrees with it."""
    with open(sample("tone.mp3"), "rb") as src:
        mp3 = src.read()
    expect = miniaudio.decode(mp3, miniaudio.SampleFormat.FLOAT32).as_numpy().T
    data = mp3_in_wav(mp3, extensible=extensible, bits=bits)
    assert np.array_equal(miniaudio.decode(data, miniaudio.SampleFormat.FLOAT32).as_numpy().T, expect)
    path = tmp_path / "mp3.wav"
    path.write_bytes(data)
    for source in (data, str(path), io.BytesIO(data)):
        with AudioFile(source) as f:
            assert (f.samplerate, f.num_channels, f.file_dtype) == (44100, 2, "float32")
            assert f.frames == expect.shape[1]
            got = f.read(f.frames)
            f.seek(1000)
            assert np.array_equal(f.read(10), expect[:, 1000:1010])
        assert np.array_equal(got, expect), type(source)


def test_wav_of_another_unknown_codec_still_fails_clearly():
    data = bytearray(mp3_in_wav(b"\xff" * 100))
    data[20:22] = struct.pack("<H", 0x0092)  # Dolby AC-3 SPDIF: not decodable here
    with pytest.raises(miniaudio.DecodeError):
        AudioFile(bytes(data))


# ---- resampling -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tone_s16.wav", "tone.mp3", "mono.ogg", "short_s24.wav"])
@pytest.mark.parametrize("rate", [16000, 48000])
def test_resampled_chunked_equals_whole_and_stream_resampler(name, rate):
    with AudioFile(sample(name)) as source:
        original = source.read(source.frames)
        source.seek(0)
        with source.resampled_to(rate) as f:
            assert isinstance(f, miniaudio.ResampledReadableAudioFile)
            assert f.samplerate == rate and f.resampling_quality == Resample.Quality.WindowedSinc32
            expect_frames = -(-source.frames * rate // source.samplerate)
            assert f.frames == expect_frames
            whole = f.read(f.frames)
            assert whole.shape == (source.num_channels, expect_frames) and whole.dtype == np.float32
            f.seek(0)
            parts = []
            while f.tell() < f.frames:
                parts.append(f.read(333))
            assert np.array_equal(np.concatenate(parts, axis=1), whole)
            # seeks are sample-exact, backward and forward
            for position in (5000, 100, expect_frames - 10, 0):
                f.seek(position)
                assert f.tell() == position
                assert np.array_equal(f.read(50), whole[:, position:position + 50])
        assert not source.closed  # closing the resampled file leaves the file open
    resampler = StreamResampler(source.samplerate, rate, source.num_channels)
    pieces = [resampler.process(original[:, i:i + 4321]) for i in range(0, original.shape[1], 4321)]
    pieces.append(resampler.process())
    assert np.array_equal(np.concatenate(pieces, axis=1), whole)


def test_resampled_to_own_rate_is_the_file_and_quality_strings():
    with AudioFile(sample("tone_s16.wav")) as f:
        assert f.resampled_to(44100) is f
        assert f.resampled_to(44100.0) is f
        linear = f.resampled_to(8000, "Linear")
        assert linear.resampling_quality is Resample.Quality.Linear
        a = linear.read(100)
        b = f.resampled_to(8000, Resample.Quality.ZeroOrderHold).read(100)
        c = f.resampled_to(8000, "windowedsinc8").read(100)
    assert np.array_equal(a, b)  # both are order-0 linear interpolation
    assert not np.array_equal(a, c)


def test_resample_quality_mapping():
    q = Resample.Quality
    orders = {m.name: m.resampler_order for m in q}
    assert orders == {"ZeroOrderHold": 0, "Linear": 0, "CatmullRom": 2, "Lagrange": 4, "WindowedSinc": 8,
                      "WindowedSinc256": 8, "WindowedSinc128": 8, "WindowedSinc64": 8, "WindowedSinc32": 8,
                      "WindowedSinc16": 6, "WindowedSinc8": 4}
    assert [m.value for m in q] == list(range(11))  # pedalboard's values
    x = (np.sin(np.arange(4410) * 0.3)).astype(np.float32)
    for member in q:
        conv = miniaudio.Converter(miniaudio.SampleFormat.FLOAT32, 1, 44100, miniaudio.SampleFormat.FLOAT32, 1,
                                   16000, resampler_order=member.resampler_order)
        expect = conv.process(x.reshape(-1, 1)).T
        got = StreamResampler(44100, 16000, 1, member.name.upper()).process(x, flush=True)
        assert np.array_equal(got, expect), member


def test_stream_resampler_shapes_layouts_and_reset():
    r = StreamResampler(44100, 16000, 2, "Linear")
    assert (r.source_sample_rate, r.target_sample_rate, r.num_channels) == (44100.0, 16000.0, 2)
    assert r.quality is Resample.Quality.Linear and r.input_latency >= 0 and "44100" in repr(r)
    x = np.random.default_rng(1).standard_normal((2, 10_000)).astype(np.float32)
    cf = r.process(x)
    tail = r.process()  # flush; resets
    assert cf.shape == (2, -(-10_000 * 16000 // 44100)) and tail.shape == (2, 0)
    cl = r.process(np.ascontiguousarray(x.T))  # (frames, channels) in, (frames, channels) out
    r.process()
    assert np.array_equal(cl, cf.T)
    again = r.process(x)  # after the flush, a new stream: the same output
    assert np.array_equal(again, cf)
    r.reset()
    assert np.array_equal(r.process(x.astype(np.float64)), cf)  # float64 converted
    mono = StreamResampler(44100, 22050, 1)
    assert mono.process(np.zeros(1000, np.float32)).shape == (1, 500)
    same = StreamResampler(16000, 16000, 1)
    assert np.array_equal(same.process(x[:1]), x[:1])  # equal rates: unchanged


@pytest.mark.parametrize("args, exc, text", [
    ((44100.5, 16000, 1), ValueError, "whole number"),
    ((0, 16000, 1), ValueError, "source_sample_rate"),
    ((44100, 10**6, 1), ValueError, "target_sample_rate"),
    ((44100, 16000, 0), ValueError, "num_channels"),
    ((44100, 16000, 1.0), TypeError, "num_channels"),
    (("44100", 16000, 1), TypeError, "source_sample_rate"),
    ((44100, 16000, 1, "Cubic"), ValueError, "quality"),
    ((44100, 16000, 1, 11), ValueError, "quality"),
    ((44100, 16000, 1, None), TypeError, "quality"),
    ((44100, float("nan"), 1), ValueError, "target_sample_rate"),
])
def test_stream_resampler_bad_arguments(args, exc, text):
    with pytest.raises(exc, match=text):
        StreamResampler(*args)


def test_stream_resampler_bad_input():
    r = StreamResampler(44100, 16000, 2)
    with pytest.raises(ValueError, match="2-channel"):
        r.process(np.zeros(100, np.float32))
    with pytest.raises(ValueError, match="2-channel"):
        r.process(np.zeros((3, 100), np.float32))
    with pytest.raises(TypeError, match="float32"):
        r.process(np.zeros((2, 100), np.int16))
    with pytest.raises(TypeError, match="numpy"):
        r.process([[0.0], [0.0]])
    with pytest.raises(ValueError, match="3-D"):
        r.process(np.zeros((2, 2, 2), np.float32))
    with pytest.raises(TypeError, match="flush"):
        r.process(None, flush="yes")


# ---- channel conversion ---------------------------------------------------------------------------------


def test_mono_stereo_with_channels():
    with AudioFile(sample("tone_s16.wav")) as f:
        stereo = f.read(f.frames)
        f.seek(0)
        assert f.stereo() is f and f.with_channels(2) is f
        mono = f.mono()
        assert isinstance(mono, miniaudio.ChannelConvertedReadableAudioFile)
        assert (mono.num_channels, mono.frames, mono.samplerate, mono.file_dtype) == (1, 44100, 44100, "int16")
        m = mono.read(mono.frames)
        assert np.array_equal(m[0], (stereo[0] + stereo[1]) * np.float32(0.5))
        mono.seek(100)
        assert mono.tell() == 100 and np.array_equal(mono.read(10), m[:, 100:110])
        back = mono.stereo()
        back.seek(0)
        assert np.array_equal(back.read(50), np.vstack([m[:, :50], m[:, :50]]))
        both = f.mono().resampled_to(16000)
        both.seek(0)
        assert both.read(both.frames).shape == (1, 16000)
        f.seek(0)
        assert f.with_channels(6).read(10).shape == (6, 10)
        with pytest.raises(ValueError, match="num_channels"):
            f.with_channels(0)


# ---- threads, closed files and bad input --------------------------------------------------------------


class _BlockingFile(io.BytesIO):
    """A file object whose read() waits for `release` once `armed`: a read in progress."""

    def __init__(self, data):
        super().__init__(data)
        self.armed = False
        self.inside = threading.Event()
        self.release = threading.Event()

    def read(self, *args):
        if self.armed:
            self.inside.set()
            assert self.release.wait(10)
        return super().read(*args)


def test_two_threads_at_once_raise_runtime_error_naming_both():
    with open(sample("tone_16.flac"), "rb") as src:
        source = _BlockingFile(src.read())
    f = AudioFile(source)
    source.armed = True
    errors = []
    reader = threading.Thread(target=lambda: f.read(44100), name="reader-thread-A")
    reader.start()
    try:
        assert source.inside.wait(10)

        def second():
            try:
                f.read(10)
            except RuntimeError as exc:
                errors.append(str(exc))
            try:
                f.seek(0)
            except RuntimeError as exc:
                errors.append(str(exc))

        other = threading.Thread(target=second, name="intruder-thread-B")
        other.start()
        other.join(10)
    finally:
        source.release.set()
        reader.join(10)
    assert len(errors) == 2
    for message in errors:
        assert "reader-thread-A" in message and "intruder-thread-B" in message
    source.armed = False
    f.seek(0)
    assert f.read(10).shape == (2, 10)  # usable again once the first read is done
    f.close()


def test_one_thread_after_another_is_fine():
    f = AudioFile(sample("tone_s16.wav"))
    results = []
    for i in range(4):
        t = threading.Thread(target=lambda: results.append(f.read(1000).shape))
        t.start()
        t.join()
    assert results == [(2, 1000)] * 4 and f.tell() == 4000


def test_closed_file():
    f = AudioFile(sample("tone_s16.wav"))
    f.read(10)
    f.close()
    f.close()  # twice is fine
    assert f.closed
    for call in (lambda: f.read(1), lambda: f.read_raw(1), lambda: f.seek(0), lambda: f.resampled_to(8000),
                 lambda: f.mono()):
        with pytest.raises(RuntimeError, match="closed"):
            call()
    # what was known stays readable, as pedalboard's
    assert (f.samplerate, f.num_channels, f.frames, f.file_dtype) == (44100, 2, 44100, "int16")
    assert "closed" in repr(f)
    with AudioFile(sample("tone_s16.wav")) as g:
        r = g.resampled_to(8000)
    assert r.closed  # the file it reads is closed
    with pytest.raises(RuntimeError, match="closed"):
        r.read(1)


@pytest.mark.parametrize("value, exc, text", [
    (-1, ValueError, "negative"),
    (0, ValueError, "entire file"),
    (1.5, ValueError, "fractional"),
    (float("nan"), ValueError, "finite"),
    (True, TypeError, "bool"),
    ("10", TypeError, "str"),
    (None, TypeError, "NoneType"),
])
def test_read_bad_counts(value, exc, text):
    with AudioFile(sample("tone_s16.wav")) as f:
        for method in (f.read, f.read_raw, f.resampled_to(8000).read, f.mono().read):
            with pytest.raises(exc, match=text):
                method(value)
        assert f.read(2.0).shape == (2, 2)  # a float without a fraction is a count
        assert f.tell() == 2


def test_seek_bad_positions():
    with AudioFile(sample("tone_s16.wav")) as f:
        with pytest.raises(ValueError, match="before start"):
            f.seek(-1)
        with pytest.raises(ValueError, match="beyond end"):
            f.seek(44101)
        with pytest.raises(TypeError, match="position"):
            f.seek(1.5)
        with pytest.raises(ValueError, match="beyond end"):
            f.resampled_to(8000).seek(8001)
        assert f.tell() == 0


def test_bad_sources_and_modes(tmp_path):
    with pytest.raises(FileNotFoundError):
        AudioFile(str(tmp_path / "missing.wav"))
    with pytest.raises(miniaudio.DecodeError):
        AudioFile(b"not audio at all" * 100)
    with pytest.raises(miniaudio.DecodeError):
        AudioFile(io.BytesIO(b"not audio at all" * 100))
    with pytest.raises(TypeError, match="int"):
        AudioFile(123)
    with pytest.raises(ValueError, match="mode"):
        AudioFile(sample("tone_s16.wav"), "a")
    with pytest.raises(TypeError, match="mode"):
        AudioFile(sample("tone_s16.wav"), 1)
    with pytest.raises(ValueError, match="read mode"):
        miniaudio.ReadableAudioFile(sample("tone_s16.wav"), "w")

    class Pipe(io.RawIOBase):
        def readable(self):
            return True

        def seekable(self):
            return False

    with pytest.raises(ValueError, match="seekable"):
        AudioFile(Pipe())
    with pytest.raises(TypeError, match="ReadableAudioFile"):
        miniaudio.ResampledReadableAudioFile("x.wav", 8000)


def test_truncated_wav_gives_a_short_read_and_corrects_frames():
    x = np.arange(20_000, dtype=np.int16)
    data = wav_bytes(x.tobytes(), 2)
    cut = data[:44 + 2 * 12_345]  # the header still says 20000 frames
    with AudioFile(cut) as f:
        assert f.frames == 12_345  # dr_wav bounds the header's count by the data there
        got = f.read_raw(20_000)
        assert got.shape == (1, 12_345) and np.array_equal(got[0], x[:12_345])
        assert f.frames == 12_345 and f.tell() == 12_345
        assert f.read(100).shape == (1, 0)


def test_truncated_flac_and_mp3_end_early_without_garbage():
    for name in ("tone_16.flac", "tone.mp3"):
        with open(sample(name), "rb") as src:
            data = src.read()
        whole = AudioFile(data).read(44100)
        with AudioFile(data[: len(data) // 2]) as f:
            got = f.read(44100)
        assert 0 < got.shape[1] < 44100
        # what is there is the start of the file (the last frame decoded may be partial)
        assert np.array_equal(got[:, :-1152], whole[:, :got.shape[1] - 1152]), name


def test_file_object_that_raises():
    with open(sample("tone_16.flac"), "rb") as src:
        data = src.read()

    class Failing(io.BytesIO):
        fail = False

        def read(self, *args):
            if self.fail:
                raise OSError("disk on fire")
            return super().read(*args)

    source = Failing(data)
    f = AudioFile(source)
    f.read(10)
    source.fail = True
    with pytest.raises(miniaudio.DecodeError) as info:
        f.read(44100)
    assert isinstance(info.value.__cause__, OSError) and "disk on fire" in str(info.value.__cause__)
    f.close()

    class Interrupted(io.BytesIO):
        def read(self, *args):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        AudioFile(Interrupted(data))


def test_write_mode_dispatch():
    try:
        from miniaudio import _audiofile_write  # noqa: F401  (written by the write side)
    except ImportError:
        with pytest.raises(NotImplementedError, match="writ"):
            AudioFile(io.BytesIO(), "w", 44100, 1)
    else:
        f = AudioFile(io.BytesIO(), "w", 44100, 1)
        assert isinstance(f, AudioFile) and not isinstance(f, miniaudio.ReadableAudioFile)
        f.close()


def test_tags_is_a_dict():
    with AudioFile(sample("tone.ogg")) as f:
        assert isinstance(f.tags, dict)
    with AudioFile(sample("tone_s16.wav")) as f:
        tags = f.tags
        tags["x"] = 1
        assert "x" not in f.tags  # a copy


def test_isinstance_and_repr():
    with AudioFile(sample("tone_s16.wav")) as f:
        assert isinstance(f, AudioFile) and isinstance(f, miniaudio.ReadableAudioFile)
        assert isinstance(f.resampled_to(8000), AudioFile)
        assert repr(f).startswith("<miniaudio.ReadableAudioFile filename=") and "file_dtype=int16" in repr(f)


# ---- pedalboard itself, where benchmarks/.venv-peers has it -----------------------------------------------

PEDALBOARD_DUMP = r"""
import sys, numpy as np
from pedalboard.io import AudioFile
out = {}
for i, p in enumerate(sys.argv[2:]):
    with AudioFile(p) as f:
        out["%d:meta" % i] = np.array([f.samplerate, f.num_channels, f.frames])
        out["%d:dtype" % i] = np.array(f.file_dtype)
        out["%d:read" % i] = f.read(f.frames)
        f.seek(0)
        try:
            out["%d:raw" % i] = f.read_raw(f.frames)
        except RuntimeError:  # pedalboard cannot read_raw 24-bit files
            pass
np.savez(sys.argv[1], **out)
"""


@pytest.mark.skipif(not os.path.exists(PEERS_PYTHON), reason="pedalboard is only in benchmarks/.venv-peers")
def test_same_as_pedalboard(tmp_path):
    files = []
    for kind, data in (("s16", wav_bytes(np.tile(S16, 50).tobytes(), 2, channels=2)),
                       ("s24", wav_bytes(s24_bytes(np.tile(S24, 50)), 3, channels=2)),
                       ("s32", wav_bytes(np.tile(S32, 50).tobytes(), 4)),
                       ("u8", wav_bytes(np.tile(U8, 50).tobytes(), 1, channels=2)),
                       ("f32", wav_float(np.linspace(-1, 1, 400).reshape(-1, 2)))):
        path = tmp_path / f"{kind}.wav"
        path.write_bytes(data)
        files.append(str(path))
    files += [sample(n) for n in ("tone_16.flac", "tone_24.flac", "mono.flac", "tone.ogg", "mono.ogg")]
    dump = tmp_path / "ref.npz"
    subprocess.run([PEERS_PYTHON, "-c", PEDALBOARD_DUMP, str(dump)] + files, check=True, timeout=120)
    ref = np.load(dump)
    for i, path in enumerate(files):
        with AudioFile(path) as f:
            assert [f.samplerate, f.num_channels, f.frames] == ref["%d:meta" % i].tolist(), path
            assert f.file_dtype == str(ref["%d:dtype" % i]), path
            got = f.read(f.frames)
            f.seek(0)
            raw = f.read_raw(f.frames)
        expect = ref["%d:read" % i]
        assert got.shape == expect.shape and got.dtype == expect.dtype
        if path.endswith(".ogg"):  # stb_vorbis against libvorbis: rounding only
            assert np.abs(got - expect).max() < 1e-5, path
        else:
            assert np.array_equal(got, expect), path
            if "%d:raw" % i in ref.files:
                assert raw.dtype == ref["%d:raw" % i].dtype and np.array_equal(raw, ref["%d:raw" % i]), path
