#!/usr/bin/env bash
# A throw-away one-node Slurm cluster, started inside this machine, that runs deploy/slurm-sweep.sh
# as a job array over a shrunk exploration sweep: the array's tasks (one shard each) share one
# output folder; one running task is requeued after it finished a cell (as a preempted node would
# cause) and, run again, must skip that cell; a merge job that depends on the array (afterok) runs
# once every task has succeeded; its sweep.json must be byte-identical to an unsharded local run.
# Everything lives in a temporary folder; every daemon started here is stopped by its PID on exit.
#   make test-cluster                       (builds first; or bash scripts/test-cluster.sh)
#   KEEP=1 bash scripts/test-cluster.sh     keeps the temp folder (config, logs) for a look
# Needs root or sudo (apt-get, and Slurm runs the jobs as root here). No cgroups, no systemd, no
# accounting database: sacct is not available, so job states come from squeue and scontrol.
set -euo pipefail

# slurmd double-forks each slurmstepd, which is then re-parented to PID 1; in a container whose
# PID 1 is no real init, the ended ones linger as zombies. As a "child subreaper"
# (prctl PR_SET_CHILD_SUBREAPER = 36, kept across exec) this shell adopts and reaps them instead.
# perl is always on Debian; the syscall number is per architecture.
if [ -z "${TEST_CLUSTER_REAPER:-}" ]; then
  case $(uname -m) in x86_64) nr=157 ;; aarch64) nr=167 ;; *) nr="" ;; esac
  if [ -n "$nr" ] && command -v perl >/dev/null 2>&1; then
    export TEST_CLUSTER_REAPER=1
    exec perl -e "syscall($nr, 36, 1, 0, 0, 0) == 0 or warn qq{test-cluster: prctl failed: \$!\n};"' exec @ARGV or die' \
      bash "$0" "$@"
  fi
fi

# --- What to run ----------------------------------------------------------------------------
REPO="$(cd "$(dirname "$0")/.." && pwd)"
FAIRGROUND="${FAIRGROUND:-$REPO/.build/release/fairground}"   # make test-cluster builds it first
ARRAY="${ARRAY:-0-2}"            # sbatch --array: three shards
OUT_DIR=""                       # the tasks' shared output folder: <temp dir>/out
TIME_LIMIT="${TIME_LIMIT:-270}"  # seconds for everything after the install
CTLD_PORT="${CTLD_PORT:-6817}"   # slurmctld's and slurmd's ports (127.0.0.1 only)
SLURMD_PORT="${SLURMD_PORT:-6818}"
KEEP="${KEEP:-0}"

say() { echo "test-cluster: $*" >&2; }
T=""             # the temp dir, once made
NODE=""
PIDS=()          # "name:pid" of every daemon started here, in starting order
FAILED_MSG=""
JOBIDS=()        # jobs submitted here, cancelled on the way out

# --- Stopping, on any exit: jobs first, then the daemons by PID, newest first -----------------
log_tails() {
  [ -n "$T" ] || return 0
  # The daemons run in the foreground, so their *.out (stderr) holds everything their log files
  # hold, and also what they said before dying on a bad config.
  for f in "$T"/log/munged.log "$T"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 20 "$f" >&2
  done
}
# The PIDs, other than this shell's, of processes holding a file in the temp dir open: ours
# (the daemons, slurmstepd and the jobs' processes all write our logs).
holders() {
  [ -n "$T" ] || return 0
  find /proc/[0-9]*/fd -maxdepth 1 -lname "$T/*" 2>/dev/null | cut -d/ -f3 \
    | grep -vx -e "$$" -e "$BASHPID" | sort -u | xargs
}
stop_all() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ $rc -ne 0 ]; then
    say "FAILED${FAILED_MSG:+: $FAILED_MSG}"
    log_tails
  fi
  # Cancelling lets slurmd's step daemons (slurmstepd) end by themselves before slurmd goes.
  if [ ${#JOBIDS[@]} -gt 0 ]; then
    local ids; ids=$(IFS=,; echo "${JOBIDS[*]}")
    timeout 10 scancel "${JOBIDS[@]}" 2>/dev/null
    for _ in $(seq 1 20); do
      [ -z "$(timeout 10 squeue -h -j "$ids" 2>/dev/null)" ] && break; sleep 0.5
    done
  fi
  local seen; seen=$(holders)   # the daemons and any slurmstepd/job process still alive
  # Each live slurmstepd holds a socket <node>_<job>.<step> in the spool dir; let them go first.
  for _ in $(seq 1 30); do
    [ -n "$T" ] && compgen -G "$T/spool/${NODE}_*" >/dev/null || break; sleep 0.5
  done
  local i name pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    name=${PIDS[$i]%%:*}; pid=${PIDS[$i]#*:}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then say "$name ($pid) ignored SIGTERM; killing it"; kill -KILL "$pid"; fi
    wait "$pid" 2>/dev/null
  done
  # Anything still holding our files gets a moment, then is ended by its PID.
  local rest=""
  for _ in $(seq 1 20); do rest=$(holders); [ -z "$rest" ] && break; sleep 0.25; done
  if [ -n "$rest" ]; then say "killing leftover processes $rest"; kill -KILL $rest; seen="$seen $rest"; fi
  # An ended slurmstepd is a zombie until its adoptive parent (this shell as subreaper, else
  # PID 1) reaps it: wait for that, so that nothing of ours shows in ps afterwards.
  for _ in $(seq 1 20); do
    rest=""; for pid in $seen; do [ -e "/proc/$pid" ] && rest="$rest $pid"; done
    [ -z "$rest" ] && break; sleep 0.25
  done
  [ -z "$rest" ] || say "note: process(es)$rest ended but are not reaped yet"
  if [ -n "$T" ]; then
    if [ "$KEEP" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
  fi
  exit $rc
}
trap stop_all EXIT
trap 'FAILED_MSG=${FAILED_MSG:-interrupted}; exit 130' INT TERM
fail() { FAILED_MSG="$*"; exit 1; }

# --- 1. Packages -------------------------------------------------------------------------------
need=()
command -v munged >/dev/null 2>&1 || need+=(munge)
command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 \
  && command -v sbatch >/dev/null 2>&1 || need+=(slurm-wlm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing ${need[*]}"
  $sudo apt-get update -qq || fail "apt-get update failed"
  # The packages' own services are never used (none start without systemd anyway): we run our own.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >/dev/null || fail "apt-get install ${need[*]} failed"
fi
[ "$(id -u)" -eq 0 ] || fail "run as root (or via sudo): the daemons and, with SlurmUser=root, the jobs need it"

START=$(date +%s)
DEADLINE=$((START + TIME_LIMIT))
left() { echo $((DEADLINE - $(date +%s))); }
# wait_for SECONDS WHAT CMD...: polls CMD twice a second until it succeeds; fails after SECONDS or
# at the overall deadline, whichever comes first. WHAT is evaluated again for the message.
wait_for() {
  local secs=$1 what=$2; shift 2
  local until=$(( $(date +%s) + secs ))
  [ $until -gt $DEADLINE ] && until=$DEADLINE
  while ! "$@"; do
    [ "$(date +%s)" -ge $until ] && fail "timed out after ${secs}s waiting for $(eval "echo \"$what\"")"
    sleep 0.5
  done
}
# Client commands retry for a while when slurmctld is down; keep each one bounded.
sq() { timeout 15 squeue "$@" 2>/dev/null; }
sc() { timeout 15 scontrol "$@"; }

# Another Slurm (or anything) on our ports would get our jobs or steal our daemons' sockets.
for port in "$CTLD_PORT" "$SLURMD_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is already in use (another slurmctld/slurmd?); set CTLD_PORT/SLURMD_PORT"
  fi
done

# --- 2. Key, config and daemons in a temp dir --------------------------------------------------
T=$(mktemp -d /tmp/fairground-slurm.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/munge" "$T/key" "$T/state" "$T/spool" "$T/log" "$T/run"
chmod 755 "$T/munge"; chmod 700 "$T/key"   # every client must reach the socket; only munged the key
OUT_DIR="$T/out"
mkdir -p "$OUT_DIR"

NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
REAL_MEM=$(( MEM_MB * 95 / 100 ))   # below what slurmd finds, or it drains the node (Low RealMemory)

# Our own munge key and munged on our own socket: /etc/munge and any system munged are left alone.
KEY="$T/key/munge.key"
[ -f "$KEY" ] || { dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none; chmod 400 "$KEY"; }
SOCK="$T/munge/munge.socket.2"

export SLURM_CONF="$T/slurm.conf"   # read by the daemons, the client commands and the jobs
cat >"$SLURM_CONF" <<EOF
# Written by scripts/test-cluster.sh: one node, no cgroups, no accounting.
ClusterName=fairground-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start again
# (BeginTime = requeue time + cred_expire + 1); the default 120 s made a requeue cost ~3 minutes.
AuthInfo=socket=$SOCK,cred_expire=10
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MaxArraySize=100001
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MEM State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# Foreground mode (-F / -D) as background jobs of this shell: $! is the daemon itself.
munged -F --key-file="$KEY" --socket="$SOCK" --pid-file="$T/run/munged.pid" \
  --log-file="$T/log/munged.file.log" --seed-file="$T/key/munge.seed" >"$T/log/munged.log" 2>&1 &
PIDS+=("munged:$!")
wait_for 10 "munged's socket" test -S "$SOCK"
munge -n -S "$SOCK" | unmunge -S "$SOCK" >/dev/null || fail "a munge credential does not round-trip"

slurmctld -D -c -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &   # -c: no old state to recover
PIDS+=("slurmctld:$!")
slurmd -D -N "$NODE" -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
PIDS+=("slurmd:$!")
say "$(sinfo -V 2>/dev/null || echo slurm): started ${PIDS[*]}, SLURM_CONF=$SLURM_CONF"

# --- 3. Wait for the node -----------------------------------------------------------------------
node_idle() { [ "$(timeout 15 sinfo -h -N -n "$NODE" -o %T 2>/dev/null)" = idle ]; }
wait_for 60 "node $NODE to be idle (sinfo says: \$(timeout 15 sinfo -h -N -o '%N %T %E' 2>&1))" node_idle
say "node up: $(sinfo -h -N -o '%N %T cpus=%c mem=%mMB')"

# --- 4. The sweep as an array, one requeue, the merge -------------------------------------------
[ -x "$FAIRGROUND" ] || fail "no fairground binary at $FAIRGROUND (run make build first)"
SWEEP="$T/cluster-sweep.yaml"
cat >"$SWEEP" <<EOF
# The exploration sweep, shrunk for the cluster test: nine rates, two replicates.
name: cluster-sweep
base: $REPO/scenarios/exploration-sweep-base.yaml
replicates: 2
policy: explorer
grid:
  policies[0].explorer.rate: [0, 0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3]
  horizon.requestsPerDay: [20000]
objective:
  maximize: revenue
  subjectTo:
    - {metric: tiers.new.spendDelivery, atLeast: 0.3}
EOF
export SWEEP_FILE="$SWEEP" OUT_DIR FAIRGROUND   # sbatch passes the environment on (--export=ALL)
JOBID=$(cd "$REPO" && timeout 30 sbatch --parsable --array="$ARRAY" --cpus-per-task=1 --mem=1G \
  --output="$T/log/job-%A_%a.out" deploy/slurm-sweep.sh) || fail "sbatch refused the array"
JOBIDS+=("$JOBID")
say "array job $JOBID (--array=$ARRAY) of deploy/slurm-sweep.sh submitted"

running_task() { sq -h -j "$JOBID" -t RUNNING -o %K | head -1; }
have_running() { [ -n "$(running_task)" ]; }
wait_for 60 "a running task of job $JOBID (squeue: \$(sq -h -j $JOBID))" have_running
VICTIM=$(running_task)
# The victim shard's cells, from the plan every task writes first: index % tasks == shard.
TASKS=$(echo "${ARRAY%%\%*}" | tr ',' '\n' | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done | wc -l)
victim_hashes() {
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); n,k=int(sys.argv[2]),int(sys.argv[3]); print(" ".join(c["hash"] for c in p["cells"] if c["index"]%n==k))' \
    "$OUT_DIR/sweep-plan.json" "$TASKS" "$VICTIM" 2>/dev/null
}
victim_has_a_cell() { for h in $(victim_hashes); do [ -f "$OUT_DIR/cells/$h.json" ] && return 0; done; return 1; }
wait_for 90 "task $VICTIM's first finished cell" victim_has_a_cell
sc requeue "${JOBID}_${VICTIM}" || fail "scontrol requeue ${JOBID}_${VICTIM} was refused (had it finished already?)"
say "requeued running task ${JOBID}_${VICTIM} after its first cell: $(sc -o show job "${JOBID}_${VICTIM}" \
  | grep -o 'JobState=[^ ]*\|Restarts=[^ ]*' | tr '\n' ' ')"

MERGED="$T/merged"
DEPID=$(cd "$REPO" && timeout 30 sbatch --parsable --dependency=afterok:"$JOBID" --job-name=fairground-merge \
  --cpus-per-task=1 --mem=1G --output="$T/log/merge-%j.out" --wrap "$FAIRGROUND merge $OUT_DIR --out $MERGED") \
  || fail "sbatch refused the merge job"
JOBIDS+=("$DEPID")
say "merge job $DEPID (afterok:$JOBID) submitted"

# The same sweep, unsharded, on this machine while the cluster works (the comparison's other side).
"$FAIRGROUND" sweep "$SWEEP" --out "$T/local" --jobs 1 --quiet || fail "the local unsharded sweep failed"

# squeue lists only jobs that have not ended; scontrol keeps ended ones for MinJobAge (300 s).
all_gone() { [ -z "$(sq -h -j "$JOBID,$DEPID")" ] && [ -n "$(sc -o show job "$DEPID" 2>/dev/null)" ]; }
wait_for "$(left)" "the array and job $DEPID to end (squeue: \$(sq -h))" all_gone

# --- 5. Check what happened ------------------------------------------------------------------------
say "array tasks: $(sc -o show job "$JOBID" | grep -o 'JobState=[^ ]*' | sort | uniq -c | xargs)"
bad=$(sc -o show job "$JOBID" | grep -v 'JobState=COMPLETED' || true)
[ -z "$bad" ] || fail "array tasks not COMPLETED: $bad"
restarts=$(sc -o show job "${JOBID}_${VICTIM}" | grep -o 'Restarts=[0-9]*')
[ "$restarts" = Restarts=1 ] || fail "task $VICTIM shows $restarts, expected Restarts=1"
dep_state=$(sc -o show job "$DEPID" | grep -o 'JobState=[^ ]*')
[ "$dep_state" = JobState=COMPLETED ] || fail "merge job $DEPID ended $dep_state"
# The requeued task's log (appended across runs) shows its second run skipping finished cells.
LOG="$T/log/job-${JOBID}_${VICTIM}.out"
[ "$(grep -c '^fairground-sweep: task' "$LOG")" = 2 ] || fail "task $VICTIM's log does not show two runs: $(tr '\n' '|' <"$LOG")"
resumed=$(grep 'already finished' "$LOG" | tail -1)
skipped=$(echo "$resumed" | sed -n 's/.* \([0-9][0-9]*\) already finished.*/\1/p')
[ -n "$skipped" ] && [ "$skipped" -ge 1 ] || fail "task $VICTIM's second run skipped no finished cell: '$resumed'"
say "task $VICTIM ran again and skipped $skipped finished cell(s): $resumed"
cmp "$MERGED/sweep.json" "$T/local/sweep.json" || fail "the merged sweep.json differs from the unsharded local run"
cmp "$OUT_DIR/sweep.json" "$T/local/sweep.json" || fail "the shared folder's sweep.json differs from the unsharded local run"
say "OK in $(( $(date +%s) - START ))s: a three-task array of deploy/slurm-sweep.sh, task $VICTIM requeued mid-run" \
  "and resumed, the afterok merge ran, and its sweep.json is byte-identical to the unsharded run"
