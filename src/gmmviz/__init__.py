"""gmmviz: the maths and the pictures of the gmm-course on Gaussian mixtures and EM."""
