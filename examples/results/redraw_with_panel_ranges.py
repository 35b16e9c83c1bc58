# Redraws a figure from its run's own gnuplot script with each panel's vertical range
# as the fixed figure_runs.h now sets it (the last two decades), for runs made before.
import json, re, subprocess, sys
folder, name, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
low = {}
for line in open(f"{folder}/{name}.jsonl"):
    r = json.loads(line)
    if r["samples"] >= max(1000, budget // 100):
        low[r["panel"]] = min(low.get(r["panel"], 1e9), r["train"], r["test"])
script = open(f"{folder}/{name}.gnuplot").read()
script = re.sub(r"\nset yrange \[[^\]]*\]\n", "\n", script, count=1)
script = re.sub(r"set title '([^']*)'\nplot", lambda m: f"set title '{m.group(1)}'\nset yrange [{low[m.group(1)] - 5:.6g}:*]\nplot", script)
open(f"{folder}/{name}.redrawn.gnuplot", "w").write(script)
subprocess.run(["gnuplot", "-e", f"output_file='{sys.argv[4]}'", f"{name}.redrawn.gnuplot"], cwd=folder, check=True)
