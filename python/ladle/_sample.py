"""ladle.sample: a job's records through the library's record sink
(ladle_job_run_sink), streamed: the job runs on a thread and hands batches
through a bounded queue, so the caller iterates lazily and memory stays
bounded; closing the iterator early stops the job."""
import atexit
import ctypes
import queue
import threading
import weakref

from . import _job, _lib
from ._errors import LadleError

lib = _lib.lib

_BATCH_RECORDS = 512
_BATCH_BYTES = 1 << 20
_QUEUE_BATCHES = 8
_DONE = object()
_live = weakref.WeakSet()  # Samples not yet closed: atexit stops their jobs


@atexit.register
def _close_all():
    # Before finalization, while the jobs' threads can still run to the end.
    for s in list(_live):
        s.close()


class _Feed:
    """The job's thread's side: the sink callback batches records into the
    queue. Kept apart from Sample so that a Sample dropped unread is
    collected (its __del__ stops the job) while the thread still runs."""

    def __init__(self, with_weight):
        self.queue = queue.Queue(_QUEUE_BATCHES)
        self.stop = threading.Event()
        self.with_weight = with_weight
        self.status = _lib.OK
        self.error = None
        self.report = None
        self.sink = _lib.SINK(self._on_record)
        self._pending = []
        self._pending_bytes = 0
        self.done = threading.Event()  # set when the run has returned

    def _put(self, item):
        """Blocks while the queue is full; False once the reader has gone."""
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _flush(self):
        batch, self._pending, self._pending_bytes = self._pending, [], 0
        return not batch or self._put(batch)

    def _on_record(self, _arg, rec, length, weight):
        try:
            data = rec[:length]
            self._pending.append((data, weight) if self.with_weight else data)
            self._pending_bytes += length
            if len(self._pending) >= _BATCH_RECORDS or self._pending_bytes >= _BATCH_BYTES:
                return 0 if self._flush() else 1
            return 0
        except BaseException as e:  # never let an exception cross into C
            self.error = e
            return 1

    def run(self, job_ptr):
        rep = _lib.Report()
        try:
            if not self.stop.is_set():
                self.status = lib.ladle_job_run_sink(job_ptr, self.sink, None, ctypes.byref(rep))
            if self.status == _lib.OK and self.error is None:
                self._flush()
        finally:
            self.report = rep.as_dict()
            self.done.set()
            self._put(_DONE)


class Sample:
    """An iterator over a sample's records: bytes, line end included, or
    (bytes, weight) with with_weight=True (the estimator weight; NaN for
    designs without one). .report (a dict: records_in, records_out, ...)
    once the iteration ended; .command, the equivalent `ladle sample`
    command line. close() (or leaving a with block) stops the job early."""

    def __init__(self, job, command, with_weight):
        self._job = job
        self.command = command
        self.report = None
        self._feed = _Feed(with_weight)
        self._thread = None
        self._batch = None
        self._finished = False
        _live.add(self)

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            if self._batch:
                return self._batch.pop()
            if self._finished:
                raise StopIteration
            if self._thread is None:
                self._thread = threading.Thread(target=self._feed.run, args=(self._job.ptr,),
                                                name="ladle.sample", daemon=True)
                self._thread.start()
            try:
                item = self._get()
            except BaseException:  # KeyboardInterrupt: the job stops as well
                self.close()
                raise
            if item is _DONE:
                self._end()
                raise StopIteration
            item.reverse()
            self._batch = item

    def _get(self):
        # A timeout, so that the main thread runs signal handlers (Ctrl-C)
        # while the job gathers: a lock wait is not interrupted by a signal
        # that another thread took.
        while True:
            try:
                return self._feed.queue.get(timeout=0.1)
            except queue.Empty:
                continue

    def _end(self):
        self._finished = True
        _job.finish(self._feed.done)
        feed, job, self._job = self._feed, self._job, None
        self.report = feed.report
        error = job.error()
        job.free()
        if feed.error is not None:
            raise feed.error
        if feed.status != _lib.OK:
            raise LadleError(error, feed.status)

    def close(self):
        """Stops the job (if it still runs) and waits for its thread."""
        if self._finished:
            return
        self._finished = True
        self._feed.stop.set()
        self._batch = None
        if self._job is not None:
            self._job.cancel()
        if self._thread is not None:
            if not _job.finish(self._feed.done):
                self._job.ptr = None  # still running at exit: left, not freed
                self._job = None
            self.report = self._feed.report
        if self._job is not None:
            self._job.free()
            self._job = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def sample(paths, *, with_weight=False, **options):
    """Samples the records of paths (a path or a list; "-" is stdin) with
    ladle's designs, in bounded memory, through libladle's record sink.

    Designs (one): rate=P (Bernoulli), n=N (exactly N, uniform), head=N,
    every=K (systematic, start=), weight=FIELD with n, strata=FIELD with n,
    per_stratum or fractions, cluster=FIELD with rate or clusters, and the
    snowball (link=, seeds=). Other keywords: those of `ladle sample`
    with - written _ (seed, shuffle, header, format, delimiter, missing,
    malformed, threads (0: every CPU), chunk_size, state, part, ...).

    Returns a Sample: an iterator of records (bytes, line end included),
    or (bytes, weight) pairs with with_weight=True. Errors raise LadleError
    (usage ones at once, the run's while iterating)."""
    design_keys = ("rate", "n", "head", "every", "cluster", "strata", "weight", "link", "seeds")
    if options.get("shuffle") and all(options.get(k) is None for k in design_keys):
        options["rate"] = 1.0  # as `ladle sample --shuffle FILE`: every record, shuffled
    job, argv = _job.build(_job.SAMPLE_OPTIONS, options, False, "sample")
    try:
        argv += job.inputs(paths)
    except BaseException:
        job.free()
        raise
    return Sample(job, argv, with_weight)


def shuffle(paths, **options):
    """Every record of paths in a uniform random order by record key, in
    memory bounded by memory= (default 256M; sorted runs spill to tmpdir=),
    as `ladle shuffle`: the same bytes for any threads, memory or
    chunk_size. An iterator of records (bytes), like sample()."""
    return sample(paths, rate=1.0, shuffle=True, **options)
