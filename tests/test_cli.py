"""The command-line tool, `python -m miniaudio` (src/miniaudio/_cli.py), run as a user runs it: in a
subprocess, reading its output and exit code.  Devices are the NULL backend, except at the end, where a
private PulseAudio null sink (the pulse_server fixture) lets `record` on its monitor hear what `play`
sends to the sink.  Every run also checks that no traceback reached stderr.
"""

import os
import pty
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import helpers
import miniaudio
from miniaudio import DitherMode, SampleFormat as SF

COMMANDS = ["devices", "info", "play", "record", "convert"]
NULL = ["--backend", "null", "--buffersize-msec", "20"]
FMT = {"u8": SF.UNSIGNED8, "s16": SF.SIGNED16, "s24": SF.SIGNED24, "s32": SF.SIGNED32, "f32": SF.FLOAT32}
TIMEOUT = 60  # a safety bound for one command on a busy machine, not a timing check


def _cmd(args):
    return [sys.executable, "-m", "miniaudio", *map(str, args)]


def _default_sigint():
    # A child of a shell job started in the background inherits SIGINT ignored; Python then installs
    # no KeyboardInterrupt handler.  The Ctrl-C tests want a child as a terminal would start it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(*args, timeout=TIMEOUT):
    proc = subprocess.run(_cmd(args), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def start(*args):
    return subprocess.Popen(_cmd(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint)


def error_line(proc, code):
    """The one line a failed command prints on stderr (ALSA/JACK libraries may add their own noise
    when they probe for devices: those lines do not start with 'miniaudio')."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    ours = [line for line in proc.stderr.splitlines() if line.startswith("miniaudio")]
    assert len(ours) == 1, proc.stderr
    assert ours[0].startswith("miniaudio: error: "), ours[0]
    return ours[0]


def run_in_pty(*args):
    """Runs the command with stdout and stderr on a pseudo-terminal; returns (exit code, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(_cmd(args), stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = bytearray()
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        proc.wait(timeout=TIMEOUT)
    text = out.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    return proc.returncode, text


def write_wav(path, seconds, rate=44100, channels=2, freq=440.0, amplitude=0.5):
    t = np.arange(int(round(seconds * rate))) / rate
    x = (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    samples = np.repeat(x[:, None], channels, axis=1).reshape(-1)
    import array
    miniaudio.wav_write_file(str(path), miniaudio.DecodedSoundFile("x", channels, rate, SF.SIGNED16,
                                                                   array.array("h", samples.tobytes())))
    return str(path)


def parse_info(text):
    """`info` output -> {path: {"format": ..., "channels": ..., ...}}."""
    files = {}
    current = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = files.setdefault(line, {})
        else:
            key, value = line.strip().split(":", 1)
            current[key] = value.strip()
    return files


# ---- help and usage -----------------------------------------------------------------------------


def test_top_level_help_lists_every_command():
    proc = run("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: miniaudio")
    for command in COMMANDS:
        assert re.search(r"^\s+%s\s+\S" % command, proc.stdout, re.M), command
    assert "130" in proc.stdout  # the exit codes


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(command):
    proc = run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: miniaudio %s" % command)
    expected = {
        "devices": ["--backend"],
        "info": ["FILE"],
        "play": ["--device", "--backend", "--start", "--volume", "--buffersize-msec", "--duration"],
        "record": ["--seconds", "--device", "--backend", "--rate", "--channels", "--format"],
        "convert": ["--rate", "--channels", "--format", "--dither"],
    }[command]
    for option in expected:
        assert option in proc.stdout, option


def test_no_command_is_a_usage_error():
    proc = run()
    assert proc.returncode == 2
    assert "usage: miniaudio" in proc.stderr


def test_main_runs_in_process(sample_path, capsys):
    from miniaudio.__main__ import main  # the console script's entry point

    assert main(["info", sample_path("mono.ogg")]) == 0
    assert parse_info(capsys.readouterr().out)[sample_path("mono.ogg")]["channels"] == "1"
    assert main(["info", "--no-such-option"]) == 2


# ---- info ---------------------------------------------------------------------------------------


def test_info_matches_get_file_info(samples_dir):
    paths = [os.path.join(samples_dir, s.name) for s in helpers.SAMPLES]
    proc = run("info", *paths)
    assert proc.returncode == 0, proc.stderr
    shown = parse_info(proc.stdout)
    assert list(shown) == paths
    for path in paths:
        info = miniaudio.get_file_info(path)
        fields = shown[path]
        assert fields["format"] == info.file_format.name
        assert int(fields["channels"]) == info.nchannels
        assert fields["sample rate"] == "%d Hz" % info.sample_rate
        assert int(fields["frames"]) == info.num_frames
        assert fields["sample format"].split()[0] == {v: k for k, v in FMT.items()}[info.sample_format]
        assert float(fields["duration"].split("(")[1].split()[0]) == pytest.approx(info.duration, abs=0.001)


def test_info_bad_file_reports_one_line_and_goes_on(tmp_path, sample_path):
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(os.urandom(3000))
    good = sample_path("mono.flac")
    proc = run("info", str(garbage), good)
    line = error_line(proc, 1)
    assert str(garbage) in line
    assert list(parse_info(proc.stdout)) == [good]  # the good file after the bad one is still shown


def test_info_missing_file(tmp_path):
    missing = str(tmp_path / "nothing.wav")
    line = error_line(run("info", missing), 1)
    assert line == "miniaudio: error: %s: No such file or directory" % missing


# ---- devices ------------------------------------------------------------------------------------


def test_devices_null_backend():
    proc = run("devices", "--backend", "NULL")  # backend names are case-insensitive
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Backend: Null"
    playback = lines.index("Playback devices:")
    capture = lines.index("Capture devices:")
    assert re.fullmatch(r"\s*0 \* NULL Playback Device.*", lines[playback + 1])
    assert re.fullmatch(r"\s*0 \* NULL Capture Device.*", lines[capture + 1])


# ---- play ---------------------------------------------------------------------------------------


def test_play_plain_when_piped(sample_path):
    path = sample_path("tone.mp3")
    proc = run("play", path, *NULL)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("Playing %s (MP3, 2 ch, 44100 Hz, 0:01.0) from 0:00.0 on 'NULL Playback Device'" % path)
    assert lines[1] == "Finished playing %s: 0:01.0 played" % path


def test_play_start_duration_volume(sample_path):
    path = sample_path("tone.ogg")
    proc = run("play", path, *NULL, "--start", "0.25", "--duration", "0.5", "--volume", "-6dB")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "from 0:00.2" in lines[0] or "from 0:00.3" in lines[0]
    assert "volume 0.501187 (-6.0 dB)" in lines[0]
    assert lines[-1].endswith(": 0:00.5 played")


def test_play_progress_bar_on_a_terminal(sample_path):
    code, out = run_in_pty("play", sample_path("tone.mp3"), *NULL)
    assert code == 0, out
    bars = re.findall(r"\r  (\d:\d\d\.\d) / 0:01\.0  \[([#.]+)\]\s+(\d+)%", out)
    assert bars, out
    assert bars[-1][0] == "0:01.0" and set(bars[-1][1]) == {"#"} and bars[-1][2] == "100"
    percents = [int(p) for _, _, p in bars]
    assert percents == sorted(percents)
    assert out.rstrip().splitlines()[-1].startswith("Finished playing")


def test_play_ctrl_c_exits_130(tmp_path):
    path = write_wav(tmp_path / "long.wav", 20.0)
    proc = start("play", path, *NULL)
    try:
        first = proc.stdout.readline()
        assert first.startswith("Playing"), (first, proc.stderr.read() if proc.poll() is not None else "")
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        elapsed = time.monotonic() - sent
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert err.strip() == "miniaudio: interrupted"
    assert out.startswith("Stopped playing %s at 0:0" % path), out
    assert elapsed < 5.0  # generous: the device stops within a buffer or two


@pytest.mark.parametrize("args, message", [
    (["play", "{missing}"], "{missing}: No such file or directory"),
    (["convert", "{missing}", "{out}"], "{missing}: No such file or directory"),
    (["play", "{tone}", "--backend", "null", "--device", "no such device"],
     "no playback device matches 'no such device' (the playback devices are: 0: NULL Playback Device)"),
    (["record", "{out}", "--backend", "null", "--device", "7"],
     "there is no capture device number 7 (the capture devices are: 0: NULL Capture Device)"),
    (["play", "{tone}", "--backend", "null", "--start", "5"], "--start 5 is at or beyond the end of {tone}"),
])
def test_runtime_errors_are_one_line(tmp_path, sample_path, args, message):
    names = {"missing": str(tmp_path / "missing.ogg"), "out": str(tmp_path / "out.wav"),
             "tone": sample_path("tone.ogg")}
    proc = run(*[a.format(**names) for a in args])
    line = error_line(proc, 1)
    assert line.startswith("miniaudio: error: " + message.format(**names)), line
    assert not os.path.exists(names["out"])


@pytest.mark.parametrize("args, message", [
    (["record", "{out}", "--rate", "abc"], "argument --rate/-r: sample rate must be a whole number, not 'abc'"),
    (["record", "{out}", "--rate", "0"], "argument --rate/-r: sample rate must be 1..384000, not 0"),
    (["convert", "{tone}", "{out}", "--channels", "300"], "argument --channels/-c: channel count must be 1.."),
    (["convert", "{tone}", "{out}", "--format", "s8"], "argument --format/-f: unknown sample format 's8'"),
    (["convert", "{tone}", "{out}", "--dither", "noise"], "argument --dither: unknown dither mode 'noise'"),
    (["devices", "--backend", "nosuch"], "argument --backend/-b: unknown backend 'nosuch' (this build has: "),
    (["play", "{tone}", "--volume", "loud"], "argument --volume/-v: volume must be a linear factor"),
    (["play", "{tone}", "--volume", "-1"], "argument --volume/-v: a linear volume must be 0..1000, not '-1'"),
    (["play", "{tone}", "--start", "-1"], "argument --start/-s: seconds must be a finite number >= 0"),
    (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
])
def test_usage_errors_are_one_line(tmp_path, sample_path, args, message):
    names = {"out": str(tmp_path / "out.wav"), "tone": sample_path("tone.ogg")}
    proc = run(*[a.format(**names) for a in args])
    line = error_line(proc, 2)
    assert line.startswith("miniaudio: error: " + message), line
    assert line.endswith("--help')")
    assert not os.path.exists(names["out"])


# ---- record -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, channels, rate", [("s24", 1, 8000), ("f32", 2, 22050)])
def test_record_null_backend_seconds(tmp_path, fmt, channels, rate):
    out = str(tmp_path / "rec.wav")
    proc = run("record", out, *NULL, "--seconds", "0.25", "--format", fmt, "--channels", channels, "--rate", rate)
    assert proc.returncode == 0, proc.stderr
    frames = rate // 4
    assert proc.stdout.splitlines()[-1] == "Recorded 0:00.2 (%d frames) to %s, peak -inf dBFS" % (frames, out)
    info = miniaudio.get_file_info(out)
    assert (info.nchannels, info.sample_rate, info.sample_format, info.num_frames) == \
        (channels, rate, FMT[fmt], frames)
    wav = helpers.parse_wav(out)  # checks the RIFF size against the file size
    assert wav["tag"] == (3 if fmt == "f32" else 1)
    assert len(wav["data"]) == frames * channels * miniaudio.width_from_format(FMT[fmt])
    assert wav["data"] == bytes(len(wav["data"]))  # the NULL device records silence


def test_record_until_ctrl_c_writes_a_valid_file(tmp_path):
    out = str(tmp_path / "rec.wav")
    proc = start("record", out, *NULL, "--rate", "8000", "--channels", "1")
    try:
        assert proc.stdout.readline().startswith("Recording until Ctrl-C")
        meter = proc.stdout.readline()  # plain output: one line per second of audio
        assert re.fullmatch(r"  0:01\.0  peak\s+-inf dBFS\n", meter), meter
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130
    assert err.strip() == "miniaudio: interrupted"
    frames = int(re.search(r"\((\d+) frames\) to ", rest).group(1))
    assert frames >= 8000
    wav = helpers.parse_wav(out)
    assert (wav["tag"], wav["channels"], wav["rate"], wav["bits"]) == (1, 1, 8000, 16)
    assert len(wav["data"]) == 2 * frames
    assert miniaudio.get_file_info(out).num_frames == frames


# ---- convert ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, options", [
    ("tone.ogg", {}),
    ("tone.mp3", {"rate": 22050, "channels": 1, "format": "f32"}),
    ("tone_24.flac", {"format": "s16"}),
    ("short_u8.wav", {"rate": 48000, "format": "s32", "channels": 3}),
    ("mono.flac", {"format": "s24", "channels": 2}),
    ("short_f32.wav", {"format": "u8"}),
])
def test_convert_matches_decode_file(tmp_path, sample_path, name, options):
    src = sample_path(name)
    out = str(tmp_path / "out.wav")
    args = []
    for key, value in options.items():
        args += ["--" + key, value]
    proc = run("convert", src, out, *args)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout
    info = miniaudio.get_file_info(src)
    fmt = FMT[options["format"]] if "format" in options else info.sample_format
    nchannels = options.get("channels", info.nchannels)
    rate = options.get("rate", info.sample_rate)
    # decode_file() has no 24-bit output (array.array has no 3-byte items): s24 is within one step of
    # s32's top 3 bytes (both may be rounded from float when channels are mixed)
    decode_fmt = SF.SIGNED32 if fmt == SF.SIGNED24 else fmt
    expected = miniaudio.decode_file(src, decode_fmt, nchannels, rate)
    written = miniaudio.get_file_info(out)
    assert (written.file_format, written.sample_format, written.nchannels, written.sample_rate) == \
        (miniaudio.FileFormat.WAV, fmt, nchannels, rate)
    assert written.num_frames == expected.num_frames
    wav = helpers.parse_wav(out)
    if fmt == SF.SIGNED24:
        got = helpers.bytes_to_pcm(wav["data"], SF.SIGNED24, nchannels).astype(np.int64)
        assert got.shape == (expected.num_frames, nchannels)
        assert np.max(np.abs(got - (helpers.pcm(expected).astype(np.int64) >> 8))) <= 1
    else:
        assert wav["data"] == bytes(expected.samples)
    if fmt != SF.SIGNED24:
        assert miniaudio.decode_file(out, decode_fmt, nchannels, rate).samples == expected.samples
    assert proc.stdout.strip() == "Converted %s to %s: %s, %d ch, %d Hz, %d frames (%s)" % (
        src, out, {v: k for k, v in FMT.items()}[fmt], nchannels, rate, expected.num_frames,
        "0:%04.1f" % (expected.num_frames / rate))


def test_convert_with_dither_is_within_one_step(tmp_path, sample_path):
    src = sample_path("tone.ogg")
    out = str(tmp_path / "out.wav")
    proc = run("convert", src, out, "--format", "u8", "--dither", "triangle")
    assert proc.returncode == 0, proc.stderr
    plain = helpers.pcm(miniaudio.decode_file(src, SF.UNSIGNED8, 2, 44100, DitherMode.NONE)).astype(int)
    got = helpers.pcm(miniaudio.decode_file(out, SF.UNSIGNED8, 2, 44100)).astype(int)
    assert got.shape == plain.shape
    assert np.max(np.abs(got - plain)) <= 1
    assert np.any(got != plain)  # the dither did something


def test_convert_progress_bar_on_a_terminal(tmp_path):
    src = write_wav(tmp_path / "in.wav", 30.0, rate=22050, channels=1)
    out = str(tmp_path / "out.wav")
    code, text = run_in_pty("convert", src, out, "--rate", "48000", "--format", "f32")
    assert code == 0, text
    assert re.search(r"\r  0:30\.0 / 0:30\.0  \[#+\] 100%\r\n", text), text
    assert text.rstrip().splitlines()[-1].startswith("Converted ")
    assert miniaudio.get_file_info(out).num_frames == 30 * 48000


def test_convert_refuses_to_overwrite_its_input(tmp_path, sample_path):
    src = tmp_path / "in.ogg"
    src.write_bytes(open(sample_path("tone.ogg"), "rb").read())
    line = error_line(run("convert", src, src), 1)
    assert "the output file is the input file" in line
    assert miniaudio.get_file_info(str(src)).file_format == miniaudio.FileFormat.VORBIS


def test_convert_undecodable_input_leaves_no_output(tmp_path):
    src = tmp_path / "in.flac"
    src.write_bytes(b"fLaC" + os.urandom(2000))
    out = tmp_path / "out.wav"
    line = error_line(run("convert", src, out), 1)
    assert str(src) in line
    assert not out.exists()


# ---- a real sound server: play into a PulseAudio null sink, record its monitor ------------------


def _record_tone(tmp_path, play_args, seconds="1"):
    """Plays a 1 kHz tone (48 kHz stereo, amplitude 0.5) into the null sink "test" with `play`, records
    its monitor "test.monitor" with `record`; returns the recording as float32 (frames, 2)."""
    import pulse_server as ps

    tone = tmp_path / "tone.wav"
    tone.write_bytes(ps.sine_wav_bytes(freq=1000.0, seconds=8.0, rate=48000, channels=2, amplitude=0.5))
    out = str(tmp_path / "rec.wav")
    player = start("play", tone, "--backend", "pulseaudio", "--device", "test", "--buffersize-msec", "50",
                   *play_args)
    try:
        assert player.stdout.readline().startswith("Playing %s" % tone)
        rec = run("record", out, "--backend", "PulseAudio", "--device", "test.monitor", "--seconds", seconds,
                  "--rate", 48000, "--channels", 2, "--format", "f32", "--buffersize-msec", 50)
        assert rec.returncode == 0, rec.stderr
        assert "Monitor of Null Output" in rec.stdout
        player.send_signal(signal.SIGINT)
        player.communicate(timeout=TIMEOUT)
        assert player.returncode == 130
    finally:
        player.kill()
        player.wait()
    sound = miniaudio.decode_file(out, SF.FLOAT32, 2, 48000)
    assert sound.num_frames == 48000 * int(seconds)
    return helpers.pcm(sound)


def test_pulse_devices_lists_the_null_sink(pulse_server):
    proc = run("devices", "--backend", "pulseaudio")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "Backend: PulseAudio"
    assert re.search(r"^\s*\d+ \* Null Output  \[test\]", proc.stdout, re.M), proc.stdout
    assert re.search(r"^\s*\d+ \* Monitor of Null Output  \[test\.monitor\]", proc.stdout, re.M), proc.stdout


def test_pulse_play_is_heard_on_the_monitor(pulse_server, tmp_path, sig):
    rec = _record_tone(tmp_path, [])
    tone = rec[np.argmax(np.abs(rec[:, 0]) > 0.05):]  # PulseAudio drops the start of a joining stream
    assert len(tone) > 24000
    spectrum = np.abs(np.fft.rfft(tone[:, 0] * np.hanning(len(tone))))
    peak_hz = np.argmax(spectrum) * 48000 / len(tone)
    assert abs(peak_hz - 1000.0) < 3.0, peak_hz
    assert np.sqrt(np.mean(tone ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_pulse_play_volume(pulse_server, tmp_path):
    rec = _record_tone(tmp_path, ["--volume", "0.25"])
    tone = rec[np.argmax(np.abs(rec[:, 0]) > 0.02):]
    assert len(tone) > 24000
    assert np.sqrt(np.mean(tone ** 2)) == pytest.approx(0.25 * 0.5 / np.sqrt(2), rel=0.05)
