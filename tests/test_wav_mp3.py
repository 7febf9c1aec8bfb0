"""MP3 data inside a WAV container (format tag 0x0055, WAVE_FORMAT_MPEGLAYER3): every entry point
decodes exactly the samples of the bare MP3 data in the data chunk.

Before, the core refused the codec (dr_wav, wBitsPerSample 16) or "succeeded" through dr_mp3 scanning
the whole RIFF file for sync words (wBitsPerSample 0, as ffmpeg writes it): the LAME header's gapless
trim was lost (47232 frames of tone.mp3's 44100) and chunk bytes could be taken for audio.  Only
AudioFile had a detection of its own.  Now the core walks the RIFF chunks (bounded) and opens the MP3
decoder over the data chunk alone, for memory, paths and Python sources alike (source_wavmp3.c).
"""

import io
import os
import shutil
import struct
import subprocess
import time

import numpy as np
import pytest

import miniaudio

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
F32 = miniaudio.SampleFormat.FLOAT32
GUID_MP3 = struct.pack("<H", 0x0055) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def tone_mp3():
    with open(os.path.join(SAMPLES, "tone.mp3"), "rb") as f:
        return f.read()


def chunk(cid, payload, size=None):
    out = cid + struct.pack("<I", len(payload) if size is None else size) + payload
    return out + (b"\x00" if len(payload) % 2 else b"")


def fmt_mp3(bits=0, extensible=False, rate=44100, channels=2):
    if extensible:
        body = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, 16000, 1, bits, 22, 0, 3) + GUID_MP3
    else:  # MPEGLAYER3WAVEFORMAT: cbSize 12 and its five fields
        body = struct.pack("<HHIIHHH", 0x0055, channels, rate, 16000, 1, bits, 12) + struct.pack(
            "<HIHHH", 1, 2, 417, 1, 0)
    return chunk(b"fmt ", body)


def riff(*chunks, size=None):
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body) if size is None else size) + body


def mp3_wav(mp3, bits=0, extensible=False, before=(), after=(), data_size=None):
    """A hand-built WAV wrapping `mp3` (fact and LIST chunks between fmt and data, as ffmpeg)."""
    extra = [chunk(b"fact", struct.pack("<I", 44100)), chunk(b"LIST", b"INFOISFT\x04\x00\x00\x00abc\x00")]
    return riff(fmt_mp3(bits, extensible), *extra, *before, chunk(b"data", mp3, data_size), *after)


def data_chunk(wav):
    offset = 12
    while offset + 8 <= len(wav):
        cid, size = wav[offset:offset + 4], struct.unpack("<I", wav[offset + 4:offset + 8])[0]
        if cid == b"data":
            return wav[offset + 8:offset + 8 + size]
        offset += 8 + size + (size & 1)
    raise AssertionError("no data chunk")


def decoded(result):
    return np.frombuffer(result.samples, np.float32).reshape(-1, result.nchannels)


def reference(mp3):
    """The bare MP3 data decoded: what every entry point must give for the WAV around it."""
    return decoded(miniaudio.decode(mp3, F32))


def stream_all(stream):
    with stream:
        return np.concatenate([np.frombuffer(c, np.float32) for c in stream]).reshape(-1, 2)


class Seekable(miniaudio.StreamableSource):
    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, n):
        return self.f.read(n)

    def seek(self, offset, origin):
        self.f.seek(offset, {miniaudio.SeekOrigin.START: 0, miniaudio.SeekOrigin.CURRENT: 1}.get(origin, 2))
        return True

    def tell(self):
        return self.f.tell()


class Pipe(miniaudio.StreamableSource):
    """A source that cannot seek (its seek() returns False), read in small pieces."""

    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, n):
        return self.f.read(min(n, 1000))


def ffmpeg_wav(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "ffmpeg.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=44100",
                    "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "wav", str(path)], check=True, timeout=60)
    return path.read_bytes()


def to_end(wav):
    return wav, wav[wav.index(b"data") + 8:]


def cases(tmp_path):
    """(name, WAV bytes, bare MP3 data) for each way of wrapping."""
    mp3 = tone_mp3()
    made = [("bits0", mp3_wav(mp3, bits=0), mp3), ("bits16", mp3_wav(mp3, bits=16), mp3),
            ("extensible", mp3_wav(mp3, bits=0, extensible=True), mp3),
            ("odd-chunk-before", mp3_wav(mp3, before=[chunk(b"junk", b"xyz")]), mp3),
            # a data size of 0xFFFFFFFF (a writer that could not seek back) or past the end: the data
            # runs to the end of the file (its pad byte included)
            ("data-size-ffffffff", *to_end(mp3_wav(mp3, data_size=0xFFFFFFFF))),
            ("data-size-past-end", *to_end(mp3_wav(mp3, data_size=len(mp3) + 100000))),
            # chunk bytes after the data that look like MP3 sync words: never taken for audio
            ("sync-words-after", mp3_wav(mp3, after=[chunk(b"junk", b"\xff\xfb\x90\x64" * 300)]), mp3)]
    wav = ffmpeg_wav(tmp_path)
    made.append(("ffmpeg", wav, data_chunk(wav)))
    return made


def test_gapless_trim_kept():
    """The old failure in figures: 47232 frames through dr_mp3's sync-word scan, 44100 now."""
    mp3 = tone_mp3()
    assert miniaudio.decode(mp3_wav(mp3, bits=0), F32).num_frames == 44100 == reference(mp3).shape[0]


def test_every_entry_point_decodes_the_bare_data(tmp_path):
    for name, wav, mp3 in cases(tmp_path):
        expect = reference(mp3)
        frames = expect.shape[0]
        path = tmp_path / (name + ".wav")
        path.write_bytes(wav)
        assert np.array_equal(decoded(miniaudio.decode(wav, F32)), expect), name
        assert np.array_equal(decoded(miniaudio.decode(bytearray(wav), F32)), expect), name
        assert np.array_equal(decoded(miniaudio.decode_file(str(path), F32)), expect), name
        bare = tmp_path / (name + ".mp3")
        bare.write_bytes(mp3)
        info, bare_info = miniaudio.get_file_info(str(path)), miniaudio.get_file_info(str(bare))
        assert (info.file_format, info.nchannels, info.sample_rate, info.num_frames) == \
            (miniaudio.FileFormat.MP3, 2, 44100, bare_info.num_frames), name
        with miniaudio.stream_memory(mp3, F32) as stream:
            length = stream.length  # the bare data's (its header's count, as for any MP3)
        # the bare MP3 data's own samples in s16 too (decode's default)
        assert bytes(miniaudio.decode(wav).samples) == bytes(miniaudio.decode(mp3).samples), name
        for stream in (miniaudio.stream_memory(wav, F32), miniaudio.stream_file(str(path), F32),
                       miniaudio.stream_any(Seekable(wav), output_format=F32),
                       miniaudio.stream_any(Pipe(wav), output_format=F32)):
            assert np.array_equal(stream_all(stream), expect), (name, stream)
        for make in (lambda: miniaudio.stream_memory(wav, F32), lambda: miniaudio.stream_file(str(path), F32),
                     lambda: miniaudio.stream_any(Seekable(wav), output_format=F32)):
            with make() as stream:
                assert stream.length == length, name
                for at in (30000, 1000, 0, frames - 500):
                    stream.seek(at)
                    got = np.frombuffer(stream.send(400), np.float32).reshape(-1, 2)
                    assert np.array_equal(got, expect[at:at + 400]), (name, at)
        with miniaudio.stream_memory(wav, F32, seek_frame=20000) as stream:
            assert np.array_equal(np.frombuffer(stream.send(100), np.float32).reshape(-1, 2),
                                  expect[20000:20100]), name


def test_audiofile_agrees_with_the_core(tmp_path):
    for name, wav, mp3 in cases(tmp_path):
        expect = reference(mp3).T
        with miniaudio.AudioFile(mp3) as bare:
            frames = bare.frames  # the bare data's count (its LAME header's, as for any MP3)
        path = tmp_path / (name + ".wav")
        path.write_bytes(wav)
        shifted = io.BytesIO(b"prefix" + wav)
        shifted.seek(6)  # the WAV starts where the file object stands
        for source in (wav, str(path), io.BytesIO(wav), shifted):
            with miniaudio.AudioFile(source) as f:
                assert (f.samplerate, f.num_channels, f.frames, f.file_dtype) == (44100, 2, frames, "float32"), name
                assert np.array_equal(f.read(f.frames), expect), (name, type(source))
                f.seek(12345)
                assert np.array_equal(f.read(100), expect[:, 12345:12445]), name


def test_no_xing_header_counts_the_data_chunk_alone(tmp_path):
    """An MP3 without a Xing/LAME header (length counted by scanning frames): only the data chunk's
    frames count, not sync words in the chunks after it."""
    mp3 = tone_mp3()
    tag = mp3.find(b"Info")
    plain = mp3[:tag] + b"None" + mp3[tag + 4:]
    wav = mp3_wav(plain, after=[chunk(b"junk", b"\xff\xfb\x90\x64" * 300)])
    expect = reference(plain)
    path = tmp_path / "plain.wav"
    path.write_bytes(wav)
    assert miniaudio.get_file_info(str(path)).num_frames == expect.shape[0]
    assert np.array_equal(decoded(miniaudio.decode(wav, F32)), expect)
    with miniaudio.AudioFile(io.BytesIO(wav)) as f:
        assert f.frames == expect.shape[0]


# ---- the RIFF walk against hostile sizes ------------------------------------------------------------


def hostile():
    mp3 = tone_mp3()
    fmt = fmt_mp3()
    return {
        # a chunk claiming 4 GiB before the data: the walk stops, nothing is found as MP3 WAV
        "huge-chunk": riff(fmt, chunk(b"junk", b"abcd", 0xFFFFFFF0), chunk(b"data", mp3)),
        "huge-fmt": riff(chunk(b"fmt ", fmt[8:], 0xFFFFFFFF), chunk(b"data", mp3)),
        "zero-chunks": riff(fmt, *[chunk(b"junk", b"")] * 200, chunk(b"data", mp3)),
        "fmt-1-byte": riff(chunk(b"fmt ", b"\x55"), chunk(b"data", mp3)),
        "fmt-truncated-file": riff(fmt)[:26],
        "extensible-short": riff(chunk(b"fmt ", struct.pack("<HHIIHHH", 0xFFFE, 2, 44100, 0, 1, 0, 22)),
                                 chunk(b"data", mp3)),
        "no-data": riff(fmt, chunk(b"LIST", b"INFO")),
        "data-size-0": riff(fmt, chunk(b"data", b"", 0) + mp3),
        "data-odd-overlapping-end": riff(fmt, chunk(b"data", mp3[:1001], 0x7FFFFFFF)),
        "riff-only": b"RIFF\x04\x00\x00\x00WAVE",
        "data-garbage": riff(fmt, chunk(b"data", bytes(range(256)) * 40)),
    }


def outcome(call):
    try:
        return call()
    except (miniaudio.DecodeError, miniaudio.MiniaudioError) as e:
        return e


def test_hostile_walks_end_cleanly(tmp_path):
    """Every entry point ends with the same clean result (samples or DecodeError), quickly."""
    for name, wav in hostile().items():
        path = tmp_path / (name + ".wav")
        path.write_bytes(wav)
        start = time.monotonic()
        results = [outcome(lambda: decoded(miniaudio.decode(wav, F32))),
                   outcome(lambda: decoded(miniaudio.decode_file(str(path), F32))),
                   outcome(lambda: stream_all(miniaudio.stream_memory(wav, F32))),
                   outcome(lambda: stream_all(miniaudio.stream_file(str(path), F32))),
                   outcome(lambda: stream_all(miniaudio.stream_any(Seekable(wav), output_format=F32))),
                   outcome(lambda: stream_all(miniaudio.stream_any(Pipe(wav), output_format=F32)))]
        assert time.monotonic() - start < 20, name
        first = results[0]
        for got in results[1:]:
            if isinstance(first, Exception):
                assert isinstance(got, miniaudio.MiniaudioError), (name, got)
            else:
                assert not isinstance(got, Exception) and np.array_equal(got, first), (name, got)


def test_hostile_specific_outcomes(tmp_path):
    cases_ = hostile()
    mp3 = tone_mp3()
    with pytest.raises(miniaudio.DecodeError, match="without a data chunk"):
        miniaudio.decode(cases_["no-data"])
    path = tmp_path / "no-data.wav"
    path.write_bytes(cases_["no-data"])
    with pytest.raises(miniaudio.DecodeError, match="without a data chunk"):
        miniaudio.get_file_info(str(path))
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(cases_["data-size-0"])  # an empty data chunk: no MP3 taken from beyond it
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(cases_["data-garbage"])  # the data chunk alone holds no MP3 frame
    # a data size running past the end: the rest of the file, its frames exactly
    expect = reference(mp3[:1001])
    assert np.array_equal(decoded(miniaudio.decode(cases_["data-odd-overlapping-end"], F32)), expect)
    # 200 zero-size chunks: past the walk's 64 chunks, not decoded as MP3 WAV; a clean error
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(cases_["zero-chunks"], F32)


def test_plain_wav_and_mp3_untouched():
    """What is not MP3 in a WAV opens as before: PCM WAV through dr_wav, bare MP3 through dr_mp3."""
    with open(os.path.join(SAMPLES, "tone_s16.wav"), "rb") as f:
        wav = f.read()
    info = miniaudio.decode(wav)
    assert info.num_frames == 44100
    with miniaudio.stream_any(Pipe(wav)) as stream:
        assert sum(len(c) for c in stream) // 2 == 44100
    assert miniaudio.decode(tone_mp3()).num_frames == 44100


def test_audiofile_odd_pcm_width_reads_as_float32():
    """Found by the wav_mp3 fuzz target replaying the hostile corpus: a PCM WAV of 12-bit samples
    (a width with no numpy type) raised KeyError from AudioFile; it reads as float32, the samples
    the core decodes."""
    samples = struct.pack("<4h", 0, 16, -16, 32752)
    wav = riff(chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 12)), chunk(b"data", samples))
    expect = decoded(miniaudio.decode(wav, F32, 1, 8000)).T
    with miniaudio.AudioFile(wav) as f:
        assert f.file_dtype == "float32"
        assert np.array_equal(f.read(f.frames), expect)
