"""List the playback and capture devices of an audio backend.

Shows enumeration: Devices() opens a context on a backend and lists its devices as dicts (name,
id, is_default, formats).  A device is then chosen by its name, or a part of it, or by its id:
PlaybackDevice(device_id="Speakers") or PlaybackDevice(device_id=entry["id"]).

    python samples/list_devices.py
    python samples/list_devices.py --backend pulseaudio --formats
"""

import argparse

import miniaudio


def main() -> None:
    parser = argparse.ArgumentParser(description="List the playback and capture devices of an audio backend.")
    parser.add_argument("--backend", help="audio backend, e.g. pulseaudio, alsa, null (default: the first that works)")
    parser.add_argument("--formats", action="store_true", help="also list each device's native formats")
    args = parser.parse_args()

    enabled = sorted(backend.name.lower() for backend in miniaudio.get_enabled_backends())
    print("backends compiled in:", ", ".join(enabled))
    with miniaudio.Devices(backends=[args.backend] if args.backend else None) as devices:
        print("using backend:", devices.backend)
        for kind, entries in (("playback", devices.get_playbacks()), ("capture", devices.get_captures())):
            print(f"{kind} devices:")
            for entry in entries:
                default = " (default)" if entry["is_default"] else ""
                print(f"    {entry['name']}{default}  id: {entry['id']}")
                if args.formats:
                    for f in entry["formats"]:
                        print(f"        {f['format']}, {f['channels']} ch, {f['samplerate']} Hz")


if __name__ == "__main__":
    main()
