"""The pitch resampler's ratio-1 shortcut (patch 0062): at pitch 1 a voice is its source one frame
late, copied rather than interpolated; around pitch changes the resampler's state carries over, so
after a return to pitch 1 the voice is again an exact, contiguous slice of its source."""

import pytest

import miniaudio

from test_mixer import RATE, src

np = pytest.importorskip("numpy")


def ramp(frames):
    return (np.arange(frames, dtype=np.float64) / 65536.0).astype(np.float32)


def test_pitch_one_is_the_source_one_frame_late_in_any_block_sizes():
    x = ramp(20000)
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=1)
    mixer.play(src(x), start_at=1)
    out = np.concatenate([mixer.render(n)[:, 0] for n in (1, 2, 255, 256, 257, 4097, 10000)])
    np.testing.assert_array_equal(out[1:1 + len(x)], x[:len(out) - 1])
    assert out[0] == 0


@pytest.mark.parametrize("low", [0.5, 0.75, 2.0])
def test_back_at_pitch_one_after_a_change_is_an_exact_slice(low):
    x = ramp(40000)
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=1)
    voice = mixer.play(src(x), start_at=1)
    mixer.render(1000)
    voice.pitch = low
    mixer.render(512)
    voice.pitch = 1.0
    out = mixer.render(8000)[:, 0]
    tail = out[-4000:]
    j = int(round(float(tail[0]) * 65536.0))
    np.testing.assert_array_equal(tail, x[j:j + 4000])


def test_non_finite_and_negative_zero_samples_pass_unchanged():
    x = np.array([0.5, -0.0, np.inf, 0.25, np.nan, -0.5] * 100, np.float32)
    mixer = miniaudio.Mixer(sample_rate=RATE, nchannels=1)
    mixer.play(src(x), start_at=1)
    out = mixer.render(len(x) + 1)[:, 0]
    got = out[1:]
    finite = np.isfinite(x)
    np.testing.assert_array_equal(got[finite], x[finite])
    assert np.array_equal(np.signbit(got[finite]), np.signbit(x[finite]))
    assert np.all(np.isinf(got[np.isinf(x)])) and np.all(np.isnan(got[np.isnan(x)]))
