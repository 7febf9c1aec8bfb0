"""miniaudio.read / write / info / blocks against soundfile's own results on the same files: same
shapes and dtypes, PCM values identical, MP3 and Vorbis within the two decoders' rounding; written
files read back identically by the stdlib wave module and by soundfile."""

import io
import os
import wave

import pytest

import miniaudio

np = pytest.importorskip("numpy")
sf = pytest.importorskip("soundfile")

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
PCM = ["tone_s16.wav", "tone_16.flac", "tone_24.flac", "short_u8.wav", "short_s24.wav", "short_s32.wav",
       "short_f32.wav", "mono_s16.wav", "mono.flac"]
LOSSY = {"mono.ogg": 1e-6, "tone.ogg": 1e-6, "mono.mp3": 1e-4, "tone.mp3": 1e-4}
DTYPES = ["float64", "float32", "int32", "int16"]


def path(name):
    return os.path.join(SAMPLES, name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", PCM)
def test_pcm_files_read_as_soundfile_reads_them(name, dtype):
    ours, rate = miniaudio.read(path(name), dtype=dtype)
    theirs, their_rate = sf.read(path(name), dtype=dtype)
    assert rate == their_rate
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LOSSY))
def test_lossy_files_within_the_decoders_rounding(name, dtype):
    ours, rate = miniaudio.read(path(name), dtype=dtype)
    theirs, their_rate = sf.read(path(name), dtype=dtype)
    assert rate == their_rate and ours.shape == theirs.shape and ours.dtype == theirs.dtype
    scale = {"float64": 1, "float32": 1, "int32": 2.0 ** 31, "int16": 2.0 ** 15}[dtype]
    tolerance = max(LOSSY[name], 1.5 / scale)
    assert np.abs(ours.astype(np.float64) - theirs.astype(np.float64)).max() / scale <= tolerance


@pytest.mark.parametrize("kw", [dict(start=100, stop=500), dict(start=-300), dict(stop=-5, always_2d=True),
                                dict(frames=100, start=44000, fill_value=0.5), dict(start=50, frames=10),
                                dict(start=10 ** 6), dict(start=400, stop=100), dict(frames=0),
                                dict(frames=30000, fill_value=-1.0, dtype="int16")])
@pytest.mark.parametrize("name", ["tone_16.flac", "mono_s16.wav", "short_u8.wav"])
def test_parts_of_a_file(name, kw):
    ours, _ = miniaudio.read(path(name), **kw)
    theirs, _ = sf.read(path(name), **kw)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_out_is_filled_and_returned():
    out = np.full((1000, 2), 7, np.int16)
    got, _ = miniaudio.read(path("tone_s16.wav"), start=44000, out=out)
    theirs = np.full((1000, 2), 7, np.int16)
    sf.read(path("tone_s16.wav"), start=44000, out=theirs)
    assert got.shape == (100, 2) and np.shares_memory(got, out)
    np.testing.assert_array_equal(out, theirs)
    with pytest.raises(ValueError, match="channels do not match"):
        miniaudio.read(path("tone_s16.wav"), out=np.zeros(10, np.float32))


def test_file_objects_bytes_and_descriptors():
    want, _ = sf.read(path("tone_24.flac"))
    with open(path("tone_24.flac"), "rb") as f:
        got, _ = miniaudio.read(f)
    np.testing.assert_array_equal(got, want)
    with open(path("tone_24.flac"), "rb") as f:
        np.testing.assert_array_equal(miniaudio.read(f.read())[0], want)
    fd = os.open(path("tone_24.flac"), os.O_RDONLY)
    try:
        np.testing.assert_array_equal(miniaudio.read(fd)[0], want)
    finally:
        os.close(fd)


def test_samplerate_resamples_on_read():
    data, rate = miniaudio.read(path("tone_s16.wav"), samplerate=16000)
    assert rate == 16000 and data.shape == (16000, 2)
    direct = miniaudio.decode_file(path("tone_s16.wav"), miniaudio.SampleFormat.FLOAT32, 2, 16000)
    np.testing.assert_array_equal(data, np.frombuffer(direct.samples, np.float32).reshape(-1, 2))
    part, _ = miniaudio.read(path("tone_s16.wav"), samplerate=16000, start=-100)
    np.testing.assert_array_equal(part, data[-100:])


@pytest.mark.parametrize("kw", [dict(blocksize=1000), dict(blocksize=1000, overlap=100, stop=5000),
                                dict(blocksize=1000, start=-2500, fill_value=0), dict(blocksize=4096, frames=10000),
                                dict(blocksize=333, overlap=332, stop=2000, dtype="int16", always_2d=True)])
@pytest.mark.parametrize("name", ["tone_16.flac", "mono_s16.wav"])
def test_blocks_as_soundfile_gives_them(name, kw):
    ours = list(miniaudio.blocks(path(name), **kw))
    theirs = list(sf.blocks(path(name), **kw))
    assert [b.shape for b in ours] == [b.shape for b in theirs]
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_info_as_soundfile_tells_it():
    for name in PCM + sorted(LOSSY):
        ours, theirs = miniaudio.info(path(name)), sf.info(path(name))
        got = (ours.samplerate, ours.channels, ours.frames, ours.format, ours.subtype)
        assert got == (theirs.samplerate, theirs.channels, theirs.frames, theirs.format, theirs.subtype), name
        assert ours.duration == pytest.approx(theirs.frames / theirs.samplerate)
    assert "PCM_24" in repr(miniaudio.info(path("tone_24.flac")))


@pytest.mark.parametrize("subtype", [None, "PCM_16", "PCM_24", "PCM_32", "PCM_U8", "FLOAT"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int16"])
def test_written_files_equal_soundfiles(tmp_path, subtype, dtype):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1.3, 1.3, (777, 3))
    x[:8, 0] = [0, 1.0, -1.0, 0.5, 0.75 / 32768, -0.75 / 32768, 1 / 65536, -1 / 65536]
    data = x.astype(dtype) if dtype.startswith("float") else np.clip(x * {"int32": 2e9, "int16": 3e4}[dtype], -2e9, 2e9).astype(dtype)
    ours, theirs = tmp_path / "ours.wav", tmp_path / "theirs.wav"
    miniaudio.write(ours, data, 22050, subtype=subtype)
    sf.write(theirs, data, 22050, subtype=subtype)
    a, ra = sf.read(ours, dtype="float64")
    b, rb = sf.read(theirs, dtype="float64")
    assert ra == rb == 22050 and a.shape == b.shape == (777, 3)
    np.testing.assert_array_equal(a, b)
    assert sf.info(ours).subtype == sf.info(theirs).subtype
    if subtype != "FLOAT":
        with wave.open(str(ours)) as w:
            frames = w.readframes(w.getnframes())
        with wave.open(str(theirs)) as w:
            assert frames == w.readframes(w.getnframes())


def test_write_mono_to_a_file_object_and_read_back():
    buf = io.BytesIO(b"prefix")
    buf.seek(6)
    data = np.linspace(-1, 1, 101)
    miniaudio.write(buf, data, 8000, format="WAV")
    got, rate = miniaudio.read(io.BytesIO(buf.getvalue()[6:]))
    assert rate == 8000 and got.shape == (101,)
    assert np.abs(got - data).max() <= 1 / 32768


def test_bad_input():
    with pytest.raises(ValueError, match="dtype must be one of"):
        miniaudio.read(path("tone_s16.wav"), dtype="int8")
    with pytest.raises(TypeError, match="Only one of {frames, stop}"):
        miniaudio.read(path("tone_s16.wav"), frames=10, stop=20)
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.read(io.BytesIO(b"not audio at all" * 10))
    with pytest.raises(FileNotFoundError):
        miniaudio.read(path("no-such-file.wav"))
    with pytest.raises(ValueError, match="writes WAV only"):
        miniaudio.write("x.flac", np.zeros(10), 8000)
    with pytest.raises(ValueError, match="cannot be written"):
        miniaudio.write("x.wav", np.zeros(10), 8000, subtype="DOUBLE")
    with pytest.raises(TypeError, match="No format specified"):
        miniaudio.write(io.BytesIO(), np.zeros(10), 8000)
    with pytest.raises(ValueError, match=r"\(frames,\) or \(frames, channels\)"):
        miniaudio.write("x.wav", np.zeros((2, 2, 2)), 8000)
    with pytest.raises(ValueError, match="samplerate"):
        miniaudio.write("x.wav", np.zeros(10), 0)
    with pytest.raises(TypeError, match="One of {blocksize, out}"):
        list(miniaudio.blocks(path("tone_s16.wav")))
    with pytest.raises(ValueError, match="overlap"):
        list(miniaudio.blocks(path("tone_s16.wav"), blocksize=10, overlap=10))
    with pytest.raises(TypeError, match="file must be"):
        miniaudio.info(3.5)
    assert not os.path.exists("x.wav") and not os.path.exists("x.flac")
