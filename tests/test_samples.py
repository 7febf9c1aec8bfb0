"""The committed sample files themselves (checked without miniaudio): the
hand-written WAVs hold exactly the numpy reference PCM, the set is small, and
(when ffmpeg is available) the compressed files decode to the expected signal
with an independent decoder."""

import os
import shutil
import subprocess

import numpy as np
import pytest

from helpers import SAMPLES, parse_wav

HAND_WRITTEN = {
    "tone_s16.wav": ("tone", "s16", 1),
    "short_u8.wav": ("short", "u8", 1),
    "short_s24.wav": ("short", "s24", 1),
    "short_s32.wav": ("short", "s32", 1),  # extensible, PCM sub-format
    "short_f32.wav": ("short", "f32", 3),
    "mono_s16.wav": ("mono", "s16", 1),
}


@pytest.mark.parametrize("name", list(HAND_WRITTEN))
def test_hand_written_wav_matches_reference(name, sample_path, sig):
    signal, fmt, tag = HAND_WRITTEN[name]
    h = parse_wav(sample_path(name))
    assert h["sub_tag"] == tag
    ref = sig.reference(signal, fmt)
    if fmt == "s24":
        raw = ref.astype("<i4").reshape(-1).view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        raw = ref.tobytes()
    assert h["data"] == raw
    assert h["rate"] == sig.SIGNALS[signal][0]
    assert h["channels"] == len(sig.SIGNALS[signal][1])


def test_samples_small(samples_dir):
    total = sum(os.path.getsize(os.path.join(samples_dir, s.name)) for s in SAMPLES)
    assert total < 1_500_000, total


def test_misleading_copies_identical(sample_bytes):
    assert sample_bytes("mono_flac.wav") == sample_bytes("mono.flac")
    assert sample_bytes("tone_mp3.dat") == sample_bytes("tone.mp3")
    assert sample_bytes("mono_ogg.mp3") == sample_bytes("mono.ogg")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
@pytest.mark.parametrize("name,signal,fmt", [("tone_16.flac", "tone", "s16"), ("mono.flac", "mono", "s16")])
def test_flac_lossless_with_ffmpeg(name, signal, fmt, sample_path, sig):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", sample_path(name), "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    ref = sig.reference(signal, fmt)
    assert raw == ref.tobytes()
