"""The ``miniaudio`` command (``python -m miniaudio``): devices, info, play, record, convert.

Every failure is reported as one line on stderr, ``miniaudio: error: <message>``, never a traceback.
Exit codes: 0 success, 1 a file, device or conversion failed, 2 bad command line, 130 interrupted
(Ctrl-C).  Progress bars and level meters are redrawn in place (``\\r``) only when stdout is a
terminal; otherwise the commands print plain lines.  See docs/cli.rst.

This module holds the parser's layout, the commands and the entry point; the argument converters
are in _cli_args.py, the output helpers, files and devices in _cli_io.py.
"""

from __future__ import annotations

import argparse
import array
import collections
import contextlib
import math
import os
import signal
import sys
import threading
import time
from typing import Any, Callable, Deque, Generator, Iterator, List, Optional, Sequence

import miniaudio
from miniaudio import DitherMode, SampleFormat

from . import _miniaudio as _ma
from ._cli_args import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CliError,
    _backend_arg,
    _buffersize_arg,
    _channels_arg,
    _dither_arg,
    _format_arg,
    _Parser,
    _rate_arg,
    _seconds_arg,
    _volume_arg,
)
from ._cli_io import (
    REDRAW_SECONDS,
    _backends,
    _bar,
    _bar_width,
    _db,
    _describe,
    _device_line,
    _err,
    _file_info,
    _find_device,
    _format_desc,
    _hms,
    _peak,
    _StatusLine,
)

METER_FLOOR_DB = -60.0  # the left end of the level meter


EPILOG = """\
exit codes: 0 success, 1 a file or device failed, 2 bad command line, 130 interrupted (Ctrl-C)"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Audio devices, file information, playback, recording and conversion with miniaudio "
                    f"{miniaudio.lib_version()} (WAV, FLAC, MP3 and Ogg Vorbis files).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {miniaudio.__version__} (miniaudio {miniaudio.lib_version()})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, description: str, func: Callable[[argparse.Namespace], int]) -> _Parser:
        sub: _Parser = commands.add_parser(name, help=help, description=description, epilog=EPILOG)
        sub.set_defaults(func=func)
        return sub

    def backend_option(sub: _Parser) -> None:
        sub.add_argument("--backend", "-b", type=_backend_arg, metavar="B",
                         help="audio backend (null, pulseaudio, alsa, jack, ...; case-insensitive); "
                              "default: the first that works")

    def device_option(sub: _Parser, kind: str) -> None:
        sub.add_argument("--device", "-d", metavar="NAME",
                         help=f"{kind} device: its number or (part of) its name or id, as listed by "
                              f"'{PROG} devices'; default: the backend's default device")

    def buffersize_option(sub: _Parser) -> None:
        sub.add_argument("--buffersize-msec", type=_buffersize_arg, default=200, metavar="MS",
                         help="device buffer size in milliseconds (0: the backend's default; default: 200)")

    sub = command("devices", "list the audio devices",
                  "List the playback and capture devices of the audio backend; '*' marks the default device.",
                  cmd_devices)
    backend_option(sub)

    sub = command("info", "show the format, channels, sample rate and length of audio files",
                  "Show the format, channels, sample rate, sample format, duration and frame count of each "
                  "FILE.  A file that cannot be read gets an error line; the others are still shown, and "
                  "the exit code is 1.", cmd_info)
    sub.add_argument("files", nargs="+", metavar="FILE", help="a WAV, FLAC, MP3 or Ogg Vorbis file")

    sub = command("play", "play an audio file",
                  "Play FILE on a playback device.  On a terminal a progress bar shows the position; "
                  "otherwise one line is printed when playback starts and one when it ends.  Ctrl-C stops "
                  "playback (exit code 130).", cmd_play)
    sub.add_argument("file", metavar="FILE", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    device_option(sub, "playback")
    backend_option(sub)
    sub.add_argument("--start", "-s", type=_seconds_arg, default=0.0, metavar="SECONDS",
                     help="start this many seconds into the file (default: 0)")
    sub.add_argument("--duration", "-t", type=_seconds_arg, metavar="SECONDS",
                     help="stop after playing this many seconds (default: to the end of the file)")
    sub.add_argument("--volume", "-v", type=_volume_arg, default=1.0, metavar="V",
                     help="gain: a linear factor (0.5 = half the amplitude, 2 = double; values that "
                          "exceed full scale clip) or decibels with a dB suffix (-6dB, +3dB); default: 1")
    buffersize_option(sub)

    sub = command("record", "record from a capture device into a WAV file",
                  "Record from a capture device into the WAV file OUT.  On a terminal a level meter shows "
                  "the peak level in dBFS; otherwise one line per second is printed.  Without --seconds, "
                  "recording goes on until Ctrl-C; the WAV file is complete either way (exit code 130 "
                  "after Ctrl-C).", cmd_record)
    sub.add_argument("out", metavar="OUT.wav", help="the WAV file to write (replaced if it exists)")
    sub.add_argument("--seconds", "-n", type=_seconds_arg, metavar="N",
                     help="record this many seconds, then stop (default: until Ctrl-C)")
    device_option(sub, "capture")
    backend_option(sub)
    sub.add_argument("--rate", "-r", type=_rate_arg, default=44100, metavar="R",
                     help="sample rate in Hz (default: 44100)")
    sub.add_argument("--channels", "-c", type=_channels_arg, default=2, metavar="C",
                     help="number of channels (default: 2)")
    sub.add_argument("--format", "-f", type=_format_arg, default=SampleFormat.SIGNED16, metavar="FMT",
                     help="sample format: u8, s16, s24, s32 or f32 (32-bit float) (default: s16)")
    buffersize_option(sub)

    sub = command("convert", "convert an audio file to a WAV file",
                  "Decode IN (WAV, FLAC, MP3 or Ogg Vorbis) and write it as the WAV file OUT, converting "
                  "the sample rate, channel count and sample format when asked (each defaults to the "
                  "input's).  On a terminal a progress bar shows how far it is.  An incomplete OUT is "
                  "removed on failure or Ctrl-C.", cmd_convert)
    sub.add_argument("input", metavar="IN", help="a WAV, FLAC, MP3 or Ogg Vorbis file")
    sub.add_argument("out", metavar="OUT.wav", help="the WAV file to write (replaced if it exists)")
    sub.add_argument("--rate", "-r", type=_rate_arg, metavar="R", help="sample rate in Hz")
    sub.add_argument("--channels", "-c", type=_channels_arg, metavar="C", help="number of channels")
    sub.add_argument("--format", "-f", type=_format_arg, metavar="FMT",
                     help="sample format: u8, s16, s24, s32 or f32 (32-bit float)")
    sub.add_argument("--dither", type=_dither_arg, default=DitherMode.NONE, metavar="MODE",
                     help="dither when reducing the sample format: none, rectangle or triangle (default: none)")
    return parser


# ---- the commands --------------------------------------------------------------------------------


def cmd_devices(args: argparse.Namespace) -> int:
    with miniaudio.Devices(_backends(args.backend)) as devices:
        backend = devices.backend
        playbacks = devices.get_playbacks()
        captures = devices.get_captures()
    print(f"Backend: {backend}")
    for title, found in (("Playback devices", playbacks), ("Capture devices", captures)):
        print(f"{title}:")
        if not found:
            print("    (none)")
        for index, dev in enumerate(found):
            formats = []
            for f in dev["formats"]:
                if f["samplerate"] or f["channels"] or f["format"] != "Unknown":
                    parts = [f["format"]] if f["format"] != "Unknown" else []
                    parts += [f"{f['channels']} ch"] if f["channels"] else []
                    parts += [f"{f['samplerate']} Hz"] if f["samplerate"] else []
                    formats.append(", ".join(parts))
            formats = list(dict.fromkeys(formats))
            line = _device_line(index, dev)
            if formats:
                shown = "; ".join(formats[:3]) + (f"; ... ({len(formats)} formats)" if len(formats) > 3 else "")
                line += f"  ({shown})"
            print(line)
    print("(* = default device)")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    status = EXIT_OK
    first = True
    for path in args.files:
        try:
            info = _file_info(path)
        except CliError as exc:
            sys.stdout.flush()
            _err(str(exc))
            status = EXIT_FAILED
            continue
        if not first:
            print()
        first = False
        print(path)
        print(f"  format:        {info.file_format.name}")
        print(f"  channels:      {info.nchannels}")
        print(f"  sample rate:   {info.sample_rate} Hz")
        print(f"  sample format: {_format_desc(info.sample_format)} ({info.sample_format_name})")
        print(f"  duration:      {_hms(info.duration)} ({info.duration:.3f} s)")
        print(f"  frames:        {info.num_frames}")
        sys.stdout.flush()
    return status


def _shaped(stream: miniaudio.DecoderStream, nchannels: int, volume: float,
            limit: Optional[int]) -> Generator["array.array[float]", int, None]:
    """Playback generator over `stream` (FLOAT32 chunks) that scales by `volume` and stops after
    `limit` frames.  Used instead of the stream itself, which plays without the GIL, only when a
    volume or a duration is asked for."""
    remaining = limit
    frames = yield array.array("f")
    while True:
        wanted = frames if remaining is None else min(frames, remaining)
        if wanted <= 0:
            return
        try:
            chunk = stream.send(wanted)
        except StopIteration:
            return
        if not len(chunk):
            return
        if volume != 1.0:
            chunk = array.array("f", map(volume.__mul__, chunk))
        if remaining is not None:
            remaining -= len(chunk) // nchannels
        frames = yield chunk


def cmd_play(args: argparse.Namespace) -> int:
    path: str = args.file
    info = _file_info(path)
    rate, nchannels, total = info.sample_rate, info.nchannels, info.num_frames
    start = int(round(args.start * rate))
    if start and total and start >= total:
        raise CliError(f"--start {args.start:g} is at or beyond the end of {path} ({info.duration:.3f} s)")
    end = total if total else None
    if args.duration is not None:
        limited = start + int(round(args.duration * rate))
        end = limited if end is None else min(end, limited)
    device_id = _find_device(args.device, args.backend, capture=False)
    try:
        stream = miniaudio.stream_file(path, SampleFormat.FLOAT32, nchannels, rate, seek_frame=start)
    except (OSError, miniaudio.MiniaudioError) as exc:
        raise CliError(_describe(exc)) from None
    tty = sys.stdout.isatty()
    with stream:
        if args.volume == 1.0 and args.duration is None:
            source: Any = stream  # decoded in C on the audio thread, without the GIL
        else:
            source = _shaped(stream, nchannels, args.volume, None if end is None else end - start)
        device = miniaudio.PlaybackDevice(SampleFormat.FLOAT32, nchannels, rate,
                                          buffersize_msec=args.buffersize_msec, device_id=device_id,
                                          backends=_backends(args.backend), app_name=PROG)
        with device:
            volume = f", volume {args.volume:g} ({_db(args.volume):+.1f} dB)" if args.volume != 1.0 else ""
            status = _StatusLine(sys.stdout)
            began = time.monotonic()
            try:
                print(f"Playing {path} ({info.file_format.name}, {nchannels} ch, {rate} Hz, {_hms(info.duration)}) "
                      f"from {_hms(start / rate)} on {device.device_name!r} ({device.backend}){volume}", flush=True)
                device.start(source)
                while not device.wait(REDRAW_SECONDS if tty else 0.5):
                    if tty and status.due():
                        # The stream runs ahead of what is heard by the device's buffer: show the
                        # wall-clock position, never past what has been decoded.
                        heard = min(stream.position, start + (time.monotonic() - began) * rate)
                        text = f"  {_hms(heard / rate)}"
                        if end:
                            width = _bar_width(status, 30)
                            text += f" / {_hms(end / rate)}  {_bar(heard / end, width)}" \
                                    f" {100.0 * heard / end:3.0f}%"
                        status.show(text)
                if tty and end:
                    status.show(f"  {_hms(end / rate)} / {_hms(end / rate)}  "
                                f"{_bar(1.0, _bar_width(status, 30))} 100%")
            except KeyboardInterrupt:
                status.end()
                heard = min(stream.position, start + (time.monotonic() - began) * rate)
                print(f"Stopped playing {path} at {_hms(heard / rate)}", flush=True)
                raise
            finally:
                status.end()
    played = (stream.position if end is None else end) - start
    print(f"Finished playing {path}: {_hms(played / rate)} played", flush=True)
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
    device_id = _find_device(args.device, args.backend, capture=True)
    chunks: Deque[bytes] = collections.deque()
    arrived = threading.Event()

    def capture() -> miniaudio.CaptureCallbackGeneratorType:
        while True:
            data = yield
            chunks.append(bytes(data))
            arrived.set()

    fmt: SampleFormat = args.format
    tty = sys.stdout.isatty()
    device = miniaudio.CaptureDevice(fmt, args.channels, args.rate, buffersize_msec=args.buffersize_msec,
                                     device_id=device_id, backends=_backends(args.backend), app_name=PROG)
    with device:
        nchannels, rate = device.nchannels, device.sample_rate
        limit = None if args.seconds is None else int(round(args.seconds * rate))
        try:
            writer = _ma._WavWriter(args.out, fmt, nchannels, rate)  # the package's one WAV writer
        except OSError as exc:
            raise CliError(_describe(exc)) from None
        peak_all = 0.0
        peak_now = 0.0
        next_line = rate  # plain output: one line per second of audio
        status = _StatusLine(sys.stdout)

        def take() -> None:
            """Writes what the audio thread has handed over (up to the --seconds limit)."""
            nonlocal peak_all, peak_now, next_line
            while chunks and (limit is None or writer.frames < limit):
                data = chunks.popleft()
                if limit is not None:
                    data = data[:(limit - writer.frames) * writer.frame_bytes]
                writer.write(data)
                peak = _peak(data, fmt)
                peak_all, peak_now = max(peak_all, peak), max(peak_now, peak)
                if not tty and writer.frames >= next_line:
                    print(f"  {_hms(writer.frames / rate)}  peak {_db(peak_now):6.1f} dBFS", flush=True)
                    next_line += rate
                    peak_now = 0.0

        try:
            seconds = "until Ctrl-C" if limit is None else f"{args.seconds:g} s"
            print(f"Recording {seconds} from {device.device_name!r} ({device.backend}) to {args.out} "
                  f"({_format_desc(fmt)}, {nchannels} ch, {rate} Hz)", flush=True)
            device.start(capture())
            shown = 0  # frames when the meter was last drawn
            synced = time.monotonic()  # when the header was last brought up to date
            while limit is None or writer.frames < limit:
                arrived.wait(REDRAW_SECONDS)
                arrived.clear()
                take()
                # The device hands over a buffer at a time: redraw only when something new arrived.
                if tty and writer.frames > shown and status.due():
                    db = _db(peak_now)
                    width = _bar_width(status, 32)
                    fraction = (db - METER_FLOOR_DB) / -METER_FLOOR_DB
                    clip = " CLIP" if peak_all >= 1.0 else ""
                    status.show(f"  {_hms(writer.frames / rate)}  {_bar(fraction, width)} {db:6.1f} dBFS{clip}")
                    peak_now = 0.0
                    shown = writer.frames
                if time.monotonic() - synced >= 1.0:
                    writer.flush()  # header patched: a recorder killed later still leaves a readable file
                    synced = time.monotonic()
                if not device.running:
                    device.wait()  # raises the error that ended the run, if any
                    raise CliError("the capture device stopped")
        finally:
            with _sigint_ignored():  # a second Ctrl-C must not cut the file short
                try:
                    device.stop()
                    take()
                finally:
                    writer.close()
                    status.end()
                    print(f"Recorded {_hms(writer.frames / rate)} ({writer.frames} frames) to {args.out}, "
                          f"peak {_db(peak_all):.1f} dBFS", flush=True)
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    info = _file_info(args.input)
    fmt: SampleFormat = args.format or info.sample_format
    if fmt is SampleFormat.UNKNOWN:
        fmt = SampleFormat.SIGNED16
    nchannels: int = args.channels or info.nchannels
    rate: int = args.rate or info.sample_rate
    try:
        if os.path.samefile(args.input, args.out):
            raise CliError(f"{args.out}: the output file is the input file")
    except OSError:
        pass  # OUT does not exist yet
    total = int(math.ceil(info.num_frames * rate / info.sample_rate)) if info.sample_rate else 0
    try:
        stream = miniaudio.stream_file(args.input, fmt, nchannels, rate, frames_to_read=max(rate // 4, 1024),
                                       dither=args.dither, chunk_type="bytes")
    except (OSError, miniaudio.MiniaudioError) as exc:
        raise CliError(_describe(exc)) from None
    tty = sys.stdout.isatty()
    status = _StatusLine(sys.stdout)
    with stream:
        try:
            writer = _ma._WavWriter(args.out, fmt, nchannels, rate)  # the package's one WAV writer
        except OSError as exc:
            raise CliError(_describe(exc)) from None
        done = False

        def draw(frames: int) -> None:
            fraction = min(frames / total, 1.0)
            status.show(f"  {_hms(frames / rate)} / {_hms(total / rate)}  "
                        f"{_bar(fraction, _bar_width(status, 30))} {100.0 * fraction:3.0f}%")

        try:
            for chunk in stream:
                writer.write(chunk)
                if tty and total and status.due():
                    draw(writer.frames)
            if tty and total:
                draw(max(writer.frames, total))
            writer.close()
            done = True
        except (OSError, miniaudio.MiniaudioError) as exc:
            raise CliError(_describe(exc)) from None
        finally:
            status.end()
            if not done:
                writer.close()
                try:
                    os.remove(args.out)
                except OSError:
                    pass
    print(f"Converted {args.input} to {args.out}: {_format_desc(fmt)}, {nchannels} ch, {rate} Hz, "
          f"{writer.frames} frames ({_hms(writer.frames / rate)})", flush=True)
    return EXIT_OK


# ---- the entry point -----------------------------------------------------------------------------


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C is ignored inside (only possible on the main thread, the usual place of a CLI)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _join_volume(argv: Sequence[str]) -> List[str]:
    """'--volume -6dB' -> '--volume=-6dB': argparse would take '-6dB' for an option."""
    out: List[str] = []
    args = iter(argv)
    for arg in args:
        if arg in ("--volume", "-v"):
            value = next(args, None)
            if value is None:
                out.append(arg)
            elif value.startswith("-") and value[1:2] in set("0123456789.i"):
                out.append("--volume=" + value)
            else:
                out += [arg, value]
        elif arg == "--":
            out.append(arg)
            out += args
        else:
            out.append(arg)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line `argv` (default: sys.argv[1:]) and returns the exit code."""
    parser = build_parser()
    argv = _join_volume(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args))
    except KeyboardInterrupt:
        sys.stdout.flush()
        sys.stderr.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except BrokenPipeError:
        # stdout was closed by the reader (e.g. `miniaudio devices | head -1`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except CliError as exc:
        _err(str(exc))
        return EXIT_FAILED
    except (OSError, ValueError, TypeError, miniaudio.MiniaudioError) as exc:
        _err(_describe(exc))
        return EXIT_FAILED
    except Exception as exc:  # a bug: still one line, with the exception's type
        _err(f"{type(exc).__name__}: {_describe(exc)}")
        return EXIT_FAILED
