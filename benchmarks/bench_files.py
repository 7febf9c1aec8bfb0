#!/usr/bin/env python3
"""File API benchmark: our AudioFile and read()/write() vs pedalboard.io and soundfile.

One run measures, side by side and interleaved, per input format (WAV s16, WAV f32, FLAC 16,
FLAC 24, MP3, Ogg Vorbis; a stereo 44.1 kHz signal encoded by ffmpeg in a temporary folder):

  AudioFile, ours vs pedalboard.io (pb):
    af-whole     AudioFile(path) and one read(f.frames)
    af-4096      AudioFile(path), read(4096) until the end
    af-rs16k     AudioFile(path).resampled_to(16000) and one read(f.frames)
  soundfile's one-liners, ours vs soundfile (sf):
    read-f64     miniaudio.read(path) / soundfile.read(path)            (float64)
    read-i16     miniaudio.read(path, dtype="int16") / the same in sf
  and once (not per format), writing the 60 s signal to a WAV file:
    write-16     miniaudio.write(path, data, rate, "PCM_16") / soundfile.write   (float64 in)
    write-float  the same with subtype "FLOAT"
    afw-16       AudioFile(path, "w", rate, 2, bit_depth=16).write(x) / pedalboard (float32 in)
    afw-32f      the same with bit_depth=32 (32-bit float in both)

Each implementation runs in its own long-lived worker subprocess: ours and soundfile under the
interpreter running this script (PYTHONPATH=src makes `import miniaudio` a build tree), pedalboard
under benchmarks/.venv-peers/bin/python (--peers-python).  Figures are the best CPU time
(process_time) and the best wall time of `repeat x batch` calls, the implementations interleaved
call by call.  The open is inside the timing (a user's one call).

"same work" rows are those where both sides do the same computation: the PCM WAV rows (the
"decoder" is a copy and a scale), FLAC (dr_flac vs libFLAC: different code, the same lossless
decode, bit-exact output on both sides) and the writers.  MP3 (dr_mp3 vs mpg123 in libsndfile,
JUCE's decoder in pedalboard), Ogg Vorbis (stb_vorbis vs libvorbis) and every resampled row (our
low-pass + linear resampler vs pedalboard's windowed sinc) are different work: printed for
information.  The target "faster than both on every row where the decoder is the same work" is
judged on CPU time (the less noisy figure on a shared machine): ratio ours/peer below 1.

This is a measuring script, not a test: PASS/MISS labels are printed, the exit status does not
depend on them.  See benchmarks/README.md.
"""

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS_PYTHON = os.path.join(HERE, ".venv-peers", "bin", "python")
RATE = 44100

# (label, file name, ffmpeg output options)
INPUTS = [
    ("wav-s16", "music_s16.wav", ["-c:a", "pcm_s16le"]),
    ("wav-f32", "music_f32.wav", ["-c:a", "pcm_f32le"]),
    ("flac-16", "music_16.flac", ["-c:a", "flac", "-sample_fmt", "s16"]),
    ("flac-24", "music_24.flac", ["-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24"]),
    ("mp3", "music.mp3", ["-c:a", "libmp3lame", "-b:a", "192k"]),
    ("vorbis", "music.ogg", ["-c:a", "libvorbis", "-q:a", "5"]),
]
SAME_WORK = {"wav-s16", "wav-f32", "flac-16", "flac-24", "write"}
READ_OPS = [("af-whole", "pb"), ("af-4096", "pb"), ("af-rs16k", "pb"), ("read-f64", "sf"), ("read-i16", "sf")]
WRITE_OPS = [("write-16", "sf"), ("write-float", "sf"), ("afw-16", "pb"), ("afw-32f", "pb")]
RESAMPLED = {"af-rs16k"}


# ---- worker (a subprocess: ours, sf or pb) --------------------------------------------------

def _worker_main(kind):
    proto_out = sys.stdout
    sys.stdout = sys.stderr
    import numpy as np
    if kind == "ours":
        import miniaudio as lib
        AudioFile = lib.AudioFile
    elif kind == "pb":
        from pedalboard.io import AudioFile
    else:
        import soundfile as lib
    signal = {}

    def af_whole(path):
        with AudioFile(path) as f:
            return f.read(f.frames).shape

    def af_4096(path):
        n = 0
        with AudioFile(path) as f:
            while True:
                got = f.read(4096).shape[1]
                n += got
                if got < 4096:
                    break
        return (2, n)

    def af_rs16k(path):
        with AudioFile(path).resampled_to(16000) as f:
            return f.read(f.frames).shape

    def read_f64(path):
        return lib.read(path)[0].shape

    def read_i16(path):
        return lib.read(path, dtype="int16")[0].shape

    def write_sf(path, subtype):
        lib.write(path, signal["fc64"], RATE, subtype)
        return signal["fc64"].shape

    def write_af(path, bits):
        with AudioFile(path, "w", RATE, 2, bit_depth=bits) as f:
            f.write(signal["cf32"])
        return signal["cf32"].shape

    ops = {"af-whole": af_whole, "af-4096": af_4096, "af-rs16k": af_rs16k, "read-f64": read_f64,
           "read-i16": read_i16, "write-16": lambda p: write_sf(p, "PCM_16"),
           "write-float": lambda p: write_sf(p, "FLOAT"), "afw-16": lambda p: write_af(p, 16),
           "afw-32f": lambda p: write_af(p, 32)}

    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "quit":
            break
        try:
            if req["cmd"] == "signal":
                raw = np.fromfile(req["path"], dtype=np.float32).reshape(-1, 2)
                signal["fc64"] = raw.astype(np.float64)
                signal["cf32"] = np.ascontiguousarray(raw.T)
                result = None
            else:
                fn, path, times = ops[req["op"]], req["path"], []
                for _ in range(req["n"]):
                    if req["op"] in dict(WRITE_OPS) and os.path.exists(path):
                        os.unlink(path)
                    gc.collect()
                    c0, w0 = time.process_time(), time.perf_counter()
                    shape = fn(path)
                    times.append((time.process_time() - c0, time.perf_counter() - w0))
                result = {"times": times, "shape": list(shape)}
            resp = {"ok": True, "result": result}
        except Exception as e:  # reported in the table
            resp = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        proto_out.write(json.dumps(resp) + "\n")
        proto_out.flush()


class Worker:
    def __init__(self, python, kind, env):
        self.kind = kind
        self.proc = subprocess.Popen([python, os.path.abspath(__file__), "--worker", kind], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)

    def call(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker %s died" % self.kind)
        resp = json.loads(line)
        if not resp["ok"]:
            raise RuntimeError(resp["error"])
        return resp["result"]

    def close(self):
        try:
            self.proc.stdin.write('{"cmd": "quit"}\n')
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


# ---- controller ------------------------------------------------------------------------------

def make_inputs(tmpdir, seconds, ffmpeg):
    sys.path.insert(0, HERE)
    from bench_decode import make_signal  # the music-like signal bench_decode.py uses
    raw_path = os.path.join(tmpdir, "signal.f32")
    make_signal(seconds).tofile(raw_path)
    files = {}
    for label, name, opts in INPUTS:
        path = os.path.join(tmpdir, name)
        cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2",
               "-i", raw_path, "-map_metadata", "-1", "-bitexact"] + opts + [path]
        subprocess.run(cmd, check=True)
        files[label] = path
    return raw_path, files


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 s inputs, 2 rounds x 1 call")
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--batch", type=int, default=2, help="calls per implementation per round (default 2)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the inputs (default 60)")
    ap.add_argument("--peers-python", default=PEERS_PYTHON, help="interpreter with pedalboard")
    ap.add_argument("--ffmpeg", default=shutil.which("ffmpeg") or "/usr/bin/ffmpeg")
    ap.add_argument("--only", default="", help="comma-separated formats/ops to keep (e.g. wav-s16,af-4096)")
    ap.add_argument("--json", help="also write the figures as JSON")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.repeat, args.batch = 10.0, 2, 1
    only = set(filter(None, args.only.split(",")))

    tmpdir = tempfile.mkdtemp(prefix="bench_files_")
    load_before = load_average()
    t_start = time.time()
    workers = {}
    try:
        raw_path, files = make_inputs(tmpdir, args.seconds, args.ffmpeg)
        env = dict(os.environ)
        workers["ours"] = Worker(sys.executable, "ours", env)
        workers["sf"] = Worker(sys.executable, "sf", env)
        if os.path.exists(args.peers_python):
            peer_env = dict(env)
            peer_env.pop("PYTHONPATH", None)
            workers["pb"] = Worker(args.peers_python, "pb", peer_env)
        else:
            print("!! no pedalboard interpreter at %s: the pb rows are empty" % args.peers_python)
        for w in workers.values():
            w.call(cmd="signal", path=raw_path)

        rows = []  # (format, op, peer, path)
        for label, _, _ in INPUTS:
            for op, peer in READ_OPS:
                rows.append((label, op, peer, files[label]))
        for op, peer in WRITE_OPS:
            rows.append(("write", op, peer, os.path.join(tmpdir, "out_%s.wav")))
        if only:
            fmts, ops = only & {r[0] for r in rows}, only & {r[1] for r in rows}
            rows = [r for r in rows if (not fmts or r[0] in fmts) and (not ops or r[1] in ops)]
        best = {}  # (format, op, who) -> [cpu, wall]
        shapes, errors = {}, {}
        for rnd in range(args.repeat):
            for fmt, op, peer, path in rows:
                order = ["ours", peer] if rnd % 2 == 0 else [peer, "ours"]
                for who in order:
                    if who not in workers or (fmt, op, who) in errors:
                        continue
                    target = path % who if "%s" in path else path
                    try:
                        res = workers[who].call(cmd="run", op=op, path=target, n=args.batch)
                    except RuntimeError as e:
                        errors[(fmt, op, who)] = str(e)
                        if "died" in str(e):
                            raise
                        continue
                    shapes[(fmt, op, who)] = tuple(res["shape"])
                    cpu = min(t[0] for t in res["times"])
                    wall = min(t[1] for t in res["times"])
                    old = best.get((fmt, op, who), [cpu, wall])
                    best[(fmt, op, who)] = [min(old[0], cpu), min(old[1], wall)]
        load_after = load_average()

        print("bench_files.py: %g s stereo %d Hz inputs, best of %d x %d calls, interleaved" %
              (args.seconds, RATE, args.repeat, args.batch))
        print("load average before: %s, after: %s; %.0f s" % (load_before, load_after, time.time() - t_start))
        print("peers: pb = pedalboard.io (%s), sf = soundfile" % args.peers_python)
        print()
        header = ("format", "op", "peer", "ours cpu ms", "peer cpu ms", "cpu ratio", "ours wall ms", "peer wall ms",
                  "wall ratio", "same work", "target")
        table, misses, counted = [], [], 0
        for fmt, op, peer, _ in rows:
            a, b = best.get((fmt, op, "ours")), best.get((fmt, op, peer))
            same = fmt in SAME_WORK and op not in RESAMPLED
            verdict = ""
            if a and b:
                if same:
                    counted += 1
                    verdict = "PASS" if a[0] < b[0] else "MISS"
                    if verdict == "MISS":
                        misses.append("%s %s" % (fmt, op))
                cells = ["%.2f" % (a[0] * 1e3), "%.2f" % (b[0] * 1e3), "%.3f" % (a[0] / b[0]),
                         "%.2f" % (a[1] * 1e3), "%.2f" % (b[1] * 1e3), "%.3f" % (a[1] / b[1])]
            else:
                cells = ["%.2f" % (a[0] * 1e3) if a else "err", "%.2f" % (b[0] * 1e3) if b else "err",
                         "n/a", "%.2f" % (a[1] * 1e3) if a else "err", "%.2f" % (b[1] * 1e3) if b else "err", "n/a"]
            table.append([fmt, op, peer] + cells + ["yes" if same else "no", verdict])
        widths = [max(len(str(h)), *(len(str(r[i])) for r in table)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
        print("  ".join("-" * w for w in widths))
        for r in table:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        print()
        for (fmt, op, who), err in sorted(errors.items()):
            print("!! %s %s %s: %s" % (fmt, op, who, err))
        for fmt, op, peer, _ in rows:
            s1, s2 = shapes.get((fmt, op, "ours")), shapes.get((fmt, op, peer))
            if s1 and s2 and s1 != s2:
                print("note: %s %s shapes differ: ours %s, %s %s" % (fmt, op, s1, peer, s2))
        print("target (same-work rows, cpu ratio < 1): %d/%d PASS%s" %
              (counted - len(misses), counted, ("; MISS: " + ", ".join(misses)) if misses else ""))
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"load_before": load_before, "load_after": load_after, "seconds": args.seconds,
                           "rows": [dict(zip(header, r)) for r in table]}, f, indent=1)
    finally:
        for w in workers.values():
            w.close()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        _worker_main(sys.argv[2])
    else:
        main()
