"""Experiments: compare configurations (backbones, fine-tuning, a CNN from scratch, a keypoint
baseline; augmentation, input size, head, class balancing) on one seeded split of a labelled
dataset, and write a report (JSON, PNG plots, an HTML page).

    configs    spec strings → Config; DEFAULT_CONFIGS
    data       the dataset read once and split train / val / test
    pixels     decoded photos and their augmented views
    features   backbone embeddings, cached in the output folder
    balance    class weights, dropping small categories, oversampling them
    frozen     frozen backbones + head, and fine-tuning (families 1 and 2)
    scratch    the published CNN from scratch (family 3)
    keypoints  ORB/KAZE bag of visual words → PCA → naive Bayes or logistic regression (family 4)
    scoring    thresholds on validation, F1 / top-k / confusion on test
    plots      the PNGs (matplotlib, Agg)
    report     results.json and index.html
    runner     run_experiment()
    install    make the best installable configuration the library's sorter
"""

from photosort.experiments.configs import DEFAULT_CONFIGS, Config, parse_config
from photosort.experiments.runner import ExperimentResult, run_experiment

__all__ = ["DEFAULT_CONFIGS", "Config", "ExperimentResult", "parse_config", "run_experiment"]
