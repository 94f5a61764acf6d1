#!/usr/bin/env bash
# A throw-away one-node Slurm cluster, started inside this machine, that runs a job array the way
# deploy/slurm-sweep.sh is meant to be run: the array's tasks share one output folder, one running
# task is requeued (as a preempted or lost node would cause) and must run again, and a job that
# depends on the array (afterok) runs once every task has succeeded. Everything lives in a temporary
# folder; every daemon started here is stopped again by its PID on any exit.
#   bash scripts/test-cluster.sh            (later: make test-cluster)
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

# --- What to run (the knobs for wiring in the real sweep) ------------------------------------
JOB_SCRIPT="${JOB_SCRIPT:-}"     # the array's batch script; empty: a stand-in made in the temp dir
ARRAY="${ARRAY:-0-2}"            # sbatch --array
OUT_DIR="${OUT_DIR:-}"           # the tasks' shared output folder; empty: <temp dir>/out
MERGE_CMD="${MERGE_CMD:-}"       # what the afterok job runs; empty: concatenate the stand-in's markers
TASK_SLEEP="${TASK_SLEEP:-8}"    # seconds each stand-in task sleeps
TIME_LIMIT="${TIME_LIMIT:-240}"  # seconds for everything after the install
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
[ -n "$OUT_DIR" ] || OUT_DIR="$T/out"
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

# --- 4. The array, one requeue, the dependent job -----------------------------------------------
if [ -z "$JOB_SCRIPT" ]; then
  JOB_SCRIPT="$T/stand-in.sh"
  CHECK_MARKERS=1
  cat >"$JOB_SCRIPT" <<EOF
#!/usr/bin/env bash
#SBATCH --job-name=test-array
#SBATCH --cpus-per-task=1
#SBATCH --mem=100M
# Stand-in for deploy/slurm-sweep.sh: a line when a run starts and one when it ends.
# SLURM_RESTART_COUNT is unset on a first run and 1, 2, ... after each requeue.
set -euo pipefail
m="$OUT_DIR/marker-\$SLURM_ARRAY_TASK_ID"
echo "start task=\$SLURM_ARRAY_TASK_ID restart=\${SLURM_RESTART_COUNT:-0}" >>"\$m"
sleep $TASK_SLEEP
echo "done task=\$SLURM_ARRAY_TASK_ID restart=\${SLURM_RESTART_COUNT:-0}" >>"\$m"
EOF
else
  CHECK_MARKERS=0
fi
[ -n "$MERGE_CMD" ] || MERGE_CMD="cat $OUT_DIR/marker-* >$OUT_DIR/all-markers.txt"

JOBID=$(timeout 30 sbatch --parsable --array="$ARRAY" --requeue --output="$T/log/job-%A_%a.out" \
  "$JOB_SCRIPT") || fail "sbatch refused the array"
JOBIDS+=("$JOBID")
say "array job $JOBID (--array=$ARRAY) submitted"

running_task() { sq -h -j "$JOBID" -t RUNNING -o %K | head -1; }
have_running() { [ -n "$(running_task)" ]; }
wait_for 60 "a running task of job $JOBID (squeue: \$(sq -h -j $JOBID))" have_running
VICTIM=$(running_task)
if [ "$CHECK_MARKERS" = 1 ]; then
  wait_for 20 "task $VICTIM's first marker line" test -s "$OUT_DIR/marker-$VICTIM"
else
  sleep 2
fi
sc requeue "${JOBID}_${VICTIM}" || fail "scontrol requeue ${JOBID}_${VICTIM} was refused"
say "requeued running task ${JOBID}_${VICTIM}: $(sc -o show job "${JOBID}_${VICTIM}" \
  | grep -o 'JobState=[^ ]*\|Restarts=[^ ]*\|EligibleTime=[^ ]*' | tr '\n' ' ')"

DEPID=$(timeout 30 sbatch --parsable --dependency=afterok:"$JOBID" --job-name=test-merge \
  --output="$T/log/merge-%j.out" --wrap "$MERGE_CMD") || fail "sbatch refused the dependent job"
JOBIDS+=("$DEPID")
say "dependent job $DEPID (afterok:$JOBID) submitted"

# squeue lists only jobs that have not ended; scontrol keeps ended ones for MinJobAge (300 s).
# Asking scontrol too tells "all ended" from "slurmctld no longer answers".
all_gone() { [ -z "$(sq -h -j "$JOBID,$DEPID")" ] && [ -n "$(sc -o show job "$DEPID" 2>/dev/null)" ]; }
wait_for "$(left)" "the array and job $DEPID to end (squeue: \$(sq -h))" all_gone

# --- Check what happened --------------------------------------------------------------------------
say "array tasks: $(sc -o show job "$JOBID" | grep -o 'JobState=[^ ]*' | sort | uniq -c | xargs)"
bad=$(sc -o show job "$JOBID" | grep -v 'JobState=COMPLETED' || true)
[ -z "$bad" ] || fail "array tasks not COMPLETED: $bad"
restarts=$(sc -o show job "${JOBID}_${VICTIM}" | grep -o 'Restarts=[0-9]*')
[ "$restarts" = Restarts=1 ] || fail "task $VICTIM shows $restarts, expected Restarts=1"
dep_state=$(sc -o show job "$DEPID" | grep -o 'JobState=[^ ]*')
[ "$dep_state" = JobState=COMPLETED ] || fail "dependent job $DEPID ended $dep_state"

if [ "$CHECK_MARKERS" = 1 ]; then
  # The task ids of an array spec: a-b, a-b:step, a,b,c, with an optional %limit.
  ids=$(echo "${ARRAY%%\%*}" | tr ',' '\n' | while IFS=- read -r a b; do
    step=1; [[ $b == *:* ]] && { step=${b#*:}; b=${b%%:*}; }
    seq "$a" "$step" "${b:-$a}"
  done)
  for i in $ids; do
    m="$OUT_DIR/marker-$i"
    [ -f "$m" ] || fail "task $i wrote no marker"
    if [ "$i" = "$VICTIM" ]; then
      want=$(printf 'start task=%s restart=0\nstart task=%s restart=1\ndone task=%s restart=1' "$i" "$i" "$i")
    else
      want=$(printf 'start task=%s restart=0\ndone task=%s restart=0' "$i" "$i")
    fi
    [ "$(cat "$m")" = "$want" ] || fail "task $i's marker is not as expected: $(tr '\n' '|' <"$m")"
  done
  [ -s "$OUT_DIR/all-markers.txt" ] || fail "the dependent job wrote no all-markers.txt"
  [ "$(cat "$OUT_DIR"/marker-*)" = "$(cat "$OUT_DIR/all-markers.txt")" ] \
    || fail "all-markers.txt is not the concatenation of the markers"
fi
say "OK in $(( $(date +%s) - START ))s: task $VICTIM was requeued while running and ran again" \
  "(Restarts=1, SLURM_RESTART_COUNT=1), every task COMPLETED, the afterok job ran after them"
