"""ladle.Dataset: a dataset folder's records, read from its manifest and
zstd shards with the zstandard module (no library call), shard by shard,
each shard's checksum checked on open."""
import hashlib
import io
import json
import os

from . import _lib
from ._errors import LadleError

try:
    import zstandard
except ImportError:  # the error says so when a shard is read
    zstandard = None
try:
    import xxhash  # optional: the manifest's xxh3_128 of a shard's content
except ImportError:
    xxhash = None

_READ = 1 << 20


def _damage(where, what):
    return LadleError("%s: %s" % (where, what), _lib.E_INPUT)


class Dataset:
    """The records (bytes, line end included) of one split of a dataset
    written by `ladle split` / ladle.split, in shard order.

    worker=i, workers=n (torch-style): only the shards whose index in the
    split is i modulo n, so n workers together read each record once.
    verify=True checks each shard as it is opened: its size and sha256
    (the manifest's, via hashlib) before any record, and while reading its
    record and byte counts and XXH3-128 (when the xxhash module is there);
    a mismatch raises LadleError (status 3). len() is the manifest's count
    for these shards; .shards the manifest's entries; .header the header
    line of a dataset with "header": true (not yielded as a record)."""

    def __init__(self, path, split="train", worker=0, workers=1, verify=True):
        self.path = os.fsdecode(path)
        mpath = os.path.join(self.path, "manifest.json")
        try:
            with open(mpath, encoding="utf-8") as f:
                self.manifest = json.load(f)
        except OSError as e:
            raise _damage(mpath, e.strerror or str(e)) from e
        except ValueError as e:
            raise _damage(mpath, "not JSON (%s)" % e) from e
        names = [s.get("name") for s in self.manifest.get("splits", [])]
        if split not in names:
            raise LadleError("%s: no split %r (it has %s)" % (mpath, split, ", ".join(map(str, names))),
                             _lib.E_USAGE)
        if not (isinstance(workers, int) and workers >= 1 and 0 <= worker < workers):
            raise LadleError("worker %r of %r: need 0 <= worker < workers" % (worker, workers),
                             _lib.E_USAGE)
        self.split = split
        self.worker, self.workers = worker, workers
        self.verify = verify
        shards = self.manifest["splits"][names.index(split)].get("shards", [])
        self.shards = [s for i, s in enumerate(shards) if i % workers == worker]
        self.has_header = bool(self.manifest.get("header"))
        self.csv = self.manifest.get("format") == "csv"
        self.header = None

    def __len__(self):
        return sum(int(s["records"]) for s in self.shards)

    def __iter__(self):
        return self.records()

    def records(self):
        """Every record of these shards, in order."""
        for shard in self.shards:
            yield from self.shard_records(shard)

    def _open(self, shard):
        name = str(shard.get("file", ""))
        parts = name.replace("\\", "/").split("/")
        if not name or os.path.isabs(name) or ".." in parts:
            raise _damage(os.path.join(self.path, "manifest.json"),
                          "shard file %r is not a path inside the dataset" % name)
        where = os.path.join(self.path, name)
        try:
            f = open(where, "rb")
        except OSError as e:
            raise _damage(where, e.strerror or str(e)) from e
        if not self.verify:
            return f, where
        size = os.fstat(f.fileno()).st_size
        if "compressed_bytes" in shard and size != shard["compressed_bytes"]:
            f.close()
            raise _damage(where, "file is %d bytes, manifest says %d"
                          % (size, shard["compressed_bytes"]))
        if "sha256" in shard:
            h = hashlib.sha256()
            for block in iter(lambda: f.read(_READ), b""):
                h.update(block)
            if h.hexdigest() != shard["sha256"]:
                f.close()
                raise _damage(where, "SHA-256 is %s, manifest says %s"
                              % (h.hexdigest(), shard["sha256"]))
            f.seek(0)
        return f, where

    def shard_records(self, shard):
        """The records of one shard (an entry of .shards)."""
        if zstandard is None:
            raise ImportError("ladle.Dataset reads shards with the zstandard module "
                              "(Debian: python3-zstandard; pip install zstandard)")
        f, where = self._open(shard)
        want_xxh = self.verify and xxhash is not None and "xxh3_128" in shard
        h = xxhash.xxh3_128() if want_xxh else None
        count = nbytes = 0
        with f:
            # read_across_frames: the shard is zstd frames, then the seek
            # table's skippable frame, which decodes to nothing.
            reader = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True)
            lines = io.BufferedReader(reader, _READ)
            try:
                first = self.has_header
                for line in (_csv_records(lines) if self.csv else lines):
                    nbytes += len(line)
                    if h is not None:
                        h.update(line)
                    if first:
                        first = False
                        self.header = line
                        continue
                    count += 1
                    yield line
            except zstandard.ZstdError as e:
                raise _damage(where, "zstd: %s" % e) from e
        if self.verify:
            self._check_counts(shard, where, count, nbytes, h)

    @staticmethod
    def _check_counts(shard, where, count, nbytes, h):
        if count != shard.get("records", count):
            raise _damage(where, "holds %d records, manifest says %d" % (count, shard["records"]))
        if nbytes != shard.get("bytes", nbytes):
            raise _damage(where, "holds %d bytes, manifest says %d" % (nbytes, shard["bytes"]))
        if h is not None and h.hexdigest() != shard["xxh3_128"]:
            raise _damage(where, "XXH3-128 is %s, manifest says %s"
                          % (h.hexdigest(), shard["xxh3_128"]))


def _csv_records(lines):
    """csv records may hold quoted line ends (RFC 4180): a record ends at a
    line end outside quotes, that is where its count of '"' is even."""
    held = b""
    for line in lines:
        held += line
        if held.count(b'"') % 2 == 0:
            yield held
            held = b""
    if held:
        yield held
