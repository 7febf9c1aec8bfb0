"""AudioFile's write mode (WriteableAudioFile) and AudioFile.encode, over the one WAV writer.

Written files are read back by the standard library's wave module and by soundfile (libsndfile),
and the samples compared with values computed here, independently of the C code, by the scaling
pedalboard.io writes with (measured on pedalboard 0.9: its bytes are identical to ours for every
bit depth and input dtype, NaN, infinities and clipping included).
"""

import array
import gc
import io
import os
import struct
import sys
import threading
import tracemalloc
import types
import wave

import numpy as np
import pytest
import soundfile as sf

import miniaudio
from miniaudio import WriteableAudioFile
from miniaudio._audiofile_write import encode

try:  # pedalboard's examples below run unchanged with this import
    from miniaudio import AudioFile
except ImportError:  # AudioFile's read side lives in another module; its "w" mode is WriteableAudioFile
    class AudioFile:  # type: ignore[no-redef]
        def __new__(cls, filename, mode="r", *args, **kwargs):
            assert mode == "w"
            return WriteableAudioFile(filename, *args, **kwargs)

        encode = staticmethod(encode)


# ---- the scaling, computed independently ---------------------------------------------------------

def expected_int(x, bits):
    """pedalboard's float -> integer file samples: round(float32(x) * (2**31 - 1)), ties to even,
    clipped at +-1 (NaN 0), then an arithmetic shift down to `bits`."""
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    full = np.where(np.isnan(x), 0.0, np.where(x <= -1, -2.0 ** 31, np.where(x >= 1, 2.0 ** 31 - 1,
                                                                             np.rint(x * 2147483647.0))))
    return full.astype(np.int64) >> (32 - bits)


def data_chunk(raw):
    """The data chunk's bytes of a RIFF or RF64 file, walking the chunks (sizes from ds64 for RF64)."""
    pos, ds64_data = 12, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        if cid == b"ds64":
            ds64_data = struct.unpack("<Q", raw[pos + 16:pos + 24])[0]
        if cid == b"data":
            if size == 0xFFFFFFFF and ds64_data is not None:
                size = ds64_data
            return raw[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    raise AssertionError("no data chunk")


EDGES = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 1 / 32768, -1 / 32768, 0.4 / 32768, -0.4 / 32768,
                  32767 / 32768, np.nan, np.inf, -np.inf, 0.25, 1e-9, -1e-9] + list(np.arange(-5, 6) / 65536.0),
                 dtype=np.float32)


def signal(frames=1000, channels=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.2, 1.2, (channels, frames)).astype(np.float32)


# ---- pedalboard's documented examples (WAV ones), unchanged but for the import -------------------

def test_pedalboard_example_write_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with AudioFile("white_noise.wav", "w", samplerate=44100, num_channels=2) as f:
        f.write(np.random.rand(2, 44100))
    info = sf.info("white_noise.wav")
    assert (info.samplerate, info.channels, info.frames, info.subtype) == (44100, 2, 44100, "PCM_16")


def test_pedalboard_example_file_like_object():
    wav_buffer = io.BytesIO()
    with AudioFile(wav_buffer, "w", samplerate=44100, num_channels=2, format="wav") as f:
        f.write(np.random.rand(2, 44100))
    wav_buffer.getvalue()  # do something with the file-like object
    data, rate = sf.read(io.BytesIO(wav_buffer.getvalue()))
    assert data.shape == (44100, 2) and rate == 44100


def test_pedalboard_example_encode():
    sr = 44100
    num_channels = 2
    audio = np.random.rand(num_channels, sr)
    # pedalboard's page shows AudioFile.encode(audio, sr, num_channels, format="wav"), which its own
    # signature (samples, samplerate, format, num_channels, ...) refuses with a TypeError; so does ours.
    with pytest.raises(TypeError):
        AudioFile.encode(audio, sr, num_channels, format="wav")
    wav_buffer = AudioFile.encode(audio, sr, "wav", num_channels)
    data, rate = sf.read(io.BytesIO(wav_buffer), dtype="int16")
    assert data.shape == (sr, 2) and rate == sr
    np.testing.assert_array_equal(data, expected_int(audio.T, 16))
    for fmt in ("ogg", "mp3", "flac"):
        with pytest.raises(ValueError, match="wav"):
            AudioFile.encode(audio, sr, fmt, num_channels)


def test_pedalboard_example_write_shapes(tmp_path, monkeypatch):
    """write()'s documented layout examples (with .wav names: they name .mp3 files)."""
    monkeypatch.chdir(tmp_path)
    with AudioFile("my_file.wav", "w", 44100, num_channels=2) as f:
        # This will throw an exception:
        with pytest.raises(ValueError, match="layout"):
            f.write(np.zeros((2, 2)))
        # But this will work:
        f.write(np.zeros((2, 1)))
        # And now `f` expects an input shape of (num_channels, num_samples), so this works:
        f.write(np.zeros((2, 2)))
    assert sf.info("my_file.wav").frames == 3
    with AudioFile("my_file.wav", "w", 44100, num_channels=2) as f:
        # Pass a hint, but write nothing:
        f.write(np.zeros((2, 0)))
        # And now `f` expects an input shape of (num_channels, num_samples), so this works:
        f.write(np.array([[1.0, 0.5], [-1.0, -0.5]]))
    np.testing.assert_array_equal(sf.read("my_file.wav", dtype="int16")[0], [[32767, -32768], [16384, -16384]])


def test_pedalboard_example_reencode_to_mp3_is_refused(tmp_path):
    """The page's re-encoding example writes MP3: a clear error naming what can be written."""
    with pytest.raises(ValueError, match=r"\.mp3.*WAV|WAV.*\.mp3") as err:
        AudioFile(str(tmp_path / "output.mp3"), "w", 44100, 2)
    assert "wav" in str(err.value)
    assert not (tmp_path / "output.mp3").exists()


# ---- every bit depth, read back by wave and soundfile -------------------------------------------

@pytest.mark.parametrize("bits", [8, 16, 24])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_integer_depths_exact(tmp_path, bits, dtype):
    audio = np.stack([EDGES, EDGES[::-1]]).astype(dtype)
    path = str(tmp_path / "x.wav")
    with WriteableAudioFile(path, 22050, 2, bits) as f:
        f.write(audio)
        assert f.frames == f.tell() == EDGES.size
        assert f.file_dtype == {8: "int8", 16: "int16", 24: "int24"}[bits]
    want = expected_int(audio.T, bits)  # (frames, channels)
    # hand-checked values: 0.5, -0.5, 1.0, -1.0, 1.5 (clipped), NaN -> 0
    assert list(want[[1, 2, 3, 4, 5, 12], 0]) == [2 ** (bits - 2), -2 ** (bits - 2), 2 ** (bits - 1) - 1,
                                                 -2 ** (bits - 1), 2 ** (bits - 1) - 1, 0]
    with wave.open(path, "rb") as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth(), w.getnframes()) == (2, 22050, bits // 8,
                                                                                           EDGES.size)
        raw = w.readframes(w.getnframes())
    if bits == 8:
        got = np.frombuffer(raw, np.uint8).astype(np.int64) - 128
    elif bits == 16:
        got = np.frombuffer(raw, "<i2").astype(np.int64)
    else:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int64)
        got = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        got = np.where(got >= 1 << 23, got - (1 << 24), got)
    np.testing.assert_array_equal(got.reshape(-1, 2), want)
    back, rate = sf.read(path, dtype="int32")
    assert rate == 22050
    np.testing.assert_array_equal(back.astype(np.int64) >> (32 - bits), want)


def test_bit_depth_32_writes_float_as_given(tmp_path):
    """bit_depth=32 is float (pedalboard): floats are kept as they are, beyond +-1 and NaN too."""
    audio = np.stack([EDGES, -EDGES])
    path = str(tmp_path / "f.wav")
    with WriteableAudioFile(path, 48000, 2, 32) as f:
        assert f.file_dtype == "float32" and f.bit_depth == 32
        f.write(audio)
    back, _ = sf.read(path, dtype="float32")
    np.testing.assert_array_equal(back, audio.T)  # NaN == NaN for assert_array_equal
    assert sf.info(path).subtype == "FLOAT"
    with pytest.raises(wave.Error):  # the stdlib reads integer PCM only
        wave.open(path, "rb")
    assert miniaudio.get_file_info(path).sample_format == miniaudio.SampleFormat.FLOAT32


@pytest.mark.parametrize("channels", [1, 2, 3, 6])
def test_float_file_from_planar_and_interleaved_float32_is_the_same(tmp_path, channels):
    """float32 into a float file is stored as it is, interleaved from (channels, frames) in blocks
    of frames: lengths across the blocks, writes that split them, every channel in its place."""
    rng = np.random.default_rng(channels)
    audio = (rng.standard_normal((channels, 3000)) * 0.7).astype(np.float32)
    audio[0, 1023], audio[-1, 1024] = np.nan, 3.5
    paths = [str(tmp_path / f"{name}.wav") for name in ("planar", "interleaved", "f64")]
    with WriteableAudioFile(paths[0], 44100, channels, 32) as f:
        for part in np.split(audio, [7, 1025, 2047], axis=1):
            f.write(part)
    with WriteableAudioFile(paths[1], 44100, channels, 32) as f:
        f.write(np.ascontiguousarray(audio.T) if channels > 1 else audio[0])
    with WriteableAudioFile(paths[2], 44100, channels, 32) as f:
        f.write(audio.astype(np.float64))
    back, _ = sf.read(paths[0], dtype="float32", always_2d=True)
    np.testing.assert_array_equal(back.T, audio)
    with open(paths[0], "rb") as a, open(paths[1], "rb") as b, open(paths[2], "rb") as c:
        assert a.read() == b.read() == c.read()


def test_int32_file_dtype(tmp_path):
    x = np.array([0.5, -1.0, 1.0, 0.25, np.nan], np.float32)
    path = str(tmp_path / "i32.wav")
    with WriteableAudioFile(path, 8000, 1, file_dtype="int32") as f:
        assert (f.file_dtype, f.bit_depth) == ("int32", 32)
        f.write(x)
        f.write(np.array([-5, 7], np.int32))
    with wave.open(path, "rb") as w:
        got = np.frombuffer(w.readframes(99), "<i4")
    np.testing.assert_array_equal(got, list(expected_int(x, 32)) + [-5, 7])
    np.testing.assert_array_equal(sf.read(path, dtype="int32")[0], got)
    with pytest.raises(ValueError, match="disagrees"):
        WriteableAudioFile(str(tmp_path / "y.wav"), 8000, 1, 24, file_dtype="int32")


@pytest.mark.parametrize("dtype,bits,scale", [("int8", 16, lambda v: v << 8), ("int16", 24, lambda v: v << 8),
                                              ("int16", 16, lambda v: v), ("int16", 8, lambda v: v >> 8),
                                              ("int32", 16, lambda v: v >> 16), ("int32", 24, lambda v: v >> 8)])
def test_integer_input_is_left_aligned(tmp_path, dtype, bits, scale):
    info = np.iinfo(dtype)
    x = np.array([0, 1, -1, info.max, info.min, 100, -100, 12345 % info.max], dtype=dtype)
    path = str(tmp_path / "i.wav")
    with WriteableAudioFile(path, 8000, 1, bits) as f:
        f.write(x)
    back = sf.read(path, dtype="int32")[0].astype(np.int64) >> (32 - bits)
    np.testing.assert_array_equal(back, scale(x.astype(np.int64)))


def test_integer_input_to_float_file_is_exact(tmp_path):
    path = str(tmp_path / "f.wav")
    x16 = np.array([0, 1, -1, 32767, -32768, 16384], np.int16)
    with WriteableAudioFile(path, 8000, 1, 32) as f:
        f.write(x16)
        f.write(np.array([-128, 64], np.int8))
    back = sf.read(path, dtype="float32")[0]
    np.testing.assert_array_equal(back, np.concatenate([x16 / 32768.0, [-1.0, 0.5]]).astype(np.float32))


def test_array_array_and_bytes(tmp_path):
    path = str(tmp_path / "a.wav")
    with WriteableAudioFile(path, 8000, 2, 16) as f:
        f.write(array.array("f", [0.5, -0.5]))        # one interleaved frame
        f.write(array.array("h", [1, 2, 3, 4]))       # two frames, as they are
        f.write(b"\x05\x00\x06\x00")                  # raw bytes of the file's format
        f.write(memoryview(array.array("d", [1.0, -1.0])))
        f.write(array.array("b", [1, -1]))            # int8 -> << 8
        with pytest.raises(ValueError, match="whole number"):
            f.write(b"\x00\x00")                      # half a frame
        with pytest.raises(TypeError):
            f.write(array.array("H", [1, 2]))         # unsigned 16-bit: no such WAV input
        with pytest.raises(TypeError):
            f.write([0.0, 0.0])
    got = sf.read(path, dtype="int16")[0]
    np.testing.assert_array_equal(got, [[16384, -16384], [1, 2], [3, 4], [5, 6], [32767, -32768], [256, -256]])


# ---- layout rules -------------------------------------------------------------------------------

def test_channels_first_and_frames_first_give_the_same_file():
    audio = signal(500, 3)
    a = encode(audio, 44100, "wav", 3)
    b = encode(np.ascontiguousarray(audio.T), 44100, "wav", 3)
    c = encode(audio.T, 44100, "wav", 3)          # an F-contiguous (frames, channels) view
    d = encode(audio[:, ::2], 44100, "wav", 3)    # a strided view
    assert a == b == c
    np.testing.assert_array_equal(sf.read(io.BytesIO(d), dtype="int16")[0], expected_int(audio[:, ::2].T, 16))


def test_layout_errors_and_cache():
    f = WriteableAudioFile(io.BytesIO(), 8000, 2)
    with pytest.raises(ValueError, match="channel layout"):
        f.write(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="num_channels=2"):
        f.write(np.zeros(10, np.float32))              # 1-D is mono only
    with pytest.raises(ValueError, match="num_channels=2"):
        f.write(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="dimensions"):
        f.write(np.zeros((2, 2, 2), np.float32))
    f.write(np.zeros((5, 2)))                          # frames first: cached
    f.write(np.array([[0.5, -0.5], [0.25, -0.25]]))    # square: read as (frames, channels)
    assert f.frames == 7
    with pytest.raises(TypeError, match="int8, int16, int32, float32, or float64"):
        f.write(np.zeros((5, 2), np.uint8))
    with pytest.raises(TypeError):
        f.write(np.zeros((5, 2), np.int64))
    f.close()


def test_other_byte_order_numpy_is_converted():
    x = np.array([[0.5, -0.5, 0.25]], dtype=">f4")
    assert encode(x, 8000, "wav") == encode(x.astype("<f4"), 8000, "wav")


# ---- the header is valid after every flush, and after an exception --------------------------------

def test_flush_makes_a_complete_file_while_open(tmp_path):
    path = str(tmp_path / "live.wav")
    audio = signal(4410, 2)
    f = WriteableAudioFile(path, 44100, 2, 16)
    f.write(audio[:, :1000])
    f.flush()
    with wave.open(path, "rb") as w:
        assert w.getnframes() == 1000
    assert sf.info(path).frames == 1000
    f.write(audio[:, 1000:3001])                       # not flushed yet: readers still see 1000 frames
    assert sf.info(path).frames == 1000
    f.flush()                                          # odd data: 3001 mono... here 3001 stereo frames
    back = sf.read(path, dtype="int16")[0]
    np.testing.assert_array_equal(back, expected_int(audio[:, :3001].T, 16))
    f.write(audio[:, 3001:])
    f.close()
    np.testing.assert_array_equal(sf.read(path, dtype="int16")[0], expected_int(audio.T, 16))


def test_flush_with_odd_data_size_keeps_the_pad_byte_valid(tmp_path):
    path = str(tmp_path / "odd.wav")
    f = WriteableAudioFile(path, 8000, 1, 8)
    f.write(np.array([0.5, -0.5, 0.25], np.float32))   # 3 bytes of data: a pad byte follows
    f.flush()
    raw = open(path, "rb").read()
    assert len(raw) % 2 == 0 and struct.unpack("<I", raw[4:8])[0] == len(raw) - 8
    f.write(np.array([1.0], np.float32))               # goes over the pad byte
    f.close()
    with wave.open(path, "rb") as w:
        assert list(w.readframes(9)) == [192, 64, 160, 255]


def test_exception_inside_with_leaves_a_valid_file(tmp_path):
    path = str(tmp_path / "crash.wav")
    audio = signal(3000, 2)
    with pytest.raises(KeyError):
        with AudioFile(path, "w", 44100, 2) as f:
            f.write(audio[:, :1200])
            f.write(audio[:, 1200:])
            raise KeyError("boom")
    assert f.closed
    np.testing.assert_array_equal(sf.read(path, dtype="int16")[0], expected_int(audio.T, 16))
    with wave.open(path, "rb") as w:
        assert w.getnframes() == 3000


class Faulty(io.BytesIO):
    """A file object whose write() fails once `fail` is set."""
    fail = False

    def write(self, b):
        if self.fail:
            raise OSError(28, "No space left on device")
        return super().write(b)


def test_file_object_that_raises_keeps_what_was_flushed():
    buf = Faulty()
    audio = signal(2000, 1)
    f = WriteableAudioFile(buf, 8000, 1, 16, format="wav")
    f.write(audio[0, :1500])
    f.flush()
    flushed = buf.getvalue()
    buf.fail = True
    with pytest.raises(OSError, match="No space"):
        f.write(audio[0, 1500:])
    assert f.frames == 1500
    np.testing.assert_array_equal(sf.read(io.BytesIO(flushed), dtype="int16")[0], expected_int(audio[0, :1500], 16))
    buf.fail = False
    f.write(audio[0, 1500:])                           # the disk has room again: it goes on
    f.close()
    np.testing.assert_array_equal(sf.read(io.BytesIO(buf.getvalue()), dtype="int16")[0], expected_int(audio[0], 16))


def test_writing_at_a_file_objects_position_and_not_closing_it():
    buf = io.BytesIO()
    buf.write(b"xyz")
    with WriteableAudioFile(buf, 8000, 1, format="wav") as f:
        f.write(np.array([0.5], np.float32))
    assert not buf.closed
    assert buf.getvalue()[:7] == b"xyzRIFF"
    assert sf.read(io.BytesIO(buf.getvalue()[3:]), dtype="int16")[0].tolist() == [16384]


# ---- RF64 ---------------------------------------------------------------------------------------

class SparseFile(io.FileIO):
    """A real file where blocks of zeros are skipped (a hole) rather than written, so that a file
    of more than 4 GiB takes a few kilobytes of disk."""
    ZERO = bytes(1 << 20)

    def write(self, b):
        b = bytes(b)
        if len(b) == len(self.ZERO) and b == self.ZERO:
            self.seek(len(b), os.SEEK_CUR)
            return len(b)
        return super().write(b)

    def close(self):
        self.truncate(self.seek(0, os.SEEK_END))
        super().close()


def test_rf64_past_4_gib(tmp_path):
    path = str(tmp_path / "big.wav")
    zeros = bytes(64 << 20)                            # 16 Mi stereo 16-bit frames
    blocks = (4 << 30) // len(zeros) + 1               # 4 GiB + 64 MiB of data
    marker = np.array([[1000, -1000], [2000, -2000], [3000, -3000]], np.int16)  # (frames, channels)
    with SparseFile(path, "w+b") as raw:
        f = WriteableAudioFile(raw, 48000, 2, 16, format="wav")
        f.write(marker)
        for i in range(blocks - 2):
            f.write(zeros)
        f.flush()
        head = open(path, "rb").read(12)
        assert head[:4] == b"RIFF"                     # still under 4 GiB
        f.write(zeros)
        f.write(zeros)
        f.write(marker)
        f.flush()
        head = open(path, "rb").read(80)
        assert head[:4] == b"RF64" and head[12:16] == b"ds64"
        f.close()
        total_frames = 6 + blocks * len(zeros) // 4
        assert f.frames == total_frames
    riff, data, frames = struct.unpack("<QQQ", head[20:44])
    assert data == total_frames * 4 and frames == total_frames and riff == os.path.getsize(path) - 8
    assert struct.unpack("<I", head[4:8])[0] == 0xFFFFFFFF
    info = sf.info(path)
    assert (info.format, info.frames, info.channels) == ("RF64", total_frames, 2)
    with sf.SoundFile(path) as s:
        assert s.read(3, dtype="int16").tolist() == marker.tolist()
        s.seek(total_frames - 3)
        assert s.read(3, dtype="int16").tolist() == marker.tolist()
    assert miniaudio.get_file_info(path).num_frames == total_frames
    # our streams reach the end in steps of 2 GiB, each checking that the file goes on
    with open(path, "rb") as raw:
        for stream in (miniaudio.stream_file(path, miniaudio.SampleFormat.SIGNED16, 2, 48000),
                       miniaudio.stream_any(raw, miniaudio.FileFormat.WAV, miniaudio.SampleFormat.SIGNED16, 2,
                                            48000)):
            assert stream.length == total_frames
            assert stream.seek(total_frames - 3) == total_frames - 3
            assert list(stream.send(3)) == marker.ravel().tolist()
            assert stream.seek(1) == 1
            assert list(stream.send(2)) == marker.ravel().tolist()[2:]
            stream.close()
    assert os.stat(path).st_blocks * 512 < 64 << 20    # sparse: the test takes little disk


def test_rf64_header_form_from_a_counting_file_object():
    """The switch happens where the RIFF size would pass 32 bits, not before."""
    class Counter:
        def __init__(self):
            self.pos = self.size = 0
            self.head = bytearray(100)

        def write(self, b):
            n = memoryview(b).nbytes
            if self.pos < 100:
                piece = bytes(b)[:100 - self.pos]
                self.head[self.pos:self.pos + len(piece)] = piece
            self.pos += n
            self.size = max(self.size, self.pos)
            return n

        def seek(self, pos, whence=0):
            self.pos = pos if whence == 0 else self.pos + pos if whence == 1 else self.size + pos
            return self.pos

        def tell(self):
            return self.pos

    out = Counter()
    f = WriteableAudioFile(out, 8000, 1, 8, format="wav")
    header = f._writer.header_bytes
    limit = 0xFFFFFFFF + 8 - header                    # data bytes that still fit a RIFF file
    chunk = bytes(64 << 20)
    left = limit
    while left > len(chunk):
        f.write(chunk)
        left -= len(chunk)
    f.write(chunk[:left - 1])                          # even: no pad byte, a RIFF size of 2**32 - 2
    f.flush()
    assert out.head[:4] == b"RIFF" and struct.unpack("<I", out.head[4:8])[0] == 0xFFFFFFFE
    f.write(b"\x80")                                   # one more byte and its pad byte: 2**32, past it
    f.flush()
    assert out.head[:4] == b"RF64" and out.head[12:16] == b"ds64"
    assert struct.unpack("<Q", out.head[28:36])[0] == limit
    f.close()


# ---- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,exc,text", [
    (dict(format="flac"), ValueError, "wav"),
    (dict(format="mp3"), ValueError, "wav"),
    (dict(format="ogg"), ValueError, "wav"),
    (dict(format=".aiff"), ValueError, "wav"),
    (dict(format=3), TypeError, "format"),
    (dict(bit_depth=12), ValueError, "bit_depth must be 8, 16, 24 or 32"),
    (dict(bit_depth=64), ValueError, "bit depth"),
    (dict(bit_depth=16.0), TypeError, "bit_depth"),
    (dict(bit_depth="16"), TypeError, "bit_depth"),
    (dict(samplerate=None), TypeError, "samplerate"),
    (dict(samplerate=0), ValueError, "samplerate"),
    (dict(samplerate=-44100), ValueError, "samplerate"),
    (dict(samplerate=44100.5), ValueError, "samplerate"),
    (dict(samplerate=float("nan")), ValueError, "samplerate"),
    (dict(samplerate=2 ** 40), ValueError, "samplerate"),
    (dict(samplerate="44100"), TypeError, "samplerate"),
    (dict(num_channels=0), ValueError, "num_channels"),
    (dict(num_channels=70000), ValueError, "num_channels"),
    (dict(num_channels=2.5), TypeError, "num_channels"),
    (dict(quality="V2"), ValueError, "quality"),
    (dict(quality=128), ValueError, "quality"),
    (dict(quality=[1]), TypeError, "quality"),
    (dict(file_dtype="int12"), ValueError, "file_dtype"),
])
def test_bad_arguments(kwargs, exc, text):
    args = dict(samplerate=44100, num_channels=1)
    args.update(kwargs)
    with pytest.raises(exc, match=text):
        WriteableAudioFile(io.BytesIO(), **args)


@pytest.mark.parametrize("name", ["out.mp3", "out.flac", "out.ogg", "out.m4a"])
def test_other_extensions_name_the_writable_formats(tmp_path, name):
    with pytest.raises(ValueError) as err:
        WriteableAudioFile(str(tmp_path / name), 44100)
    assert "wav" in str(err.value) and name.split(".")[1] in str(err.value)
    assert not (tmp_path / name).exists()              # nothing created


def test_names_and_defaults(tmp_path):
    for name in ("a.WAV", "b.wave", "c"):
        with WriteableAudioFile(str(tmp_path / name), 44100.0) as f:
            assert f.samplerate == 44100 and type(f.samplerate) is int
            assert f.name == str(tmp_path / name) and f.quality is None and f.num_channels == 1
        assert sf.info(str(tmp_path / name)).format == "WAV"
    with WriteableAudioFile(str(tmp_path / "q.wav"), 8000, quality="best") as f:
        assert f.quality is None
    with open(tmp_path / "named.wav", "w+b") as raw:
        with WriteableAudioFile(raw, 8000) as f:       # the extension of the file object's name
            assert f.name == str(tmp_path / "named.wav")
    with pytest.raises(ValueError, match="wav"):
        with open(tmp_path / "named.flac", "w+b") as raw:
            WriteableAudioFile(raw, 8000)


def test_closed_file_and_read_refused(tmp_path):
    f = WriteableAudioFile(str(tmp_path / "c.wav"), 8000)
    with pytest.raises(io.UnsupportedOperation, match="open for writing"):
        f.read(10)
    with pytest.raises(io.UnsupportedOperation):
        f.seek(0)
    assert f.writable() and not f.readable() and not f.seekable()
    assert "samplerate=8000" in repr(f)
    f.close()
    f.close()                                          # a second close does nothing
    assert f.closed and "closed" in repr(f)
    for call in (lambda: f.write(np.zeros(3, np.float32)), f.flush):
        with pytest.raises(RuntimeError, match="closed file"):
            call()


def test_bad_targets(tmp_path):
    with pytest.raises(TypeError, match="binary"):
        WriteableAudioFile(io.StringIO(), 8000)

    class NoSeek(io.RawIOBase):
        def writable(self):
            return True

        def write(self, b):
            return len(b)

        def seekable(self):
            return False

    with pytest.raises(ValueError, match="seekable"):
        WriteableAudioFile(NoSeek(), 8000, format="wav")
    with pytest.raises(TypeError, match="filename_or_file_like"):
        WriteableAudioFile(42, 8000)
    with pytest.raises(FileNotFoundError):
        WriteableAudioFile(str(tmp_path / "no" / "dir.wav"), 8000)
    with pytest.raises(IsADirectoryError):
        WriteableAudioFile(str(tmp_path), 8000, format="wav")


def test_two_threads_at_once_raise_naming_the_threads():
    entered, release = threading.Event(), threading.Event()

    class Slow(io.BytesIO):
        block = False

        def write(self, b):
            if self.block:
                entered.set()
                release.wait(10)
            return super().write(b)

    buf = Slow()
    f = WriteableAudioFile(buf, 8000, 1, format="wav")
    buf.block = True
    worker = threading.Thread(target=f.write, args=(np.zeros(100, np.float32),), name="writer-thread")
    worker.start()
    assert entered.wait(10)
    with pytest.raises(RuntimeError, match="writer-thread") as err:
        f.write(np.zeros(10, np.float32))
    assert threading.current_thread().name in str(err.value)
    release.set()
    worker.join(10)
    buf.block = False
    f.close()
    assert f.frames == 100


# ---- encode, tags, leaks ------------------------------------------------------------------------

@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_encode_is_what_the_file_object_route_writes(bits):
    audio = signal(777, 2)
    buf = io.BytesIO()
    with AudioFile(buf, "w", 22050, 2, bits, format="wav") as f:
        f.write(audio)
    assert AudioFile.encode(audio, 22050, "wav", 2, bits) == buf.getvalue()


def test_tags_hook_appends_the_riff_info_chunk(tmp_path, monkeypatch):
    def riff_info_chunk(tags):
        body = b"INFO"
        for key, value in (("INAM", tags["title"]), ("IART", tags["artist"])):
            text = value.encode() + b"\0"
            body += key.encode() + struct.pack("<I", len(text)) + text + b"\0" * (len(text) & 1)
        return b"LIST" + struct.pack("<I", len(body)) + body

    monkeypatch.setitem(sys.modules, "miniaudio._tags", types.SimpleNamespace(_riff_info_chunk=riff_info_chunk))
    path = str(tmp_path / "t.wav")
    with WriteableAudioFile(path, 8000, 1, 8, tags={"title": "A tone", "artist": "Me"}) as f:
        f.write(np.array([0.5, 0.25, -0.25], np.float32))  # odd data: the chunk follows the pad byte
    with sf.SoundFile(path) as s:
        assert (s.title, s.artist, s.frames) == ("A tone", "Me", 3)
    raw = open(path, "rb").read()
    assert struct.unpack("<I", raw[4:8])[0] == len(raw) - 8


def test_no_leak_in_a_write_loop(tmp_path):
    audio = signal(2000, 2)
    path = str(tmp_path / "loop.wav")

    def cycle():
        with WriteableAudioFile(path, 44100, 2, 24) as f:
            f.write(audio)
            f.flush()
            f.write(audio.T)
        buf = io.BytesIO()
        with WriteableAudioFile(buf, 44100, 2, 16, format="wav") as f:
            f.write(array.array("h", [1, 2] * 100))
        encode(audio, 44100, "wav", 2, 32)
        for bad in (lambda: WriteableAudioFile(io.BytesIO(), 44100, format="mp3"),
                    lambda: f.write(audio), lambda: encode(audio, 44100, "wav", 3)):
            try:
                bad()
            except (ValueError, RuntimeError):
                pass

    for _ in range(30):
        cycle()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(300):
        cycle()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert growth < 100_000


def test_writer_dropped_without_close_finishes_the_file(tmp_path):
    path = str(tmp_path / "dropped.wav")
    f = WriteableAudioFile(path, 8000, 1)
    f.write(np.array([0.5, -0.5], np.float32))
    del f
    gc.collect()
    assert sf.read(path, dtype="int16")[0].tolist() == [16384, -16384]
