#!/usr/bin/env bash
# The programs against what a hostile user gives them (issue "Hardening, round 2"): each
# defect found then is reproduced here, and each class of it checked. A refusal must be
# exactly one line naming the flag, file or variable, exit status 2, and leave --out
# byte for byte as it was (names, sizes, contents and modification times). In the
# sanitized build an out-of-bounds access aborts the program, which fails its case.
# Usage: hostile_inputs.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
bin=$build/examples
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0 passes=0
pass() { passes=$((passes + 1)); echo "ok: $*"; }
failed() { failures=$((failures + 1)); echo "FAIL: $*"; }

# Everything in a folder: names, sizes, modification times and contents.
snapshot() {
  [ -e "$1" ] || { echo absent; return; }
  (cd "$1" && find . -mindepth 1 -printf '%p %y %s %T@\n' | sort && find . -type f -print0 | sort -z | xargs -0r sha1sum) | sha1sum
}

# refused DESCRIPTION FOLDER PATTERN COMMAND...: exit 2, one line matching PATTERN, FOLDER as it was.
refused() {
  local description=$1 folder=$2 pattern=$3
  shift 3
  local before
  before=$(snapshot "$folder")
  timeout 60 "$@" >stdout.log 2>stderr.log
  local status=$? lines
  lines=$(wc -l <stderr.log)
  if [ "$status" -ne 2 ]; then failed "$description: exit status $status, expected 2: $(head -c 400 stderr.log)"; return; fi
  if [ "$lines" -ne 1 ]; then failed "$description: $lines lines on stderr, expected 1: $(head -c 400 stderr.log)"; return; fi
  if ! grep -qE -- "$pattern" stderr.log; then failed "$description: '$(cat stderr.log)' does not match '$pattern'"; return; fi
  if [ "$before" != "$(snapshot "$folder")" ]; then failed "$description: $folder changed"; return; fi
  pass "$description: $(cat stderr.log)"
}

# succeeds DESCRIPTION COMMAND...: exit 0.
succeeds() {
  local description=$1
  shift
  timeout 300 "$@" >stdout.log 2>stderr.log
  local status=$?
  if [ "$status" -ne 0 ]; then failed "$description: exit status $status: $(head -c 400 stderr.log)"; return 1; fi
  pass "$description"
}

# A PNG is whole: its signature, then its last chunk IEND.
png_whole() {
  [ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
    [ "$(tail -c 12 "$1" | head -c 8 | tail -c 4)" = IEND ]
}

make_data() { /usr/bin/python3 "$here/make_tiny_data.py" "$work" "$@"; }
make_data five 120 30 5 28 28 1       # digits 0-4 only
make_data small14 100 30 5 14 14 2    # another pixel count
make_data one_test 100 1 10 28 28 3   # a single test image
make_data huge 4 2 2 300 300 4        # larger than the pictures draw
make_data no_test 50 1 5 28 28 5
/usr/bin/python3 - <<'EOF'
import struct
# 0 test images; 0x0 images.
open("no_test/t10k-images-idx3-ubyte.gz", "wb").close()
import gzip
with gzip.open("no_test/t10k-images-idx3-ubyte.gz", "wb") as f: f.write(struct.pack(">IIII", 0x803, 0, 28, 28))
with gzip.open("no_test/t10k-labels-idx1-ubyte.gz", "wb") as f: f.write(struct.pack(">II", 0x801, 0))
import os
os.makedirs("empty_images", exist_ok=True)
for split, n in (("train", 4), ("t10k", 2)):
    with gzip.open(f"empty_images/{split}-images-idx3-ubyte.gz", "wb") as f: f.write(struct.pack(">IIII", 0x803, n, 0, 0))
    with gzip.open(f"empty_images/{split}-labels-idx1-ubyte.gz", "wb") as f: f.write(struct.pack(">II", 0x801, n) + bytes(n))
EOF
tiny=(--epochs 1 --hidden 8 --batch 32)

echo "== a finished run to refuse things against"
succeeds "train_vae on a 5-class set" "$bin/train_vae" --data idx:five "${tiny[@]}" --latent 2 --out run || exit 1
succeeds "train_classifier judge of 28x28, 5 classes" "$bin/train_classifier" --data idx:five --epochs 1 --hidden 8 --out judge

echo "== 1. --digit beyond the data's classes (was an out-of-bounds write)"
for digit in 9 7 5; do
  refused "train_cvae --digit $digit with classes 0-4" cvae-digit "^--digit: $digit is not a class" \
    "$bin/train_cvae" --data idx:five "${tiny[@]}" --digit "$digit" --out cvae-digit
done
succeeds "train_cvae --digit 4 with classes 0-4" "$bin/train_cvae" --data idx:five "${tiny[@]}" --digit 4 --out cvae-digit &&
  { png_whole cvae-digit/digit_4.png && pass "digit_4.png whole" || failed "digit_4.png missing or broken"; }

echo "== 2. no shell: folder names with quotes, spaces, \$(), backticks and a newline"
names=("q';touch PWNED;'" "bob's run" 'a "quoted" name' 'dollar $(touch PWNED2)' 'back `touch PWNED3`' $'new\nline' ' spaced out ')
for name in "${names[@]}"; do
  printable=${name//$'\n'/\\n}
  succeeds "train_vae --out '$printable'" "$bin/train_vae" --data idx:five "${tiny[@]}" --out "$name" &&
    for picture in layers.png curves.png samples.png latent.png; do
      png_whole "$name/$picture" || failed "--out '$printable': $picture missing or broken"
    done
done
succeeds "train_ae --out with quotes" "$bin/train_ae" --data idx:five "${tiny[@]}" --out "ae 'q' \$(x)"
succeeds "train_cvae --out with quotes" "$bin/train_cvae" --data idx:five "${tiny[@]}" --out "cvae 'q' \`x\`"
succeeds "train_classifier --out with quotes" "$bin/train_classifier" --data idx:five --epochs 1 --hidden 8 --out "cl 'q'"
succeeds "gradient_flow --out with quotes" "$bin/gradient_flow" --quiet --out "gf 'q';touch PWNED4;'"
if command -v dot >/dev/null; then png_whole "gf 'q';touch PWNED4;'/graph.png" || failed "gradient_flow: graph.png missing"; fi
succeeds "distributions --out with quotes" "$bin/distributions" --draws 1000 --out "dist 'q';touch PWNED5;'"
if command -v gnuplot >/dev/null; then
  png_whole "dist 'q';touch PWNED5;'/distributions.png" || failed "distributions: distributions.png missing"
fi
if ls PWNED* >/dev/null 2>&1; then failed "a folder name ran a command: $(ls PWNED*)"; else pass "no folder name ran a command"; fi

echo "== 3. a judge that does not fit the data (was an out-of-bounds read)"
refused "--judge of 784 pixels on 196-pixel data" judged "^--judge: .* 784 pixels" \
  "$bin/train_cvae" --data idx:small14 "${tiny[@]}" --judge judge/classifier.aevb --out judged
refused "--judge of 5 classes on 10-class data" judged "^--judge: .* 5 classes" \
  "$bin/train_cvae" --data mnist-subset "${tiny[@]}" --judge judge/classifier.aevb --out judged
refused "--judge that is a folder" judged "^--judge: .*is a folder" \
  "$bin/train_cvae" --data idx:five "${tiny[@]}" --judge judge --out judged

echo "== 4. failed writes are errors naming the file; every file is whole or absent"
mkdir -p full && ln -sf /dev/full full/samples.png
succeeds "samples.png a link to /dev/full: replaced whole" "$bin/train_vae" --data idx:five "${tiny[@]}" --out full &&
  { png_whole full/samples.png && pass "samples.png is a whole PNG" || failed "samples.png broken"; }
(
  trap '' XFSZ  # a file-size limit then fails writes with EFBIG, as a full disk does
  ulimit -f 40
  exec "$bin/train_vae" --data idx:five "${tiny[@]}" --out small-disk
) >stdout.log 2>stderr.log
status=$?
if [ "$status" -eq 1 ] && grep -qE "'.*small-disk/[a-z_.]+': writing failed: File too large" stderr.log; then
  pass "a disk that fills: exit 1, $(cat stderr.log)"
else
  failed "a disk that fills: exit $status, $(cat stderr.log)"
fi
for file in small-disk/*; do
  case "$file" in *.png) png_whole "$file" || failed "after the full disk: $file is not whole" ;; esac
  case "$file" in *aevb-partial*) failed "after the full disk: $file left behind" ;; esac
done

echo "== 5. one run per folder"
"$bin/train_vae" --data mnist-subset --epochs 50 --hidden 32 --out busy >busy.log 2>&1 &
first=$!
for _ in $(seq 100); do [ -f busy/metrics.jsonl ] && break; sleep 0.1; done
refused "a second run in a busy folder (the first one writes on)" no-output "^--out: 'busy' is in use by process $first \(train_vae\)" \
  "$bin/train_vae" --data mnist-subset --epochs 1 --hidden 32 --out busy
kill -TERM "$first"
wait "$first" 2>/dev/null
if ls busy | grep -q aevb-partial; then failed "SIGTERM left a partial file: $(ls busy)"; else pass "SIGTERM left no partial file"; fi

echo "== 6. what the pictures need is checked first, or handled"
succeeds "--latent 1 trains, draws and estimates" "$bin/train_vae" --data idx:five "${tiny[@]}" --latent 1 --eval-k 4 --out latent1 &&
  { tail -1 latent1/metrics.jsonl | grep -q '"test_neg_log_likelihood"' && png_whole latent1/latent.png &&
      pass "--latent 1: final line with -log p(x), latent.png" || failed "--latent 1: final line or latent.png missing"; }
succeeds "--latent 1 resumed" "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 1 --eval-k 4 \
  --out latent1 --resume latent1/checkpoint.aevb
succeeds "a test set of one image" "$bin/train_vae" --data idx:one_test "${tiny[@]}" --out one-test
refused "images larger than the pictures" huge-out "^--data: images of 300x300 pixels are larger" \
  "$bin/train_vae" --data idx:huge "${tiny[@]}" --out huge-out

echo "== 7. NaN and infinite flag values"
for flags in "--lr nan" "--lr inf" "--weight-decay nan" "--beta nan" "--beta -inf" "--free-bits nan" "--lr 1e-9"; do
  read -r flag value <<<"$flags"
  refused "train_vae $flags" nan-out "^$flag: " "$bin/train_vae" --data idx:five "$flag" "$value" --out nan-out
done
refused "train_ae --noise nan" nan-out "^--noise: 'nan' is not finite" "$bin/train_ae" --data idx:five --noise nan --out nan-out
refused "fit_mlp --lr nan" no-output "^--lr: 'nan' is not finite" "$bin/fit_mlp" --lr nan
"$bin/fit_mlp" --lr 10 --epochs 3 --samples 512 >stdout.log 2>stderr.log
status=$?
if [ "$status" -eq 1 ] && grep -q "training diverged at epoch " stderr.log; then pass "fit_mlp --lr 10 stops: $(cat stderr.log)"
else failed "fit_mlp --lr 10: exit $status, $(cat stderr.log)"; fi

echo "== 8. start-up errors leave an earlier run as it was"
refused "AEVB_ISA=bogus" run "^AEVB_ISA=bogus: " env AEVB_ISA=bogus "$bin/train_vae" --data idx:five --out run
refused "--beta nan" run "^--beta: " "$bin/train_vae" --data idx:five --beta nan --out run
refused "0 test images" run "^--data: .*test set holds no image" "$bin/train_vae" --data idx:no_test --out run
refused "train_ae --noise nan on the VAE's folder" run "^--noise: " "$bin/train_ae" --data idx:five --noise nan --out run
refused "OMP_NUM_THREADS=100000" run "^OMP_NUM_THREADS=100000: expected a thread count in \[1 - 1024\]" \
  env OMP_NUM_THREADS=100000 "$bin/train_vae" --data idx:five --out run
refused "OMP_NUM_THREADS=20000" run "^OMP_NUM_THREADS=20000: " env OMP_NUM_THREADS=20000 "$bin/train_vae" --data idx:five --out run
refused "--out is a file" judge "^--out: '.*judge/classifier.aevb' is a regular file, not a folder" \
  "$bin/train_vae" --data idx:five --out "$work/judge/classifier.aevb"
mkdir -p collide/latent.png
refused "a folder where latent.png goes" collide "^--out: 'collide/latent.png' is a folder" \
  "$bin/train_vae" --data idx:five --out collide

echo "== 9. FIFOs are refused, never read"
mkfifo pipe.mat pipe.aevb
mkdir -p fifo_idx && cp five/* fifo_idx/ && rm fifo_idx/train-images-idx3-ubyte.gz && mkfifo fifo_idx/train-images-idx3-ubyte
refused "an IDX file that is a FIFO" fifo-out "^--data: '.*train-images-idx3-ubyte' is a named pipe" \
  "$bin/train_vae" --data idx:fifo_idx --out fifo-out
refused "a Frey file that is a FIFO" fifo-out "^--data: 'pipe.mat' is a named pipe" "$bin/train_vae" --data frey:pipe.mat --out fifo-out
refused "--resume a FIFO" fifo-out "^--resume: checkpoint 'pipe.aevb' is a named pipe" \
  "$bin/train_vae" --data idx:five --resume pipe.aevb --out fifo-out

echo "== 10. reads are bounded"
/usr/bin/python3 - <<'EOF'
import gzip, shutil, struct, zlib, os
# A gzip bomb: an IDX header claiming 10 images, then 512 MiB of zeros, in about 0.5 MB.
os.makedirs("bomb", exist_ok=True)
for name in os.listdir("five"):
    shutil.copy(os.path.join("five", name), "bomb")
compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
with open("bomb/train-images-idx3-ubyte.gz", "wb") as f:
    f.write(compressor.compress(struct.pack(">IIII", 0x803, 10, 28, 28) + bytes(7840)))
    zeros = bytes(1 << 20)
    for _ in range(512):
        f.write(compressor.compress(zeros))
    f.write(compressor.flush())
EOF
(
  [ -n "${ASAN_OPTIONS:-}${AEVB_SANITIZED:-}" ] || ulimit -v 1500000  # 1.5 GB: inflating the bomb whole would not fit
  exec "$bin/train_vae" --data idx:bomb --out bomb-out
) >stdout.log 2>stderr.log
status=$?
if [ "$status" -eq 2 ] && grep -q "^--data: '.*bomb/train-images-idx3-ubyte.gz': .*unexpected bytes after the data" stderr.log; then
  pass "a gzip bomb is stopped past its header's size: $(cat stderr.log)"
else failed "gzip bomb: exit $status, $(head -c 300 stderr.log)"; fi
refused "frey:/dev/zero" zero-out "^--data: '/dev/zero' is a character device" "$bin/train_vae" --data frey:/dev/zero --out zero-out
refused "--resume /dev/zero" zero-out "^--resume: checkpoint '/dev/zero' is a character device" \
  "$bin/train_vae" --data idx:five --resume /dev/zero --out zero-out
truncate -s 100G sparse.aevb  # never read: refused by its size
refused "--resume a 100 GB sparse file" zero-out "^--resume: checkpoint 'sparse.aevb' holds 107374182400 bytes, more than" \
  "$bin/train_vae" --data idx:five --resume sparse.aevb --out zero-out
mkdir -p dir_idx && cp five/* dir_idx/ && rm dir_idx/t10k-images-idx3-ubyte.gz && mkdir dir_idx/t10k-images-idx3-ubyte.gz
refused "a folder where an IDX file should be" zero-out "^--data: '.*t10k-images-idx3-ubyte.gz' is a folder" \
  "$bin/train_vae" --data idx:dir_idx --out zero-out

echo "== 11. resume refuses another configuration, and counters no run can reach"
for flags in "--activation tanh" "--posterior laplace" "--likelihood gaussian" "--seed 5" "--binarize static" "--lr 0.01"; do
  read -r flag value <<<"$flags"
  refused "resume with $flags" run "^--resume: '.*' was trained with $flag .*; this run has $flag $value" \
    "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 2 --resume run/checkpoint.aevb --out run "$flag" "$value"
done
refused "resume on other data" run "^--resume: .* was trained with --data 120 training and 30 test images" \
  "$bin/train_vae" --data idx:small14 --epochs 2 --hidden 8 --batch 32 --latent 2 --resume run/checkpoint.aevb --out run
/usr/bin/python3 - <<'EOF'
import struct, zlib
# The same checkpoint, its epoch counter set to 2^32 - 1 and the header checksum redone.
b = bytearray(open("run/checkpoint.aevb", "rb").read())
counters = struct.unpack_from("<I", b, 12)[0]
at = 20
for _ in range(counters):
    length = struct.unpack_from("<H", b, at)[0]
    name = b[at + 2:at + 2 + length].decode()
    at += 2 + length
    if name == "epoch":
        struct.pack_into("<Q", b, at, 2**32 - 1)
    at += 8
texts = struct.unpack_from("<I", b, at)[0]
at += 4
for _ in range(2 * texts):
    at += 2 + struct.unpack_from("<H", b, at)[0]
struct.pack_into("<I", b, at, zlib.crc32(bytes(b[:at])))
open("forged.aevb", "wb").write(b)
EOF
refused "a checksum-valid checkpoint claiming epoch 2^32-1" run "^--resume: 'forged.aevb' claims epoch 4294967295" \
  "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 2 --resume forged.aevb --out run

echo "== 12. a malformed metrics.jsonl is refused by file and line"
cp -r run bad-metrics
sed -i '1s/"epoch":1,/"epoch":"x1",/' bad-metrics/metrics.jsonl
grep -q '"epoch":"x1"' bad-metrics/metrics.jsonl || { echo "FAIL: the malformed-epoch edit did not apply"; exit 1; }
refused "resume with a malformed epoch" bad-metrics "^--resume: 'bad-metrics/metrics.jsonl' line 1 has no \"epoch\"" \
  "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 2 --resume bad-metrics/checkpoint.aevb --out bad-metrics

echo "== 13. partial files do not outlive their run"
touch run/checkpoint.aevb.aevb-partial.999999
succeeds "resume after a run killed mid-write" "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 2 \
  --resume run/checkpoint.aevb --out run
if ls run | grep -q aevb-partial; then failed "the killed run's partial file is still there"; else pass "the next run removed the partial file"; fi
if grep -q "install gnuplot" stdout.log; then failed "a false 'install gnuplot'"; fi
succeeds "resume with nothing left to train" "$bin/train_vae" --data idx:five --epochs 2 --hidden 8 --batch 32 --latent 2 \
  --resume run/checkpoint.aevb --out run
if grep -q "install gnuplot" stdout.log && command -v gnuplot >/dev/null; then failed "a false 'install gnuplot' with nothing to train"
else pass "no false 'install gnuplot'"; fi

echo "== 14. degenerate data, refused early by name"
refused "0x0 images" z-out "^--data: '.*train-images-idx3-ubyte.gz': images of 0x0 pixels" \
  "$bin/train_vae" --data idx:empty_images --out z-out
refused "aevb-data info on an empty test set" no-output "test set holds no image" "$bin/aevb-data" info idx:no_test
cp -r five multi && /usr/bin/python3 -c "
import gzip
d = gzip.decompress(open('five/train-images-idx3-ubyte.gz', 'rb').read())
open('multi/train-images-idx3-ubyte.gz', 'wb').write(gzip.compress(d[:1000]) + gzip.compress(d[1000:]))"
succeeds "multi-member gzip is read" "$bin/aevb-data" info idx:multi
cp -r five trailing && /usr/bin/python3 -c "
d = open('five/train-images-idx3-ubyte.gz', 'rb').read()
open('trailing/train-images-idx3-ubyte.gz', 'wb').write(d + b'GARBAGE!')"
refused "gzip with trailing garbage" no-output "8 bytes after the end of the gzip data.* are not a gzip member" "$bin/aevb-data" info idx:trailing

echo "== 15. AEVB_ANOMALY names where a diverging run's bad value came from"
AEVB_ANOMALY=1 "$bin/train_vae" --data idx:five --epochs 30 --hidden 16 --batch 32 --lr 10 --out anomaly >stdout.log 2>stderr.log
status=$?
if [ "$status" -eq 1 ] && grep -qE "training diverged.*anomaly: (op|it was made by op) " stderr.log; then
  pass "AEVB_ANOMALY=1 on divergence: $(head -1 stderr.log | cut -c1-200)"
else failed "AEVB_ANOMALY=1: exit $status, $(head -c 400 stderr.log)"; fi

echo "== 17. smaller ones"
refused "--hidden ,,, names --hidden" vae-out "^--hidden: ',,,' is not a list" "$bin/train_vae" --hidden ,,, --epochs 1
refused "a seed above 2^64 - 1" vae-out "^--seed: '18446744073709551616' is above" "$bin/train_vae" --seed 18446744073709551616
refused "--out ''" vae-out "^--out: must name a folder" "$bin/train_vae" --data idx:five --out ''
"$bin/train_vae" --help >stdout.log
grep -q "FLOAT in \[1e-08 - 10\]" stdout.log && grep -q "(default 0.001)" stdout.log &&
  pass "--help prints --lr's real range and its default" || failed "--help: --lr's range or default missing"
succeeds "train_classifier --threads 2" "$bin/train_classifier" --data idx:five --epochs 1 --hidden 8 --threads 2 --out judge2

echo "hostile inputs: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
