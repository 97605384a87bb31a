#!/usr/bin/env bash
# Slow packaging test (not part of `pytest`): build the lean bundle with the untrained network, then run it the
# way a user would: --version, info, classify two generated images into a CSV, and the GUI offscreen for one frame.
# Usage: packaging/test_bundle.sh [--cpu-only] [--int8]     (from the repository root, with the dev venv in .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
APP=dist/alexnet-gui/alexnet-gui
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PRECISION=fp32
for arg in "$@"; do [[ "$arg" == "--int8" ]] && PRECISION=int8; done
# The bundle must not lean on the developer's caches or settings.
export ALEXNET_GUI_CACHE="$WORK/cache" TORCH_HOME="$WORK/torch" XDG_CONFIG_HOME="$WORK/config"
export ALEXNET_GUI_WEIGHTS_URL="http://127.0.0.1:9/alexnet-owt-7be5be79.pth"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

echo "== build"
ALEXNET_GUI_CACHE="$HOME/.cache/alexnet-gui" "$PY" packaging/build.py --untrained "$@"
echo "bundle size: $(du -sh dist/alexnet-gui | cut -f1)"
if find dist/alexnet-gui -iname 'torch*' -o -iname 'libtorch*' | grep -q .; then
    echo "FAIL: torch is in the bundle" >&2; exit 1
fi

echo "== --version"
t=$(now); version=$("$APP" --version); echo "$version ($(elapsed "$t") s)"
[[ "$version" == "alexnet-gui "*"(backends: onnx)" ]] || { echo "FAIL: unexpected version line" >&2; exit 1; }

echo "== info"
"$APP" info > "$WORK/info.txt"
grep -q "CPUExecutionProvider       loads" "$WORK/info.txt"
grep -q "bundled model .*untrained" "$WORK/info.txt"
if [[ "$PRECISION" == int8 ]]; then grep -q "bundled model .*bundled int8 ONNX model (calibrated on" "$WORK/info.txt"; fi
grep -q "torch                      not installed" "$WORK/info.txt"

echo "== classify two images"
"$PY" - "$WORK" <<'PYEOF'
import sys
import numpy as np
from PIL import Image
rng = np.random.default_rng(0)
Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(f"{sys.argv[1]}/noise.jpg", quality=90)
y, x = np.mgrid[0:240, 0:320]
Image.fromarray(np.dstack([x * 255 // 319, y * 255 // 239, (x + y) % 256]).astype(np.uint8)).save(f"{sys.argv[1]}/ramp.png")
PYEOF
t=$(now)
"$APP" classify "$WORK/noise.jpg" "$WORK/ramp.png" --out "$WORK/out.csv" --top-k 3
echo "classify: $(elapsed "$t") s"
cat "$WORK/out.csv"
# Against the pip install's ONNX backend with the same untrained network: the bundle must give the same rows.
# (the int8 bundle against the pip install's --precision int8: the same quantisation, the same logits)
"$PY" -m alexnet_gui classify "$WORK/noise.jpg" "$WORK/ramp.png" --out "$WORK/dev.csv" --top-k 3 --untrained \
    --backend onnx --precision "$PRECISION" 2>/dev/null
diff <(cut -d, -f2- "$WORK/out.csv") <(cut -d, -f2- "$WORK/dev.csv") || { echo "FAIL: bundle and pip install disagree" >&2; exit 1; }
[[ $(wc -l < "$WORK/out.csv") -eq 3 ]]

echo "== GUI, offscreen, one frame"
t=$(now)
QT_QPA_PLATFORM=offscreen ALEXNET_GUI_QUIT_AFTER_FIRST_FRAME=1 timeout 120 "$APP" "$WORK/noise.jpg" 2> "$WORK/gui.err"
echo "GUI start to first frame and exit: $(elapsed "$t") s"
grep "first frame painted" "$WORK/gui.err"
if grep -E "Traceback|Error" "$WORK/gui.err"; then echo "FAIL: the GUI reported errors" >&2; exit 1; fi
echo "PASS"
