"""Decoding and converting a corpus: one thread, threads, processes and a Dask LocalCluster.

Decoding releases the GIL, so threads should scale with the cores; this prints the throughput
(seconds of audio decoded per second) of each way side by side, in one run, over the same corpus,
and the ratio of 2 threads to 1 thread (target: >= 1.9 on 2 cores).  The corpus is made here with
ffmpeg: FLAC, MP3, Ogg Vorbis and WAV files of music-like noise, 44.1 kHz stereo.

    python benchmarks/bench_corpus.py            # 48 files of 10 s
    python benchmarks/bench_corpus.py --quick    # 16 files of 5 s
    python benchmarks/bench_corpus.py --convert  # also the full conversion to 16 kHz mono WAV
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time

import miniaudio

KINDS = [("flac", []), ("mp3", ["-b:a", "192k"]), ("ogg", ["-c:a", "libvorbis", "-q:a", "5"]), ("wav", [])]


def make_corpus(folder, files, seconds):
    paths = []
    for i in range(files):
        ext, codec = KINDS[i % len(KINDS)]
        path = os.path.join(folder, "f%03d.%s" % (i, ext))
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "anoisesrc=color=pink:amplitude=0.3:seed=%d:sample_rate=44100:duration=%g" % (i, seconds),
                        "-ac", "2"] + codec + [path], check=True)
        paths.append(path)
    return paths


def decode_one(path):
    sound = miniaudio.decode_file(path, output_format=miniaudio.SampleFormat.FLOAT32)
    return sound.duration


def convert_one(path):
    sound = miniaudio.decode_file(path, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1,
                                  sample_rate=16000)
    out = path + ".16k.wav"
    miniaudio.wav_write_file(out, sound)
    os.remove(out)
    return sound.duration


def timed(fn, paths, how, workers):
    start = time.perf_counter()
    if how == "serial":
        audio = sum(fn(p) for p in paths)
    elif how in ("threads", "processes"):
        cls = concurrent.futures.ThreadPoolExecutor if how == "threads" else concurrent.futures.ProcessPoolExecutor
        with cls(max_workers=workers) as pool:
            audio = sum(pool.map(fn, paths, chunksize=1 if how == "threads" else 2))
    else:
        raise ValueError(how)
    return audio, time.perf_counter() - start


def timed_dask(fn, paths, client):
    start = time.perf_counter()
    audio = sum(client.gather(client.map(fn, paths, pure=False)))
    return audio, time.perf_counter() - start


def best(runs):
    """The fastest of the repetitions (least disturbed by the machine's other work)."""
    return max(runs, key=lambda r: r[0] / r[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--convert", action="store_true", help="also convert to 16 kHz mono WAV")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files, seconds = (16, 5.0) if args.quick else (48, 10.0)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        paths = make_corpus(folder, files, seconds)
        for fn in [decode_one] + ([convert_one] if args.convert else []):
            fn(paths[0])  # warm the page cache and the imports
            rows = []
            ways = [("serial", 1), ("threads", 2)] + ([("threads", cores)] if cores != 2 else []) + [
                ("processes", cores)]
            for how, workers in ways:
                audio, took = best([timed(fn, paths, how, workers) for _ in range(args.repeat)])
                rows.append(("%s x%d" % (how, workers), audio, took))
            try:
                import distributed
            except ImportError:
                rows.append(("dask: not installed", 0.0, 0.0))
            else:
                with distributed.LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=None,
                                              silence_logs=40) as cluster, distributed.Client(cluster) as client:
                    client.gather(client.map(fn, paths[:cores], pure=False))  # warm the workers
                    audio, took = best([timed_dask(fn, paths, client) for _ in range(args.repeat)])
                rows.append(("dask LocalCluster x%d" % cores, audio, took))
            base = rows[0][1] / rows[0][2]
            print("%s: %d files, %.0f s of audio, %d cores, load %s" % (
                fn.__name__, files, rows[0][1], cores, " ".join("%.2f" % x for x in os.getloadavg())))
            print("  %-24s %12s %10s" % ("way", "x real time", "vs 1 thread"))
            for name, audio, took in rows:
                if took:
                    print("  %-24s %12.0f %9.2fx" % (name, audio / took, audio / took / base))
                else:
                    print("  %-24s" % name)
            two = [r for r in rows if r[0] == "threads x2"]
            if two:
                print("  2 threads / 1 thread: %.2f (target >= 1.9 on 2 cores)" % (two[0][1] / two[0][2] / base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
