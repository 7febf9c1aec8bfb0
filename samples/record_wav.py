"""Record from a capture device into a WAV file.

Shows capture: the CaptureDevice sends each recorded chunk (a bytearray) into a generator; the
generator returns once it has enough, which ends the run, so wait() returns.  The frames are
then written with wav_write_file().

    python samples/record_wav.py out.wav --seconds 5
    python samples/record_wav.py out.wav --backend pulseaudio --device "monitor" --format f32 --rate 48000
"""

import argparse
import array

import miniaudio

FORMATS = {"s16": (miniaudio.SampleFormat.SIGNED16, "h"), "s32": (miniaudio.SampleFormat.SIGNED32, "i"),
           "f32": (miniaudio.SampleFormat.FLOAT32, "f")}


def record(buffer: bytearray, nbytes: int) -> miniaudio.CaptureCallbackGeneratorType:
    """Appends what it is sent to `buffer`; returns once it holds `nbytes` bytes."""
    while len(buffer) < nbytes:
        data = yield
        buffer += data


def main() -> None:
    parser = argparse.ArgumentParser(description="Record from a capture device into a WAV file.")
    parser.add_argument("output", help="the WAV file to write")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the capture device's name (default: the default device)")
    parser.add_argument("--seconds", "--duration", type=float, default=3.0, help="how long to record")
    parser.add_argument("--rate", type=int, default=44100, help="sample rate in Hz")
    parser.add_argument("--channels", type=int, default=2, help="number of channels")
    parser.add_argument("--format", choices=sorted(FORMATS), default="s16", help="sample format")
    args = parser.parse_args()

    sample_format, typecode = FORMATS[args.format]
    backends = [args.backend] if args.backend else None
    frames = round(args.seconds * args.rate)
    buffer = bytearray()
    with miniaudio.CaptureDevice(input_format=sample_format, nchannels=args.channels, sample_rate=args.rate,
                                 device_id=args.device, backends=backends) as device:
        print(f"recording {args.seconds} s from {device.backend}: {device.device_name}")
        frame_bytes = device.nchannels * device.sample_width
        device.start(record(buffer, frames * frame_bytes))
        device.wait()
    # The last chunk may overshoot: keep exactly the frames asked for.
    samples = array.array(typecode, buffer[:frames * frame_bytes])
    sound = miniaudio.DecodedSoundFile(args.output, args.channels, args.rate, sample_format, samples)
    miniaudio.wav_write_file(args.output, sound)
    print(f"wrote {sound.num_frames} frames ({sound.duration:.2f} s) to {args.output}")


if __name__ == "__main__":
    main()
