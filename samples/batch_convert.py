"""Convert a folder tree of audio files (WAV, FLAC, MP3, Ogg Vorbis) to WAV, in parallel.

The way datasets are prepared for machine learning: every file to one rate, channel count and
sample format (default 16 kHz mono 16-bit), the folder layout kept.  It runs on the cores of this
machine (processes by default, or threads: decoding releases the GIL) or on a Dask distributed
cluster (``--scheduler tcp://host:8786``).  It can be stopped and started again: a file whose
output exists, is a valid WAV of the asked format and is newer than its input is skipped.  A file
that fails to decode is reported and the batch goes on; the summary at the end lists the failures,
and the exit status is 1 if there were any.

    python samples/batch_convert.py corpus/ corpus16k/
    python samples/batch_convert.py corpus/ corpus16k/ --rate 22050 --channels 2 --format f32
    python samples/batch_convert.py corpus/ corpus16k/ --scheduler tcp://10.0.0.5:8786
"""

import argparse
import concurrent.futures
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

import miniaudio

EXTENSIONS = {".wav", ".wave", ".flac", ".mp3", ".ogg", ".oga"}
FORMATS = {"u8": miniaudio.SampleFormat.UNSIGNED8, "s16": miniaudio.SampleFormat.SIGNED16,
           "s32": miniaudio.SampleFormat.SIGNED32, "f32": miniaudio.SampleFormat.FLOAT32}


def find_jobs(src_root: str, dst_root: str) -> List[Tuple[str, str]]:
    """[(input path, output path)] for every audio file under src_root, in a stable order.  The
    output is the input's path under dst_root with .wav for its extension; where two inputs would
    meet there (song.mp3 and song.flac) both keep their extension (song.mp3.wav, song.flac.wav)."""
    rels = []
    for folder, dirs, files in os.walk(src_root):
        dirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in EXTENSIONS:
                rels.append(os.path.relpath(os.path.join(folder, name), src_root))
    stems: Dict[str, int] = {}
    for rel in rels:
        stem = os.path.splitext(rel)[0]
        stems[stem] = stems.get(stem, 0) + 1
    jobs = []
    for rel in rels:
        stem = os.path.splitext(rel)[0]
        out = (stem if stems[stem] == 1 else rel) + ".wav"
        jobs.append((os.path.join(src_root, rel), os.path.join(dst_root, out)))
    return jobs


def is_done(src: str, dst: str, rate: int, channels: int, fmt: miniaudio.SampleFormat) -> bool:
    """The output exists, is newer than the input and is a complete WAV of the asked format."""
    try:
        if os.path.getmtime(dst) < os.path.getmtime(src):
            return False
        with open(dst, "rb") as f:
            head = f.read(12)
        info = miniaudio.wav_get_file_info(dst)
    except (OSError, miniaudio.MiniaudioError):
        return False
    # Complete: the RIFF size the writer put in the header is the file's size (a copy cut short
    # by a crash or a full disk is smaller).
    riff_size = int.from_bytes(head[4:8], "little") if head[:4] == b"RIFF" else -1
    return (riff_size + 8 == os.path.getsize(dst) and info.sample_rate == rate and info.nchannels == channels
            and info.sample_format == fmt and info.num_frames > 0)


Result = Tuple[str, str, float, Optional[str]]


def convert_one(src: str, dst: str, rate: int, channels: int, fmt: miniaudio.SampleFormat) -> Result:
    """Converts one file; runs in a worker (a process, a thread, or a Dask worker).  Returns
    (src, "converted" / "skipped" / "failed", seconds of audio, error message or None)."""
    try:
        if is_done(src, dst, rate, channels, fmt):
            return src, "skipped", 0.0, None
        sound = miniaudio.decode_file(src, output_format=fmt, nchannels=channels, sample_rate=rate)
        if sound.num_frames == 0:
            raise miniaudio.DecodeError("no audio frames decoded")
        os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
        part = dst + ".part"  # written aside, then renamed: a half-written output never looks done
        miniaudio.wav_write_file(part, sound)
        os.replace(part, dst)
        return src, "converted", sound.duration, None
    except Exception as exc:  # one bad file must not stop the batch
        return src, "failed", 0.0, "%s: %s" % (type(exc).__name__, exc)


class Progress:
    """tqdm when it is installed, else a line on stderr now and then."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled, self.last = total, 0, enabled, 0.0
        self.bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm  # type: ignore[import-untyped]
                self.bar = tqdm(total=total, unit="file", file=sys.stderr)
            except ImportError:
                pass

    def step(self, failed: int) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            if failed:
                self.bar.set_postfix(failed=failed)
        elif self.enabled and (time.monotonic() - self.last > 1.0 or self.done == self.total):
            self.last = time.monotonic()
            print("%d/%d files (%d failed)" % (self.done, self.total, failed), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_local(jobs: List[Tuple[str, str]], args: argparse.Namespace, progress: Progress,
              results: List[Result]) -> None:
    pool: concurrent.futures.Executor
    if args.threads:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    else:
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs)
    with pool:
        futures = [pool.submit(convert_one, src, dst, args.rate, args.channels, FORMATS[args.format])
                   for src, dst in jobs]
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
            progress.step(sum(r[1] == "failed" for r in results))


def run_dask(jobs: List[Tuple[str, str]], args: argparse.Namespace, progress: Progress,
             results: List[Result]) -> None:
    import importlib
    distributed: Any = importlib.import_module("distributed")  # Dask's, installed where it is used
    Client, as_completed = distributed.Client, distributed.as_completed
    with Client(args.scheduler) as client:
        futures = client.map(convert_one, [s for s, _ in jobs], [d for _, d in jobs], rate=args.rate,
                             channels=args.channels, fmt=FORMATS[args.format], pure=False)
        for future in as_completed(futures):
            results.append(future.result())
            progress.step(sum(r[1] == "failed" for r in results))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Convert a folder tree of audio files to WAV, in parallel.")
    parser.add_argument("src", help="the folder to convert (searched recursively)")
    parser.add_argument("dst", help="where the WAV files go (the same layout)")
    parser.add_argument("--rate", type=int, default=16000, help="sample rate in Hz (default 16000)")
    parser.add_argument("--channels", type=int, default=1, help="channels (default 1)")
    parser.add_argument("--format", choices=FORMATS, default="s16", help="sample format (default s16)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="local workers (default: the cores)")
    parser.add_argument("--threads", action="store_true", help="local threads instead of processes")
    parser.add_argument("--scheduler", help="a Dask distributed scheduler's address: run the batch there")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    jobs = find_jobs(args.src, args.dst)
    progress = Progress(len(jobs), not args.no_progress)
    results: List[Result] = []
    start = time.monotonic()
    try:
        if args.scheduler:
            run_dask(jobs, args, progress, results)
        else:
            run_local(jobs, args, progress, results)
    finally:
        progress.close()
    elapsed = time.monotonic() - start
    counts = {k: sum(r[1] == k for r in results) for k in ("converted", "skipped", "failed")}
    audio = sum(r[2] for r in results)
    print("%d files: %d converted, %d skipped (done before), %d failed; %.1f s of audio in %.1f s (%.0fx real time)"
          % (len(results), counts["converted"], counts["skipped"], counts["failed"], audio, elapsed,
             audio / elapsed if elapsed > 0 else 0.0))
    for src, status, _, error in sorted(results):
        if status == "failed":
            print("FAILED %s: %s" % (src, error))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
