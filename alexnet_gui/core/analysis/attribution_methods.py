"""The attribution methods' names and descriptions, without torch: the command line lists them in --help, and
the app in its menu, before any model loads (`attribution.py` computes them)."""

CAM_METHODS = ("gradcam++", "scorecam", "eigencam", "layercam")
PIXEL_METHODS = ("saliency", "integrated-gradients", "occlusion", "guided-backprop", "deconvolution")
#: methods that can explain one unit of a layer instead of a class
UNIT_METHODS = ("guided-backprop", "deconvolution")
METHODS = ("gradcam", *CAM_METHODS, *PIXEL_METHODS)
DESCRIPTIONS = {
    "gradcam": "Grad-CAM: conv5's channels weighted by the class score's mean gradient",
    "gradcam++": "Grad-CAM++: positive gradients, weighted per position",
    "scorecam": "Score-CAM: each conv5 channel as a mask, weighted by the class score it keeps (no gradients)",
    "eigencam": "Eigen-CAM: conv5's first principal component (class-agnostic, no gradients)",
    "layercam": "LayerCAM: positive gradients times activations, per position",
    "saliency": "Saliency: the class score's gradient at each pixel (largest over the colour planes)",
    "integrated-gradients": "Integrated Gradients from a black image (32 steps)",
    "occlusion": "Occlusion: how much the class score drops when a 32-pixel square is greyed out",
    "guided-backprop": "Guided backpropagation (Springenberg et al.)",
    "deconvolution": "Deconvolution (Zeiler and Fergus)",
}
#: how the app names each method
TITLES = {
    "gradcam": "Grad-CAM", "gradcam++": "Grad-CAM++", "scorecam": "Score-CAM", "eigencam": "Eigen-CAM",
    "layercam": "LayerCAM", "saliency": "Saliency", "integrated-gradients": "Integrated Gradients",
    "occlusion": "Occlusion", "guided-backprop": "Guided backpropagation", "deconvolution": "Deconvolution",
}
