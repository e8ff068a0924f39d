#!/usr/bin/env python3
"""Packs a dataset folder into the archive layout of fuzz_dataset.h.

usage: pack_dataset.py DIR OUT

Every file under DIR (in name order) becomes an entry NAME\\0 LEN(u32 LE)
BYTES; every symbolic link an entry @NAME whose bytes are its target.
"""
import os
import struct
import sys


def pack(root):
    out = bytearray()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                data = os.readlink(path).encode()
                rel = "@" + rel
            else:
                with open(path, "rb") as f:
                    data = f.read()
            out += rel.encode() + b"\0" + struct.pack("<I", len(data)) + data
    return bytes(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "wb") as f:
        f.write(pack(sys.argv[1]))
