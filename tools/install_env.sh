#!/usr/bin/env bash
# Creates (or brings up to date) the virtual environment with the pinned OpenMMLab stack.
# Called by `make install`; the Dockerfiles run it too, so every machine gets the same steps.
#
#   VENV=.venv PYTHON=python3 bash tools/install_env.sh
#
# The slow step is compiling mmcv 2.1.0 with its ops (11-15 minutes on 2 cores). The wheel is
# kept in a cache keyed by mmcv, torch, Python and CUDA/CPU, because pip's own wheel cache
# ignores the torch version and would silently reuse a wheel built against another torch.
set -euo pipefail

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
MMCV_VERSION=2.1.0
CACHE_ROOT=${MMSEG_HERITAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmseg-heritage}

step() { printf '\n==> %s\n' "$*"; }
trap 'echo "install_env.sh: FAILED at: ${current_step:-start} (line $LINENO). Fix the error above and run make install again." >&2' ERR

current_step="checking Python"
"$PYTHON" - <<'EOF'
import sys
if sys.version_info < (3, 9):
    sys.exit(f'Python >= 3.9 is needed, found {sys.version.split()[0]}; set PYTHON=python3.11')
EOF

if [ ! -x "$VENV/bin/python" ]; then
    current_step="creating $VENV"
    step "Creating virtual environment $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$(cd "$VENV" && pwd)/bin/python"  # absolute: two checks below run from /
PIP=("$PY" -m pip install --disable-pip-version-check --progress-bar off)

current_step="installing build tools"
step "Installing build tools (requirements/build.txt)"
"${PIP[@]}" --upgrade pip >/dev/null
"${PIP[@]}" -r requirements/build.txt

current_step="installing torch"
step "Installing torch and torchvision (requirements/torch.txt; the first time this downloads several GB)"
"${PIP[@]}" -r requirements/torch.txt

current_step="installing the runtime requirements"
step "Installing the runtime requirements (requirements/runtime.txt)"
# mmengine first: mmcv's setup.py picks its OpenCV dependency from what is already installed.
"${PIP[@]}" -r requirements/runtime.txt

current_step="installing mmcv $MMCV_VERSION"
if "$PY" -c "import mmcv, mmcv.ops, sys; sys.exit(mmcv.__version__ != '$MMCV_VERSION')" 2>/dev/null; then
    step "mmcv $MMCV_VERSION with ops is already installed"
else
    read -r TORCH_VERSION PY_TAG CUDA_TAG < <("$PY" - <<'EOF'
import os, shutil, sys, torch
gpu = torch.cuda.is_available() or os.environ.get('FORCE_CUDA') == '1'
cuda = f"cu{torch.version.cuda.replace('.', '')}" if gpu and torch.version.cuda and shutil.which('nvcc') else 'cpu'
print(torch.__version__.replace('+', '_'), f'cp{sys.version_info.major}{sys.version_info.minor}', cuda)
EOF
)
    WHEEL_DIR="$CACHE_ROOT/mmcv-$MMCV_VERSION/torch-$TORCH_VERSION-$PY_TAG-$CUDA_TAG"
    if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
        step "Building mmcv $MMCV_VERSION with $CUDA_TAG ops against torch $TORCH_VERSION." \
             "This takes 11-15 minutes on 2 cores; the wheel is then cached in $WHEEL_DIR"
        [ "$CUDA_TAG" = cpu ] || export FORCE_CUDA=1
        build_dir=$(mktemp -d)
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "$PY" -m pip wheel --no-build-isolation \
            --no-deps --no-cache-dir --disable-pip-version-check "mmcv==$MMCV_VERSION" -w "$build_dir"
        # Move in only a finished wheel, so an interrupted build never leaves a broken cache entry.
        mkdir -p "$WHEEL_DIR"
        mv "$build_dir"/mmcv-*.whl "$WHEEL_DIR"/
        rm -rf "$build_dir"
    else
        step "Using the cached mmcv wheel in $WHEEL_DIR"
    fi
    "${PIP[@]}" --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-*.whl
    "${PIP[@]}" "$WHEEL_DIR"/mmcv-*.whl
fi

current_step="installing mim"
step "Installing mim (requirements/mim.txt; openmim without opendatalab, see there)"
"${PIP[@]}" -r <(grep -v '^openmim' requirements/mim.txt)
"${PIP[@]}" --no-deps "$(grep '^openmim' requirements/mim.txt)"

current_step="installing the test requirements and mmseg_heritage"
step "Installing the test requirements and mmseg_heritage (editable)"
"${PIP[@]}" -r <(grep -v '^iiif-prezi3' requirements/tests.txt)
"${PIP[@]}" --no-deps "$(grep '^iiif-prezi3' requirements/tests.txt)"
# mim looks for a package's tools, configs and model index in <its metadata's folder>/<package>/
# .mim. setuptools' develop install records the checkout itself there; pip's editable install
# (PEP 660) records site-packages, where mim finds nothing. So: develop, replacing a PEP 660
# install of an older make install, and only when mim would not find this checkout yet
# (asked from /, where the checkout on sys.path cannot stand in for an install).
checkout=$PWD
if ! (cd / && "$PY" -W ignore - "$checkout") <<'EOF' 2>/dev/null
import os, sys, pkg_resources
location = pkg_resources.get_distribution('mmseg_heritage').location
sys.exit(os.path.realpath(location) != os.path.realpath(sys.argv[1]))
EOF
then
    "$PY" -m pip uninstall -y -q mmseg_heritage 2>/dev/null || true
    "$PY" setup.py -q develop --no-deps
fi

# The HTML report test opens the page in headless Chromium. Debian ships Chromium with a
# matching chromedriver; elsewhere install both by hand (the test is skipped without them).
current_step="installing headless Chromium"
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    step "Chromium and chromedriver are installed"
elif [ "${INSTALL_BROWSER:-auto}" != 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "Installing Chromium and chromedriver (Debian packages; INSTALL_BROWSER=0 skips this)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium chromium-driver >/dev/null; } ||
        echo "install_env.sh: could not install Chromium; the HTML report's browser test will fail in CI and be skipped elsewhere" >&2
else
    step "No Chromium: the HTML report's browser test will be skipped (install chromium and chromedriver to run it)"
fi

current_step="checking the environment"
step "Checking the environment"
# From /: the install, not the checkout in the working directory, must provide them.
(cd / && "$PY" -c "import mmseg_heritage, mmcv.ops; print('mmseg_heritage', mmseg_heritage.__version__, 'ready')" &&
    "$PY" -m mim search mmseg_heritage --valid-field >/dev/null)
