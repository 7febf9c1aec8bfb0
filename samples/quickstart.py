"""Quick start: inspect, decode, convert and write audio with miniaudio.

Run from anywhere:  python samples/quickstart.py
"""

import array
import os
import sys
import tempfile

import miniaudio

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    print("miniaudio C library", miniaudio.lib_version())
    for name in ("tone_s16.wav", "tone_16.flac", "tone.mp3", "tone.ogg"):
        path = os.path.join(HERE, name)
        info = miniaudio.get_file_info(path)  # the format comes from the content
        print(info)
        sound = miniaudio.decode_file(path, miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=48000)
        peak = max(abs(min(sound.samples)), abs(max(sound.samples)))
        print(f"    decoded to {sound.nchannels} ch {sound.sample_rate} Hz float: "
              f"{sound.num_frames} frames, peak {peak:.3f}")

    # Convert 16-bit stereo at 44.1 kHz to 32-bit float mono at 22.05 kHz.
    stereo = miniaudio.wav_read_file_s16(os.path.join(HERE, "tone_s16.wav"))
    mono = miniaudio.convert_frames(miniaudio.SampleFormat.SIGNED16, stereo.nchannels, stereo.sample_rate,
                                    stereo.samples, miniaudio.SampleFormat.FLOAT32, 1, 22050)
    print(f"converted {stereo.num_frames} stereo frames to {len(mono) // 4} mono float frames")

    # Write the float samples to a WAV file and read them back exactly.
    sound = miniaudio.DecodedSoundFile("mono", 1, 22050, miniaudio.SampleFormat.FLOAT32, array.array("f", mono))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "mono_float.wav")
        miniaudio.wav_write_file(out, sound)
        back = miniaudio.wav_read_file_f32(out)
        print(f"wrote and read back {out}: {back}; identical: {back.samples == sound.samples}")
        return 0 if back.samples == sound.samples else 1


if __name__ == "__main__":
    sys.exit(main())
