"""The bound on the output of whole-file decoding (max_output_bytes, OutputTooLargeError).

A few kilobytes of input must not be able to demand hundreds of megabytes: a WAV file that
claims 1 Hz, decoded at 44100 Hz, gives 44100 output frames per input frame; a FLAC frame of
CONSTANT subframes gives 65535 samples for 13 bytes.  decode(), decode_file(), read_file() and
the per-format read functions stop at max_output_bytes bytes of samples (default: the larger of
64 MiB and 4096 x the input's size) with OutputTooLargeError, a DecodeError: before allocating
when the declared length is already over the bound, else while the output grows.

Every input is made here: 8-bit WAV files with the struct module and mono 16-bit FLAC files of
CONSTANT subframes (frame headers, CRC-8 and CRC-16 written by constant_flac below).
"""

import struct
import sys
import time
import tracemalloc

import pytest

import miniaudio
from corpus.make_hostile import crc8 as _crc8, crc16 as _crc16  # FLAC's CRCs
from miniaudio import SampleFormat as SF

DEFAULT_FLOOR = 64 << 20


def wav_u8(frames, rate=1, nchannels=1):
    """An 8-bit PCM WAV of `frames` frames at `rate` Hz (the samples a ramp)."""
    data = bytes((128 + i % 50) for i in range(frames * nchannels))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, nchannels, rate, rate * nchannels, nchannels, 8)
            + b"data" + struct.pack("<I", len(data)) + data)


def _utf8_number(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x800:
        return bytes([0xC0 | n >> 6, 0x80 | n & 0x3F])
    return bytes([0xE0 | n >> 12, 0x80 | n >> 6 & 0x3F, 0x80 | n & 0x3F])


def constant_flac(blocks, blocksize=65535, total=None, value=1000):
    """A mono 16-bit 44100 Hz FLAC of `blocks` frames of `blocksize` samples equal to `value`
    (one CONSTANT subframe each: 13 bytes a frame).  STREAMINFO declares `total` samples (None:
    the true count; 0: unknown, as piped encoders write; anything else: a lie)."""
    if total is None:
        total = blocks * blocksize
    info = struct.pack(">HH", blocksize, blocksize) + bytes(6)  # block sizes; frame sizes unknown
    info += ((44100 << 44) | (0 << 41) | (15 << 36) | total).to_bytes(8, "big") + bytes(16)  # rate, mono, 16 bit
    out = bytearray(b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info)  # last metadata block
    for i in range(blocks):
        # Fixed-blocksize sync, block size "16 bits at the end", rate from STREAMINFO, mono, 16 bits.
        head = bytes([0xFF, 0xF8, 0x70, 0x08]) + _utf8_number(i) + struct.pack(">H", blocksize - 1)
        frame = head + bytes([_crc8(head), 0x00]) + struct.pack(">h", value)  # CONSTANT subframe
        out += frame + struct.pack(">H", _crc16(frame))
    return bytes(out)


def measured(fn, *args, **kw):
    """(exception raised or None, CPU seconds, tracemalloc peak bytes) of fn(*args, **kw)."""
    tracemalloc.start()
    t0 = time.process_time()
    try:
        fn(*args, **kw)
        exc = None
    except Exception as e:  # noqa: BLE001  (returned to the caller, which checks its type)
        exc = e
    cpu = time.process_time() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return exc, cpu, peak


@pytest.fixture()
def one_hz(tmp_path):
    """The 4 KB WAV that claims 1 Hz (4000 frames: 706 MB of 16-bit stereo at 44100 Hz), as bytes
    and as a file."""
    data = wav_u8(4000)
    path = tmp_path / "one_hz.wav"
    path.write_bytes(data)
    return data, str(path)


# ---- the exception -----------------------------------------------------------------------------


def test_exception_is_a_public_decode_error():
    assert issubclass(miniaudio.OutputTooLargeError, miniaudio.DecodeError)
    assert "OutputTooLargeError" in miniaudio.__all__
    assert miniaudio.OutputTooLargeError.__module__ == "miniaudio"
    assert "max_output_bytes" in miniaudio.OutputTooLargeError.__doc__


# ---- a declared length over the bound: refused before anything is allocated or decoded -------------


@pytest.mark.parametrize("how", ["decode", "decode_file", "decode-f32-8ch"])
def test_one_hz_wav_is_refused_quickly(one_hz, how):
    data, path = one_hz
    if how == "decode":
        exc, cpu, peak = measured(miniaudio.decode, data)
    elif how == "decode_file":
        exc, cpu, peak = measured(miniaudio.decode_file, path)
    else:
        exc, cpu, peak = measured(miniaudio.decode, data, SF.FLOAT32, nchannels=8, sample_rate=48000)
    assert isinstance(exc, miniaudio.OutputTooLargeError), repr(exc)
    assert cpu < 0.5 and peak < 8 << 20, (cpu, peak)
    msg = str(exc)
    frame_bytes = 4 if how != "decode-f32-8ch" else 32
    rate = 44100 if how != "decode-f32-8ch" else 48000
    assert "decoding would produce %s bytes" % format(4000 * rate * frame_bytes, ",") in msg, msg
    assert "4,044-byte" in msg and "limit of 67,108,864 bytes" in msg and "max_output_bytes=" in msg, msg
    if how == "decode_file":
        assert repr(path) in msg, msg


def test_message_names_the_explicit_bound(one_hz):
    data, _ = one_hz
    with pytest.raises(miniaudio.OutputTooLargeError, match=r"limit of 1,000,000 bytes"):
        miniaudio.decode(data, nchannels=1, sample_rate=1000, max_output_bytes=1_000_000)


def test_refusal_is_caught_by_decode_error_handlers(one_hz):
    with pytest.raises(miniaudio.DecodeError):
        miniaudio.decode(one_hz[0])


def test_default_bound_grows_with_the_input():
    # 4096 x the input's size above 64 MiB: a 20 KB file may give up to 82 MB.
    data = wav_u8(20000)
    with pytest.raises(miniaudio.OutputTooLargeError, match=r"20,044-byte input, above the limit of 82,100,224 "):
        miniaudio.decode(data)


# ---- explicit bounds --------------------------------------------------------------------------------


def test_explicit_bound_at_the_exact_output_size():
    # 100 frames at 1 Hz -> 4,410,000 frames of 8-bit mono at 44100 Hz (linear resampling gives
    # exactly in_frames * ratio).
    data = wav_u8(100)
    sound = miniaudio.decode(data, SF.UNSIGNED8, nchannels=1, max_output_bytes=4_410_000)
    assert sound.num_frames == 4_410_000 and len(sound.samples) == 4_410_000
    with pytest.raises(miniaudio.OutputTooLargeError, match=r"4,410,000 bytes .* limit of 4,409,999 bytes"):
        miniaudio.decode(data, SF.UNSIGNED8, nchannels=1, max_output_bytes=4_409_999)


def test_explicit_bound_above_the_default_opts_in():
    # 1522 frames at 1 Hz -> 67,120,200 bytes, just above the 64 MiB floor: refused by default,
    # decoded in full with a larger bound (or sys.maxsize, no bound at all).
    data = wav_u8(1522)
    with pytest.raises(miniaudio.OutputTooLargeError, match=r"67,120,200 bytes"):
        miniaudio.decode(data, SF.UNSIGNED8, nchannels=1)
    sound = miniaudio.decode(data, SF.UNSIGNED8, nchannels=1, max_output_bytes=sys.maxsize)
    assert sound.num_frames == 1522 * 44100
    # The ramp 128..177, held for 44100 frames each (the resampler's filter smooths the steps).
    assert abs(sound.samples[44100 * 1000 + 22050] - (128 + 1000 % 50)) <= 1
    del sound


def test_bound_boundary_native_rate():
    # No resampling: 1000 frames of 8-bit stereo at 8000 Hz -> 2000 bytes.
    data = wav_u8(1000, rate=8000, nchannels=2)
    for fn in (miniaudio.wav_read_s16, lambda d, **kw: miniaudio.decode(d, SF.SIGNED16, 2, 8000, **kw)):
        assert fn(data, max_output_bytes=4000).num_frames == 1000  # exactly at the bound
        assert fn(data, max_output_bytes=sys.maxsize).num_frames == 1000
        assert fn(data, max_output_bytes=2**64).num_frames == 1000
        with pytest.raises(miniaudio.OutputTooLargeError):
            fn(data, max_output_bytes=3999)  # one byte short: the last frame does not fit
    # One frame more than the bound holds.
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.wav_read_s16(wav_u8(1001, rate=8000, nchannels=2), max_output_bytes=4000)


def test_bound_below_one_frame():
    data = wav_u8(10, rate=8000)
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.wav_read_s16(data, max_output_bytes=1)
    assert miniaudio.wav_read_s16(wav_u8(0, rate=8000), max_output_bytes=1).num_frames == 0


@pytest.mark.parametrize("name, frames", [("tone.mp3", 44100), ("tone.ogg", 44100), ("tone_16.flac", 44100),
                                          ("tone_s16.wav", 44100)])
def test_bound_is_exact_for_every_codec(sample_path, sample_bytes, name, frames):
    """Whatever the codec and whether or not its length is known up front: exactly
    frames * 4 bytes (16-bit stereo) passes, one byte less fails, from memory and from a path."""
    data, path = sample_bytes(name), sample_path(name)
    assert miniaudio.decode(data, max_output_bytes=frames * 4).num_frames == frames
    assert miniaudio.decode_file(path, max_output_bytes=frames * 4).num_frames == frames
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.decode(data, max_output_bytes=frames * 4 - 1)
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.decode_file(path, max_output_bytes=frames * 4 - 1)
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.read_file(path, convert_to_16bit=True, max_output_bytes=frames * 4 - 1)


# ---- codec amplification: the bound holds while the output grows -----------------------------------


@pytest.mark.parametrize("total", [0, 65535, 2**36 - 1], ids=["unknown", "understated", "overstated"])
def test_constant_flac_refused_while_growing(tmp_path, total):
    """600 frames of 65535 equal samples in 8.3 KB: 39,321,000 frames (78.6 MB of 16-bit mono).
    STREAMINFO says nothing (0), too little (one frame) or far too much: none of them gets past the
    default bound, and each decodes in full with an explicit one."""
    data = constant_flac(600, total=total)
    assert len(data) < 9 * 1024
    path = tmp_path / "constant.flac"
    path.write_bytes(data)
    for fn, arg in ((miniaudio.flac_read_s16, data), (miniaudio.flac_read_file_s16, str(path)),
                    (miniaudio.decode, data)):
        exc, cpu, peak = measured(fn, arg)
        assert isinstance(exc, miniaudio.OutputTooLargeError), repr(exc)
        assert "would produce at least" in str(exc) and "limit of 67,108,864 bytes" in str(exc), str(exc)
        # Never much past the bound: array.array keeps 1/16 spare room and the array grows 4 MiB
        # at a time; not the 78.6 MB (157 MB in stereo) the file decodes to.
        assert peak < DEFAULT_FLOOR * 17 // 16 + (5 << 20), peak
        assert cpu < 2.0, cpu
    sound = miniaudio.flac_read_s16(data, max_output_bytes=80_000_000)
    assert sound.num_frames == 600 * 65535
    assert sound.samples[0] == 1000 and sound.samples[-1] == 1000
    del sound


@pytest.mark.parametrize("total", [0, 65535, 2**36 - 1], ids=["unknown", "understated", "overstated"])
def test_constant_flac_boundary_while_growing(total):
    data = constant_flac(3, total=total)  # 196,605 frames
    assert miniaudio.flac_read_s16(data, max_output_bytes=196_605 * 2).num_frames == 196_605
    with pytest.raises(miniaudio.OutputTooLargeError, match=r"at least 393,210 bytes .* limit of 393,209 bytes"):
        miniaudio.flac_read_s16(data, max_output_bytes=196_605 * 2 - 1)
    # Stereo f32 at 88200 Hz: 8 bytes a frame, twice the frames.
    out = miniaudio.decode(data, SF.FLOAT32, 2, 88200, max_output_bytes=2 * 196_605 * 8)
    assert out.num_frames == 2 * 196_605
    with pytest.raises(miniaudio.OutputTooLargeError):
        miniaudio.decode(data, SF.FLOAT32, 2, 88200, max_output_bytes=2 * 196_605 * 8 - 1)


def test_overstated_length_does_not_refuse_small_output():
    # A header claiming far more than the input can hold is not believed: no refusal up front, no
    # allocation on its word; the real 196,605 frames decode under the default bound.
    data = constant_flac(3, total=2**36 - 1)
    exc, cpu, peak = measured(miniaudio.flac_read_s16, data)
    assert exc is None, repr(exc)
    assert peak < 2 * 196_605 * 2 + (1 << 20), peak
    assert miniaudio.flac_read_s16(data).num_frames == 196_605


# ---- what is not bounded ----------------------------------------------------------------------------


def test_streams_are_not_bounded_by_the_whole_file_limit():
    # The same 1 Hz WAV streams chunk by chunk: each chunk is as large as asked.
    data = wav_u8(4000)
    with miniaudio.stream_memory(data, frames_to_read=1024) as stream:
        chunk = next(stream)
        assert len(chunk) == 1024 * 2


SAMPLE_NAMES = ["tone_s16.wav", "short_u8.wav", "short_f32.wav", "mono_s16.wav", "tone_16.flac", "tone_24.flac",
                "mono.flac", "tone.mp3", "mono.mp3", "tone.ogg", "mono.ogg"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_bound_equal_to_the_real_output_is_never_refused(sample_path, name):
    """Resampled lengths are estimates (miniaudio's says one frame more than it gives when
    downsampling): a bound equal to the real output must still pass, one byte less must not."""
    path = sample_path(name)
    for rate, nchannels in ((11025, 2), (22050, 1), (44100, 2), (48000, 1), (96000, 2), (7, 1)):
        whole = miniaudio.decode_file(path, nchannels=nchannels, sample_rate=rate, max_output_bytes=sys.maxsize)
        size = len(whole.samples) * 2
        again = miniaudio.decode_file(path, nchannels=nchannels, sample_rate=rate, max_output_bytes=size)
        assert again.samples == whole.samples, (rate, nchannels)
        with pytest.raises(miniaudio.OutputTooLargeError):
            miniaudio.decode_file(path, nchannels=nchannels, sample_rate=rate, max_output_bytes=size - 1)
