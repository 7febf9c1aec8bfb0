#!/usr/bin/env python3
"""Mixer benchmark: CPU per audio second of 1, 16 and 64 voices of decoded files, ours vs a numpy
mixing generator on miniaudio 1.71 and on our Python-generator path, and vs pygame.mixer.

Every contender mixes the same material: the stereo and mono sample files in samples/ (WAV, FLAC,
MP3, Ogg Vorbis; voice i plays file i mod 9), decoded once by the controller to 16-bit stereo
44.1 kHz and handed to the children as raw PCM.  Every voice is `--seconds` long (the decoded
1 s files repeated), starts at once, and plays at gain 1/N; the output is 16-bit stereo at 44.1 kHz
with 10 ms periods (441 frames).  The contenders:

  ours mixer        miniaudio.Mixer(PlaybackDevice(backends=[NULL])), voices stream_raw_pcm_memory()
                    of the decoded PCM (the mix is float32 in ma_engine, the device converts to s16)
  ours mixer files  the same, the voices stream_memory() of the files themselves (loop=True,
                    stop_at), so every voice decodes (and the mono 22.05 kHz ones resample) as it plays
  ours offline      miniaudio.Mixer(sample_rate=44100, nchannels=2).render(441) in a loop, no device,
                    the voices as in "ours mixer"
  1.71 numpy gen    miniaudio 1.71's PlaybackDevice(backends=[NULL]).start(gen): a Python generator that
                    sums float32 numpy slices of the decoded arrays per requested frame count, clips,
                    yields int16 (the way 1.71 users hand-write a mixer)
  ours numpy gen    the same generator on our PlaybackDevice(backends=[NULL]).start(gen)
  ours numpy gen pf the same with start(gen, prefetch_msec=100) (the generator on a feeder thread)
  pygame            pygame.mixer with SDL's dummy audio driver (SDL_AUDIODRIVER=dummy),
                    pygame.mixer.Sound of the decoded arrays, one Channel per voice

Each run is a fresh child process under its package's interpreter (ours: the one running this
script; 1.71: benchmarks/.venv-established; pygame: benchmarks/.venv-peers).  The child loads the
material, opens its device and makes its sounds, then measures the process's CPU time
(time.process_time(), every thread) from the moment it starts the voices until the last one has
ended; the figure is that CPU time per second of audio (ms/s).  The NULL and dummy backends pull
audio in real time, so a run lasts about `--seconds` of wall time (the wall/audio column shows it);
the offline render runs as fast as it can.  Rounds are interleaved (every case once per round, the
order rotating) and the figure is the median over rounds.

Target (the issue's): ours (the mixer on a device) at 64 voices costs less CPU per audio second
than 1.71's numpy generator at 4 voices.  This is a measuring script, not a test: the target is
printed with PASS/MISS and the exit status does not depend on it.  See benchmarks/README.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

RATE = 44100
CHANNELS = 2
PERIOD_MSEC = 10
PERIOD_FRAMES = RATE * PERIOD_MSEC // 1000      # 441: 10 ms exactly, for every contender
PREFETCH_MSEC = 100
SAMPLES = ["tone_s16.wav", "tone_16.flac", "tone_24.flac", "tone.mp3", "tone.ogg",
           "mono_s16.wav", "mono.flac", "mono.mp3", "mono.ogg"]

# (key, label, interpreter kind)
CONTENDERS = [
    ("mixer", "ours mixer (NULL device)", "ours"),
    ("mixer-files", "ours mixer, file voices", "ours"),
    ("offline", "ours mixer offline render", "ours"),
    ("gen171", "1.71 numpy generator", "1.71"),
    ("gen", "ours numpy generator", "ours"),
    ("gen-pf", "ours numpy gen, prefetch", "ours"),
    ("pygame", "pygame.mixer (SDL dummy)", "pygame"),
]
LABELS = {k: lab for k, lab, _ in CONTENDERS}
REF = ("gen171", 4)          # the issue's yardstick: 1.71's numpy generator at 4 voices
TARGET = ("mixer", 64)       # must cost less than REF


# --------------------------------------------------------------------------
# Child: one run.  Prints one JSON line on stdout.
# --------------------------------------------------------------------------

def _load_material(cfg):
    """The decoded material as int16 arrays (frames, 2), each repeated to the run's length."""
    import numpy as np
    n = int(round(cfg["seconds"] * RATE))
    out = []
    for path in cfg["raw"]:
        a = np.fromfile(path, dtype="<i2").reshape(-1, CHANNELS)
        reps = -(-n // len(a))
        out.append(np.ascontiguousarray(np.tile(a, (reps, 1))[:n]))
    return out, n


def numpy_mixing_generator(arrays, total, done):
    """A hand-written mixer as 1.71 users write one: sum float32 slices of the decoded voices per
    requested frame count, clip, yield int16 frames."""
    import numpy as np
    pos = 0
    frames = yield b""
    while pos < total:
        k = min(frames, total - pos)
        mix = np.zeros((k, CHANNELS), dtype=np.float32)
        for arr, gain in arrays:
            mix += arr[pos:pos + k] * gain
        pos += k
        np.clip(mix, -1.0, 1.0, out=mix)
        frames = yield (mix * 32767.0).astype(np.int16)
    done.append(time.perf_counter())


def _child_main(cfg):
    proto = sys.stdout
    sys.stdout = sys.stderr
    import numpy as np

    kind, nvoices = cfg["contender"], cfg["voices"]
    material, total = _load_material(cfg)
    gain = 1.0 / nvoices
    voice_pcm = [material[i % len(material)] for i in range(nvoices)]
    info = {"voices": nvoices, "contender": kind}
    timeout = cfg["seconds"] * 4 + 10

    if kind in ("mixer", "mixer-files", "offline", "gen", "gen-pf", "gen171"):
        import miniaudio as ma
        info["package"] = "miniaudio %s" % getattr(ma, "__version__", "?")

    if kind in ("gen", "gen-pf", "gen171"):
        floats = [(a.astype(np.float32) / 32768.0, gain) for a in material]
        arrays = [floats[i % len(floats)] for i in range(nvoices)]
        done = []
        gen = numpy_mixing_generator(arrays, total, done)
        next(gen)
        dev = ma.PlaybackDevice(output_format=ma.SampleFormat.SIGNED16, nchannels=CHANNELS, sample_rate=RATE,
                                buffersize_msec=PERIOD_MSEC, backends=[ma.Backend.NULL])
        info["backend"] = dev.backend
        c0, t0 = time.process_time(), time.perf_counter()
        if kind == "gen-pf":
            dev.start(gen, prefetch_msec=PREFETCH_MSEC)
        else:
            dev.start(gen)
        # The end: 1.71 drops its generator when it stops; ours stops running (after the prefetch
        # ring has played out, for gen-pf).
        ended = (lambda: dev.callback_generator is None) if kind == "gen171" else (lambda: not dev.running)
        while not ended():
            if time.perf_counter() - t0 > timeout:
                info["error"] = "timed out: the generator did not finish"
                break
            time.sleep(0.002)
        c1, t1 = time.process_time(), time.perf_counter()
        stats = getattr(dev, "stats", None)
        if stats is not None and hasattr(stats, "_asdict"):
            info["stats"] = {k: v for k, v in stats._asdict().items() if isinstance(v, (int, float))}
        dev.stop()
        dev.close()
    elif kind in ("mixer", "mixer-files", "offline"):
        if kind == "mixer-files":
            # Each voice decodes its file as it plays, at the file's own channel count and rate:
            # the mixer converts (the mono 22.05 kHz files are resampled per voice).
            blobs = []
            for path in cfg["files"]:
                with open(path, "rb") as f:
                    fi = ma.get_file_info(path)
                    blobs.append((f.read(), fi.nchannels, fi.sample_rate))
            sources = []
            for i in range(nvoices):
                data, nch, rate = blobs[i % len(blobs)]
                sources.append(ma.stream_memory(data, output_format=ma.SampleFormat.FLOAT32, nchannels=nch,
                                                sample_rate=rate))
        else:
            sources = [ma.stream_raw_pcm_memory(p, nchannels=CHANNELS, sample_width=2) for p in voice_pcm]
        if kind == "offline":
            dev = None
            mixer = ma.Mixer(sample_rate=RATE, nchannels=CHANNELS)
        else:
            dev = ma.PlaybackDevice(output_format=ma.SampleFormat.SIGNED16, nchannels=CHANNELS, sample_rate=RATE,
                                    buffersize_msec=PERIOD_MSEC, backends=[ma.Backend.NULL])
            info["backend"] = dev.backend
            mixer = ma.Mixer(dev)
        loop = kind == "mixer-files"
        c0, t0 = time.process_time(), time.perf_counter()
        start = mixer.time
        voices = [mixer.play(s, volume=gain, loop=loop, start_at=start,
                             stop_at=start + total if loop else None) for s in sources]
        if dev is None:
            rendered = 0
            while rendered < total + PERIOD_FRAMES:
                mixer.render(PERIOD_FRAMES)
                rendered += PERIOD_FRAMES
            if not all(v.finished for v in voices):
                info["error"] = "voices not finished after the render"
        else:
            deadline = t0 + timeout
            for v in voices:
                if not v.wait(max(0.0, deadline - time.perf_counter())):
                    info["error"] = "timed out waiting for the voices"
                    break
        c1, t1 = time.process_time(), time.perf_counter()
        info["mixer_time_s"] = mixer.time / RATE
        if dev is not None:
            stats = getattr(dev, "stats", None)
            if stats is not None and hasattr(stats, "_asdict"):
                info["stats"] = {k: v for k, v in stats._asdict().items() if isinstance(v, (int, float))}
        mixer.close()
        if dev is not None:
            dev.close()
    elif kind == "pygame":
        os.environ["SDL_AUDIODRIVER"] = "dummy"
        os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
        import pygame
        pygame.mixer.pre_init(RATE, -16, CHANNELS, PERIOD_FRAMES)
        pygame.mixer.init()
        got = pygame.mixer.get_init()
        info["package"] = "pygame %s, SDL %s, SDL_mixer %s, driver %s, mixer %s" % (
            pygame.version.ver, ".".join(map(str, pygame.get_sdl_version())),
            ".".join(map(str, pygame.mixer.get_sdl_mixer_version())),
            os.environ.get("SDL_AUDIODRIVER"), got)
        if got is None or tuple(got[:3]) != (RATE, -16, CHANNELS):
            info["error"] = "pygame.mixer opened %r, not (%d, -16, %d)" % (got, RATE, CHANNELS)
        pygame.mixer.set_num_channels(max(8, nvoices))
        sounds = [pygame.sndarray.make_sound(a) for a in material]
        channels = [pygame.mixer.Channel(i) for i in range(nvoices)]
        c0, t0 = time.process_time(), time.perf_counter()
        for i, ch in enumerate(channels):
            ch.set_volume(gain)
            ch.play(sounds[i % len(sounds)])
        while pygame.mixer.get_busy():
            if time.perf_counter() - t0 > timeout:
                info["error"] = "timed out: the channels did not finish"
                break
            time.sleep(0.002)
        c1, t1 = time.process_time(), time.perf_counter()
        pygame.mixer.quit()
    else:
        raise SystemExit("unknown contender %r" % kind)

    info.update(cpu_s=c1 - c0, wall_s=t1 - t0, audio_s=total / RATE)
    proto.write(json.dumps(info) + "\n")
    proto.flush()
    return 0


# --------------------------------------------------------------------------
# Controller
# --------------------------------------------------------------------------

def log(*a):
    print(*a, file=sys.stderr, flush=True)


def make_material(tmpdir):
    """Decode every sample file once with our package to s16 stereo 44.1 kHz raw PCM."""
    import miniaudio as ma
    raws, files = [], []
    for name in SAMPLES:
        path = os.path.join(ROOT, "samples", name)
        dec = ma.decode_file(path, output_format=ma.SampleFormat.SIGNED16, nchannels=CHANNELS, sample_rate=RATE)
        raw = os.path.join(tmpdir, name + ".raw")
        with open(raw, "wb") as f:
            f.write(dec.samples.tobytes())
        raws.append(raw)
        files.append(path)
    return raws, files


def child_env(python, ours_python):
    env = dict(os.environ)
    # numpy's OpenBLAS starts threads that spin (sched_yield) for a while before they sleep; that
    # would land in the first run seconds of whoever imports numpy.  Nobody here calls BLAS.
    env["OPENBLAS_NUM_THREADS"] = "1"
    if python != ours_python:
        env.pop("PYTHONPATH", None)   # PYTHONPATH=src would turn 1.71 into ours
    return env


def run_case(args, python, contender, nvoices, raws, files):
    cfg = {"contender": contender, "voices": nvoices, "seconds": args.seconds, "raw": raws, "files": files}
    proc = subprocess.run([python, os.path.abspath(__file__), "--child", json.dumps(cfg)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=child_env(python, sys.executable), timeout=args.seconds * 6 + 60)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError("child exited %d: %s" % (proc.returncode, proc.stderr.strip()[-800:]))
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 s per run, one round")
    ap.add_argument("--seconds", type=float, help="audio per run (default 10, --quick 3)")
    ap.add_argument("--repeat", type=int, help="interleaved rounds; the figure is the median (default 3, --quick 1)")
    ap.add_argument("--voices", default="1,16,64", help="voice counts for every contender (default 1,16,64; "
                    "1.71's generator also runs at 4, the yardstick)")
    ap.add_argument("--contenders", help="a subset, comma-separated: " + ",".join(k for k, _, _ in CONTENDERS))
    ap.add_argument("--established-python", default=None,
                    help="interpreter with miniaudio==1.71 and numpy (default: bench_decode.py's venv, made on "
                    "first use)")
    ap.add_argument("--peers-python", default=os.path.join(HERE, ".venv-peers", "bin", "python"),
                    help="interpreter with pygame and numpy (default benchmarks/.venv-peers)")
    ap.add_argument("--json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child_main(json.loads(args.child))
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    args.repeat = args.repeat or (1 if args.quick else 3)
    counts = sorted({int(x) for x in args.voices.split(",") if x.strip()})

    import bench_decode as bd
    import miniaudio as ma

    pythons = {"ours": sys.executable,
               "1.71": args.established_python or bd.ensure_established_venv(),
               "pygame": args.peers_python}
    notes = []
    if not os.path.exists(pythons["pygame"]) or subprocess.run(
            [pythons["pygame"], "-c", "import pygame, numpy"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=child_env(pythons["pygame"], sys.executable)).returncode != 0:
        notes.append("!! no pygame (with numpy) in %s: the pygame row is missing (install it with that venv's "
                     "pip, see benchmarks/README.md)" % pythons["pygame"])
        pythons["pygame"] = None
    wanted = [c.strip() for c in args.contenders.split(",")] if args.contenders else [k for k, _, _ in CONTENDERS]
    unknown = sorted(set(wanted) - set(LABELS))
    if unknown:
        bd.die("unknown contender(s) %s; choose from %s" % (", ".join(unknown), ", ".join(LABELS)))
    cases = []
    for key, _, impl in CONTENDERS:
        if key not in wanted or pythons[impl] is None:
            continue
        ns = set(counts) | ({REF[1]} if key == REF[0] else set())
        cases.extend((key, impl, n) for n in sorted(ns))

    tmpdir = tempfile.mkdtemp(prefix="ma-bench-mixer-")
    raws, files = make_material(tmpdir)
    load0 = os.getloadavg()
    t_start = time.time()
    runs = {}
    failures = {}
    for rnd in range(args.repeat):
        shift = (rnd * 3) % len(cases)
        order = cases[shift:] + cases[:shift]
        for key, impl, n in order:
            log("[round %d/%d] %s, %d voice%s ..." % (rnd + 1, args.repeat, LABELS[key], n, "" if n == 1 else "s"))
            try:
                r = run_case(args, pythons[impl], key, n, raws, files)
            except Exception as e:  # reported, not hidden
                log("  !! %s" % e)
                failures.setdefault((key, n), []).append(str(e))
                continue
            r["cpu_ms_per_s"] = r["cpu_s"] * 1e3 / r["audio_s"]
            r["round"] = rnd + 1
            log("  cpu %.2f ms per audio second, wall/audio %.3f%s" % (
                r["cpu_ms_per_s"], r["wall_s"] / r["audio_s"], ", ERROR " + r["error"] if r.get("error") else ""))
            runs.setdefault((key, n), []).append(r)
    for f in os.listdir(tmpdir):
        os.remove(os.path.join(tmpdir, f))
    os.rmdir(tmpdir)

    def med(key, n):
        rs = [r for r in runs.get((key, n), []) if not r.get("error")]
        return statistics.median(r["cpu_ms_per_s"] for r in rs) if rs else None

    ref = med(*REF)
    report = []
    report.append("mixer benchmark (%s, %d CPUs; %.0f s of audio per run, s16 stereo %d Hz, %d ms periods; "
                  "%d round%s, median)" % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, args.seconds,
                                           RATE, PERIOD_MSEC, args.repeat, "" if args.repeat == 1 else "s"))
    report.append("load average at start: %.2f %.2f %.2f" % load0)
    report.append("material: %s, decoded to s16 stereo %d Hz (voice i plays file i mod %d), gain 1/N per voice"
                  % (", ".join(SAMPLES), RATE, len(SAMPLES)))
    for key, label, _ in CONTENDERS:
        rs = [r for (k, _), rr in sorted(runs.items()) if k == key for r in rr]
        if rs and rs[0].get("package"):
            report.append("  %-28s %s%s" % (label, rs[0]["package"], " (%s backend)" % rs[0]["backend"]
                                            if rs[0].get("backend") else ""))
    if pythons["1.71"] and ma.__version__ == "1.71":
        notes.append("!! 'ours' imports miniaudio 1.71: the ours rows are not this package")
    report.extend(notes)
    report.append("")
    all_counts = sorted({n for _, _, n in cases})
    headers = ["contender"] + ["%d voice%s" % (n, "" if n == 1 else "s") for n in all_counts] + \
        ["per extra voice", "64 / 1.71@4" if 64 in all_counts else "", "wall/audio"]
    rows = []
    for key, label, impl in CONTENDERS:
        if not any(k == key for k, _, _ in cases):
            continue
        row = [label]
        for n in all_counts:
            m = med(key, n)
            if (key, n) not in {(k, c) for k, _, c in cases}:
                row.append("")
            elif m is None:
                row.append("failed" if (key, n) in failures or runs.get((key, n)) else "n/a")
            else:
                row.append("%.2f" % m)
        m64 = med(key, 64)
        lo, hi = min(all_counts), max(all_counts)
        mlo, mhi = med(key, lo), med(key, hi)
        row.append("%.3f" % ((mhi - mlo) / (hi - lo)) if mlo is not None and mhi is not None and hi > lo else "")
        row.append("%.3f" % (m64 / ref) if m64 is not None and ref else "")
        walls = [r["wall_s"] / r["audio_s"] for (k, _), rs in runs.items() if k == key for r in rs]
        row.append("%.2f-%.2f" % (min(walls), max(walls)) if walls else "")
        rows.append(row)
    bd.print_table(headers, rows, report)
    report.append("figures: process CPU ms per second of audio (every thread), median of the rounds; per extra "
                  "voice: the slope from the fewest to the most voices; wall/audio: the runs' wall time over "
                  "their audio (1.00: real time)")
    if ref:
        report.append("1.71's numpy generator at %d voices: %.2f ms/s (the yardstick)" % (REF[1], ref))
        tgt = med(*TARGET)
        if tgt is not None:
            report.append("target: ours mixer at %d voices (%.2f ms/s) under 1.71 at %d voices: %.2fx -> %s"
                          % (TARGET[1], tgt, REF[1], tgt / ref, "PASS" if tgt < ref else "MISS"))
    odd = []
    for (key, n), rs in sorted(runs.items()):
        for r in rs:
            st = r.get("stats") or {}
            bits = []
            if r.get("error"):
                bits.append("ERROR " + r["error"])
            for k in ("underflows", "late_callbacks"):
                if st.get(k):
                    bits.append("%s %d" % (k, st[k]))
            if key != "offline" and not 0.8 < r["wall_s"] / r["audio_s"] < 1.25:
                bits.append("wall/audio %.2f: not real time" % (r["wall_s"] / r["audio_s"]))
            if bits:
                odd.append("  %s, %d voices, round %d: %s" % (LABELS[key], n, r["round"], "; ".join(bits)))
    for (key, n), errs in sorted(failures.items()):
        for e in errs:
            odd.append("  %s, %d voices: FAILED: %s" % (LABELS[key], n, e.splitlines()[-1] if e else "?"))
    if odd:
        report.append("")
        report.append("Notes per run:")
        report.extend(odd)
    report.append("")
    report.append("load average at end: %.2f %.2f %.2f; total benchmark time %.0f s"
                  % (os.getloadavg() + (time.time() - t_start,)))
    print("\n".join(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cases": {"%s/%d" % k: v for k, v in runs.items()},
                       "failures": {"%s/%d" % k: v for k, v in failures.items()},
                       "load_start": load0, "seconds": args.seconds, "repeat": args.repeat}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
