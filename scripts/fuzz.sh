#!/usr/bin/env bash
# A mutation fuzzer over the scenario and sweep loaders and the CSV reader, driving the built CLI.
#
#   scripts/fuzz.sh [SECONDS] [BINARY]        (default: 300 s, .build/release/fairground)
#
# Each round takes a file of the hostile-input corpus (Tests/FairgroundTests/Hostile) or a shipped
# scenario, mutates it (byte flips, deleted or duplicated lines, spliced-in lines of another file,
# huge/negative/NaN numbers, quotes and commas, truncation) and runs `fairground validate` on it —
# or, for a CSV, `fairground report` on a finished run with that file replaced. Any exit code other
# than the documented ones (0, 64, 65, 66, 73), or a run longer than 20 s, is a finding: the input
# is kept in fuzz-findings/ with the command and output. Add each finding to the corpus
# (Tests/FairgroundTests/Hostile/cases.txt) once fixed. Not part of `make test`. Why not libFuzzer:
# `swiftc -sanitize=fuzzer` needs the loaders built as one fuzz binary outside SwiftPM; driving
# the real binary checks the real exit codes, at a few hundred inputs a minute.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
bin=$(realpath "${2:-$root/.build/release/fairground}")
corpus=$root/Tests/FairgroundTests/Hostile
work=$(mktemp -d)
findings=$root/fuzz-findings
mkdir -p "$findings"
trap 'rm -rf "$work"' EXIT

"$bin" run "$corpus/scenarios/small.yaml" --out "$work/base" --jobs 1 --quiet || { echo "base run failed" >&2; exit 2; }
# Mutants are written beside copies of the originals (sweeps name their base relative to themselves).
cp -a "$corpus" "$work/corpus"; cp -a "$root/scenarios" "$work/shipped"
mapfile -t yamls < <(ls "$work"/corpus/scenarios/*.yaml "$work"/corpus/sweeps/*.yaml "$work"/shipped/*.yaml)
csvs=(advertisers.csv timeseries.csv ramp.csv calibration.csv)
values=(1e308 -1 0 nan .inf 99999999999999999999 1e-320 '""' '"a,b"' '"x\ny"' '[1, [2]]' '{a: 1}' '~' '&a 1' '*a' '"../../x"' "'''" '-' '? k' 2147483648)

mutate_yaml() {  # $1 input, $2 output
  python3 - "$1" "$2" "${values[@]}" <<'PY'
import random, sys
src, dst, values = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(src, encoding="utf-8", errors="replace").read().split("\n")
for _ in range(random.randint(1, 4)):
    op = random.randrange(7)
    i = random.randrange(max(len(lines), 1))
    if not lines: lines = [""]
    if op == 0 and ":" in lines[i]:                      # a value replaced
        k = lines[i].split(":")[0]; lines[i] = f"{k}: {random.choice(values)}"
    elif op == 1: del lines[i]                          # a line deleted
    elif op == 2: lines.insert(i, lines[random.randrange(len(lines))])   # a line duplicated
    elif op == 3:                                       # one byte changed
        s = lines[i]
        if s:
            j = random.randrange(len(s)); lines[i] = s[:j] + random.choice(" \t:,{}[]-#'\"&*!|>%@`") + s[j+1:]
    elif op == 4: lines[i] = " " * random.randint(0, 4) + lines[i].lstrip()   # indentation changed
    elif op == 5: lines = lines[:i]                      # truncated
    else:                                               # a number made extreme
        lines[i] = "".join(random.choice(["1e308", "-5", "0"]) if c.isdigit() and random.random() < .3 else c for c in lines[i])
open(dst, "w", encoding="utf-8").write("\n".join(lines))
PY
}

mutate_csv() {  # $1 input, $2 output
  python3 - "$1" "$2" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
for _ in range(random.randint(1, 3)):
    op = random.randrange(5)
    if not data: break
    i = random.randrange(len(data))
    if op == 0: data = data[:i]                                   # truncated
    elif op == 1: data[i:i] = random.choice([b",", b"\"", b"\r\n", b"\n", b"abc", b"", b"\xff", b"1e999"])
    elif op == 2: del data[i]
    elif op == 3: data[i] = random.randrange(256)
    else:
        lines = data.split(b"\n"); j = random.randrange(len(lines)); lines.insert(j, lines[random.randrange(len(lines))]); data = bytearray(b"\n".join(lines))
open(sys.argv[2], "wb").write(bytes(data))
PY
}

end=$((SECONDS + seconds)); rounds=0; found=0
while [ $SECONDS -lt $end ]; do
  rounds=$((rounds + 1))
  case=$work/case-$rounds; mkdir -p "$case"
  if [ $((RANDOM % 3)) -eq 0 ]; then
    cp -a "$work/base" "$case/run"; csv=${csvs[$((RANDOM % 4))]}
    mutate_csv "$work/base/$csv" "$case/run/$csv"
    cmd=(report "$case/run")
  else
    src=${yamls[$((RANDOM % ${#yamls[@]}))]}
    input=$(dirname "$src")/fuzz-$rounds.yaml
    mutate_yaml "$src" "$input"
    cp "$input" "$case/input.yaml"
    cmd=(validate "$input")
  fi
  timeout -s KILL 20 "$bin" "${cmd[@]}" > "$case/out" 2> "$case/err"; rc=$?
  [ -n "${input:-}" ] && rm -f "$input"; input=
  case $rc in
    0|64|65|66|73) rm -rf "$case" ;;
    *) found=$((found + 1)); echo "finding: exit $rc: fairground ${cmd[*]}"; echo "exit $rc: fairground ${cmd[*]}" > "$case/cmd"
       mv "$case" "$findings/$(date +%s)-$rounds" ;;
  esac
done
echo "fuzz: $rounds inputs in $seconds s, $found findings (kept in $findings)"
[ $found -eq 0 ]
