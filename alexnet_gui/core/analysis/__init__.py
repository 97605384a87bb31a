"""What the results and the network mean: evaluation and the confusion matrix, comparison, visualisation, Grad-CAM
and the other attributions, dataset examples, the architecture table."""
