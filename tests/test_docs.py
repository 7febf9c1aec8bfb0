"""The Sphinx documentation in docs/: it builds with warnings as errors, its examples run and give
the output they show, and it documents every public name.

The builds run ``python -m sphinx`` in a subprocess from the repository root (the examples open
files in samples/), into tmp_path; they take about 15 s, most of it the device examples playing
in real time on the NULL backend.
"""

import enum
import inspect
import os
import subprocess
import sys
import zlib

import pytest

import miniaudio

pytest.importorskip("sphinx")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
TIMEOUT = 300


def sphinx(builder, out, doctrees):
    """Runs sphinx-build with warnings as errors; returns the CompletedProcess."""
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder, "-d", str(doctrees),
           DOCS, str(out)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The HTML build (once for the module): (completed process, output folder)."""
    tmp = tmp_path_factory.mktemp("docs")
    proc = sphinx("html", tmp / "html", tmp / "doctrees")
    return proc, tmp


def read_inventory(path):
    """{"miniaudio.decode": "py:function", ...} from a Sphinx objects.inv (format version 2)."""
    with open(path, "rb") as f:
        header = [f.readline() for _ in range(4)]
        assert header[0].startswith(b"# Sphinx inventory version 2"), header[0]
        assert b"zlib" in header[3], header[3]
        text = zlib.decompress(f.read()).decode("utf-8")
    entries = {}
    for line in text.splitlines():
        name, role = line.split(" ", 2)[:2]
        entries[name] = role
    return entries


def test_html_builds_without_warnings(built):
    proc, tmp = built
    assert proc.returncode == 0, "sphinx-build -W failed:\n" + proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    for page in ("index", "getting-started", "decoding", "converting", "streaming", "devices", "realtime",
                 "radio", "migrating", "cli", "api", "devices-api", "icecast-api"):
        assert (tmp / "html" / (page + ".html")).is_file(), page


def test_examples_run_and_give_their_output(built):
    """Every ``>>>`` example in the pages and in the docstrings that autodoc pulls in is run by the
    doctest builder and compared with the output it shows."""
    _, tmp = built  # reuses the doctrees of the HTML build
    proc = sphinx("doctest", tmp / "doctest", tmp / "doctrees")
    report_path = tmp / "doctest" / "output.txt"
    report = report_path.read_text() if report_path.exists() else ""
    assert proc.returncode == 0, "doctests failed:\n" + report[-20000:] + proc.stderr[-5000:]
    summary = report.split("Doctest summary")[-1]
    ran = int(summary.split(" tests")[0].split()[-1])
    assert ran >= 150, summary  # the pages and docstrings hold well over 150 examples
    assert "0 failures in tests" in summary and "0 failures in setup code" in summary, summary
    # pages of every topic contribute examples
    for page in ("getting-started", "decoding", "converting", "streaming", "devices", "realtime", "radio", "api"):
        assert "Document: " + page in report, page


def _public_members(cls):
    """(name, owner, value) for the public attributes a user reaches on cls: those defined by cls
    or a base class of this package (including the private C base of the devices), not those
    inherited from Python's own classes (object, tuple, Enum, BaseException, io.RawIOBase)."""
    seen = set()
    for owner in cls.__mro__:
        if not owner.__module__.startswith("miniaudio"):
            continue
        for name, value in vars(owner).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            yield name, owner, value


def _has_entry(inventory, cls, member):
    """Whether member is documented under cls or under a public class cls inherits it from (the
    members of the devices' private C base are documented under AbstractDevice)."""
    return any("miniaudio.%s.%s" % (klass.__name__, member) in inventory
               for klass in cls.__mro__ if klass.__name__ in miniaudio.__all__)


TYPE_ALIASES = {"FramesType", "PlaybackCallbackGeneratorType", "CaptureCallbackGeneratorType",
                "DuplexCallbackGeneratorType", "GeneratorTypes"}


def test_every_public_name_has_a_docstring_and_an_entry(built):
    proc, tmp = built
    assert proc.returncode == 0, proc.stderr
    inventory = read_inventory(tmp / "html" / "objects.inv")
    missing, undocumented = [], []
    for name in miniaudio.__all__:
        obj = getattr(miniaudio, name)
        if "miniaudio." + name not in inventory:
            missing.append(name)
        if name in TYPE_ALIASES:
            continue  # typing aliases carry no docstring of their own; api.rst describes them
        if not (obj.__doc__ or "").strip():  # its own docstring, not one inherited (inspect.getdoc)
            undocumented.append(name)
        if not inspect.isclass(obj):
            continue
        for member, owner, value in _public_members(obj):
            where = "miniaudio.%s.%s" % (name, member)
            if not _has_entry(inventory, obj, member):
                missing.append(where)
            if issubclass(obj, enum.Enum) or not (callable(value) or inspect.isdatadescriptor(value)
                                                  or isinstance(value, (staticmethod, classmethod))):
                continue  # enum members and class constants: the entry is what counts
            doc = getattr(value, "__doc__", None) if not isinstance(value, (staticmethod, classmethod)) \
                else value.__func__.__doc__
            if not (doc or "").strip():
                undocumented.append(where)
    assert not missing, "not in the built documentation: %s" % missing
    assert not undocumented, "no docstring: %s" % undocumented


def _instance_attributes(obj):
    return sorted(name for name in vars(obj) if not name.startswith("_"))


def test_instance_attributes_are_documented(built, sample_path):
    """The attributes objects really have (set in __init__, invisible to introspection of the
    class) are the ones the docstrings' "Attributes:" sections document."""
    _, tmp = built
    inventory = read_inventory(tmp / "html" / "objects.inv")

    objects = [miniaudio.get_file_info(sample_path("tone.mp3")), miniaudio.decode_file(sample_path("tone.mp3"))]
    with miniaudio.Devices(backends=["null"]) as devices:
        objects.append(devices)
        objects.append(devices.get_playbacks()[0]["id"])
    missing = []
    for cls in (miniaudio.PlaybackDevice, miniaudio.CaptureDevice, miniaudio.DuplexStream):
        device = cls(backends=["null"])
        try:
            missing += ["%s.%s" % (cls.__name__, a) for a in _instance_attributes(device)
                        if not _has_entry(inventory, cls, a)]
        finally:
            device.close()
    for obj in objects:
        cls = type(obj)
        missing += ["%s.%s" % (cls.__name__, a) for a in _instance_attributes(obj)
                    if not _has_entry(inventory, cls, a)]
    assert not missing, "attributes without an entry in the documentation: %s" % missing
