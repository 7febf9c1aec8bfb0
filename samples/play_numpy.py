"""Synthesise a chord with numpy and play it.

Shows playing samples you computed: the chord is a (frames, channels) float32 numpy array, and
stream_raw_pcm_memory() serves it to a FLOAT32 PlaybackDevice without copying it; the audio
thread plays it in C, without the GIL.

    python samples/play_numpy.py
    python samples/play_numpy.py --freqs 261.63 329.63 392.0 --duration 3 --backend pulseaudio
"""

import argparse

import numpy as np
import numpy.typing as npt

import miniaudio


def chord(freqs: list[float], seconds: float, rate: int, channels: int) -> "npt.NDArray[np.float32]":
    """Sines of equal level, faded in and out over 10 ms; shape (frames, channels)."""
    t = np.arange(round(seconds * rate)) / rate
    mono = sum(np.sin(2 * np.pi * f * t) for f in freqs) * (0.8 / len(freqs))
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
    return np.repeat((mono * fade).astype(np.float32)[:, None], channels, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Synthesise a chord with numpy and play it.")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--duration", "--seconds", type=float, default=2.0, help="length of the chord in seconds")
    parser.add_argument("--freqs", type=float, nargs="+", default=[440.0, 554.37, 659.25],
                        help="the chord's frequencies in Hz (default: A major)")
    parser.add_argument("--rate", type=int, default=48000, help="sample rate in Hz")
    args = parser.parse_args()

    backends = [args.backend] if args.backend else None
    with miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.FLOAT32, sample_rate=args.rate,
                                  device_id=args.device, backends=backends) as device:
        samples = chord(args.freqs, args.duration, device.sample_rate, device.nchannels)
        print(f"playing {', '.join(f'{f:g}' for f in args.freqs)} Hz for {args.duration} s "
              f"on {device.backend}: {device.device_name}")
        # A float32 array holds FLOAT32 samples: the stream knows its format from the array.
        device.start(miniaudio.stream_raw_pcm_memory(samples, nchannels=device.nchannels, sample_width=4))
        device.wait()
        print(f"played {len(samples)} frames")


if __name__ == "__main__":
    main()
