"""A full-range 8-bit int8 copy of an exported model, as the app made it before issue 35: the test on an emulated
AVX2 CPU uses it as its positive control (its logits move there), benchmarks/int8_avx2.py as its comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def full_range_copy(lean: Path, recipe, out: Path) -> Path:
    """The int8 copy of `lean` with the app's settings but 8-bit weights, calibrated on the built-in set."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    from alexnet_gui.core.backends.onnx_int8 import calibration_images, scores_layer, store_gemm_weights_kn
    from alexnet_gui.core.pipeline.decode import decode_input

    images = [decode_input(p, False, recipe=recipe) for p in calibration_images(None)[0]]

    class Images(CalibrationDataReader):
        def __init__(self) -> None:
            self._next = iter(images)

        def get_next(self):
            x = next(self._next, None)
            return None if x is None else {"input": np.ascontiguousarray(x[None], dtype=np.float32)}

    quantize_static(str(lean), str(out) + ".tmp", Images(), quant_format=QuantFormat.QOperator, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, reduce_range=False,
                    nodes_to_exclude=scores_layer(lean))
    model = onnx.load(str(out) + ".tmp")
    store_gemm_weights_kn(model)
    onnx.save(model, str(out))
    return out
