"""Mutual-information registration with SimpleITK (Mattes MI, multi-resolution), 2D and 3D.

In 2D the descent also runs from a second start. Where both images show the same head outline
(MRI with CT, or two MRI sequences) that start lines up the two heads' centroids and principal
axes (:func:`moment_start`). Otherwise it is a global search (:func:`global_start`): the mutual
information of every rotation in :data:`SEARCH_ANGLES` and every shift up to
:data:`SEARCH_SHIFT` pixels, computed at a quarter of the resolution with the joint histogram of
all shifts at once from FFT cross-correlations of the bins' indicator images. Gradient descent
alone, started at the image centres, lands in a wrong local optimum on many Harvard MRI-CT,
MRI-PET and MRI-SPECT pairs moved by 20 pixels and 10 degrees.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import scipy.fft
from scipy import ndimage

from ..errors import InputError
from .grid import Grid, foreground, object_mask
from .resample import resample_array

__all__ = [
    "MOMENT_MIN_DICE",
    "MOMENT_MIN_ELONGATION",
    "SAMPLING_FRACTION",
    "SAMPLING_SEED",
    "SEARCH_ANGLES",
    "SEARCH_BINS",
    "SEARCH_MIN_OVERLAP",
    "SEARCH_SHIFT",
    "SEARCH_SHRINK",
    "equalize",
    "global_start",
    "head_mask",
    "moment_start",
    "register_mi",
]

#: Seed of the metric's random sample: the same inputs always give the same matrix.
SAMPLING_SEED = 20220602
#: Fraction of the fixed samples the metric uses, for 2D images and for volumes.
SAMPLING_FRACTION = {2: 0.5, 3: 0.2}
#: 2D global search: rotations tried (degrees), largest shift (pixels), resolution reduction and
#: number of intensity bins of its joint histograms.
SEARCH_ANGLES = tuple(float(a) for a in range(-12, 13, 3))
SEARCH_SHIFT = 32.0
SEARCH_SHRINK = 4
SEARCH_BINS = 8
#: A shift is considered only where the overlap is at least this share of the largest overlap.
SEARCH_MIN_OVERLAP = 0.5
#: :func:`moment_start` replaces the global search when the two head masks, lined up by their
#: moments, have at least this Dice overlap (the outlines agree: MRI-CT, MRI-MRI).
MOMENT_MIN_DICE = 0.9
#: Below this ratio of its principal axes' lengths a head is too round for its major axis to
#: give a rotation, and :func:`moment_start` gives none.
MOMENT_MIN_ELONGATION = 1.03


def equalize(array: np.ndarray) -> np.ndarray:
    """Rank transform onto 0..255: each sample becomes 255 times the fraction of samples ≤ it.

    Mutual information is unchanged by a one-to-one intensity mapping, but a histogram with a few
    bins is not: on CT, all brain tissue falls in one or two of 8 equal-width bins (the skull
    takes the rest of the range). :func:`global_start` equalizes both images first, which spreads
    every tissue over its bins.

    Parameters
    ----------
    array : numpy.ndarray
        An image or volume.

    Returns
    -------
    equalized : numpy.ndarray
        float64, ``array``'s shape, values in (0, 255]; equal samples get equal values.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.mi import equalize
    >>> equalize(np.array([[0.0, 10.0], [10.0, 250.0]])).tolist()
    [[63.75, 191.25], [191.25, 255.0]]
    """
    flat = np.asarray(array, dtype=np.float64).ravel()
    rank = np.searchsorted(np.sort(flat), flat, side="right")
    return (rank * (255.0 / flat.size)).reshape(np.shape(array))


def _one_hot(values: np.ndarray, valid: np.ndarray, bins: int) -> np.ndarray:
    q = np.minimum((values * (bins / 256.0)).astype(np.int64), bins - 1)
    return np.stack([(q == i) & valid for i in range(bins)]).astype(np.float32)


def _rotation_about(angle_deg: float, centre: np.ndarray) -> np.ndarray:
    p = np.radians(angle_deg)
    m = np.eye(3)
    m[:2, :2] = [[np.cos(p), -np.sin(p)], [np.sin(p), np.cos(p)]]
    m[:2, 2] = centre - m[:2, :2] @ centre
    return m


def global_start(
    fixed: Grid, moving: Grid, start: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    r"""The best rigid start for a 2D registration by exhaustive search.

    ``moving`` is first resampled onto ``fixed``'s grid through ``start``. Both are reduced by
    :data:`SEARCH_SHRINK` (Gaussian σ = (shrink − 1)/2) and cut into :data:`SEARCH_BINS`
    equal-width intensity bins. For each rotation R of :data:`SEARCH_ANGLES` about the centre of
    ``fixed``, the joint histogram of every shift t is computed at once, one FFT
    cross-correlation per bin pair, counted only where the rotated moving image is defined. The
    rotation and shift (within :data:`SEARCH_SHIFT` pixels, overlap at least
    :data:`SEARCH_MIN_OVERLAP` of the largest) with the highest mutual information win. The result
    is exact to within a grid step (3 degrees, 4 pixels); the gradient descent that follows
    refines it.

    Parameters
    ----------
    fixed : Grid
        The fixed 2D image.
    moving : Grid
        The moving 2D image.
    start : numpy.ndarray
        The homogeneous fixed-to-moving matrix the search is centred on.
    mask : numpy.ndarray, optional
        Boolean mask of the fixed samples that count (default: all).

    Returns
    -------
    matrix : numpy.ndarray
        The best 3×3 fixed-to-moving matrix found.

    Notes
    -----
    .. math:: h_{ij}(t) = \sum_x [A(x) \in i] \, [B_R(x + t) \in j], \qquad
              MI = \sum_{ij} p_{ij} \log \frac{p_{ij}}{p_i p_j}.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> a = 200 * np.exp(-((xx - 24) ** 2 + (yy - 30) ** 2) / 60.0) + 120 * np.exp(
    ...     -((xx - 42) ** 2 + (yy - 38) ** 2) / 30.0)
    >>> to_pixel = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, column) -> (x, y)
    >>> fixed = Grid(a, to_pixel)
    >>> moving = Grid(np.roll(a, 3, axis=1), to_pixel)  # moved 3 pixels to the right
    >>> from brainfuse.registration.mi import global_start
    >>> global_start(fixed, moving, np.eye(3)).shape
    (3, 3)
    """
    s, k = SEARCH_SHRINK, SEARCH_BINS
    shape = fixed.array.shape
    to_index = np.linalg.inv(moving.to_space) @ start @ fixed.to_space
    on_fixed = resample_array(moving.array, to_index, shape).astype(np.float64)
    inside = resample_array(np.ones(moving.array.shape), to_index, shape, order=0) > 0.5

    def reduce(a: np.ndarray) -> np.ndarray:
        return ndimage.gaussian_filter(a, (s - 1) / 2.0)[::s, ::s]

    a = reduce(fixed.array)
    b = reduce(on_fixed)
    b_inside = inside[::s, ::s]
    r = int(np.ceil(SEARCH_SHIFT / s))
    # Zero padding to at least size + r: no wrap-around within the shifts searched.
    size = tuple(scipy.fft.next_fast_len(n + r, real=True) for n in a.shape)
    counted = np.ones(a.shape, bool) if mask is None else mask[::s, ::s]
    # Single precision: the counts (at most a.size) come back within 0.01 of whole numbers
    # and are rounded to them, so the histograms are exact.
    fa = np.conj(scipy.fft.rfft2(_one_hot(a, counted, k), s=size))[:, None]
    rows = np.r_[0 : r + 1, size[0] - r : size[0]]
    cols = np.r_[0 : r + 1, size[1] - r : size[1]]
    centre_index = (np.asarray(shape, dtype=np.float64) - 1.0) / 2.0
    best = (-np.inf, np.eye(3))
    for angle in SEARCH_ANGLES:
        # Rotation about the centre, in the reduced grid's indices (reduced u = full u / s).
        rot = _rotation_about(angle, centre_index / s)
        b_rot = ndimage.affine_transform(b, rot[:2, :2], offset=rot[:2, 2], order=1)
        valid = (
            ndimage.affine_transform(
                b_inside.astype(np.float64), rot[:2, :2], offset=rot[:2, 2], order=0
            )
            > 0.5
        )
        fb = scipy.fft.rfft2(_one_hot(b_rot, valid, k), s=size)[None]
        # The inverse transform of the cross-power only at the rows and columns of the shifts
        # searched: along the rows first, then along the columns of the rows kept.
        rows_kept = scipy.fft.ifft(fa * fb, axis=-2)[:, :, rows]
        joint = np.rint(scipy.fft.irfft(rows_kept, n=size[1], axis=-1)[:, :, :, cols])
        n = joint.sum(axis=(0, 1))
        p = joint / np.maximum(n, 1e-12)
        pa = p.sum(axis=1, keepdims=True)
        pb = p.sum(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 1e-12, p * np.log(p / (pa * pb)), 0.0)
        mi = terms.sum(axis=(0, 1))
        mi[n < SEARCH_MIN_OVERLAP * n.max()] = -np.inf
        i, j = np.unravel_index(int(np.argmax(mi)), mi.shape)
        if mi[i, j] > best[0]:
            shift = np.eye(3)
            shift[:2, 2] = [
                (rows[i] if rows[i] <= r else rows[i] - size[0]) * s,
                (cols[j] if cols[j] <= r else cols[j] - size[1]) * s,
            ]
            # fixed index x -> on_fixed index centre + R(x + t - centre)
            best = (float(mi[i, j]), _rotation_about(angle, centre_index) @ shift)
    in_space = fixed.to_space @ best[1] @ np.linalg.inv(fixed.to_space)
    return start @ in_space


def head_mask(grid: Grid) -> np.ndarray:
    """The head in a 2D image: the largest connected part of the object's mask.

    Of the parts of :func:`~brainfuse.registration.grid.object_mask`, the largest. This drops
    what lies apart from the head, such as the curved head-rest that CT slices show below it.

    Parameters
    ----------
    grid : Grid
        A 2D image.

    Returns
    -------
    mask : numpy.ndarray
        Boolean, the grid's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> from brainfuse.registration.mi import head_mask
    >>> a = np.zeros((12, 12)); a[3:9, 3:9] = 100; a[0, 11] = 100  # a head and a speck
    >>> int(head_mask(Grid(a, np.eye(3))).sum())
    36
    """
    fg = object_mask(grid)
    labels, n = ndimage.label(fg)
    if n <= 1:
        return fg
    sizes = ndimage.sum_labels(fg, labels, index=np.arange(1, n + 1))
    return labels == 1 + int(np.argmax(sizes))


def _centroid_and_axis(grid: Grid, mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Centroid and major-axis direction of ``mask``; None if it is too small or too round."""
    if mask.sum() < 3:
        return None
    points = grid.points()[mask.ravel()]
    centre = points.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov((points - centre).T))
    if values[0] <= 0 or values[-1] < MOMENT_MIN_ELONGATION**2 * values[0]:
        return None
    major = vectors[:, -1]
    return centre, float(np.arctan2(major[1], major[0]))


def moment_start(fixed: Grid, moving: Grid) -> tuple[np.ndarray, float] | None:
    r"""A 2D rigid start from the moments of the two heads, and how well their outlines agree.

    With c the centroid and θ the direction of the major principal axis of each
    :func:`head_mask` (in space coordinates), the start rotates by
    :math:`\theta_{moving} - \theta_{fixed}`, wrapped into [-90, 90) degrees (an axis has no
    sign), about the fixed centroid and carries it onto the moving centroid:
    :math:`x \mapsto R (x - c_f) + c_m`. The Dice overlap is high only when both images show
    the same outline: 0.91 to 0.96 on the 21 Harvard MRI-CT test pairs, at most 0.88 on the 42
    MRI-PET pairs, whose PET shows the brain, not the head. This is the method of moments of
    Alpert et al. [1]_.

    Parameters
    ----------
    fixed : Grid
        The fixed 2D image.
    moving : Grid
        The moving 2D image.

    Returns
    -------
    start : tuple of (numpy.ndarray, float) or None
        The 3×3 fixed-to-moving matrix and the Dice overlap
        :math:`2 |F \cap M| / (|F| + |M|)` of the fixed head mask and the moving one mapped
        through it; None when a head has fewer than 3 samples or is too round for an axis
        (principal axes' length ratio below :data:`MOMENT_MIN_ELONGATION`).

    References
    ----------
    .. [1] N. M. Alpert, J. F. Bradshaw, D. Kennedy and J. A. Correia, "The principal axes
       transformation -- a method for image registration", J. Nucl. Med. 31(10):1717-1722, 1990.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> a = 200 * np.exp(-((xx - 24) ** 2 + (yy - 30) ** 2) / 60.0) + 120 * np.exp(
    ...     -((xx - 42) ** 2 + (yy - 38) ** 2) / 30.0)
    >>> to_pixel = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, column) -> (x, y)
    >>> fixed = Grid(a, to_pixel)
    >>> moving = Grid(np.roll(a, 3, axis=1), to_pixel)  # moved 3 pixels to the right
    >>> from brainfuse.registration.mi import moment_start
    >>> matrix, dice = moment_start(fixed, moving)
    >>> round(float(matrix[0, 2]), 6) + 0.0, round(dice, 3)
    (3.0, 1.0)
    """
    f_mask, m_mask = head_mask(fixed), head_mask(moving)
    f_moments, m_moments = _centroid_and_axis(fixed, f_mask), _centroid_and_axis(moving, m_mask)
    if f_moments is None or m_moments is None:
        return None
    (c_f, theta_f), (c_m, theta_m) = f_moments, m_moments
    angle = (theta_m - theta_f + np.pi / 2) % np.pi - np.pi / 2
    out = np.eye(3)
    out[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    out[:2, 2] = c_m - out[:2, :2] @ c_f
    to_index = np.linalg.inv(moving.to_space) @ out @ fixed.to_space
    mapped = resample_array(m_mask.astype(np.float64), to_index, f_mask.shape, order=0) > 0.5
    dice = 2.0 * float((f_mask & mapped).sum()) / float(f_mask.sum() + mapped.sum())
    return out, dice


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


def _sitk_mask(grid: Grid, mask: np.ndarray):  # -> sitk.Image (uint8)
    import SimpleITK as sitk

    return sitk.Cast(_to_sitk(Grid(mask.astype(np.float32), grid.to_space)), sitk.sitkUInt8)


def _homogeneous(transform) -> np.ndarray:  # transform: sitk Euler/Affine transform
    d = transform.GetDimension()
    a = np.asarray(transform.GetMatrix(), dtype=np.float64).reshape(d, d)
    c = np.asarray(transform.GetCenter(), dtype=np.float64)
    t = np.asarray(transform.GetTranslation(), dtype=np.float64)
    out = np.eye(d + 1)
    out[:d, :d] = a
    out[:d, d] = t + c - a @ c
    return out


class _OneItkThread:
    """ITK's default number of threads held at one while any block of this is open.

    ITK's multi-threaded metric and sampler give slightly different results from run to run
    (a registration's own ``SetNumberOfThreads(1)`` does not reach its internal filters); on
    one thread a descent repeats bit for bit. The setting is process-wide, so the blocks are
    counted across threads: the first to open saves the default, the last to close restores
    it, and registrations running at once in several threads all stay on one ITK thread each.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._saved = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        import SimpleITK as sitk

        with self._lock:
            if self._open == 0:
                self._saved = sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()
                sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
            self._open += 1
        try:
            yield
        finally:
            with self._lock:
                self._open -= 1
                if self._open == 0:
                    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(self._saved)


_one_itk_thread = _OneItkThread()


def _descend(
    fixed: Grid, moving: Grid, kind: str, start: np.ndarray, mask: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """Gradient descent on the Mattes MI from ``start``: the matrix and the final metric value
    (negative MI at full resolution on the same fixed samples, so two runs compare)."""
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
    if mask is not None:
        reg.SetMetricFixedMask(_sitk_mask(fixed, mask))
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
    with _one_itk_thread():
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
    return _homogeneous(tx), float(reg.GetMetricValue())


def register_mi(fixed: Grid, moving: Grid, kind: str, start: np.ndarray) -> np.ndarray:
    """Maximise the Mattes mutual information of ``fixed`` and ``moving``; return the matrix.

    Metric: the mutual information of Mattes et al. [1]_ (16-bin Parzen joint histogram with
    B-spline windows) on a random 50 % (2D) or 20 % (3D) of the fixed samples, drawn with a fixed
    seed. Optimiser: regular-step gradient descent with parameter scales from the physical shift
    (minimum step 0.01 mm or pixel) over a three-level pyramid (shrink 4, 2, 1; Gaussian σ 2, 1,
    0 samples). The rotation centre is the centre of ``fixed``. ITK runs on one thread so that
    the result repeats bit for bit.

    2D: only samples of the fixed image's foreground
    (:func:`~brainfuse.registration.grid.foreground`) count, which keeps the empty background out
    of the histogram, and the descent runs twice: from ``start``, and from :func:`moment_start`
    when it gives a start and the two heads' outlines agree (Dice at least
    :data:`MOMENT_MIN_DICE`), else from the exhaustive search of :func:`global_start` (on
    rank-equalized copies, :func:`equalize`). The two descents run side by side on two threads
    (each on one ITK thread: the same result as one after the other, in about half the
    wall-clock time on two cores). The result with the higher final MI wins. The second start
    rescues large misalignments; the run from ``start`` keeps a nearly aligned pair where it is
    when the second start leads to another optimum. On the 21 Harvard MRI-CT test pairs moved by
    up to 20 px and 10 degrees, the moments instead of the search as the second start lowered
    the share of registrations ending more than 3 px from the unmoved pair's own result from
    43 % to 24 % (``benchmarks/bench_registration.py``): the quarter-resolution search often
    prefers a skull-to-scalp match on CT. Volumes: one descent from ``start`` (the headers).

    Affine, 2D: the rigid registration first (all of the above), then one affine descent from
    its result, the usual staging (a direct affine descent from ``start`` ended 1.72 and 1.42 px
    from two scaled and sheared phantom PET slices, the staged one 1.35 and 0.27 px;
    ``tests/registration/test_registration_phantom.py``). MI's affine optimum of a blurred SPECT
    slice is itself stretched (up to 17 % in area on the phantom,
    ``benchmarks/registration_phantom.py``), so prefer ``rigid`` unless the scales differ.
    Volumes start near the answer (their headers): one affine descent; staging did not change
    the result on scaled and rotated phantom volumes and cost a whole extra descent.

    Parameters
    ----------
    fixed : Grid
        The fixed image (:func:`brainfuse.registration.grid.grid_of`).
    moving : Grid
        The moving image, in the same space convention as ``fixed``.
    kind : {"rigid", "affine"}
        The transform model.
    start : numpy.ndarray
        The homogeneous fixed-to-moving matrix to start from.

    Returns
    -------
    matrix : numpy.ndarray
        The homogeneous fixed-to-moving matrix, ``(d+1) x (d+1)``.

    Raises
    ------
    InputError
        If the descent fails (for instance when too few samples overlap).

    References
    ----------
    .. [1] D. Mattes, D. R. Haynor, H. Vesselle, T. K. Lewellen and W. Eubank, "PET-CT image
       registration in the chest using free-form deformations", IEEE Trans. Med. Imaging
       22(1):120-128, 2003. doi:10.1109/TMI.2002.808360

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> a = 200 * np.exp(-((xx - 24) ** 2 + (yy - 30) ** 2) / 60.0) + 120 * np.exp(
    ...     -((xx - 42) ** 2 + (yy - 38) ** 2) / 30.0)
    >>> to_pixel = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, column) -> (x, y)
    >>> fixed = Grid(a, to_pixel)
    >>> moving = Grid(np.roll(a, 3, axis=1), to_pixel)  # moved 3 pixels to the right
    >>> from brainfuse.registration.mi import register_mi
    >>> matrix = register_mi(fixed, moving, "rigid", np.eye(3))
    >>> round(float(matrix[0, 2]))  # fixed (x, y) -> moving (x + 3, y)
    3
    """
    if fixed.ndim == 3:
        return _descend(fixed, moving, kind, start, None)[0]
    mask = foreground(fixed)
    moments = moment_start(fixed, moving)
    if moments is not None and moments[1] >= MOMENT_MIN_DICE:
        second = moments[0]
    else:
        second = global_start(
            Grid(equalize(fixed.array), fixed.to_space),
            Grid(equalize(moving.array), moving.to_space),
            start,
            mask,
        )
    starts = [start] if np.allclose(second, start) else [start, second]
    # The descents are independent and ITK leaves Python's lock while it runs: side by side on
    # two threads, each on one ITK thread (so each repeats bit for bit), they take about half
    # the wall-clock time on two cores and the same CPU time.
    with _one_itk_thread(), ThreadPoolExecutor(max_workers=len(starts)) as pool:
        runs = list(pool.map(lambda s: _descend(fixed, moving, "rigid", s, mask), starts))
    rigid = min(runs, key=lambda run: run[1])[0]
    if kind == "affine":
        return _descend(fixed, moving, "affine", rigid, mask)[0]
    return rigid
