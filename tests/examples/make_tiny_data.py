#!/usr/bin/python3
"""Tiny data sets in the MNIST file layout, for the programs' hostile-input tests.

Usage: make_tiny_data.py FOLDER NAME TRAIN TEST CLASSES ROWS COLUMNS [SEED]
writes FOLDER/NAME/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz: random grey images
with labels 0 .. CLASSES-1.
"""
import gzip
import os
import random
import struct
import sys


def write_set(folder, split, count, classes, rows, columns, rng):
    images = bytes(rng.randrange(256) for _ in range(count * rows * columns))
    labels = bytes(rng.randrange(classes) for _ in range(count))
    with gzip.open(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, rows, columns) + images)
    with gzip.open(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, count) + labels)


def main():
    folder, name = sys.argv[1], sys.argv[2]
    train, test, classes, rows, columns = (int(v) for v in sys.argv[3:8])
    rng = random.Random(int(sys.argv[8]) if len(sys.argv) > 8 else 1)
    target = os.path.join(folder, name)
    os.makedirs(target, exist_ok=True)
    write_set(target, "train", train, classes, rows, columns, rng)
    write_set(target, "t10k", test, classes, rows, columns, rng)


if __name__ == "__main__":
    main()
