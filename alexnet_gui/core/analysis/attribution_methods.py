"""The attribution methods' names and descriptions, without torch: the command line lists them in --help, and
the app in its menu, before any model loads (`attribution.py` computes them)."""

from alexnet_gui.core.language import N_

CAM_METHODS = ("gradcam++", "scorecam", "eigencam", "layercam")
PIXEL_METHODS = ("saliency", "integrated-gradients", "occlusion", "guided-backprop", "deconvolution")
#: methods that can explain one unit of a layer instead of a class
UNIT_METHODS = ("guided-backprop", "deconvolution")
METHODS = ("gradcam", *CAM_METHODS, *PIXEL_METHODS)
# Marked for translation here; shown through gettext() by the app and the command line.
DESCRIPTIONS = {
    "gradcam": N_("Grad-CAM: conv5's channels weighted by the class score's mean gradient"),
    "gradcam++": N_("Grad-CAM++: positive gradients, weighted per position"),
    "scorecam": N_("Score-CAM: each conv5 channel as a mask, weighted by the class score it keeps (no gradients)"),
    "eigencam": N_("Eigen-CAM: conv5's first principal component (class-agnostic, no gradients)"),
    "layercam": N_("LayerCAM: positive gradients times activations, per position"),
    "saliency": N_("Saliency: the class score's gradient at each pixel (largest over the colour planes)"),
    "integrated-gradients": N_("Integrated Gradients from a black image (32 steps)"),
    "occlusion": N_("Occlusion: how much the class score drops when a 32-pixel square is greyed out"),
    "guided-backprop": N_("Guided backpropagation (Springenberg et al.)"),
    "deconvolution": N_("Deconvolution (Zeiler and Fergus)"),
}
#: how the app names each method
TITLES = {
    "gradcam": N_("Grad-CAM"), "gradcam++": N_("Grad-CAM++"), "scorecam": N_("Score-CAM"), "eigencam": N_("Eigen-CAM"),
    "layercam": N_("LayerCAM"), "saliency": N_("Saliency"), "integrated-gradients": N_("Integrated Gradients"),
    "occlusion": N_("Occlusion"), "guided-backprop": N_("Guided backpropagation"), "deconvolution": N_("Deconvolution"),
}
