#!/usr/bin/env bash
# Damage maps of a collection on a Slurm cluster with srun, also as a job array.
# Usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SRUN_ARGS=...] \
#     tools/slurm_infer.sh PARTITION JOB_NAME CONFIG CHECKPOINT INPUT [INPUT ...] [infer.py args]
# GPUS is the number of tasks (processes), GPUS_PER_NODE the tasks and GPUs per node; on nodes
# without GPUs set GRES= (empty) so srun asks for no GPUs, and the tasks run on CPUs. Each task
# takes its own share of the scans and the last to finish writes the report of all. Submitted
# as a job array (sbatch --array=0-9 ... tools/slurm_infer.sh ...), each array task takes an
# equal part of the collection, shared among its srun tasks. See tools/infer.py for INPUT
# (files, folders, patterns, IIIF info.json or manifest URLs, manifest files, .txt lists of
# URLs) and the args.
set -euxo pipefail

PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
GRES=${GRES-gpu:${GPUS_PER_NODE}}  # generic resources per node; empty: none

# SRUN_ARGS is split into words on purpose: it holds several srun options.
# shellcheck disable=SC2086
PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    ${GRES:+--gres="${GRES}"} \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "$PYTHON" -u "$(dirname "$0")/infer.py" "${CONFIG}" "${CHECKPOINT}" "${@:5}" --launcher=slurm
