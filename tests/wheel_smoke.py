"""Smoke test of an installed miniaudio: run by cibuildwheel on every wheel it builds, and by
tests/test_wheel.py in a fresh virtual environment.  Needs nothing beyond the standard library.

Usage:  python wheel_smoke.py SAMPLES_DIR [--json OUT] [--forbid DIR]

Checks that the compiled module loads, decodes each format in SAMPLES_DIR (the repository's
samples/ folder, which the sdist carries too) and that the lossless files give the samples their
WAV originals hold; writes a WAV, reads it back, converts and streams.  --json writes a summary
(frame counts, a few samples and a digest of all samples of each decode) for comparing with
another build; --forbid fails when miniaudio was imported from below DIR (the source tree
rather than the installed wheel).  Exits non-zero with a message on the first failure.
"""

import array
import hashlib
import json
import os
import sys
import tempfile

# (file, sample format name) decoded to 16-bit stereo 44.1 kHz and in the file's own layout
DECODES = [
    ("tone_s16.wav", "SIGNED16"),
    ("tone_16.flac", "SIGNED16"),
    ("tone_24.flac", "SIGNED32"),
    ("tone.mp3", "FLOAT32"),
    ("tone.ogg", "FLOAT32"),
    ("mono_s16.wav", "SIGNED16"),
    ("mono.flac", "SIGNED16"),
    ("mono.mp3", "SIGNED16"),
    ("mono.ogg", "SIGNED16"),
]


def fail(message: str) -> None:
    sys.exit("wheel smoke test FAILED: " + message)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def summary(sound) -> dict:
    samples = sound.samples
    return {
        "nchannels": sound.nchannels,
        "sample_rate": sound.sample_rate,
        "num_frames": sound.num_frames,
        "typecode": samples.typecode,
        "first": list(samples[1000:1008]),
        "sha256": hashlib.sha256(samples.tobytes()).hexdigest(),
    }


def main(argv: list) -> dict:
    args = list(argv)
    out = forbid = None
    if "--json" in args:
        i = args.index("--json")
        out = args[i + 1]
        del args[i:i + 2]
    if "--forbid" in args:
        i = args.index("--forbid")
        forbid = os.path.realpath(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        fail("usage: wheel_smoke.py SAMPLES_DIR [--json OUT] [--forbid DIR]")
    samples_dir = args[0]

    import miniaudio
    from miniaudio import _miniaudio  # the compiled module

    where = os.path.realpath(_miniaudio.__file__)
    if forbid is not None:
        check(not where.startswith(forbid + os.sep), f"miniaudio was imported from {where}, below {forbid}")
    result = {"module": where, "lib_version": miniaudio.lib_version(), "decodes": {}}

    for name, fmt in DECODES:
        path = os.path.join(samples_dir, name)
        info = miniaudio.get_file_info(path)
        sound = miniaudio.decode_file(path, miniaudio.SampleFormat[fmt], nchannels=info.nchannels,
                                      sample_rate=info.sample_rate)
        check(sound.num_frames > 0 and len(sound.samples) == sound.num_frames * sound.nchannels,
              f"{name}: {sound.num_frames} frames, {len(sound.samples)} samples")
        result["decodes"][name] = summary(sound)
        with open(path, "rb") as f:
            again = miniaudio.decode(f.read(), miniaudio.SampleFormat[fmt], nchannels=info.nchannels,
                                     sample_rate=info.sample_rate)
        check(again.samples == sound.samples, f"{name}: decoding from memory differs from decoding the file")

    d = result["decodes"]
    # The lossless files hold exactly their WAV originals' samples.
    for wav, flac in (("tone_s16.wav", "tone_16.flac"), ("mono_s16.wav", "mono.flac")):
        check(d[wav]["sha256"] == d[flac]["sha256"], f"{flac} does not decode to the samples of {wav}")
    check(d["tone_s16.wav"]["num_frames"] == 44100 and d["tone_s16.wav"]["nchannels"] == 2,
          f"tone_s16.wav: {d['tone_s16.wav']}")
    check(d["mono_s16.wav"]["num_frames"] == 22050 and d["mono_s16.wav"]["nchannels"] == 1,
          f"mono_s16.wav: {d['mono_s16.wav']}")

    # Write a WAV and read it back; convert; stream.
    tone = miniaudio.decode_file(os.path.join(samples_dir, "tone_s16.wav"))
    with tempfile.TemporaryDirectory() as tmp:
        written = os.path.join(tmp, "written.wav")
        miniaudio.wav_write_file(written, tone)
        back = miniaudio.wav_read_file_s16(written)
        check(back.samples == tone.samples, "a WAV written by wav_write_file reads back different samples")
    as_float = miniaudio.convert_frames(miniaudio.SampleFormat.SIGNED16, 2, 44100, tone.samples.tobytes(),
                                        miniaudio.SampleFormat.FLOAT32, 1, 22050)
    check(abs(len(as_float) // 4 - 22050) <= 1, f"convert_frames gave {len(as_float) // 4} frames, not 22050")
    streamed = array.array("h")
    for chunk in miniaudio.stream_file(os.path.join(samples_dir, "tone_16.flac"), frames_to_read=1000):
        streamed.extend(chunk)
    check(streamed == tone.samples, "stream_file of tone_16.flac differs from decode_file of tone_s16.wav")
    check(isinstance(miniaudio.get_enabled_backends(), set), "get_enabled_backends() is not a set")

    if out is not None:
        with open(out, "w") as f:
            json.dump(result, f, indent=1)
    print(f"wheel smoke test passed: miniaudio {result['lib_version']} from {where}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
