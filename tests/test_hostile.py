"""Hostile inputs: the malformed-file corpus and every sample file truncated at each of its
first 4 KiB, fed to every decoding entry point.

Each input must give a clean exception (miniaudio.MiniaudioError / DecodeError, ValueError) or a
bounded decode: at most 2 s of CPU and 64 MiB of extra memory per input and entry point, and
never a crash.  The inputs run in child processes (this file run as a script with --worker) so a
crash or a hang shows as a failure naming the input, not as a dead pytest:

* CPU: measured per call with time.thread_time() (and process_time()); a call still running after KILL_CPU seconds of
  CPU is killed by ITIMER_PROF (SIGPROF) and reported as a hang.
* Memory: before each call RLIMIT_AS is set to the process's current size + 64 MiB (so a call
  cannot get more; a MemoryError or miniaudio's out-of-memory is a failure), and the peak resident
  growth is measured (VmHWM reset through /proc/self/clear_refs).

Entry points (ENTRY_POINTS): the four <format>_get_info(bytes) and four <format>_read_*(bytes)
functions, decode(bytes), stream_memory(bytes) read to the end, get_file_info(path),
decode_file(path), read_file(path), stream_file(path) and stream_any(io.BytesIO) read to the end;
corpus files also seek their memory streams (middle, start) after reading them.

The truncation sweep covers every offset 0..4095 of every audio sample through decode(bytes), the
cheapest full path, and every other entry point on one offset in SWEEP_STRIDE (each entry point on
a different phase, so together they still touch every 4th-or-so offset).  MINIAUDIO_HOSTILE_FULL=1
runs every entry point at every offset (figures in RELIABILITY.md).  The corpus itself is written
by tests/corpus/make_hostile.py, and test_corpus_matches_script checks the committed files are
exactly what it makes.
"""

import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS_DIR = os.path.join(HERE, "corpus", "hostile")
SAMPLES_DIR = os.path.join(ROOT, "samples")

CPU_LIMIT = 2.0  # seconds of CPU per input and entry point
MEM_LIMIT = 64 << 20  # bytes of extra memory per input and entry point
KILL_CPU = 3  # a call still running after this much CPU is killed as a hang (and fails)
SWEEP_BYTES = 4096
SWEEP_STRIDE = 16  # the other entry points: one offset in SWEEP_STRIDE each (see the docstring)
AUDIO_EXTS = (".wav", ".flac", ".mp3", ".ogg", ".dat")
FULL = os.environ.get("MINIAUDIO_HOSTILE_FULL") == "1"

ENTRY_POINTS = ("decode", "get_info", "read_bytes", "stream_memory", "get_file_info", "decode_file", "read_file",
                "stream_file", "stream_any")
PATH_ENTRY_POINTS = ("get_file_info", "decode_file", "read_file", "stream_file")

# One (input, entry point) result; message only for failures (the full sweep has ~600,000).
Result = namedtuple("Result", "outcome exc message cpu mem result")

# Corpus files that trip a known bug of the embedded decoders: name -> reason (xfail, strict).
KNOWN_BUGS = {}


def corpus_files():
    return sorted(os.listdir(CORPUS_DIR)) if os.path.isdir(CORPUS_DIR) else []


def sample_files():
    return sorted(f for f in os.listdir(SAMPLES_DIR) if f.endswith(AUDIO_EXTS))


def plan(kind, full=FULL):
    """The (input, entry point) pairs of a run, in order: the parent and the worker both build it.
    An input is ("file", path, seek) or ("trunc", sample path, length)."""
    pairs = []
    if kind == "corpus":
        for name in corpus_files():
            for ep in ENTRY_POINTS:
                pairs.append((("file", os.path.join(CORPUS_DIR, name), True), ep))
    elif kind == "selftest":  # inputs that must break the bounds: the check of the checker
        pairs = [(("synthetic", "upsample-1hz.wav", 0), "selftest_unbounded"),
                 (("synthetic", "valid.wav", 0), "decode"),
                 (("synthetic", "valid.wav", 0), "selftest_spin"), (("synthetic", "valid.wav", 0), "selftest_crash"),
                 (("synthetic", "valid.wav", 0), "stream_memory")]
    else:
        for name in sample_files():
            path = os.path.join(SAMPLES_DIR, name)
            for n in range(SWEEP_BYTES):
                for k, ep in enumerate(ENTRY_POINTS):
                    if full or k == 0 or (n + 7 * k) % SWEEP_STRIDE == 0:
                        pairs.append((("trunc", path, n), ep))
    return pairs


def describe(inp):
    kind, path, arg = inp
    if kind == "synthetic":
        return "<%s>" % path
    name = os.path.relpath(path, ROOT)
    return name if kind == "file" else "%s[:%d]" % (name, arg)


def synthetic(name):
    """Made-up inputs for the self-test: 2000 frames of 8-bit mono at 1 Hz decode (at 44100 Hz,
    stereo, 16-bit) to 353 MB, far past MEM_LIMIT; the same frames at 8000 Hz are harmless."""
    import struct

    rate = 1 if name.startswith("upsample") else 8000
    data = bytes(range(256)) * 7 + bytes(range(208))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8) + b"data" + struct.pack("<I", len(data)) + data)


# ---------------------------------------------------------------------------------------------
# The worker (child process)
# ---------------------------------------------------------------------------------------------


def _worker(config):
    import resource
    import tempfile
    import time

    import miniaudio

    pairs = plan(config["kind"], config["full"])
    start, step, offset = config["start"], config["parts"], config["part"]
    page = os.sysconf("SC_PAGE_SIZE")
    clear_fd = os.open("/proc/self/clear_refs", os.O_WRONLY)
    status_fd = os.open("/proc/self/status", os.O_RDONLY)
    statm_fd = os.open("/proc/self/statm", os.O_RDONLY)
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    tmpdir = tempfile.mkdtemp(prefix="hostile-")
    tmp_path = os.path.join(tmpdir, "input")
    allowed = (miniaudio.MiniaudioError, ValueError)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # killed by CPU time: the parent reports a hang

    def drain(stream, frames_to_read, nchannels):
        frames = 0
        for chunk in stream:
            n = len(chunk)
            assert n % nchannels == 0 and 0 < n <= frames_to_read * nchannels, "chunk of %d samples" % n
            frames += n // nchannels
        return frames

    def check_decoded(sound, nchannels=2, rate=44100):
        assert sound.nchannels == nchannels and sound.sample_rate == rate, (sound.nchannels, sound.sample_rate)
        assert len(sound.samples) % nchannels == 0
        return len(sound.samples) // nchannels

    def ep_decode(data, path, seek):
        return check_decoded(miniaudio.decode(data))

    def ep_get_info(data, path, seek):
        # The four format-specific info functions (no format-agnostic one for bytes in the API);
        # each may refuse the data on its own.
        got = []
        for fn in (miniaudio.wav_get_info, miniaudio.flac_get_info, miniaudio.mp3_get_info,
                   miniaudio.vorbis_get_info):
            try:
                info = fn(data)
            except allowed:
                continue
            assert info.num_frames >= 0 and info.nchannels >= 0
            got.append(info.num_frames)
        return got

    def ep_read_bytes(data, path, seek):
        got = []
        for fn in (miniaudio.wav_read_s16, miniaudio.flac_read_f32, miniaudio.mp3_read_s16, miniaudio.vorbis_read):
            try:
                sound = fn(data)
            except allowed:
                continue
            assert sound.nchannels > 0 and len(sound.samples) % sound.nchannels == 0
            got.append(len(sound.samples) // sound.nchannels)
        return got

    def ep_stream_memory(data, path, seek):
        stream = miniaudio.stream_memory(data, frames_to_read=4096)
        frames = drain(stream, 4096, 2)
        if seek:  # seek tables, granule positions, Xing TOCs: seek into the middle, then back
            length = stream.length
            middle = length // 2 if length else 10000
            stream.seek(middle)
            frames += drain(stream, 4096, 2)
            stream.seek(0)
            frames += drain(stream, 4096, 2)
        stream.close()
        return frames

    def ep_get_file_info(data, path, seek):
        info = miniaudio.get_file_info(path)
        assert info.num_frames >= 0
        return info.num_frames

    def ep_decode_file(data, path, seek):
        return check_decoded(miniaudio.decode_file(path))

    def ep_read_file(data, path, seek):
        sound = miniaudio.read_file(path)
        assert sound.nchannels > 0 and len(sound.samples) % sound.nchannels == 0
        return len(sound.samples) // sound.nchannels

    def ep_stream_file(data, path, seek):
        with miniaudio.stream_file(path, frames_to_read=4096) as stream:
            return drain(stream, 4096, 2)

    def ep_stream_any(data, path, seek):
        with miniaudio.stream_any(io.BytesIO(data), frames_to_read=4096) as stream:
            return drain(stream, 4096, 2)

    def ep_selftest_unbounded(data, path, seek):  # decode() without its output bound: too much memory
        return check_decoded(miniaudio.decode(data, max_output_bytes=sys.maxsize))

    def ep_selftest_spin(data, path, seek):  # a hang: killed by ITIMER_PROF
        while True:
            pass

    def ep_selftest_crash(data, path, seek):  # a crash
        os.kill(os.getpid(), signal.SIGSEGV)

    scope = locals()
    entry = {name: scope["ep_" + name]
             for name in ENTRY_POINTS + ("selftest_unbounded", "selftest_spin", "selftest_crash")}

    def statm():
        fields = os.pread(statm_fd, 200, 0).split()
        return int(fields[0]) * page, int(fields[1]) * page

    def vm_hwm():
        s = os.pread(status_fd, 8192, 0)
        i = s.index(b"VmHWM:")
        return int(s[i + 6:s.index(b"kB", i)]) * 1024

    cache = {}
    os.write(1, b"ready\n")
    for index in range(start + offset, len(pairs), step):
        (kind, path, arg), ep = pairs[index]
        key = (kind, path, arg)
        if key not in cache:
            cache.clear()
            if kind == "file":
                with open(path, "rb") as f:
                    data = f.read()
                cache[key] = (data, path, True)
            elif kind == "synthetic":
                cache[key] = (synthetic(path), None, False)
            else:
                with open(path, "rb") as f:
                    data = f.read(arg)
                cache[key] = (data, None, False)
        data, file_path, seek = cache[key]
        if ep in PATH_ENTRY_POINTS and file_path is None:
            with open(tmp_path, "wb") as f:
                f.write(data)
            file_path = tmp_path
            cache[key] = (data, file_path, seek)
        os.write(clear_fd, b"5")  # VmHWM := current RSS
        vm0, rss0 = statm()
        resource.setrlimit(resource.RLIMIT_AS, (vm0 + MEM_LIMIT, as_hard))
        signal.setitimer(signal.ITIMER_PROF, KILL_CPU)
        t0, p0 = time.thread_time(), time.process_time()
        exc_type = message = result_name = None
        try:
            result = entry[ep](data, file_path, seek)
            outcome = "ok"
        except allowed as exc:
            outcome, exc_type, message = "error", type(exc).__name__, str(exc)
            result_name = getattr(exc, "result_name", None)
            result = None
        except BaseException as exc:  # everything else is a failure; report it
            outcome, exc_type, message = "bad", type(exc).__name__, str(exc)
            result = None
        # The call runs on this thread (the decoders start none).  The process clock alone can
        # read in whole scheduler ticks while ITIMER_PROF is armed, so take the larger.
        cpu = max(time.thread_time() - t0, time.process_time() - p0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, (as_hard, as_hard))
        mem = vm_hwm() - rss0
        if result_name == "MA_OUT_OF_MEMORY":
            outcome = "bad"
        line = json.dumps([index, outcome, exc_type, (message or "")[:300], round(cpu, 6), mem, result])
        os.write(1, line.encode() + b"\n")
    try:
        os.remove(tmp_path)
    except OSError:
        pass
    os.rmdir(tmpdir)


# ---------------------------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------------------------


def _run_part(kind, full, part, parts, npairs, results):
    """Runs the worker over pairs part, part+parts, ... restarting it after a crash; fills
    results[index] with a Result."""
    start = 0
    restarts = 0
    while True:
        config = dict(kind=kind, full=full, start=start, part=part, parts=parts)
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        expected = start + part
        stderr_chunks = []
        reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
        reader.start()
        ready = proc.stdout.readline() == b"ready\n"
        for raw in proc.stdout if ready else ():
            index, outcome, exc_type, message, cpu, mem, result = json.loads(raw)
            assert index == expected, (index, expected)
            results[index] = Result(outcome, exc_type, message if outcome == "bad" else None, cpu, mem, result)
            expected += parts
        rc = proc.wait()
        reader.join()
        if not ready:
            raise RuntimeError("hostile worker failed to start:\n" + b"".join(stderr_chunks).decode("utf-8", "replace"))
        if expected >= npairs and rc == 0:
            return
        # The worker died on pairs[expected]: record it and go on after it.
        err = b"".join(stderr_chunks).decode("utf-8", "replace")[-2000:]
        if rc > 0:  # a Python error in the worker itself, not a crash an input caused
            raise RuntimeError("hostile worker failed (exit status %d):\n%s" % (rc, err))
        if rc == -signal.SIGPROF:
            what = "killed after %d s of CPU (a hang)" % KILL_CPU
        else:
            what = "crashed (exit status %d)" % rc
        if expected < npairs:
            results[expected] = Result("crash", None, what + ("\n" + err if err.strip() else ""), None, None, None)
        else:
            raise RuntimeError("hostile worker exited with %d after its last input:\n%s" % (rc, err))
        restarts += 1
        if restarts > 40:
            raise RuntimeError("hostile worker crashed more than 40 times; last:\n" + err)
        start = expected + parts - part


def run(kind, full=FULL, parts=2):
    """{pair index: result} for every pair of plan(kind), run by `parts` workers at once."""
    npairs = len(plan(kind, full))
    results = {}
    errors = []

    def part(p):
        try:
            _run_part(kind, full, p, parts, npairs, results)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=part, args=(p,)) for p in range(parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    if len(results) != npairs:
        raise RuntimeError("hostile run lost results: %d of %d" % (len(results), npairs))
    return results


def problems(pairs, results, indices):
    """Failure lines for the given pair indices."""
    out = []
    for i in indices:
        inp, ep = pairs[i]
        r = results[i]
        where = "%s via %s" % (describe(inp), ep)
        if r.outcome == "crash":
            out.append("%s: %s" % (where, r.message))
        elif r.outcome == "bad":
            out.append("%s: %s: %s" % (where, r.exc, r.message))
        else:
            if r.cpu > CPU_LIMIT:
                out.append("%s: %.2f s of CPU" % (where, r.cpu))
            if r.mem > MEM_LIMIT:
                out.append("%s: %.1f MiB of extra memory" % (where, r.mem / 2**20))
    return out


def summary(pairs, results):
    """The figures of a run, for RELIABILITY.md."""
    done = [i for i, r in results.items() if r.cpu is not None]
    worst_cpu = max(done, key=lambda i: results[i].cpu)
    worst_mem = max(done, key=lambda i: results[i].mem)

    def where(i):
        return "%s via %s" % (describe(pairs[i][0]), pairs[i][1])

    return dict(
        pairs=len(pairs), inputs=len({p[0] for p in pairs}), ok=sum(results[i].outcome == "ok" for i in done),
        clean_errors=sum(results[i].outcome == "error" for i in done),
        failures=len(problems(pairs, results, sorted(results))),
        max_cpu_s=results[worst_cpu].cpu, max_cpu_at=where(worst_cpu),
        max_mem_mib=round(results[worst_mem].mem / 2**20, 2), max_mem_at=where(worst_mem),
        total_cpu_s=round(sum(results[i].cpu for i in done), 1))


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

if __name__ != "__main__":
    import pytest

    @pytest.fixture(scope="module")
    def corpus_run():
        pairs = plan("corpus")
        return pairs, run("corpus")

    @pytest.fixture(scope="module")
    def sweep_run():
        pairs = plan("sweep")
        return pairs, run("sweep")

    def test_bounds_are_enforced():
        """The checker itself: an input that needs 353 MB without its output bound fails (MemoryError under the
        address-space limit, or the measured growth), a harmless one passes, a spinning call is killed and named,
        a crash is named, and the worker goes on after both."""
        pairs = plan("selftest")
        results = run("selftest", parts=1)
        assert problems(pairs, results, [2]) == ["<valid.wav> via selftest_spin: killed after %d s of CPU (a hang)"
                                                 % KILL_CPU]
        crash = problems(pairs, results, [3])
        assert len(crash) == 1 and crash[0].startswith("<valid.wav> via selftest_crash: crashed (exit status -11)")
        assert results[4].outcome == "ok" and results[4].result > 11000  # the restarted worker went on
        heavy = problems(pairs, results, [0])
        assert len(heavy) == 1 and "<upsample-1hz.wav> via selftest_unbounded" in heavy[0], heavy
        assert "MemoryError" in heavy[0] or "MiB of extra memory" in heavy[0], heavy
        assert problems(pairs, results, [1]) == [] and results[1].outcome == "ok"
        assert abs(results[1].result - 11025) <= 1  # 2000 frames, 8000 -> 44100 Hz

    def test_corpus_matches_script():
        sys.path.insert(0, os.path.join(HERE, "corpus"))
        try:
            import make_hostile
        finally:
            sys.path.pop(0)
        made = make_hostile.build()
        on_disk = {}
        for name in corpus_files():
            with open(os.path.join(CORPUS_DIR, name), "rb") as f:
                on_disk[name] = f.read()
        assert sorted(on_disk) == sorted(made), "run tests/corpus/make_hostile.py"
        assert [n for n in made if made[n] != on_disk[n]] == []
        assert len(made) >= 150
        assert sum(map(len, made.values())) < 2 * 2**20

    @pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n]))
                                      if n in KNOWN_BUGS else n for n in corpus_files()])
    def test_corpus_file(corpus_run, name):
        pairs, results = corpus_run
        path = os.path.join(CORPUS_DIR, name)
        mine = [i for i, (inp, ep) in enumerate(pairs) if inp[1] == path]
        assert len(mine) == len(ENTRY_POINTS)
        assert problems(pairs, results, mine) == []

    @pytest.mark.parametrize("name", sample_files())
    def test_truncated_sample(sweep_run, name):
        pairs, results = sweep_run
        path = os.path.join(SAMPLES_DIR, name)
        mine = [i for i, (inp, ep) in enumerate(pairs) if inp[1] == path]
        decoded = {pairs[i][0][2] for i in mine if pairs[i][1] == "decode"}
        assert decoded == set(range(SWEEP_BYTES))  # every offset through decode(bytes)
        assert {pairs[i][1] for i in mine} == set(ENTRY_POINTS)
        failures = problems(pairs, results, mine)
        assert failures == [], "%d failures, first ones:\n%s" % (len(failures), "\n".join(failures[:20]))
        # Truncating a valid file must not make decode() invent audio: never more frames than the
        # whole file gives.
        import miniaudio
        whole = len(miniaudio.decode_file(path).samples) // 2
        longest = max(results[i].result or 0 for i in mine if pairs[i][1] == "decode")
        assert longest <= whole + 4096

    def test_valid_baselines_decode(sample_bytes):
        """The near-valid files the hostile variants are made from do decode, to the right PCM:
        so the corpus tests the decoders past their first sanity check."""
        import array

        import miniaudio

        ramp = array.array("h", [(i * 331) % 65536 - 32768 for i in range(200)])
        for name in ("rf64_valid.wav", "w64_valid.w64", "aiff_valid.aiff", "wav_rifx_bigendian.wav"):
            sound = miniaudio.read_file(os.path.join(CORPUS_DIR, name))
            assert (sound.nchannels, sound.sample_rate, sound.num_frames) == (2, 8000, 100), name
            assert sound.samples == ramp, name
        # The same Vorbis packets over more pages: the same PCM, but for the end trimming, which
        # follows the (proportional, not exact) granule positions of the new pages.
        ogg = miniaudio.read_file(os.path.join(CORPUS_DIR, "ogg_valid_repaged.ogg")).samples
        ref = miniaudio.vorbis_read(sample_bytes("tone.ogg")).samples
        common = min(len(ogg), len(ref))
        assert abs(len(ogg) - len(ref)) <= 2 * 1024 and common > 40000
        assert ogg[:common] == ref[:common]


def _report(argv):
    """python tests/test_hostile.py --report [corpus|sweep] [--full]: the figures for RELIABILITY.md."""
    import time

    kinds = [a for a in argv if a in ("corpus", "sweep")] or ["corpus", "sweep"]
    full = "--full" in argv or FULL
    for kind in kinds:
        t0 = time.time()
        pairs = plan(kind, full)
        results = run(kind, full)
        figures = summary(pairs, results)
        figures["wall_seconds"] = round(time.time() - t0, 1)
        print(kind, "full" if full else "default", json.dumps(figures, indent=1))
        for line in problems(pairs, results, sorted(results)):
            print("  FAIL", line.replace("\n", " | ")[:400])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        sys.path.insert(0, HERE)
        _worker(json.loads(sys.argv[2]))
    elif sys.argv[1:2] == ["--report"]:
        _report(sys.argv[2:])
    else:
        sys.exit("usage: test_hostile.py --report [corpus|sweep] [--full]")
