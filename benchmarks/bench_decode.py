#!/usr/bin/env python3
"""Decode benchmark: our miniaudio vs miniaudio 1.71 vs soundfile vs plain C.

One run measures, side by side and interleaved:

  * decode_file() speed per input format (WAV s16, FLAC, MP3, Ogg Vorbis) and
    output format (SIGNED16, FLOAT32), at the file's own channels and rate;
  * peak memory of one decode_file() relative to the decoded output size;
  * speed-up of two threads decoding concurrently over two sequential decodes;
  * `import miniaudio` time.

The implementations compared:

  C      benchmarks/c_driver.c, built here with `cc -O2` from the same fetched
         miniaudio.h / stb_vorbis.c as the package (the decoders' speed limit)
  ours   `import miniaudio` in the interpreter running this script
  1.71   the established PyPI package miniaudio==1.71, in its own virtual
         environment benchmarks/.venv-established (created on first use)
  sf     soundfile (libsndfile), for the formats it reads

This is a measuring script, not a test: the targets are printed next to the
figures with PASS/MISS labels, and the exit status does not depend on them.
See benchmarks/README.md.
"""

import argparse
import gc
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV_DIR = os.path.join(HERE, ".venv-established")
BUILD_DIR = os.path.join(HERE, ".build")
ESTABLISHED_REQ = ["miniaudio==1.71", "soundfile", "numpy"]
OPTIONAL_PEERS = ["pedalboard"]  # installed into the same venv when possible; a peer, not a must

# Inputs we generate: (label, file name, ffmpeg output options).
INPUTS = [
    ("wav", "music.wav", ["-c:a", "pcm_s16le"]),
    ("flac", "music.flac", ["-c:a", "flac"]),
    ("mp3", "music.mp3", ["-c:a", "libmp3lame", "-b:a", "192k"]),
    ("vorbis", "music.ogg", ["-c:a", "libvorbis", "-q:a", "5"]),
]
OUT_FORMATS = ["s16", "f32"]
SAMPLE_RATE = 44100
CHANNELS = 2

# Targets from the issue.
TARGET_VS_C = 1.05          # FLAC/MP3/Vorbis: ours <= 1.05x the C driver
TARGET_WAV_VS_SF = 1.00     # WAV s16 -> s16: ours at least as fast as soundfile
TARGET_MEM = 1.05           # extra peak RSS <= 1.05x decoded output bytes
TARGET_THREADS = 1.9        # two threads >= 1.9x one
TARGET_IMPORT = 1.0 / 3.0   # import time <= 1/3 of 1.71's
TARGET_INFO_VS_PEER = 1.2   # get_file_info() within 1.2x of the fastest peer's info, per format


# --------------------------------------------------------------------------
# Worker: runs in a subprocess under either interpreter (ours or the venv's),
# speaks JSON lines on stdin/stdout.
# --------------------------------------------------------------------------

def serve(handle, proto_out):
    """The worker's loop (shared with bench_stream.py): one JSON request per stdin line, one JSON
    answer per line on proto_out, until "quit"; an exception becomes {"ok": False, "error": ...}."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("cmd") == "quit":
            break
        try:
            resp = {"ok": True, "result": handle(req)}
        except Exception as e:
            resp = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        proto_out.write(json.dumps(resp) + "\n")
        proto_out.flush()


def _worker_main():
    proto_out = sys.stdout
    sys.stdout = sys.stderr  # nothing but protocol on the real stdout
    ma = None
    ma_error = None
    try:
        import miniaudio as ma
    except Exception as e:  # reported through "hello"
        ma_error = "%s: %s" % (type(e).__name__, e)
    try:
        import soundfile as sf
    except Exception:
        sf = None
    try:
        import pedalboard.io as pb
    except Exception:
        pb = None

    def fmt_of(name):
        return {"s16": ma.SampleFormat.SIGNED16, "f32": ma.SampleFormat.FLOAT32}[name]

    def decode_ma(req):
        return ma.decode_file(req["path"], fmt_of(req["fmt"]), req["nch"], req["rate"])

    def decode_sf(req):
        data, _ = sf.read(req["path"], dtype={"s16": "int16", "f32": "float32"}[req["fmt"]])
        return data

    def decode_pb(req):
        if req["fmt"] != "f32":
            raise ValueError("pedalboard reads float32 only")
        with pb.AudioFile(req["path"]) as f:
            return f.read(f.frames)

    def info_of(impl, path):
        if impl == "sf":
            return sf.info(path).frames
        if impl == "pb":
            with pb.AudioFile(path) as f:
                return f.frames
        return ma.get_file_info(path).num_frames

    decoders = {"sf": decode_sf, "pb": decode_pb}

    def out_bytes(result):
        if hasattr(result, "samples"):
            return memoryview(result.samples).nbytes
        return memoryview(result).nbytes

    def handle(req):
        cmd = req["cmd"]
        if cmd == "hello":
            return {
                "python": sys.executable,
                "miniaudio_file": getattr(ma, "__file__", None),
                "miniaudio_version": getattr(ma, "__version__", None),
                "miniaudio_error": ma_error,
                "soundfile": getattr(sf, "__libsndfile_version__", None),
                "pedalboard": getattr(sys.modules.get("pedalboard"), "__version__", None),
            }
        if cmd == "info":
            info = ma.get_file_info(req["path"])
            return {"nchannels": info.nchannels, "sample_rate": info.sample_rate,
                    "num_frames": info.num_frames}
        if cmd == "infotime":
            times = []
            frames = info_of(req["impl"], req["path"])
            for _ in range(req["n"]):
                t0 = time.perf_counter()
                info_of(req["impl"], req["path"])
                times.append(time.perf_counter() - t0)
            return {"times": times, "frames": frames}
        if cmd == "time":
            fn = decoders.get(req["impl"], decode_ma)
            times = []
            nbytes = 0
            gc.collect()
            gc.disable()
            try:
                for _ in range(req["n"]):
                    t0 = time.perf_counter()
                    r = fn(req)
                    nbytes = out_bytes(r)
                    del r
                    times.append(time.perf_counter() - t0)
            finally:
                gc.enable()
            return {"times": times, "bytes": nbytes}
        if cmd == "dump":
            fn = decoders.get(req["impl"], decode_ma)
            r = fn(req)
            data = bytes(memoryview(r.samples if hasattr(r, "samples") else r).cast("B"))
            with open(req["out"], "wb") as f:
                f.write(data)
            return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if cmd == "threads":
            seq, par = [], []
            errors = []

            def one():
                try:
                    decode_ma(req)
                except Exception as e:  # pragma: no cover - reported
                    errors.append(repr(e))

            decode_ma(req)  # warm-up
            for i in range(req["n"]):
                for k in range(2):
                    if (i + k) % 2 == 0:
                        t0 = time.perf_counter()
                        one()
                        one()
                        seq.append(time.perf_counter() - t0)
                    else:
                        ths = [threading.Thread(target=one) for _ in range(2)]
                        t0 = time.perf_counter()
                        for t in ths:
                            t.start()
                        for t in ths:
                            t.join()
                        par.append(time.perf_counter() - t0)
            return {"seq": seq, "par": par, "errors": errors[:3]}
        raise ValueError("unknown command %r" % cmd)

    serve(handle, proto_out)


class Worker:
    """A long-lived worker subprocess under a given interpreter."""

    def __init__(self, python, label, cwd, script=None):
        # script: the file run with --worker (default this one; bench_stream.py
        # passes its own).
        self.label = label
        self.python = python
        self.proc = subprocess.Popen(
            [python, os.path.abspath(script or __file__), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd, env=env_for(python))

    def call(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker %s died" % self.label)
        resp = json.loads(line)
        if not resp["ok"]:
            raise RuntimeError("%s: %s" % (self.label, resp["error"]))
        return resp["result"]

    def close(self):
        try:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --------------------------------------------------------------------------
# Memory probe: a fresh interpreter decodes one file and reports the peak RSS
# added by decode_file() (VmHWM reset through /proc/self/clear_refs when the
# kernel allows it, else ru_maxrss before/after).
# --------------------------------------------------------------------------

MEM_PROBE = r"""
import gc, json, re, resource, sys
import miniaudio as ma
path, warm, fmt, nch, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
fmt = {"s16": ma.SampleFormat.SIGNED16, "f32": ma.SampleFormat.FLOAT32}[fmt]
def status(key):
    with open("/proc/self/status") as f:
        return int(re.search(key + r":\s+(\d+) kB", f.read()).group(1)) * 1024
r = ma.decode_file(warm, fmt, nch, rate)   # warm-up on a short file: lazy imports, caches
del r
gc.collect()
method = "VmHWM"
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    method = "ru_maxrss"
base_rss = status("VmRSS")
base_peak = status("VmHWM") if method == "VmHWM" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
r = ma.decode_file(path, fmt, nch, rate)
peak = status("VmHWM") if method == "VmHWM" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out = memoryview(r.samples).nbytes
base = base_rss if method == "VmHWM" else base_peak
print(json.dumps({"extra": peak - base, "out": out, "method": method}))
"""


# --------------------------------------------------------------------------
# Helpers for the controller
# --------------------------------------------------------------------------

def env_for(python):
    """The environment for a child interpreter: the venv's without PYTHONPATH (which may point at
    our package's build tree, `PYTHONPATH=src`), so that 1.71 really is 1.71."""
    env = dict(os.environ)
    if os.path.realpath(python).startswith(os.path.realpath(VENV_DIR) + os.sep) or \
            os.path.abspath(python).startswith(os.path.abspath(VENV_DIR) + os.sep):
        env.pop("PYTHONPATH", None)
    return env


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(2)


def find_c_sources():
    env = os.environ.get("MINIAUDIO_SRC_DIR")
    cands = [env] if env else []
    cands.append(os.path.join(ROOT, "miniaudio_c", "_fetched"))
    for d in cands:
        if d and all(os.path.isfile(os.path.join(d, f)) for f in ("miniaudio.h", "stb_vorbis.c")):
            return d
    die("miniaudio.h / stb_vorbis.c not found in %s.\n"
        "  Build the package once (it fetches them into miniaudio_c/_fetched/), or set\n"
        "  MINIAUDIO_SRC_DIR to a folder holding them, e.g. extracted from\n"
        "  `pip download --no-deps --no-binary :all: miniaudio==1.71`." % " or ".join(cands))


def build_c_driver(cc, cflags):
    src_dir = find_c_sources()
    driver_c = os.path.join(HERE, "c_driver.c")
    flags = shlex.split(cflags)
    h = hashlib.sha256()
    for p in (driver_c, os.path.join(src_dir, "miniaudio.h"), os.path.join(src_dir, "stb_vorbis.c")):
        with open(p, "rb") as f:
            h.update(f.read())
    h.update(" ".join([cc] + flags).encode())
    exe = os.path.join(BUILD_DIR, "c_driver-" + h.hexdigest()[:16])
    if os.path.isfile(exe):
        return exe, src_dir
    os.makedirs(BUILD_DIR, exist_ok=True)
    cmd = [cc] + flags + ["-I", src_dir, "-o", exe + ".tmp", driver_c, "-lm", "-lpthread", "-ldl"]
    log("building C driver: " + " ".join(cmd))
    t0 = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        die("C driver build failed:\n" + proc.stdout[-3000:])
    os.replace(exe + ".tmp", exe)
    log("  built in %.1f s" % (time.time() - t0))
    return exe, src_dir


def ensure_established_venv():
    py = os.path.join(VENV_DIR, "bin", "python")
    ok = os.path.isfile(py) and subprocess.run(
        [py, "-c", "import miniaudio, soundfile, numpy; assert miniaudio.__version__ == '1.71'"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_for(py)).returncode == 0
    if ok:
        return py
    log("creating %s with %s ..." % (VENV_DIR, " ".join(ESTABLISHED_REQ)))
    if not os.path.isfile(py):
        subprocess.run([sys.executable, "-m", "venv", VENV_DIR], check=True)
    proc = subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                          + ESTABLISHED_REQ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        die("could not install %s into %s:\n%s" % (ESTABLISHED_REQ, VENV_DIR, proc.stdout[-2000:]))
    for peer in OPTIONAL_PEERS:
        if subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", peer],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            log("  (could not install the optional peer %s; its columns stay empty)" % peer)
    return py


def make_signal(seconds, seed=1234):
    """A deterministic music-like stereo float32 signal: notes with harmonics
    and envelopes, a bass line, chords, a little noise and stereo panning."""
    import numpy as np
    rng = np.random.default_rng(seed)
    sr = SAMPLE_RATE
    n = int(seconds * sr)
    out = np.zeros((n, 2), dtype=np.float64)
    t_note = 0.0
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12])
    while t_note < seconds:
        dur = rng.choice([0.125, 0.25, 0.25, 0.5, 0.75])
        start = int(t_note * sr)
        length = min(int((dur + 0.3) * sr), n - start)
        if length <= 0:
            break
        tt = np.arange(length) / sr
        env = np.minimum(tt / 0.01, 1.0) * np.exp(-tt * rng.uniform(3, 8))
        voices = [(rng.choice(scale) + 12 * rng.integers(-1, 2), 0.25, rng.uniform(0.1, 0.9))]
        if rng.random() < 0.3:  # chord
            root = voices[0][0]
            voices += [(root + 4, 0.15, rng.uniform(0, 1)), (root + 7, 0.15, rng.uniform(0, 1))]
        for semi, amp, pan in voices:
            f0 = 440.0 * 2 ** ((semi - 9) / 12.0)
            tone = np.zeros(length)
            for h in range(1, 7):
                if f0 * h < sr / 2:
                    tone += np.sin(2 * np.pi * f0 * h * tt + rng.uniform(0, 6.28)) / h ** 1.3
            tone *= env * amp
            out[start:start + length, 0] += tone * (1 - pan)
            out[start:start + length, 1] += tone * pan
        t_note += dur
    tt = np.arange(n) / sr
    bass_f = 55.0 * 2 ** (rng.integers(0, 8, size=int(seconds) + 1)[(tt // 1).astype(int)] / 12.0)
    phase = 2 * np.pi * np.cumsum(bass_f) / sr
    bass = 0.2 * np.sin(phase) + 0.05 * np.sin(2 * phase)
    out += bass[:, None]
    out += rng.normal(0, 0.01, size=out.shape)  # "room" noise, keeps the codecs honest
    peak = np.max(np.abs(out))
    return (out / peak * 0.8).astype(np.float32)


def generate_inputs(tmpdir, seconds, ffmpeg, inputs=INPUTS, short=True):
    """Encode the test signal into `inputs` (default all of INPUTS), plus 0.5 s
    "-short" versions unless short=False. Returns {label[-short]: path}."""
    sig = make_signal(seconds)
    variants = [(sig, "")]
    if short:
        variants.append((sig[:SAMPLE_RATE // 2], "-short"))  # warm-up files for the memory probe
    files = {}
    for data, suffix in variants:
        raw = data.tobytes()
        for label, name, opts in inputs:
            base, ext = os.path.splitext(name)
            path = os.path.join(tmpdir, base + suffix + ext)
            cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
                   "-map_metadata", "-1", "-bitexact"] + opts + [path]
            proc = subprocess.run(cmd, input=raw, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if proc.returncode != 0:
                die("ffmpeg failed for %s: %s" % (name, proc.stderr.decode()[-1000:]))
            files[label + suffix] = path
    return files


def run_c_driver(exe, path, fmt, nch, rate, n, dump=None):
    cmd = [exe, path, fmt, str(nch), str(rate), str(n), "both"]
    if dump:
        cmd.append(dump)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("c_driver failed: %s" % proc.stderr.strip())
    res = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"(\w+) frames=(\d+) bytes=(\d+) .* times_ms=([\d.,]+)", line)
        if m:
            res[m.group(1)] = {"bytes": int(m.group(3)),
                               "times": [float(x) / 1e3 for x in m.group(4).split(",")]}
    return res


def fmt_ms(t):
    if t is None:
        return "n/a"
    return "%.2f" % (t * 1e3) if t < 1 else "%.0f" % (t * 1e3)


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "n/a"
    return "%.3f" % (a / b)


def label(ok):
    if ok is None:
        return ""
    return "PASS" if ok else "MISS"


def print_table(headers, rows, out):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths))
    out.append(line.rstrip())
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


# --------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------

def bench_speed(args, c_exe, workers, files, native, sf_ok, report):
    """Interleaved rounds: every round runs a batch of each implementation
    for every (input, output format), rotating the order each round."""
    impls = ["C", "ours", "1.71", "sf", "pb"]
    combos = [(label_, fmt) for label_, _, _ in INPUTS for fmt in OUT_FORMATS]
    samples = {(c, i): [] for c in combos for i in impls + ["C-loop", "C-decode_file"]}
    out_bytes = {}
    failed = {}
    for rnd in range(args.repeat):
        log("  speed round %d/%d" % (rnd + 1, args.repeat))
        for ci, (lab, fmt) in enumerate(combos):
            path = files[lab]
            nch, rate = native[lab]
            order = impls[(rnd + ci) % len(impls):] + impls[:(rnd + ci) % len(impls)]
            for impl in order:
                req = dict(path=path, fmt=fmt, nch=nch, rate=rate, n=args.batch)
                if impl == "C":
                    r = run_c_driver(c_exe, path, fmt, nch, rate, args.batch)
                    samples[((lab, fmt), "C-loop")] += r["loop"]["times"]
                    samples[((lab, fmt), "C-decode_file")] += r["decode_file"]["times"]
                    out_bytes[((lab, fmt), "C")] = r["loop"]["bytes"]
                elif impl in ("sf", "pb"):
                    # The peers run in the venv's worker (soundfile, pedalboard live there).
                    if not sf_ok.get((impl, lab)) or (impl == "pb" and fmt != "f32"):
                        continue
                    r = workers["1.71"].call(cmd="time", impl=impl, **req)
                    samples[((lab, fmt), impl)] += r["times"]
                else:
                    if ((lab, fmt), impl) in failed:
                        continue
                    try:
                        r = workers[impl].call(cmd="time", impl="ma", **req)
                    except RuntimeError as e:
                        failed[((lab, fmt), impl)] = str(e)
                        log("  !! %s" % e)
                        continue
                    samples[((lab, fmt), impl)] += r["times"]
                    out_bytes[((lab, fmt), impl)] = r["bytes"]
    best = {k: (min(v) if v else None) for k, v in samples.items()}
    med = {k: (statistics.median(v) if v else None) for k, v in samples.items()}
    for c in combos:
        cands = [best[(c, "C-loop")], best[(c, "C-decode_file")]]
        best[(c, "C")] = min(x for x in cands if x is not None)

    n_each = args.repeat * args.batch
    report.append("")
    report.append("== Decode speed: decode_file(), native channels/rate; best of %d decodes, "
                  "ms per decode (median in JSON) ==" % n_each)
    report.append("C = faster of the C driver's two modes (ma_decoder read loop into one "
                  "preallocated buffer / ma_decode_file); sf = soundfile.read")
    report.append("pb = pedalboard (float32 only); peer = the faster of sf and pb. Targets: "
                  "ours/C <= %.2f and ours <= peer (WAV s16: ours <= C too: a read)" % TARGET_VS_C)
    headers = ["input", "out", "C-loop", "C-ma_df", "ours", "1.71", "sf", "pb",
               "ours/C", "1.71/C", "ours/peer", "ours/1.71", "target", ""]
    rows = []
    warnings = []
    summary = {}
    for lab, fmt in combos:
        c = (lab, fmt)
        ours, est, sfb, cb = best[(c, "ours")], best[(c, "1.71")], best[(c, "sf")], best[(c, "C")]
        pbb = best[(c, "pb")]
        peer = min([x for x in (sfb, pbb) if x is not None], default=None)
        tgt = "ours/C<=%.2f, <=peer" % TARGET_VS_C
        ok = None
        if ours is not None:
            ok = ours / cb <= TARGET_VS_C and (peer is None or ours <= peer)
            if lab == "wav" and fmt == "s16":
                ok = ok and ours <= cb
        rows.append([lab, fmt, fmt_ms(best[(c, "C-loop")]), fmt_ms(best[(c, "C-decode_file")]),
                     fmt_ms(ours), fmt_ms(est), fmt_ms(sfb), fmt_ms(pbb),
                     fmt_ratio(ours, cb), fmt_ratio(est, cb), fmt_ratio(ours, peer),
                     fmt_ratio(ours, est), tgt, label(ok)])
        summary["%s/%s" % c] = {
            "best_s": {i: best[(c, i)] for i in impls + ["C-loop", "C-decode_file"]},
            "median_s": {i: med[(c, i)] for i in impls + ["C-loop", "C-decode_file"]},
            "ok": ok,
        }
        ob, cbytes = out_bytes.get((c, "ours")), out_bytes.get((c, "C"))
        if ob is not None and cbytes is not None and ob != cbytes:
            warnings.append("  !! %s/%s: ours returned %d bytes, the C driver %d"
                            % (lab, fmt, ob, cbytes))
            summary["%s/%s" % c]["size_mismatch"] = [ob, cbytes]
    print_table(headers, rows, report)
    report.extend(warnings)
    for (c, impl), err in sorted(failed.items()):
        report.append("  !! %s %s/%s failed: %s" % (impl, c[0], c[1], err))
    return summary


def bench_info(args, workers, files, peers_ok, report):
    """get_file_info() of each input against the peers' info (sf.info, pedalboard AudioFile(...)
    .frames), interleaved rounds, best of all calls."""
    n = 50 if args.quick else 200
    impls = ["ours", "1.71", "sf", "pb"]
    times = {(lab, i): [] for lab, _, _ in INPUTS for i in impls}
    frames = {}
    for rnd in range(args.repeat):
        for k, (lab, _, _) in enumerate(INPUTS):
            order = impls[(rnd + k) % 4:] + impls[:(rnd + k) % 4]
            for impl in order:
                if impl in ("sf", "pb") and not peers_ok.get((impl, lab)):
                    continue
                w = workers["ours"] if impl == "ours" else workers["1.71"]
                try:
                    r = w.call(cmd="infotime", impl="ma" if impl in ("ours", "1.71") else impl,
                               path=files[lab], n=n)
                except RuntimeError as e:
                    log("  !! info %s %s: %s" % (impl, lab, e))
                    continue
                times[(lab, impl)] += r["times"]
                frames[(lab, impl)] = r["frames"]
    report.append("")
    report.append("== get_file_info(): microseconds per call, best of %d (frames reported in brackets) =="
                  % (n * args.repeat))
    headers = ["input", "ours", "1.71", "sf", "pb", "ours/peer", "ours/1.71", "target", ""]
    rows = []
    res = {}
    for lab, _, _ in INPUTS:
        best = {i: (min(times[(lab, i)]) if times[(lab, i)] else None) for i in impls}
        peer = min([best[i] for i in ("sf", "pb") if best[i] is not None], default=None)
        ok = (best["ours"] / peer <= TARGET_INFO_VS_PEER) if (peer and best["ours"]) else None

        def cell(i):
            if best[i] is None:
                return "n/a"
            return "%.1f [%s]" % (best[i] * 1e6, frames.get((lab, i)))
        rows.append([lab] + [cell(i) for i in impls]
                    + [fmt_ratio(best["ours"], peer), fmt_ratio(best["ours"], best["1.71"]),
                       "ours/peer<=%.1f" % TARGET_INFO_VS_PEER, label(ok)])
        res[lab] = {"best_s": best, "frames": {i: frames.get((lab, i)) for i in impls}, "ok": ok}
    print_table(headers, rows, report)
    return res


def _compare(got, ref):
    import numpy as np
    if got.shape != ref.shape:
        return "DIFFERENT LENGTH (%d vs %d samples)" % (got.size, ref.size)
    if np.array_equal(got, ref):
        return "identical"
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    lsb = " LSB" if got.dtype.kind == "i" else ""
    return "%d samples differ (max %g%s)" % (int(np.count_nonzero(diff)), diff.max(), lsb)


def check_outputs(c_exe, workers, files, native, tmpdir, report):
    """Decode once with each implementation and compare the bytes."""
    import numpy as np
    report.append("")
    report.append("== Output check: decoded samples compared (same decoder code, same settings; "
                  "tiny float-rounding differences can come from compiler flags) ==")
    res = {}
    rows = []
    for lab, _, _ in INPUTS:
        for fmt in OUT_FORMATS:
            nch, rate = native[lab]
            dtype = {"s16": np.int16, "f32": np.float32}[fmt]
            data = {}
            cdump = os.path.join(tmpdir, "c-%s-%s.raw" % (lab, fmt))
            run_c_driver(c_exe, files[lab], fmt, nch, rate, 1, dump=cdump)
            data["C"] = np.fromfile(cdump, dtype=dtype)
            os.remove(cdump)
            for impl in ("ours", "1.71"):
                d = os.path.join(tmpdir, "%s-%s-%s.raw" % (impl.replace(".", ""), lab, fmt))
                try:
                    workers[impl].call(cmd="dump", impl="ma", path=files[lab], fmt=fmt,
                                       nch=nch, rate=rate, out=d)
                    data[impl] = np.fromfile(d, dtype=dtype)
                    os.remove(d)
                except RuntimeError as e:
                    data[impl] = None
                    log("dump failed: %s" % e)
            row = [lab, fmt]
            for a, b in (("ours", "1.71"), ("ours", "C"), ("1.71", "C")):
                if data[a] is None or data[b] is None:
                    s = "error"
                else:
                    s = _compare(data[a], data[b])
                res["%s/%s %s vs %s" % (lab, fmt, a, b)] = s
                row.append(s)
            rows.append(row)
    print_table(["input", "out", "ours vs 1.71", "ours vs C", "1.71 vs C"], rows, report)
    return res


def bench_memory(args, pythons, files, native, tmpdir, report):
    report.append("")
    report.append("== Peak memory: extra peak RSS during one decode_file() / decoded output bytes "
                  "(fresh process each, min of %d) ==" % args.mem_repeat)
    headers = ["input", "out", "output MB", "ours", "1.71", "target", ""]
    rows = []
    res = {}
    methods = set()
    for lab, _, _ in INPUTS:
        for fmt in OUT_FORMATS:
            nch, rate = native[lab]
            vals = {}
            outsz = None
            for impl in ("ours", "1.71"):
                ratios = []
                for _ in range(args.mem_repeat):
                    proc = subprocess.run(
                        [pythons[impl], "-c", MEM_PROBE, files[lab], files[lab + "-short"],
                         fmt, str(nch), str(rate)],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmpdir,
                        env=env_for(pythons[impl]))
                    if proc.returncode != 0:
                        log("memory probe failed (%s %s %s): %s" % (impl, lab, fmt, proc.stderr[-500:]))
                        continue
                    d = json.loads(proc.stdout.strip().splitlines()[-1])
                    methods.add(d["method"])
                    outsz = d["out"]
                    ratios.append(d["extra"] / d["out"])
                vals[impl] = min(ratios) if ratios else None
            ok = vals["ours"] <= TARGET_MEM if vals["ours"] is not None else None
            rows.append([lab, fmt, "%.1f" % (outsz / 1e6) if outsz else "n/a",
                         "%.3fx" % vals["ours"] if vals["ours"] is not None else "n/a",
                         "%.3fx" % vals["1.71"] if vals["1.71"] is not None else "n/a",
                         "ours<=%.2fx" % TARGET_MEM, label(ok)])
            res["%s/%s" % (lab, fmt)] = dict(vals, ok=ok)
    print_table(headers, rows, report)
    report.append("(measured with %s; 1.71 is expected around 2x)" % ", ".join(sorted(methods)))
    return res


def _c_pair(c_exe, path, fmt, nch, rate, concurrent):
    """Wall time of two single C-driver decodes, one after the other or at once."""
    cmd = [c_exe, path, fmt, str(nch), str(rate), "1", "loop"]
    t0 = time.perf_counter()
    if concurrent:
        procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL) for _ in range(2)]
        for p in procs:
            p.wait()
    else:
        for _ in range(2):
            subprocess.run(cmd, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_threads(args, c_exe, workers, files, native, report):
    report.append("")
    report.append("== Threads: time of 2 sequential decode_file() / time of 2 concurrent threads "
                  "(s16 output; best of %d each, interleaved) ==" % args.thread_repeat)
    report.append("machine = the same ratio for two C driver processes: what this machine "
                  "allowed at the time (if it is low, the other figures are capped too)")
    headers = ["input", "ours 1x2 ms", "ours 2thr ms", "ours speed-up", "1.71 speed-up",
               "machine", "target", ""]
    rows = []
    res = {}
    for lab in ("flac", "mp3", "vorbis"):
        nch, rate = native[lab]
        seq = {"ours": [], "1.71": [], "C": []}
        par = {"ours": [], "1.71": [], "C": []}
        broken = set()
        for impl in ("ours", "1.71"):  # warm-up, and find out whether it works at all
            try:
                workers[impl].call(cmd="threads", path=files[lab], fmt="s16", nch=nch,
                                   rate=rate, n=1)
            except RuntimeError as e:
                report.append("  !! %s threads %s failed: %s" % (impl, lab, e))
                broken.add(impl)
        order = ["ours", "1.71", "C"]
        for rep in range(args.thread_repeat):
            k = rep % len(order)
            for impl in order[k:] + order[:k]:
                if impl in broken:
                    continue
                if impl == "C":
                    for conc in ((False, True) if rep % 2 else (True, False)):
                        t = _c_pair(c_exe, files[lab], "s16", nch, rate, conc)
                        (par if conc else seq)["C"].append(t)
                    continue
                r = workers[impl].call(cmd="threads", path=files[lab], fmt="s16", nch=nch,
                                       rate=rate, n=1)
                if r["errors"]:
                    report.append("  !! %s: errors in threads: %s" % (impl, r["errors"]))
                seq[impl] += r["seq"]
                par[impl] += r["par"]
        sp = {i: (min(seq[i]) / min(par[i]) if seq[i] and par[i] else None) for i in seq}
        ok = (sp["ours"] >= TARGET_THREADS) if sp["ours"] is not None else None
        rows.append([lab,
                     fmt_ms(min(seq["ours"])) if seq["ours"] else "n/a",
                     fmt_ms(min(par["ours"])) if par["ours"] else "n/a",
                     "%.2fx" % sp["ours"] if sp["ours"] else "n/a",
                     "%.2fx" % sp["1.71"] if sp["1.71"] else "n/a",
                     "%.2fx" % sp["C"] if sp["C"] else "n/a",
                     "ours>=%.1fx" % TARGET_THREADS, label(ok)])
        res[lab] = dict(sp, ok=ok)
    print_table(headers, rows, report)
    return res


def bench_import(args, pythons, tmpdir, report):
    report.append("")
    report.append("== import miniaudio: fresh interpreter (-S, sys.path via PYTHONPATH, bytecode cached), "
                  "best of %d ==" % args.import_repeat)

    # Run with -S (no site module) and the interpreter's own full sys.path in
    # PYTHONPATH: same module search path, but .pth files that import things
    # at start-up (differing between the two environments) cannot pre-load
    # modules miniaudio needs and skew the comparison.
    envs = {}
    for impl, py in pythons.items():
        out = subprocess.run([py, "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
                             cwd=tmpdir, stdout=subprocess.PIPE, text=True, check=True, env=env_for(py)).stdout
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(json.loads(out))
        env.pop("PYTHONHOME", None)
        # Both sides import from bytecode caches, as an installed package does (pip compiles them):
        # with PYTHONDONTWRITEBYTECODE set, a source tree would compile every module on every import.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        envs[py] = env
        subprocess.run([py, "-S", "-c", "import miniaudio"], check=True, cwd=tmpdir, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # writes the caches

    def wall(py, code):
        t0 = time.perf_counter()
        subprocess.run([py, "-S", "-c", code], check=True, cwd=tmpdir, env=envs[py],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    def importtime(py):
        proc = subprocess.run([py, "-S", "-X", "importtime", "-c", "import miniaudio"],
                              cwd=tmpdir, env=envs[py],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s?(\S.*)$", line)
            if m and m.group(3).strip() == "miniaudio":
                return int(m.group(2)) / 1e6
        return None

    bare = {i: [] for i in pythons}
    imp = {i: [] for i in pythons}
    itime = {i: [] for i in pythons}
    for _ in range(args.import_repeat):
        for impl, py in pythons.items():
            bare[impl].append(wall(py, "pass"))
            imp[impl].append(wall(py, "import miniaudio"))
            t = importtime(py)
            if t is not None:
                itime[impl].append(t)
    res = {}
    for impl in pythons:
        res[impl] = {
            "wall_minus_bare_s": max(min(imp[impl]) - min(bare[impl]), 0.0),
            "importtime_cumulative_s": min(itime[impl]) if itime[impl] else None,
            "bare_s": min(bare[impl]),
        }
    o, e = res["ours"], res["1.71"]
    headers = ["measure", "ours ms", "1.71 ms", "ours/1.71", "target", ""]
    rows = []
    for key, name in (("importtime_cumulative_s", "-X importtime (cumulative)"),
                      ("wall_minus_bare_s", "wall time minus bare interpreter")):
        a, b = o[key], e[key]
        ok = (a / b <= TARGET_IMPORT) if (a is not None and b) else None
        rows.append([name, fmt_ms(a), fmt_ms(b), fmt_ratio(a, b),
                     "<=%.3f" % TARGET_IMPORT, label(ok)])
    print_table(headers, rows, report)
    report.append("(bare interpreter start: ours %.1f ms, 1.71 venv %.1f ms)"
                  % (o["bare_s"] * 1e3, e["bare_s"] * 1e3))
    res["ok"] = rows[0][-1] == "PASS"
    return res


# --------------------------------------------------------------------------

def finish(args, workers, tmpdir, report, results, t_start):
    """Shared end of a benchmark run: stop the workers, remove (or keep) the inputs, print the
    report with the load average and total time, write the JSON if asked.  Returns 0."""
    for w in workers.values():
        w.close()
    if args.keep:
        log("inputs kept in " + tmpdir)
    else:
        shutil.rmtree(tmpdir, ignore_errors=True)
    report.append("")
    report.append("load average at end: %.2f %.2f %.2f; total benchmark time %.0f s"
                  % (os.getloadavg() + (time.time() - t_start,)))
    print("\n".join(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=str)
    return 0


def main():
    if "--worker" in sys.argv[1:]:
        return _worker_main()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="short files and fewer repeats (a smoke run, ~1 minute)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="interleaved rounds of the speed benchmark (default 7, quick 2)")
    ap.add_argument("--batch", type=int, default=None,
                    help="decodes per implementation per round (default 3, quick 2)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="length of the generated test signal (default 60, quick 5)")
    ap.add_argument("--ours-python", default=sys.executable,
                    help="interpreter whose `import miniaudio` is 'ours' (default: this one)")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="C compiler (default cc)")
    ap.add_argument("--cflags", default="-O2",
                    help="flags for the C driver (default -O2; the reference is meant to be "
                         "plain -O2 without -ffast-math)")
    ap.add_argument("--ffmpeg", default=shutil.which("ffmpeg") or "/usr/bin/ffmpeg")
    ap.add_argument("--skip", default="",
                    help="comma list of sections to skip: speed,info,check,memory,threads,import")
    ap.add_argument("--json", help="also write all figures to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the input files")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.repeat = args.repeat or (2 if args.quick else 7)
    args.batch = args.batch or (2 if args.quick else 3)
    args.seconds = args.seconds or (5.0 if args.quick else 60.0)
    args.mem_repeat = 1 if args.quick else 2
    args.thread_repeat = 3 if args.quick else 8
    args.import_repeat = 3 if args.quick else 10
    skip = set(s.strip() for s in args.skip.split(",") if s.strip())

    try:
        import numpy  # noqa: F401  (signal generation, output check)
    except ImportError:
        die("numpy is needed in this interpreter (pip install numpy)")

    t_start = time.time()
    c_exe, src_dir = build_c_driver(args.cc, args.cflags)
    est_py = ensure_established_venv()
    tmpdir = tempfile.mkdtemp(prefix="ma-bench-")
    report = []
    results = {}
    workers = {}
    try:
        log("generating %.0f s test files in %s ..." % (args.seconds, tmpdir))
        files = generate_inputs(tmpdir, args.seconds, args.ffmpeg)

        workers["ours"] = Worker(args.ours_python, "ours", tmpdir)
        workers["1.71"] = Worker(est_py, "1.71", tmpdir)
        hello = {k: w.call(cmd="hello") for k, w in workers.items()}
        pythons = {"ours": args.ours_python, "1.71": est_py}
        notes = []
        if hello["ours"]["miniaudio_error"]:
            die("`import miniaudio` fails under %s: %s\n  Install our package into it, or pass "
                "--ours-python %s to try the plumbing with 1.71 as a stand-in."
                % (args.ours_python, hello["ours"]["miniaudio_error"], est_py))
        ours_file = hello["ours"]["miniaudio_file"] or ""
        if os.path.realpath(ours_file).startswith(os.path.realpath(VENV_DIR) + os.sep):
            notes.append("!! 'ours' is the established 1.71 package from %s (stand-in run): "
                         "its figures are NOT our package's" % VENV_DIR)
        if hello["1.71"]["miniaudio_version"] != "1.71":
            notes.append("!! the established venv reports version %s" % hello["1.71"]["miniaudio_version"])

        native = {}
        for key in files:
            lab = key.replace("-short", "")
            try:
                info = workers["ours"].call(cmd="info", path=files[key])
            except RuntimeError as e:
                notes.append("!! ours get_file_info(%s) failed: %s; using 1.71's"
                             % (os.path.basename(files[key]), e))
                info = workers["1.71"].call(cmd="info", path=files[key])
            if key == lab:
                native[lab] = (info["nchannels"], info["sample_rate"])
                if native[lab] != (CHANNELS, SAMPLE_RATE):
                    notes.append("!! get_file_info(%s) says %d ch %d Hz, the file is %d ch %d Hz"
                                 % (os.path.basename(files[key]), info["nchannels"],
                                    info["sample_rate"], CHANNELS, SAMPLE_RATE))

        sf_ok = {}
        for peer in ("sf", "pb"):
            if not hello["1.71"][{"sf": "soundfile", "pb": "pedalboard"}[peer]]:
                notes.append("peer %s is not installed in %s" % (peer, VENV_DIR))
                continue
            for lab, _, _ in INPUTS:
                try:
                    workers["1.71"].call(cmd="time", impl=peer, path=files[lab + "-short"],
                                         fmt="f32", nch=2, rate=SAMPLE_RATE, n=1)
                    sf_ok[(peer, lab)] = True
                except RuntimeError as e:
                    notes.append("peer %s cannot read %s: %s" % (peer, lab, e))

        report.append("miniaudio decode benchmark  (%s, %d CPUs, %.0f s stereo 44.1 kHz test signal)"
                      % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, args.seconds))
        report.append("ours : %s  (%s, %s)" % (ours_file, hello["ours"]["miniaudio_version"],
                                               args.ours_python))
        report.append("1.71 : %s" % hello["1.71"]["miniaudio_file"])
        report.append("C    : %s  (%s %s, sources %s)" % (os.path.relpath(c_exe, ROOT), args.cc,
                                                   args.cflags, src_dir))
        report.append("sf   : soundfile with libsndfile %s; pb: pedalboard %s (both in the 1.71 venv)"
                      % (hello["1.71"]["soundfile"], hello["1.71"]["pedalboard"]))
        report.append("load average at start: %.2f %.2f %.2f (a busy machine makes every "
                      "figure noisier)" % os.getloadavg())
        report.extend(notes)

        if "speed" not in skip:
            log("speed: %d rounds x %d decodes per implementation ..." % (args.repeat, args.batch))
            results["speed"] = bench_speed(args, c_exe, workers, files, native, sf_ok, report)
        if "info" not in skip:
            log("info ...")
            results["info"] = bench_info(args, workers, files, sf_ok, report)
        if "check" not in skip:
            log("output check ...")
            results["check"] = check_outputs(c_exe, workers, files, native, tmpdir, report)
        if "threads" not in skip:
            log("threads ...")
            results["threads"] = bench_threads(args, c_exe, workers, files, native, report)
        for w in workers.values():
            w.close()
        workers = {}
        if "memory" not in skip:
            log("memory ...")
            results["memory"] = bench_memory(args, pythons, files, native, tmpdir, report)
        if "import" not in skip:
            log("import ...")
            results["import"] = bench_import(args, pythons, tmpdir, report)
    except BaseException:
        finish(args, workers, tmpdir, report, results, t_start)
        raise
    return finish(args, workers, tmpdir, report, results, t_start)


if __name__ == "__main__":
    sys.exit(main())
