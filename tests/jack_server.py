"""A private JACK server on the dummy driver, for tests and benchmarks.

Standard library only (benchmarks/ imports this module too).  The recipe is the one measured in
shared/reference/testing-real-backends.md:

    jackd -n <name> --no-realtime -d dummy -r 48000 -p 1024

run under a server name of its own (``-n``; clients find it through JACK_DEFAULT_SERVER), so it
never touches a JACK server that happens to be running.  Works as root and in a container
(--no-realtime: no real-time scheduling is asked for).  What to know:

- jackd sets the rate and the period; miniaudio converts to the device's format, so a device of
  any rate and buffersize_msec opens on it.  The dummy driver runs in real time: one period of
  ``period`` frames every period / rate seconds (1024 frames at 48 kHz: 21.3 ms).
- JACK2 (jackd2 1.9.x) starts a new process thread for a client on each jack_activate and ends it
  (pthread_cancel + join) in jack_deactivate, after the server's next cycle: so a device's stop()
  on JACK takes up to one period, whatever the package.
- miniaudio connects its ports to the physical ports ``system:playback_N`` / ``system:capture_N``;
  the dummy driver's capture ports deliver silence.
- readiness is polled with jack_lsp (the system ports are listed), never a fixed sleep.

Usage::

    with JackServer() as jack:
        os.environ.update(jack.env)        # JACK_DEFAULT_SERVER, JACK_NO_START_SERVER
        ... open devices with backends=[Backend.JACK] ...
"""

import os
import shutil
import subprocess
import tempfile
import time
import uuid

import procs  # tests/procs.py (same folder)

__all__ = ["JackServer", "JackServerError", "jack_available"]


class JackServerError(RuntimeError):
    """jackd did not start, died, or a jack_* client call failed.  The message carries its log."""


def jack_available():
    """None when a private jackd can be started here (and jack_lsp talks to it), else the reason
    it cannot: the programs that are missing."""
    missing = [prog for prog in ("jackd", "jack_lsp") if shutil.which(prog) is None]
    if missing:
        return "%s not installed (Debian package jackd2)" % ", ".join(missing)
    return None


def _jackd_running():
    """Whether any jackd process is alive on this machine (any user)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/comm" % entry) as f:
                    if f.read().strip() in ("jackd", "jackdbus"):
                        return True
            except OSError:
                pass
    return False


def clear_stale_registry(shm="/dev/shm"):
    """Removes what dead JACK servers left in shared memory, when no jackd runs at all.

    JACK2 registers every server by name in a table of 8 slots (jack-shm-registry) and frees a
    slot only when a server of the same name starts again or exits cleanly: each server killed
    (a test does that on purpose) or crashed keeps its slot, and as every test server has a name
    of its own, the ninth start fails with "Too many servers already active".  With no jackd
    alive nothing in that table is in use, so the table and the servers' files go (only ours:
    the registry and the ma-test-* servers'); with a jackd alive (another user's, or another test
    run's) nothing is touched."""
    if not os.path.isdir(shm) or _jackd_running():
        return
    for name in os.listdir(shm):
        if name == "jack-shm-registry" or "ma-test-" in name or (name.startswith("jack-") and name[5:].split("-")[0].isdigit()):
            path = os.path.join(shm, name)
            try:
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
            except OSError:
                pass


class JackServer(procs.ServerProcess):
    """A private jackd with the dummy driver, as a context manager.

    Attributes once started:
      name          the server name (unique per instance: "ma-test-<pid>-<random>")
      env           dict to merge into os.environ or a subprocess environment: JACK_DEFAULT_SERVER
                    (the server name) and JACK_NO_START_SERVER (a client never starts a stray server
                    if this one is gone)
      rate, period  the dummy driver's sample rate and period (frames)
      pid, log_path
    """

    error_class = JackServerError
    dir_attr = "_dir"

    def __init__(self, rate=48000, period=1024, start_timeout=30.0):
        self.rate = rate
        self.period = period
        self.start_timeout = start_timeout
        self.name = "ma-test-%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
        self.env = {}
        self.log_path = None
        self._dir = None
        self._proc = None
        self._log = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        reason = jack_available()
        if reason:
            raise JackServerError(reason)
        if self._proc is not None:
            raise JackServerError("already started")
        clear_stale_registry()
        self._dir = tempfile.mkdtemp(prefix="ma-jack-")
        self.env = {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}
        cmd = ["jackd", "-n", self.name, "--no-realtime", "-d", "dummy", "-r", str(self.rate),
               "-p", str(self.period)]
        server_env = dict(os.environ)
        server_env.pop("JACK_DEFAULT_SERVER", None)
        self.log_path = os.path.join(self._dir, "jackd.log")
        self._log = open(self.log_path, "wb")
        try:
            # start_new_session: a Ctrl-C in the terminal reaches pytest, not the server; stop() ends it.
            self._proc = subprocess.Popen(cmd, env=server_env, stdin=subprocess.DEVNULL, stdout=self._log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        """Poll jack_lsp until the server answers and lists its system ports."""
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while True:
            if self._proc.poll() is not None:
                raise JackServerError("jackd exited with code %s before answering:\n%s"
                                      % (self._proc.returncode, self.log()))
            r = self._run(["jack_lsp"], check=False)
            ports = r.stdout.split()
            if r.returncode == 0 and "system:playback_1" in ports and "system:capture_1" in ports:
                return
            last = (r.stdout + r.stderr).strip()
            if time.monotonic() > deadline:
                raise JackServerError("jackd did not answer within %.0f s (last jack_lsp output: %s)\n%s"
                                      % (self.start_timeout, last, self.log()))
            time.sleep(0.05)

    # -- clients -----------------------------------------------------------------------------

    def ports(self):
        """Every port name the server lists (`jack_lsp`)."""
        return self._run(["jack_lsp"]).stdout.split()

    def connections(self):
        """{port: [connected ports]} from `jack_lsp -c`."""
        out, port = {}, None
        for line in self._run(["jack_lsp", "-c"]).stdout.splitlines():
            if not line.strip():
                continue
            if line.startswith((" ", "\t")):
                out.setdefault(port, []).append(line.strip())
            else:
                port = line.strip()
                out.setdefault(port, [])
        return out
