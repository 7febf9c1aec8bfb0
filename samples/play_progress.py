"""Play a file and report its progress, and learn when it has finished.

Shows two ways.  The default: the stream is played in C without the GIL, the main thread reads
its ``position`` (readable while the device plays it), and ``on_finished`` is called on the
package's event thread once the end has been heard (1.71's ``stop_callback`` attribute is called
there too).  With --callbacks, the 1.71 way: stream_with_callbacks() wraps the stream in a Python
generator that calls progress_callback with each chunk's frame count and end_callback at the end
of the stream (both on the audio thread).

    python samples/play_progress.py samples/tone_16.flac --interval 0.25
    python samples/play_progress.py song.mp3 --callbacks --backend pulseaudio --duration 5
"""

import argparse
import threading

import miniaudio


def main() -> None:
    parser = argparse.ArgumentParser(description="Play a file and report its progress.")
    parser.add_argument("file", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--duration", type=float, help="stop after this many seconds (default: play to the end)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between progress reports")
    parser.add_argument("--callbacks", action="store_true", help="use stream_with_callbacks (1.71 style)")
    args = parser.parse_args()

    backends = [args.backend] if args.backend else None
    finished = threading.Event()
    played = 0  # frames counted by progress_callback (--callbacks)

    def on_progress(frames: int) -> None:  # --callbacks: on the audio thread, keep it short
        # Called with the number of frames the device asks for next, as in 1.71.
        nonlocal played
        played += frames

    def on_end() -> None:  # --callbacks: the wrapped stream has ended
        print("end of stream")

    def on_finished(device: miniaudio.AbstractDevice) -> None:  # the end has been heard
        print("finished")
        finished.set()

    with miniaudio.PlaybackDevice(device_id=args.device, backends=backends, on_finished=on_finished) as device:
        stream = miniaudio.stream_file(args.file, output_format=device.format, nchannels=device.nchannels,
                                       sample_rate=device.sample_rate)
        total = (stream.length or 0) / device.sample_rate
        if args.callbacks:
            device.start(miniaudio.stream_with_callbacks(stream, on_progress, end_callback=on_end))
        else:
            device.start(stream)
        elapsed, reported = 0.0, -1
        while not finished.wait(args.interval):
            elapsed += args.interval
            # Frames handed to the device so far: ahead of what is heard by up to its buffer.
            frames = played if args.callbacks else stream.position
            if frames != reported:
                print(f"{frames / device.sample_rate:6.2f} s / {total:.2f} s")
                reported = frames
            if args.duration is not None and elapsed >= args.duration:
                print("stopped")
                break
        print(f"{stream.position} frames of {stream.length} decoded")


if __name__ == "__main__":
    main()
