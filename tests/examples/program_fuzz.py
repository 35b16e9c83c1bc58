#!/usr/bin/python3
"""Whole program runs under random flags and tiny data sets, against one invariant.

Each run draws a program (train_vae, train_cvae, train_ae, train_classifier), a data set
(tiny ones in the MNIST layout: 5 classes, 14x14 images, a single test image), an
output folder (new, or one holding a finished run) and a few flags, each from valid,
boundary and hostile values (NaN, infinities, 0, negative, huge, empty, text, a FIFO,
a folder). Whatever it draws, the program must end one of three ways:
  - exit 0, with every PNG in --out whole, metrics.jsonl ending in its final line (for
    the training programs) and no partial file left;
  - exit 2 with one line on stderr, and --out byte for byte as it was;
  - exit 1 with one line that names a divergence ("training diverged"), files whole.
Anything else (a crash, a sanitizer report, a hang, another status) fails. The draws
are seeded: a failure prints the seed and the command, to run again.

Usage: program_fuzz.py BUILD_DIR [SECONDS [SEED]]
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_tiny_data  # noqa: E402


def snapshot(folder):
    if not os.path.exists(folder):
        return "absent"
    digest = hashlib.sha1()
    for root, dirs, names in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(names + dirs):
            path = os.path.join(root, name)
            status = os.lstat(path)
            digest.update(f"{path} {status.st_mode} {status.st_size} {status.st_mtime_ns}\n".encode())
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    digest.update(f.read())
    return digest.hexdigest()


def png_whole(path):
    with open(path, "rb") as f:
        data = f.read()
    return data[:8] == b"\x89PNG\r\n\x1a\n" and data[-8:-4] == b"IEND"


def files_problem(folder, training):
    """Why the files in a folder are not whole, or None."""
    if not os.path.isdir(folder):
        return None
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if ".aevb-partial." in name:
            return f"partial file left: {name}"
        if name.endswith(".png") and os.path.isfile(path) and not png_whole(path):
            return f"{name} is not a whole PNG"
    metrics = os.path.join(folder, "metrics.jsonl")
    if training and os.path.exists(metrics):
        with open(metrics) as f:
            lines = f.read().splitlines()
        try:
            last = json.loads(lines[-1]) if lines else {}
        except ValueError:
            last = {}
        if not isinstance(last, dict) or last.get("final") is not True:
            return "metrics.jsonl does not end in its final line"
    return None


# Values per flag: valid ones first in each list, then boundaries and hostile ones.
COMMON = {
    "--epochs": ["1", "2", "0", "-1", "nan", "1e3", "x", ""],
    "--batch": ["16", "1", "200", "0", "65537", "-3", "1.5"],
    "--hidden": ["8", "8,6", "1", "0", ",", "8,,8", "70000", "-8", "a,b"],
    "--lr": ["0.001", "0.05", "10", "1e-9", "nan", "inf", "-0.1", "0x1p-4", ""],
    "--seed": ["1", "0", "18446744073709551615", "18446744073709551616", "-1", "nan"],
    "--threads": ["1", "2", "0", "1025", "x"],
}
TRAINING = {
    "--latent": ["2", "1", "3", "0", "5000", "-2"],
    "--activation": ["relu", "tanh", "softplus", "bogus", ""],
    "--optimizer": ["adam", "sgd", "adagrad", "lbfgs"],
    "--weight-decay": ["0", "0.01", "1", "1.5", "nan", "-inf"],
    "--binarize": ["none", "static", "dynamic", "threshold", "yes"],
    "--init": ["default", "he_normal", "torch_uniform", "zeros"],
}
VARIATIONAL = {
    "--beta": ["1", "0", "1000", "1001", "nan", "inf"],
    "--warmup-epochs": ["0", "1", "100001", "-1"],
    "--free-bits": ["0", "0.5", "100", "nan", "-1"],
    "--eval-k": ["0", "3", "100001", "-1"],
}
PER_PROGRAM = {
    "train_vae": {**COMMON, **TRAINING, **VARIATIONAL,
                  "--likelihood": ["bernoulli", "gaussian", "continuous-bernoulli", "poisson"],
                  "--posterior": ["normal", "laplace", "cauchy", "student"]},
    "train_cvae": {**COMMON, **TRAINING, **VARIATIONAL,
                   "--digit": ["0", "4", "5", "9", "255", "-1", "256"], "--learned-prior": [None]},
    "train_ae": {**COMMON, **TRAINING,
                 "--denoise": ["none", "gaussian", "mask", "salt"], "--noise": ["0.3", "0", "1", "1.01", "nan"]},
    "train_classifier": {**COMMON},
}


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    build = os.path.abspath(sys.argv[1])
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="aevb_program_fuzz_")
    try:
        for name, train, test, classes, side in (("five", 60, 20, 5, 28), ("small14", 60, 20, 5, 14),
                                                  ("one_test", 40, 1, 10, 28)):
            folder = os.path.join(work, name)
            os.makedirs(folder, exist_ok=True)
            make_tiny_data.write_set(folder, "train", train, classes, side, side, rng)
            make_tiny_data.write_set(folder, "t10k", test, classes, side, side, rng)
        os.mkfifo(os.path.join(work, "fifo"))
        # A finished run to resume from and to write over.
        finished = os.path.join(work, "finished")
        subprocess.run([os.path.join(build, "examples", "train_vae"), "--data", "idx:" + os.path.join(work, "five"),
                        "--epochs", "1", "--hidden", "8", "--latent", "2", "--batch", "16", "--out", finished],
                       check=True, capture_output=True)
        checkpoint = os.path.join(finished, "checkpoint.aevb")
        data_choices = ["idx:" + os.path.join(work, n) for n in ("five", "small14", "one_test")] + \
            ["idx:/nonexistent", "frey:" + os.path.join(work, "fifo"), "mnist-subset", ""]
        resume_choices = [checkpoint, os.path.join(work, "fifo"), "/dev/zero", work, "/nonexistent.aevb",
                          os.path.join(work, "five", "train-images-idx3-ubyte.gz")]

        runs = failures = 0
        counts = {0: 0, 1: 0, 2: 0}
        start = time.monotonic()
        while time.monotonic() - start < budget:
            runs += 1
            program = rng.choice(sorted(PER_PROGRAM))
            flags = PER_PROGRAM[program]
            argv = [os.path.join(build, "examples", program)]
            # The data: mostly a tiny set, so that runs are short.
            argv += ["--data", rng.choice(data_choices) if rng.random() < 0.25 else data_choices[rng.randrange(3)]]
            chosen = {"--epochs": "1", "--hidden": "8", "--batch": "16"}
            for flag in rng.sample(sorted(flags), rng.randrange(1, 5)):
                values = flags[flag]
                chosen[flag] = values[0] if rng.random() < 0.3 else rng.choice(values)
            if program != "train_classifier" and rng.random() < 0.2:
                chosen["--resume"] = rng.choice(resume_choices)
            for flag, value in chosen.items():
                argv += [flag] if value is None else [flag, value]
            out = os.path.join(work, f"out{runs}")
            if rng.random() < 0.3:
                shutil.copytree(finished, out, symlinks=True)
            argv += ["--out", out]
            before = snapshot(out)
            try:
                result = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                                        env={**os.environ, "OMP_NUM_THREADS": "2"})
                status, errors = result.returncode, result.stderr
            except subprocess.TimeoutExpired:
                status, errors = "timeout", ""
            lines = [line for line in errors.splitlines() if line.strip()]
            problem = None
            if status == 0:
                problem = files_problem(out, True)
            elif status == 2:
                if len(lines) != 1:
                    problem = f"exit 2 with {len(lines)} lines on stderr"
                elif snapshot(out) != before:
                    problem = "exit 2, but --out changed"
            elif status == 1:
                if "training diverged" not in errors:
                    problem = "exit 1 without a divergence"
                else:
                    problem = files_problem(out, False)
            else:
                problem = f"exit status {status}"
            if problem is None:
                counts[status] += 1
            else:
                failures += 1
                shown = " ".join(repr(a) if (" " in a or not a) else a for a in argv)
                print(f"FAIL (seed {seed}, run {runs}): {problem}\n  {shown}\n  {errors.strip()[:600]}")
            shutil.rmtree(out, ignore_errors=True)
        print(f"program fuzzing: {runs} runs in {time.monotonic() - start:.0f} s (seed {seed}): {counts[0]} exit 0, "
              f"{counts[2]} refused, {counts[1]} diverged; {failures} broke the invariant")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
