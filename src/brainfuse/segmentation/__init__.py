"""Brain tumour segmentation from multimodal MRI (T1, T1c, T2, FLAIR).

The application of fusion to glioma segmentation in Liu et al. 2022 (pixel- and feature-level
fusion, PIF-Net + MSFF + V-Net, Front. Neurosci. 16:1000587) and Xu et al. 2022 (a hybrid
CNN-Transformer). This package holds what those pipelines stand on:

- :mod:`~brainfuse.segmentation.labels`: the BraTS label codes and the evaluated regions
  (whole tumour, tumour core, enhancing tumour), and the small-ET rule;
- :mod:`~brainfuse.segmentation.evaluate`: Dice, HD95, IoU, sensitivity and specificity per
  region, as the BraTS evaluation reports them (MONAI computes Dice and HD95);
- :mod:`~brainfuse.segmentation.cases`: a generator of BraTS-like cases with exact labels,
  built from the MNI152 template nilearn ships, written in the BraTS folder layout;
- :mod:`~brainfuse.segmentation.io`: loaders for the layouts users hold (BraTS 2018–2023
  folders, the Medical Segmentation Decathlon's Task01 4-D NIfTI), z-scored over the brain;
- :mod:`~brainfuse.segmentation.nets`: Liu et al.'s PIF-Net, MSFF and stage network with their
  losses (not yet trained: no segmentation is shipped).
"""
