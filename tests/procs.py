"""Process helpers shared by the test servers (standard library only: the benchmarks import them)."""

import signal
import subprocess


def terminate(proc, timeout=10):
    """SIGTERM `proc` if it still runs, wait for it, SIGKILL it if it does not end in `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


class ServerProcess:
    """What the private test servers (PulseAudio, JACK) share once started: stop() ends the process
    and removes its folder, `with` starts and stops, pid/alive/log() for failure messages, and
    client_env()/_run() to run their command-line clients against it.

    A subclass sets `error_class`, `dir_attr` (the attribute holding its temporary folder) and
    implements start(); it keeps its process in self._proc and its log file in self._log /
    self.log_path."""

    error_class = RuntimeError
    dir_attr = "_dir"
    env = {}
    log_path = None
    _proc = None
    _log = None

    def start(self):
        raise NotImplementedError

    def stop(self):
        proc, self._proc = self._proc, None
        terminate(proc)
        if self._log is not None:
            self._log.close()
            self._log = None
        folder = getattr(self, self.dir_attr, None)
        if folder is not None:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            setattr(self, self.dir_attr, None)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def pid(self):
        return self._proc.pid if self._proc is not None else None

    @property
    def alive(self):
        return self._proc is not None and self._proc.poll() is None

    def log(self):
        """The server's output so far (for failure messages)."""
        import os

        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def client_env(self):
        """os.environ plus self.env: the environment for a client subprocess of this server."""
        import os

        env = dict(os.environ)
        env.update(self.env)
        return env

    def _run(self, cmd, check=True, timeout=20, input=None):
        r = subprocess.run(cmd, env=self.client_env(), input=input, capture_output=True, timeout=timeout,
                           text=input is None)
        if check and r.returncode != 0:
            raise self.error_class("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
        return r
