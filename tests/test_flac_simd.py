"""FLAC decodes losslessly through every residual decoder dr_flac has on this machine.

On x86-64 the SSE4.1 versions of dr_flac's Rice/LPC residual decoder (32- and 64-bit prediction)
run when the CPU has SSE4.1 (patch 0068 compiles them into builds without -msse4.1).  FLAC is
lossless, so every file must decode to exactly the samples it was encoded from: 16- and 24-bit,
the compression levels that choose short and long predictors (level 12: LPC orders up to 32,
which with 24-bit samples need 64-bit prediction), mono to 6 channels, loud and quiet signals.
"""

import array
import shutil
import subprocess

import pytest

import miniaudio

FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(FFMPEG is None, reason="needs ffmpeg (installed by .ci/run)")

RATE = 44100


def _signal(frames, channels, bits, seed):
    """Integer samples (interleaved, in an int32 array scaled to the top of 32 bits as dr_flac's
    s32 output is): a chirp, a square-gated tone and noise, different per channel."""
    import random
    import math
    rng = random.Random(seed)
    full = (1 << (bits - 1)) - 1
    out = array.array("i")
    for i in range(frames):
        t = i / RATE
        for c in range(channels):
            level = 0.95 if c % 2 == 0 else 0.02  # loud and quiet channels: large and small residuals
            x = level * (0.6 * math.sin(2 * math.pi * (200 + 300 * c) * t * (1 + t)) +
                         0.3 * (1 if math.sin(2 * math.pi * 5 * t) > 0 else -1) * math.sin(2 * math.pi * 1000 * t) +
                         0.1 * rng.uniform(-1, 1))
            out.append(max(-full - 1, min(full, int(round(x * full)))) << (32 - bits))
    return out


def _encode(tmp_path, samples, channels, bits, level):
    raw = tmp_path / "in.raw"
    raw.write_bytes(samples.tobytes())
    path = tmp_path / f"l{level}-{bits}-{channels}.flac"
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "s32le", "-ar", str(RATE),
                    "-ac", str(channels), "-i", str(raw), "-c:a", "flac", "-compression_level", str(level),
                    "-sample_fmt", "s32" if bits > 16 else "s16", "-bits_per_raw_sample", str(bits), str(path)],
                   check=True)
    return path


@pytest.mark.parametrize("bits", [16, 24])
@pytest.mark.parametrize("level", [0, 5, 8, 12])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_flac_decodes_to_the_samples_it_was_encoded_from(tmp_path, bits, level, channels):
    frames = 20000
    original = _signal(frames, channels, bits, seed=bits * 100 + level * 10 + channels)
    path = _encode(tmp_path, original, channels, bits, level)
    info = miniaudio.flac_get_file_info(str(path))
    assert (info.nchannels, info.sample_rate, info.num_frames) == (channels, RATE, frames)
    decoded = miniaudio.flac_read_file_s32(str(path))
    assert decoded.num_frames == frames
    assert decoded.samples == original
    # the same through a stream read in 4096-frame chunks (the decoder's state carried across reads)
    got = array.array("i")
    for chunk in miniaudio.stream_file(str(path), miniaudio.SampleFormat.SIGNED32, channels, RATE, 4096):
        got.extend(chunk)
    assert got == original
