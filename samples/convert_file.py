"""Convert an audio file (WAV, FLAC, MP3 or Ogg Vorbis) to a WAV file.

Shows whole-file decoding with conversion: decode_file() decodes and converts the sample format,
the number of channels and the sample rate in one go, and wav_write_file() writes the result
(float samples as a float WAV, which reads back exactly).

    python samples/convert_file.py samples/tone.mp3 tone.wav
    python samples/convert_file.py song.flac song.wav --rate 22050 --channels 1 --format f32
"""

import argparse

import miniaudio

FORMATS = {"u8": miniaudio.SampleFormat.UNSIGNED8, "s16": miniaudio.SampleFormat.SIGNED16,
           "s32": miniaudio.SampleFormat.SIGNED32, "f32": miniaudio.SampleFormat.FLOAT32}


def main() -> None:
    parser = argparse.ArgumentParser(description="Convert an audio file to a WAV file.")
    parser.add_argument("input", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    parser.add_argument("output", help="the WAV file to write")
    parser.add_argument("--rate", type=int, help="sample rate in Hz (default: the input's)")
    parser.add_argument("--channels", type=int, help="number of channels (default: the input's)")
    parser.add_argument("--format", choices=FORMATS, default="s16", help="sample format (default: s16)")
    parser.add_argument("--dither", action="store_true", help="triangle dither when reducing the bit depth")
    args = parser.parse_args()

    info = miniaudio.get_file_info(args.input)
    print(f"{args.input}: {info.file_format.name}, {info.nchannels} ch, {info.sample_rate} Hz, "
          f"{info.sample_format.name}, {info.num_frames} frames")
    dither = miniaudio.DitherMode.TRIANGLE if args.dither else miniaudio.DitherMode.NONE
    sound = miniaudio.decode_file(args.input, FORMATS[args.format], nchannels=args.channels or info.nchannels,
                                  sample_rate=args.rate or info.sample_rate, dither=dither)
    miniaudio.wav_write_file(args.output, sound)
    print(f"{args.output}: {sound.nchannels} ch, {sound.sample_rate} Hz, {sound.sample_format.name}, "
          f"{sound.num_frames} frames")


if __name__ == "__main__":
    main()
