#!/usr/bin/env bash
# GPU figures on a lent GPU machine that has no package registry, in under 10 minutes.
#
#   bash tools/gpu_check.sh fetch       # here, with a registry: wheels and mmcv's source -> .whl/
#   bash tools/gpu_check.sh             # there, from the repository root, .whl/ carried along
#   bash tools/gpu_check.sh --dry-run   # here: only the measuring step, tiny sizes, on the CPU
#
# There (Python 3.12, torch with CUDA, nvcc, 16 cores; no mmcv, mmengine, mmsegmentation):
#   1. installs the carried pure-Python wheels with --no-index into $SITE (no registry needed);
#   2. builds mmcv 2.1.0 with its ops from the carried source (MMCV_WITH_OPS=1, MAX_JOBS=16),
#      CPU ops first: about 2 minutes on 16 cores, where its CUDA ops take several more, and
#      the measured models use none of mmcv's CUDA ops (only mmseg's import needs mmcv.ops);
#   3. measures SegFormer-B3 and UPerNet ConvNeXt-T (tools/analysis/benchmarks/benchmark_gpu.py:
#      training images/s with --amp, inference images/s at 384 px, batch 1 and 16, fp16 and
#      bf16, tools/infer.py on a 4000 x 3000 scan) and writes $OUT/<config>_gpu.json and
#      docs/benchmarks/<config>_gpu.json, one model at a time;
#   4. with the time left (at least a minute), builds mmcv with CUDA ops too (FORCE_CUDA=1, the
#      GPU's architecture only) into another folder, to see whether it builds there.
# Every step has a time limit and all end within GPU_CHECK_SECONDS (default 570), so the
# figures measured so far come back even when a step is slow. The log is $OUT/gpu_check.log.
set -uo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-run}
PY=${PYTHON:-python3}
WHEELS=${WHEELS:-.whl}
SITE=${SITE:-/tmp/site}
OUT=${OUT:-work_dirs/gpu_check}
CONFIGS=${GPU_CHECK_CONFIGS:-configs/poc59/segformer_b3_384.py configs/poc59/upernet_convnext_tiny_384.py}
DEADLINE=$(( SECONDS + ${GPU_CHECK_SECONDS:-570} ))
# Pure-Python packages the GPU machine lacks (it has torch, timm, numpy, opencv, scipy, regex,
# rich, pyyaml, matplotlib): the versions of requirements/runtime.txt's stack, for Python 3.12.
PACKAGES="mmengine==0.10.7 mmsegmentation==1.2.2 mmpretrain==1.2.0 addict==2.4.0 yapf==0.43.0
platformdirs==4.14.8 termcolor==3.3.0 prettytable==3.18.0 wcwidth==0.9.4 ftfy==6.3.1
mat4py==0.6.0 modelindex==0.0.2 ordered-set==4.1.0 importlib-metadata==10.2.0
setuptools==80.9.0"

step() { printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"; }
left() { echo $(( DEADLINE - SECONDS )); }

if [ "$MODE" = fetch ]; then
    # setuptools < 81: mmcv 2.1.0's setup.py imports pkg_resources.
    step "Downloading wheels for Python 3.12 and the mmcv 2.1.0 source into $WHEELS/"
    mkdir -p "$WHEELS"
    # shellcheck disable=SC2086
    $PY -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
        --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$WHEELS" $PACKAGES &&
    $PY -m pip download --disable-pip-version-check --no-deps --no-binary=:all: \
        --no-build-isolation -d "$WHEELS" mmcv==2.1.0 || exit 1
    du -sh "$WHEELS"
    echo "Carry $WHEELS to the GPU machine and run: bash tools/gpu_check.sh"
    exit 0
fi

mkdir -p "$OUT"
exec > >(tee -a "$OUT/gpu_check.log") 2>&1

if [ "$MODE" = --dry-run ]; then
    [ -x .venv/bin/python ] && PY=.venv/bin/python
    DRY=--dry-run
    step "Dry run: measuring on $($PY -c 'import torch; print("a GPU" if torch.cuda.is_available() else "the CPU")') at tiny sizes with $PY"
else
    DRY=
    [ -f "$WHEELS/mmcv-2.1.0.tar.gz" ] || { echo "gpu_check.sh: no $WHEELS/mmcv-2.1.0.tar.gz: run 'bash tools/gpu_check.sh fetch' where a registry is reachable, and carry $WHEELS" >&2; exit 2; }
    step "Installing the carried wheels into $SITE"
    timeout 120 $PY -m pip install -q --disable-pip-version-check --no-index --no-deps \
        --no-compile --no-cache-dir --upgrade --target "$SITE" "$WHEELS"/*.whl || exit 1
    export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"

    build_mmcv() {  # $1: target folder, $2: seconds allowed; the environment picks CUDA or CPU
        local build
        build=$(mktemp -d)
        tar -xzf "$WHEELS/mmcv-2.1.0.tar.gz" -C "$build" &&
        (cd "$build/mmcv-2.1.0" && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-16} timeout "$2" \
            $PY -m pip install -q --disable-pip-version-check --no-index --no-deps \
            --no-build-isolation --no-cache-dir --upgrade --target "$1" .)
        local status=$?
        rm -rf "$build"
        return $status
    }
    step "Building mmcv 2.1.0 with CPU ops (at most 240 s)"
    CUDA_VISIBLE_DEVICES= FORCE_CUDA=0 build_mmcv "$SITE" 240 ||
        { echo "gpu_check.sh: mmcv could not be built (see above)" >&2; exit 1; }
    $PY -c 'import mmcv.ops, mmseg_heritage; print("mmcv", mmcv.__version__, "ops compiled with CUDA", mmcv.ops.get_compiling_cuda_version())' || exit 1
fi

# One model at a time, each with an equal share of the time left (a minute kept for step 4).
RESERVE=$([ -z "$DRY" ] && echo 60 || echo 0)
set -- $CONFIGS
status=0
while [ $# -gt 0 ]; do
    limit=$(( ($(left) - RESERVE - 5) / $# ))
    step "Measuring $1 (at most $limit s)"
    timeout "$limit" $PY tools/analysis/benchmarks/benchmark_gpu.py "$1" --out-dir "$OUT" $DRY ||
        { echo "gpu_check.sh: $1 failed or ran out of time" >&2; status=1; }
    shift
done
if [ -z "$DRY" ]; then
    cp "$OUT"/*_gpu.json docs/benchmarks/ 2>/dev/null
    ARCH=$($PY -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability())' 2>/dev/null)
    if command -v nvcc >/dev/null && [ -n "$ARCH" ] && [ "$(left)" -ge 60 ]; then
        step "Building mmcv 2.1.0 with CUDA ops for sm_$ARCH (at most $(( $(left) - 5 )) s)"
        started=$SECONDS
        if FORCE_CUDA=1 TORCH_CUDA_ARCH_LIST=$ARCH build_mmcv /tmp/site-cuda $(( $(left) - 5 )); then
            echo "mmcv CUDA ops: built in $(( SECONDS - started )) s"
        else
            echo "mmcv CUDA ops: not built (failed or stopped after $(( SECONDS - started )) s)"
        fi
    fi
fi
step "Done: $(ls "$OUT"/*_gpu.json 2>/dev/null | tr '\n' ' ')"
exit $status
