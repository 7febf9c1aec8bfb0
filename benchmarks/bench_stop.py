#!/usr/bin/env python3
"""stop() and start() latency of a running PlaybackDevice: our miniaudio vs miniaudio 1.71.

For each backend (NULL, PulseAudio on a private daemon with a null sink: tests/pulse_server.py, and
JACK on a private jackd with the dummy driver: tests/jack_server.py), each buffersize_msec (default
10, 50, 200) and each source, a child process (this script with
--child, under the measured package's interpreter) opens one PlaybackDevice and runs `cycles`
start/stop cycles: start(source), let it play (callbacks counted, or a fixed time), stop().  It
times every start() and every stop() call with time.perf_counter().  Sources:

  generator  a plain Python generator yielding silence (bytes of the frames asked for)
  stream     the package's own stream: stream_memory(<WAV bytes>) (ours: pulled in C without the
             GIL; 1.71: a Python generator over cffi)

Packages:

  ours   `import miniaudio` in the interpreter running this script (--ours-python)
  1.71   miniaudio==1.71 in benchmarks/.venv-established (bench_decode.py's helper makes it)

On JACK the server, not the device, sets the period: for each buffer size a jackd is started whose
period is the power of two of frames nearest to it at 48 kHz (10 ms: 512 frames = 10.7 ms, 50 ms:
2048 = 42.7 ms, 200 ms: 8192 = 170.7 ms), and the device asks for the same buffersize_msec.  JACK 2
ends a client's process thread in jack_deactivate after the server's next cycle, so stop() there
takes up to one period for any package.

Figures: the median and the maximum of the stop() and start() times over the cycles, the ratio of
the medians (ours / 1.71), and the target from the issue: ours' median stop() <= 1.71's + 5 ms on
each backend and buffer size.  Measured, never asserted: the exit status does not depend on the
targets.  The machine is shared; use --cycles 5 while developing, the default 15 for figures.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
for _p in (HERE, TESTS):
    if _p not in sys.path:
        sys.path.insert(0, _p)

IMPLS = ["ours", "1.71"]
SOURCES = ["generator", "stream"]
BACKENDS = ["null", "pulse", "jack"]
TARGET_SLACK_MS = 5.0  # ours' stop() <= 1.71's + 5 ms
RATE = 48000
CHANNELS = 2


def _child_main(cfg):
    """One (backend, buffer, source) case in the interpreter of the package measured.  Prints one
    JSON line: {"stop": [seconds...], "start": [seconds...], "callbacks": [...]}."""
    import miniaudio as ma

    backend = {"null": ma.Backend.NULL, "pulse": ma.Backend.PULSEAUDIO, "jack": ma.Backend.JACK}[cfg["backend"]]
    buf = cfg["buffersize_msec"]
    frame_bytes = 2 * CHANNELS
    counter = [0]

    def silence():
        frames = yield b""
        while True:
            counter[0] += 1
            frames = yield b"\0" * (frames * frame_bytes)

    wav = io.BytesIO()
    with wave.open(wav, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"\0" * (RATE * frame_bytes * 30))
    wav = wav.getvalue()

    dev = ma.PlaybackDevice(ma.SampleFormat.SIGNED16, CHANNELS, RATE, buffersize_msec=buf, backends=[backend])
    stops, starts, seen = [], [], []
    try:
        for _ in range(cfg["cycles"]):
            if cfg["source"] == "generator":
                src = silence()
                next(src)
            else:
                src = ma.stream_memory(wav, ma.SampleFormat.SIGNED16, CHANNELS, RATE)
            counter[0] = 0
            t0 = time.perf_counter()
            dev.start(src)
            starts.append(time.perf_counter() - t0)
            # Let it play: a few callbacks of a generator (at most 5 s), or 3 periods of a stream.
            if cfg["source"] == "generator":
                deadline = time.monotonic() + 5.0
                while counter[0] < 3 and time.monotonic() < deadline:
                    time.sleep(0.002)
            else:
                time.sleep(max(3 * buf, 30) / 1000.0)
            seen.append(counter[0])
            t0 = time.perf_counter()
            dev.stop()
            stops.append(time.perf_counter() - t0)
    finally:
        dev.close()
    print(json.dumps({"stop": stops, "start": starts, "callbacks": seen}), flush=True)


def jack_period(buffersize_msec):
    """The power of two of frames nearest to buffersize_msec at RATE (the jackd period for that case)."""
    frames = buffersize_msec * RATE / 1000.0
    return min((2 ** k for k in range(5, 14)), key=lambda p: abs(p - frames))


def run_case(python, cfg, env, timeout):
    proc = subprocess.run([python, os.path.abspath(__file__), "--child", json.dumps(cfg)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=timeout, cwd=HERE)
    if proc.returncode != 0:
        raise RuntimeError("child failed (%d): %s" % (proc.returncode, proc.stderr[-1500:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ms(x):
    return "%.2f" % (x * 1000.0)


def main():
    if "--child" in sys.argv[1:]:
        return _child_main(json.loads(sys.argv[sys.argv.index("--child") + 1]))
    import bench_decode as bd

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=15, help="start/stop cycles per case (default 15)")
    ap.add_argument("--buffersize-msec", default="10,50,200", help="comma list (default 10,50,200)")
    ap.add_argument("--backends", default="null,pulse,jack", help="comma list of: null, pulse, jack")
    ap.add_argument("--sources", default="generator,stream", help="comma list of: generator, stream")
    ap.add_argument("--ours-python", default=sys.executable,
                    help="interpreter whose `import miniaudio` is 'ours' (default: this one)")
    ap.add_argument("--quick", action="store_true", help="5 cycles per case")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    cycles = 5 if args.quick else args.cycles
    buffers = [int(b) for b in args.buffersize_msec.split(",") if b.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    if any(b not in BACKENDS for b in backends) or any(s not in SOURCES for s in sources):
        bd.die("--backends: null, pulse, jack; --sources: generator, stream")
    log = bd.log
    pythons = {"ours": os.path.abspath(args.ours_python) if os.sep in args.ours_python else args.ours_python,
               "1.71": bd.ensure_established_venv()}
    env_ours = dict(os.environ)
    env_ours["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.join(ROOT, "src"), os.environ.get("PYTHONPATH"))
                                             if p)
    results = []
    pa = jack = None
    if "jack" in backends:
        import jack_server
        reason = jack_server.jack_available()
        if reason:
            log("JACK cases skipped: %s" % reason)
            backends.remove("jack")
    try:
        if "pulse" in backends:
            import pulse_server
            reason = pulse_server.pulse_available()
            if reason:
                log("PulseAudio cases skipped: %s" % reason)
                backends.remove("pulse")
            else:
                pa = pulse_server.PulseServer(rate=RATE, channels=CHANNELS)
                pa.start()
        for backend in backends:
            for buf in buffers:
                if backend == "jack":
                    jack = jack_server.JackServer(rate=RATE, period=jack_period(buf))
                    jack.start()
                    log("jackd %s: period %d frames (%.1f ms)" % (jack.name, jack.period, jack.period * 1000.0 / RATE))
                for i, source in enumerate(sources):
                    row = {"backend": backend, "buffersize_msec": buf, "source": source}
                    order = IMPLS if (buffers.index(buf) + i) % 2 == 0 else IMPLS[::-1]
                    for impl in order:
                        env = dict(env_ours if impl == "ours" else os.environ)
                        if impl != "ours":
                            env.pop("PYTHONPATH", None)
                        if backend == "pulse":
                            env.update(pa.env)
                        if backend == "jack":
                            env.update(jack.env)
                        cfg = {"backend": backend, "buffersize_msec": buf, "source": source, "cycles": cycles}
                        log("%s %d ms %s: %s ..." % (backend, buf, source, impl))
                        try:
                            row[impl] = run_case(pythons[impl], cfg, env, timeout=60 + cycles * (5 + buf / 100.0))
                        except Exception as e:  # report and go on
                            log("  !! %s" % e)
                            row[impl] = None
                    results.append(row)
                if jack is not None:
                    jack.stop()
                    jack = None
    finally:
        if pa is not None:
            pa.stop()
        if jack is not None:
            jack.stop()

    head = "| backend | buffer | source | stop ours med/max ms | stop 1.71 med/max ms | ratio | target (<= 1.71 + 5 ms) " \
           "| start ours med ms | start 1.71 med ms | ratio |"
    print()
    print("stop() and start() latency, %d cycles per case, median/max; %s" % (cycles, time.strftime("%Y-%m-%d %H:%M")))
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for row in results:
        o, e = row.get("ours"), row.get("1.71")
        if not o or not e:
            print("| %s | %d | %s | failed |" % (row["backend"], row["buffersize_msec"], row["source"]))
            continue
        so, se = statistics.median(o["stop"]), statistics.median(e["stop"])
        to, te = statistics.median(o["start"]), statistics.median(e["start"])
        ok = so * 1000.0 <= se * 1000.0 + TARGET_SLACK_MS
        print("| %s | %d ms | %s | %s / %s | %s / %s | %.2fx | %s | %s | %s | %.2fx |" % (
            row["backend"], row["buffersize_msec"], row["source"], ms(so), ms(max(o["stop"])), ms(se),
            ms(max(e["stop"])), so / se if se else float("inf"), "PASS" if ok else "MISS", ms(to), ms(te),
            to / te if te else float("inf")))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
