"""Build the one-folder desktop bundle dist/alexnet-gui/ (ONNX Runtime + PySide6, no torch).

    python packaging/build.py --weights alexnet-owt-7be5be79.pth     # the real ImageNet weights
    python packaging/build.py --untrained                           # a test build: meaningless predictions
    python packaging/build.py --weights FILE --int8                 # the lean int8 bundle (a third of the model)

Runs in the development install (it needs torch, onnx and PyInstaller): the model is exported and checked
against PyTorch here, so the bundle needs neither torch nor the network. Prints the bundle's size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "alexnet-gui.spec"
# Nothing of these may reach the lean bundle; checked after the build.
FORBIDDEN = ("torch", "torchvision", "onnx", "onnxscript", "matplotlib", "libtorch", "nvidia")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="packaging/build.py", description="Build the desktop bundle dist/alexnet-gui/.")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--weights", metavar="FILE", help="a .pth state_dict or an .onnx model to bundle")
    which.add_argument("--untrained", action="store_true",
                       help="bundle the seeded random network (a test build: predictions are meaningless)")
    p.add_argument("--cpu-only", action="store_true",
                   help="leave out ONNX Runtime's CUDA/TensorRT provider libraries (about 285 MB smaller)")
    p.add_argument("--int8", action="store_true",
                   help="carry an int8 copy of the model instead of fp32 (a third of its size; runs on the CPU)")
    p.add_argument("--calibrate", metavar="FOLDER",
                   help="with --int8: calibrate on these images instead of the built-in set")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="where dist/alexnet-gui/ goes (default: ./dist)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "bundle", help="PyInstaller's work folder")
    args = p.parse_args(argv)
    if args.calibrate and not args.int8:
        p.error("--calibrate applies to --int8 only")
    if args.int8:
        args.cpu_only = True  # int8 runs on the CPU: ONNX Runtime's CUDA provider (284 MB) would be dead weight
    return args


def export_model(args: argparse.Namespace, folder: Path) -> dict:
    """Write the bundled model into `folder`: alexnet.onnx (logits and every activation), alexnet.logits.onnx
    (logits only: what classify runs, Conv+ReLU fused), both graphs reading one weights file, and alexnet.json.
    """
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import onnx
    import onnxruntime as ort

    from alexnet_gui.core.backends.onnx_backend import ensure_exported, exported_base_card
    from alexnet_gui.core.model.weights import file_sha256, resolve_weights

    choice = resolve_weights(args.weights, untrained=args.untrained, download=False)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    # The export is verified against PyTorch (<= 1e-4 on every output) and cached, so a rebuild reuses it.
    fp32 = source = ensure_exported(choice)
    calibration = ""
    if args.int8:
        from alexnet_gui.core.backends.onnx_int8 import int8_model

        # The whole graph, activations included, is quantised: the views keep working; its logits-only copy below
        # is the very graph `--precision int8` makes from the logits-only export (same weights, same logits).
        recipe = exported_base_card(choice, fp32).preprocess
        source, calibration = int8_model(fp32, recipe, args.calibrate)
    model, lean, weights = folder / "alexnet.onnx", folder / "alexnet.logits.onnx", "alexnet.weights"
    graph = onnx.load(str(source))
    if not graph.metadata_props:  # the quantiser drops the card the export carries in its metadata
        graph.metadata_props.extend(onnx.load(str(fp32), load_external_data=False).metadata_props)
    onnx.save_model(graph, str(model), save_as_external_data=True, all_tensors_to_one_file=True, location=weights)
    # Saved without loading the external data, the trimmed graph keeps pointing at the same weights file.
    proto = onnx.load(str(model), load_external_data=False)
    keep = [o for o in proto.graph.output if o.name == "logits"]
    files = [model.name, weights]
    if keep and len(proto.graph.output) > 1:
        # onnx's extractor drops the nodes only the other outputs need (the int8 graph's DequantizeLinear of each
        # activation ran for nothing otherwise: 61 ms instead of 40 ms a batch of 32); the initializers it keeps
        # still point into the shared weights file.
        lean_proto = onnx.utils.Extractor(proto).extract_model([proto.graph.input[0].name], ["logits"])
        del lean_proto.opset_import[:]
        lean_proto.opset_import.extend(proto.opset_import)
        lean_proto.ir_version = proto.ir_version
        lean_proto.metadata_props.extend(proto.metadata_props)
        onnx.save_model(lean_proto, str(lean))
        files.append(lean.name)
    # The filters view reads the kernels from this file in the bundle, which has no onnx package to parse the model.
    from alexnet_gui.core.analysis.kernels import onnx_kernels

    # By the card's shapes (grouped convolutions included); the card itself travels in the model's metadata.
    card = exported_base_card(choice, fp32)
    # (the int8 bundle's filters view shows the fp32 kernels its int8 copy was quantised from)
    np.savez(folder / "alexnet.kernels.npz", **onnx_kernels(fp32, card.architecture if card is not None else None))
    files.append("alexnet.kernels.npz")
    # The bundled files must give the same logits as the export they came from.
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32)
    run = lambda path: ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]  # noqa: E731
    want = run(source)
    for name in files:
        if name.endswith(".onnx") and not np.array_equal(run(folder / name), want):
            raise SystemExit(f"{name} does not reproduce the exported model's logits")
    if choice.kind == "untrained":
        origin = "the untrained seeded random network — predictions are meaningless"
    else:
        origin = f"{choice.path.name} (sha256 {file_sha256(choice.path)[:16]})"
    info = {"source": origin, "kind": choice.kind, "files": sorted(files)}
    if args.int8:
        from alexnet_gui.core.backends.onnx_int8 import QUANTISATION

        info.update(precision="int8", calibration=calibration, quantisation=QUANTISATION)
    (folder / "alexnet.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")
    return info


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def check_lean(bundle: Path) -> None:
    """Fail the build if torch or the build-only packages slipped in."""
    found = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.name.split(".")[0].lower() in FORBIDDEN)
    if found:
        raise SystemExit(f"the bundle is not lean: it contains {', '.join(found[:5])}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    model_dir = args.work / "model"
    info = export_model(args, model_dir)
    print(f"model: {info['source']}" + (f" (int8, calibrated on {info['calibration']})" if args.int8 else ""),
          flush=True)
    env = {**os.environ, "ALEXNET_GUI_BUNDLE_MODEL": str(model_dir),
           "ALEXNET_GUI_BUNDLE_CPU_ONLY": "1" if args.cpu_only else "0"}
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(args.dist), "--workpath", str(args.work / "pyinstaller")]
    result = subprocess.run(cmd, env=env, cwd=ROOT)
    if result.returncode != 0:
        print("PyInstaller failed", file=sys.stderr)
        return result.returncode
    bundle = args.dist / "alexnet-gui"
    check_lean(bundle)
    size = folder_size(bundle)
    print(f"built {bundle} in {time.perf_counter() - start:.0f} s: {size / 1e6:.0f} MB "
          f"(model {folder_size(model_dir) / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
