#!/usr/bin/env python3
"""Regenerate the small test audio files in this directory.

Usage:  python samples/make_samples.py [--check]

Needs numpy and ffmpeg (with libmp3lame, flac and libvorbis encoders; if
libvorbis is missing, ffmpeg's native "vorbis" encoder is used with -strict -2).
The reference PCM comes from ``signals.py`` (numpy); the WAV files are written
here by hand with ``struct`` -- never with the package under test.  The
compressed files are encoded by ffmpeg from those WAV files.

The script is deterministic: running it again produces byte-identical files
(ffmpeg runs with +bitexact and without metadata).  ``--check`` regenerates
into a temporary directory and verifies that the committed files match.

Files written (all derived from signals.SIGNALS):

  tone_s16.wav      stereo 44100 Hz 1.0 s, 16-bit PCM (format tag 1)
  short_u8.wav      stereo 44100 Hz 0.5 s, 8-bit unsigned PCM
  short_s24.wav     stereo 44100 Hz 0.5 s, 24-bit PCM
  short_s32.wav     stereo 44100 Hz 0.5 s, 32-bit PCM, WAVE_FORMAT_EXTENSIBLE
  short_f32.wav     stereo 44100 Hz 0.5 s, 32-bit IEEE float (format tag 3, fact chunk)
  tone_16.flac      FLAC 16-bit of "tone"
  tone_24.flac      FLAC 24-bit of "tone"
  tone.mp3          MP3 128 kbit/s (LAME, with Xing/LAME header) of "tone"
  tone.ogg          Ogg Vorbis of "tone"
  mono_s16.wav      mono 22050 Hz 1.0 s 330 Hz, 16-bit PCM
  mono.flac         FLAC 16-bit of "mono"
  mono.mp3          MP3 (MPEG-2 layer III, 64 kbit/s) of "mono"
  mono.ogg          Ogg Vorbis of "mono"
  mono_flac.wav     copy of mono.flac with a misleading extension
  tone_mp3.dat      copy of tone.mp3 with an unknown extension
  mono_ogg.mp3      copy of mono.ogg with a misleading extension
"""

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from typing import Any, Dict, List

import numpy as np
import numpy.typing as npt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import signals  # noqa: E402

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"

WAVE_FORMAT_PCM = 1
WAVE_FORMAT_IEEE_FLOAT = 3
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# KSDATAFORMAT_SUBTYPE_PCM: 00000001-0000-0010-8000-00aa00389b71
GUID_PCM = struct.pack("<IHH", 1, 0, 0x10) + bytes([0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def pcm_bytes(pcm: "npt.NDArray[Any]", fmt: str) -> bytes:
    """Interleaved little-endian bytes for a (frames, channels) array."""
    if fmt == "s24":
        v = pcm.astype("<i4").reshape(-1)
        b = v.view(np.uint8).reshape(-1, 4)[:, :3]
        return b.tobytes()
    dtype = {"u8": "u1", "s16": "<i2", "s32": "<i4", "f32": "<f4"}[fmt]
    return np.ascontiguousarray(pcm.astype(dtype)).tobytes()


def write_wav(path: str, pcm: "npt.NDArray[Any]", rate: int, fmt: str, extensible: bool = False) -> None:
    nframes, nch = pcm.shape
    bits = {"u8": 8, "s16": 16, "s24": 24, "s32": 32, "f32": 32}[fmt]
    block_align = nch * bits // 8
    data = pcm_bytes(pcm, fmt)
    assert len(data) == nframes * block_align
    tag = WAVE_FORMAT_IEEE_FLOAT if fmt == "f32" else WAVE_FORMAT_PCM
    chunks = []
    if extensible:
        assert tag == WAVE_FORMAT_PCM
        channel_mask = {1: 0x4, 2: 0x3}[nch]
        fmt_body = struct.pack("<HHIIHH", WAVE_FORMAT_EXTENSIBLE, nch, rate, rate * block_align, block_align, bits)
        fmt_body += struct.pack("<HHI", 22, bits, channel_mask) + GUID_PCM
    else:
        fmt_body = struct.pack("<HHIIHH", tag, nch, rate, rate * block_align, block_align, bits)
        if tag == WAVE_FORMAT_IEEE_FLOAT:
            fmt_body += struct.pack("<H", 0)  # cbSize
    chunks.append(b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body)
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        chunks.append(b"fact" + struct.pack("<II", 4, nframes))
    pad = b"\x00" if len(data) % 2 else b""
    chunks.append(b"data" + struct.pack("<I", len(data)) + data + pad)
    body = b"WAVE" + b"".join(chunks)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def have_encoder(name: str) -> bool:
    out = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return any(line.split()[1:2] == [name] for line in out.splitlines() if line.strip())


def ffmpeg(src: str, dst: str, *codec_args: str) -> None:
    cmd = [FFMPEG, "-nostdin", "-y", "-hide_banner", "-loglevel", "error",
           "-i", src, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
           *codec_args, dst]
    subprocess.run(cmd, check=True)


def generate(outdir: str) -> None:
    tmp = tempfile.mkdtemp(prefix="mksamples")
    try:
        def j(name: str) -> str:
            return os.path.join(outdir, name)

        # --- hand-written WAV files (reference PCM from numpy) ---
        write_wav(j("tone_s16.wav"), signals.reference("tone", "s16"), 44100, "s16")
        write_wav(j("short_u8.wav"), signals.reference("short", "u8"), 44100, "u8")
        write_wav(j("short_s24.wav"), signals.reference("short", "s24"), 44100, "s24")
        write_wav(j("short_s32.wav"), signals.reference("short", "s32"), 44100, "s32", extensible=True)
        write_wav(j("short_f32.wav"), signals.reference("short", "f32"), 44100, "f32")
        write_wav(j("mono_s16.wav"), signals.reference("mono", "s16"), 22050, "s16")
        # 24-bit source for the 24-bit FLAC (not committed)
        tone24 = os.path.join(tmp, "tone_s24.wav")
        write_wav(tone24, signals.reference("tone", "s24"), 44100, "s24")

        # --- FLAC (lossless) ---
        ffmpeg(j("tone_s16.wav"), j("tone_16.flac"), "-c:a", "flac", "-compression_level", "8")
        ffmpeg(tone24, j("tone_24.flac"), "-c:a", "flac", "-compression_level", "8",
               "-sample_fmt", "s32", "-bits_per_raw_sample", "24")
        ffmpeg(j("mono_s16.wav"), j("mono.flac"), "-c:a", "flac", "-compression_level", "8")

        # --- MP3 (LAME; ffmpeg's mp3 muxer writes a Xing/LAME header with delay/padding) ---
        ffmpeg(j("tone_s16.wav"), j("tone.mp3"), "-c:a", "libmp3lame", "-b:a", "128k")
        ffmpeg(j("mono_s16.wav"), j("mono.mp3"), "-c:a", "libmp3lame", "-b:a", "64k")

        # --- Ogg Vorbis ---
        if have_encoder("libvorbis"):
            vorbis = ["-c:a", "libvorbis", "-q:a", "3"]
        else:
            vorbis = ["-c:a", "vorbis", "-strict", "-2"]
        ffmpeg(j("tone_s16.wav"), j("tone.ogg"), *vorbis)
        ffmpeg(j("mono_s16.wav"), j("mono.ogg"), *vorbis)

        # --- misleading / unknown extensions (content-based detection) ---
        shutil.copyfile(j("mono.flac"), j("mono_flac.wav"))
        shutil.copyfile(j("tone.mp3"), j("tone_mp3.dat"))
        shutil.copyfile(j("mono.ogg"), j("mono_ogg.mp3"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


AUDIO_EXTS = (".wav", ".flac", ".mp3", ".ogg", ".dat")


def digests(d: str) -> Dict[str, str]:
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(AUDIO_EXTS):
            with open(os.path.join(d, name), "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


def main(argv: List[str]) -> int:
    if "--check" in argv:
        tmpdir = tempfile.mkdtemp(prefix="samples-check")
        try:
            generate(tmpdir)
            new, old = digests(tmpdir), digests(HERE)
            bad = sorted(n for n in new if new[n] != old.get(n))
            if bad:
                print("differs from committed files:", ", ".join(bad))
                return 1
            print("all %d sample files are up to date" % len(new))
            return 0
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
    generate(HERE)
    total = 0
    for name in sorted(digests(HERE)):
        size = os.path.getsize(os.path.join(HERE, name))
        total += size
        print("%-16s %8d bytes" % (name, size))
    print("%-16s %8d bytes" % ("total", total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
