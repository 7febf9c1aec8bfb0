"""atheris fuzz targets for every entry point of miniaudio that parses untrusted bytes.

Run through tests/fuzz/run.py (it builds the instrumented extension, sets LD_PRELOAD, the sanitizer
options and PYTHONPATH):  python tests/fuzz/run.py TARGET [libFuzzer options] [files or corpus dirs]

A target accepts the package's documented exceptions (MiniaudioError and its DecodeError,
ValueError, TypeError, OverflowError, MemoryError; OSError for files) and lets anything else
escape, which libFuzzer reports as a crash, as it does sanitizer reports, signals and timeouts.

The stateful targets seek, source and agree (invariants beyond "no crash") are in stateful.py.

Input layout: the decoder targets take the whole input as the encoded file (so the seeds are plain
sample files).  The targets that also need choices (stream_memory, stream_any, convert) read them
from a fixed-size control block at the start of the input (CONTROL bytes) through
atheris.FuzzedDataProvider; the rest is the file or the PCM.
"""

import io
import os
import sys
import tempfile
import zlib

import atheris

# Coverage comes from the instrumented C module; the Python wrappers are not instrumented
# (atheris.instrument_imports added about 5% CPU per execution for little guidance).
import miniaudio  # noqa: E402
from miniaudio import _miniaudio as _ma  # noqa: E402

import stateful  # noqa: E402  (tests/fuzz/stateful.py, beside this script)

CONTROL = 64
OK = (miniaudio.MiniaudioError, ValueError, TypeError, OverflowError, MemoryError)
OK_FILE = OK + (OSError,)
FORMATS = list(miniaudio.SampleFormat)
DITHERS = list(miniaudio.DitherMode)
MIXES = list(miniaudio.ChannelMixMode)
FILE_FORMATS = list(miniaudio.FileFormat)
RATES = [8000, 11025, 22050, 44100, 48000, 96000]

# Guard against decoding or converting into a runaway output: the targets look for memory
# errors and crashes, not for "a 1 Hz file asked to be resampled to 384 kHz is large".  1 M
# samples: resampling a 6 KB file that claims 68 Hz to 96 kHz (millions of frames, a second of CPU
# under the sanitizers) covers nothing that a shorter output does not, and slows the run 10x.
MAX_OUTPUT_SAMPLES = 1_000_000


def _check_instrumented():
    """Refuse to fuzz the normal build (no coverage, no sanitizers): the instrumented one sits in a
    build/fuzz/<key>/ directory marked BUILT (tests/fuzz/build.py)."""
    build_dir = os.path.dirname(os.path.dirname(os.path.abspath(_ma.__file__)))
    if not os.path.exists(os.path.join(build_dir, "BUILT")):
        raise SystemExit(f"{_ma.__file__} is not the instrumented build: run the targets through tests/fuzz/run.py")


def _pick(fdp, seq):
    return seq[fdp.ConsumeIntInRange(0, len(seq) - 1)]


def _split(data):
    return atheris.FuzzedDataProvider(data[:CONTROL]), data[CONTROL:]


def _decode_params(data, info):
    """Output format, channels and rate for a decode, chosen from a checksum of the input (so the
    seeds stay plain files), or None when the decoded output could be runaway large."""
    h = zlib.crc32(data)
    fmt = FORMATS[h % len(FORMATS)]
    nchannels = (1, 2, 3, 6)[(h >> 4) % 4]
    rate = RATES[(h >> 8) % len(RATES)]
    dither = DITHERS[(h >> 12) % len(DITHERS)]
    mix = MIXES[(h >> 14) % len(MIXES)]
    order = (h >> 16) % 9
    if info.sample_rate and info.num_frames:
        expect = info.num_frames * max(1.0, rate / info.sample_rate) * nchannels
        if expect > MAX_OUTPUT_SAMPLES:
            # too long resampled: decode at the file's own rate instead (the decoder still runs)
            rate = info.sample_rate
            if info.num_frames * nchannels > MAX_OUTPUT_SAMPLES:
                return None
    return dict(output_format=fmt, nchannels=nchannels, sample_rate=rate, dither=dither, channel_mix=mix,
                resampler_order=order)


# ---- decoders on memory --------------------------------------------------------------------------


def target_auto(data):
    """get_info() with format detection, then decode() to a chosen format, channels and rate."""
    try:
        result = _ma.get_info(data, from_file=False, encoding=0)
    except OK:
        result = None
    try:
        if result is None:
            # still try decode: it must fail cleanly too
            miniaudio.decode(data, nchannels=2, sample_rate=44100)
            return
        info = miniaudio.SoundFileInfo("<fuzz>", miniaudio.FileFormat(result[0]), result[1], result[2],
                                       miniaudio.SampleFormat(result[3]), 0.0, result[4])
        params = _decode_params(data, info)
        if params is not None:
            miniaudio.decode(data, **params)
    except OK:
        pass


def _format_target(get_info, readers):
    def target(data):
        try:
            info = get_info(data)
        except OK:
            info = None
        reader = readers[zlib.crc32(data) % len(readers)]
        if info is not None and info.num_frames * info.nchannels > MAX_OUTPUT_SAMPLES:
            return
        try:
            reader(data)
        except OK:
            pass

    return target


target_wav = _format_target(miniaudio.wav_get_info,
                            [miniaudio.wav_read_s16, miniaudio.wav_read_s32, miniaudio.wav_read_f32])
target_flac = _format_target(miniaudio.flac_get_info,
                             [miniaudio.flac_read_s16, miniaudio.flac_read_s32, miniaudio.flac_read_f32])
target_mp3 = _format_target(miniaudio.mp3_get_info, [miniaudio.mp3_read_s16, miniaudio.mp3_read_f32])
_vorbis_readers = _format_target(miniaudio.vorbis_get_info, [miniaudio.vorbis_read])


def _info_outcome(data, info_only):
    try:
        return ("ok", _ma.get_info(data, from_file=False, encoding=miniaudio.FileFormat.VORBIS.value,
                                   info_only=info_only))
    except OK as e:
        return ("error", type(e).__name__, str(e))


def target_vorbis(data):
    """vorbis_get_info() then vorbis_read(), and the invariant of the info-only decoder: it gives
    exactly the answer (values, or exception type and message) of the full decoder."""
    _vorbis_readers(data)
    fast, full = _info_outcome(data, True), _info_outcome(data, False)
    if fast != full:
        raise AssertionError(f"info-only decoder {fast!r} != full decoder {full!r}")


# ---- files ---------------------------------------------------------------------------------------

_TMP = None


def target_decode_file(data):
    """get_file_info / decode_file / a few chunks of stream_file on a temporary file (the file
    source shares the decoders with the memory one; this covers the file I/O callbacks)."""
    global _TMP
    if _TMP is None:
        _TMP = tempfile.mkdtemp(prefix="miniaudio-fuzz-")
    path = os.path.join(_TMP, "input.bin")
    with open(path, "wb") as f:
        f.write(data)
    try:
        info = miniaudio.get_file_info(path)
    except OK_FILE:
        info = None
    h = zlib.crc32(data)
    try:
        if h & 1:
            if info is None or info.num_frames * 2 < MAX_OUTPUT_SAMPLES:
                miniaudio.decode_file(path, nchannels=2, sample_rate=info.sample_rate if info else 44100)
        else:
            stream = miniaudio.stream_file(path, nchannels=1, sample_rate=22050, frames_to_read=4096)
            with stream:
                for _, _chunk in zip(range(8), stream):
                    pass
    except OK_FILE:
        pass


# ---- streams -------------------------------------------------------------------------------------


def _drive(fdp, stream, max_ops=24):
    """Random next()/send()/seek()/properties on a DecoderStream; documented errors are fine."""
    for _ in range(fdp.ConsumeIntInRange(1, max_ops)):
        op = fdp.ConsumeIntInRange(0, 9)
        try:
            if op <= 3:
                next(stream)
            elif op <= 6:
                sizes = [1, 2, 3, 7, 64, 511, 1024, 4097, 30000, 0, -1, fdp.ConsumeIntInRange(-2, 1 << 16)]
                length = stream.length
                if length and length * stream.nchannels <= MAX_OUTPUT_SAMPLES:
                    # above 65536 frames send() decodes into a growing buffer (up to the rest of a
                    # stream); only where the rest is known to be bounded, or one call could decode
                    # a 1 Hz file resampled to 96 kHz
                    sizes += [65537, 1 << 20, 1 << 31, 1 << 40, fdp.ConsumeIntInRange(1 << 16, 1 << 24)]
                stream.send(_pick(fdp, sizes))
            elif op == 7:
                length = stream.length
                frame = _pick(fdp, [0, 1, 17, 4095, fdp.ConsumeIntInRange(0, 1 << 20), -1, 1 << 62,
                                    (length or 0), (length or 0) + 1, max(0, (length or 0) - 1)])
                stream.seek(frame)
            elif op == 8:
                _ = (stream.position, stream.length, stream.nchannels, stream.sample_rate, stream.sample_format)
            else:
                stream.send(None)
        except StopIteration:
            if fdp.ConsumeBool():
                return
        except OK:
            pass


def target_stream_memory(data):
    """stream_memory() with random formats, chunk sizes, send() sizes and seeks interleaved."""
    fdp, payload = _split(data)
    fmt = _pick(fdp, FORMATS)
    chunk_type = _pick(fdp, ["array", "bytes", "numpy"])
    try:
        stream = miniaudio.stream_memory(
            payload, output_format=fmt, nchannels=fdp.ConsumeIntInRange(1, 8),
            sample_rate=_pick(fdp, RATES), frames_to_read=_pick(fdp, [1, 100, 1024, 4096]),
            dither=_pick(fdp, DITHERS), seek_frame=_pick(fdp, [0, 0, 0, 1, 1000, fdp.ConsumeIntInRange(0, 1 << 24)]),
            chunk_type=chunk_type)
    except OK:
        return
    try:
        _drive(fdp, stream)
    finally:
        stream.close()


class _Boom(Exception):
    """What a misbehaving source raises: must surface as DecodeError (its __cause__)."""


class FuzzSource(miniaudio.StreamableSource):
    """A source over the payload that misbehaves as the control bytes say: short or odd reads,
    reads of more than asked, wrong types, exceptions, failing or lying seeks."""

    def __init__(self, fdp, payload):
        self.data = payload
        self.pos = 0
        self.fdp = fdp
        self.mode = fdp.ConsumeIntInRange(0, 7)

    def read(self, num_bytes):
        fdp = self.fdp
        mode = self.mode
        kind = fdp.ConsumeIntInRange(0, 15) if mode >= 4 else 0
        if kind == 1:
            raise _Boom("read failed")
        if kind == 2:
            return _pick(fdp, ["text", 42, None, [1, 2], 3.5, object()])
        if kind == 3:
            return self.data[self.pos:self.pos + num_bytes + 1 + fdp.ConsumeIntInRange(0, 100)]  # too much
        if mode in (1, 5):  # odd sizes
            num_bytes = min(num_bytes, fdp.ConsumeIntInRange(0, 97))
        elif mode in (2, 6):
            num_bytes = min(num_bytes, 1)
        chunk = self.data[self.pos:self.pos + max(0, num_bytes)]
        self.pos += len(chunk)
        wrap = fdp.ConsumeIntInRange(0, 3) if mode >= 4 else 0
        if wrap == 1:
            return memoryview(chunk)
        if wrap == 2:
            return bytearray(chunk)
        return chunk

    def seek(self, offset, origin):
        fdp = self.fdp
        if self.mode in (3, 7):
            kind = fdp.ConsumeIntInRange(0, 5)
            if kind == 1:
                raise _Boom("seek failed")
            if kind == 2:
                return False
            if kind == 3:
                return _pick(fdp, [None, "yes", 2])
        base = {miniaudio.SeekOrigin.START: 0, miniaudio.SeekOrigin.CURRENT: self.pos}.get(origin, len(self.data))
        target = base + offset
        if target < 0:
            return False
        self.pos = target
        return True


def target_stream_any(data):
    """stream_any() over a misbehaving Python source (or a BytesIO), with random stream ops."""
    fdp, payload = _split(data)
    if fdp.ConsumeIntInRange(0, 5) == 0:
        source = io.BytesIO(payload)
    else:
        source = FuzzSource(fdp, payload)
    try:
        stream = miniaudio.stream_any(
            source, source_format=_pick(fdp, FILE_FORMATS), output_format=_pick(fdp, FORMATS[1:]),
            nchannels=fdp.ConsumeIntInRange(1, 6), sample_rate=_pick(fdp, RATES),
            frames_to_read=_pick(fdp, [1, 333, 1024]), dither=_pick(fdp, DITHERS),
            seek_frame=_pick(fdp, [0, 0, 5, 5000]))
    except OK:
        return
    except _Boom:
        return  # raised while opening: the constructor lets it through (checked below for reads)
    try:
        _drive(fdp, stream, max_ops=16)
    except _Boom as e:
        raise AssertionError("an exception from the source escaped the stream without DecodeError") from e
    finally:
        stream.close()


# ---- conversion ----------------------------------------------------------------------------------


def _channels(fdp):
    return _pick(fdp, [1, 2, 3, 6, 8, 0, -1, 254, 255, 256, 1 << 31, fdp.ConsumeIntInRange(0, 300)])


def _rate(fdp):
    return _pick(fdp, RATES + [0, -1, 1, 384000, 384001, 1 << 32, fdp.ConsumeIntInRange(1, 400000)])


def _fmt(fdp):
    return _pick(fdp, FORMATS + [-1, 6, 99])


def target_convert(data):
    """convert_frames() / convert_sample_format() with random formats, channel counts (incl. 0 and
    huge), rates and buffer lengths (incl. ones that are not whole frames)."""
    fdp, pcm = _split(data)
    dither = _pick(fdp, DITHERS + [7])
    if fdp.ConsumeBool():
        from_fmt, to_fmt = _fmt(fdp), _fmt(fdp)
        try:
            bulk = _ma.convert_sample_format(from_fmt, pcm, to_fmt, dither)
        except OK:
            return
        if from_fmt == miniaudio.SampleFormat.FLOAT32 and dither == miniaudio.DitherMode.NONE and len(pcm) >= 64:
            # the result must not depend on how the samples are chunked (stream frames_to_read=1 vs
            # decode(): issue 13's f32 -> s16 LSB): the first 8 samples one at a time
            width = len(bulk) // (len(pcm) // 4)
            for i in range(8):
                one = _ma.convert_sample_format(from_fmt, pcm[4 * i:4 * i + 4], to_fmt, dither)
                if bytes(one) != bytes(bulk[width * i:width * i + width]):
                    stateful.fail("stream-eq-decode", f"sample {i} converted alone gives {bytes(one).hex()}, in "
                                  f"a buffer {bytes(bulk[width * i:width * i + width]).hex()} ({to_fmt})")
                    break
        return
    from_fmt, from_ch, from_rate = _fmt(fdp), _channels(fdp), _rate(fdp)
    to_fmt, to_ch, to_rate = _fmt(fdp), _channels(fdp), _rate(fdp)
    mix = _pick(fdp, MIXES + [9])
    order = _pick(fdp, [0, 1, 4, 8, 9, -1])
    if isinstance(from_ch, int) and 0 < from_ch < 1000 and isinstance(to_ch, int) and 0 < to_ch < 1000 \
            and 0 < from_rate and 0 < to_rate:
        frames = len(pcm) // from_ch  # at least as many as there are (1-byte samples)
        # (a quarter of the decoders' bound: resampling is the slow part under ASan)
        if frames * max(1.0, to_rate / from_rate) * to_ch > MAX_OUTPUT_SAMPLES // 4:
            return
    try:
        _ma.convert_frames(from_fmt, from_ch, from_rate, pcm, to_fmt, to_ch, to_rate, dither, mix, order)
    except OK:
        pass


# ---- tags ----------------------------------------------------------------------------------------

_TAG_FORMATS = [miniaudio.FileFormat.WAV, miniaudio.FileFormat.FLAC, miniaudio.FileFormat.MP3,
                miniaudio.FileFormat.VORBIS]


def _check_tags(tags, where):
    if not isinstance(tags, dict) or not set(tags) <= set(miniaudio._tags.TAG_FIELDS) or \
            not all(isinstance(v, str) and v and len(v.encode("utf-8", "surrogatepass")) <= 65536 * 3
                    for v in tags.values()):
        raise AssertionError(f"{where}: not a dict of fields to non-empty str: {tags!r}")


def target_tags(data):
    """The tag parsers (miniaudio_c/tags.c, tags_id3.c) on the input as each of the four formats
    (they never raise: bad tags give fewer fields), then as one of them through a temporary file and
    a Python file object, which must give the same fields, then the public read_tags() (decoder
    check first: the documented exceptions only) on memory, a file object and a path, which agree."""
    global _TMP
    by_format = {}
    for fmt in _TAG_FORMATS:
        by_format[fmt] = _ma.read_tags(data, 0, fmt.value)[1]
        _check_tags(by_format[fmt], fmt.name)
    if _TMP is None:
        _TMP = tempfile.mkdtemp(prefix="miniaudio-fuzz-")
    path = os.path.join(_TMP, "tags.bin")
    with open(path, "wb") as f:
        f.write(data)
    fmt = _TAG_FORMATS[zlib.crc32(data) % 4]
    for how, source, kind in (("file", path, 1), ("file object", io.BytesIO(data), 2)):
        got = _ma.read_tags(source, kind, fmt.value)[1]
        if got != by_format[fmt]:
            raise AssertionError(f"{fmt.name} from a {how}: {got!r} != from memory {by_format[fmt]!r}")
    outcomes = []
    for source in (data, io.BytesIO(data), path):
        try:
            tags = miniaudio.read_tags(source)
            _check_tags(tags, "read_tags")
            outcomes.append(tags)
        except OK_FILE as e:
            outcomes.append(type(e).__name__)
    if outcomes[0] != outcomes[2]:
        raise AssertionError(f"read_tags(bytes) {outcomes[0]!r} != read_tags(path) {outcomes[2]!r}")


# ---- MP3 data in a WAV container (source_wavmp3.c) --------------------------------------------------


class _Pipe:
    """A Python source that cannot seek: the window over the replayed header bytes."""

    def __init__(self, data):
        self._f = io.BytesIO(data)

    def read(self, n):
        return self._f.read(min(n, 777))

    def seek(self, offset, origin):
        return False


_WAV_MP3_FILE = os.path.join(tempfile.gettempdir(), "miniaudio-fuzz-wav-mp3-%d.wav" % os.getpid())


def target_wav_mp3(data):
    """The RIFF walk and the MP3 decoder's window, from memory, a path, a seekable file object and
    a pipe: get_info, decode, a stream read with seeks, AudioFile.  Seeds are MP3 samples wrapped
    in WAV headers (fmt tag 0x0055), so the mutations hit chunk sizes, the fmt chunk and the data."""
    try:
        result = _ma.get_info(data, from_file=False, encoding=0)
        info = miniaudio.SoundFileInfo("<fuzz>", miniaudio.FileFormat(result[0]), result[1], result[2],
                                       miniaudio.SampleFormat(result[3]), 0.0, result[4])
        params = _decode_params(data, info)
        if params is not None:
            miniaudio.decode(data, **params)
    except OK:
        pass
    with open(_WAV_MP3_FILE, "wb") as f:
        f.write(data)
    try:
        for stream in (lambda: miniaudio.stream_file(_WAV_MP3_FILE, frames_to_read=4096),
                       lambda: miniaudio.stream_any(io.BytesIO(data), frames_to_read=4096),
                       lambda: miniaudio.stream_any(_Pipe(data), frames_to_read=4096)):
            try:
                with stream() as s:
                    for i, _ in enumerate(s):
                        if i == 2:
                            s.seek(1000)  # a pipe refuses it: a documented error ends this stream
                        if i > 6:
                            break
            except OK:
                pass
        try:
            with miniaudio.AudioFile(data) as f:
                f.read(2048)
                f.seek(min(f.frames, 500))
                f.read(100)
        except OK + (RuntimeError,):
            pass
    finally:
        os.unlink(_WAV_MP3_FILE)


TARGETS = {
    "auto": target_auto,
    "wav": target_wav,
    "flac": target_flac,
    "mp3": target_mp3,
    "vorbis": target_vorbis,
    "decode_file": target_decode_file,
    "stream_memory": target_stream_memory,
    "stream_any": target_stream_any,
    "convert": target_convert,
    "tags": target_tags,


    "wav_mp3": target_wav_mp3,
}
TARGETS.update(stateful.TARGETS)  # seek, source, agree: invariants beyond "no crash" (stateful.py)
CONTROL_TARGETS = {"stream_memory", "stream_any", "convert", "seek", "source"}


def main():
    # The target is named by $MINIAUDIO_FUZZ_TARGET (so that libFuzzer's -jobs/-fork, which
    # re-run argv, keep it) or by the first argument.
    name = os.environ.get("MINIAUDIO_FUZZ_TARGET")
    if not name and len(sys.argv) > 1:
        name = sys.argv.pop(1)
    if name not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer args]; targets: {', '.join(TARGETS)}")
    _check_instrumented()
    if os.environ.get("MINIAUDIO_FUZZ_CPU_TIME"):
        cpu_times(TARGETS[name], sys.argv[1:])
        return
    atheris.Setup(sys.argv, TARGETS[name])
    atheris.Fuzz()


def cpu_times(target, paths):
    """Run each file (directories: each file in them) once and print the CPU time it took (libFuzzer's
    -timeout is wall-clock, which on a busy shared machine measures the neighbours): the slowest
    inputs first.  Exceptions fail as in fuzzing."""
    import time
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += [os.path.join(path, f) for f in sorted(os.listdir(path))]
        elif not path.startswith("-"):
            files.append(path)
    times = []
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        start = time.process_time()
        target(data)
        times.append((time.process_time() - start, path))
    times.sort(reverse=True)
    for cpu, path in times[:10]:
        print(f"{cpu:8.3f} s CPU  {path}")
    print(f"inputs: {len(times)}, slowest: {times[0][0] if times else 0:.3f} s CPU")


if __name__ == "__main__":
    main()
