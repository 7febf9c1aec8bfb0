"""The C fast paths of AudioFile.read(), miniaudio.read()/blocks() (DecoderStream._read_into,
stream_into.c) and miniaudio.write() (sfconv.c) give exactly what the numpy rules they replaced
give: pedalboard's scale in AudioFile (x * float32(1/32767) for 16-bit, ...), soundfile's in
read() (x / 32768) and libsndfile's float-to-integer rules in write()."""

import wave

import numpy as np
import pytest

import miniaudio

soundfile = pytest.importorskip("soundfile")  # the [test] extra installs it

RNG = np.random.default_rng(20)


def _wav(path, width, channels, frames=10000):
    """A WAV of random full-range integer samples (width bytes), via the stdlib wave module."""
    if width == 1:
        raw = RNG.integers(0, 256, frames * channels, dtype=np.uint8).tobytes()
    elif width == 3:
        values = RNG.integers(-2**23, 2**23, frames * channels).astype("<i4")
        raw = values.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        dtype = {2: "<i2", 4: "<i4"}[width]
        info = np.iinfo(dtype)
        raw = RNG.integers(info.min, info.max, frames * channels, endpoint=True).astype(dtype).tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(44100)
        w.writeframes(raw)
    return path


def _expected_audiofile(raw, file_dtype):
    """pedalboard's scale applied to read_raw()'s values with numpy."""
    if file_dtype == "int8":
        return (raw.astype(np.float32) + np.float32(0)) * np.float32(1 / 127)
    scale = {"int16": 1 / 32767, "int24": 1 / 8388607, "int32": 2.0**-31}[file_dtype]
    if file_dtype == "int24":  # decoded as int32 (x << 8), scaled by 1/8388607/256
        return np.multiply(raw.astype(np.int32) << 8, np.float32(scale / 256), dtype=np.float32, casting="unsafe")
    return np.multiply(raw, np.float32(scale), dtype=np.float32, casting="unsafe")


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_audiofile_read_is_the_scaled_raw_samples(tmp_path, width, channels):
    path = _wav(tmp_path / "x.wav", width, channels)
    with miniaudio.AudioFile(str(path)) as f:
        raw = f.read_raw(f.frames)
        f.seek(0)
        whole = f.read(f.frames)
        f.seek(0)
        chunks = np.concatenate([f.read(4096) for _ in range(3)], axis=1)
        file_dtype = f.file_dtype
    if file_dtype == "int8":  # read_raw gives signed values; the scale is of (unsigned - 128)
        expected = raw.astype(np.float32) * np.float32(1 / 127)
    else:
        expected = _expected_audiofile(raw, file_dtype)
    assert whole.shape == (channels, 10000) and whole.dtype == np.float32 and whole.flags.c_contiguous
    assert whole.tobytes() == expected.tobytes()
    assert chunks.tobytes() == expected.tobytes()


@pytest.mark.parametrize("width", [2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_read_float64_and_int_match_soundfile(tmp_path, width, channels):
    path = str(_wav(tmp_path / "x.wav", width, channels))
    for dtype in ("float64", "float32", "int32", "int16"):
        ours, _ = miniaudio.read(path, dtype=dtype, always_2d=True)
        theirs, _ = soundfile.read(path, dtype=dtype, always_2d=True)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        if dtype != "float32" or width == 2:
            assert np.array_equal(ours, theirs), dtype
        part = np.concatenate(list(miniaudio.blocks(path, 3000, start=17, dtype=dtype, always_2d=True)))
        assert np.array_equal(part, ours[17:]), dtype


def test_write_pcm24_from_a_transposed_array(tmp_path):
    # (channels, frames) data transposed is not C-contiguous: PCM_24 used to raise ValueError
    data = np.linspace(-1.1, 1.1, 2000).reshape(2, 1000).T
    ints = (np.arange(2000, dtype=np.int16) * 17).reshape(2, 1000).T
    for x in (data, ints, data.astype(np.float32)):
        miniaudio.write(str(tmp_path / "ours.wav"), x, 44100, "PCM_24")
        soundfile.write(str(tmp_path / "sf.wav"), x, 44100, "PCM_24")
        assert (tmp_path / "ours.wav").read_bytes() == (tmp_path / "sf.wav").read_bytes()


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32"])
def test_write_edge_values_as_libsndfile(tmp_path, subtype):
    edges = np.array([0.0, 1.0, -1.0, 1.5, -1.5, np.inf, -np.inf, 2.0**-32, -2.0**-32, 3 * 2.0**-32,
                      0.5 * 2.0**-15, -0.5 * 2.0**-15, 1 - 2.0**-33, -1 + 2.0**-33, 2.0**-16 + 2.0**-32,
                      -2.0**-16 - 2.0**-32, 1e-300, -1e-300, 0.25, -0.25])
    data = np.concatenate([edges, RNG.uniform(-1.2, 1.2, 5000)])
    for x in (data, data.astype(np.float32), np.stack([data, -data], axis=1)):
        miniaudio.write(str(tmp_path / "ours.wav"), x, 44100, subtype)
        soundfile.write(str(tmp_path / "sf.wav"), x, 44100, subtype)
        assert (tmp_path / "ours.wav").read_bytes() == (tmp_path / "sf.wav").read_bytes()
    # NaN: 0 (libsndfile's own gives the most negative value; ours is documented as 0)
    miniaudio.write(str(tmp_path / "nan.wav"), np.array([np.nan, 0.5]), 44100, subtype)
    back, _ = soundfile.read(str(tmp_path / "nan.wav"), dtype="int32")
    assert back[0] == 0 and back[1] > 0


def test_read_into_refuses_wrong_arrays(tmp_path):
    path = str(_wav(tmp_path / "x.wav", 2, 2))
    with miniaudio.AudioFile(path) as f:
        stream = f._stream
        with pytest.raises(ValueError):
            stream._read_into(np.empty((3, 10), np.float32), True, 0, 10, 1.0)  # 3 channels
        with pytest.raises(ValueError):
            stream._read_into(np.empty((2, 10), np.float32), True, 5, 10, 1.0)  # past its end
        with pytest.raises(ValueError):
            stream._read_into(np.empty((10, 2), np.int16), False, 0, 10, 1.0)  # own type, scaled
        with pytest.raises(ValueError):
            stream._read_into(np.empty((10, 2), np.int64), False, 0, 10, None)
        with pytest.raises((ValueError, BufferError)):
            stream._read_into(np.empty((4, 10), np.float32)[::2], True, 0, 10, 1.0)  # not contiguous
        assert stream.position == 0
    with pytest.raises(ValueError):
        stream._read_into(np.empty((2, 10), np.float32), True, 0, 10, 1.0)  # closed
