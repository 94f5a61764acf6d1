#!/usr/bin/env bash
# A sharded sweep as a Slurm job array: task i runs shard i of the array (fairground reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT itself), all writing into
# one folder on the shared filesystem; the merge runs once every task has finished.
#   jobid=$(sbatch --parsable deploy/slurm-sweep.sh)
#   sbatch --dependency=afterok:$jobid --wrap "fairground merge results/exploration-sweep --out results/exploration-sweep"
#SBATCH --job-name=fairground-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --requeue
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
exec fairground sweep scenarios/exploration-sweep.yaml --out results/exploration-sweep --jobs "${SLURM_CPUS_PER_TASK:-2}" --quiet
