"""A private PulseAudio daemon with one null sink, for tests and benchmarks.

Standard library only (benchmarks/ imports this module too).  The recipe is the one measured in
shared/reference/testing-real-backends.md:

    pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no --disable-shm=true \\
      -L "module-native-protocol-unix auth-anonymous=1 socket=$XDG_RUNTIME_DIR/native" \\
      -L "module-null-sink sink_name=test"

run with its own XDG_RUNTIME_DIR and HOME (a temporary directory), so it never touches a sound server
that happens to be running.  Works as root (the daemon only warns).  Quirks worth knowing:

- without --disable-shm=true streams stall about 2 s before the first callbacks (PA issue 824);
- starting a capture on the monitor before the playback stream stalls both for about 2 s: start the
  playback first;
- measured here with PulseAudio 16.1: the first client of an idle null sink (a playback stream, or
  parec on the monitor) waits about 2 s (1.6-2.0 s) before its stream moves; after that, real time;
- a stream that joins the running null sink while its monitor is recorded loses its first 12-17 ms
  (pacat: 600 frames at 48 kHz); from then on the sink passes audio through bit for bit;
- wait for a number of frames, never for a fixed sleep.

Usage::

    with PulseServer() as pa:
        os.environ.update(pa.env)          # PULSE_SERVER (and a client.conf without autospawn)
        ... open devices on pa.sink_name / pa.monitor_name ...

With PulseAudio 16.1 and the default null sink the device descriptions are "Null Output" (the sink,
named ``test``) and "Monitor of Null Output" (its monitor source, ``test.monitor``); the sink is the
server's default sink and the monitor its default source.
"""

import io
import math
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import wave

import procs  # tests/procs.py (same folder)

__all__ = [
    "PulseServer",
    "PulseServerError",
    "pulse_available",
    "sine_pcm",
    "sine_wav_bytes",
    "SINK_DESCRIPTION",
    "MONITOR_DESCRIPTION",
]

# What PulseAudio 16.1 calls the null sink and its monitor when no description is given
# (measured: `pactl list sinks` / `pactl list sources`).
SINK_DESCRIPTION = "Null Output"
MONITOR_DESCRIPTION = "Monitor of Null Output"

# parec/pacat --format names -> (struct code, bytes per sample)
_PA_FORMATS = {
    "s16le": ("<h", 2),
    "s32le": ("<i", 4),
    "float32le": ("<f", 4),
}


class PulseServerError(RuntimeError):
    """The daemon did not start, died, or a pactl/parec call failed.  The message carries its log."""


def pulse_available():
    """None when a private PulseAudio daemon can be started here (and pactl/parec talk to it), else
    the reason it cannot: the programs that are missing."""
    missing = [prog for prog in ("pulseaudio", "pactl", "parec") if shutil.which(prog) is None]
    if missing:
        return "%s not installed (Debian packages pulseaudio, pulseaudio-utils)" % ", ".join(missing)
    return None


class PulseServer(procs.ServerProcess):
    """A private PulseAudio daemon with one null sink, as a context manager.

    Attributes once started:
      server        the PULSE_SERVER string ("unix:/tmp/.../native")
      env           dict to merge into os.environ or a subprocess environment: PULSE_SERVER and
                    PULSE_CLIENTCONFIG (a client.conf with autospawn = no, so a client never starts a
                    stray daemon if this one is gone)
      sink_name     "test" (the null sink), monitor_name "test.monitor" (its monitor source)
      runtime_dir   the temporary directory (XDG_RUNTIME_DIR and HOME of the daemon), removed on stop()
      pid, log_path
    """

    error_class = PulseServerError
    dir_attr = "runtime_dir"

    def __init__(self, sink_name="test", rate=48000, channels=2, sample_format=None, start_timeout=30.0):
        self.sink_name = sink_name
        self.monitor_name = sink_name + ".monitor"
        self.rate = rate
        self.channels = channels
        self.sample_format = sample_format  # None: the daemon's default (s16le)
        self.start_timeout = start_timeout
        self.runtime_dir = None
        self.server = None
        self.env = {}
        self.log_path = None
        self._proc = None
        self._log = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        reason = pulse_available()
        if reason:
            raise PulseServerError(reason)
        if self._proc is not None:
            raise PulseServerError("already started")
        # A short path: the socket path must fit in sockaddr_un (108 bytes).
        self.runtime_dir = tempfile.mkdtemp(prefix="ma-pulse-")
        socket_path = os.path.join(self.runtime_dir, "native")
        self.server = "unix:" + socket_path
        client_conf = os.path.join(self.runtime_dir, "client.conf")
        with open(client_conf, "w") as f:
            f.write("autospawn = no\n")
        self.env = {"PULSE_SERVER": self.server, "PULSE_CLIENTCONFIG": client_conf}

        sink_args = "module-null-sink sink_name=%s" % self.sink_name
        if self.rate:
            sink_args += " rate=%d" % self.rate
        if self.channels:
            sink_args += " channels=%d" % self.channels
        if self.sample_format:
            sink_args += " format=%s" % self.sample_format
        cmd = [
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
            "--disable-shm=true",
            "-L", "module-native-protocol-unix auth-anonymous=1 socket=%s" % socket_path,
            "-L", sink_args,
        ]
        daemon_env = dict(os.environ)
        for var in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE", "PULSE_CLIENTCONFIG", "DBUS_SESSION_BUS_ADDRESS"):
            daemon_env.pop(var, None)
        daemon_env.update(XDG_RUNTIME_DIR=self.runtime_dir, HOME=self.runtime_dir,
                          XDG_CONFIG_HOME=os.path.join(self.runtime_dir, ".config"))
        self.log_path = os.path.join(self.runtime_dir, "pulseaudio.log")
        self._log = open(self.log_path, "wb")
        try:
            # start_new_session: a Ctrl-C in the terminal reaches pytest, not the daemon; stop() ends it.
            self._proc = subprocess.Popen(cmd, env=daemon_env, stdin=subprocess.DEVNULL, stdout=self._log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        """Poll `pactl info` and the sink list until the server answers and the sink exists."""
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while True:
            if self._proc.poll() is not None:
                raise PulseServerError("pulseaudio exited with code %s before answering:\n%s"
                                       % (self._proc.returncode, self.log()))
            r = self._run(["pactl", "info"], check=False)
            if r.returncode == 0:
                r = self._run(["pactl", "list", "short", "sinks"], check=False)
                if r.returncode == 0 and any(line.split("\t")[1:2] == [self.sink_name]
                                             for line in r.stdout.splitlines()):
                    return
            last = (r.stdout + r.stderr).strip()
            if time.monotonic() > deadline:
                raise PulseServerError("pulseaudio did not answer within %.0f s (last pactl output: %s)\n%s"
                                       % (self.start_timeout, last, self.log()))
            time.sleep(0.05)

    # -- clients -----------------------------------------------------------------------------

    def pactl(self, *args):
        """Run pactl against this server; returns its stdout (raises PulseServerError on failure)."""
        return self._run(["pactl"] + list(args)).stdout

    def sinks(self):
        """[(name, sample spec string, state)] from `pactl list short sinks`."""
        return self._short("sinks")

    def sources(self):
        return self._short("sources")

    def _short(self, what):
        rows = []
        for line in self.pactl("list", "short", what).splitlines():
            fields = line.split("\t")
            if len(fields) >= 5:
                rows.append((fields[1], fields[3], fields[4]))
        return rows

    def clients(self):
        """application.name of every connected client (`pactl list clients`; pactl itself is one).
        (`pactl list short clients` shows the process binary instead.)"""
        names = []
        for line in self.pactl("list", "clients").splitlines():
            line = line.strip()
            if line.startswith("application.name = "):
                names.append(line.split("=", 1)[1].strip().strip('"'))
        return names

    def load_null_sink(self, name, description=None):
        """Add another null sink (same rate and channels as the first); returns its module index for
        unload_module().  Its monitor source is name + ".monitor"."""
        args = ["load-module", "module-null-sink", "sink_name=%s" % name]
        if description:
            # module arguments: the whole value in single quotes, the property value in double quotes
            args.append("sink_properties='device.description=\"%s\"'" % description)
        if self.rate:
            args.append("rate=%d" % self.rate)
        if self.channels:
            args.append("channels=%d" % self.channels)
        if self.sample_format:
            args.append("format=%s" % self.sample_format)
        return int(self.pactl(*args).strip())

    def unload_module(self, index):
        self.pactl("unload-module", str(index))

    def descriptions(self, what):
        """{name: description} of the sinks or sources (`pactl list sinks|sources`)."""
        out, name = {}, None
        for line in self.pactl("list", what).splitlines():
            line = line.strip()
            if line.startswith("Name:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("Description:") and name is not None:
                out[name] = line.split(":", 1)[1].strip()
        return out

    def record_with_parec(self, seconds, device=None, rate=48000, channels=2, fmt="float32le", timeout=None):
        """Record `seconds` of audio from `device` (default: the null sink's monitor) with parec.

        Reads until that many bytes arrived (a deadline of `timeout`, default seconds + 10 s, not a
        fixed sleep) and returns the raw interleaved bytes in `fmt` (s16le, s32le or float32le).
        """
        code, width = _PA_FORMATS[fmt]
        nbytes = int(round(seconds * rate)) * channels * width
        cmd = ["parec", "--raw", "--device=%s" % (device or self.monitor_name), "--rate=%d" % rate,
               "--channels=%d" % channels, "--format=%s" % fmt, "--latency-msec=20"]
        return _read_process(cmd, self.client_env(), nbytes, timeout if timeout else seconds + 10.0)

    def start_pacat(self, device=None, rate=48000, channels=2, fmt="float32le"):
        """A running `pacat --playback --raw` on `device` (default: the null sink).  Write raw frames to
        its stdin; close stdin and wait() to end it."""
        cmd = ["pacat", "--playback", "--raw", "--device=%s" % (device or self.sink_name), "--rate=%d" % rate,
               "--channels=%d" % channels, "--format=%s" % fmt]
        return subprocess.Popen(cmd, env=self.client_env(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    def play_with_paplay(self, path, device=None, timeout=60):
        """Play a sound file to the end with paplay (blocks)."""
        self._run(["paplay", "--device=%s" % (device or self.sink_name), path], timeout=timeout)


def _read_process(cmd, env, nbytes, timeout):
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    chunks, got = [], 0
    deadline = time.monotonic() + timeout
    try:
        fd = proc.stdout.fileno()
        while got < nbytes:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PulseServerError("%s: %d of %d bytes within %.1f s" % (cmd[0], got, nbytes, timeout))
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(fd, min(65536, nbytes - got))
            if not chunk:
                raise PulseServerError("%s ended after %d of %d bytes: %s"
                                       % (cmd[0], got, nbytes, proc.stderr.read().decode("utf-8", "replace")))
            chunks.append(chunk)
            got += len(chunk)
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    return b"".join(chunks)


# -- test signals (standard library only) ----------------------------------------------------

def sine_pcm(freq=1000.0, seconds=1.0, rate=48000, channels=2, amplitude=0.5, fmt="float32le"):
    """Interleaved raw PCM of a sine (same value on every channel) as bytes.
    fmt: float32le, s16le or s32le (integer formats are scaled by 32767 / 2147483647 and rounded)."""
    code, width = _PA_FORMATS[fmt]
    n = int(round(seconds * rate))
    scale = {"float32le": 1.0, "s16le": 32767.0, "s32le": 2147483647.0}[fmt]
    step = 2.0 * math.pi * freq / rate
    values = [amplitude * math.sin(step * i) * scale for i in range(n)]
    if fmt != "float32le":
        values = [int(round(v)) for v in values]
    frame_code = "<" + code[1] * channels
    pack = struct.Struct(frame_code).pack
    return b"".join(pack(*([v] * channels)) for v in values)


def sine_wav_bytes(freq=1000.0, seconds=1.0, rate=48000, channels=2, amplitude=0.5):
    """A 16-bit PCM WAV file (bytes) of a sine, made with the standard `wave` module."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(sine_pcm(freq, seconds, rate, channels, amplitude, "s16le"))
    return buf.getvalue()
