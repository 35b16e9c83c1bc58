#!/usr/bin/env bash
# The README's demo command: set-up and build, then train a VAE and a conditional VAE on
# the shipped mnist-subset and write their pictures (about a minute on 2 cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash examples/setup.sh
echo
echo "== A VAE (784-400-20, Kingma & Welling 2013) on mnist-subset =="
./build/examples/train_vae --data mnist-subset --epochs 10 --out demo-out/vae
echo
echo "== A conditional VAE (Sohn et al. 2015): digits drawn to order =="
# A 2-D latent holds the style, so the decoder must take the digit's identity from the
# label: after 10 epochs the rows are already their digits (the classifier judge agrees
# with 94% of them; with Z = 20 the same takes far more epochs).
./build/examples/train_cvae --data mnist-subset --epochs 10 --latent 2 --out demo-out/cvae
echo
echo "Open these pictures:"
echo "  demo-out/vae/reconstructions.png   test digits (top) and their reconstructions (bottom)"
echo "  demo-out/vae/samples.png           new digits decoded from z ~ N(0, I)"
echo "  demo-out/vae/latent.png            the test set's codes, coloured by digit (first two principal components)"
echo "  demo-out/vae/curves.png            -ELBO, reconstruction and KL per epoch, train and test"
echo "  demo-out/cvae/conditional.png      one row per digit 0-9, drawn by the CVAE"
echo "Per-epoch numbers are in demo-out/*/metrics.jsonl."
echo
echo "Watch what was trained in the aevb studio (its curves, the tape of one step, the"
echo "latent space under the cursor), then open the address it prints:"
echo "  ./build/examples/aevb-studio --open demo-out/vae       (or demo-out/cvae)"
echo "or train a new model while watching it live:"
echo "  ./build/examples/aevb-studio --data mnist-subset --epochs 30 --latent 2 --out studio-out"
