"""Play an audio file (WAV, FLAC, MP3 or Ogg Vorbis) to the end.

Shows the simplest playback: stream_file() decodes the file in C, a PlaybackDevice plays that stream
on its audio thread without taking the GIL, and wait() returns once the end has been heard.

    python samples/play_file.py samples/tone.ogg
    python samples/play_file.py song.flac --backend pulseaudio --device "Speakers" --duration 10
"""

import argparse

import miniaudio


def main() -> None:
    parser = argparse.ArgumentParser(description="Play an audio file to the end.")
    parser.add_argument("file", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--duration", type=float, help="stop after this many seconds (default: play to the end)")
    args = parser.parse_args()

    info = miniaudio.get_file_info(args.file)
    print(f"{args.file}: {info.file_format.name}, {info.nchannels} ch, {info.sample_rate} Hz, {info.duration:.2f} s")
    backends = [args.backend] if args.backend else None
    with miniaudio.PlaybackDevice(nchannels=info.nchannels, sample_rate=info.sample_rate, device_id=args.device,
                                  backends=backends) as device:
        # The stream must deliver the device's format, channels and rate (stream_file converts).
        stream = miniaudio.stream_file(args.file, output_format=device.format, nchannels=device.nchannels,
                                       sample_rate=device.sample_rate)
        print(f"playing on {device.backend}: {device.device_name}")
        device.start(stream)
        if device.wait(timeout=args.duration):  # True once the end of the file has been played
            print(f"finished: played {stream.position} frames ({stream.position / device.sample_rate:.2f} s)")
        else:
            print(f"stopped after {args.duration} s")  # leaving the with-block closes the device


if __name__ == "__main__":
    main()
