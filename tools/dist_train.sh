#!/usr/bin/env bash
# Distributed training on one or more machines with torchrun, as MMSeg's tools/dist_train.sh.
# Usage: tools/dist_train.sh CONFIG GPUS [train.py args]
# GPUS is the number of processes per machine: one per GPU, or, on a machine without GPUs,
# the number of CPU processes (they talk over gloo; see mmseg_heritage/engine/cpu_distributed.py).
set -euo pipefail

CONFIG=$1
GPUS=$2
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
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
