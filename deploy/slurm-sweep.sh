#!/usr/bin/env bash
# A sharded sweep as a Slurm job array: task i runs shard i of the array (fairground reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT itself), all writing into
# one folder on the shared filesystem; a requeued task skips the cells it had finished. The merge
# runs once every task has succeeded:
#   jobid=$(sbatch --parsable deploy/slurm-sweep.sh)
#   sbatch --dependency=afterok:$jobid --wrap "fairground merge results/exploration-sweep --out results/exploration-sweep"
# Parameters from the environment (sbatch passes it on); the defaults run the shipped sweep:
#   SWEEP_FILE=scenarios/exploration-sweep.yaml  OUT_DIR=results/exploration-sweep  FAIRGROUND=fairground
# The array's size from sbatch: sbatch --array=0-15 deploy/slurm-sweep.sh. Run on a real one-node
# cluster by `make test-cluster` (scripts/test-cluster.sh).
#SBATCH --job-name=fairground-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --open-mode=append
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
SWEEP_FILE="${SWEEP_FILE:-scenarios/exploration-sweep.yaml}"
OUT_DIR="${OUT_DIR:-results/exploration-sweep}"
FAIRGROUND="${FAIRGROUND:-fairground}"
echo "fairground-sweep: task ${SLURM_ARRAY_TASK_ID:-none} run $(( ${SLURM_RESTART_COUNT:-0} + 1 ))"
exec "$FAIRGROUND" sweep "$SWEEP_FILE" --out "$OUT_DIR" --jobs "${SLURM_CPUS_PER_TASK:-2}"
