#!/usr/bin/env python3
"""Device benchmark: dropouts and audio-thread CPU, our miniaudio vs miniaudio 1.71.

On a private PulseAudio daemon with a null sink (tests/pulse_server.py), each
case plays a tone (default 30 s of 1 kHz at amplitude 0.5, 16-bit stereo at
the sink's 48 kHz) through a PlaybackDevice(backends=[PULSEAUDIO]) while the
main thread of the same process runs a pure-Python busy loop, and a separate
process (parec) records the sink's monitor.  Each case is played with
buffersize_msec=200 (the package default) and 20 (a buffer a callback waiting
for the GIL can miss).  The cases:

  stream     device.start(stream_memory(<WAV bytes of the tone>)): the package's
             own stream (1.71: a Python generator over cffi; ours: pulled in C
             on the audio thread without the GIL)
  generator  device.start(gen), a plain Python generator computing each
             callback's frames with numpy

each with

  ours   `import miniaudio` in the interpreter running this script
  1.71   the established PyPI package miniaudio==1.71, in the virtual
         environment benchmarks/.venv-established (bench_decode.py's helper
         makes it on first use)

Every case runs in its own child process (this script with --child) under
that package's interpreter, so both run the same code.  Figures:

  dropouts   gaps in the recorded tone: runs of near-silence (below 1 % of
             full scale for at least 5 ms) between the first and the last
             tone sample
  tone       tone frames recorded / tone frames played
  cpu        CPU time of every thread of the child except the main one while
             the device played, per second of audio (ms/s)
  main       the busy loop's speed while playing / without audio

Targets (from the issue): stream: zero dropouts; generator: no more dropouts
than 1.71; CPU per second of audio below 1.71's.  This is a measuring script,
not a test: the targets are printed next to the figures with PASS/MISS labels,
and the exit status does not depend on them.  See benchmarks/README.md.
"""

import argparse
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

CASES = ["stream", "generator"]
IMPLS = ["ours", "1.71"]

# Analysis of the recording.
SILENCE_LEVEL = 0.01   # "near-zero": below 1 % of full scale
GAP_MSEC = 5.0         # a dropout is at least this long
SHORT_GAP_MSEC = 1.0   # shorter silences (>= this) are reported separately

# Targets.
TARGET_STREAM_DROPOUTS = 0       # (a) the package's own stream: no dropouts at all
TARGET_CPU_RATIO = 1.0           # audio-thread CPU per audio second: ours < 1.71's

CHILD_TIMEOUT = 20.0   # seconds past the stream's end before a child gives up waiting for it


# --------------------------------------------------------------------------
# Child: one case, in the interpreter of the package being measured.  Speaks
# JSON lines on stdout; waits for "go" on stdin between opening the device and
# starting it (the parent starts the recorder in between).
# --------------------------------------------------------------------------

def _thread_cpu():
    """{tid: (name, cpu seconds, minor page faults)} for every thread of this process.  CPU time
    from the thread's CPU-time clock (clockid (~tid << 3) | 6 on Linux, nanoseconds), with
    /proc/self/task/<tid>/stat's utime + stime (clock ticks) as the fallback."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for name in os.listdir("/proc/self/task"):
        tid = int(name)
        try:
            with open("/proc/self/task/%d/comm" % tid) as f:
                comm = f.read().strip()
            with open("/proc/self/task/%d/stat" % tid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread has just ended
            continue
        try:
            cpu = time.clock_gettime((~tid << 3) | 6)
        except OSError:
            cpu = (int(fields[11]) + int(fields[12])) / tick
        out[tid] = (comm, cpu, int(fields[7]))
    return out


def _snapshot(main_tid):
    """One end of the measuring window: (per-thread CPU, process CPU minus the main thread's,
    perf_counter).  The two clocks of the second figure are read back to back, before the /proc
    reads (which release the GIL, and the main thread runs on meanwhile)."""
    t = time.perf_counter()
    proc = time.process_time() - time.clock_gettime((~main_tid << 3) | 6)
    return _thread_cpu(), proc, t


def _busy_step():
    return sum(i * i for i in range(1000))


def _child_main(cfg):
    proto = sys.stdout
    sys.stdout = sys.stderr

    def send(**msg):
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    import io
    import wave

    import numpy as np

    import miniaudio as ma

    rate, nch, freq, amp = cfg["rate"], cfg["channels"], cfg["freq"], cfg["amplitude"]
    n_lead = int(round(cfg["lead_in"] * rate))
    n_tone = int(round(cfg["seconds"] * rate))
    n_total = n_lead + n_tone + int(round(cfg["tail"] * rate))  # silence, tone, silence
    omega = 2.0 * np.pi * freq / rate
    scale = amp * 32767.0

    def pcm(idx):
        """The mono signal at frame numbers idx (int16 values as floats)."""
        tone = (idx >= n_lead) & (idx < n_lead + n_tone)
        return np.where(tone, np.round(scale * np.sin(omega * (idx - n_lead))), 0)

    callbacks = [0]
    # The generator case closes the CPU window when the generator ends (on the audio thread), so a
    # device that plays out its buffer before `running` turns False is not charged for that; the
    # stream case closes it when the main thread sees the run end.
    end_snapshot = []
    if cfg["case"] == "stream":
        mono = pcm(np.arange(n_total)).astype("<i2")
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(nch)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(np.repeat(mono, nch).tobytes())
        wav = buf.getvalue()
        del mono, buf
        source = ma.stream_memory(wav, ma.SampleFormat.SIGNED16, nch, rate)
    elif cfg["generator"] == "numpy":
        def tone_generator():
            pos = 0
            frames = yield b""
            while pos < n_total:
                callbacks[0] += 1
                k = min(frames, n_total - pos)
                mono = pcm(np.arange(pos, pos + k)).astype(np.int16)
                chunk = np.repeat(mono[:, None], nch, axis=1)  # (frames, nch)
                pos += k
                frames = yield chunk
            end_snapshot.append(_snapshot(main_tid))  # on the audio thread, as it ends
    else:  # "python": pure Python, array.array('h'); never lets go of the GIL inside a callback
        import array
        import math

        def tone_generator():
            pos = 0
            frames = yield b""
            sin = math.sin
            while pos < n_total:
                callbacks[0] += 1
                k = min(frames, n_total - pos)
                chunk = array.array("h")
                for i in range(pos, pos + k):
                    v = (round(scale * sin(omega * (i - n_lead)))
                         if n_lead <= i < n_lead + n_tone else 0)
                    chunk.extend((v,) * nch)
                pos += k
                frames = yield chunk
            end_snapshot.append(_snapshot(main_tid))  # on the audio thread, as it ends
    if cfg["case"] == "generator":
        source = tone_generator()
        next(source)  # 1.71 wants a primed generator; ours accepts both

    def solo_loop_rate(seconds=0.5):
        """The busy loop's speed without any audio, for the "main" figure."""
        n = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            _busy_step()
            n += 1
        return n / (time.perf_counter() - t0)

    solo_rate = solo_loop_rate()

    dev = ma.PlaybackDevice(output_format=ma.SampleFormat.SIGNED16, nchannels=nch, sample_rate=rate,
                            buffersize_msec=cfg["buffersize_msec"],
                            backends=[ma.Backend.PULSEAUDIO], app_name="bench_devices")
    main_tid = threading.get_native_id()
    send(event="opened", backend=getattr(dev, "backend", None),
         device_name=getattr(dev, "device_name", None))
    if sys.stdin.readline().strip() != "go":
        dev.close()
        return 1

    def finished():
        # ours: `running` turns False once the stream has ended (measured: after playing out the
        # device's buffer, ~0.8 s at 200 ms); 1.71 keeps the device running (playing silence) and
        # drops its generator at once.
        return (not dev.running) or dev.callback_generator is None

    cpu0, proc0, t_start = _snapshot(main_tid)
    dev.start(source)
    deadline = t_start + n_total / rate + cfg["timeout"]
    loops = 0
    timed_out = False
    busy = cfg["busy"]
    while not finished():
        if busy:
            _busy_step()
        else:
            time.sleep(0.005)
        loops += 1
        if loops % 64 == 0 and time.perf_counter() > deadline:
            timed_out = True
            break
    t_seen = time.perf_counter()
    cpu1, proc1, t_end = end_snapshot[0] if end_snapshot else _snapshot(main_tid)
    stats = getattr(dev, "stats", None)
    callback_error = getattr(dev, "callback_error", None)
    running_at_end = dev.running
    error = None
    try:
        dev.stop()
        dev.close()
    except Exception as e:  # a pending generator error is raised here by ours
        error = "%s: %s" % (type(e).__name__, e)

    solo_rate = max(solo_rate, solo_loop_rate())  # before and after: the faster of the two

    threads = []
    for tid, (comm, cpu, minflt) in sorted(cpu1.items()):
        if tid == main_tid:
            continue
        _, cpu_before, minflt_before = cpu0.get(tid, (comm, 0.0, 0))
        threads.append({"tid": tid, "name": comm, "cpu_s": cpu - cpu_before,
                        "minflt": minflt - minflt_before, "new": tid not in cpu0})
    audio_s = n_total / rate
    wall = t_end - t_start
    send(event="done",
         python=sys.executable, miniaudio_file=ma.__file__,
         miniaudio_version=getattr(ma, "__version__", None),
         source_type="%s.%s" % (type(source).__module__, type(source).__qualname__),
         audio_s=audio_s, wall_s=wall, timed_out=timed_out, running_at_end=running_at_end,
         threads=threads,
         other_threads_cpu_s=sum(t["cpu_s"] for t in threads),
         process_minus_main_cpu_s=proc1 - proc0,
         main_cpu_s=cpu1[main_tid][1] - cpu0[main_tid][1],
         window_end="generator end" if end_snapshot else "run end seen by the main thread",
         end_seen_after_s=t_seen - t_end if end_snapshot else 0.0,
         loops=loops, loop_rate=loops / (t_seen - t_start), solo_loop_rate=solo_rate,
         generator_callbacks=callbacks[0] if cfg["case"] == "generator" else None,
         stats=stats._asdict() if hasattr(stats, "_asdict") else (list(stats) if stats else None),
         callback_error=repr(callback_error) if callback_error is not None else None,
         error=error)
    return 0


# --------------------------------------------------------------------------
# Controller
# --------------------------------------------------------------------------

def analyse(raw, args, silence=SILENCE_LEVEL, short_ms=SHORT_GAP_MSEC):
    """Find the tone in a raw s16le recording and the silent gaps inside it."""
    import numpy as np
    rate, nch = args.rate, args.channels
    threshold = silence * 32768
    # what the span from the first to the last loud sample of the tone as played is (a sine
    # starting at phase 0 begins with a quiet sample)
    ideal = np.abs(np.round(args.amplitude * 32767.0 * np.sin(
        2.0 * np.pi * args.freq / rate * np.arange(int(round(args.seconds * rate)))))) >= threshold
    n_tone = int(len(ideal) - np.argmax(ideal) - np.argmax(ideal[::-1])) if ideal.any() else 0
    x = np.frombuffer(raw[:len(raw) - len(raw) % (2 * nch)], dtype="<i2").reshape(-1, nch)
    level = np.abs(x.astype(np.int32)).max(axis=1)
    loud = level >= threshold
    res = {"recorded_frames": int(len(x)), "tone_expected": n_tone}
    if not loud.any():
        res.update(tone_found=False, dropouts=None, tone_frames=0)
        return res
    first = int(np.argmax(loud))
    last = int(len(loud) - 1 - np.argmax(loud[::-1]))
    quiet = ~loud[first:last + 1]
    # runs of quiet samples: starts/ends from the edges of the mask
    edges = np.diff(np.concatenate(([0], quiet.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    lengths = ends - starts
    gap_n = int(round(args.gap_msec * rate / 1000.0))
    short_n = int(round(short_ms * rate / 1000.0))
    gaps = lengths >= gap_n
    short = (lengths >= short_n) & ~gaps
    span = last - first + 1
    gap_frames = int(lengths[gaps].sum())
    seg = x[first:last + 1, 0].astype(np.float64)
    # Bit-exact?  PulseAudio passes s16 at the sink's rate through unchanged, so without dropouts
    # (or lost recorded frames, which are not silences) the span equals the tone as played.
    i0 = int(np.argmax(ideal))
    want = np.round(args.amplitude * 32767.0 * np.sin(
        2.0 * np.pi * args.freq / rate * np.arange(i0, i0 + n_tone)))
    exact = bool(span == n_tone and np.array_equal(seg, want)
                 and all(np.array_equal(x[first:last + 1, c], x[first:last + 1, 0])
                         for c in range(1, nch)))
    res.update(
        tone_found=True, first=first, last=last, span_frames=int(span),
        dropouts=int(gaps.sum()), short_gaps=int(short.sum()),
        gap_total_ms=gap_frames * 1000.0 / rate,
        longest_gap_ms=float(lengths.max()) * 1000.0 / rate if len(lengths) else 0.0,
        gap_positions_s=[round((first + int(s)) / rate, 3) for s in starts[gaps][:20]],
        gap_lengths_ms=[round(int(n) * 1000.0 / rate, 1) for n in lengths[gaps][:20]],
        # the tone's own frames: the span without the gaps in it
        tone_frames=int(span - gap_frames),
        rms=float(np.sqrt(np.mean((seg / 32768.0) ** 2))),
        bit_exact=exact,
    )
    return res


def run_case(args, pa, python, impl, case, buffersize_msec, tmpdir):
    """One child process: open, start the recorder, play, analyse the recording."""
    cfg = {"case": case, "seconds": args.seconds, "lead_in": args.lead_in, "tail": args.tail,
           "rate": args.rate, "channels": args.channels, "freq": args.freq,
           "amplitude": args.amplitude, "buffersize_msec": buffersize_msec,
           "timeout": CHILD_TIMEOUT, "busy": not args.no_busy_loop,
           "generator": args.generator}
    env = pa.client_env()
    env["OPENBLAS_NUM_THREADS"] = "1"  # no idle BLAS threads in the per-thread CPU figures
    env["OMP_NUM_THREADS"] = "1"
    rec_path = os.path.join(tmpdir, "%s-%s-%dms-%d.raw" % (impl, case, buffersize_msec,
                                                              len(os.listdir(tmpdir))))
    child = subprocess.Popen([python, os.path.abspath(__file__), "--child", json.dumps(cfg)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmpdir,
                             env=env)
    rec = None
    # A watchdog: a child that hangs (a device that never finishes or never stops) is killed, and
    # the readline() below then returns "".
    watchdog = threading.Timer(args.seconds + args.lead_in + args.tail + CHILD_TIMEOUT + 60,
                               child.kill)
    watchdog.start()
    try:
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("child exited (code %s) before opening the device" % child.wait())
        opened = json.loads(line)
        # The recorder starts after the playback stream exists (the recipe's quirk: a monitor capture
        # started first stalls both streams for ~2 s) and before any sound plays: "go" only once it
        # has delivered 100 ms.  (Measured: with the device opened but not started, parec's first
        # data comes after ~1.4 s; the tone itself then arrives whole and bit-exact.)
        with open(rec_path, "wb") as rf:
            rec = subprocess.Popen(["parec", "--raw", "--device=%s" % pa.monitor_name,
                                    "--format=s16le", "--rate=%d" % args.rate,
                                    "--channels=%d" % args.channels, "--latency-msec=20"],
                                   stdout=rf, stderr=subprocess.PIPE, env=pa.client_env())
        t0 = time.monotonic()
        while os.path.getsize(rec_path) < args.rate * args.channels * 2 // 10:  # 100 ms recorded
            if rec.poll() is not None:
                raise RuntimeError("parec exited: %s" % rec.stderr.read().decode(errors="replace"))
            if time.monotonic() - t0 > 15:
                raise RuntimeError("parec delivered %d bytes in 15 s" % os.path.getsize(rec_path))
            time.sleep(0.01)
        rec_wait = time.monotonic() - t0
        child.stdin.write("go\n")
        child.stdin.flush()
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("child exited (code %s) while playing" % child.wait())
        done = json.loads(line)
        child.wait(timeout=30)
        # The stream ended with silence; let the recorder deliver another 300 ms (frames, not a
        # sleep) so the end of the tone is surely in the file.
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
    if not args.keep:
        os.remove(rec_path)
    a = analyse(raw, args)
    done.update(opened=opened, recorder_wait_s=rec_wait, analysis=a)
    return done


def aggregate(rs):
    """One (buffer, case, package)'s runs -> the table's figures: dropouts and gaps summed over
    rounds, CPU the smallest (the figure noise can only make worse)."""
    an = [r["analysis"] for r in rs]
    return {
        "runs": len(rs),
        "dropouts": (sum(a["dropouts"] for a in an)
                     if all(a.get("dropouts") is not None for a in an) else None),
        "gap_ms": sum(a.get("gap_total_ms", 0.0) for a in an),
        "tone": (sum(a["tone_frames"] for a in an), sum(a["tone_expected"] for a in an)),
        "exact": sum(1 for a in an if a.get("bit_exact")),
        "cpu_ms_per_s": min(r["cpu_ms_per_s"] for r in rs),
        "main": (min(r["loop_rate"] / r["solo_loop_rate"] for r in rs)
                 if rs[0]["busy"] else None),
        "callbacks": (rs[0]["stats"]["callbacks"] if isinstance(rs[0].get("stats"), dict)
                      else rs[0].get("generator_callbacks")),
    }


def run_notes(r, args):
    """Anything odd about one run, as text (empty: nothing)."""
    a = r["analysis"]
    extra = []
    if a.get("dropouts"):
        extra.append("gaps at %s s lasting %s ms%s" % (a["gap_positions_s"], a["gap_lengths_ms"],
                                                     " (first 20)" if a["dropouts"] > 20 else ""))
    if a.get("short_gaps"):
        extra.append("%d shorter silences (%.0f-%.0f ms)" % (a["short_gaps"], SHORT_GAP_MSEC,
                                                            args.gap_msec))
    if not a.get("tone_found"):
        extra.append("NO TONE in the recording (%d frames recorded)" % a["recorded_frames"])
    else:
        if not a.get("dropouts") and not a.get("bit_exact"):
            extra.append("no dropout, but the recorded tone is not the one played, sample for "
                         "sample (span %d frames, expected %d)" % (a["span_frames"],
                                                                   a["tone_expected"]))
        want_rms = args.amplitude / 2 ** 0.5
        if abs(a["rms"] - want_rms) > 0.05:
            extra.append("tone RMS %.3f, expected %.3f" % (a["rms"], want_rms))
    if r["timed_out"]:
        extra.append("TIMED OUT: the device had not finished %.0f s after the stream's end"
                     % r["timeout"])
    if r["running_at_end"] and r["impl"] == "ours":
        extra.append("device.running still True after the stream ended")
    if r["error"]:
        extra.append("error at stop()/close(): " + r["error"])
    if r["callback_error"]:
        extra.append("callback_error " + r["callback_error"])
    return "; ".join(extra)


def main():
    if "--child" in sys.argv[1:]:
        return _child_main(json.loads(sys.argv[sys.argv.index("--child") + 1]))
    import bench_decode as bd  # shared helpers: venv, log, tables, finish()

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0,
                    help="length of the tone per case (default 30; 5 for a quick check)")
    ap.add_argument("--buffersize-msec", default="200,20",
                    help="comma list of PlaybackDevice buffersize_msec values, each a set of cases "
                         "(default 200,20: the package default, and a small buffer that a "
                         "callback waiting for the GIL can miss)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="play every case this many times (default 1); dropouts are summed over "
                         "rounds, CPU is the smallest")
    ap.add_argument("--cases", default=",".join(CASES), help="comma list of: stream, generator")
    ap.add_argument("--rate", type=int, default=48000,
                    help="sample rate of the null sink, the device and the recording (default 48000)")
    ap.add_argument("--channels", type=int, default=2)
    ap.add_argument("--freq", type=float, default=1000.0, help="tone frequency (default 1000 Hz)")
    ap.add_argument("--amplitude", type=float, default=0.5, help="tone amplitude (default 0.5)")
    ap.add_argument("--lead-in", type=float, default=0.5,
                    help="seconds of silence before the tone, in the same stream: PulseAudio drops "
                         "the first few ms a new stream plays (the sink rewinds, the monitor "
                         "cannot), so they had better be silence (default 0.5)")
    ap.add_argument("--tail", type=float, default=1.0,
                    help="seconds of silence after the tone, in the same stream, so a device that "
                         "stops at the end of its stream cannot cut the tone (default 1)")
    ap.add_argument("--generator", choices=["numpy", "python"], default="numpy",
                    help="how the generator case computes its frames: numpy (default; numpy lets "
                         "go of the GIL inside its larger loops) or pure Python into array('h')")
    ap.add_argument("--no-busy-loop", action="store_true",
                    help="the main thread sleeps instead of running the busy loop (to see what "
                         "the machine and the sound server do on their own)")
    ap.add_argument("--gap-msec", type=float, default=GAP_MSEC,
                    help="shortest silence counted as a dropout (default %.0f ms)" % GAP_MSEC)
    ap.add_argument("--ours-python", default=sys.executable,
                    help="interpreter whose `import miniaudio` is 'ours' (default: this one)")
    ap.add_argument("--json", help="also write all figures to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the recordings")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if os.sep in args.ours_python:
        args.ours_python = os.path.abspath(args.ours_python)  # the children run in a temp dir
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not cases or any(c not in CASES for c in cases):
        bd.die("--cases wants a comma list of: %s" % ", ".join(CASES))
    try:
        buffers = [int(b) for b in args.buffersize_msec.split(",") if b.strip()]
    except ValueError:
        buffers = []
    if not buffers or any(b <= 0 for b in buffers):
        bd.die("--buffersize-msec wants a comma list of positive integers")
    log = bd.log

    try:
        import numpy  # noqa: F401  (analysis of the recordings)
    except ImportError:
        bd.die("numpy is needed in this interpreter (pip install numpy)")
    try:
        import pulse_server
    except ImportError as e:
        bd.die("tests/pulse_server.py is needed (%s)" % e)
    reason = pulse_server.pulse_available()
    if reason or not shutil.which("parec"):
        bd.die("PulseAudio is needed: %s" % (reason or "parec not installed (pulseaudio-utils)"))

    t_start = time.time()
    est_py = bd.ensure_established_venv()
    pythons = {"ours": args.ours_python, "1.71": est_py}
    tmpdir = tempfile.mkdtemp(prefix="ma-bench-dev-")
    report, results, notes = [], {"runs": []}, []
    try:
        load0 = os.getloadavg()
        with pulse_server.PulseServer(rate=args.rate, channels=args.channels) as pa:
            log("PulseAudio daemon on %s, sinks %s" % (pa.server, pa.sinks()))
            # Every round plays each (buffer, case) with both packages, alternating which goes first.
            order = []
            for rnd in range(args.rounds):
                for bi, buf in enumerate(buffers):
                    for ci, case in enumerate(cases):
                        impls = IMPLS if (rnd + bi + ci) % 2 == 0 else IMPLS[::-1]
                        order += [(rnd, buf, case, impl) for impl in impls]
            runs = {}
            for i, (rnd, buf, case, impl) in enumerate(order):
                log("[%d/%d] %s, buffersize_msec=%d, %s: %.0f s tone ..."
                    % (i + 1, len(order), case, buf, impl, args.seconds))
                try:
                    r = run_case(args, pa, pythons[impl], impl, case, buf, tmpdir)
                except Exception as e:
                    log("  !! %s" % e)
                    notes.append("!! %s %s buffersize_msec=%d round %d failed: %s"
                                 % (impl, case, buf, rnd + 1, e))
                    if not pa.alive:
                        notes.append("!! the PulseAudio daemon died:\n" + pa.log()[-2000:])
                        break
                    continue
                a = r["analysis"]
                r.update(round=rnd + 1, case=case, impl=impl, buffersize_msec=buf,
                         busy=not args.no_busy_loop, timeout=CHILD_TIMEOUT,
                         cpu_ms_per_s=r["other_threads_cpu_s"] * 1e3 / r["audio_s"])
                log("  dropouts %s, tone %s/%s frames%s, audio threads %.2f ms/s%s%s"
                    % (a.get("dropouts"), a.get("tone_frames"), a["tone_expected"],
                       ", bit-exact" if a.get("bit_exact") else "", r["cpu_ms_per_s"],
                       ", main loop %.0f%%" % (100.0 * r["loop_rate"] / r["solo_loop_rate"])
                       if r["busy"] else "",
                       ", ERROR %s" % r["error"] if r["error"] else ""))
                results["runs"].append(r)
                runs.setdefault((buf, case, impl), []).append(r)

        hello = {}
        for r in results["runs"]:
            hello.setdefault(r["impl"], r)
        report.append("miniaudio device benchmark  (%s, %d CPUs, PulseAudio null sink %d Hz; %.0f s "
                      "tone, %.0f Hz at %.2f, %d ch s16, in a stream with %.1f s silence before "
                      "and %.1f s after; %d round%s)"
                      % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, args.rate,
                         args.seconds, args.freq, args.amplitude, args.channels, args.lead_in,
                         args.tail, args.rounds, "" if args.rounds == 1 else "s"))
        for impl in IMPLS:
            h = hello.get(impl)
            if h:
                report.append("%-5s: %s  (%s, %s)" % (impl, h["miniaudio_file"],
                                                      h["miniaudio_version"], h["python"]))
        ours_file = (hello.get("ours") or {}).get("miniaudio_file") or ""
        if os.path.realpath(ours_file).startswith(os.path.realpath(bd.VENV_DIR) + os.sep):
            notes.append("!! 'ours' is the established 1.71 package from %s (stand-in run): "
                         "its figures are NOT our package's" % bd.VENV_DIR)
        if args.no_busy_loop:
            notes.append("!! --no-busy-loop: the main thread sleeps; this is a baseline run, "
                         "not the benchmark")
        report.append("load average at start: %.2f %.2f %.2f (a busy machine makes every figure "
                      "noisier, and can cause dropouts of its own)" % load0)
        report.extend(notes)
        report.append("")
        report.append("== Dropouts: silences >= %.0f ms inside the tone, recorded by parec from the "
                      "null sink's monitor; audio-thread CPU per second of audio =="
                      % args.gap_msec)
        report.append("stream = device.start(stream_memory(WAV bytes)); generator = a Python "
                      "generator computing each callback's frames with numpy")
        report.append("main thread: a pure-Python busy loop (sum(i*i for i in range(1000)) "
                      "until the stream has ended)%s" % (" -- OFF (--no-busy-loop)"
                                                         if args.no_busy_loop else ""))
        report.append("tone = tone frames recorded / played; exact = runs whose recording is the "
                      "played tone sample for sample")
        report.append("cpu = CPU time of every thread but the main one while playing, ms per "
                      "second of audio (best of runs); main = busy-loop speed while playing / "
                      "without audio")
        headers = ["buffer", "case", "package", "dropouts", "gap ms", "tone", "exact",
                   "cpu ms/s", "ours/1.71", "main", "callbacks",
                   "dropout target", "", "cpu target", ""]
        rows = []
        summary = {}
        for buf in buffers:
            for case in cases:
                agg = {impl: aggregate(runs[(buf, case, impl)]) if runs.get((buf, case, impl))
                       else None for impl in IMPLS}
                o, e = agg["ours"], agg["1.71"]
                ratio = (o["cpu_ms_per_s"] / e["cpu_ms_per_s"]
                         if o and e and e["cpu_ms_per_s"] > 0 else None)
                ok_cpu = ratio < TARGET_CPU_RATIO if ratio is not None else None
                if case == "stream":
                    drop_target = "ours = %d" % TARGET_STREAM_DROPOUTS
                    ok_drop = (o["dropouts"] == TARGET_STREAM_DROPOUTS
                               if o and o["dropouts"] is not None else None)
                else:
                    drop_target = "ours <= 1.71"
                    ok_drop = (o["dropouts"] <= e["dropouts"]
                               if o and e and None not in (o["dropouts"], e["dropouts"]) else None)
                for impl in IMPLS:
                    g = agg[impl]
                    first = impl == IMPLS[0]
                    lead = ["%d ms" % buf, case, impl]
                    if g is None:
                        rows.append(lead + ["failed"] + [""] * (len(headers) - 4))
                        continue
                    rows.append(lead + [
                        "n/a" if g["dropouts"] is None else str(g["dropouts"]),
                        "%.0f" % g["gap_ms"],
                        "%d/%d" % g["tone"],
                        "%d/%d" % (g["exact"], g["runs"]),
                        "%.2f" % g["cpu_ms_per_s"],
                        ("%.3f" % ratio if ratio is not None else "n/a") if first else "",
                        "%.0f%%" % (100 * g["main"]) if g["main"] is not None else "n/a",
                        str(g["callbacks"]) if g["callbacks"] is not None else "",
                        drop_target if first else "", bd.label(ok_drop) if first else "",
                        "ours < 1.71" if first else "", bd.label(ok_cpu) if first else "",
                    ])
                summary["%dms/%s" % (buf, case)] = {"ours": o, "1.71": e, "cpu_ratio": ratio,
                                                    "ok_dropouts": ok_drop, "ok_cpu": ok_cpu}
        bd.print_table(headers, rows, report)
        report.append("targets (from the issue): stream: ours has no dropouts; generator: ours has "
                      "no more than 1.71; both: ours' cpu ms/s below 1.71's")
        report.append("callbacks: ours from device.stats, 1.71 (generator only) counted by the "
                      "generator")
        odd = [(r, run_notes(r, args)) for r in results["runs"]]
        odd = [(r, t) for r, t in odd if t]
        if odd:
            report.append("")
            report.append("Notes per run:")
            for r, t in odd:
                report.append("  %d ms %s %s round %d: %s" % (r["buffersize_msec"], r["case"],
                                                            r["impl"], r["round"], t))
        report.append("")
        report.append("Per run: CPU time and minor page faults of the threads other than main (* = "
                      "started after the device was opened), process CPU minus main thread's, our "
                      "device.stats")
        for r in results["runs"]:
            th = ", ".join("%s%s %.1f ms (%d faults)" % (t["name"], "*" if t["new"] else "",
                                                          t["cpu_s"] * 1e3, t["minflt"])
                           for t in r["threads"] if t["cpu_s"] > 0.0005) or "-"
            report.append("  %3d ms %-9s %-4s r%d: %s; process-main %.1f ms; %.2f s of audio, "
                          "window %.2f s%s; recorder ready after %.2f s"
                          % (r["buffersize_msec"], r["case"], r["impl"], r["round"], th,
                             r["process_minus_main_cpu_s"] * 1e3, r["audio_s"], r["wall_s"],
                             " (run end seen %.2f s after the generator ended)"
                             % r["end_seen_after_s"] if r["end_seen_after_s"] > 0.05 else "",
                             r["recorder_wait_s"]))
            if isinstance(r.get("stats"), dict):
                report.append("         stats: " + ", ".join(
                    "%s=%s" % (k, ("%.6f" % v) if isinstance(v, float) else v)
                    for k, v in r["stats"].items()))
        if results["runs"]:
            report.append("(sources: %s)" % ", ".join(sorted(
                {"%s %s: %s" % (r["impl"], r["case"], r["source_type"])
                 for r in results["runs"]})))
        results["summary"] = summary
    except BaseException:
        bd.finish(args, {}, tmpdir, report, results, t_start)
        raise
    return bd.finish(args, {}, tmpdir, report, results, t_start)


if __name__ == "__main__":
    sys.exit(main())
