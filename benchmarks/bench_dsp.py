#!/usr/bin/env python3
"""DSP benchmark: our filters and converter vs scipy, pedalboard, soxr and miniaudio from C.

One run measures, side by side and interleaved, on one stereo float32 buffer (60 s at 44.1 kHz by
default):

  * a 4th-order low-pass (Butterworth) and a peaking EQ: ours (miniaudio.LowPass / PeakingEQ) vs
    scipy.signal.sosfilt and lfilter (the same designs), pedalboard's LowpassFilter, LadderFilter
    and PeakFilter, and miniaudio's ma_lpf / ma_peak2 called from C;
  * a 2x resampler: ours (miniaudio.Converter) vs soxr (HQ, VHQ), scipy.signal.resample_poly and
    ma_data_converter called from C;
  * the resamplers' quality: THD+N of a 1 kHz sine resampled up 2x, and the aliasing of a sweep
    above the new Nyquist frequency resampled down 2x;
  * how far each peer's filter design is from ours (the magnitude of its impulse response's FFT).

The implementations:

  C      benchmarks/c_dsp.c, compiled here against the patched miniaudio.h of the package's build
         (build/temp.*/miniaudio_patched/), with the package's macros and optimisation flags
  ours   `import miniaudio` in the interpreter running this script
  peers  scipy, pedalboard and soxr in their own virtual environment (--peers-python; default
         benchmarks/.venv-peers), run as a worker subprocess

This is a measuring script, not a test: the targets are printed next to the figures with
PASS/MISS labels, and the exit status does not depend on them.  See benchmarks/README.md.
"""

import argparse
import gc
import glob
import hashlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD_DIR = os.path.join(HERE, ".build")
PEERS_VENV = os.path.join(HERE, ".venv-peers")
PEERS_REQ = ["numpy", "scipy", "pedalboard", "soxr"]

RATE = 44100
CHANNELS = 2
CUTOFF = 2000.0                       # the low-pass
PEAK = (1000.0, 6.0, 1.0)             # the peaking EQ: frequency, gain_db, q
# The package's miniaudio macros (build_support/miniaudio_build.py: MA_DEFINES).
MA_MACROS = ["MA_NO_ENCODING", "MA_NO_RESOURCE_MANAGER", "MA_NO_NODE_GRAPH", "MA_NO_ENGINE"]

TARGET_CONV_VS_C = 1.1                # ours' converter within 1.1x of ma_data_converter from C

# (op, implementation, what) in print order.  The ops: lpf, peak, conv.
IMPLS = [
    ("lpf", "C-whole", "C: copy, ma_lpf order 4 in place, all at once"),
    ("lpf", "C-blocks", "C: copy, ma_lpf in place, 1024-frame blocks"),
    ("lpf", "C-io", "C: ma_lpf from the input into a new buffer"),
    ("lpf", "ours", "LowPass(2000, order=4).process(x)"),
    ("lpf", "ours-inplace", "LowPass(...).process_inplace(x)"),
    ("lpf", "sosfilt", "scipy sosfilt, butter(4) sos"),
    ("lpf", "lfilter", "scipy lfilter, butter(4) b, a"),
    ("lpf", "pb-lowpass", "pedalboard LowpassFilter (1st order!)"),
    ("lpf", "pb-ladder", "pedalboard LadderFilter LPF24 (4 poles)"),
    ("peak", "C-whole", "C: copy, ma_peak2 in place, all at once"),
    ("peak", "C-blocks", "C: copy, ma_peak2 in place, 1024-frame blocks"),
    ("peak", "C-io", "C: ma_peak2 from the input into a new buffer"),
    ("peak", "ours", "PeakingEQ(1000, 6, 1).process(x)"),
    ("peak", "ours-inplace", "PeakingEQ(...).process_inplace(x)"),
    ("peak", "sosfilt", "scipy sosfilt, RBJ peak sos"),
    ("peak", "lfilter", "scipy lfilter, RBJ peak b, a"),
    ("peak", "pb-peak", "pedalboard PeakFilter"),
    ("conv", "C", "C: ma_data_converter 2x into a new buffer"),
    ("conv", "ours", "Converter(..., 44100 -> 88200) process + flush"),
    ("conv", "soxr-hq", "soxr.resample HQ"),
    ("conv", "soxr-vhq", "soxr.resample VHQ"),
    ("conv", "resample_poly", "scipy resample_poly(x, 2, 1)"),
]
OPS = {"lpf": "4th-order low-pass at 2 kHz", "peak": "peaking EQ 1 kHz +6 dB q 1", "conv": "resample 2x up"}
FILTER_PEERS = {"lpf": ["sosfilt", "lfilter", "pb-lowpass", "pb-ladder"], "peak": ["sosfilt", "lfilter", "pb-peak"]}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def die(msg):
    log("error: " + msg)
    sys.exit(2)


# ---- shared by both processes: the signal, the designs, the quality measures ----------------------

def make_signal(seconds, rate=RATE, channels=CHANNELS, seed=1234):
    """Stereo float32 (frames, channels): noise, two tones and a slow sweep, about -10 dBFS RMS."""
    import numpy as np

    n = int(seconds * rate)
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    x = 0.15 * rng.standard_normal((n, channels))
    x[:, 0] += 0.3 * np.sin(2 * np.pi * 440 * t)
    x[:, 1] += 0.3 * np.sin(2 * np.pi * 110 * t + 2 * np.pi * 3000 * t * t / (2 * max(seconds, 1)))
    return np.clip(x, -1, 1).astype(np.float32)


def rbj_peak(fs, f0, gain_db, q):
    """The RBJ cookbook peaking EQ (what ma_peak2 computes): (b, a), a[0] = 1."""
    import math

    a_ = 10 ** (gain_db / 40)
    w = 2 * math.pi * f0 / fs
    alpha = math.sin(w) / (2 * q)
    b = [1 + alpha * a_, -2 * math.cos(w), 1 - alpha * a_]
    a = [1 + alpha / a_, -2 * math.cos(w), 1 - alpha / a_]
    return [v / a[0] for v in b], [v / a[0] for v in a]


def response_db(h, fs, freqs):
    """Magnitude in dB of impulse response h at freqs (interpolated on a fine FFT grid)."""
    import numpy as np

    n = 1 << 16
    spec = np.abs(np.fft.rfft(np.asarray(h, np.float64), n))
    grid = np.fft.rfftfreq(n, 1 / fs)
    return 20 * np.log10(np.maximum(np.interp(freqs, grid, spec), 1e-12))


def design_freqs(fs=RATE):
    import numpy as np

    return np.geomspace(20, 0.45 * fs, 200)


def thd_n_db(y, fs, f0=1000.0, band=None):
    """THD+N of a resampled sine: the power of everything but the fundamental, from 20 Hz to
    `band` (default Nyquist), over the fundamental's, in dB.  0.1 s at each end is left out (the
    filters' start and end); a 4-term Blackman-Harris window (side lobes -92 dB)."""
    import numpy as np

    y = np.asarray(y, np.float64).reshape(-1)
    y = y[int(0.1 * fs):len(y) - int(0.1 * fs)]
    n = len(y)
    k = np.arange(n)
    w = (0.35875 - 0.48829 * np.cos(2 * np.pi * k / n) + 0.14128 * np.cos(4 * np.pi * k / n)
         - 0.01168 * np.cos(6 * np.pi * k / n))
    p = np.abs(np.fft.rfft(y * w)) ** 2
    f = np.fft.rfftfreq(n, 1 / fs)
    bw = 6 * fs / n  # the window's main lobe: +-4 bins, with margin
    fund = p[np.abs(f - f0) <= bw].sum()
    rest = p[(f >= 20) & (f <= (band or fs / 2)) & (np.abs(f - f0) > bw)].sum()
    return 10 * np.log10(rest / fund)


def quality_inputs():
    """(tone at 44.1 kHz to go up 2x, sweep at 88.2 kHz to go down 2x), mono float32, 0.5 peak."""
    import numpy as np

    t = np.arange(2 * RATE) / RATE
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    hi = 2 * RATE
    n = 4 * hi
    f_start, f_end = 24000.0, 43000.0  # all above the new Nyquist frequency (22.05 kHz)
    tt = np.arange(n) / hi
    phase = 2 * np.pi * (f_start * tt + (f_end - f_start) * tt * tt / (2 * tt[-1]))
    sweep = (0.5 * np.sin(phase)).astype(np.float32)
    return tone, sweep


def quality_figures(up, down):
    """{"thdn20", "thdn_full", "alias"} from a resampler's up(tone) and down(sweep) outputs."""
    import numpy as np

    tone, sweep = quality_inputs()
    t = np.arange(2 * RATE) / RATE
    tone10 = (0.5 * np.sin(2 * np.pi * 10000 * t)).astype(np.float32)
    y_up = np.asarray(up(tone), np.float64)
    y_down = np.asarray(down(sweep), np.float64).reshape(-1)
    edge = int(0.05 * RATE)
    y_mid = y_down[edge:len(y_down) - edge]
    alias = 10 * np.log10(max(np.mean(y_mid ** 2), 1e-30) / np.mean(sweep.astype(np.float64) ** 2))
    y_up10 = np.asarray(up(tone10), np.float64)
    return {"thdn20": thd_n_db(y_up, 2 * RATE, band=20000), "thdn_full": thd_n_db(y_up, 2 * RATE),
            "thdn10k": thd_n_db(y_up10, 2 * RATE, f0=10000.0, band=20000),
            "thdn10k_full": thd_n_db(y_up10, 2 * RATE, f0=10000.0),
            "alias": alias, "up_frames": int(len(y_up)), "down_frames": int(len(y_down))}


def timed(fn, *a):
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = fn(*a)
        t = time.perf_counter() - t0
    finally:
        gc.enable()
    del out
    return t


# ---- the peers' worker (runs under --peers-python) -----------------------------------------------

def _worker_main():
    import numpy as np

    proto_out = sys.stdout
    sys.stdout = sys.stderr
    state = {}
    versions = {"numpy": np.__version__}
    mods = {}
    for name in ("scipy", "pedalboard", "soxr"):
        try:
            mods[name] = __import__(name)
            versions[name] = mods[name].__version__
        except Exception as e:  # reported, that peer's columns say n/a
            versions[name] = "missing (%s)" % type(e).__name__
    if "scipy" in mods:
        import scipy.signal as ss
    pb = mods.get("pedalboard")
    soxr = mods.get("soxr")

    def load(req):
        x = np.fromfile(req["path"], np.float32).reshape(-1, CHANNELS)
        state["x"] = x
        state["xT"] = np.ascontiguousarray(x.T)  # channels first: scipy's and pedalboard's layout
        return {"versions": versions, "frames": len(x), "sha": hashlib.sha256(x.tobytes()).hexdigest()[:16]}

    def make(impl, op):
        """fn(data) for (impl, op), and which layout it takes ("T" channels first, "x" frames first)."""
        if impl in ("sosfilt", "lfilter", "resample_poly") and "scipy" not in mods:
            return None
        if impl.startswith("pb-") and pb is None:
            return None
        if impl.startswith("soxr") and soxr is None:
            return None
        if op == "lpf":
            if impl == "sosfilt":
                sos = ss.butter(4, CUTOFF, fs=RATE, output="sos")
                return lambda d: ss.sosfilt(sos, d, axis=-1), "T"
            if impl == "lfilter":
                b, a = ss.butter(4, CUTOFF, fs=RATE, output="ba")
                return lambda d: ss.lfilter(b, a, d, axis=-1), "T"
            if impl == "pb-lowpass":
                return lambda d: pb.LowpassFilter(cutoff_frequency_hz=CUTOFF)(d, RATE), "T"
            if impl == "pb-ladder":
                def ladder(d):
                    f = pb.LadderFilter(mode=pb.LadderFilter.Mode.LPF24, cutoff_hz=CUTOFF, resonance=0.0, drive=1.0)
                    return f(d, RATE)
                return ladder, "T"
        if op == "peak":
            b, a = rbj_peak(RATE, *PEAK)
            if impl == "sosfilt":
                sos = np.array([b + a])
                return lambda d: ss.sosfilt(sos, d, axis=-1), "T"
            if impl == "lfilter":
                return lambda d: ss.lfilter(b, a, d, axis=-1), "T"
            if impl == "pb-peak":
                return lambda d: pb.PeakFilter(cutoff_frequency_hz=PEAK[0], gain_db=PEAK[1], q=PEAK[2])(d, RATE), "T"
        if op == "conv":
            if impl == "soxr-hq":
                return lambda d: soxr.resample(d, RATE, 2 * RATE, quality="HQ"), "x"
            if impl == "soxr-vhq":
                return lambda d: soxr.resample(d, RATE, 2 * RATE, quality="VHQ"), "x"
            if impl == "resample_poly":
                return lambda d: ss.resample_poly(d, 2, 1, axis=-1), "T"
        return None

    def run(req):
        out = {}
        for op, impl in req["cases"]:
            made = make(impl, op)
            if made is None:
                continue
            fn, layout = made
            out["%s/%s" % (op, impl)] = timed(fn, state["xT"] if layout == "T" else state["x"])
        return out

    def designs(req):
        """Each peer filter's magnitude response (dB at design_freqs()) from an impulse."""
        freqs = design_freqs()
        imp = np.zeros((CHANNELS, 1 << 15), np.float32)
        imp[:, 0] = 1.0
        out = {}
        for op, impls in FILTER_PEERS.items():
            for impl in impls:
                made = make(impl, op)
                if made is None:
                    continue
                fn, _ = made
                h = np.asarray(fn(imp))[0]
                out["%s/%s" % (op, impl)] = response_db(h, RATE, freqs).tolist()
        return out

    def quality(req):
        out = {}
        if soxr is not None:
            for q in ("HQ", "VHQ"):
                out["soxr-" + q.lower()] = quality_figures(
                    lambda d, q=q: soxr.resample(d, RATE, 2 * RATE, quality=q),
                    lambda d, q=q: soxr.resample(d, 2 * RATE, RATE, quality=q))
        if "scipy" in mods:
            out["resample_poly"] = quality_figures(lambda d: ss.resample_poly(d, 2, 1),
                                                   lambda d: ss.resample_poly(d, 1, 2))
        return out

    handlers = {"load": load, "run": run, "designs": designs, "quality": quality}
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        try:
            resp = {"ok": True, "result": handlers[req["cmd"]](req)}
        except Exception as e:
            resp = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        proto_out.write(json.dumps(resp) + "\n")
        proto_out.flush()


class Worker:
    def __init__(self, python):
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # the peers' venv, not our build tree
        self.proc = subprocess.Popen([python, os.path.abspath(__file__), "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)

    def call(self, cmd, **req):
        req["cmd"] = cmd
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the peers' worker died")
        resp = json.loads(line)
        if not resp["ok"]:
            raise RuntimeError("peers' worker: " + resp["error"])
        return resp["result"]

    def close(self):
        try:
            self.proc.stdin.write('{"cmd": "quit"}\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


# ---- the controller --------------------------------------------------------------------------------

def ensure_peers_venv(python):
    if python:
        return python
    py = os.path.join(PEERS_VENV, "bin", "python")
    if not os.path.isfile(py):
        log("creating %s ..." % PEERS_VENV)
        subprocess.run([sys.executable, "-m", "venv", PEERS_VENV], check=True)
    probe = subprocess.run([py, "-c", "import numpy, scipy, pedalboard, soxr"], capture_output=True)
    if probe.returncode != 0:
        log("installing %s into %s ..." % (" ".join(PEERS_REQ), PEERS_VENV))
        subprocess.run([py, "-m", "pip", "install", "-q"] + PEERS_REQ, check=False)
    return py


def find_patched_header():
    """The build's patched miniaudio.h (build/temp.*/miniaudio_patched/), else the fetched one."""
    cands = sorted(glob.glob(os.path.join(ROOT, "build", "temp.*", "miniaudio_patched", "miniaudio.h")),
                   key=os.path.getmtime, reverse=True)
    if cands:
        return os.path.dirname(cands[0]), True
    for d in (os.environ.get("MINIAUDIO_SRC_DIR"), os.path.join(ROOT, "miniaudio_c", "_fetched")):
        if d and os.path.isfile(os.path.join(d, "miniaudio.h")):
            return d, False
    die("no miniaudio.h: build the package first (python setup.py build_ext --inplace)")


def default_cflags():
    """The optimisation flags the package is built with (Python's CFLAGS, less warnings and -g)."""
    flags = shlex.split(sysconfig.get_config_var("CFLAGS") or "-O2")
    keep = [f for f in flags if f.startswith(("-O", "-f", "-DNDEBUG", "-m"))]
    return " ".join(keep) or "-O2"


def build_c(cc, cflags):
    inc, patched = find_patched_header()
    src = os.path.join(HERE, "c_dsp.c")
    h = hashlib.sha256()
    for p in (src, os.path.join(inc, "miniaudio.h"), os.path.join(inc, "stb_vorbis.c")):
        with open(p, "rb") as f:
            h.update(f.read())
    flags = shlex.split(cflags) + ["-D%s=1" % m for m in MA_MACROS]
    h.update(" ".join([cc] + flags).encode())
    exe = os.path.join(BUILD_DIR, "c_dsp-" + h.hexdigest()[:16])
    if not os.path.isfile(exe):
        os.makedirs(BUILD_DIR, exist_ok=True)
        cmd = [cc] + flags + ["-I", inc, "-o", exe + ".tmp", src, "-lm", "-lpthread", "-ldl"]
        log("building the C driver: " + " ".join(cmd))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            die("C driver build failed:\n" + proc.stdout[-3000:])
        os.replace(exe + ".tmp", exe)
    return exe, inc, patched


def run_c(exe, path, repeats=1, op="all"):
    cmd = [exe, path, str(CHANNELS), str(RATE), str(repeats), str(CUTOFF)] + [str(v) for v in PEAK] + [op]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    times, frames = {}, {}
    for line in out.splitlines():
        op, *fields = line.split()
        kv = dict(f.split("=", 1) for f in fields)
        key = {"lpf4": "lpf/C-whole", "lpf4-blocks": "lpf/C-blocks", "lpf4-io": "lpf/C-io",
               "peak": "peak/C-whole", "peak-blocks": "peak/C-blocks", "peak-io": "peak/C-io", "conv": "conv/C"}[op]
        times[key] = [float(v) / 1e3 for v in kv["times_ms"].split(",")]
        frames[op] = (int(kv["frames"]), int(kv["out_frames"]))
    return times, frames


def ours_cases(ma, x):
    import numpy as np

    F32 = ma.SampleFormat.FLOAT32

    def conv(d):
        c = ma.Converter(F32, CHANNELS, RATE, F32, CHANNELS, 2 * RATE)
        y = c.process(d)
        tail = c.flush()
        return y, tail

    lp = lambda: ma.LowPass(CUTOFF, order=4, sample_rate=RATE, nchannels=CHANNELS)  # noqa: E731
    pk = lambda: ma.PeakingEQ(*PEAK, sample_rate=RATE, nchannels=CHANNELS)  # noqa: E731
    return {
        "lpf/ours": lambda: timed(lp().process, x),
        "lpf/ours-inplace": lambda: _inplace(lp(), x, np),
        "peak/ours": lambda: timed(pk().process, x),
        "peak/ours-inplace": lambda: _inplace(pk(), x, np),
        "conv/ours": lambda: timed(conv, x),
    }


def _inplace(proc, x, np):
    y = x.copy()  # outside the timing: the filtering alone
    return timed(proc.process_inplace, y)


def fmt_ms(t):
    return "n/a" if t is None else ("%.1f" % (t * 1e3))


def main():
    if "--worker" in sys.argv[1:]:
        return _worker_main()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 s of signal, 3 rounds: a smoke run")
    ap.add_argument("--seconds", type=float, default=None, help="signal length (default 60, quick 10)")
    ap.add_argument("--repeat", type=int, default=None, help="interleaved rounds (default 11, quick 3)")
    ap.add_argument("--peers-python", default=None,
                    help="interpreter with scipy, pedalboard and soxr (default benchmarks/.venv-peers, "
                         "made and filled with pip on first use)")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--cflags", default=None, help="C driver flags (default: the package's, from Python's CFLAGS)")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: speed, quality, designs")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.seconds = args.seconds or (10.0 if args.quick else 60.0)
    args.repeat = args.repeat or (3 if args.quick else 11)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    cflags = args.cflags if args.cflags is not None else default_cflags()

    import numpy as np

    import miniaudio as ma

    peers_py = ensure_peers_venv(args.peers_python)
    exe, inc, patched = build_c(args.cc, cflags)
    report = []
    results = {"conditions": {}}
    tmpdir = tempfile.mkdtemp(prefix="ma-bench-dsp-")
    worker = Worker(peers_py)
    try:
        x = make_signal(args.seconds)
        path = os.path.join(tmpdir, "signal.f32")
        x.tofile(path)
        info = worker.call("load", path=path)
        assert info["sha"] == hashlib.sha256(x.tobytes()).hexdigest()[:16]
        try:
            load = os.getloadavg()
        except OSError:
            load = (0, 0, 0)
        cond = ("%.0f s stereo float32 at %d Hz (%d frames); %d interleaved rounds, median (best); "
                "ours: miniaudio %s from %s; peers: %s; C: %s %s against %s miniaudio.h; load average %.1f"
                % (args.seconds, RATE, len(x), args.repeat, ma.__version__, os.path.dirname(ma.__file__),
                   ", ".join("%s %s" % kv for kv in info["versions"].items()), args.cc, cflags,
                   "the patched" if patched else "the fetched (unpatched: build the package for the patched)",
                   load[0]))
        results["conditions"] = cond
        report.append("conditions: " + cond)
        report.append("")

        if "speed" not in skip:
            bench_speed(args, ma, np, x, exe, path, worker, report, results)
        if "designs" not in skip:
            bench_designs(ma, np, worker, report, results)
        if "quality" not in skip:
            bench_quality(ma, np, worker, report, results)
    finally:
        worker.close()
        for p in glob.glob(os.path.join(tmpdir, "*")):
            os.unlink(p)
        os.rmdir(tmpdir)
    print("\n".join(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def bench_speed(args, ma, np, x, exe, path, worker, report, results):
    ours = ours_cases(ma, x)
    peer_cases = [(op, impl) for op, impl, _ in IMPLS if not impl.startswith(("C", "ours"))]
    times = {}
    log("warming up ...")
    for fn in ours.values():
        fn()
    worker.call("run", cases=peer_cases)
    c_frames = {}
    for r in range(args.repeat):
        log("round %d/%d ..." % (r + 1, args.repeat))
        # op by op, everyone in turn, the order rotating: a slow phase of the machine hits all alike
        for op in OPS:
            order = ["ours", "peers", "C"]
            order = order[r % 3:] + order[:r % 3]
            for who in order:
                if who == "ours":
                    for key, fn in ours.items():
                        if key.startswith(op + "/"):
                            times.setdefault(key, []).append(fn())
                elif who == "peers":
                    cases = [c for c in peer_cases if c[0] == op]
                    for key, t in worker.call("run", cases=cases).items():
                        times.setdefault(key, []).append(t)
                else:
                    ct, frames = run_c(exe, path, 1, op)
                    c_frames.update(frames)
                    for key, t in ct.items():
                        times.setdefault(key, []).extend(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    for op in ("lpf", "peak"):  # the limit: the fastest way to call miniaudio from C
        fastest = min(("C-whole", "C-blocks", "C-io"), key=lambda v: med["%s/%s" % (op, v)])
        med["%s/C" % op] = med["%s/%s" % (op, fastest)]
        best["%s/C" % op] = best["%s/%s" % (op, fastest)]
    results["speed"] = {"median_s": med, "best_s": best, "all_s": times}

    report.append("Speed (ms per call; ratio = the implementation's median / ours' median, > 1: ours is faster)")
    headers = ["op", "implementation", "median", "best", "vs ours"]
    rows = []
    for op, impl, what in IMPLS:
        key = "%s/%s" % (op, impl)
        m = med.get(key)
        ratio = "%.2f" % (m / med["%s/ours" % op]) if m is not None else "n/a"
        first = impl in ("C", "C-whole")
        rows.append([OPS[op] if first else "", what, fmt_ms(m), fmt_ms(best.get(key)), ratio])
    print_table(headers, rows, report)
    if "conv" in c_frames:
        report.append("(C converter output: %d frames for %d in)" % (c_frames["conv"][1], c_frames["conv"][0]))
    report.append("Notes: scipy filters in float64 (its float64 sos / b, a promote the float32 input) and returns "
                  "float64; the peers get channels-first arrays (their layout; soxr frames-first), made outside the "
                  "timing, ours (frames, 2) float32.  pedalboard's LowpassFilter is first-order (6 dB/octave, less "
                  "work than a 4th order) and its LadderFilter LPF24 a 4-pole ladder, neither a Butterworth (see "
                  "Designs); its PeakFilter is the same RBJ design as ours.  process() = a new output array + "
                  "filtering, process_inplace() = filtering only.  Every C way allocates its output (huge-page "
                  "advice, as numpy) inside the timing; 'vs ours' of the C rows is C / ours.")
    report.append("")
    report.append("Targets:")
    for op in ("lpf", "peak"):
        for peer in FILTER_PEERS[op]:
            key = "%s/%s" % (op, peer)
            if key in med:
                ok = med["%s/ours" % op] < med[key]
                report.append("  %-5s ours faster than %-11s %.2fx  %s" % (op, peer + ":", med[key] / med["%s/ours" % op],
                                                                          "PASS" if ok else "MISS"))
    ratio = med["conv/ours"] / med["conv/C"]
    report.append("  conv  ours / C (<= %.2f):      %.3f  %s" % (TARGET_CONV_VS_C, ratio,
                                                                  "PASS" if ratio <= TARGET_CONV_VS_C else "MISS"))
    for op in ("lpf", "peak"):
        report.append("  %-5s ours / fastest C (no target): %.3f (process), %.3f (process_inplace)"
                      % (op, med["%s/ours" % op] / med["%s/C" % op], med["%s/ours-inplace" % op] / med["%s/C" % op]))
    report.append("")


def bench_designs(ma, np, worker, report, results):
    freqs = design_freqs()
    imp = np.zeros(1 << 15, np.float32)
    imp[0] = 1.0
    ours = {"lpf": response_db(ma.LowPass(CUTOFF, order=4, sample_rate=RATE).process(imp), RATE, freqs),
            "peak": response_db(ma.PeakingEQ(*PEAK, sample_rate=RATE).process(imp), RATE, freqs)}
    peers = worker.call("designs")
    report.append("Designs: the largest difference of each peer's magnitude response from ours, 20 Hz .. 0.45 fs "
                  "(where ours is above -80 dB)")
    rows = []
    results["designs"] = {}
    for key, db in peers.items():
        op = key.split("/")[0]
        ref = ours[op]
        mask = ref > -80
        diff = float(np.max(np.abs(np.asarray(db)[mask] - ref[mask])))
        results["designs"][key] = diff
        at = freqs[mask][int(np.argmax(np.abs(np.asarray(db)[mask] - ref[mask])))]
        rows.append([key, "%.3f dB" % diff, "at %.0f Hz" % at, "same design" if diff < 0.05 else "a different design"])
    print_table(["peer", "max |diff|", "where", ""], rows, report)
    report.append("")


def bench_quality(ma, np, worker, report, results):
    F32 = ma.SampleFormat.FLOAT32

    def ours(rate_in, rate_out, order):
        def fn(d):
            c = ma.Converter(F32, 1, rate_in, F32, 1, rate_out, resampler_order=order)
            return np.concatenate([c.process(d), c.flush()])
        return fn

    q = {"ours": quality_figures(ours(RATE, 2 * RATE, 4), ours(2 * RATE, RATE, 4)),
         "ours order 8": quality_figures(ours(RATE, 2 * RATE, 8), ours(2 * RATE, RATE, 8))}
    q.update(worker.call("quality"))
    results["quality"] = q
    report.append("Resampler quality (reported, not a target): THD+N of a 1 kHz sine at -6 dBFS, 44.1 -> 88.2 kHz, "
                  "and of a 10 kHz sine, in the 20 Hz-20 kHz band and in the full band up to 44.1 kHz (where a 2x upsampler's images "
                  "are, at 43.1 and 34.1 kHz); aliasing: a 24-43 kHz sweep at 88.2 kHz resampled "
                  "to 44.1 kHz, the power that comes out (all of it folded back) over the power that went in")
    rows = []
    for name in ("ours", "ours order 8", "soxr-hq", "soxr-vhq", "resample_poly"):
        if name in q:
            v = q[name]
            rows.append([name] + ["%.1f dB" % v[k] for k in ("thdn20", "thdn_full", "thdn10k", "thdn10k_full", "alias")])
    print_table(["resampler", "THD+N 1 kHz: 20 kHz band", "full band", "10 kHz: 20 kHz band", "full band",
                 "aliasing"], rows, report)
    report.append("")


def print_table(headers, rows, out):
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    out.append("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
