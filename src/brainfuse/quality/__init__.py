"""Learned fusion quality assessment guided by MOS (Tang et al.), and its evaluation.

- :func:`score`: the quality of a fused image given its two sources, by the conditional GAN of
  Tang et al. ("Medical image fusion quality assessment based on conditional generative
  adversarial network", Frontiers in Neuroscience 2022) with the shipped weights;
- :func:`train`: train that model on a MOS database (a CSV of source A, source B, fused, MOS;
  :mod:`~brainfuse.quality.database`);
- :func:`agreement`: SRCC, KRCC, PLCC and RMSE of scores against MOS, with the optional VQEG
  logistic mapping (:mod:`~brainfuse.quality.stats`);
- :mod:`~brainfuse.quality.compare`: the Table-1 comparison with the traditional metrics.

Only :mod:`~brainfuse.quality.network` (and the modules that use it: ``assess``,
``training``) import torch, after :func:`brainfuse._extras.require`; importing this package
does not. See ``docs/quality.md``.
"""

from .api import QualityScore, score, train
from .database import MosDatabase, load_database
from .stats import Agreement, agreement

__all__ = [
    "Agreement",
    "MosDatabase",
    "QualityScore",
    "agreement",
    "load_database",
    "score",
    "train",
]
