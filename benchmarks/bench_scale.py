"""Coding and theme discovery of 1,000,000 comments in batches, on one worker and on two.

Data: the NHS Friends and Family Test comments (see common.FFT_SOURCE), repeated to
1,000,000 with light perturbation and written to a CSV file on disk, which every worker
streams a batch at a time. Heard's coder (ThemeCoder, with two folds for its thresholds) is
trained on the coded file; theme discovery (ThemeDiscovery) is fitted on a bounded sample and then
places every comment (ThemeDiscovery.predict_batches).

Each run starts its worker processes fresh (spawned, so each loads the models from disk and
its memory is its own); worker i of W takes batches i, i + W, i + 2W, ... . Throughput is
comments over the wall-clock time from the moment every worker is ready to the last result.
Peak memory is the largest total resident memory of this process and its children,
sampled every 0.1 s, and never less than this process's own peak plus each worker's peak.

Peer baseline: scikit-learn's recipe for text that does not fit in memory, a
HashingVectorizer (word 1- and 2-grams, 2**20 features, so there is no vocabulary to hold)
with TF-IDF weights and one SGDClassifier (logistic loss) per theme, trained on the same
file and coding the same batches in the same kind of workers.

Targets: peak memory <= 2 GB; coding >= 5,000 comments a second per worker (the one-worker
run); every comment coded and placed exactly once; two workers give the same results as one.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import joblib
import numpy as np
from common import (
    FFT_SOURCE,
    load_average,
    load_fft,
    peak_memory_mb,
    perturbed,
    ratio,
    timer,
    verdict,
)
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from analysis.batches import batched
from analysis.coder import ThemeCoder
from analysis.discovery import ThemeDiscovery

SEED = 42
TARGET_PEAK_MB = 2048
TARGET_PER_WORKER = 5_000
KINDS = ("Heard coding", "Heard discovery", "peer coding")


@dataclass(frozen=True)
class Task:
    """What one worker does: which model, which file, and its share of the batches."""

    kind: str
    model: Path
    comments: Path
    worker: int
    workers: int
    limit: int
    batch: int


@dataclass
class Result:
    """What one worker did: its counts per batch (by batch number), time and memory."""

    worker: int
    comments: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    counts: dict[int, list[int]] = field(default_factory=dict)
    loaded_mb: float = 0.0
    first_batch_mb: float = 0.0
    peak_mb: float = 0.0


def read_comments(task: Task) -> Iterator[str]:
    """This worker's comments, streamed from the file: its batches of the first `limit`."""
    with task.comments.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        next(rows)  # the heading
        texts = (row[0] for row in islice(rows, task.limit))
        for number, batch in enumerate(batched(texts, task.batch)):
            if number % task.workers == task.worker:
                yield from batch


def work(task: Task, ready, results) -> None:
    """A worker process: load the model, wait for the others, then do its batches."""
    model = joblib.load(task.model)
    model.predict(["warm up the lemma tables"])  # loaded once, before the clock starts
    if task.kind.startswith("Heard"):
        stream = model.predict_batches
    else:

        def stream(texts, batch_size):
            return (model.predict(batch) for batch in batched(texts, batch_size))

    result = Result(worker=task.worker, loaded_mb=high_water_mb())
    ready.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for j, output in enumerate(stream(read_comments(task), task.batch)):
        number = task.worker + j * task.workers
        if task.kind == "Heard discovery":  # theme sizes, "other" (-1) first
            result.counts[number] = np.bincount(output + 1).tolist()
        else:  # comments given each theme
            result.counts[number] = np.asarray(output).sum(axis=0).astype(int).tolist()
        result.comments += len(output)
        if j == 0:
            result.first_batch_mb = high_water_mb()
    result.seconds = time.perf_counter() - started
    result.cpu = time.process_time() - cpu
    result.peak_mb = high_water_mb()
    results.put(result)


class MemorySampler(threading.Thread):
    """Sample the resident memory of this process and all its children, every 0.1 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.own_mb = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            own = resident_mb(os.getpid())
            self.own_mb = max(self.own_mb, own)
            self.peak_mb = max(self.peak_mb, own + sum(map(resident_mb, descendants())))


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its highest (VmHWM), in MB; Linux only."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass  # it ended while we looked
    return 0.0


def high_water_mb() -> float:
    """This process's peak resident memory. (getrusage would report the parent's peak in a
    spawned worker, because Linux carries it over from the fork.)"""
    return resident_mb(os.getpid(), "VmHWM")


def descendants() -> list[int]:
    """Every process below this one (workers, and multiprocessing's resource tracker)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [os.getpid()]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@dataclass
class Run:
    """All the workers of one run, merged."""

    kind: str
    workers: int
    wall: float
    results: list[Result]
    bound_mb: float

    @property
    def comments(self) -> int:
        return sum(r.comments for r in self.results)

    @property
    def rate(self) -> float:
        return self.comments / self.wall

    @property
    def per_worker(self) -> float:
        """The slowest worker's comments a second."""
        return min(r.comments / r.seconds for r in self.results)

    @property
    def cores(self) -> float:
        """How much CPU the workers got: their CPU seconds over the wall-clock time."""
        return sum(r.cpu for r in self.results) / self.wall

    @property
    def per_cpu_second(self) -> float:
        """Comments per CPU-second: the cost of the work, whatever else shares the cores."""
        return self.comments / sum(r.cpu for r in self.results)

    def counts(self) -> dict[int, list[int]]:
        return {n: c for r in self.results for n, c in r.counts.items()}


def run(kind: str, model: Path, comments: Path, workers: int, limit: int, batch: int) -> Run:
    """Start `workers` fresh processes, release them together, and collect what they did."""
    context = mp.get_context("spawn")
    ready = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=work,
            args=(Task(kind, model, comments, w, workers, limit, batch), ready, results),
        )
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    with timer() as wall:
        collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode:
            sys.exit(f"A {kind} worker failed (exit code {process.exitcode}).")
    # An upper bound on memory at any moment: this process now, plus every worker's peak.
    bound = resident_mb(os.getpid()) + sum(r.peak_mb for r in collected)
    return Run(kind, workers, wall[0], sorted(collected, key=lambda r: r.worker), bound)


def write_comments(path: Path, texts: list[str], n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["comment"])
        writer.writerows([text] for text in perturbed(texts, n, seed=SEED))


def sample(path: Path, n: int) -> list[str]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        next(rows)
        return [row[0] for row in islice(rows, n)]


def peer_model():
    return make_pipeline(
        HashingVectorizer(ngram_range=(1, 2), n_features=2**20, alternate_sign=False),
        TfidfTransformer(sublinear_tf=True),
        OneVsRestClassifier(SGDClassifier(loss="log_loss", alpha=1e-5, random_state=SEED)),
    )


def prepare(folder: Path, args: argparse.Namespace) -> dict[str, Path]:
    """Write the comments file, train and save the three models; print how long each took."""
    texts, frame = load_fft()
    print(f"Data: {FFT_SOURCE}")
    print(f"{len(texts)} coded comments, {frame.shape[1]} themes with >= 10 coded comments")
    paths = {"comments": folder / "comments.csv"}
    with timer() as t:
        write_comments(paths["comments"], texts, args.comments)
    size = paths["comments"].stat().st_size / 1e6
    print(
        f"{args.comments:,} perturbed comments written to a CSV file ({size:.0f} MB), {t[0]:.0f} s"
    )

    # Two folds for the thresholds rather than the product's five: the same model, coding
    # at the same speed, trained in half the time (bench_coder.py measures accuracy).
    with timer() as t:
        coder = ThemeCoder(random_state=SEED, folds=2).fit(texts, frame)
    paths["Heard coding"] = folder / "coder.joblib"
    joblib.dump(coder, paths["Heard coding"])
    print(f"Heard coder trained on the coded file in {t[0]:.0f} s")
    del coder

    with timer() as t:
        found = ThemeDiscovery(random_state=SEED).fit(sample(paths["comments"], args.sample))
    paths["Heard discovery"] = folder / "discovery.joblib"
    joblib.dump(found, paths["Heard discovery"])
    print(
        f"Theme discovery fitted on the first {args.sample:,} comments in {t[0]:.0f} s: "
        f"{len(found.themes_)} themes"
    )
    del found

    with timer() as t:
        peer = peer_model().fit(texts, frame.to_numpy())
    paths["peer coding"] = folder / "peer.joblib"
    joblib.dump(peer, paths["peer coding"])
    print(f"Peer coder trained in {t[0]:.1f} s")
    print(f"This process's peak so far: {peak_memory_mb():.0f} MB\n")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000, help="Comments in all.")
    parser.add_argument(
        "--single",
        type=int,
        default=200_000,
        help="Comments for the one-worker runs (the first ones; 0 means all).",
    )
    parser.add_argument("--batch", type=int, default=10_000, help="Comments per batch.")
    parser.add_argument("--sample", type=int, default=20_000, help="Comments discovery fits on.")
    args = parser.parse_args()
    single = min(args.single or args.comments, args.comments)
    print(load_average())
    sampler = MemorySampler()
    sampler.start()
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="heard-scale-") as name:
        paths = prepare(Path(name), args)
        runs: dict[tuple[str, int], Run] = {}
        for kind in KINDS:
            for workers, limit in ((1, single), (2, args.comments)):
                print(f"{kind}: {workers} worker(s), {limit:,} comments ...", flush=True)
                runs[kind, workers] = run(
                    kind, paths[kind], paths["comments"], workers, limit, args.batch
                )
    sampler.stopping.set()
    sampler.join()
    bounds = [r.bound_mb for r in runs.values()]
    peak = max([sampler.peak_mb, sampler.own_mb, peak_memory_mb(), *bounds])
    return report(runs, args, single, peak, time.perf_counter() - started)


def report(runs: dict, args: argparse.Namespace, single: int, peak: float, total: float) -> int:
    print(f"\nBatches of {args.batch:,}: one worker on the first {single:,} comments,")
    print(f"two workers on all {args.comments:,} (the slowest worker's rate is 'per worker')")
    columns = ("1 worker", "2 workers", "speed-up", "per worker")
    print(f"{'comments a second':<22}" + "".join(f"{c:>11}" for c in columns))
    for kind in KINDS:
        one, two = runs[kind, 1], runs[kind, 2]
        speed_up = ratio(two.rate, one.rate)
        print(
            f"{kind:<22}{one.rate:>11,.0f}{two.rate:>11,.0f}{speed_up:>11}{two.per_worker:>11,.0f}"
        )
    ours, theirs = runs["Heard coding", 1], runs["peer coding", 1]
    both = ratio(runs["Heard coding", 2].rate, runs["peer coding", 2].rate)
    print(f"{'Heard / peer coding':<22}{ratio(ours.rate, theirs.rate):>11}{both:>11}")
    # Other work on the machine takes CPU from the workers; these show how much they got.
    print(
        f"\n{'cores the workers got':<22}" + "".join(f"{h:>11}" for h in ("1 worker", "2 workers"))
    )
    for kind in KINDS:
        print(f"{kind:<22}{runs[kind, 1].cores:>11.2f}{runs[kind, 2].cores:>11.2f}")
    print(f"{'per CPU-second':<22}")
    for kind in KINDS:
        one, two = runs[kind, 1].per_cpu_second, runs[kind, 2].per_cpu_second
        print(f"  {kind:<20}{one:>11,.0f}{two:>11,.0f}")

    print(f"\n{'peak resident memory (MB)':<36} {'loaded':>7} {'1st batch':>10} {'end':>7}")
    for (kind, workers), found in runs.items():
        for r in found.results:
            label = f"{kind}, {workers} worker(s), #{r.worker + 1}"
            print(f"  {label:<34} {r.loaded_mb:>7.0f} {r.first_batch_mb:>10.0f} {r.peak_mb:>7.0f}")
    print(f"Peak of this process and its workers together: {peak:.0f} MB")
    print(f"Whole benchmark: {total / 60:.1f} min. {load_average()}")
    return verdict(targets(runs, args, single, peak))


def targets(runs: dict, args: argparse.Namespace, single: int, peak: float) -> list:
    coding = runs["Heard coding", 1].rate
    checks = [
        (f"peak memory {peak:.0f} MB <= {TARGET_PEAK_MB} MB", peak <= TARGET_PEAK_MB),
        (
            f"coding {coding:,.0f} comments/s on one worker >= {TARGET_PER_WORKER:,}",
            coding >= TARGET_PER_WORKER,
        ),
    ]
    for (kind, workers), found in runs.items():
        expected = single if workers == 1 else args.comments
        done = f"{kind}, {workers} worker(s): {found.comments:,} of {expected:,} comments, once"
        checks.append((done, found.comments == expected))
    shared = single // args.batch  # the full batches the one-worker run has in common
    for kind in KINDS:
        one, two = runs[kind, 1].counts(), runs[kind, 2].counts()
        same = all(one[n] == two[n] for n in range(shared))
        checks.append((f"{kind}: two workers agree with one on the first {shared} batches", same))
    return checks


if __name__ == "__main__":
    sys.exit(main())
