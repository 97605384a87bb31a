"""What the results and the network mean: evaluation, comparison, visualisation, Grad-CAM, the architecture table."""
