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
