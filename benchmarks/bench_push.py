#!/usr/bin/env python3
"""Push I/O benchmark: dropouts and CPU per audio second of write(), prefetch and callbacks,
ours vs miniaudio 1.71, python-sounddevice and PyAudio, on one PulseAudio null sink.

One private PulseAudio daemon with a null sink (tests/pulse_server.py) for the whole run.  Each
case plays the same tone (default 20 s of 1 kHz at amplitude 0.5, 16-bit stereo at 48 kHz, with
0.5 s of silence before and 1 s after) while the main thread of the playing process runs a
pure-Python busy loop, and parec (a separate process) records the sink's monitor.  The tone is
computed once, before the device opens; every case hands out slices of it, so what is measured is
the path from Python to the sound server, not the tone's arithmetic.  The cases:

  ours write       PlaybackDevice(buffersize_msec=10).write() of 10 ms chunks from a writer thread,
                   then drain()
  ours prefetch    a Python generator yielding each period's slice, start(gen, prefetch_msec=100),
                   at 10 ms and at 5 ms periods
  ours callback    start(callback=fn) at 10 ms periods (only if this package's start() has it)
  ours stream      the package's own streams at 5 ms periods: stream_memory(<WAV of the tone>),
                   and a Waveform sine played for the tone's length (pulled in C, no GIL)
  1.71 generator   miniaudio 1.71's PlaybackDevice(buffersize_msec=10) with the same generator
                   (benchmarks/.venv-established, bench_decode.py's helper makes it)
  sd write         python-sounddevice OutputStream(blocksize=480).write() of 10 ms chunks from a
                   writer thread (its default latency), then stop()
  sd callback      python-sounddevice OutputStream(callback=..., blocksize=480)
  pyaudio write    PyAudio stream (frames_per_buffer=480).write() of 10 ms chunks from a writer
                   thread, then stop_stream()

The peers run in benchmarks/.venv-peers (sounddevice, pyaudio, numpy; see README.md) through
PortAudio's ALSA host API into the same daemon via the ALSA pulse plugin (Debian packages
libportaudio2 and libasound2-plugins; a private $HOME/.asoundrc routes ALSA's default device to
PulseAudio).  Every case runs in a child process under its package's interpreter.

Figures: dropouts (silences >= 5 ms inside the recorded tone, bench_devices.py's analysis),
the tone frames recorded / played, CPU time of the process minus its main thread while playing,
per second of audio (ms/s), and the ratio of that to sounddevice's write() case.  This is a
measuring script, not a test: its exit status does not depend on the figures.
"""

import argparse
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
for _p in (HERE, TESTS):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_devices as bdev  # noqa: E402  (stdlib only at import: usable in every venv)

# (name, implementation, period or chunk msec)
CASES = [
    ("ours write", "ours", 10),
    ("ours prefetch", "ours", 10),
    ("ours prefetch", "ours", 5),
    ("ours callback", "ours", 10),
    ("ours stream", "ours", 5),
    ("ours waveform", "ours", 5),
    ("1.71 generator", "1.71", 10),
    ("sd write", "peers", 10),
    ("sd callback", "peers", 10),
    ("pyaudio write", "peers", 10),
]
PREFETCH_MSEC = 100
CHILD_TIMEOUT = 20.0
ASOUNDRC = "pcm.!default { type pulse }\nctl.!default { type pulse }\n"


# --------------------------------------------------------------------------
# Child: one case.  JSON lines on stdout; "go" on stdin between opening and playing.
# --------------------------------------------------------------------------

def _child_main(cfg):
    proto = sys.stdout
    sys.stdout = sys.stderr

    def send(**msg):
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    import io
    import wave

    import numpy as np

    case, msec = cfg["case"], cfg["msec"]
    rate, nch, freq, amp = cfg["rate"], cfg["channels"], cfg["freq"], cfg["amplitude"]
    n_lead = int(round(cfg["lead_in"] * rate))
    n_tone = int(round(cfg["seconds"] * rate))
    n_total = n_lead + n_tone + int(round(cfg["tail"] * rate))
    idx = np.arange(n_total)
    mono = np.where((idx >= n_lead) & (idx < n_lead + n_tone),
                    np.round(amp * 32767.0 * np.sin(2.0 * np.pi * freq / rate * (idx - n_lead))), 0)
    pcm = np.ascontiguousarray(np.repeat(mono.astype("<i2")[:, None], nch, axis=1))  # (frames, nch)
    chunk = int(round(rate * msec / 1000))
    chunks = [pcm[i:i + chunk] for i in range(0, n_total, chunk)]
    main_tid = threading.get_native_id()
    info = {}
    done_evt = threading.Event()

    def slicing_generator():
        pos = 0
        frames = yield b""
        while pos < n_total:
            k = min(frames, n_total - pos)
            out = pcm[pos:pos + k]
            pos += k
            frames = yield out

    def writer(write, then=None):
        try:
            for c in chunks:
                write(c)
            if then is not None:
                then()
        except BaseException as e:  # reported, not hidden
            info["error"] = "%s: %s" % (type(e).__name__, e)
        finally:
            done_evt.set()

    # ---- open ----
    dev = stream = pa = None
    if cfg["impl"] in ("ours", "1.71"):
        import miniaudio as ma
        info["package"] = "miniaudio %s (%s)" % (getattr(ma, "__version__", "?"), ma.__file__)
        prio = {}
        if os.environ.get("BENCH_THREAD_PRIO"):  # e.g. REALTIME: miniaudio asks for SCHED_FIFO
            prio["thread_prio"] = getattr(ma.ThreadPriority, os.environ["BENCH_THREAD_PRIO"].upper())
        dev = ma.PlaybackDevice(output_format=ma.SampleFormat.SIGNED16, nchannels=nch, sample_rate=rate,
                                buffersize_msec=msec, backends=[ma.Backend.PULSEAUDIO], app_name="bench_push",
                                **prio)
        lat = getattr(dev, "latency", None)
        info["latency_ms"] = None if lat is None else 1000.0 * float(lat)
        if case == "ours callback":
            if "callback" not in inspect.signature(dev.start).parameters:
                dev.close()
                send(event="skip", reason="this package's start() has no callback parameter")
                return 0
    elif case.startswith("sd"):
        import sounddevice as sd
        info["package"] = "sounddevice %s, %s" % (sd.__version__, sd.get_portaudio_version()[1])
        if case == "sd write":
            stream = sd.OutputStream(samplerate=rate, channels=nch, dtype="int16", blocksize=chunk)
        else:
            pos = [0]

            def sd_callback(outdata, frames, t, status):
                if status.output_underflow:
                    info["underflows"] = info.get("underflows", 0) + 1
                k = min(frames, n_total - pos[0])
                outdata[:k] = pcm[pos[0]:pos[0] + k]
                outdata[k:] = 0
                pos[0] += k
                if pos[0] >= n_total:
                    raise sd.CallbackStop

            stream = sd.OutputStream(samplerate=rate, channels=nch, dtype="int16", blocksize=chunk,
                                     callback=sd_callback, finished_callback=done_evt.set)
        info["latency_ms"] = 1000.0 * stream.latency
    else:
        import pyaudio
        info["package"] = "PyAudio %s, %s" % (pyaudio.__version__, pyaudio.get_portaudio_version_text())
        pa = pyaudio.PyAudio()
        stream = pa.open(format=pyaudio.paInt16, channels=nch, rate=rate, output=True, frames_per_buffer=chunk)
        info["latency_ms"] = 1000.0 * stream.get_output_latency()
    send(event="opened")
    if sys.stdin.readline().strip() != "go":
        return 1

    def solo_loop_rate(seconds=0.5):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            bdev._busy_step()
            n += 1
        return n / (time.perf_counter() - t0)

    solo = solo_loop_rate()

    # ---- play, with the busy loop on the main thread until the case says it is done ----
    snap0 = bdev._snapshot(main_tid)
    finished = done_evt.is_set
    if case == "ours write":
        th = threading.Thread(target=writer, args=(dev.write, dev.drain))  # the first write() starts it
        th.start()
    elif case == "ours prefetch":
        dev.start(slicing_generator(), prefetch_msec=PREFETCH_MSEC)
        finished = lambda: not dev.running  # noqa: E731
    elif case == "ours callback":
        pos = [0]

        def our_callback(outdata, frames, t, status):
            k = min(frames, n_total - pos[0])
            outdata[:k] = pcm[pos[0]:pos[0] + k]
            outdata[k:] = 0
            pos[0] += k
            if pos[0] >= n_total:
                raise ma.CallbackStop

        dev.start(callback=our_callback)
        finished = lambda: not dev.running  # noqa: E731
    elif case == "ours stream":
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(nch)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())
        dev.start(ma.stream_memory(buf.getvalue(), ma.SampleFormat.SIGNED16, nch, rate))
        finished = lambda: not dev.running  # noqa: E731
    elif case == "ours waveform":
        wf = ma.Waveform("sine", freq, amp, rate, nch, ma.SampleFormat.SIGNED16)
        t_end = time.perf_counter() + n_tone / rate
        dev.start(wf)
        finished = lambda: time.perf_counter() >= t_end  # noqa: E731
    elif case == "1.71 generator":
        g = slicing_generator()
        next(g)
        dev.start(g)
        finished = lambda: (not dev.running) or dev.callback_generator is None  # noqa: E731
    elif case == "sd write":
        stream.start()
        th = threading.Thread(target=writer, args=(stream.write,))
        th.start()
    elif case == "sd callback":
        stream.start()
    else:  # pyaudio write
        th = threading.Thread(target=writer, args=(lambda c: stream.write(c.tobytes()),))
        th.start()
    deadline = time.perf_counter() + n_total / rate + CHILD_TIMEOUT
    loops, timed_out = 0, False
    while not finished():
        bdev._busy_step()
        loops += 1
        if loops % 64 == 0 and time.perf_counter() > deadline:
            timed_out = True
            break
    if case == "ours waveform":
        dev.stop()
    if case in ("sd write", "pyaudio write"):
        th.join()
        stream.stop_stream() if pa is not None else stream.stop()  # plays what is queued
    if case == "ours write":
        th.join()
    snap1 = bdev._snapshot(main_tid)
    stats = getattr(dev, "stats", None) if case.startswith("ours") else None
    try:
        if dev is not None:
            dev.close()
        if stream is not None:
            stream.close()
        if pa is not None:
            pa.terminate()
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
    solo = max(solo, solo_loop_rate())
    send(event="done", audio_s=n_total / rate, wall_s=snap1[2] - snap0[2], timed_out=timed_out,
         cpu_s=snap1[1] - snap0[1], loop_rate=loops / (snap1[2] - snap0[2]), solo_loop_rate=solo,
         stats=stats._asdict() if hasattr(stats, "_asdict") else None, **info)
    return 0


# --------------------------------------------------------------------------
# Controller
# --------------------------------------------------------------------------

def run_case(args, pa, python, impl, case, msec, tmpdir, peers_home):
    cfg = {"case": case, "impl": impl, "msec": msec, "seconds": args.seconds, "lead_in": args.lead_in,
           "tail": args.tail, "rate": args.rate, "channels": args.channels, "freq": args.freq,
           "amplitude": args.amplitude}
    env = pa.client_env()
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    if impl == "peers":
        env["HOME"] = peers_home  # its .asoundrc: ALSA's default device is the pulse plugin
    if impl == "ours":
        env["PYTHONPATH"] = os.pathsep.join(p for p in (args.ours_path, env.get("PYTHONPATH")) if p)
    rec_path = os.path.join(tmpdir, "rec-%d.raw" % len(os.listdir(tmpdir)))
    child = subprocess.Popen([python, os.path.abspath(__file__), "--child", json.dumps(cfg)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmpdir, env=env)
    watchdog = threading.Timer(args.seconds + args.lead_in + args.tail + CHILD_TIMEOUT + 60, child.kill)
    watchdog.start()
    rec = None
    try:
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("child exited (code %s) before opening the device" % child.wait())
        msg = json.loads(line)
        if msg["event"] == "skip":
            return {"skipped": msg["reason"]}
        with open(rec_path, "wb") as rf:
            rec = subprocess.Popen(["parec", "--raw", "--device=%s" % pa.monitor_name, "--format=s16le",
                                    "--rate=%d" % args.rate, "--channels=%d" % args.channels,
                                    "--latency-msec=20"], stdout=rf, stderr=subprocess.PIPE,
                                   env=pa.client_env())
        t0 = time.monotonic()
        while os.path.getsize(rec_path) < args.rate * args.channels * 2 // 10:
            if rec.poll() is not None:
                raise RuntimeError("parec exited: %s" % rec.stderr.read().decode(errors="replace"))
            if time.monotonic() - t0 > 15:
                raise RuntimeError("parec delivered %d bytes in 15 s" % os.path.getsize(rec_path))
            time.sleep(0.01)
        child.stdin.write("go\n")
        child.stdin.flush()
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("child exited (code %s) while playing" % child.wait())
        done = json.loads(line)
        child.wait(timeout=30)
        want = os.path.getsize(rec_path) + int(0.3 * args.rate) * args.channels * 2
        t1 = time.monotonic()
        while os.path.getsize(rec_path) < want and time.monotonic() - t1 < 5 and rec.poll() is None:
            time.sleep(0.01)
    finally:
        watchdog.cancel()
        if rec is not None and rec.poll() is None:
            rec.send_signal(signal.SIGINT)
            try:
                rec.wait(timeout=10)
            except subprocess.TimeoutExpired:
                rec.kill()
                rec.wait()
        if child.poll() is None:
            child.kill()
            child.wait()
    with open(rec_path, "rb") as f:
        raw = f.read()
    os.remove(rec_path)
    done["analysis"] = bdev.analyse(raw, args)
    return done


def main():
    if "--child" in sys.argv[1:]:
        return _child_main(json.loads(sys.argv[sys.argv.index("--child") + 1]))
    import bench_decode as bd

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 s tone, one round (a smoke run)")
    ap.add_argument("--seconds", type=float, default=None, help="tone length per case (default 20, quick 5)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 2, quick 1); dropouts summed, "
                                                                 "CPU the smallest")
    ap.add_argument("--cases", default=None, help="comma list of case names (e.g. 'sd write,ours write')")
    ap.add_argument("--rate", type=int, default=48000)
    ap.add_argument("--channels", type=int, default=2)
    ap.add_argument("--freq", type=float, default=1000.0)
    ap.add_argument("--amplitude", type=float, default=0.5)
    ap.add_argument("--lead-in", type=float, default=0.5)
    ap.add_argument("--tail", type=float, default=1.0)
    ap.add_argument("--gap-msec", type=float, default=bdev.GAP_MSEC)
    ap.add_argument("--ours-python", default=sys.executable)
    ap.add_argument("--ours-path", default=os.path.join(ROOT, "src"),
                    help="PYTHONPATH entry for 'ours' (default: this checkout's src/, built in place)")
    ap.add_argument("--established-python", default=None,
                    help="interpreter with miniaudio==1.71 (default: bench_decode.py's venv, made on first use)")
    ap.add_argument("--peers-python", default=os.path.join(HERE, ".venv-peers", "bin", "python"),
                    help="interpreter with sounddevice, pyaudio and numpy (default benchmarks/.venv-peers)")
    ap.add_argument("--json")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    args.rounds = args.rounds or (1 if args.quick else 2)
    log = bd.log
    import pulse_server

    reason = pulse_server.pulse_available()
    if reason or not shutil.which("parec"):
        bd.die("PulseAudio is needed: %s" % (reason or "parec not installed"))
    pythons = {"ours": args.ours_python,
               "1.71": args.established_python or bd.ensure_established_venv(),
               "peers": args.peers_python if os.path.exists(args.peers_python) else None}
    notes = []
    if pythons["peers"] is None:
        notes.append("!! no peers interpreter at %s: the sounddevice and PyAudio rows are missing (see "
                     "benchmarks/README.md)" % args.peers_python)
    cases = CASES
    if args.cases:
        wanted = [c.strip() for c in args.cases.split(",")]
        cases = [c for c in CASES if c[0] in wanted]
    tmpdir = tempfile.mkdtemp(prefix="ma-bench-push-")
    peers_home = os.path.join(tmpdir, "home")
    os.makedirs(peers_home)
    with open(os.path.join(peers_home, ".asoundrc"), "w") as f:
        f.write(ASOUNDRC)
    t_start = time.time()
    report, results = [], {"runs": []}
    load0 = os.getloadavg()
    runs = {}
    with pulse_server.PulseServer(rate=args.rate, channels=args.channels) as pa:
        log("PulseAudio daemon on %s" % pa.server)
        for rnd in range(args.rounds):
            order = cases if rnd % 2 == 0 else cases[::-1]
            for name, impl, msec in order:
                if pythons[impl] is None:
                    continue
                log("[round %d] %s, %d ms ..." % (rnd + 1, name, msec))
                try:
                    r = run_case(args, pa, pythons[impl], impl, name, msec, tmpdir, peers_home)
                except Exception as e:
                    log("  !! %s" % e)
                    notes.append("!! %s %d ms round %d failed: %s" % (name, msec, rnd + 1, e))
                    continue
                if "skipped" in r:
                    log("  skipped: %s" % r["skipped"])
                    notes.append("%s: skipped (%s)" % (name, r["skipped"]))
                    continue
                a = r["analysis"]
                r.update(case=name, msec=msec, round=rnd + 1, cpu_ms_per_s=r["cpu_s"] * 1e3 / r["audio_s"])
                log("  dropouts %s, tone %s/%s, cpu %.1f ms/s, latency %s ms%s" % (
                    a.get("dropouts"), a.get("tone_frames"), a["tone_expected"], r["cpu_ms_per_s"],
                    "%.1f" % r["latency_ms"] if r.get("latency_ms") is not None else "?",
                    ", ERROR " + r["error"] if r.get("error") else ""))
                results["runs"].append(r)
                runs.setdefault((name, msec), []).append(r)
        cases_run = [(n, m) for n, _, m in cases if (n, m) in runs]
    agg = {}
    for key in cases_run:
        rs = runs[key]
        an = [r["analysis"] for r in rs]
        agg[key] = {
            "runs": len(rs),
            "dropouts": sum(a["dropouts"] for a in an) if all(a.get("dropouts") is not None for a in an) else None,
            "gap_ms": sum(a.get("gap_total_ms", 0.0) for a in an),
            "tone": (sum(a["tone_frames"] for a in an), sum(a["tone_expected"] for a in an)),
            "cpu": min(r["cpu_ms_per_s"] for r in rs),
            "main": min(r["loop_rate"] / r["solo_loop_rate"] for r in rs),
            "latency": rs[0].get("latency_ms"),
            "package": rs[0].get("package", "?"),
            "underflows": sum((r.get("stats") or {}).get("underflows", 0) for r in rs),
            "late": sum((r.get("stats") or {}).get("late_callbacks", 0) for r in rs),
            "padded": sum((r.get("stats") or {}).get("padded_callbacks", 0) for r in rs),
        }
    ref = agg.get(("sd write", 10))
    report.append("push I/O benchmark (%s, %d CPUs, PulseAudio null sink %d Hz; %.0f s tone %.0f Hz at %.2f, "
                  "%d ch s16, %.1f s silence before, %.1f s after; %d round%s; main thread: pure-Python busy loop)"
                  % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, args.rate, args.seconds, args.freq,
                     args.amplitude, args.channels, args.lead_in, args.tail, args.rounds,
                     "" if args.rounds == 1 else "s"))
    report.append("load average at start: %.2f %.2f %.2f" % load0)
    for key in cases_run:
        report.append("  %-16s %s" % (key[0], agg[key]["package"]))
    report.extend(notes)
    report.append("")
    headers = ["case", "period", "dropouts", "gap ms", "tone", "cpu ms/s", "cpu / sd write", "main", "latency ms",
               "our underflows/late/padded"]
    rows = []
    for key in cases_run:
        g = agg[key]
        rows.append([key[0], "%d ms" % key[1], "n/a" if g["dropouts"] is None else str(g["dropouts"]),
                     "%.0f" % g["gap_ms"], "%d/%d" % g["tone"], "%.1f" % g["cpu"],
                     "%.2f" % (g["cpu"] / ref["cpu"]) if ref and ref["cpu"] > 0 else "n/a",
                     "%.0f%%" % (100 * g["main"]),
                     "%.1f" % g["latency"] if g["latency"] is not None else "",
                     "%d/%d/%d" % (g["underflows"], g["late"], g["padded"]) if key[0].startswith("ours") else ""])
    bd.print_table(headers, rows, report)
    report.append("dropouts: silences >= %.0f ms inside the tone in parec's recording of the monitor, summed over "
                  "rounds; cpu: process CPU minus the main thread's while playing, per second of audio (best "
                  "round); main: busy-loop speed while playing / alone; latency: what the library reports for "
                  "its output (ours: device latency; prefetch adds %d ms of ring on top); our underflows/late/padded: "
                  "device.stats (the ring ran dry / a callback took longer than its period / a period was "
                  "padded with silence; one padded period at the end of a run is normal)" % (args.gap_msec,
                                                                                             PREFETCH_MSEC))
    odd = []
    for r in results["runs"]:
        t = bdev.run_notes(dict(r, running_at_end=False, impl=r["case"], callback_error=None,
                                error=r.get("error")), args) if "analysis" in r else ""
        if t:
            odd.append("  %s %d ms round %d: %s" % (r["case"], r["msec"], r["round"], t))
    if odd:
        report.append("")
        report.append("Notes per run:")
        report.extend(odd)
    results["summary"] = {"%s/%d" % k: v for k, v in agg.items()}
    if not args.keep:
        shutil.rmtree(tmpdir, ignore_errors=True)
    report.append("")
    report.append("load average at end: %.2f %.2f %.2f; total benchmark time %.0f s"
                  % (os.getloadavg() + (time.time() - t_start,)))
    print("\n".join(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
