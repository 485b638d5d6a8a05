"""Fusion by neural networks: FunFuseAn and MdAFuse (trained here), VGG19 features (pretrained).

FunFuseAn and MdAFuse run the weights shipped in ``brainfuse/models/weights/`` (trained with
``brainfuse train`` on the ``train`` split of the Harvard atlas pairs; see ``docs/learned.md``)
or a file given by ``weights``. They work on any image size on the CPU, and on volumes slice by
slice. The VGG19-feature method needs torchvision's ImageNet VGG19 checkpoint, which the user
supplies (see :mod:`brainfuse.models.vgg19`).

PyTorch is imported only when one of these methods runs.
"""

from __future__ import annotations

import numpy as np

from .registry import param, register

#: Parameter descriptions shared by every trained-network fuser (here, mfinet, drbif).
WEIGHTS_DOC = "weights file from `brainfuse train` (empty: the shipped weights)"
BACKGROUND_DOC = "set the result to 0 where both inputs are 0 (no signal in either source)"
MODALITY = param(
    "model by B's modality: auto (from B's image, else ct), ct, pet, spect",
    choices=("auto", "ct", "pet", "spect"),
)


def _funfusean_gradients(
    a: np.ndarray, b: np.ndarray, *, weights: str = "", zero_background: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """autograd of the network

    ``brainfuse.models.funfusean.input_gradients``: one backward pass through the network's
    output before clipping; ``zero_background`` does not change the derivatives.
    """
    from ..models.funfusean import input_gradients

    return input_gradients(a, b, weights=weights or None)


@register(
    "funfusean",
    family="learned",
    dims=(2,),
    learned=True,
    params={"weights": WEIGHTS_DOC, "zero_background": BACKGROUND_DOC},
    reference="Kumar et al. 2020, MBIA/MFCA@MICCAI 2019, LNCS 11846",
    gradients=_funfusean_gradients,
)
def funfusean(
    a: np.ndarray, b: np.ndarray, *, weights: str = "", zero_background: bool = True
) -> np.ndarray:
    """FunFuseAn CNN: max-average fusion of high, weighted average of low frequencies (SSIM loss).

    An unsupervised network: per-input low-frequency (9×9 MRI, 7×7 PET) and high-frequency
    (3×3 / 5×5, then 2 more layers) convolutions, the max-average rule
    ``max(H1, H2)/(H1 + H2)`` on high-frequency features, three reconstruction layers with the
    weighted average ``(L1 + L2 + R)/3`` of low-frequency features before the last, tanh output;
    trained with ``0.8·L_SSIM + 0.2·L_ℓ2`` against both inputs. The output is clipped to the
    image range. ``brainfuse.models.funfusean.input_gradients`` gives ∂F/∂I1 and ∂F/∂I2.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, 2D, ``float32`` on 0..255, one shape.
    weights : str, optional
        A weights file written by ``brainfuse train`` (empty: the shipped weights).
    zero_background : bool, optional
        Set the result to 0 where both inputs are 0 (no signal in either source).

    Returns
    -------
    numpy.ndarray
        The fused image, ``float32`` on 0..255, the shape of ``a``.

    References
    ----------
    .. [1] N. Kumar, N. Hoffmann, M. Oelschlägel, E. Koch, M. Kirsch, S. Gumhold,
       "Structural Similarity based Anatomical and Functional Brain Imaging Fusion", MBIA/MFCA
       2019, LNCS 11846.
    """
    from ..models.funfusean import FunFuseAn
    from ..models.inference import fuse_trained

    return fuse_trained(
        FunFuseAn, "funfusean", a, b, weights=weights or None, zero_background=zero_background
    )


@register(
    "mdafuse",
    family="learned",
    dims=(2,),
    learned=True,
    params={"weights": WEIGHTS_DOC, "zero_background": BACKGROUND_DOC},
    reference="Wen et al. 2024, IEEE TIP 33:3550-3563 (MdAFuse)",
)
def mdafuse(
    a: np.ndarray, b: np.ndarray, *, weights: str = "", zero_background: bool = True
) -> np.ndarray:
    """MdAFuse CNN: coarse, fine and multi-scale features, max and adaptive linear fusion.

    A feature extractor shared by both inputs gives coarse (large kernels, few channels), fine
    (small kernels, many channels) and multi-scale (depthwise separable pyramid) features with
    short skip connections; coarse + fine features are fused by their maximum across
    modalities, multi-scale ones by their mean, and combined by a learned per-channel affine
    map ``α·S + β·M + γ`` before a convolutional decoder. Trained without supervision (SSIM to
    both sources, ℓ1 to their pixel maximum and to their larger gradient). Its energy-based
    colour enhancement is ``brainfuse.viz.energy_enhance``.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, 2D, ``float32`` on 0..255, one shape.
    weights : str, optional
        A weights file written by ``brainfuse train`` (empty: the shipped weights).
    zero_background : bool, optional
        Set the result to 0 where both inputs are 0 (no signal in either source).

    Returns
    -------
    numpy.ndarray
        The fused image, ``float32`` on 0..255, the shape of ``a``.

    References
    ----------
    .. [1] Wen, Khan, Chen, Peng, Fang, Chen & Li, "High-Quality Fusion and Visualization
       for MR-PET Brain Tumor Images via Multi-Dimensional Features", IEEE TIP 33:3550-3563, 2024.
    """
    from ..models.inference import fuse_trained
    from ..models.mdafuse import MdAFuse

    return fuse_trained(
        MdAFuse, "mdafuse", a, b, weights=weights or None, zero_background=zero_background
    )


def _vgg19_color(
    a: np.ndarray,
    b_rgb: np.ndarray,
    *,
    weights: str = "",
    const_a: float = 0.3,
    const_b: float = 0.1,
) -> np.ndarray:
    from ..color import fuse_luminance

    return fuse_luminance(
        a,
        b_rgb,
        lambda x, y: vgg19(x, y, weights=weights, const_a=const_a, const_b=const_b),
        space="hsi",
    )


@register(
    "vgg19",
    family="learned",
    dims=(2,),
    learned=True,
    params={
        "weights": "torchvision vgg19 checkpoint (empty: $BRAINFUSE_VGG19_WEIGHTS, then the "
        "torch hub cache)",
        "const_a": "constant weight A of the anatomical image",
        "const_b": "constant weight B of the functional image",
    },
    reference="Amini & Mostaar 2022, J. Med. Signals Sens. 12(1):25-31",
    color=_vgg19_color,
)
def vgg19(
    a: np.ndarray,
    b: np.ndarray,
    *,
    weights: str = "",
    const_a: float = 0.3,
    const_b: float = 0.1,
) -> np.ndarray:
    """VGG19 first-layer features as fusion weights: A·MRI + B·PET + W_MRI·MRI + W_PET·PET.

    ``W`` is the mean of the first three of the 64 ``conv1_1`` feature maps of an ImageNet
    VGG19, each normalised to [0, 1]; A = 0.3 and B = 0.1 restore the contrast. A colour PET is
    fused in HSI: its intensity is replaced by the result, hue and saturation are kept. Needs
    torchvision's ``vgg19`` checkpoint (``vgg19-dcbb9e9d.pth``), which cannot be downloaded
    here: pass ``weights``, set ``BRAINFUSE_VGG19_WEIGHTS`` or place it in the torch hub cache.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, 2D, ``float32`` on 0..255, one shape.
    weights : str, optional
        A torchvision ``vgg19`` checkpoint (empty: ``$BRAINFUSE_VGG19_WEIGHTS``, then the torch
        hub cache).
    const_a, const_b : float, optional
        The constant weights of the anatomical and the functional image.

    Returns
    -------
    numpy.ndarray
        The fused image, ``float32`` on 0..255, the shape of ``a``.

    References
    ----------
    .. [1] N. Amini, A. Mostaar, "Deep learning approach for fusion of MRI-PET image based on
       extract image features using pretrained network (VGG19)", J. Med. Signals Sens. 12(1):25-31,
       2022.
    """
    from ..models.vgg19 import fuse

    return fuse(a, b, weights=weights or None, const_a=const_a, const_b=const_b)
