"""Simultaneous EEG-fMRI: gradient and ballistocardiogram (BCG) correction, spectral
preservation and EEG-informed fMRI, after Gallego-Rudolf et al. (2022), Front. Neurosci.
16:951321.

Built on MNE-Python (data structures, I/O, filtering, QRS detection, Infomax ICA, PSD) and
nilearn (GLM, permutation inference with TFCE); needs ``pip install 'brainfuse[signals]'``.
"""
