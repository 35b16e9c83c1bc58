#!/usr/bin/python3
"""The VAE epoch in PyTorch and in aevb, side by side, in one invocation.

Same model (784-400-20-400-784, ReLU, Bernoulli likelihood on pixels in [0, 1], Adam
lr 1e-3, PyTorch's Linear init), same data (Fashion-MNIST, 60,000 training images),
batch 128, same thread counts. PyTorch gets in-memory tensors (no DataLoader) and is
timed both as it comes and with flush-to-zero (torch.set_flush_denormal(True)); the
ratio that counts is against its fastest configuration. Each timed epoch follows a
warm-up of 20 steps, and the test-set -ELBO pass is timed with it, as in bench/vae.

    /usr/bin/python3 bench/compare_torch.py --aevb build/bench/vae --threads 1,2
    /usr/bin/python3 bench/compare_torch.py --architecture conv --epochs 10 --seeds 1,2,3

With --architecture conv both train the convolutional VAE of train_vae --architecture
conv (conv 1->32 and 32->64, 4x4, stride 2, padding 1, ReLU, linear 3136 -> 40; linear
20 -> 3136, ReLU, transposed convs back to 1x28x28 logits), both with PyTorch's default
initialization, and --epochs N reports the test -ELBO after each epoch; --seeds runs
PyTorch once per seed (its spread) and aevb with the first.

Needs Debian's python3-torch and python3-numpy (apt install python3-torch); without
them it says so and exits 0 after running aevb alone.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np

FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    count, rows, columns = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * columns)


def torch_runs(torch, train, test, threads, flush_denormal, seed=1, architecture="mlp", epochs=1):
    """One dict per epoch: seconds and -ELBOs, as bench/vae epoch reports them."""
    torch.set_num_threads(threads)
    torch.set_flush_denormal(flush_denormal)
    torch.manual_seed(seed)
    nn = torch.nn

    class Vae(nn.Module):
        def __init__(self):
            super().__init__()
            if architecture == "conv":
                self.encoder = nn.Sequential(
                    nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1),
                    nn.ReLU(), nn.Flatten(), nn.Linear(64 * 7 * 7, 40))
                self.decoder = nn.Sequential(
                    nn.Linear(20, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                    nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Flatten())
            else:
                self.encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40))
                self.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))

        def forward(self, x):
            mean, log_variance = self.encoder(x).chunk(2, dim=1)
            z = mean + torch.exp(0.5 * log_variance) * torch.randn_like(mean)
            logits = self.decoder(z)
            reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
            kl = -0.5 * torch.sum(1 + log_variance - mean * mean - log_variance.exp()) / x.shape[0]
            return reconstruction, kl

    model = Vae()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(batch):
        reconstruction, kl = model(batch)
        loss = reconstruction + kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    generator = torch.Generator().manual_seed(seed)
    for i in range(20):  # warm-up
        step(train[i * 128:(i + 1) * 128])
    runs = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(train.shape[0], generator=generator)
        total = 0.0
        for first in range(0, train.shape[0], 128):
            batch = train[order[first:first + 128]]
            total += step(batch) * batch.shape[0]
        train_seconds = time.perf_counter() - start
        with torch.no_grad():
            test_total = 0.0
            for first in range(0, test.shape[0], 1000):
                batch = test[first:first + 1000]
                reconstruction, kl = model(batch)
                test_total += (reconstruction + kl).item() * batch.shape[0]
        epoch_seconds = time.perf_counter() - start
        runs.append({"epoch": epoch, "train_seconds": train_seconds, "epoch_seconds": epoch_seconds,
                     "train_neg_elbo": total / train.shape[0], "test_neg_elbo": test_total / test.shape[0]})
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aevb", default="build/bench/vae", help="the bench/vae binary")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--json", help="append every run as a JSON line to this file")
    parser.add_argument("--architecture", default="mlp", choices=["mlp", "conv"], help="the classic or the conv VAE")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run (test -ELBO after each)")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds for PyTorch (aevb runs the first)")
    parser.add_argument("--no-flush", action="store_true", help="time PyTorch only as it comes (no FTZ run)")
    args = parser.parse_args()
    try:
        seeds = [int(t) for t in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds {args.seeds}: expected whole numbers separated by commas")
    if not 1 <= args.epochs <= 1000:
        parser.error(f"--epochs {args.epochs}: expected 1 to 1000")
    try:
        threads = [int(t) for t in args.threads.split(",")]
        if any(t < 1 for t in threads):
            raise ValueError
    except ValueError:
        parser.error(f"--threads {args.threads}: expected positive whole numbers separated by commas")
    if not os.access(args.aevb, os.X_OK):
        parser.error(f"--aevb {args.aevb}: not an executable (build it with ninja -C build)")

    results = []
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed for /usr/bin/python3 (apt install python3-torch): aevb only")
    if torch is not None:
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads by default")
        train = torch.from_numpy(read_idx_images(f"{FASHION}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
        test = torch.from_numpy(read_idx_images(f"{FASHION}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
        for t in threads:
            for flush in ((False,) if args.no_flush else (False, True)):
                for seed in seeds if t == threads[0] and not flush else seeds[:1]:
                    for run in torch_runs(torch, train, test, t, flush, seed, args.architecture, args.epochs):
                        run.update({"bench": "torch_epoch", "threads": t, "flush_denormal": flush, "seed": seed,
                                    "architecture": args.architecture})
                        results.append(run)
                        print(json.dumps(run), flush=True)

    output = subprocess.run([args.aevb, "epoch", "--threads", args.threads, "--architecture", args.architecture,
                             "--epochs", str(args.epochs), "--seed", str(seeds[0])], check=True, capture_output=True,
                            text=True).stdout
    for line in output.splitlines():
        run = json.loads(line)
        results.append(run)
        print(line, flush=True)

    # seconds per epoch: the mean over epochs of the first seed's run
    def seconds(bench, t, flush=None):
        rows = [r["epoch_seconds"] for r in results if r["bench"] == bench and r["threads"] == t and
                (flush is None or r.get("flush_denormal") == flush) and r.get("seed", seeds[0]) == seeds[0]]
        return sum(rows) / len(rows) if rows else None

    print(f"\n{args.architecture} VAE, {args.epochs} epoch(s); seconds per epoch (training and the test pass)")
    print(f"{'threads':>7} {'PyTorch s':>10} {'PyTorch FTZ s':>14} {'aevb s':>8} {'speed-up vs best':>17}")
    for t in threads:
        ours = seconds("vae_epoch", t)
        plain, flushed = seconds("torch_epoch", t, False), seconds("torch_epoch", t, True)
        theirs = [v for v in (plain, flushed) if v is not None]
        text = lambda v: f"{v:.2f}" if v is not None else "-"
        ratio = f"{min(theirs) / ours:.2f}x" if theirs else "-"
        print(f"{t:>7} {text(plain):>10} {text(flushed):>14} {ours:>8.2f} {ratio:>17}")
    print(f"\ntest -ELBO by epoch (threads {threads[0]}): aevb seed {seeds[0]}; PyTorch per seed")
    for epoch in range(1, args.epochs + 1):
        ours = next(r["test_neg_elbo"] for r in results
                    if r["bench"] == "vae_epoch" and r["threads"] == threads[0] and r["epoch"] == epoch)
        theirs = [r["test_neg_elbo"] for r in results if r["bench"] == "torch_epoch" and r["threads"] == threads[0]
                  and not r["flush_denormal"] and r["epoch"] == epoch]
        spread = (f"  PyTorch {' '.join(f'{v:.2f}' for v in theirs)} (mean {sum(theirs) / len(theirs):.2f}, "
                  f"aevb/mean {ours / (sum(theirs) / len(theirs)):.4f})" if theirs else "")
        print(f"epoch {epoch:>3}: aevb {ours:.2f}{spread}")
    if args.json:
        with open(args.json, "a") as f:
            for run in results:
                f.write(json.dumps(run) + "\n")


if __name__ == "__main__":
    sys.exit(main())
