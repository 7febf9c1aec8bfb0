"""The fast paths of decoding and importing: same results as the plain ways, checked sample for sample.

- decode_file()/decode() write into one buffer that becomes the returned array.array (no zero
  fill; huge pages asked for): the arrays must be ordinary, complete arrays, equal to what
  streaming the same file gives, for every WAV width (8/16/24/32-bit PCM and float) and channel
  count, at the file's own width and converted, including outputs long enough to take the
  huge-page advice and outputs whose length is not known up front (grown while decoding).
- `import miniaudio` does not load the radio client (http.client, ssl); IceCastClient and
  IceCastError still work, by attribute and by `from miniaudio import ...`.
"""

import array
import math
import pickle
import struct
import subprocess
import sys
import os

import pytest

import miniaudio
from miniaudio import SampleFormat

# the folder holding the miniaudio package this process imports (a checkout's src/ or site-packages)
SRC = os.path.dirname(os.path.dirname(os.path.abspath(miniaudio.__file__)))


def make_wav(path, bits, channels, frames, float_=False, rate=44100):
    """A WAV file whose samples are a distinct ramp per channel, reaching full scale."""
    width = bits // 8
    out = bytearray()
    for i in range(frames):
        for c in range(channels):
            x = math.sin(0.001 * (i + 1) * (c + 1)) * (0.999 if i % 7 else 1.0)
            if float_:
                out += struct.pack("<f", x)
            elif bits == 8:
                out.append(max(0, min(255, int(round(x * 127)) + 128)))
            else:
                v = int(round(x * (2 ** (bits - 1) - 1)))
                out += v.to_bytes(width, "little", signed=True)
    tag = 3 if float_ else 1
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * channels * width, channels * width, bits)
    data = bytes(out)
    riff = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    if len(data) % 2:
        riff += b"\0"
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(riff)) + riff)
    return data


OWN_FORMAT = {8: SampleFormat.UNSIGNED8, 16: SampleFormat.SIGNED16, 32: SampleFormat.SIGNED32}
TYPECODE = {SampleFormat.UNSIGNED8: "B", SampleFormat.SIGNED16: "h", SampleFormat.SIGNED32: "i",
            SampleFormat.FLOAT32: "f"}


def streamed(path, fmt, channels, rate, frames_to_read=1000):
    """The same decode through stream_file, chunk by chunk (another reading path)."""
    out = array.array(TYPECODE[fmt])
    for chunk in miniaudio.stream_file(path, fmt, channels, rate, frames_to_read=frames_to_read):
        out.extend(chunk)
    return out


@pytest.mark.parametrize("channels", [1, 2, 6])
@pytest.mark.parametrize("bits,float_", [(8, False), (16, False), (24, False), (32, False), (32, True)])
def test_wav_every_width_equals_streaming(tmp_path, bits, float_, channels):
    path = str(tmp_path / "in.wav")
    frames = 3001
    raw = make_wav(path, bits, channels, frames, float_)
    own = SampleFormat.FLOAT32 if float_ else OWN_FORMAT.get(bits)
    for fmt in (SampleFormat.UNSIGNED8, SampleFormat.SIGNED16, SampleFormat.SIGNED32, SampleFormat.FLOAT32):
        got = miniaudio.decode_file(path, fmt, channels, 44100)
        assert isinstance(got.samples, array.array) and got.samples.typecode == TYPECODE[fmt]
        assert got.num_frames == frames and len(got.samples) == frames * channels
        assert got.samples == streamed(path, fmt, channels, 44100)
        if fmt == own:
            # The file's own width: the samples are the file's bytes.
            assert got.samples.tobytes() == raw
        with open(path, "rb") as f:
            assert miniaudio.decode(f.read(), fmt, channels, 44100).samples == got.samples


@pytest.mark.parametrize("fmt", [SampleFormat.SIGNED16, SampleFormat.FLOAT32])
def test_large_output_is_an_ordinary_array(tmp_path, fmt):
    # 12 MB of output or more: past the size at which the buffer asks for huge pages.
    path = str(tmp_path / "long.wav")
    frames = 44100 * 36
    data = bytearray(frames * 4)
    samples = memoryview(data).cast("h")
    for i in range(0, len(samples), 997):
        samples[i] = (i // 997) % 30000 - 15000
    with open(path, "wb") as f:
        fmtchunk = struct.pack("<HHIIHH", 1, 2, 44100, 44100 * 4, 4, 16)
        body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmtchunk + b"data" + struct.pack("<I", len(data)) + data
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
    got = miniaudio.decode_file(path, fmt, 2, 44100)
    a = got.samples
    assert len(a) == frames * 2
    if fmt == SampleFormat.SIGNED16:
        assert a.tobytes() == bytes(data)
    else:
        assert a[997] == pytest.approx(samples[997] / 32768.0)
    # An ordinary array: it grows, shrinks, pickles and exports its buffer like any other.
    a.append(a[0])
    assert len(a) == frames * 2 + 1
    del a[-1000:]
    assert len(a) == frames * 2 - 999
    assert pickle.loads(pickle.dumps(a[:5000])) == a[:5000]
    assert memoryview(a).nbytes == len(a) * a.itemsize
    a.extend(a[:10])
    assert a[-10:] == a[:10]


def test_unknown_length_grows_to_the_same_output():
    # Raw MP3 frames without a Xing header: the length is not known up front, the output grows.
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(here, "samples", "tone.mp3")
    if not os.path.exists(path):
        pytest.skip("samples/tone.mp3 missing")
    got = miniaudio.decode_file(path, SampleFormat.FLOAT32, 2, 44100)
    assert got.samples == streamed(path, SampleFormat.FLOAT32, 2, 44100)
    resampled = miniaudio.decode_file(path, SampleFormat.SIGNED16, 1, 22050)
    assert resampled.samples == streamed(path, SampleFormat.SIGNED16, 1, 22050)


def test_empty_output_is_an_empty_array(tmp_path):
    path = str(tmp_path / "empty.wav")
    make_wav(path, 16, 2, 0)
    got = miniaudio.decode_file(path, SampleFormat.SIGNED16)
    assert got.samples == array.array("h") and got.num_frames == 0


def test_output_bound_still_refuses(tmp_path):
    path = str(tmp_path / "in.wav")
    make_wav(path, 16, 2, 5000)
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.decode_file(path, SampleFormat.SIGNED16, max_output_bytes=1000)
    assert miniaudio.decode_file(path, SampleFormat.SIGNED16, max_output_bytes=20000).num_frames == 5000


def run_python(code):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_import_does_not_load_the_radio_client():
    proc = run_python(
        "import sys, miniaudio\n"
        "heavy = [m for m in ('http.client', 'ssl', 'urllib.request', 'miniaudio._icecast') if m in sys.modules]\n"
        "print(heavy)\n"
        "assert 'IceCastClient' in dir(miniaudio)\n"
        "c = miniaudio.IceCastClient\n"
        "assert c.__name__ == 'IceCastClient' and issubclass(miniaudio.IceCastError, Exception)\n"
        "assert 'http.client' in sys.modules\n"
        "from miniaudio import IceCastError\n"
        "assert IceCastError is miniaudio.IceCastError\n"
        "print('ok')\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[]", "ok"]


def test_import_loads_no_heavy_module():
    """`import miniaudio` stays light (the mixer once imported numpy: 48 ms): numpy, the
    asyncio package and inspect (through dataclasses) load when a feature first needs them."""
    proc = run_python(
        "import sys\n"
        "before = set(sys.modules)\n"
        "import miniaudio\n"
        "new = set(sys.modules) - before\n"
        "print(sorted(m for m in ('numpy', 'asyncio', 'inspect', 'dataclasses', 'ast', 'pathlib') if m in new))\n"
        "miniaudio.Mixer(sample_rate=8000, nchannels=1).render(1)\n"
        "print('numpy' in sys.modules)\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["[]", "True"]


def test_star_import_and_unknown_names():
    proc = run_python(
        "from miniaudio import *\n"
        "assert IceCastClient.__name__ == 'IceCastClient'\n"
        "import miniaudio\n"
        "try:\n"
        "    miniaudio.no_such_name\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_name' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "print('ok')\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
