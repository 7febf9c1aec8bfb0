#!/usr/bin/env python3
"""Streaming benchmark: stream_file() per-chunk overhead, our miniaudio vs miniaudio 1.71.

One run measures, side by side and interleaved, for 300 s stereo 44.1 kHz
WAV (s16), FLAC, MP3 and Ogg Vorbis files at their own channels and rate:

  * streaming the whole file with
        for chunk in miniaudio.stream_file(path, SampleFormat.SIGNED16, nchannels,
                                           sample_rate, frames_to_read=N):
            pass
    for a sweep of chunk sizes N (default 64, 256, 1024, 4096, 16384 and 65536
    frames);
  * decode_file() of the same file, same format;

and reports, per implementation, the stream time, the decode_file() time, the
number of chunks and the per-chunk overhead

    (stream time - decode_file time) / number of chunks

in microseconds: what a stream costs on top of decoding the same samples,
and, per chunk size, ours' stream time against 1.71's (target: ours <= 1.71
at every chunk size).

  ours   `import miniaudio` in the interpreter running this script
  1.71   the established PyPI package miniaudio==1.71, in the virtual
         environment benchmarks/.venv-established (made by bench_decode.py's
         helper on first use)

This is a measuring script, not a test: the targets are printed next to the
figures with PASS/MISS labels, and the exit status does not depend on them.
See benchmarks/README.md.
"""

import argparse
import gc
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bench_decode as bd  # noqa: E402  (shared helpers: venv, signal, ffmpeg, worker, tables)

# The inputs, a subset of bench_decode's (label, file name, ffmpeg options).
STREAM_INPUTS = [i for i in bd.INPUTS if i[0] in ("wav", "flac", "mp3", "vorbis")]
CHUNK_FRAMES = [64, 256, 1024, 4096, 16384, 65536]
IMPLS = ["ours", "1.71"]

# Targets.
TARGET_OVERHEAD = 1.0 / 5.0   # our per-chunk overhead <= 1/5 of 1.71's
TARGET_STREAM_4096 = 1.10     # at 4096-frame chunks: our stream <= 1.1x our decode_file
TARGET_FRAMES = 4096
TARGET_VS_171 = 1.00          # at every chunk size: our stream <= 1.71's stream


# --------------------------------------------------------------------------
# Worker: runs in a subprocess under either interpreter, JSON lines on
# stdin/stdout (the Worker class of bench_decode starts it with --worker).
# --------------------------------------------------------------------------

def _worker_main():
    proto_out = sys.stdout
    sys.stdout = sys.stderr  # nothing but protocol on the real stdout
    ma = None
    ma_error = None
    try:
        import miniaudio as ma
    except Exception as e:  # reported through "hello"
        ma_error = "%s: %s" % (type(e).__name__, e)

    def decode(path, nch, rate):
        r = ma.decode_file(path, ma.SampleFormat.SIGNED16, nch, rate)
        del r

    def stream(path, nch, rate, frames):
        # exactly the loop being measured: create, consume every chunk, drop
        for chunk in ma.stream_file(path, ma.SampleFormat.SIGNED16, nch, rate,
                                    frames_to_read=frames):
            pass

    def handle(req):
        cmd = req["cmd"]
        if cmd == "hello":
            return {
                "python": sys.executable,
                "miniaudio_file": getattr(ma, "__file__", None),
                "miniaudio_version": getattr(ma, "__version__", None),
                "miniaudio_error": ma_error,
            }
        if cmd == "info":
            info = ma.get_file_info(req["path"])
            return {"nchannels": info.nchannels, "sample_rate": info.sample_rate,
                    "num_frames": info.num_frames}
        if cmd == "check":
            # Untimed: what decode_file() returns, and what the stream yields
            # (chunk count, sizes, types, the samples' hash) for each chunk size.
            path, nch, rate = req["path"], req["nch"], req["rate"]
            d = ma.decode_file(path, ma.SampleFormat.SIGNED16, nch, rate)
            raw = memoryview(d.samples).cast("B")
            res = {"decode": {"bytes": raw.nbytes, "frames": d.num_frames,
                              "sha256": hashlib.sha256(raw).hexdigest()}}
            del d, raw
            for frames in req["frames"]:
                h = hashlib.sha256()
                n = nbytes = 0
                sizes = set()
                types = set()
                s = ma.stream_file(path, ma.SampleFormat.SIGNED16, nch, rate,
                                   frames_to_read=frames)
                stream_type = "%s.%s" % (type(s).__module__, type(s).__qualname__)
                for chunk in s:
                    n += 1
                    types.add("%s.%s" % (type(chunk).__module__, type(chunk).__qualname__))
                    m = memoryview(chunk).cast("B")
                    sizes.add(m.nbytes)
                    nbytes += m.nbytes
                    h.update(m)
                res[str(frames)] = {"chunks": n, "bytes": nbytes, "sha256": h.hexdigest(),
                                    "chunk_bytes": sorted(sizes)[-3:],
                                    "chunk_types": sorted(types), "stream_type": stream_type}
            return res
        if cmd == "time":
            path, nch, rate = req["path"], req["nch"], req["rate"]
            frames = req["frames"]  # 0: decode_file
            times = []
            gc.collect()
            gc.disable()
            try:
                for _ in range(req["n"]):
                    if frames:
                        t0 = time.perf_counter()
                        stream(path, nch, rate, frames)
                    else:
                        t0 = time.perf_counter()
                        decode(path, nch, rate)
                    times.append(time.perf_counter() - t0)
            finally:
                gc.enable()
            return {"times": times}
        raise ValueError("unknown command %r" % cmd)

    bd.serve(handle, proto_out)


# --------------------------------------------------------------------------
# Controller
# --------------------------------------------------------------------------

log = bd.log
die = bd.die


def fmt_us(x):
    if x is None:
        return "n/a"
    return "%.3f" % x if abs(x) < 10 else "%.1f" % x


def check_streams(workers, files, native, frames_list, report):
    """Untimed pass (also the warm-up): chunk counts, and whether the stream
    yields exactly decode_file()'s samples."""
    report.append("")
    report.append("== Check: chunks yielded, and stream samples vs decode_file() samples "
                  "(same implementation) ==")
    rows = []
    chunks = {}
    res = {}
    notes = []
    for lab, _, _ in STREAM_INPUTS:
        nch, rate = native[lab]
        got = {}
        for impl in IMPLS:
            try:
                got[impl] = workers[impl].call(cmd="check", path=files[lab], nch=nch, rate=rate,
                                               frames=frames_list)
            except RuntimeError as e:
                notes.append("  !! %s check %s failed: %s" % (impl, lab, e))
        for frames in frames_list:
            row = [lab, str(frames)]
            for impl in IMPLS:
                g = got.get(impl)
                if g is None:
                    row += ["error", ""]
                    continue
                s, d = g[str(frames)], g["decode"]
                chunks[(lab, frames, impl)] = s["chunks"]
                expect = -(-d["frames"] // frames)
                if s["sha256"] == d["sha256"]:
                    same = "identical"
                elif s["bytes"] != d["bytes"]:
                    same = "LENGTH %d vs %d bytes" % (s["bytes"], d["bytes"])
                else:
                    same = "SAMPLES DIFFER"
                row += ["%d%s" % (s["chunks"], "" if s["chunks"] == expect else
                                  " (expected %d)" % expect), same]
                res["%s/%d/%s" % (lab, frames, impl)] = dict(s, same_as_decode=same,
                                                            decode_frames=d["frames"])
                if s["chunks"] != expect:
                    notes.append("  !! %s %s N=%d: %d chunks, ceil(frames/N) = %d"
                                 % (impl, lab, frames, s["chunks"], expect))
            if got.get("ours") and got.get("1.71"):
                a, b = got["ours"][str(frames)], got["1.71"][str(frames)]
                row.append("identical" if a["sha256"] == b["sha256"] else
                           "differ (%d vs %d bytes)%s" % (a["bytes"], b["bytes"],
                                                          " **" if lab in ("mp3", "vorbis") else ""))
            else:
                row.append("n/a")
            rows.append(row)
    bd.print_table(["input", "N", "ours chunks", "ours stream vs df", "1.71 chunks",
                    "1.71 stream vs df", "ours vs 1.71 stream"], rows, report)
    if got.get("ours"):
        g = got["ours"][str(frames_list[0])]
        report.append("(ours: stream object %s, chunks %s)"
                      % (g["stream_type"], ", ".join(g["chunk_types"])))
    if any(r[-1].endswith("**") for r in rows):
        report.append("** same length, different samples: expected for MP3 and Vorbis, 1.71's wheel is "
                      "built with -ffast-math (bench_decode.py's output check shows the sizes "
                      "of the differences)")
    report.extend(notes)
    return chunks, res


def bench(args, workers, files, native, chunks, report):
    """Interleaved rounds: each round, for each input, one measurement of each
    (implementation, decode_file | stream N) in a rotating order."""
    modes = [0] + args.frames  # 0 = decode_file
    tasks = [(impl, m) for impl in IMPLS for m in modes]
    samples = {(lab, impl, m): [] for lab, _, _ in STREAM_INPUTS for impl, m in tasks}
    failed = {}
    t_round0 = time.time()
    for rnd in range(args.repeat):
        log("  round %d/%d%s" % (rnd + 1, args.repeat,
                                 "" if rnd == 0 else "  (%.0f s per round)"
                                 % ((time.time() - t_round0) / rnd)))
        for li, (lab, _, _) in enumerate(STREAM_INPUTS):
            nch, rate = native[lab]
            k = (rnd + li) % len(tasks)
            order = tasks[k:] + tasks[:k]
            if rnd % 2:
                order.reverse()
            for impl, m in order:
                if (lab, impl, m) in failed:
                    continue
                try:
                    r = workers[impl].call(cmd="time", path=files[lab], nch=nch, rate=rate,
                                           frames=m, n=args.batch)
                except RuntimeError as e:
                    failed[(lab, impl, m)] = str(e)
                    log("  !! %s" % e)
                    continue
                samples[(lab, impl, m)] += r["times"]
    best = {k: (min(v) if v else None) for k, v in samples.items()}
    med = {k: (statistics.median(v) if v else None) for k, v in samples.items()}

    n_each = args.repeat * args.batch
    report.append("")
    report.append("== stream_file(path, SIGNED16, native channels/rate, frames_to_read=N), "
                  "`for chunk in stream: pass`; best of %d, interleaved ==" % n_each)
    report.append("df = decode_file() of the same file; us/chunk = (stream - df) / chunks, "
                  "the per-chunk overhead in microseconds")
    report.append("noise = (median - best) of ours' df / chunks: how many us/chunk a typical "
                  "swing of this machine is worth")
    headers = ["input", "N", "chunks",
               "ours df ms", "ours stream ms", "ours us/chunk",
               "1.71 df ms", "1.71 stream ms", "1.71 us/chunk",
               "noise", "ours/1.71 us/chunk", "<=%.2f" % TARGET_OVERHEAD,
               "ours stream/df", "1.71 stream/df", "<=%.2f@%d" % (TARGET_STREAM_4096, TARGET_FRAMES)]
    rows = []
    summary = {}
    any_negative = False
    for lab, _, _ in STREAM_INPUTS:
        for n in args.frames:
            per = {}
            for impl in IMPLS:
                df, st = best[(lab, impl, 0)], best[(lab, impl, n)]
                c = chunks.get((lab, n, impl))
                per[impl] = {
                    "decode_file_s": df, "stream_s": st, "chunks": c,
                    "overhead_us": ((st - df) / c * 1e6) if (df is not None and st is not None
                                                            and c) else None,
                    "stream_over_df": (st / df) if (df and st) else None,
                    "median_decode_file_s": med[(lab, impl, 0)],
                    "median_stream_s": med[(lab, impl, n)],
                }
            o, e = per["ours"], per["1.71"]
            c = o["chunks"] or e["chunks"]
            noise = ((o["median_decode_file_s"] - o["decode_file_s"]) / c * 1e6
                     if (c and o["decode_file_s"] is not None) else None)
            # overhead target: ours <= 1/5 of 1.71's (an overhead at or below
            # zero, within noise, passes as long as 1.71's is positive)
            ratio = ok_ov = None
            ratio_s = "n/a"
            if o["overhead_us"] is not None and e["overhead_us"] is not None:
                if e["overhead_us"] > 0:
                    ratio = o["overhead_us"] / e["overhead_us"]
                    ok_ov = ratio <= TARGET_OVERHEAD
                    ratio_s = "%.3f" % ratio if ratio >= 0 else "<0 *"
                    any_negative = any_negative or ratio < 0
            ok_4096 = None
            if n == TARGET_FRAMES and o["stream_over_df"] is not None:
                ok_4096 = o["stream_over_df"] <= TARGET_STREAM_4096
            rows.append([lab, str(n), str(c) if c else "n/a",
                         bd.fmt_ms(o["decode_file_s"]), bd.fmt_ms(o["stream_s"]),
                         fmt_us(o["overhead_us"]),
                         bd.fmt_ms(e["decode_file_s"]), bd.fmt_ms(e["stream_s"]),
                         fmt_us(e["overhead_us"]),
                         fmt_us(noise),
                         ratio_s, bd.label(ok_ov),
                         "%.3f" % o["stream_over_df"] if o["stream_over_df"] else "n/a",
                         "%.3f" % e["stream_over_df"] if e["stream_over_df"] else "n/a",
                         bd.label(ok_4096)])
            summary["%s/%d" % (lab, n)] = {"ours": o, "1.71": e, "noise_us": noise,
                                           "overhead_ratio": ratio, "ok_overhead": ok_ov,
                                           "ok_stream_4096": ok_4096}
    bd.print_table(headers, rows, report)
    report.append("targets: ours/1.71 us/chunk <= %.2f (ours' per-chunk overhead at most a fifth "
                  "of 1.71's); at N=%d ours stream/df <= %.2f"
                  % (TARGET_OVERHEAD, TARGET_FRAMES, TARGET_STREAM_4096))
    report.append("")
    report.append("Stream time, ours against 1.71 at each chunk size (ms; best and median of "
                  "%d); target: ours <= 1.71 (ratio of the medians <= %.2f)" % (n_each, TARGET_VS_171))
    vrows = []
    for lab, _, _ in STREAM_INPUTS:
        for n in args.frames:
            o_b, e_b = best[(lab, "ours", n)], best[(lab, "1.71", n)]
            o_m, e_m = med[(lab, "ours", n)], med[(lab, "1.71", n)]
            r_b = o_b / e_b if (o_b and e_b) else None
            r_m = o_m / e_m if (o_m and e_m) else None
            ok = None if r_m is None else r_m <= TARGET_VS_171
            summary["%s/%d/vs171" % (lab, n)] = {"ratio_best": r_b, "ratio_median": r_m, "ok": ok}
            vrows.append([lab, str(n), bd.fmt_ms(o_m), bd.fmt_ms(e_m),
                          "%.3f" % r_m if r_m is not None else "n/a",
                          bd.fmt_ms(o_b), bd.fmt_ms(e_b),
                          "%.3f" % r_b if r_b is not None else "n/a",
                          "<=%.2f" % TARGET_VS_171, bd.label(ok)])
    bd.print_table(["input", "N", "ours med ms", "1.71 med ms", "ours/1.71 med",
                    "ours best ms", "1.71 best ms", "ours/1.71 best", "target", ""], vrows, report)
    if any_negative:
        report.append("* ours' stream is faster than ours' decode_file(): the overhead comes out "
                      "negative, so it passes the target literally but says nothing about the "
                      "per-chunk cost (decode_file() pays page faults for its one big output "
                      "array); see the marginal figures below")
    if len(args.frames) >= 2:
        lo, hi = min(args.frames), max(args.frames)
        report.append("")
        report.append("Marginal per-chunk cost, (stream N=%d - stream N=%d) / (chunks N=%d - "
                      "chunks N=%d), us: the same overhead without decode_file() in it (whose "
                      "one big output buffer costs page faults a stream does not pay)"
                      % (lo, hi, lo, hi))
        mrows = []
        for lab, _, _ in STREAM_INPUTS:
            ok_m = None
            marg = {}
            for impl in IMPLS:
                a, b = best[(lab, impl, lo)], best[(lab, impl, hi)]
                ca, cb = chunks.get((lab, lo, impl)), chunks.get((lab, hi, impl))
                marg[impl] = ((a - b) / (ca - cb) * 1e6
                              if (a is not None and b is not None and ca and cb and ca != cb)
                              else None)
            summary["%s/marginal_us" % lab] = marg
            mr = (marg["ours"] / marg["1.71"]
                  if (marg["ours"] is not None and marg["1.71"] and marg["1.71"] > 0) else None)
            if mr is not None:
                ok_m = mr <= TARGET_OVERHEAD
            summary["%s/marginal_ok" % lab] = ok_m
            mrows.append([lab, fmt_us(marg["ours"]), fmt_us(marg["1.71"]),
                          "%.3f" % mr if mr is not None else "n/a",
                          "<=%.2f" % TARGET_OVERHEAD, bd.label(ok_m)])
        bd.print_table(["input", "ours us/chunk", "1.71 us/chunk", "ours/1.71", "target", ""],
                       mrows, report)
    for (lab, impl, m), err in sorted(failed.items()):
        report.append("  !! %s %s %s failed: %s" % (impl, lab, "stream N=%d" % m if m
                                                     else "decode_file", err))
    return summary


def main():
    if "--worker" in sys.argv[1:]:
        return _worker_main()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="30 s files and fewer rounds (a smoke run, well under a minute)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="interleaved rounds (default 20, quick 4)")
    ap.add_argument("--batch", type=int, default=1,
                    help="back-to-back runs per measurement call (default 1); figures are the "
                         "best of repeat x batch")
    ap.add_argument("--seconds", type=float, default=None,
                    help="length of the generated test signal (default 300, quick 30)")
    ap.add_argument("--frames", default=",".join(map(str, CHUNK_FRAMES)),
                    help="comma list of chunk sizes in frames (default 64,256,1024,4096,16384,65536)")
    ap.add_argument("--ours-python", default=sys.executable,
                    help="interpreter whose `import miniaudio` is 'ours' (default: this one)")
    ap.add_argument("--ffmpeg", default=shutil.which("ffmpeg") or "/usr/bin/ffmpeg")
    ap.add_argument("--json", help="also write all figures to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the input files")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.repeat = args.repeat or (4 if args.quick else 20)
    args.seconds = args.seconds or (30.0 if args.quick else 300.0)
    args.frames = [int(x) for x in args.frames.split(",") if x.strip()]
    if any(n <= 0 for n in args.frames) or not args.frames:
        die("--frames wants positive chunk sizes")

    try:
        import numpy  # noqa: F401  (signal generation)
    except ImportError:
        die("numpy is needed in this interpreter (pip install numpy)")

    t_start = time.time()
    est_py = bd.ensure_established_venv()
    tmpdir = tempfile.mkdtemp(prefix="ma-bench-stream-")
    report = []
    results = {}
    workers = {}
    try:
        log("generating %.0f s test files in %s ..." % (args.seconds, tmpdir))
        t0 = time.time()
        files = bd.generate_inputs(tmpdir, args.seconds, args.ffmpeg, inputs=STREAM_INPUTS,
                                   short=False)
        log("  done in %.0f s" % (time.time() - t0))

        workers["ours"] = bd.Worker(args.ours_python, "ours", tmpdir, script=__file__)
        workers["1.71"] = bd.Worker(est_py, "1.71", tmpdir, script=__file__)
        hello = {k: w.call(cmd="hello") for k, w in workers.items()}
        notes = []
        if hello["ours"]["miniaudio_error"]:
            die("`import miniaudio` fails under %s: %s\n  Install our package into it, or pass "
                "--ours-python %s to try the plumbing with 1.71 as a stand-in."
                % (args.ours_python, hello["ours"]["miniaudio_error"], est_py))
        ours_file = hello["ours"]["miniaudio_file"] or ""
        if os.path.realpath(ours_file).startswith(os.path.realpath(bd.VENV_DIR) + os.sep):
            notes.append("!! 'ours' is the established 1.71 package from %s (stand-in run): "
                         "its figures are NOT our package's" % bd.VENV_DIR)
        if hello["1.71"]["miniaudio_version"] != "1.71":
            notes.append("!! the established venv reports version %s"
                         % hello["1.71"]["miniaudio_version"])

        native = {}
        sizes = {}
        for lab, _, _ in STREAM_INPUTS:
            try:
                info = workers["ours"].call(cmd="info", path=files[lab])
            except RuntimeError as e:
                notes.append("!! ours get_file_info(%s) failed: %s; using 1.71's"
                             % (os.path.basename(files[lab]), e))
                info = workers["1.71"].call(cmd="info", path=files[lab])
            native[lab] = (info["nchannels"], info["sample_rate"])
            sizes[lab] = os.path.getsize(files[lab])
            if native[lab] != (bd.CHANNELS, bd.SAMPLE_RATE):
                notes.append("!! get_file_info(%s) says %d ch %d Hz, the file is %d ch %d Hz"
                             % (os.path.basename(files[lab]), info["nchannels"],
                                info["sample_rate"], bd.CHANNELS, bd.SAMPLE_RATE))

        report.append("miniaudio stream benchmark  (%s, %d CPUs, %.0f s stereo 44.1 kHz test "
                      "signal, SIGNED16 output)"
                      % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, args.seconds))
        report.append("ours : %s  (%s, %s)" % (ours_file, hello["ours"]["miniaudio_version"],
                                               args.ours_python))
        report.append("1.71 : %s" % hello["1.71"]["miniaudio_file"])
        report.append("files: " + ", ".join("%s %.1f MB" % (lab, sizes[lab] / 1e6)
                                            for lab, _, _ in STREAM_INPUTS))
        report.append("load average at start: %.2f %.2f %.2f (a busy machine makes every "
                      "figure noisier)" % os.getloadavg())
        report.extend(notes)

        log("check (and warm-up) ...")
        chunks, results["check"] = check_streams(workers, files, native, args.frames, report)
        log("timing: %d rounds x %d ..." % (args.repeat, args.batch))
        results["stream"] = bench(args, workers, files, native, chunks, report)
    except BaseException:
        bd.finish(args, workers, tmpdir, report, results, t_start)
        raise
    return bd.finish(args, workers, tmpdir, report, results, t_start)


if __name__ == "__main__":
    sys.exit(main())
