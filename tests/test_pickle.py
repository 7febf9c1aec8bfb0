"""Every result and info object pickles (what a process pool or a Dask cluster sends back), with
every protocol, and comes back equal; a child process unpickles them too."""

import enum
import os
import pickle
import subprocess
import sys

import pytest

import miniaudio

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
FILES = ["tone_s16.wav", "tone_24.flac", "tone.mp3", "tone.ogg", "short_f32.wav"]


def same(a, b):
    import numpy as np
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, BaseException):
        return a.args == b.args and str(a) == str(b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, enum.Enum) or not hasattr(a, "__dict__"):
        return bool(a == b)
    return same(vars(a), vars(b))


def results():
    out = []
    for name in FILES:
        path = os.path.join(SAMPLES, name)
        out += [miniaudio.get_file_info(path), miniaudio.decode_file(path), miniaudio.info(path)]
        with open(path, "rb") as f:
            out.append(miniaudio.decode(f.read(), nchannels=1, sample_rate=16000))
    out.append(miniaudio.wav_read_file_f32(os.path.join(SAMPLES, "tone_s16.wav")))
    out.append(miniaudio.vorbis_get_file_info(os.path.join(SAMPLES, "tone.ogg")))
    out.append(miniaudio.read(os.path.join(SAMPLES, "tone_24.flac"), dtype="int32"))
    for exc in (miniaudio.DecodeError("failed to decode data", -1), miniaudio.MiniaudioError("x", -2)):
        out.append(exc)
    try:
        miniaudio.decode(b"not audio" * 10)
    except miniaudio.DecodeError as exc:
        out.append(exc)
    with miniaudio.PlaybackDevice(backends=["null"]) as dev:
        out.append(dev.stats)
    return out


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_results_pickle_and_come_back_equal(protocol):
    pytest.importorskip("numpy")
    for obj in results():
        back = pickle.loads(pickle.dumps(obj, protocol))
        assert same(obj, back), obj


def test_a_child_process_unpickles_them(tmp_path):
    pytest.importorskip("numpy")
    objs = results()
    blob = tmp_path / "results.pickle"
    blob.write_bytes(pickle.dumps(objs))
    code = ("import pickle, sys; objs = pickle.load(open(sys.argv[1], 'rb')); "
            "print(len(objs), type(objs[1]).__name__, objs[1].num_frames, objs[2].subtype)")
    out = subprocess.run([sys.executable, "-c", code, str(blob)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(objs)), "DecodedSoundFile", str(objs[1].num_frames), "PCM_16"]
