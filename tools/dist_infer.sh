#!/usr/bin/env bash
# Damage maps of a collection with several processes on one or more machines (torchrun).
# Usage: tools/dist_infer.sh CONFIG CHECKPOINT INPUT [INPUT ...] GPUS [infer.py args]
# GPUS is the number of processes per machine: one per GPU, or, on a machine without GPUs, the
# number of CPU processes. Each takes its own share of the scans (balanced by pixel count) and
# the last to finish writes the report of all; see tools/infer.py for INPUT (files, folders,
# patterns, IIIF info.json or manifest URLs, manifest files, .txt lists of URLs) and the args.
set -euo pipefail

if [[ $# -lt 4 ]]; then
    echo "usage: $0 CONFIG CHECKPOINT INPUT [INPUT ...] GPUS [infer.py args]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
shift 2
# The inputs run up to the first option; the last of them is the number of processes.
POSITIONAL=()
while [[ $# -gt 0 && $1 != -* ]]; do
    POSITIONAL+=("$1")
    shift
done
if [[ ${#POSITIONAL[@]} -lt 2 || ! ${POSITIONAL[-1]} =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 CONFIG CHECKPOINT INPUT [INPUT ...] GPUS [infer.py args]" \
        "(GPUS, the number of processes, after the inputs)" >&2
    exit 2
fi
GPUS=${POSITIONAL[-1]}
INPUTS=("${POSITIONAL[@]:0:${#POSITIONAL[@]}-1}")
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/infer.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    "${INPUTS[@]}" \
    --launcher pytorch "$@"
