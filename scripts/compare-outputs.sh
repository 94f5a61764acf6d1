#!/usr/bin/env bash
# Checks that two builds of fairground write the same outputs, byte for byte: the check every
# performance change in docs/performance.md passes before it is measured.
#
#   scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#
# Runs reduced copies of the shipped scenarios (8,000 requests a day, 2 replicates), plus a
# throttle-paced quickstart, a zero-delay cohort-objectives and reduced shapes of the three bench
# workloads (marketplace-10k and a 200,000-advertiser million-advertisers at 20,000 requests,
# auctionnet-shape at 50,000), with each binary, then `diff -r` of the two output folders — every
# file, not only metrics.json. Exit status 0 when identical, 1 when not. About 40 s on 2 cores.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: scripts/compare-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]" >&2
  exit 2
fi
old=$(realpath "$1"); new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work/scenarios"
src=$root/scenarios; scen=$work/scenarios

reduce() { sed -E 's/^(  requestsPerDay:).*/\1 8000/; s/^replicates:.*/replicates: 2/' "$1"; }
for f in cohort-objectives drift exploration fairness-controls quickstart small-advertisers personal-rankers; do
  reduce "$src/$f.yaml" > "$scen/$f.yaml"
done
sed -E 's/^name: .*/name: quickstart-throttle/; s/^pacing:.*/pacing: throttle/' "$scen/quickstart.yaml" > "$scen/quickstart-throttle.yaml"
sed -E 's/^name: .*/name: cohort-zero-delay/; s/^truth:$/truth:\n  conversionDelayHours: 0/' "$scen/cohort-objectives.yaml" > "$scen/cohort-zero-delay.yaml"
grep -q 'conversionDelayHours: 0' "$scen/cohort-zero-delay.yaml" && grep -q '^pacing: throttle' "$scen/quickstart-throttle.yaml"
bench() { sed -E "s/requestsPerDay: [0-9]+/requestsPerDay: $2/; s/^replicates:.*/replicates: 1/; s/count: 1000000/count: 200000/" "$src/bench/$1.yaml"; }
bench marketplace-10k 20000 > "$scen/marketplace-10k.yaml"
bench auctionnet-shape 50000 > "$scen/auctionnet-shape.yaml"
bench million-advertisers 20000 > "$scen/million-advertisers.yaml"

for side in old new; do
  bin=$old; [ $side = new ] && bin=$new
  rm -rf "${work:?}/$side"; mkdir -p "$work/$side"
  for f in "$scen"/*.yaml; do
    (cd "$root" && "$bin" run "$f" --out "$work/$side/$(basename "$f" .yaml)" --quiet)
  done
done
# The lock files runs leave beside their folders (.NAME.lock) are not outputs.
if diff -r -x ".*.lock" "$work/old" "$work/new" > "$work/diff.txt"; then
  echo "identical: $(ls "$scen" | wc -l) scenarios, $(find "$work/new" -type f ! -name ".*.lock" | wc -l) files ($work)"
else
  echo "outputs differ ($work/diff.txt):" >&2
  diff -rq -x ".*.lock" "$work/old" "$work/new" >&2 || true
  exit 1
fi
