"""The torch network the gradient views (attributions, feature visualisation) differentiate."""

from __future__ import annotations

from alexnet_gui.core.language import gettext


def torch_model_for(backend, weights, key, cache: dict, what: str):
    """The backend's torch model, or (for the ONNX backend, which has no gradients) one borrowed per weights and
    kept in `cache`; `what` needs the gradients, and the refusal of an ONNX graph the app did not build says so."""
    from alexnet_gui.core.errors import UserError

    if backend.card.architecture is None:
        raise UserError(
            gettext(
                "{what} needs the network's gradients: this ONNX graph was not built by the app; "
                "open its PyTorch or Keras file instead"
            ).format(what=what)
        )
    if "torch-model" in backend.capabilities:
        return backend.model
    if key not in cache:
        from alexnet_gui.core.backends import torch_network

        cache.clear()  # one borrowed model at a time: 233 MB each
        cache[key] = torch_network(weights)
    return cache[key]
