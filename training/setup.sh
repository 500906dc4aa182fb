#!/bin/sh
# Installs the Python side of training from Debian apt (no PyPI here). Idempotent: apt skips what is installed.
# libopenblas0-pthread matters: without it Debian torch falls back to netlib BLAS (~20x slower matmuls).
# Run every training script with /usr/bin/python3 (Debian's) and OPENBLAS_NUM_THREADS=1.
set -eu
PKGS="python3-torch python3-numpy python3-onnx libopenblas0-pthread"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c "import torch, numpy, onnx; print('torch', torch.__version__, 'numpy', numpy.__version__, 'onnx', onnx.__version__)"
