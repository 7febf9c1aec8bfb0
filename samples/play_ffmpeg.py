"""Play a format miniaudio cannot decode (Opus, AAC, M4A, WMA, ...) by letting ffmpeg decode it.

Shows a playback generator fed by another program: ffmpeg decodes the file to raw 16-bit stereo
PCM on its standard output, and the generator reads from that pipe exactly the number of frames
the device asks for.  Needs the ffmpeg program.

    python samples/play_ffmpeg.py song.opus
    python samples/play_ffmpeg.py song.m4a --backend pulseaudio --duration 10
"""

import argparse
import subprocess
from typing import IO

import miniaudio

CHANNELS = 2
RATE = 44100
FRAME_BYTES = CHANNELS * 2  # 16-bit samples


def pcm_frames(pipe: IO[bytes]) -> miniaudio.PlaybackCallbackGeneratorType:
    """Yields as many frames as it is sent, read from `pipe`; returns at its end."""
    frames = yield b""
    while True:
        data = pipe.read(frames * FRAME_BYTES)
        if not data:
            return
        frames = yield data


def main() -> None:
    parser = argparse.ArgumentParser(description="Play any format ffmpeg can decode.")
    parser.add_argument("file", help="an audio file in any format ffmpeg knows")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--duration", type=float, help="stop after this many seconds (default: play to the end)")
    args = parser.parse_args()

    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", args.file,
               "-f", "s16le", "-acodec", "pcm_s16le", "-ac", str(CHANNELS), "-ar", str(RATE), "-"]
    backends = [args.backend] if args.backend else None
    with subprocess.Popen(command, stdout=subprocess.PIPE) as ffmpeg:
        assert ffmpeg.stdout is not None
        with miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.SIGNED16, nchannels=CHANNELS,
                                      sample_rate=RATE, device_id=args.device, backends=backends) as device:
            print(f"playing {args.file} on {device.backend}: {device.device_name}")
            device.start(pcm_frames(ffmpeg.stdout))
            finished = device.wait(timeout=args.duration)
        if not finished:
            ffmpeg.kill()
        print("finished" if finished else f"stopped after {args.duration} s")
    if finished and ffmpeg.returncode != 0:
        raise SystemExit(f"ffmpeg failed with exit code {ffmpeg.returncode}")


if __name__ == "__main__":
    main()
