"""Play an internet radio station (Icecast / SHOUTcast; MP3, Ogg Vorbis or FLAC) for a while.

Shows streaming from a source that is not a file: IceCastClient downloads the station in a
background thread, stream_any() decodes what it reads from the client, and a PlaybackDevice plays
that.  The station's title changes are printed as they arrive.

    python samples/play_radio.py http://radio.example.org:8000/stream.mp3 --duration 30
"""

import argparse

import miniaudio


def show_title(client: miniaudio.IceCastClient, title: str) -> None:
    print("now playing:", title)  # called on the client's download thread


def main() -> None:
    parser = argparse.ArgumentParser(description="Play an internet radio station for a while.")
    parser.add_argument("url", help="the station's stream URL (http:// or https://)")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--device", help="part of the playback device's name (default: the default device)")
    parser.add_argument("--duration", "--seconds", type=float, default=10.0, help="seconds to play")
    args = parser.parse_args()

    backends = [args.backend] if args.backend else None
    with miniaudio.IceCastClient(args.url, update_stream_title=show_title) as client:
        print(f"station: {client.station_name} ({client.station_genre}), {client.audio_format.name}")
        with miniaudio.PlaybackDevice(device_id=args.device, backends=backends) as device:
            stream = miniaudio.stream_any(client, client.audio_format, output_format=device.format,
                                          nchannels=device.nchannels, sample_rate=device.sample_rate)
            device.start(stream)
            if device.wait(timeout=args.duration):  # the station ended the stream
                print("the stream has ended")
            print(f"played {device.stats.frames / device.sample_rate:.1f} s of audio")


if __name__ == "__main__":
    main()
