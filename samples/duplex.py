"""Pass captured audio straight through to playback, with a gain.

Shows duplex: a DuplexStream sends each captured chunk (a bytearray) into the generator, which
yields the frames to play.  numpy scales the chunk in place, through a float32 view of the
bytearray, so no copy is made.  Runs for --duration seconds.  (Use headphones: a microphone
next to the speakers feeds back.)

    python samples/duplex.py --gain 0.5 --duration 10
    python samples/duplex.py --backend pulseaudio --capture-device "USB" --device "Speakers"
"""

import argparse
import time

import numpy as np

import miniaudio


def amplify(gain: float) -> miniaudio.DuplexCallbackGeneratorType:
    """Yields each captured chunk back, its float32 samples multiplied by `gain`."""
    out: miniaudio.FramesType = b""
    while True:
        data = yield out
        samples = np.frombuffer(data, dtype=np.float32)  # a writable view of the bytearray
        samples *= gain
        np.clip(samples, -1.0, 1.0, out=samples)
        out = data


def main() -> None:
    parser = argparse.ArgumentParser(description="Pass captured audio through to playback, with a gain.")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--capture-device", help="part of the capture device's name (default: the default device)")
    parser.add_argument("--duration", "--seconds", type=float, default=5.0, help="seconds to run")
    parser.add_argument("--gain", type=float, default=1.0, help="linear gain, e.g. 0.5 for -6 dB")
    args = parser.parse_args()

    backends = [args.backend] if args.backend else None
    f32 = miniaudio.SampleFormat.FLOAT32
    # A small buffer keeps the delay between input and output short.
    with miniaudio.DuplexStream(playback_format=f32, capture_format=f32, sample_rate=48000, buffersize_msec=20,
                                playback_device_id=args.device, capture_device_id=args.capture_device,
                                backends=backends) as duplex:
        print(f"{duplex.backend}: {duplex.device_name}, gain {args.gain}, for {args.duration} s")
        duplex.start(amplify(args.gain))
        time.sleep(args.duration)
        duplex.stop()
        stats = duplex.stats
        print(f"passed {stats.frames} frames through in {stats.callbacks} callbacks "
              f"({stats.late_callbacks} late)")


if __name__ == "__main__":
    main()
