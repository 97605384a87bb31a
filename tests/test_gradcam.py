"""Grad-CAM agrees with a direct computation and peaks where a synthetic network says it must."""

import numpy as np
import torch
from torch import nn

from alexnet_gui.core.analysis.gradcam import alexnet_cam_layer, grad_cam


def test_matches_a_direct_computation_on_alexnet(torch_backend):
    model = torch_backend.model
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    target = 7
    ours = grad_cam(model, alexnet_cam_layer(model), x, target)

    inp = torch.from_numpy(x)
    a = model.features[:12](inp)  # conv5 after its ReLU
    a.retain_grad()
    score = model.classifier(torch.flatten(model.avgpool(model.features[12](a)), 1))[0, target]
    (grad,) = torch.autograd.grad(score, a)
    weights = grad[0].mean(dim=(1, 2))
    cam = torch.relu((weights[:, None, None] * a[0]).sum(0)).detach()
    cam = (cam / cam.max()).numpy() if cam.max() > 0 else cam.numpy()
    assert ours.shape == (13, 13)
    assert np.abs(ours - cam).max() <= 1e-5


class RedDetector(nn.Module):
    """Channel 0 responds to red; class 0's score is that channel's mean: the answer must be where red is."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(2, 2)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.bias.zero_()
            self.conv.weight[0, 0] = 1.0   # red
            self.conv.weight[1, 2] = 1.0   # blue
            self.fc.weight.copy_(torch.eye(2))
            self.fc.bias.zero_()

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))


def test_the_map_peaks_where_the_evidence_is():
    model = RedDetector()
    img = np.zeros((1, 3, 16, 16), np.float32)
    img[0, 0, 2:6, 10:14] = 1.0     # red square, top right
    img[0, 2, 10:14, 2:6] = 1.0     # blue square, bottom left
    red = grad_cam(model, model.relu, img, 0)
    blue = grad_cam(model, model.relu, img, 1)
    assert red.max() == 1.0 and red[2:6, 10:14].min() == 1.0
    assert red[10:14, 2:6].max() == 0.0
    assert np.unravel_index(blue.argmax(), blue.shape)[0] >= 10
    assert blue[2:6, 10:14].max() == 0.0


def test_hooks_are_removed_afterwards(torch_backend):
    model = torch_backend.model
    layer = alexnet_cam_layer(model)
    grad_cam(model, layer, np.zeros((1, 3, 224, 224), np.float32), 0)
    assert not layer._forward_hooks


def test_a_half_precision_model_gives_the_same_map_as_full_precision(torch_backend, untrained_weights):
    from alexnet_gui.core.backends.torch_backend import TorchBackend

    half = TorchBackend.on_torch_device(untrained_weights, "cpu", "fp16")  # --precision fp16, run on the CPU
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    full = grad_cam(torch_backend.model, alexnet_cam_layer(torch_backend.model), x, 7)
    ours = grad_cam(half.model, alexnet_cam_layer(half.model), x, 7)
    assert ours.dtype == np.float32 and ours.shape == (13, 13)
    # Not equal: fp16 arithmetic moves this map by up to 0.11 of its [0, 1] range (0.18 on one of five photos
    # tried), but it is the same map: the same peak and a correlation of 0.99 (0.987 at worst on the photos).
    assert np.unravel_index(ours.argmax(), ours.shape) == np.unravel_index(full.argmax(), full.shape)
    assert np.corrcoef(ours.ravel(), full.ravel())[0, 1] >= 0.98
