"""Short coverage-guided fuzz runs under AddressSanitizer and UBSan (the CI part of tests/fuzz/).

Builds the instrumented extension into build/fuzz/<hash of the C sources>/ (a second run reuses
it), runs each target of tests/fuzz/targets.py for a few seconds from seeds made of samples/, and
replays every committed regression and hostile input through the targets that parse it.  Any crash,
sanitizer report, uncaught exception, memory blow-up (-rss_limit_mb) or input slower than 2 s fails
the test with libFuzzer's report.  "Slower than 2 s" is CPU time: libFuzzer's -timeout is wall-clock,
and on a busy shared machine a 0.2 s input can take 10 s of wall time, so libFuzzer gets a generous
-timeout (a hang still fails) and saves every input slower than 2 s of wall time
(-report_slow_units=2), whose CPU time is then measured alone (run.py --cpu-time).

Needs clang with its sanitizer runtimes (Debian: clang-14 libclang-rt-14-dev) and atheris (PyPI);
without them the tests skip, unless MINIAUDIO_REQUIRE_FUZZ=1 (as in CI), when they fail.
The long runs and their figures: RELIABILITY.md, "Fuzzing".
"""

import glob
import importlib.util
import os
import re
import subprocess
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(TESTS, "fuzz")


def _load(name, filename):
    spec = importlib.util.spec_from_file_location(name, os.path.join(FUZZ, filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fuzz_run = _load("miniaudio_fuzz_run", "run.py")
fuzz_build = fuzz_run.fuzz_build

SECONDS = 5  # per target: thirteen targets, about a minute and a half in all
SLOW_CPU = 2.0  # seconds of CPU time one input may take (under ASan, about 15x the normal build)
# The stateful targets open and decode each input up to a dozen times (memory, path, file object,
# pipe, info, decode, seeks): an input whose Ogg setup header alone costs 10 ms in the normal build
# (stb_vorbis building large codebooks) takes 2.2 s of ASan CPU there without being slow per call.
SLOW_CPU_STATEFUL = 4.0
LIBFUZZER = ["-timeout=30", "-report_slow_units=2", "-rss_limit_mb=2048"]
DECODER_TARGETS = ["auto", "wav", "flac", "mp3", "vorbis", "wav_mp3"]
REGRESSIONS = os.path.join(TESTS, "corpus", "regressions")
# One input per finding of the independent probe (tests/corpus/make_probe.py); they fail on the code
# before its fixes.  They are replayed, and the invariants those fixes make hold are checked
# (tests/fuzz/stateful.py, OPEN), unless MINIAUDIO_FUZZ_STRICT=0 (to look at an older tree).
PROBE = os.path.join(TESTS, "corpus", "probe")
STRICT = os.environ.get("MINIAUDIO_FUZZ_STRICT", "1") == "1"
HOSTILE = os.path.join(TESTS, "corpus", "hostile")
TAGS = os.path.join(TESTS, "corpus", "tags")
PROBLEM = re.compile(r"ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:|"
                     r"SUMMARY: |Uncaught Python exception|==\d+== ?ERROR")


def _missing():
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "atheris is not installed (pip install atheris)"
    return fuzz_build.missing_tools()


@pytest.fixture(scope="module")
def fuzz_build_dir():
    reason = _missing()
    if reason:
        if os.environ.get("MINIAUDIO_REQUIRE_FUZZ"):
            pytest.fail(f"MINIAUDIO_REQUIRE_FUZZ is set but fuzzing cannot run: {reason}")
        pytest.skip(reason)
    try:
        return fuzz_build.build()
    except fuzz_build.FuzzBuildError as e:
        pytest.fail(str(e))


def _run(build_dir, target, args, timeout):
    env = fuzz_run.environment(build_dir)
    env["MINIAUDIO_FUZZ_TARGET"] = target
    cmd = fuzz_run.command(target, args)
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{target}: libFuzzer did not finish in {timeout} s:\n{(e.output or '')[-3000:]}")
    return proc.returncode, proc.stdout


def _check(build_dir, target, rc, out, artifacts):
    problem = PROBLEM.search(out)
    assert rc == 0 and problem is None, f"fuzz target {target} failed (exit {rc}):\n{out[-6000:]}"
    slow = sorted(glob.glob(os.path.join(artifacts, "slow-unit-*")))
    # replayed files are not saved as slow units; libFuzzer prints their wall time instead
    slow += [path for path, ms in re.findall(r"^Executed (.+) in (\d+) ms$", out, re.M) if int(ms) > 1000 * SLOW_CPU]
    if slow:
        env = fuzz_run.environment(build_dir)
        env["MINIAUDIO_FUZZ_TARGET"] = target
        env["MINIAUDIO_FUZZ_CPU_TIME"] = "1"
        proc = subprocess.run([sys.executable, os.path.join(FUZZ, "targets.py")] + slow, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=300)
        m = re.search(r"slowest: ([0-9.]+) s CPU", proc.stdout)
        assert proc.returncode == 0 and m, proc.stdout[-3000:]
        limit = SLOW_CPU_STATEFUL if target in ("seek", "source", "agree") else SLOW_CPU
        assert float(m.group(1)) <= limit, f"{target}: inputs slower than {limit} s of CPU:\n{proc.stdout}"


def _executed(out):
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("target", fuzz_run.TARGETS)
def test_fuzz_target(fuzz_build_dir, target, tmp_path):
    corpus = str(tmp_path / "corpus")  # fresh: seeded from samples/, thrown away afterwards
    seeds = fuzz_run.seed(target, corpus)
    args = [f"-max_total_time={SECONDS}"] + LIBFUZZER + [f"-artifact_prefix={tmp_path}{os.sep}", corpus]
    rc, out = _run(fuzz_build_dir, target, args, timeout=SECONDS + 120)
    _check(fuzz_build_dir, target, rc, out, str(tmp_path))
    # every seed ran (a busy machine may leave little time for mutations), through the instrumented module
    assert _executed(out) >= seeds, out[-3000:]
    assert "Using preloaded libfuzzer" in out, out[-3000:]
    assert re.search(r"Loaded 1 modules +\(\d+ inline 8-bit counters\)", out), out[-3000:]


def _replay_files():
    """target -> files to run once: fuzz-<target>-*.bin through its target, every other regression
    and hostile input through each decoder target."""
    plan = {t: [] for t in fuzz_run.TARGETS}
    for path in sorted(glob.glob(os.path.join(REGRESSIONS, "*"))):
        name = os.path.basename(path)
        m = re.match(r"fuzz-([a-z0-9_]+?)-", name)
        if m and m.group(1) in plan:
            plan[m.group(1)].append(path)
        elif os.path.isfile(path):
            for t in DECODER_TARGETS:
                plan[t].append(path)
    for path in sorted(glob.glob(os.path.join(PROBE, "fuzz-*"))) if STRICT else []:
        m = re.match(r"fuzz-([a-z0-9_]+?)-", os.path.basename(path))
        if m and m.group(1) in plan:
            plan[m.group(1)].append(path)
    for path in sorted(glob.glob(os.path.join(HOSTILE, "*"))):
        if os.path.isfile(path):
            for t in DECODER_TARGETS:
                plan[t].append(path)
    # every hostile and regression input through the tag parsers too, and the tag corpus
    # (tests/corpus/make_tags_corpus.py) through them and the decoders
    plan["tags"] += plan["auto"]
    for path in sorted(glob.glob(os.path.join(TAGS, "*"))):
        for t in DECODER_TARGETS + ["tags"]:
            plan[t].append(path)
    return {t: files for t, files in plan.items() if files}


@pytest.mark.parametrize("target", sorted(_replay_files()))
def test_replay_corpus(fuzz_build_dir, target, tmp_path):
    files = _replay_files()[target]
    rc, out = _run(fuzz_build_dir, target, LIBFUZZER + [f"-artifact_prefix={tmp_path}{os.sep}"] + files,
                   timeout=600)
    _check(fuzz_build_dir, target, rc, out, str(tmp_path))
    assert f"Running {len(files)} inputs 1 time(s) each" in out or len(re.findall(r"^Executed ", out, re.M)) \
        == len(files), out[-3000:]
