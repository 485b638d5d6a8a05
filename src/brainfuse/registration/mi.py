"""Mutual-information registration with SimpleITK (Mattes MI, multi-resolution), 2D and 3D."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..errors import InputError
from .grid import Grid

__all__ = ["register_mi"]

#: Seed of the metric's random sample: the same inputs always give the same matrix.
SAMPLING_SEED = 20220602
#: Fraction of the fixed samples the metric uses, for 2D images and for volumes.
SAMPLING_FRACTION = {2: 0.5, 3: 0.2}
#: 2D: the metric samples only the fixed image's foreground, above this fraction of its maximum.
FOREGROUND_FRACTION = 0.05


def _to_sitk(grid: Grid):  # -> sitk.Image
    import SimpleITK as sitk

    d = grid.ndim
    # ITK index (i, j[, k]) addresses array[i, j[, k]]: reverse the axes for GetImageFromArray.
    img = sitk.GetImageFromArray(np.ascontiguousarray(grid.array.T, dtype=np.float32))
    linear = grid.to_space[:d, :d]
    spacing = np.sqrt((linear**2).sum(axis=0))
    img.SetSpacing([float(s) for s in spacing])
    img.SetDirection([float(v) for v in (linear / spacing).ravel()])
    img.SetOrigin([float(v) for v in grid.to_space[:d, d]])
    return img


def _foreground_mask(grid: Grid):  # -> sitk.Image (uint8)
    """The fixed image's foreground: above FOREGROUND_FRACTION of its maximum, closed, holes
    filled and grown by 4 samples, so that the border of the object is inside."""
    import SimpleITK as sitk

    fg = grid.array > FOREGROUND_FRACTION * float(grid.array.max())
    fg = ndimage.binary_fill_holes(ndimage.binary_closing(fg, iterations=3))
    fg = ndimage.binary_dilation(fg, iterations=4)
    return sitk.Cast(_to_sitk(Grid(fg.astype(np.float32), grid.to_space)), sitk.sitkUInt8)


def _homogeneous(transform) -> np.ndarray:  # transform: sitk Euler/Affine transform
    d = transform.GetDimension()
    a = np.asarray(transform.GetMatrix(), dtype=np.float64).reshape(d, d)
    c = np.asarray(transform.GetCenter(), dtype=np.float64)
    t = np.asarray(transform.GetTranslation(), dtype=np.float64)
    out = np.eye(d + 1)
    out[:d, :d] = a
    out[:d, d] = t + c - a @ c
    return out


def register_mi(fixed: Grid, moving: Grid, kind: str, start: np.ndarray) -> np.ndarray:
    """Maximise the Mattes mutual information of ``fixed`` and ``moving``; return the matrix.

    Metric: Mattes et al.'s mutual information (16-bin Parzen joint histogram with B-spline
    windows; Mattes, Haynor, Vesselle, Lewellen & Eubank, "PET-CT image registration in the
    chest using free-form deformations", IEEE TMI 22(1):120-128, 2003) on a random 50 % (2D)
    or 20 % (3D) of the fixed samples, drawn with a fixed seed; in 2D only samples of the
    fixed image's foreground (:func:`_foreground_mask`) count, which keeps the empty
    background out of the histogram (fewer failures on the Harvard MRI-PET and MRI-SPECT
    pairs, ``benchmarks/bench_registration.py``). Optimiser: regular-step
    gradient descent with parameter scales from the physical shift (minimum step 0.01 mm or
    pixel), over a three-level pyramid (shrink 4, 2, 1; Gaussian sigma 2, 1, 0 samples).
    ``start`` (fixed to moving, homogeneous) is the initial transform; the rotation centre is
    the centre of ``fixed``. ITK runs on one thread so that the result repeats bit for bit.
    """
    import SimpleITK as sitk

    d = fixed.ndim
    centre = fixed.centre()
    if kind == "rigid":
        tx = sitk.Euler2DTransform() if d == 2 else sitk.Euler3DTransform()
    else:
        tx = sitk.AffineTransform(d)
    tx.SetCenter([float(v) for v in centre])
    linear = start[:d, :d]
    if kind == "rigid":  # the nearest rotation (polar decomposition) of the start
        u, _, vt = np.linalg.svd(linear)
        linear = u @ vt
    tx.SetMatrix([float(v) for v in linear.ravel()])
    tx.SetTranslation([float(v) for v in start[:d, :d] @ centre + start[:d, d] - centre])

    reg = sitk.ImageRegistrationMethod()
    reg.SetMetricAsMattesMutualInformation(numberOfHistogramBins=16)
    reg.SetMetricSamplingStrategy(reg.RANDOM)
    reg.SetMetricSamplingPercentage(SAMPLING_FRACTION[d], SAMPLING_SEED)
    if d == 2:
        reg.SetMetricFixedMask(_foreground_mask(fixed))
    reg.SetInterpolator(sitk.sitkLinear)
    reg.SetOptimizerAsRegularStepGradientDescent(
        learningRate=2.0,
        minStep=1e-2,
        numberOfIterations=200,
        relaxationFactor=0.5,
        gradientMagnitudeTolerance=1e-8,
    )
    reg.SetOptimizerScalesFromPhysicalShift()
    reg.SetShrinkFactorsPerLevel([4, 2, 1])
    reg.SetSmoothingSigmasPerLevel([2, 1, 0])
    reg.SmoothingSigmasAreSpecifiedInPhysicalUnitsOff()
    reg.SetInitialTransform(tx, inPlace=True)
    # ITK's multi-threaded metric and sampler give slightly different results from run to
    # run; one thread makes the result repeat bit for bit (and costs little here).
    threads = sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
    try:
        reg.Execute(_to_sitk(fixed), _to_sitk(moving))
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        reason = next((ln for ln in first if "Description" in ln), first[-1] if first else "")
        raise InputError(
            None,
            "mutual-information registration failed (the images do not overlap enough?): "
            + reason.split("Description:")[-1].strip(),
        ) from None
    finally:
        sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(threads)
    return _homogeneous(tx)
