"""Shared fixtures for the miniaudio test suite.

The sample files live in ../samples and are produced by samples/make_samples.py.
Their reference PCM is regenerated here from samples/signals.py (numpy only),
so lossless decodes can be compared exactly without hidden data.
"""

import contextlib
import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SAMPLES_DIR = os.path.join(os.path.dirname(TESTS_DIR), "samples")
if SAMPLES_DIR not in sys.path:
    sys.path.insert(0, SAMPLES_DIR)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
# build_support/miniaudio_build.py: the build's fetch, patch and flag code, which setup.py imports too.
BUILD_SUPPORT_DIR = os.path.join(os.path.dirname(TESTS_DIR), "build_support")
if BUILD_SUPPORT_DIR not in sys.path:
    sys.path.insert(0, BUILD_SUPPORT_DIR)

import signals  # noqa: E402  (samples/signals.py)


@pytest.fixture(scope="session")
def samples_dir():
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def sample_path():
    """sample_path("tone_s16.wav") -> absolute str path of a committed sample file."""

    def _path(name):
        p = os.path.join(SAMPLES_DIR, name)
        assert os.path.isfile(p), "missing sample %s (run samples/make_samples.py)" % name
        return p

    return _path


@pytest.fixture(scope="session")
def sample_bytes(sample_path):
    """sample_bytes("tone.mp3") -> the file's content as bytes (cached)."""
    cache = {}

    def _bytes(name):
        if name not in cache:
            with open(sample_path(name), "rb") as f:
                cache[name] = f.read()
        return cache[name]

    return _bytes


@pytest.fixture(scope="session")
def reference():
    """reference("tone", "s16") -> numpy array (frames, channels) of the stored PCM."""
    return signals.reference


@pytest.fixture(scope="session")
def sig():
    """The samples/signals.py module (SIGNALS table, peak_frequency, rms, ...)."""
    return signals


def require_or_skip(reason, require_var):
    """Skips the test when `reason` (why a server cannot run here) is not None, or fails it when
    the environment variable `require_var` is "1" (CI: the server is mandatory)."""
    if reason is not None:
        if os.environ.get(require_var) == "1":
            pytest.fail("%s=1 but %s" % (require_var, reason), pytrace=False)
        pytest.skip(reason)


@contextlib.contextmanager
def server_environment(server):
    """os.environ updated with `server.env` (where its clients find it) while in the block; the
    previous values back after."""
    saved = {name: os.environ.get(name) for name in server.env}
    os.environ.update(server.env)
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def pulse_server():
    """A private PulseAudio daemon with a null sink ("test", "Null Output") and its monitor
    ("test.monitor"), for the whole session; os.environ["PULSE_SERVER"] points at it meanwhile.

    Skips only when the pulseaudio programs are not installed; with MINIAUDIO_REQUIRE_PULSE=1 (CI)
    that is a failure instead.  A daemon that is installed but does not start is always a failure.
    """
    import pulse_server as ps

    require_or_skip(ps.pulse_available(), "MINIAUDIO_REQUIRE_PULSE")
    with ps.PulseServer() as server, server_environment(server):
        yield server


@pytest.fixture(scope="session")
def icecast_server():
    """A private Icecast server on 127.0.0.1 (tests/icecast_server.py) for the whole session; the tests
    start their own ffmpeg sources on it (server.start_mp3_source / start_ogg_source).

    Skips only when icecast2 or ffmpeg is not installed; with MINIAUDIO_REQUIRE_ICECAST=1 (CI) that is
    a failure instead.  A server that is installed but does not start is always a failure.
    """
    import icecast_server as ics

    reason = ics.icecast_available()
    if reason is not None:
        if os.environ.get("MINIAUDIO_REQUIRE_ICECAST") == "1":
            pytest.fail("MINIAUDIO_REQUIRE_ICECAST=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    with ics.IcecastServer() as server:
        yield server


# ---- devices on the NULL backend (tests/test_devices_*.py; helpers in device_helpers.py) ----------


@pytest.fixture
def devices():
    """make(cls, *args, **kw) -> a device on the NULL backend (buffersize_msec=10 unless given); every
    device made is closed at teardown (pending generator errors swallowed: the test asserted them)."""
    import miniaudio
    from device_helpers import NULL

    made = []

    def make(cls=miniaudio.PlaybackDevice, *args, **kw):
        kw.setdefault("backends", NULL)
        kw.setdefault("buffersize_msec", 10)
        dev = cls(*args, **kw)
        made.append(dev)
        return dev

    yield make
    for dev in made:
        try:
            dev.close()
        except Exception:
            pass


@pytest.fixture
def unraisable(monkeypatch):
    """Collects what reaches sys.unraisablehook (a list of (exc_value, object)).  With devices, request it
    *before* `devices` in a test's arguments so the devices are closed before the hook is restored."""
    got = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: got.append((u.exc_value, u.object)))
    return got
