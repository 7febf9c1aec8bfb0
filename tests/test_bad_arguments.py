"""Bad arguments to every public function, class and method of miniaudio.__all__.

A table (ROWS) of calls with wrong types, wrong enum values (out of range, members of other
enums), zero, negative and huge sizes (-1, 0, sys.maxsize, 2**63, 2**64), partial frames,
non-buffers, closed objects and None.  Each row names the exception it must raise -- TypeError,
ValueError, OverflowError, the package's own (MiniaudioError, DecodeError, IceCastError), or an
OSError for a file-system problem -- and, where the message can sensibly name the argument, the
text it must contain.  Never SystemError, AttributeError, ZeroDivisionError, struct.error or a
crash: the table runs in-process, so a crash kills pytest and fails the run.

Devices run on the NULL backend; IceCastClient methods run against a local HTTP server (no
network).  test_every_public_callable_is_covered checks that the table leaves no public callable
out.
"""

import array
import http.server
import io
import os
import sys
import threading

import pytest

import miniaudio
from miniaudio import Backend, ChannelMixMode as CM, DitherMode as DM, FileFormat as FF, SampleFormat as SF
from miniaudio import ThreadPriority as TP

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), "samples")
WAV_PATH = os.path.join(SAMPLES, "tone_s16.wav")
OGG_PATH = os.path.join(SAMPLES, "tone.ogg")
MP3_PATH = os.path.join(SAMPLES, "tone.mp3")
with open(WAV_PATH, "rb") as _f:
    WAV = _f.read()
with open(MP3_PATH, "rb") as _f:
    MP3 = _f.read()
NULL = [Backend.NULL]
MISSING = os.path.join(HERE, "no such dir", "no such file.wav")
BIG = (sys.maxsize, 2**63, 2**64)
PEN = b"\0" * 400  # 100 frames of 16-bit stereo
OWN = (miniaudio.MiniaudioError, miniaudio.IceCastError)

ROWS = []  # (id, callable, expected exception class(es), text the message must contain or None)
COVERED = set()  # public names (and Class.method) the table calls


def row(rid, fn, exc, name=None, covers=None):
    ROWS.append((rid, fn, exc, name))
    if covers:
        COVERED.add(covers)


def call(fn, *args, **kw):
    """fn(*args, **kw); a stream or generator it returns is read once (some arguments only
    matter then); a device is closed."""

    def run():
        result = fn(*args, **kw)
        if isinstance(result, miniaudio.DecoderStream) or hasattr(result, "__next__"):
            try:
                next(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        elif isinstance(result, miniaudio.AbstractDevice):
            result.close()
        return result

    return run


# ---- bad values by kind of parameter ------------------------------------------------------------
# Each gives (label, value, exception, must the message name the argument?).

TYPES = [("None", None), ("str", "x"), ("bytes", b"x"), ("float", 1.5), ("nan", float("nan")), ("object", object()),
         ("list", []), ("bool", True)]


def enum_bad(cls, other):
    out = [(label, v, TypeError, True) for label, v in TYPES]
    out.append(("other-enum", other, TypeError, True))
    values = {m.value for m in cls}
    out += [("int-%d" % v, v, ValueError, True) for v in (-1, 99, 2**63, -2**63, 2**64) if v not in values]
    return out


def count_bad(lo=1, hi=None, zero_ok=False):
    out = [(label, v, TypeError, True) for label, v in TYPES]
    out.append(("enum", SF.SIGNED16, TypeError, True))
    out.append(("-1", -1, ValueError, True))
    if not zero_ok and lo > 0:
        out.append(("0", 0, ValueError, True))
    if hi is not None:
        out.append(("max+1", hi + 1, ValueError, True))
    out += [("big-%d" % i, v, ValueError, True) for i, v in enumerate(BIG)]
    return out


def frames_bad(lo=1):
    """frames_to_read / seek_frame style: Python-checked ints."""
    out = [(label, v, TypeError, True) for label, v in TYPES]
    out.append(("enum", SF.SIGNED16, TypeError, True))
    out.append(("-1", -1, ValueError, True))
    if lo > 0:
        out.append(("0", 0, ValueError, True))
    out += [("2**63", 2**63, OverflowError, True), ("2**64", 2**64, OverflowError, True)]
    return out


def buffer_bad():
    out = [(label, v, TypeError, True) for label, v in TYPES if label not in ("bytes",)]
    out.append(("str-data", "RIFF....WAVE", TypeError, True))
    out.append(("strided", memoryview(WAV)[::2], ValueError, True))
    return out


def path_bad():
    out = [(label, v, TypeError, True) for label, v in TYPES if label not in ("str", "bytes")]
    out += [("nul", "a\0b.wav", ValueError, False), ("missing", MISSING, FileNotFoundError, False),
            ("directory", SAMPLES, IsADirectoryError, False), ("empty", "", FileNotFoundError, False)]
    return out


def add_param_rows(label, fn, valid, param, bads, covers, message_name=None):
    """One row per bad value of `param`; `named` is True (the message names the parameter),
    False (it need not), or the text the message must contain."""
    for bad_label, value, exc, named in bads:
        kw = dict(valid)
        kw[param] = value
        text = (message_name or param) if named is True else (named or None)
        row("%s-%s-%s" % (label, param, bad_label), call(fn, **kw), exc, text, covers)


# ---- decoding and conversion -------------------------------------------------------------------

DECODE_OPTS = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100, dither=DM.NONE,
                   channel_mix=CM.RECTANGULAR, resampler_order=4)


def decode_option_rows(label, fn, valid, covers):
    add_param_rows(label, fn, valid, "output_format", [b for b in enum_bad(SF, DM.TRIANGLE)], covers)
    add_param_rows(label, fn, valid, "nchannels", count_bad(hi=254), covers)
    add_param_rows(label, fn, valid, "sample_rate", count_bad(hi=384000), covers)
    add_param_rows(label, fn, valid, "dither", enum_bad(DM, SF.SIGNED16), covers)
    add_param_rows(label, fn, valid, "channel_mix", enum_bad(CM, DM.NONE) + [("customweights", CM.CUSTOMWEIGHTS,
                                                                              ValueError, True)], covers)
    add_param_rows(label, fn, valid, "resampler_order", count_bad(lo=0, hi=8), covers)


add_param_rows("decode", miniaudio.decode, dict(data=WAV), "data", buffer_bad(), "decode")
decode_option_rows("decode", miniaudio.decode, dict(data=WAV, **DECODE_OPTS), "decode")
row("decode-empty", call(miniaudio.decode, b""), miniaudio.DecodeError, "empty", "decode")
row("decode-output-format-s24", call(miniaudio.decode, WAV, SF.SIGNED24), ValueError, "SIGNED24", "decode")
add_param_rows("decode_file", miniaudio.decode_file, dict(filename=WAV_PATH), "filename", path_bad(), "decode_file")
decode_option_rows("decode_file", miniaudio.decode_file, dict(filename=WAV_PATH, **DECODE_OPTS), "decode_file")
row("decode_file-not-audio", call(miniaudio.decode_file, os.path.abspath(__file__)), miniaudio.DecodeError,
    "not a valid", "decode_file")

for fname in ("wav_read_s16", "wav_read_s32", "wav_read_f32", "flac_read_s16", "flac_read_s32", "flac_read_f32",
              "mp3_read_s16", "mp3_read_f32", "vorbis_read", "wav_get_info", "flac_get_info", "mp3_get_info",
              "vorbis_get_info"):
    fn = getattr(miniaudio, fname)
    add_param_rows(fname, fn, dict(data=WAV), "data", buffer_bad(), fname)
    row(fname + "-wrong-format", call(fn, b"\x01" * 1000 if fname.startswith("wav") else WAV), miniaudio.DecodeError,
        "not a valid", fname)
for fname in ("wav_read_file_s16", "wav_read_file_s32", "wav_read_file_f32", "flac_read_file_s16",
              "flac_read_file_s32", "flac_read_file_f32", "mp3_read_file_s16", "mp3_read_file_f32", "vorbis_read_file",
              "wav_get_file_info", "flac_get_file_info", "mp3_get_file_info", "vorbis_get_file_info", "get_file_info",
              "read_file"):
    fn = getattr(miniaudio, fname)
    add_param_rows(fname, fn, dict(filename=WAV_PATH), "filename", path_bad(), fname)

def output_bound_bad():
    """max_output_bytes: None is the default bound and any int >= 1 (even 2**64) a valid one."""
    out = [(label, v, TypeError, True) for label, v in TYPES if label != "None"]
    out.append(("enum", SF.SIGNED16, TypeError, True))
    out += [("-1", -1, ValueError, True), ("0", 0, ValueError, True), ("-2**63", -2**63, ValueError, True),
            ("-2**64", -2**64, ValueError, True)]
    return out


add_param_rows("decode", miniaudio.decode, dict(data=WAV), "max_output_bytes", output_bound_bad(), "decode")
add_param_rows("decode_file", miniaudio.decode_file, dict(filename=WAV_PATH), "max_output_bytes", output_bound_bad(),
               "decode_file")
for fname in ("wav_read_s16", "flac_read_f32", "mp3_read_s16", "vorbis_read"):
    add_param_rows(fname, getattr(miniaudio, fname), dict(data=WAV), "max_output_bytes", output_bound_bad()[-4:],
                   fname)
for fname in ("wav_read_file_s32", "read_file"):
    add_param_rows(fname, getattr(miniaudio, fname), dict(filename=WAV_PATH), "max_output_bytes",
                   output_bound_bad()[:3] + output_bound_bad()[-3:], fname)
row("decode-max_output_bytes-below-output", call(miniaudio.decode, WAV, max_output_bytes=1000),
    miniaudio.OutputTooLargeError, "max_output_bytes", "OutputTooLargeError")
row("read_file-max_output_bytes-below-output", call(miniaudio.read_file, WAV_PATH, max_output_bytes=1000),
    miniaudio.OutputTooLargeError, "max_output_bytes", "OutputTooLargeError")

row("read_file-s24-native", call(miniaudio.read_file, os.path.join(SAMPLES, "short_s24.wav")), miniaudio.MiniaudioError,
    "convert", "read_file")

CONVERT = dict(from_fmt=SF.SIGNED16, from_numchannels=2, from_samplerate=44100, sourcedata=PEN, to_fmt=SF.FLOAT32,
               to_numchannels=1, to_samplerate=48000, dither=DM.NONE, channel_mix=CM.RECTANGULAR, resampler_order=4)
for p in ("from_fmt", "to_fmt"):
    add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, p,
                   enum_bad(SF, DM.TRIANGLE) + [("unknown", SF.UNKNOWN, ValueError, True)], "convert_frames")
for p, hi in (("from_numchannels", 254), ("to_numchannels", 254), ("from_samplerate", 384000),
              ("to_samplerate", 384000)):
    add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, p, count_bad(hi=hi), "convert_frames")
add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, "sourcedata",
               buffer_bad() + [("partial-frame", b"\0" * 3, ValueError, True)], "convert_frames")
add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, "dither", enum_bad(DM, SF.SIGNED16), "convert_frames")
add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, "channel_mix", enum_bad(CM, DM.NONE),
               "convert_frames")
add_param_rows("convert_frames", miniaudio.convert_frames, CONVERT, "resampler_order", count_bad(lo=0, hi=8),
               "convert_frames")
# The streaming converter: its constructor's arguments as convert_frames' (other names), a chunk,
# and the rate methods.
CONVERTER = dict(from_format=SF.SIGNED16, from_nchannels=2, from_sample_rate=44100, to_format=SF.FLOAT32,
                 to_nchannels=1, to_sample_rate=48000, dither=DM.NONE, channel_mix=CM.RECTANGULAR, resampler_order=4)
for p in ("from_format", "to_format"):
    add_param_rows("Converter", miniaudio.Converter, CONVERTER, p,
                   enum_bad(SF, DM.TRIANGLE) + [("unknown", SF.UNKNOWN, ValueError, True)], "Converter")
for p, hi in (("from_nchannels", 254), ("to_nchannels", 254), ("from_sample_rate", 384000),
              ("to_sample_rate", 384000)):
    add_param_rows("Converter", miniaudio.Converter, CONVERTER, p, count_bad(hi=hi), "Converter")
add_param_rows("Converter", miniaudio.Converter, CONVERTER, "dither", enum_bad(DM, SF.SIGNED16), "Converter")
add_param_rows("Converter", miniaudio.Converter, CONVERTER, "channel_mix",
               enum_bad(CM, DM.NONE) + [("customweights", CM.CUSTOMWEIGHTS, ValueError, True)], "Converter")
add_param_rows("Converter", miniaudio.Converter, CONVERTER, "resampler_order", count_bad(lo=0, hi=8), "Converter")
add_param_rows("Converter", miniaudio.Converter, CONVERTER, "dynamic_rate",
               [(label, v, TypeError, True) for label, v in TYPES if label not in ("None", "bool")], "Converter")


def _converter_call(method, *args, flushed=False, **kw):
    def run():
        conv = miniaudio.Converter(**CONVERTER)
        if flushed:
            conv.flush()
        return getattr(conv, method)(*args, **kw)
    return run


for _label, _v, _exc, _named in buffer_bad() + [("partial-frame", b"\0" * 3, ValueError, True),
                                                 ("array-typecode", array.array("f", [0.0, 0.0]), TypeError, True)]:
    row("Converter-process-%s" % _label, _converter_call("process", _v), _exc, "chunk", "Converter.process")
row("Converter-process-after-flush", _converter_call("process", PEN, flushed=True), ValueError, "reset",
    "Converter.process")
row("Converter-flush-twice", _converter_call("flush", flushed=True), ValueError, "flushed", "Converter.flush")
row("Converter-flush-drain-str", _converter_call("flush", drain="yes"), TypeError, "drain", "Converter.flush")
row("Converter-reset-arg", _converter_call("reset", 1), TypeError, None, "Converter.reset")
for _label, _v, _exc, _named in count_bad(hi=384000):
    row("Converter-set_rate-from-%s" % _label, _converter_call("set_rate", _v, 48000), _exc, "from_sample_rate",
        "Converter.set_rate")
    row("Converter-set_rate-to-%s" % _label, _converter_call("set_rate", 44100, _v), _exc, "to_sample_rate",
        "Converter.set_rate")
row("Converter-set_rate-equal-rates", lambda: miniaudio.Converter(SF.SIGNED16, 1, 44100, SF.SIGNED16, 1,
                                                                   44100).set_rate(44100, 48000),
    ValueError, "dynamic_rate", "Converter.set_rate")
for _label, _v, _exc in [("nan", float("nan"), ValueError), ("inf", float("inf"), ValueError),
                         ("-1", -1.0, ValueError), ("0", 0, ValueError), ("huge", 1e300, ValueError),
                         ("str", "2", TypeError), ("None", None, TypeError), ("bool", True, TypeError)]:
    row("Converter-set_ratio-%s" % _label, _converter_call("set_ratio", _v), _exc, "ratio", "Converter.set_ratio")
for _m in ("expected_output_frames", "required_input_frames"):
    for _label, _v, _exc in [("-1", -1, ValueError), ("float", 1.5, TypeError), ("None", None, TypeError),
                             ("2**64", 2**64, OverflowError)]:
        row("Converter-%s-%s" % (_m, _label), _converter_call(_m, _v), _exc, None if _exc is OverflowError else "frames",
            "Converter." + _m)
CONVERT_FMT = dict(from_fmt=SF.SIGNED16, sourcedata=PEN, to_fmt=SF.FLOAT32, dither=DM.NONE)
for p in ("from_fmt", "to_fmt"):
    add_param_rows("convert_sample_format", miniaudio.convert_sample_format, CONVERT_FMT, p,
                   enum_bad(SF, DM.TRIANGLE) + [("unknown", SF.UNKNOWN, ValueError, True)], "convert_sample_format")
add_param_rows("convert_sample_format", miniaudio.convert_sample_format, CONVERT_FMT, "sourcedata",
               buffer_bad() + [("partial-sample", b"\0" * 3, ValueError, True)], "convert_sample_format")
add_param_rows("convert_sample_format", miniaudio.convert_sample_format, CONVERT_FMT, "dither",
               enum_bad(DM, SF.SIGNED16), "convert_sample_format")


# ---- writing, formats, backends ------------------------------------------------------------------

def sound(**kw):
    args = dict(name="x", nchannels=2, sample_rate=8000, sample_format=SF.SIGNED16, samples=array.array("h", [0] * 8))
    args.update(kw)
    return miniaudio.DecodedSoundFile(**args)


WRITE_TO = os.path.join(os.environ.get("TMPDIR", "/tmp"), "miniaudio-bad-arguments-%d.wav" % os.getpid())
add_param_rows("wav_write_file", miniaudio.wav_write_file, dict(filename=WRITE_TO, sound=sound()), "filename",
               [b for b in path_bad() if b[0] != "empty"], "wav_write_file")
add_param_rows("wav_write_file", miniaudio.wav_write_file, dict(filename=WRITE_TO), "sound",
               [(label, v, TypeError, True) for label, v in TYPES] +
               [("partial-frame", sound(samples=array.array("h", [0] * 3)), ValueError, "samples"),
                ("samples-list", sound(samples=[0, 0]), TypeError, "samples"),
                ("huge-rate", sound(sample_rate=2**40), ValueError, "sample_rate"),
                ("channels-255", sound(nchannels=255, samples=array.array("h", [0] * 255)), ValueError, "nchannels")],
               "wav_write_file")
add_param_rows("wav_write_file", miniaudio.wav_write_file, dict(filename=WRITE_TO, sound=sound()), "tags",
               [("str", "title=x", TypeError, True), ("list", [("title", "x")], TypeError, True),
                ("unknown-key", {"titel": "x"}, ValueError, "titel"), ("int-key", {3: "x"}, ValueError, "3"),
                ("int-value", {"title": 3}, TypeError, "title"), ("nul", {"title": "a\0b"}, ValueError, "NUL"),
                ("too-long", {"comment": "x" * 65537}, ValueError, "65536"),
                ("lone-surrogate", {"title": "\ud800"}, ValueError, False)], "wav_write_file")
for label, value, exc, text in [("int", 42, TypeError, "source must be"), ("None", None, TypeError, "source must be"),
                                ("list", [b"x"], TypeError, "source must be"),
                                ("empty", b"", miniaudio.DecodeError, "empty"),
                                ("not-audio", os.path.abspath(__file__), miniaudio.DecodeError, "not a valid"),
                                ("not-audio-bytes", b"\x01" * 1000, miniaudio.DecodeError, "not a valid"),
                                ("missing", os.path.join(SAMPLES, "missing.mp3"), FileNotFoundError, "missing.mp3"),
                                ("directory", SAMPLES, IsADirectoryError, None)]:
    row("read_tags-source-" + label, call(miniaudio.read_tags, value), exc, text, "read_tags")
add_param_rows("width_from_format", miniaudio.width_from_format, {}, "sampleformat",
               [(label, v, (TypeError, miniaudio.MiniaudioError), False) for label, v in TYPES] +
               [("int", 2, miniaudio.MiniaudioError, False), ("other-enum", DM.TRIANGLE, miniaudio.MiniaudioError,
                                                              False)], "width_from_format")
for fname in ("is_backend_enabled", "is_loopback_supported"):
    add_param_rows(fname, getattr(miniaudio, fname), {}, "backend", enum_bad(Backend, SF.SIGNED16), fname)
for fname in ("lib_version", "get_enabled_backends"):
    row(fname + "-extra-argument", call(getattr(miniaudio, fname), 1), TypeError, None, fname)

for cls, other in ((Backend, SF.SIGNED16), (SF, DM.NONE), (DM, SF.SIGNED16), (CM, SF.SIGNED16), (FF, SF.SIGNED16),
                   (TP, SF.SIGNED16), (miniaudio.SeekOrigin, SF.SIGNED16), (miniaudio.DeviceType, SF.SIGNED16)):
    for label, value in (("99", 99), ("None", None), ("str", "x"), ("other-enum", other), ("huge", 2**64)):
        row("%s-%s" % (cls.__name__, label), call(cls, value), ValueError, None, cls.__name__)

add_param_rows("SoundFileInfo", miniaudio.SoundFileInfo,
               dict(name="x", file_format=FF.WAV, nchannels=2, sample_rate=8000, sample_format=SF.SIGNED16,
                    duration=1.0, num_frames=8000), "sample_format", enum_bad(SF, DM.NONE), "SoundFileInfo")
add_param_rows("SoundFileInfo", miniaudio.SoundFileInfo,
               dict(name="x", file_format=FF.WAV, nchannels=2, sample_rate=8000, sample_format=SF.SIGNED16,
                    duration=1.0, num_frames=8000), "file_format", enum_bad(FF, SF.SIGNED16), "SoundFileInfo")
add_param_rows("DecodedSoundFile", sound, {}, "nchannels",
               [(label, v, TypeError, True) for label, v in TYPES] + [("0", 0, ValueError, True),
                                                                      ("-1", -1, ValueError, True)],
               "DecodedSoundFile")
add_param_rows("DecodedSoundFile", sound, {}, "sample_rate",
               [(label, v, TypeError, True) for label, v in TYPES] + [("-1", -1, ValueError, True)],
               "DecodedSoundFile")
add_param_rows("DecodedSoundFile", sound, {}, "sample_format", enum_bad(SF, DM.NONE), "DecodedSoundFile")
add_param_rows("DecodedSoundFile", sound, {}, "samples",
               [(label, v, TypeError, False) for label, v in TYPES if label not in ("str", "bytes", "list")],
               "DecodedSoundFile")
row("DecodedSoundFile.as_numpy-list", lambda: sound(samples=[0, 0]).as_numpy(), miniaudio.MiniaudioError, "list",
    "DecodedSoundFile.as_numpy")


# ---- streams -----------------------------------------------------------------------------------

STREAM_OPTS = dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100, frames_to_read=1024, dither=DM.NONE,
                   seek_frame=0, chunk_type="array")


def stream_option_rows(label, fn, valid, covers):
    add_param_rows(label, fn, valid, "output_format", enum_bad(SF, DM.TRIANGLE), covers)
    add_param_rows(label, fn, valid, "nchannels", count_bad(hi=254), covers)
    add_param_rows(label, fn, valid, "sample_rate", count_bad(hi=384000), covers)
    add_param_rows(label, fn, valid, "dither", enum_bad(DM, SF.SIGNED16), covers)
    add_param_rows(label, fn, valid, "frames_to_read", frames_bad() + [("maxsize", sys.maxsize, OverflowError,
                                                                        False)], covers)
    add_param_rows(label, fn, valid, "seek_frame", frames_bad(lo=0), covers)
    add_param_rows(label, fn, valid, "chunk_type",
                   [("int", 1, TypeError, True), ("None", None, TypeError, True), ("unknown", "list", ValueError, True)],
                   covers)
    add_param_rows(label, fn, valid, "loop",
                   [("float", 1.5, TypeError, True), ("str", "yes", TypeError, True), ("None", None, TypeError, True),
                    ("0", 0, ValueError, True), ("-1", -1, ValueError, True), ("2**64", 2**64, OverflowError, True)],
                   covers)
    looping = dict(valid, loop=True)
    add_param_rows(label, fn, looping, "loop_start", frames_bad(lo=0) + [("past-end", 10**9, ValueError, True)],
                   covers)
    add_param_rows(label, fn, looping, "loop_end", [b for b in frames_bad() if b[0] != "None"] +
                   [("past-end", 10**9, ValueError, True)], covers)  # (None: the end, valid)
    add_param_rows(label, fn, dict(looping, loop_start=100), "loop_end", [("at-start", 100, ValueError, "loop_start"),
                                                                         ("below-start", 50, ValueError, "loop_start")],
                   covers)
    add_param_rows(label, fn, dict(valid, loop_end=None), "loop_start", [("without-loop", 5, ValueError, True)], covers)


stream_option_rows("stream_file", miniaudio.stream_file, dict(filename=WAV_PATH, **STREAM_OPTS), "stream_file")
add_param_rows("stream_file", miniaudio.stream_file, dict(filename=WAV_PATH), "filename", path_bad(), "stream_file")
stream_option_rows("stream_memory", miniaudio.stream_memory, dict(data=WAV, **STREAM_OPTS), "stream_memory")
add_param_rows("stream_memory", miniaudio.stream_memory, dict(data=WAV), "data", buffer_bad(), "stream_memory")


class _NoSeek(miniaudio.StreamableSource):
    def __init__(self, data):
        self.f = io.BytesIO(data)

    def read(self, n):
        return self.f.read(n)


def stream_any_bytesio(**kw):
    return miniaudio.stream_any(io.BytesIO(WAV), **kw)


stream_option_rows("stream_any", stream_any_bytesio, STREAM_OPTS, "stream_any")
add_param_rows("stream_any", stream_any_bytesio, STREAM_OPTS, "source_format", enum_bad(FF, SF.SIGNED16), "stream_any")
def _chain_of(*bad, **kw):
    """chain(a fresh stream, *bad, **kw)."""
    return miniaudio.chain(miniaudio.stream_memory(WAV), *bad, **kw)


def _closed_stream():
    s = miniaudio.stream_memory(WAV)
    s.close()
    return s


row("chain-none", call(miniaudio.chain), ValueError, "at least one", "chain")
for _label, _v in TYPES:
    row("chain-arg2-%s" % _label, call(_chain_of, _v), TypeError, "argument 2", "chain")
row("chain-arg2-closed", lambda: _chain_of(_closed_stream()), ValueError, "argument 2", "chain")
row("chain-arg2-python-source", lambda: _chain_of(miniaudio.stream_any(io.BytesIO(WAV))), ValueError, "argument 2",
    "chain")
add_param_rows("chain", _chain_of, {}, "output_format", [b for b in enum_bad(SF, DM.TRIANGLE) if b[0] != "None"],
               "chain")  # (None: the first stream's)
add_param_rows("chain", _chain_of, {}, "nchannels", [b for b in count_bad(hi=254) if b[0] != "None"], "chain")
add_param_rows("chain", _chain_of, {}, "sample_rate", [b for b in count_bad(hi=384000) if b[0] != "None"], "chain")
add_param_rows("chain", _chain_of, {}, "frames_to_read", frames_bad(), "chain")
add_param_rows("chain", _chain_of, {}, "loop", [("zero", 0, ValueError, True), ("negative", -2, ValueError, True),
                                                ("float", 1.5, TypeError, True), ("str", "2", TypeError, True),
                                                ("None", None, TypeError, True)], "chain")
row("chain-loop-with-bad-on_source_end", lambda: _chain_of(loop=2, on_source_end=3), TypeError,
    "on_source_end must be callable", "chain")
def _playlist_append(bad):
    """Playlist(a fresh stream).append(bad)."""
    return miniaudio.Playlist(miniaudio.stream_memory(WAV)).append(bad)


def _append_after_close_input():
    pl = miniaudio.Playlist(miniaudio.stream_memory(WAV))
    pl.close_input()
    pl.append(miniaudio.stream_memory(WAV))


for _label, _v in TYPES:
    row("playlist-append-%s" % _label, call(_playlist_append, _v), TypeError, "argument 1", "Playlist.append")
row("playlist-append-closed", lambda: _playlist_append(_closed_stream()), ValueError, "closed stream",
    "Playlist.append")
row("playlist-append-python-source", lambda: _playlist_append(miniaudio.stream_any(io.BytesIO(WAV))), ValueError,
    "Python source", "Playlist.append")
row("playlist-append-after-close-input", _append_after_close_input, ValueError, "close_input", "Playlist.append")
row("playlist-extend-int", lambda: miniaudio.Playlist(miniaudio.stream_memory(WAV)).extend(5), TypeError,
    "iterable", "Playlist.extend")
row("playlist-extend-closed-item", lambda: miniaudio.Playlist(miniaudio.stream_memory(WAV)).extend(
    [miniaudio.stream_memory(WAV), _closed_stream()]), ValueError, "item 2", "Playlist.extend")
row("playlist-close-input-arg", lambda: miniaudio.Playlist(miniaudio.stream_memory(WAV)).close_input(1), TypeError,
    "close_input", "Playlist.close_input")
row("playlist-send-0", lambda: miniaudio.Playlist(miniaudio.stream_memory(WAV)).send(0), ValueError, "at least 1",
    "Playlist.send")
row("playlist-on-source-end", lambda: miniaudio.Playlist(miniaudio.stream_memory(WAV), on_source_end=3), TypeError,
    "on_source_end", "Playlist")
row("playlist-no-sources-no-format", call(miniaudio.Playlist), ValueError, "output_format", "Playlist")
add_param_rows("Playlist", lambda **kw: miniaudio.Playlist(miniaudio.stream_memory(WAV), **kw), {}, "frames_to_read",
               frames_bad(), "Playlist")
row("stream_any-loop-not-seekable", call(miniaudio.stream_any, _NoSeek(WAV), loop=True), ValueError, "seek", "stream_any")
add_param_rows("stream_any", miniaudio.stream_any, {}, "source",
               [(label, v, TypeError, True) for label, v in TYPES] + [("text-io", io.StringIO("RIFF"),
                                                                      miniaudio.DecodeError, False)], "stream_any")
for fname in ("wav_stream_file", "flac_stream_file", "mp3_stream_file"):
    path = {"wav": WAV_PATH, "flac": os.path.join(SAMPLES, "tone_16.flac"), "mp3": MP3_PATH}[fname.split("_")[0]]
    fn = getattr(miniaudio, fname)
    add_param_rows(fname, fn, dict(filename=path), "filename", path_bad(), fname)
    add_param_rows(fname, fn, dict(filename=path), "frames_to_read", frames_bad(), fname)
    add_param_rows(fname, fn, dict(filename=path), "seek_frame", frames_bad(lo=0), fname)
add_param_rows("vorbis_stream_file", miniaudio.vorbis_stream_file, dict(filename=OGG_PATH), "filename", path_bad(),
               "vorbis_stream_file")
add_param_rows("vorbis_stream_file", miniaudio.vorbis_stream_file, dict(filename=OGG_PATH), "seek_frame",
               frames_bad(lo=0), "vorbis_stream_file")

# ---- signal generators ------------------------------------------------------------------------

NUMBER_TYPES = [("None", None, TypeError, True), ("str", "x", TypeError, True), ("bool", True, TypeError, True),
                ("object", object(), TypeError, True), ("nan", float("nan"), ValueError, True),
                ("inf", float("inf"), ValueError, True)]
for gname, extra in (("Waveform", dict(kind="sine")), ("PulseWave", {}), ("Noise", dict(kind="pink"))):
    gen = getattr(miniaudio, gname)
    add_param_rows(gname, gen, extra, "output_format", enum_bad(SF, DM.TRIANGLE), gname)
    add_param_rows(gname, gen, extra, "nchannels", count_bad(hi=254), gname)
    add_param_rows(gname, gen, extra, "sample_rate", count_bad(hi=384000), gname)
    add_param_rows(gname, gen, extra, "frames_to_read", frames_bad() + [("maxsize", sys.maxsize, OverflowError, False)],
                   gname)
    add_param_rows(gname, gen, extra, "chunk_type",
                   [("int", 1, TypeError, True), ("None", None, TypeError, True), ("unknown", "list", ValueError, True)],
                   gname)
    add_param_rows(gname, gen, extra, "amplitude", NUMBER_TYPES + [("negative", -0.5, ValueError, True)], gname)
    if gname != "Noise":
        add_param_rows(gname, gen, extra, "frequency", NUMBER_TYPES + [("zero", 0, ValueError, True),
                                                                     ("negative", -440.0, ValueError, True)], gname)
    if gname != "PulseWave":
        add_param_rows(gname, gen, {}, "kind", [("unknown", "sinus", ValueError, True), ("int", 0, TypeError, True),
                                                ("None", None, TypeError, True)], gname)
add_param_rows("PulseWave", miniaudio.PulseWave, {}, "duty_cycle",
               NUMBER_TYPES + [("zero", 0, ValueError, True), ("one", 1, ValueError, True),
                               ("above", 1.5, ValueError, True)], "PulseWave")
add_param_rows("Noise", miniaudio.Noise, {}, "seed", [("str", "x", TypeError, False), ("big", 2 ** 40, ValueError, True)],
               "Noise")
for enum_name in ("WaveformType", "NoiseType"):
    row(enum_name + "-unknown", call(getattr(miniaudio, enum_name), "sinus"), ValueError, None, enum_name)

RAW = dict(pcmdata=PEN, nchannels=2, sample_width=2, frames_to_read=10)
add_param_rows("stream_raw_pcm_memory", miniaudio.stream_raw_pcm_memory, RAW, "pcmdata",
               [(label, v, TypeError, True) for label, v in TYPES if label != "bytes"], "stream_raw_pcm_memory")
add_param_rows("stream_raw_pcm_memory", miniaudio.stream_raw_pcm_memory, RAW, "nchannels", count_bad(hi=254),
               "stream_raw_pcm_memory")
add_param_rows("stream_raw_pcm_memory", miniaudio.stream_raw_pcm_memory, RAW, "sample_width", count_bad(hi=4),
               "stream_raw_pcm_memory")
add_param_rows("stream_raw_pcm_memory", miniaudio.stream_raw_pcm_memory, RAW, "frames_to_read",
               [b for b in frames_bad()], "stream_raw_pcm_memory")

CALLBACKS = dict(progress_callback=None, frame_process_method=None, end_callback=None)
add_param_rows("stream_with_callbacks", miniaudio.stream_with_callbacks, CALLBACKS, "sample_stream",
               [(label, v, TypeError, True) for label, v in TYPES], "stream_with_callbacks")
for p in CALLBACKS:
    add_param_rows("stream_with_callbacks", lambda **kw: miniaudio.stream_with_callbacks(
        miniaudio.stream_memory(WAV), **kw), CALLBACKS, p, [(label, v, TypeError, True) for label, v in TYPES
                                                            if label not in ("None",)], "stream_with_callbacks")

WAVSTREAM = dict(sample_rate=8000, nchannels=2, output_format=SF.SIGNED16, max_frames=0)


def wav_read_stream(**kw):
    return miniaudio.WavFileReadStream(iter([b"\0" * 4]), **kw)


add_param_rows("WavFileReadStream", miniaudio.WavFileReadStream, WAVSTREAM, "pcm_sample_gen",
               [(label, v, TypeError, True) for label, v in TYPES], "WavFileReadStream")
add_param_rows("WavFileReadStream", wav_read_stream, WAVSTREAM, "sample_rate",
               [(label, v, TypeError, True) for label, v in TYPES] +
               [("0", 0, ValueError, True), ("-1", -1, ValueError, True), ("2**32", 2**32, ValueError, True),
                ("2**63", 2**63, ValueError, True)], "WavFileReadStream")
add_param_rows("WavFileReadStream", wav_read_stream, WAVSTREAM, "nchannels",
               [(label, v, TypeError, True) for label, v in TYPES] +
               [("0", 0, ValueError, True), ("65536", 65536, ValueError, True), ("2**64", 2**64, ValueError, True)],
               "WavFileReadStream")
add_param_rows("WavFileReadStream", wav_read_stream, WAVSTREAM, "output_format",
               enum_bad(SF, DM.NONE) + [("unknown", SF.UNKNOWN, ValueError, True)], "WavFileReadStream")
add_param_rows("WavFileReadStream", wav_read_stream, WAVSTREAM, "max_frames",
               [(label, v, TypeError, True) for label, v in TYPES] +
               [("-1", -1, ValueError, True), ("2**31", 2**31, ValueError, True), ("2**64", 2**64, ValueError, True)],
               "WavFileReadStream")
for label, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl != "None"] + [("2**64", 2**64, OverflowError)]:
    row("WavFileReadStream.read-" + label, lambda value=value: wav_read_stream(**WAVSTREAM).read(value), exc, "amount",
        "WavFileReadStream.read")
row("WavFileReadStream.close-extra-argument", lambda: wav_read_stream(**WAVSTREAM).close(1), TypeError, None,
    "WavFileReadStream.close")
row("StreamableSource-abstract", call(miniaudio.StreamableSource), TypeError, "abstract", "StreamableSource")


# WriteableAudioFile (AudioFile's write mode): constructor arguments, write() data, closed files

WAFILE = dict(filename_or_file_like=io.BytesIO(), samplerate=8000, num_channels=2, bit_depth=16, format="wav")


def wafile(**kw):
    args = dict(WAFILE, filename_or_file_like=io.BytesIO())
    args.update(kw)
    return miniaudio.WriteableAudioFile(**args)


def wafile_kw(**kw):
    return wafile(**kw).close()


add_param_rows("WriteableAudioFile", wafile_kw, {}, "filename_or_file_like",
               [(label, v, TypeError, True) for label, v in TYPES if label not in ("str", "bytes")] +
               [("text-io", io.StringIO(), TypeError, "binary"), ("missing", MISSING, FileNotFoundError, False),
                ("directory", SAMPLES, IsADirectoryError, False), ("nul", "a\0b.wav", ValueError, False)],
               "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "samplerate",
               [(label, v, TypeError, True) for label, v in TYPES if label not in ("float", "nan")] +
               [("0", 0, ValueError, True), ("-1", -1, ValueError, True), ("fraction", 44100.5, ValueError, True),
                ("nan", float("nan"), ValueError, True), ("2**32", 2**32, ValueError, True),
                ("2**64", 2**64, ValueError, True)], "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "num_channels", count_bad(hi=32767), "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "bit_depth",
               [(label, v, TypeError, True) for label, v in TYPES] +
               [("12", 12, ValueError, True), ("0", 0, ValueError, True), ("64", 64, ValueError, True),
                ("-16", -16, ValueError, True)], "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "quality",
               [("object", object(), TypeError, True), ("list", [], TypeError, True), ("V2", "V2", ValueError, True),
                ("128", 128, ValueError, True)], "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "format",
               [("object", object(), TypeError, True), ("flac", "flac", ValueError, "wav"),
                ("mp3", "mp3", ValueError, "wav"), ("ogg", "ogg", ValueError, "wav"), ("empty", "", ValueError, "wav")],
               "WriteableAudioFile")
add_param_rows("WriteableAudioFile", wafile_kw, {}, "file_dtype",
               [("object", object(), TypeError, True), ("int12", "int12", ValueError, True),
                ("uint16", "uint16", ValueError, True)], "WriteableAudioFile")


def wafile_method(method, *args, closed=False):
    def run():
        f = wafile()
        if closed:
            f.close()
        try:
            return getattr(f, method)(*args)
        finally:
            f.close()
    return run


for label, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("bytes",)] + [
        ("partial-frame", b"\0" * 3, ValueError), ("uint16-array", array.array("H", [0, 0]), TypeError),
        ("int64-array", array.array("q", [0, 0]), TypeError), ("odd-samples", array.array("h", [0] * 3), ValueError)]:
    row("WriteableAudioFile.write-" + label, wafile_method("write", value), exc, None, "WriteableAudioFile.write")
for method, args in (("write", (b"\0" * 4,)), ("flush", ())):
    row("WriteableAudioFile.%s-closed" % method, wafile_method(method, *args, closed=True), RuntimeError, "closed",
        "WriteableAudioFile." + method)
for method in ("read", "read_raw", "seek"):
    row("WriteableAudioFile.%s-write-mode" % method, wafile_method(method, 10), io.UnsupportedOperation,
        "open for writing", "WriteableAudioFile." + method)
for method in ("flush", "close", "tell", "readable", "writable", "seekable"):
    row("WriteableAudioFile.%s-extra-argument" % method, wafile_method(method, 1), TypeError, None,
        "WriteableAudioFile." + method)


# DecoderStream methods, on open and closed streams of every kind

def make_streams():
    yield "file", lambda: miniaudio.stream_file(WAV_PATH)
    yield "memory", lambda: miniaudio.stream_memory(WAV)
    yield "any", lambda: miniaudio.stream_any(io.BytesIO(WAV))
    yield "raw", lambda: miniaudio.stream_raw_pcm_memory(PEN, 2, 2)


def on_stream(make, method, *args, closed=False):
    def run():
        stream = make()
        if closed:
            stream.close()
        try:
            return getattr(stream, method)(*args)
        finally:
            stream.close()

    return run


for kind, make in make_streams():
    for label, value in TYPES:
        if label != "None":
            row("DecoderStream-%s.send-%s" % (kind, label), on_stream(make, "send", value), TypeError, "frames",
                "DecoderStream.send")
        row("DecoderStream-%s.seek-%s" % (kind, label), on_stream(make, "seek", value), TypeError, "frame",
            "DecoderStream.seek")
        row("DecoderStream-%s.throw-%s" % (kind, label), on_stream(make, "throw", value), TypeError, "exceptions",
            "DecoderStream.throw")
    for label, value, exc in (("0", 0, ValueError), ("-1", -1, ValueError), ("2**63", 2**63, OverflowError),
                              ("2**64", 2**64, OverflowError), ("maxsize", sys.maxsize, OverflowError)):
        if not (kind == "raw" and label == "maxsize"):  # a raw stream slices what it has: no allocation
            row("DecoderStream-%s.send-%s" % (kind, label), on_stream(make, "send", value), exc, "frames",
                "DecoderStream.send")
    for label, value, exc in (("-1", -1, ValueError), ("2**63", 2**63, OverflowError), ("past-end", 10**12, ValueError),
                              ("-2**64", -2**64, OverflowError)):
        row("DecoderStream-%s.seek-%s" % (kind, label), on_stream(make, "seek", value), exc, "frame",
            "DecoderStream.seek")
    row("DecoderStream-%s.throw-traceback" % kind, on_stream(make, "throw", ValueError, None, 5), TypeError,
        "traceback", "DecoderStream.throw")
    row("DecoderStream-%s.closed-seek" % kind, on_stream(make, "seek", 0, closed=True), ValueError, "closed",
        "DecoderStream.seek")
    row("DecoderStream-%s.closed-next" % kind, on_stream(make, "__next__", closed=True), StopIteration, None,
        "DecoderStream.__next__")
    row("DecoderStream-%s.closed-send" % kind, on_stream(make, "send", 5, closed=True), StopIteration, None,
        "DecoderStream.send")
    row("DecoderStream-%s.closed-position" % kind, on_stream(make, "__getattribute__", "position", closed=True),
        ValueError, "closed", "DecoderStream.position")
    row("DecoderStream-%s.close-extra-argument" % kind, on_stream(make, "close", 1), TypeError, None,
        "DecoderStream.close")
row("DecoderStream-direct", call(miniaudio.DecoderStream), TypeError, None, "DecoderStream")


# ---- devices (NULL backend) ----------------------------------------------------------------------

BACKENDS_BAD = [(label, v, TypeError, True) for label, v in TYPES if label not in ("None", "list", "str")] + [
    ("str", "null", TypeError, True), ("unknown-name", ["bogus"], ValueError, False),
    ("int-99", [99], ValueError, True), ("member-None", [None], TypeError, True),
    ("other-enum", [SF.SIGNED16], TypeError, True)]
add_param_rows("Devices", miniaudio.Devices, {}, "backends", BACKENDS_BAD, "Devices")


def closed_devices():
    devices = miniaudio.Devices(NULL)
    devices.close()
    return devices


row("Devices.get_playbacks-closed", lambda: closed_devices().get_playbacks(), miniaudio.MiniaudioError, "closed",
    "Devices.get_playbacks")
row("Devices.get_captures-closed", lambda: closed_devices().get_captures(), miniaudio.MiniaudioError, "closed",
    "Devices.get_captures")
row("Devices.close-extra-argument", lambda: closed_devices().close(1), TypeError, None, "Devices.close")
add_param_rows("DeviceId", miniaudio.DeviceId, dict(backend="Null", raw=b"\0"), "backend",
               [(label, v, TypeError, True) for label, v in TYPES if label != "str"], "DeviceId")
add_param_rows("DeviceId", miniaudio.DeviceId, dict(backend="Null", raw=b"\0"), "raw",
               [(label, v, TypeError, True) for label, v in TYPES if label != "bytes"], "DeviceId")
row("DeviceStats-missing", call(miniaudio.DeviceStats, 1), TypeError, None, "DeviceStats")

DEVICE_COMMON = dict(buffersize_msec=200, callback_periods=0, backends=NULL, thread_prio=TP.HIGHEST, app_name="",
                     on_finished=None)
DEVICE_CLASSES = {
    miniaudio.PlaybackDevice: dict(output_format=SF.SIGNED16, nchannels=2, sample_rate=44100, device_id=None),
    miniaudio.CaptureDevice: dict(input_format=SF.SIGNED16, nchannels=2, sample_rate=44100, device_id=None),
    miniaudio.DuplexStream: dict(playback_format=SF.SIGNED16, playback_channels=2, capture_format=SF.SIGNED16,
                                 capture_channels=2, sample_rate=44100, playback_device_id=None,
                                 capture_device_id=None),
}
for cls, own in DEVICE_CLASSES.items():
    valid = dict(DEVICE_COMMON, **own)
    label = cls.__name__
    for p in own:
        if p.endswith("format"):
            add_param_rows(label, cls, valid, p, enum_bad(SF, DM.NONE) + [("unknown", SF.UNKNOWN, ValueError, True)],
                           label)
        elif p.endswith("channels"):
            add_param_rows(label, cls, valid, p, count_bad(hi=254, zero_ok=True), label)
        elif p == "sample_rate":
            add_param_rows(label, cls, valid, p, count_bad(hi=384000, zero_ok=True), label)
        else:  # device ids
            add_param_rows(label, cls, valid, p,
                           [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("None", "str")] +
                           [("no-such-name", "no such device", ValueError, True),
                            ("foreign-backend", miniaudio.DeviceId("PulseAudio", b"sink"), ValueError, True),
                            ("raw-too-long", miniaudio.DeviceId("Null", b"\1" * 300), ValueError, True),
                            ("dict-without-id", {"name": "x"}, TypeError, True)], label)
    for p, hi in (("buffersize_msec", 10000), ("callback_periods", 64)):
        add_param_rows(label, cls, valid, p, count_bad(hi=hi, zero_ok=True), label)
    add_param_rows(label, cls, valid, "backends", BACKENDS_BAD, label)
    add_param_rows(label, cls, valid, "thread_prio", enum_bad(TP, SF.SIGNED16), label)
    add_param_rows(label, cls, valid, "app_name", [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl != "str"] +
                   [("nul", "a\0b", ValueError, False)], label)
    add_param_rows(label, cls, valid, "on_finished", [(lbl, v, TypeError, True) for lbl, v in TYPES
                                                      if lbl != "None"], label)
    # backend settings (docs/devices.rst, "Backend settings"): bad types name the argument, a setting
    # that does not apply to the backend opened (NULL) names the backends it applies to
    add_param_rows(label, cls, valid, "exclusive", [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl != "bool"] +
                   [("not-on-null", True, ValueError, "applies to the backends")], label)
    add_param_rows(label, cls, valid, "performance_profile",
                   [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("None", "str")] +
                   [("unknown", "fast", ValueError, True)], label)
    add_param_rows(label, cls, valid, "stream_name", [(lbl, v, TypeError, True) for lbl, v in TYPES
                                                      if lbl not in ("None", "str")] +
                   [("not-on-null", "x", ValueError, "applies to the backends PulseAudio only")], label)
    add_param_rows(label, cls, valid, "backend_options",
                   [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("None", "dict")] +
                   [("unknown-backend", {"beos": {}}, ValueError, "unknown backend"),
                    ("unknown-option", {"pulse": {"x": 1}}, ValueError, "pulse.x"),
                    ("bad-value", {"pulse": {"try_auto_spawn": 1}}, TypeError, "pulse.try_auto_spawn")], label)
    if cls is not miniaudio.DuplexStream:
        add_param_rows(label, cls, valid, "channel_map",
                       [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("None", "list", "tuple",
                                                                                     "bytearray", "dict")] +
                       [("too-short", ["FL"], ValueError, True), ("unknown", ["FL", "up"], ValueError, True)], label)
row("CaptureDevice-loopback-on-null", call(miniaudio.CaptureDevice, backends=NULL, loopback=True), ValueError,
    "WASAPI and PulseAudio", "CaptureDevice")
row("CaptureDevice-loopback-type", call(miniaudio.CaptureDevice, backends=NULL, loopback=1), TypeError, "loopback",
    "CaptureDevice")
row("PlaybackDevice-no_clip-s16", call(miniaudio.PlaybackDevice, backends=NULL, no_clip=True), ValueError,
    "no_clip", "PlaybackDevice")


def set_on_notification(value):
    def run():
        with miniaudio.PlaybackDevice(backends=NULL) as device:
            device.on_notification = value

    return run


for lbl, v in TYPES:
    if lbl != "None":
        row("AbstractDevice.on_notification-" + lbl, set_on_notification(v), TypeError, "on_notification")

INTERVAL_BAD = [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("float", "nan")] + [
    ("nan", float("nan"), ValueError, True), ("0", 0, ValueError, True), ("-1", -1, ValueError, True),
    ("inf", float("inf"), ValueError, True), ("big", 2**64, ValueError, True)]
for fn, label in ((miniaudio.watch_devices, "watch_devices"), (miniaudio.DeviceWatcher, "DeviceWatcher")):
    valid = dict(callback=print, interval=0.5, backends=NULL)
    add_param_rows(label, fn, valid, "callback", [(lbl, v, TypeError, True) for lbl, v in TYPES], label)
    add_param_rows(label, fn, valid, "interval", INTERVAL_BAD, label)
    add_param_rows(label, fn, valid, "backends", BACKENDS_BAD, label)


def watcher_close_extra_argument():
    with miniaudio.watch_devices(print, interval=0.5, backends=NULL) as watcher:
        watcher.close(1)


row("DeviceWatcher.close-extra-argument", watcher_close_extra_argument, TypeError, None, "DeviceWatcher.close")


class Fresh:
    """An argument made anew for each call: a generator must not be shared by the runs of a row."""

    def __init__(self, make):
        self.make = make


def on_device(cls, method, *args, state="open"):
    def run():
        call_args = [a.make() if isinstance(a, Fresh) else a for a in args]
        if state == "unopened":
            device = miniaudio.AbstractDevice()
        else:
            device = cls(backends=NULL)
        try:
            if state == "closed":
                device.close()
            if state == "running":
                device.start(silence(device))
            return getattr(device, method)(*call_args)
        finally:
            device.close()

    return run


def silence(device):
    """A generator for any device here (16-bit stereo): silence for playback, ignores captures."""

    def gen():
        data = b""
        while True:
            sent = yield data
            data = b"\0" * (sent * 4 if isinstance(sent, int) else len(sent or b""))

    return gen()


def empty():
    return
    yield  # noqa: unreachable: a generator that ends before its first yield


for cls in DEVICE_CLASSES:
    label = cls.__name__
    for lbl, value in [t for t in TYPES if t[1] is not None] + [("list-iterator", iter([b""])), ("function", silence)]:
        row("%s.start-%s" % (label, lbl), on_device(cls, "start", value), TypeError, "generator", label + ".start")
    row("%s.start-empty-generator" % label, on_device(cls, "start", Fresh(empty)), ValueError, "callback_generator",
        label + ".start")
    row("%s.start-closed" % label, on_device(cls, "start", Fresh(lambda: silence(None)), state="closed"),
        miniaudio.MiniaudioError, "closed", label + ".start")
    row("%s.start-running" % label, on_device(cls, "start", Fresh(lambda: silence(None)), state="running"),
        miniaudio.MiniaudioError, "already started", label + ".start")
    for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("None", "float", "nan")] + [
            ("nan", float("nan"), ValueError), ("2**64", 2**64, OverflowError)]:
        row("%s.wait-%s" % (label, lbl), on_device(cls, "wait", value), exc, "timeout", label + ".wait")
    row("%s.stop-extra-argument" % label, on_device(cls, "stop", 1), TypeError, None, label + ".stop")
    row("%s.close-extra-argument" % label, on_device(cls, "close", 1), TypeError, None, label + ".close")
# push I/O: write() / read() / drain() and ring_msec (nothing is queued by a refused write)
for cls in DEVICE_CLASSES:
    label = cls.__name__
    add_param_rows(label, cls, dict(DEVICE_COMMON, **DEVICE_CLASSES[cls]), "ring_msec",
                   [(lbl, v, ValueError if lbl == "nan" else TypeError, True) for lbl, v in TYPES
                    if lbl not in ("None", "float")] +
                   [("0", 0, ValueError, True), ("-1", -1, ValueError, True), ("huge", 10 ** 9, ValueError, True)],
                   label)
    add_param_rows(label, cls, dict(DEVICE_COMMON, **DEVICE_CLASSES[cls]), "latency",
                   [(lbl, v, ValueError if lbl in ("nan", "str") else TypeError, True) for lbl, v in TYPES
                    if lbl not in ("None", "float")] +
                   [("0", 0, ValueError, True), ("-1", -1.0, ValueError, True), ("huge", 60, ValueError, True),
                    ("medium", "medium", ValueError, True)], label)
    if cls is not miniaudio.CaptureDevice:
        for lbl, value, exc, text in [(lbl, v, TypeError, "data") for lbl, v in TYPES if lbl != "bytes"] + [
                ("partial-frame", b"\0" * 3, ValueError, "whole number"),
                ("odd-samples", array.array("h", [0] * 7), ValueError, "2-channel frames")]:
            row("%s.write-%s" % (label, lbl), on_device(cls, "write", value), exc, text, label + ".write")
        for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("None", "float", "nan")] + [
                ("negative", -1, ValueError), ("nan", float("nan"), ValueError)]:
            row("%s.write-timeout-%s" % (label, lbl), on_device(cls, "write", b"\0" * 4, value), exc, "timeout",
                label + ".write")
        row("%s.write-closed" % label, on_device(cls, "write", b"\0" * 4, state="closed"), miniaudio.MiniaudioError,
            "closed", label + ".write")
        row("%s.write-generator-running" % label, on_device(cls, "write", b"\0" * 4, state="running"),
            RuntimeError, "generator", label + ".write")
    else:
        row("%s.write-capture-only" % label, on_device(cls, "write", b"\0" * 4), TypeError, "records",
            label + ".write")
    if cls is not miniaudio.PlaybackDevice:
        for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("None",)] + [
                ("negative", -1, ValueError)]:
            row("%s.read-%s" % (label, lbl), on_device(cls, "read", value), exc, "frames", label + ".read")
        row("%s.read-timeout-negative" % label, on_device(cls, "read", 10, -1.0), ValueError, "timeout",
            label + ".read")
        row("%s.read-closed" % label, on_device(cls, "read", 10, state="closed"), miniaudio.MiniaudioError, "closed",
            label + ".read")
        row("%s.read-generator-running" % label, on_device(cls, "read", 10, state="running"), RuntimeError,
            "generator", label + ".read")
    else:
        row("%s.read-playback-only" % label, on_device(cls, "read", 10), TypeError, "plays", label + ".read")
    row("%s.drain-extra-argument" % label, on_device(cls, "drain", 1, 2), TypeError, None, label + ".drain")
    # volume, volume_db, pause(fade) and resume(fade) (tests/test_device_volume.py has the rest)
    if cls is not miniaudio.CaptureDevice:
        for attr, bads in (("volume", [("nan", float("nan"), ValueError), ("negative", -0.1, ValueError),
                                       ("above-1", 1.5, ValueError), ("inf", float("inf"), ValueError)]),
                           ("volume_db", [("nan", float("nan"), ValueError), ("positive", 3.0, ValueError),
                                          ("inf", float("inf"), ValueError)])):
            for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES
                                    if lbl not in ("float", "nan")] + bads:
                row("%s.%s-%s" % (label, attr, lbl), on_device(cls, "__setattr__", attr, value), exc, attr)
        for method in ("pause", "resume"):
            for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("float", "nan")] + [
                    ("nan", float("nan"), ValueError), ("negative", -0.01, ValueError),
                    ("inf", float("inf"), ValueError), ("huge", 1e9, ValueError)]:
                row("%s.%s-%s" % (label, method, lbl), on_device(cls, method, value, state="running"), exc, "fade",
                    label + "." + method)
            row("%s.%s-not-running" % (label, method), on_device(cls, method), miniaudio.MiniaudioError,
                "needs a running device", label + "." + method)
            row("%s.%s-closed" % (label, method), on_device(cls, method, state="closed"), miniaudio.MiniaudioError,
                "closed", label + "." + method)

for lbl, value in [t for t in TYPES if t[0] not in ("None",)] + [("None", None)]:
    row("CallbackFlags-" + lbl, call(miniaudio.CallbackFlags, value), TypeError, "flags", "CallbackFlags")
row("CallbackTime-short", call(miniaudio.CallbackTime, (1.0,)), TypeError, None, "CallbackTime")
row("CallbackTime-not-a-sequence", call(miniaudio.CallbackTime, 1.0), TypeError, None, "CallbackTime")


def start_with(cls, **kw):
    """device.start(**kw) on a new device of `cls` (Fresh values made anew per call)."""
    def run():
        device = cls(backends=NULL)
        try:
            return device.start(**{k: v.make() if isinstance(v, Fresh) else v for k, v in kw.items()})
        finally:
            device.close()

    return run


def prefetch_start(cls, value, source=lambda: silence(None)):
    """start(<a fresh generator>, prefetch_msec=value) on an open device (200 ms periods)."""
    def run():
        with cls(backends=NULL) as device:
            device.start(source(), prefetch_msec=value)
    return run


for cls in DEVICE_CLASSES:
    label = cls.__name__
    for lbl, value in [t for t in TYPES if t[1] is not None]:
        row("%s.start-callback-%s" % (label, lbl), start_with(cls, callback=value), TypeError, "callback",
            label + ".start")
    row("%s.start-generator-and-callback" % label,
        start_with(cls, callback_generator=Fresh(lambda: silence(None)), callback=print), TypeError,
        "callback_generator", label + ".start")
    if cls is miniaudio.PlaybackDevice:
        row("%s.start-input_type" % label, start_with(cls, callback_generator=Fresh(lambda: silence(None)),
                                                      input_type="numpy"), ValueError, "input_type", label + ".start")
    else:
        for lbl, value in [("str", "numpy-ish"), ("int", 1), ("bytes", b"numpy")]:
            row("%s.start-input_type-%s" % (label, lbl),
                start_with(cls, callback_generator=Fresh(lambda: silence(None)), input_type=value), ValueError,
                "input_type", label + ".start")
        row("%s.start-input_type-with-callback" % label, start_with(cls, callback=print, input_type="numpy"),
            ValueError, "input_type", label + ".start")

    for lbl, value, exc in [("negative", -100, ValueError), ("zero", 0, ValueError), ("nan", float("nan"), ValueError),
                            ("inf", float("inf"), ValueError), ("below-period", 50, ValueError),
                            ("huge", 10**9, ValueError), ("2**64", 2**64, ValueError), ("str", "100", TypeError),
                            ("bool", True, TypeError), ("bytes", b"100", TypeError)]:
        row("%s.start-prefetch-%s" % (label, lbl), prefetch_start(cls, value), exc, "prefetch_msec", label + ".start")
    row("%s.start-prefetch-without-generator" % label, prefetch_start(cls, 400, lambda: None), TypeError,
        "prefetch_msec", label + ".start")
    row("%s.start-prefetch-not-a-generator" % label, prefetch_start(cls, 400, lambda: 42), TypeError, "generator",
        label + ".start")
row("PlaybackDevice.start-prefetch-stream", prefetch_start(
    miniaudio.PlaybackDevice, 400, lambda: miniaudio.stream_memory(WAV, nchannels=2, sample_rate=44100)),
    TypeError, "prefetch_msec", "PlaybackDevice.start")
row("PlaybackDevice.start-prefetch-waveform", prefetch_start(
    miniaudio.PlaybackDevice, 400, lambda: miniaudio.Waveform("sine", 440, 0.5, 44100, 2)),
    TypeError, "without the GIL", "PlaybackDevice.start")


def write_while_prefetching(method, *args):
    def run():
        with miniaudio.DuplexStream(backends=NULL) as device:
            device.start(silence(None), prefetch_msec=400)
            getattr(device, method)(*args)
    return run


for method, args in (("write", (PEN,)), ("read", (10,)), ("drain", ())):
    row("DuplexStream.%s-while-prefetching" % method, write_while_prefetching(method, *args), RuntimeError, "prefetch",
        "DuplexStream.start")
if DEVICE_CLASSES:
    row("AbstractDevice.start-unopened", on_device(None, "start", Fresh(lambda: silence(None)), state="unopened"),
        miniaudio.MiniaudioError, "not open", "AbstractDevice")


# ---- one-call play/rec (the NULL backend) ---------------------------------------------------------

def oneshot(fn, *args, **kw):
    """fn(*args, **kw) with miniaudio.default on the NULL backend; the implicit stream stopped after."""
    def run():
        miniaudio.default.backends = NULL
        try:
            return fn(*args, **kw)
        finally:
            miniaudio.stop()
            miniaudio.default.reset()
    return run


_F32 = array.array("f", bytes(400))
for rid, fn, args, kw, exc, name in [
    ("play-object", miniaudio.play, (object(),), {}, TypeError, None),
    ("play-bad-bytes", miniaudio.play, (b"not audio",), {}, miniaudio.DecodeError, None),
    ("play-missing-file", miniaudio.play, ("/no/such/file.wav",), {}, FileNotFoundError, None),
    ("play-rate-0", miniaudio.play, (_F32, 0), {}, miniaudio.MiniaudioError, "sample rate"),
    ("play-rate-str", miniaudio.play, (_F32, "44100"), {}, TypeError, "samplerate"),
    ("play-mapping-0", miniaudio.play, (_F32, 8000), {"mapping": [0]}, ValueError, "channel numbers"),
    ("play-mapping-str", miniaudio.play, (_F32, 8000), {"mapping": "x"}, TypeError, "mapping"),
    ("play-loop-str", miniaudio.play, (_F32, 8000), {"loop": "yes"}, TypeError, "loop"),
    ("play-device-name", miniaudio.play, (_F32, 8000), {"device": "speakers"}, ValueError, "speakers"),
    ("play-device-index", miniaudio.play, (_F32, 8000), {"device": 99}, miniaudio.MiniaudioError, "99"),
    ("play-blocksize-negative", miniaudio.play, (_F32, 8000), {"blocksize": -1}, OverflowError, "blocksize"),
    ("play-unknown-option", miniaudio.play, (_F32, 8000), {"bogus": 1}, TypeError, "bogus"),
    ("play-channels-option", miniaudio.play, (_F32, 8000), {"channels": 2}, TypeError, "channels"),
    ("rec-no-frames", miniaudio.rec, (), {}, TypeError, "frames"),
    ("rec-frames-float", miniaudio.rec, (1.5,), {"channels": 1}, TypeError, "frames"),
    ("rec-frames-negative", miniaudio.rec, (-1,), {"channels": 1}, ValueError, "negative"),
    ("rec-channels-str", miniaudio.rec, (10,), {"channels": "2"}, TypeError, "channels"),
    ("rec-dtype", miniaudio.rec, (10,), {"channels": 1, "dtype": "int64"}, TypeError, "data type"),
    ("rec-dtype-bogus", miniaudio.rec, (10,), {"channels": 1, "dtype": "bogus"}, TypeError, None),
    ("rec-out-list", miniaudio.rec, (), {"out": [1, 2]}, TypeError, "out"),
    ("rec-out-dir", miniaudio.rec, (10,), {"channels": 1, "out": "/no/such/dir/x.wav"}, OSError, None),
    ("rec-rate-0", miniaudio.rec, (10, 0), {"channels": 1}, miniaudio.MiniaudioError, "sample rate"),
    ("rec-mapping-size", miniaudio.rec, (10,), {"channels": 2, "mapping": [1]}, ValueError, "mapping"),
    ("playrec-object", miniaudio.playrec, (object(),), {"channels": 1}, TypeError, "data type"),
    ("playrec-lengths", miniaudio.playrec, (_F32, 8000), {"channels": 1, "out": __import__("numpy").zeros(
        (5, 1), "float32")}, ValueError, "len(data)"),
    ("playrec-no-channels", miniaudio.playrec, (_F32, 8000), {}, TypeError, "channels"),
    ("wait-extra-argument", miniaudio.wait, (True, 1), {}, TypeError, None),
    ("stop-extra-argument", miniaudio.stop, (True, 1), {}, TypeError, None),
    ("get_status-argument", miniaudio.get_status, (1,), {}, TypeError, None),
    ("get_stream-argument", miniaudio.get_stream, (1,), {}, TypeError, None),
]:
    row(rid, oneshot(fn, *args, **kw), exc, name, fn.__name__)


# ---- Icecast ------------------------------------------------------------------------------------

ICE = dict(update_stream_title=None, ssl_context=None, timeout=2.0)
add_param_rows("IceCastClient", miniaudio.IceCastClient, ICE, "url",
               [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl != "str"] +
               [("empty", "", ValueError, False), ("no-scheme", "example", ValueError, False),
                ("no-host", "http://", miniaudio.IceCastError, False),
                ("refused", "http://127.0.0.1:1/stream", miniaudio.IceCastError, False),
                ("bad-ipv6", "http://[::1/x", ValueError, False),
                ("control-characters", "http://127.0.0.1:1/a b", miniaudio.IceCastError, False)],
               "IceCastClient")
add_param_rows("IceCastClient", miniaudio.IceCastClient, dict(ICE, url="http://127.0.0.1:1/"), "update_stream_title",
               [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl != "None"], "IceCastClient")
add_param_rows("IceCastClient", miniaudio.IceCastClient, dict(ICE, url="http://127.0.0.1:1/"), "ssl_context",
               [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl != "None"], "IceCastClient")
add_param_rows("IceCastClient", miniaudio.IceCastClient, dict(ICE, url="http://127.0.0.1:1/"), "timeout",
               [(lbl, v, ValueError, True) for lbl, v in TYPES if lbl != "float"] + [("0", 0, ValueError, True),
                                                                   ("-1", -1, ValueError, True),
                                                                   ("inf", float("inf"), ValueError, True),
                                                                   ("2**64", 2**64, ValueError, True)],
               "IceCastClient")
for lbl, value in TYPES:
    if lbl != "str":
        row("IceCastClient.parse_metadata-" + lbl, call(miniaudio.IceCastClient.parse_metadata, value), TypeError,
            "metadata", "IceCastClient.parse_metadata")


# ---- processors (filters and effects) -------------------------------------------------------------

NUM_BAD = [(lbl, v, TypeError, True) for lbl, v in TYPES if lbl not in ("float", "nan")] + [
    ("nan", float("nan"), ValueError, True), ("inf", float("inf"), ValueError, True)]
RATE_BAD = [b for b in count_bad(hi=384000) if b[0] != "None"]
CH_BAD = [b for b in count_bad(hi=254) if b[0] != "None"]
DSP = [
    ("Biquad", miniaudio.Biquad, dict(b0=1, b1=0, b2=0, a0=1, a1=0, a2=0), ("b0", "a0", "a2")),
    ("LowPass", miniaudio.LowPass, dict(cutoff=1000, order=2, sample_rate=44100), ("cutoff",)),
    ("HighPass", miniaudio.HighPass, dict(cutoff=1000, order=3, sample_rate=44100), ("cutoff",)),
    ("BandPass", miniaudio.BandPass, dict(cutoff=1000, order=2, sample_rate=44100), ("cutoff",)),
    ("Notch", miniaudio.Notch, dict(frequency=1000, q=1, sample_rate=44100), ("frequency", "q")),
    ("PeakingEQ", miniaudio.PeakingEQ, dict(frequency=1000, gain_db=3, q=1, sample_rate=44100),
     ("frequency", "gain_db", "q")),
    ("LowShelf", miniaudio.LowShelf, dict(frequency=1000, gain_db=3, slope=1, sample_rate=44100),
     ("frequency", "gain_db", "slope")),
    ("HighShelf", miniaudio.HighShelf, dict(frequency=1000, gain_db=3, slope=1, sample_rate=44100),
     ("frequency", "gain_db", "slope")),
    ("Delay", miniaudio.Delay, dict(seconds=0.1, decay=0.5, wet=1, dry=1, sample_rate=44100),
     ("seconds", "decay", "wet", "dry")),
    ("Gain", miniaudio.Gain, dict(db=-3, smoothing=0.01, sample_rate=44100), ("db", "smoothing")),
    ("Pan", miniaudio.Pan, dict(pan=0.5), ("pan",)),
    ("Fade", miniaudio.Fade, dict(start=0, end=1, seconds=1, sample_rate=44100), ("start", "end", "seconds")),
]
for label, cls, valid, params in DSP:
    for param in params:
        add_param_rows(label, cls, valid, param, NUM_BAD, label)
    add_param_rows(label, cls, valid, "sample_rate", RATE_BAD, label)
    add_param_rows(label, cls, valid, "nchannels", CH_BAD, label)
    add_param_rows(label, cls, valid, "sample_format", [("u8", SF.UNSIGNED8, ValueError, True),
                                                        ("str", "f32", ValueError, True)], label)
    proc = cls(**valid)
    for lbl, value in TYPES:
        if lbl not in ("bytes",):
            row("%s.process-%s" % (label, lbl), call(proc.process, value), TypeError, "data", label + ".process")
    row("%s.process-partial" % label, call(proc.process, b"\0\0\0"), ValueError, "bytes", label + ".process")
    row("%s.process_inplace-bytes" % label, call(proc.process_inplace, b"\0" * 8), TypeError, "writable",
        label + ".process_inplace")
    row("%s.reset-argument" % label, call(proc.reset, 1), TypeError, None, label + ".reset")
for label in ("LowPass", "HighPass"):
    cls = getattr(miniaudio, label)
    add_param_rows(label, cls, dict(cutoff=1000, sample_rate=44100), "order",
                   [(lbl, v, TypeError, True) for lbl, v in TYPES] + [("0", 0, ValueError, True),
                                                                    ("9", 9, ValueError, True)], label)
add_param_rows("Pan", miniaudio.Pan, dict(pan=0.5), "mode", [("left", "left", ValueError, True),
                                                             ("None", None, ValueError, True)], "Pan")
row("Processor-kind", call(miniaudio.Processor, 99, ()), ValueError, "kind", "Processor")
row("Processor-params", call(miniaudio.Processor, 0, [1]), TypeError, None, "Processor")
row("Processor.reset-argument", call(miniaudio.Processor(9, (0.0, 0.01)).reset, 1), TypeError, None,
    "Processor.reset")


# ---- processed streams: DecoderStream.then(*processors) -------------------------------------------

def _then(*make_procs, source=lambda: miniaudio.stream_memory(WAV, SF.FLOAT32, 2, 44100), closed=False, hold=False):
    """then() on a fresh source with processors made now; the result (if any) read once and closed."""
    def run():
        src = source()
        if closed:
            src.close()
        held = src.then(miniaudio.Gain(0)) if hold else None
        try:
            return call(src.then, *[m() for m in make_procs])()
        finally:
            if held is not None:
                held.close()
            src.close()

    return run


for lbl, value in TYPES:
    row("DecoderStream.then-" + lbl, _then(lambda: miniaudio.Gain(0), lambda v=value: v), TypeError, "argument 2",
        "DecoderStream.then")
row("DecoderStream.then-none", _then(), TypeError, "processor", "DecoderStream.then")
row("DecoderStream.then-closed", _then(lambda: miniaudio.Gain(0), closed=True), ValueError, "closed",
    "DecoderStream.then")
row("DecoderStream.then-claimed", _then(lambda: miniaudio.Gain(0), hold=True), RuntimeError, "already played",
    "DecoderStream.then")
_ATTACHED = miniaudio.LowPass(1000)
_HOLDER = miniaudio.stream_memory(WAV, SF.FLOAT32, 2, 44100).then(_ATTACHED)
row("DecoderStream.then-attached", _then(lambda: miniaudio.Gain(0), lambda: _ATTACHED), ValueError, "argument 2",
    "DecoderStream.then")
row("DecoderStream.then-nchannels", _then(lambda: miniaudio.Gain(0, nchannels=1)), ValueError, "nchannels",
    "DecoderStream.then")
row("DecoderStream.then-sample_rate", _then(lambda: miniaudio.LowPass(1000, sample_rate=48000)), ValueError,
    "sample_rate", "DecoderStream.then")
row("DecoderStream.then-nyquist", _then(lambda: miniaudio.LowPass(30000)), ValueError, "cutoff",
    "DecoderStream.then")
row("DecoderStream.then-stream_any", _then(lambda: miniaudio.Gain(0),
                                           source=lambda: miniaudio.stream_any(io.BytesIO(WAV))),
    ValueError, "stream_any", "DecoderStream.then")
row("DecoderStream.then-raw-4-byte", _then(lambda: miniaudio.Gain(0),
                                           source=lambda: miniaudio.stream_raw_pcm_memory(bytes(800), 2, 4)),
    ValueError, "sample format", "DecoderStream.then")
_CONV = lambda fi=SF.FLOAT32, ci=2, ri=44100: (lambda: miniaudio.Converter(fi, ci, ri, SF.SIGNED16, 1, 48000))
row("DecoderStream.then-converter-from_sample_rate", _then(_CONV(ri=48000)), ValueError, "from_sample_rate",
    "DecoderStream.then")
row("DecoderStream.then-converter-from_nchannels", _then(_CONV(ci=1)), ValueError, "from_nchannels",
    "DecoderStream.then")
row("DecoderStream.then-converter-from_format", _then(lambda: miniaudio.Gain(0), _CONV(fi=SF.SIGNED16)),
    ValueError, "argument 2: this Converter has from_format", "DecoderStream.then")
row("DecoderStream.then-after-converter-nchannels", _then(_CONV(), lambda: miniaudio.Gain(0, nchannels=2)),
    ValueError, "argument 2: this Gain has nchannels=2, the stream has 1", "DecoderStream.then")
_ATTACHED_CONV = miniaudio.Converter(SF.FLOAT32, 2, 44100, SF.FLOAT32, 2, 48000)
_CONV_HOLDER = miniaudio.stream_memory(WAV, SF.FLOAT32, 2, 44100).then(_ATTACHED_CONV)
row("DecoderStream.then-converter-attached", _then(lambda: _ATTACHED_CONV), ValueError, "already attached",
    "DecoderStream.then")
row("DecoderStream.then-converter-closed", _then(_CONV(), closed=True), ValueError, "closed", "DecoderStream.then")
row("Converter.process-attached", call(_ATTACHED_CONV.process, b"\0" * 8), RuntimeError, "attached",
    "Converter.process")
row("DecoderStream.then-raw-no-rate", _then(lambda: miniaudio.LowPass(1000),
                                            source=lambda: miniaudio.stream_raw_pcm_memory(PEN, 2, 2)),
    ValueError, "sample rate", "DecoderStream.then")

class _Mp3Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(len(MP3)))
        self.end_headers()
        self.wfile.write(MP3)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def mp3_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Mp3Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/x.mp3" % server.server_address[1]
    server.shutdown()
    server.server_close()


ICE_METHOD_ROWS = []
for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES] + [("-1", -1, ValueError)]:
    ICE_METHOD_ROWS.append(("read-" + lbl, "read", (value,), exc, "num_bytes"))
for lbl, value in TYPES:
    if lbl != "str":
        ICE_METHOD_ROWS.append(("determine_audio_format-" + lbl, "determine_audio_format", (value,), TypeError,
                                "stream_format"))
ICE_METHOD_ROWS.append(("close-extra-argument", "close", (1,), TypeError, None))
COVERED.update({"IceCastClient.read", "IceCastClient.determine_audio_format", "IceCastClient.close"})


# ---- the mixer ------------------------------------------------------------------------------------


def _mixer_play(**kw):
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
        m.play(miniaudio.Waveform("sine"), **kw)


def _voice_call(method, *args, finished=False, **kw):
    def run():
        with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
            v = m.play(miniaudio.Waveform("sine"))
            if finished:
                v.stop()
            getattr(v, method)(*args, **kw)
    return run


def _mixer_closed_play():
    m = miniaudio.Mixer(sample_rate=48000, nchannels=2)
    m.close()
    m.play(miniaudio.Waveform("sine"))


def _mixer_source_twice():
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
        w = miniaudio.Waveform("sine")
        m.play(w)
        m.play(w)


def _mixer_on_capture():
    with miniaudio.CaptureDevice(backends=NULL) as dev:
        miniaudio.Mixer(dev)


_MIX_NUM = [(label, v, TypeError, True) for label, v in TYPES if label not in ("float", "nan")] + [
    ("nan", float("nan"), ValueError, True), ("inf", float("inf"), ValueError, True),
    ("-1", -1, ValueError, True), ("huge", 1e300, ValueError, True)]
_MIX_TIME = [(label, v, TypeError, True) for label, v in TYPES if label not in ("float", "nan", "None")] + [
    ("nan", float("nan"), ValueError, True), ("-1", -1, ValueError, True), ("-0.5s", -0.5, ValueError, True),
    ("2**63", 2**63, ValueError, True)]
for _p in ("volume", "pitch"):
    add_param_rows("Mixer.play", _mixer_play, {}, _p, _MIX_NUM + ([("0", 0, ValueError, True)] if _p == "pitch" else []),
                   "Mixer.play")
add_param_rows("Mixer.play", _mixer_play, {}, "pan", [b for b in _MIX_NUM if b[0] != "-1"] + [
    ("1.5", 1.5, ValueError, True), ("-1.5", -1.5, ValueError, True)], "Mixer.play")
add_param_rows("Mixer.play", _mixer_play, {}, "loop", [("int", 1, TypeError, True), ("None", None, TypeError, True)],
               "Mixer.play")
for _p in ("fade_in", "start_at", "stop_at"):
    add_param_rows("Mixer.play", _mixer_play, {}, _p, _MIX_TIME, "Mixer.play")
for _label, _v in TYPES:
    row("Mixer.play-source-%s" % _label, call(lambda s: miniaudio.Mixer().play(s), _v), TypeError, "source",
        "Mixer.play")
row("Mixer.play-closed", _mixer_closed_play, ValueError, "closed", "Mixer.play")
row("Mixer.play-source-twice", _mixer_source_twice, RuntimeError, "source is already playing", "Mixer.play")
row("Mixer.play-python-source", lambda: miniaudio.Mixer().play(miniaudio.stream_any(io.BytesIO(WAV))), ValueError,
    "Python file object", "Mixer.play")


def _silence_gen():
    n = yield b""
    while True:
        n = yield bytes(8 * n)


def _mixer_play_gen(**kw):
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
        m.play(_silence_gen(), **kw)


add_param_rows("Mixer.play", _mixer_play_gen, {}, "sample_format", enum_bad(SF, DM.TRIANGLE)[1:], "Mixer.play")
add_param_rows("Mixer.play", _mixer_play_gen, {}, "nchannels", count_bad(hi=254)[1:], "Mixer.play")
add_param_rows("Mixer.play", _mixer_play_gen, {}, "sample_rate", count_bad(hi=384000)[1:], "Mixer.play")
add_param_rows("Mixer.play", _mixer_play_gen, {}, "prefetch_msec", [
    (label, v, TypeError, True) for label, v in TYPES if label not in ("float", "nan")] + [
    ("nan", float("nan"), ValueError, True), ("0", 0, ValueError, True), ("-1", -1, ValueError, True),
    ("61s", 61000, ValueError, True)], "Mixer.play")
row("Mixer.play-generator-loop", call(_mixer_play_gen, loop=True), ValueError, "loop", "Mixer.play")
row("Mixer.play-stream-sample_rate", call(_mixer_play, sample_rate=44100), TypeError, "for Python generators",
    "Mixer.play")
row("Mixer-capture-device", _mixer_on_capture, TypeError, "PlaybackDevice", "Mixer")


def _mixer_device_closed_play():
    dev = miniaudio.PlaybackDevice(backends=NULL)
    m = miniaudio.Mixer(dev)
    dev.close()
    m.play(miniaudio.Waveform("sine"))


row("Mixer.play-device-closed", _mixer_device_closed_play, ValueError, "device is closed", "Mixer.play")
row("Mixer.play-own-stream", lambda: (lambda m: m.play(m._stream))(miniaudio.Mixer()), ValueError, "own stream",
    "Mixer.play")
for _p, _bad in (("sample_rate", count_bad(hi=384000)), ("nchannels", count_bad(hi=254))):
    add_param_rows("Mixer", miniaudio.Mixer, {}, _p, [b for b in _bad if b[0] not in ("None", "enum")], "Mixer")
add_param_rows("Mixer", miniaudio.Mixer, {}, "device", [(label, v, TypeError, "PlaybackDevice") for label, v in TYPES
                                                        if label != "None"], "Mixer")
for _label, _v in TYPES + [("-1", -1), ("big", 2**63)]:
    row("Mixer.render-%s" % _label, call(lambda n: miniaudio.Mixer().render(n), _v),
        ValueError if _label in ("-1",) else (OverflowError, ValueError) if _label == "big" else TypeError,
        None if _label == "big" else "frames", "Mixer.render")
row("Mixer.close-arg", lambda: miniaudio.Mixer().close(1), TypeError, None, "Mixer.close")


def _mixer_group(**kw):
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
        m.group(**kw)


def _group_play(which):
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m, miniaudio.Mixer() as other:
        g = m.group() if which == "closed" else other.group()
        g.close() if which == "closed" else None
        m.play(miniaudio.Waveform("sine"), group=g)


def _group_processor_attached():
    with miniaudio.Mixer(sample_rate=48000, nchannels=2) as m:
        lp = miniaudio.LowPass(1000)
        m.group(processors=[lp])
        m.group(processors=[lp])


for _p in ("volume", "pan"):
    add_param_rows("Mixer.group", _mixer_group, {}, _p, [b for b in _MIX_NUM if _p == "volume" or b[0] != "-1"],
                   "Mixer.group")
add_param_rows("Mixer.group", _mixer_group, {}, "processors",
               [(label, v, TypeError, True) for label, v in TYPES if label != "list"] +
               [("list-of-int", [1], TypeError, "processors[0]")], "Mixer.group")
add_param_rows("Mixer.group", _mixer_group, {}, "parent",
               [(label, v, TypeError, True) for label, v in TYPES if label != "None"], "Mixer.group")
add_param_rows("Mixer.play", _mixer_play, {}, "group",
               [(label, v, TypeError, True) for label, v in TYPES if label != "None"], "Mixer.play")
row("Mixer.group-closed", lambda: (lambda m: (m.close(), m.group()))(miniaudio.Mixer()), ValueError, "closed",
    "Mixer.group")
row("Mixer.group-processor-attached", _group_processor_attached, ValueError, "already attached", "Mixer.group")
row("Mixer.play-group-closed", lambda: _group_play("closed"), ValueError, "group is closed", "Mixer.play")
row("Mixer.play-group-other-mixer", lambda: _group_play("other"), ValueError, "another mixer", "Mixer.play")
row("MixerGroup-direct", lambda: miniaudio.MixerGroup(), TypeError, None, "MixerGroup")
row("MixerGroup.close-arg", lambda: miniaudio.Mixer().group().close(1), TypeError, None, "MixerGroup.close")
for _p in ("fade_out", "at"):
    for _label, _v, _exc, _named in _MIX_TIME:
        row("Voice.stop-%s-%s" % (_p, _label), _voice_call("stop", **{_p: _v}), _exc, _p, "Voice.stop")
for _label, _v, _exc, _named in frames_bad(lo=0):
    row("Voice.seek-%s" % _label, _voice_call("seek", _v), ValueError if _exc is OverflowError else _exc, "frame",
        "Voice.seek")
row("Voice.seek-finished", _voice_call("seek", 0, finished=True), ValueError, "finished", "Voice.seek")
row("Voice.pause-finished", _voice_call("pause", finished=True), ValueError, "finished", "Voice.pause")
row("Voice.resume-finished", _voice_call("resume", finished=True), ValueError, "finished", "Voice.resume")
row("Voice.wait-str", _voice_call("wait", "x"), TypeError, None, "Voice.wait")
row("Voice-direct", call(miniaudio.Voice), TypeError, None, "Voice")  # made by Mixer.play() only


# ---- preloaded sounds ---------------------------------------------------------------------------

_PAD = miniaudio.PreloadedSound(WAV, sample_rate=8000, nchannels=1)
for _label, _v in TYPES:
    _exc = FileNotFoundError if _label == "str" else miniaudio.DecodeError if _label == "bytes" else TypeError
    row("PreloadedSound-source-%s" % _label, call(miniaudio.PreloadedSound, _v), _exc,
        "source" if _exc is TypeError else None, "PreloadedSound")
    row("Mixer.preload-source-%s" % _label, call(lambda s: miniaudio.Mixer().preload(s), _v), _exc,
        "source" if _exc is TypeError else None, "Mixer.preload")
row("PreloadedSound-empty-bytes", call(miniaudio.PreloadedSound, b""), miniaudio.DecodeError, None, "PreloadedSound")
row("PreloadedSound-waveform", call(miniaudio.PreloadedSound, miniaudio.Waveform("sine")), ValueError, "never ends",
    "PreloadedSound")
row("PreloadedSound-looping-stream", lambda: miniaudio.PreloadedSound(miniaudio.stream_memory(WAV, loop=True)),
    ValueError, "never ends", "PreloadedSound")
row("PreloadedSound-raw-without-rate", lambda: miniaudio.PreloadedSound(miniaudio.stream_raw_pcm_memory(PEN, 2, 2)),
    ValueError, "sample_rate", "PreloadedSound")
for _p, _bad in (("sample_rate", count_bad(hi=384000)), ("nchannels", count_bad(hi=254))):
    add_param_rows("PreloadedSound", miniaudio.PreloadedSound, {"source": WAV}, _p,
                   [b for b in _bad if b[0] not in ("None", "enum")], "PreloadedSound")
add_param_rows("PreloadedSound", miniaudio.PreloadedSound, {"source": WAV}, "max_output_bytes",
               [b for b in frames_bad() if b[0] != "None"], "PreloadedSound")
add_param_rows("Mixer.preload", lambda **kw: miniaudio.Mixer().preload(WAV, **kw), {}, "max_output_bytes",
               [b for b in frames_bad() if b[0] != "None"], "Mixer.preload")
add_param_rows("PreloadedSound.stream", _PAD.stream, {}, "frames_to_read", frames_bad(), "PreloadedSound.stream")
add_param_rows("PreloadedSound.stream", _PAD.stream, {}, "chunk_type",
               [(label, v, TypeError, True) for label, v in TYPES if label != "str"] + [("str", "x", ValueError, True)],
               "PreloadedSound.stream")
add_param_rows("PreloadedSound.stream", _PAD.stream, {"loop": True}, "loop_start",
               [("past-end", _PAD.nframes, ValueError, True), ("-1", -1, ValueError, True),
                ("str", "x", TypeError, True)], "PreloadedSound.stream")
add_param_rows("PreloadedSound.stream", _PAD.stream, {"loop": 2}, "loop_end",
               [("past-end", _PAD.nframes + 1, ValueError, True), ("0", 0, ValueError, True),
                ("str", "x", TypeError, True)], "PreloadedSound.stream")
add_param_rows("PreloadedSound.stream", _PAD.stream, {}, "loop",
               [("str", "x", TypeError, True), ("0", 0, ValueError, True), ("None", None, TypeError, True)],
               "PreloadedSound.stream")


# ---- the tests -----------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _remove_written_file():
    yield
    if os.path.exists(WRITE_TO):
        os.remove(WRITE_TO)



# ---- AudioFile (read side), StreamResampler, Resample.Quality ---------------------------------------

def _audiofile(source=WAV_PATH, mode="r"):
    return lambda: miniaudio.AudioFile(source, mode).close()


for _label, _v, _exc, _text in [("int", 123, TypeError, "int"), ("None", None, TypeError, "NoneType"),
                                ("list", [], TypeError, "list"), ("missing", MISSING, FileNotFoundError, None),
                                ("garbage", b"not audio" * 50, miniaudio.DecodeError, None),
                                ("empty", b"", miniaudio.DecodeError, None),
                                ("pipe", type("Pipe", (io.RawIOBase,), {"readable": lambda self: True,
                                                                        "seekable": lambda self: False})(),
                                 ValueError, "seekable")]:
    row("AudioFile-source-%s" % _label, _audiofile(_v), _exc, _text, "AudioFile")
for _label, _v, _exc in [("a", "a", ValueError), ("int", 1, TypeError), ("None", None, TypeError)]:
    row("AudioFile-mode-%s" % _label, _audiofile(WAV_PATH, _v), _exc, "mode", "AudioFile")
row("ReadableAudioFile-mode-w", lambda: miniaudio.ReadableAudioFile(WAV_PATH, "w"), ValueError, "read mode",
    "ReadableAudioFile")
row("AudioFile-encode-bad", lambda: miniaudio.AudioFile.encode(None, 44100, "wav"),
    (TypeError, ValueError, NotImplementedError), None, "AudioFile.encode")


def _read_call(method, *args, closed=False, view=None):
    def run():
        with miniaudio.AudioFile(WAV_PATH) as f:
            target = f if view is None else getattr(f, view[0])(*view[1:])
            if closed:
                f.close()
            getattr(target, method)(*args)
    return run


for _m in ("read", "read_raw"):
    for _label, _v, _exc, _text in [("-1", -1, ValueError, "negative"), ("0", 0, ValueError, "frames"),
                                    ("fraction", 1.5, ValueError, "fractional"), ("nan", float("nan"), ValueError,
                                                                                  "finite"),
                                    ("str", "1", TypeError, "num_frames"), ("None", None, TypeError, "num_frames"),
                                    ("bool", True, TypeError, "num_frames")]:
        row("ReadableAudioFile-%s-%s" % (_m, _label), _read_call(_m, _v), _exc, _text, "ReadableAudioFile." + _m)
    row("ReadableAudioFile-%s-closed" % _m, _read_call(_m, 10, closed=True), RuntimeError, "closed",
        "ReadableAudioFile." + _m)
row("ReadableAudioFile-close-arg", _read_call("close", 1), TypeError, None, "ReadableAudioFile.close")
row("AudioFile-close-arg", _read_call("close", 1), TypeError, None, "AudioFile.close")
for _label, _v, _exc, _text in [("-1", -1, ValueError, "before start"), ("past-end", 44101, ValueError, "beyond end"),
                                ("float", 1.5, TypeError, "position"), ("None", None, TypeError, "position"),
                                ("huge", 2**64, ValueError, "beyond end")]:
    row("ReadableAudioFile-seek-%s" % _label, _read_call("seek", _v), _exc, _text, "ReadableAudioFile")
for _label, _args, _exc, _text in [("rate-0", (0,), ValueError, "target_sample_rate"),
                                   ("rate-fraction", (22050.5,), ValueError, "whole number"),
                                   ("rate-str", ("8000",), TypeError, "target_sample_rate"),
                                   ("rate-huge", (2**64,), ValueError, "target_sample_rate"),
                                   ("quality", (8000, "Cubic"), ValueError, "quality"),
                                   ("quality-None", (8000, None), TypeError, "quality")]:
    row("ReadableAudioFile-resampled_to-%s" % _label, _read_call("resampled_to", *_args), _exc, _text,
        "ReadableAudioFile")
for _label, _v, _exc in [("0", 0, ValueError), ("255", 255, ValueError), ("float", 2.0, TypeError),
                         ("None", None, TypeError)]:
    row("ReadableAudioFile-with_channels-%s" % _label, _read_call("with_channels", _v), _exc, "num_channels",
        "ReadableAudioFile")
row("ResampledReadableAudioFile-read-closed", _read_call("read", 1, closed=True, view=("resampled_to", 8000)),
    RuntimeError, "closed", "ResampledReadableAudioFile")
row("ResampledReadableAudioFile-not-a-file", lambda: miniaudio.ResampledReadableAudioFile(WAV_PATH, 8000),
    TypeError, "ReadableAudioFile", "ResampledReadableAudioFile")
row("ChannelConvertedReadableAudioFile-read--1", _read_call("read", -1, view=("mono",)), ValueError, "negative",
    "ChannelConvertedReadableAudioFile")
row("ChannelConvertedReadableAudioFile-not-a-file", lambda: miniaudio.ChannelConvertedReadableAudioFile(None, 1),
    TypeError, "ReadableAudioFile", "ChannelConvertedReadableAudioFile")
STREAM_RESAMPLER = dict(source_sample_rate=44100, target_sample_rate=16000, num_channels=2)
for _p in ("source_sample_rate", "target_sample_rate"):
    add_param_rows("StreamResampler", miniaudio.StreamResampler, STREAM_RESAMPLER, _p,
                   [("0", 0, ValueError, True), ("-1", -1, ValueError, True), ("max+1", 384001, ValueError, True),
                    ("fraction", 44100.5, ValueError, True), ("nan", float("nan"), ValueError, True),
                    ("str", "44100", TypeError, True), ("None", None, TypeError, True),
                    ("bool", True, TypeError, True)] + [("big-%d" % i, v, ValueError, True) for i, v in enumerate(BIG)],
                   "StreamResampler")
add_param_rows("StreamResampler", miniaudio.StreamResampler, STREAM_RESAMPLER, "num_channels",
               count_bad(hi=254), "StreamResampler")
add_param_rows("StreamResampler", miniaudio.StreamResampler, STREAM_RESAMPLER, "quality",
               [("str", "x", ValueError, True), ("int-11", 11, ValueError, True), ("-1", -1, ValueError, True),
                ("None", None, TypeError, True), ("float", 1.0, TypeError, True), ("bool", True, TypeError, True)],
               "StreamResampler")


def _resampler_call(*args, **kw):
    return lambda: miniaudio.StreamResampler(44100, 16000, 2).process(*args, **kw)


try:
    import numpy as _np
except ImportError:  # the rows need numpy arrays
    _np = None
if _np is not None:
    for _label, _v, _exc, _text in [("list", [[0.0]], TypeError, "numpy"), ("int16", _np.zeros((2, 10), _np.int16),
                                                                             TypeError, "float32"),
                                    ("channels", _np.zeros((3, 10), _np.float32), ValueError, "2-channel"),
                                    ("1-D", _np.zeros(10, _np.float32), ValueError, "2-channel"),
                                    ("3-D", _np.zeros((2, 2, 2), _np.float32), ValueError, "3-D")]:
        row("StreamResampler-process-%s" % _label, _resampler_call(_v), _exc, _text, "StreamResampler.process")
    row("StreamResampler-process-flush-str", _resampler_call(None, flush="yes"), TypeError, "flush",
        "StreamResampler.process")
row("StreamResampler-reset-arg", lambda: miniaudio.StreamResampler(44100, 16000, 1).reset(1), TypeError, None,
    "StreamResampler.reset")
row("Resample-args", lambda: miniaudio.Resample(1), TypeError, None, "Resample")
for _label, _v in [("99", 99), ("-1", -1)]:
    row("Resample-Quality-%s" % _label, lambda _v=_v: miniaudio.Resample.Quality(_v), ValueError, None,
        "Resample.Quality")


# ---- soundfile's one-liners ---------------------------------------------------------------------


def _sf_write(**kw):
    args = dict(file=io.BytesIO(), data=[0.0, 0.5], samplerate=8000, format="WAV")
    args.update(kw)
    miniaudio.write(**args)


def _sf_blocks(**kw):
    args = dict(blocksize=256)
    args.update(kw)
    list(miniaudio.blocks(WAV, **args))


for _label, _v in TYPES:
    if _label in ("bytes",):
        continue  # bytes are file data (a decode error: below)
    _exc = FileNotFoundError if _label == "str" else TypeError  # a str is a path
    row("read-file-%s" % _label, call(miniaudio.read, _v), _exc, None if _label == "str" else "file", "read")
    row("info-file-%s" % _label, call(miniaudio.info, _v), _exc, None if _label == "str" else "file", "info")
row("read-file-junk", call(miniaudio.read, b"junk" * 100), miniaudio.DecodeError, None, "read")
row("info-file-junk", call(miniaudio.info, b"junk" * 100), miniaudio.DecodeError, None, "info")
for _p, _bads in (("frames", [("str", "1", TypeError, True), ("float", 1.5, TypeError, True)]),
                  ("start", [("str", "1", TypeError, True), ("None", None, TypeError, True)]),
                  ("stop", [("str", "1", TypeError, True), ("float", 1.5, TypeError, True)]),
                  ("dtype", [("int8", "int8", ValueError, True), ("None", None, ValueError, True),
                             ("object", object(), ValueError, True)]),
                  ("samplerate", [("0", 0, ValueError, True), ("-1", -1, ValueError, True),
                                  ("str", "8000", TypeError, True), ("big", 10 ** 9, ValueError, True)])):
    add_param_rows("read", lambda **kw: miniaudio.read(WAV, **kw), {}, _p, _bads, "read")
    if _p != "samplerate":
        add_param_rows("blocks", _sf_blocks, {}, _p, _bads, "blocks")
row("read-frames-and-stop", call(miniaudio.read, WAV, frames=1, stop=2), TypeError, "frames", "read")
row("read-out-list", call(miniaudio.read, WAV, out=[1, 2]), TypeError, "out", "read")
add_param_rows("blocks", _sf_blocks, {}, "blocksize", [("0", 0, ValueError, True), ("str", "1", TypeError, True)],
               "blocks")
add_param_rows("blocks", _sf_blocks, {}, "overlap", [("-1", -1, ValueError, True), ("big", 256, ValueError, True),
                                                     ("str", "1", TypeError, True)], "blocks")
row("blocks-no-size", lambda: list(miniaudio.blocks(WAV)), TypeError, "blocksize", "blocks")
add_param_rows("write", _sf_write, {}, "subtype", [("DOUBLE", "DOUBLE", ValueError, True), ("int", 16, ValueError, True),
                                                   ("ULAW", "ULAW", ValueError, True)], "write")
add_param_rows("write", _sf_write, {}, "format", [("FLAC", "FLAC", ValueError, "WAV only"), ("int", 1, TypeError, True)],
               "write")
add_param_rows("write", _sf_write, {}, "samplerate", [("0", 0, ValueError, True), ("str", "8000", TypeError, True),
                                                      ("float", 8000.5, TypeError, True), ("None", None, TypeError, True)],
               "write")
add_param_rows("write", _sf_write, {}, "endian", [("BIG", "BIG", ValueError, True)], "write")
add_param_rows("write", _sf_write, {}, "data", [("3-D", [[[0.0]]], ValueError, "frames"), ("str", "abc", ValueError, "frames"),
                                                ("int8", [[1, 2]], None, None)][:2], "write")
row("write-file-object", call(_sf_write, file=object()), TypeError, "file", "write")
row("write-no-format", call(_sf_write, file=io.BytesIO(), format=None), TypeError, "format", "write")


# asyncio (src/miniaudio/_async.py): the coroutines run in asyncio.run()
def on_device_async(cls, method, *args, state="open", **kw):
    def run():
        import asyncio

        async def main():
            device = cls(backends=NULL)
            try:
                if state == "closed":
                    device.close()
                result = getattr(device, method)(*args, **kw)
                if hasattr(result, "__anext__"):
                    return await result.__anext__()
                return await result
            finally:
                device.close()
        return asyncio.run(main())
    return run


for cls in DEVICE_CLASSES:
    label = cls.__name__
    if cls is not miniaudio.PlaybackDevice:
        for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES] + [("negative", -1, ValueError)]:
            row("%s.read_async-%s" % (label, lbl), on_device_async(cls, "read_async", value), exc, "frames")
        row("%s.read_async-chunk_type" % label, on_device_async(cls, "read_async", 10, chunk_type="wav"), ValueError,
            "chunk_type")
        row("%s.read_async-closed" % label, on_device_async(cls, "read_async", 10, state="closed"),
            miniaudio.MiniaudioError, "closed")
        for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl != "None"] + [
                ("zero", 0, ValueError), ("negative", -1, ValueError)]:
            row("%s.chunks-%s" % (label, lbl), on_device_async(cls, "chunks", value), exc, "frames")
        row("%s.chunks-closed" % label, on_device_async(cls, "chunks", 10, state="closed"), miniaudio.MiniaudioError,
            "closed")
    else:
        row("%s.read_async-playback-only" % label, on_device_async(cls, "read_async", 10), TypeError, "plays")
        row("%s.chunks-playback-only" % label, on_device_async(cls, "chunks", 10), TypeError, "plays")
    if cls is not miniaudio.CaptureDevice:
        for lbl, value, exc, text in [(lbl, v, TypeError, "data") for lbl, v in TYPES if lbl != "bytes"] + [
                ("partial-frame", b"\0" * 3, ValueError, "whole number"),
                ("odd-samples", array.array("h", [0] * 7), ValueError, "2-channel frames")]:
            row("%s.write_async-%s" % (label, lbl), on_device_async(cls, "write_async", value), exc, text)
        row("%s.write_async-closed" % label, on_device_async(cls, "write_async", b"\0" * 4, state="closed"),
            miniaudio.MiniaudioError, "closed")
        row("%s.drain_async-closed" % label, on_device_async(cls, "drain_async", state="closed"),
            miniaudio.MiniaudioError, "closed")
    else:
        row("%s.write_async-capture-only" % label, on_device_async(cls, "write_async", b"\0" * 4), TypeError,
            "records")
    for lbl, value, exc in [(lbl, v, TypeError) for lbl, v in TYPES if lbl not in ("None", "float", "nan")] + [
            ("negative", -1, ValueError), ("nan", float("nan"), ValueError)]:
        row("%s.wait_async-%s" % (label, lbl), on_device_async(cls, "wait_async", value), exc, "timeout")
    row("%s.wait_async-closed" % label, on_device_async(cls, "wait_async", state="closed"), miniaudio.MiniaudioError,
        "closed")


def _play_async(*args, **kw):
    import asyncio
    miniaudio.default.backends = ["null"]
    try:
        return asyncio.run(miniaudio.play_async(*args, **kw))
    finally:
        miniaudio.default.reset()


row("play_async-object", lambda: _play_async(object()), TypeError, "Unsupported data type", "play_async")
row("play_async-blocking", lambda: _play_async(PEN, blocking=True), TypeError, "blocking", "play_async")
row("play_async-loop-str", lambda: _play_async(WAV, loop="yes"), TypeError, "loop", "play_async")
row("play_async-mapping-for-a-file", lambda: _play_async(WAV, mapping=[1]), ValueError, "mapping", "play_async")


@pytest.mark.parametrize("rid,fn,exc,name", ROWS, ids=[r[0] for r in ROWS])
def test_bad_argument(rid, fn, exc, name):
    with pytest.raises(exc) as info:
        fn()
    assert not isinstance(info.value, SystemError)
    if name is not None:
        assert name in str(info.value), "%s: the message does not name %r: %s" % (rid, name, info.value)


@pytest.mark.parametrize("rid,method,args,exc,name", ICE_METHOD_ROWS, ids=[r[0] for r in ICE_METHOD_ROWS])
def test_icecast_client_method(mp3_url, rid, method, args, exc, name):
    client = miniaudio.IceCastClient(mp3_url, timeout=5)
    try:
        with pytest.raises(exc) as info:
            getattr(client, method)(*args)
        if name is not None:
            assert name in str(info.value)
        assert client.read(4) == MP3[:4]  # still usable after the bad call
        assert client.seek(10, miniaudio.SeekOrigin.START) is False  # a live stream cannot seek, whatever asked
    finally:
        client.close()
    client.close()


def test_every_public_callable_is_covered():
    """Every function and class in __all__ (and each public method of the classes) has rows."""
    exempt = {
        # type aliases, not callables of their own
        "FramesType", "PlaybackCallbackGeneratorType", "CaptureCallbackGeneratorType", "DuplexCallbackGeneratorType",
        "GeneratorTypes",
        # exception classes take any arguments
        "MiniaudioError", "DecodeError", "OutputTooLargeError", "IceCastError", "CallbackStop", "CallbackAbort",
    }
    names = set()
    for name in miniaudio.__all__:
        obj = getattr(miniaudio, name)
        if name in exempt or not callable(obj):
            continue
        names.add(name)
        if isinstance(obj, type) and not issubclass(obj, (BaseException,)) and not hasattr(obj, "__members__"):
            for attr, member in vars(obj).items():
                if callable(member) and not attr.startswith("_") and attr not in ("count", "index"):
                    names.add("%s.%s" % (name, attr))
    # Methods inherited from AbstractDevice are covered through the concrete classes.
    covered = set(COVERED)
    for cls in ("PlaybackDevice", "CaptureDevice", "DuplexStream"):
        covered |= {"AbstractDevice." + m for m in ("start", "stop", "close", "wait") if "%s.%s" % (cls, m) in covered}
    # StreamableSource's methods are the interface a user implements (read() is abstract; seek()
    # and close() accept anything and do nothing); IceCastClient.seek() returns False whatever it
    # is given (test_icecast_client_method checks that).
    missing = sorted(names - covered - {"StreamableSource.read", "StreamableSource.seek", "StreamableSource.close",
                                        "IceCastClient.seek"})
    assert missing == []
