"""LP-SR: Laplacian pyramid with a sparse-representation rule for the low-pass band.

Liu, Liu & Wang, "A general framework for image fusion based on multi-scale transform and sparse
representation", Information Fusion 24 (2015) 147-164.

1. Each source is decomposed by the Burt-Adelson Laplacian pyramid of
   :mod:`brainfuse.fusion.multiscale` (5-tap kernel [1 4 6 4 1]/16, mirror borders: the
   authors' code's pyramid, which it equals on even sizes; an odd size is reduced to ⌈n/2⌉
   directly where the authors' code first mirrors on one row or column) into high-pass levels
   and a low-pass band.
2. Low-pass band: every 8×8 patch (sliding window, ``step`` pixels apart) is vectorised, its
   mean v̄ removed and the rest coded over the dictionary D by orthogonal matching pursuit,
   α = argmin ‖α‖₀ s.t. ‖v − v̄ − Dα‖₂ ≤ ε. The patch whose code has the larger L1 norm wins
   (ties: A), with its own mean: v_F = Dα_X + v̄_X. Overlapping fused patches are averaged.
3. High-pass levels: "max-absolute" choice with Li et al.'s window-based consistency
   verification (the authors' code, option 3 of Rockinger's ``selc``): the activity of a
   coefficient is the largest |coefficient| in its 3×3 window, and A is chosen where A is more
   active in the majority (at least 5) of the 3×3 neighbourhood.
4. The pyramid of chosen coefficients is collapsed.

The dictionary (64×256, K-SVD) is learned by BrainFuse from the ``train`` split of
harvard-aanlib and shipped with the package (see :mod:`brainfuse.fusion.sr_dictionary`). The
paper's defaults are 4 levels, 8×8 patches and ε = 0.1 on the 0-255 scale (the authors' code
works on 0-255 doubles); the paper slides the window one pixel at a time (the authors' released
code uses 2). Images too small for 4 levels use fewer, so that the low-pass band still holds an
8×8 patch.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import ndimage

from .multiscale import laplacian_pyramid, reconstruct_laplacian_pyramid
from .registry import param, register
from .sr_dictionary import load_dictionary

__all__ = ["consistency_select", "lp_sr", "sparse_fuse"]


def consistency_select(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Choose-max with 3×3 window-based consistency verification (Li, Manjunath & Mitra [1]_).

    Parameters
    ----------
    ca, cb : numpy.ndarray
        The two high-pass bands, 2D, one shape.

    Returns
    -------
    fused : numpy.ndarray
        ``ca`` where A's activity exceeds B's at more than 4 of the 9 positions of the 3×3
        window, else ``cb``.

    Notes
    -----
    The activity of a coefficient is the largest :math:`|c|` in its 3×3 window (on the
    mirror-extended band); the majority vote keeps isolated choices from flipping a region.

    References
    ----------
    .. [1] H. Li, B. S. Manjunath and S. K. Mitra, "Multisensor image fusion using the wavelet
       transform", Graphical Models and Image Processing 57(3):235-245, 1995.
       doi:10.1006/gmip.1995.1022

    Examples
    --------
    A's single large coefficient wins its own window only:

    >>> import numpy as np
    >>> from brainfuse.fusion.sparse import consistency_select
    >>> ca = np.zeros((3, 3)); ca[1, 1] = 5.0
    >>> consistency_select(ca, np.ones((3, 3)))
    array([[0., 0., 0.],
           [0., 5., 0.],
           [0., 0., 0.]])
    """
    ext_a = np.pad(np.abs(ca), 1, mode="reflect")
    ext_b = np.pad(np.abs(cb), 1, mode="reflect")
    act_a = ndimage.maximum_filter(ext_a, size=3, mode="constant", cval=0.0)
    act_b = ndimage.maximum_filter(ext_b, size=3, mode="constant", cval=0.0)
    wins = (act_a > act_b).astype(np.int8)
    h, w = ca.shape
    votes = sum(wins[i : i + h, j : j + w] for i in range(3) for j in range(3))
    return np.where(votes > 4, ca, cb)


def _grid(n: int, patch: int, step: int) -> np.ndarray:
    starts = np.arange(0, n - patch + 1, step)
    if starts[-1] != n - patch:
        starts = np.append(starts, n - patch)
    return starts


def _omp(dictionary: np.ndarray, gram: np.ndarray, v: np.ndarray, tol: float) -> np.ndarray:
    from sklearn.linear_model import orthogonal_mp_gram

    norms = np.einsum("ij,ij->i", v, v)
    codes = np.zeros((v.shape[0], dictionary.shape[1]))
    busy = np.flatnonzero(norms > tol)
    if busy.size:
        with warnings.catch_warnings():
            # OMP stops when the selected atoms become linearly dependent: the patch is then
            # coded as well as the dictionary allows, which is what ε asks for.
            warnings.filterwarnings("ignore", message="Orthogonal matching pursuit ended")
            codes[busy] = np.asarray(
                orthogonal_mp_gram(
                    gram, dictionary.T @ v[busy].T, tol=tol, norms_squared=norms[busy]
                )
            ).T.reshape(busy.size, -1)
    return codes


def sparse_fuse(
    a: np.ndarray,
    b: np.ndarray,
    dictionary: np.ndarray,
    *,
    epsilon: float = 0.1,
    step: int = 1,
) -> np.ndarray:
    r"""Fuse two bands patch by patch by sparse representation with the max-L1 rule.

    Bands smaller than a patch are mirror-extended to one patch and cropped back. Patch starts
    are ``step`` apart and the last patch of each row and column always ends at the border, so
    every pixel is covered; overlapping fused patches are averaged.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two 2D bands, one shape.
    dictionary : numpy.ndarray
        The dictionary D, n² × K with unit-norm atoms for n×n patches (e.g.
        :func:`brainfuse.fusion.sr_dictionary.load_dictionary`).
    epsilon : float, optional
        OMP error tolerance ε > 0: the L2 norm of a patch's residual, on the band's scale
        (default 0.1).
    step : int, optional
        Sliding-window step of the patches in pixels (≥ 1, default 1).

    Returns
    -------
    fused : numpy.ndarray
        float64, ``a``'s shape.

    Notes
    -----
    Each patch v, its mean :math:`\bar v` removed, is coded by orthogonal matching pursuit,

    .. math:: \alpha = \arg\min \|\alpha\|_0 \ \text{s.t.}\ \|v - \bar v - D\alpha\|_2
              \le \epsilon,

    and the patch whose code has the larger L1 norm wins (ties: A), with its own mean:
    :math:`v_F = D\alpha_X + \bar v_X` [1]_.

    References
    ----------
    .. [1] Y. Liu, S. Liu and Z. Wang, "A general framework for image fusion based on multi-scale
       transform and sparse representation", Information Fusion 24:147-164, 2015.
       doi:10.1016/j.inffus.2014.09.004

    Examples
    --------
    A ramp is more active than a flat patch, so it is kept:

    >>> import numpy as np
    >>> from brainfuse.fusion.sparse import sparse_fuse
    >>> from brainfuse.fusion.sr_dictionary import load_dictionary
    >>> flat = np.full((8, 8), 100.0); ramp = np.tile(np.linspace(0, 70, 8), (8, 1))
    >>> sparse_fuse(flat, ramp, load_dictionary())[0].round(1)
    array([ 0., 10., 20., 30., 40., 50., 60., 70.])
    """
    patch = round(np.sqrt(dictionary.shape[0]))
    h, w = a.shape
    ph, pw = max(patch - h, 0), max(patch - w, 0)
    if ph or pw:
        a = np.pad(a, ((0, ph), (0, pw)), mode="symmetric")
        b = np.pad(b, ((0, ph), (0, pw)), mode="symmetric")
    ys, xs = _grid(a.shape[0], patch, step), _grid(a.shape[1], patch, step)
    gram = dictionary.T @ dictionary
    tol = float(epsilon) ** 2
    fused_patches = []
    means = []
    l1 = []
    for band in (a, b):
        windows = np.lib.stride_tricks.sliding_window_view(band, (patch, patch))
        v = windows[np.ix_(ys, xs)].reshape(-1, patch * patch)
        mean = v.mean(axis=1, keepdims=True)
        codes = _omp(dictionary, gram, v - mean, tol)
        fused_patches.append(codes @ dictionary.T)
        means.append(mean)
        l1.append(np.abs(codes).sum(axis=1))
    take_a = (l1[0] >= l1[1])[:, None]
    chosen = np.where(take_a, fused_patches[0] + means[0], fused_patches[1] + means[1])
    chosen = chosen.reshape(ys.size, xs.size, patch, patch)
    total = np.zeros(a.shape)
    count = np.zeros(a.shape)
    for i in range(patch):
        for j in range(patch):
            rows, cols = np.ix_(ys + i, xs + j)
            total[rows, cols] += chosen[:, :, i, j]
            count[rows, cols] += 1.0
    return (total / count)[:h, :w]


def _levels_for(shape: tuple[int, ...], levels: int, patch: int) -> int:
    used = 0
    size = tuple(shape)
    while used < levels:
        size = tuple(-(-s // 2) for s in size)
        if min(size) < patch:
            break
        used += 1
    return used


@register(
    "lpsr",
    family="sparse",
    dims=(2,),
    reference="Liu, Liu & Wang 2015, Information Fusion 24:147-164",
    params={
        "levels": param(
            "Laplacian pyramid levels (fewer on images too small for an 8x8 low-pass band)",
            minimum=0,
        ),
        "epsilon": param(
            "OMP error tolerance: L2 norm of a patch's residual, on the 0-255 scale",
            minimum=0,
            exclusive_minimum=True,
        ),
        "step": param(
            "sliding-window step of the 8x8 patches in the low-pass band, in pixels", minimum=1
        ),
    },
)
def lp_sr(
    a: np.ndarray, b: np.ndarray, *, levels: int = 4, epsilon: float = 0.1, step: int = 1
) -> np.ndarray:
    """Laplacian pyramid + sparse representation of the low-pass band (LP-SR).

    High-pass levels take the more active coefficient (:func:`consistency_select`); the low-pass
    band is fused by :func:`sparse_fuse` over the shipped K-SVD dictionary; the pyramid is
    collapsed. See the module docstring for the steps.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey 2D images, one shape, on the 0..255 scale.
    levels : int, optional
        Laplacian pyramid levels (≥ 0, default 4), fewer on images too small for an 8×8
        low-pass band.
    epsilon : float, optional
        OMP error tolerance ε > 0: the L2 norm of a patch's residual on the 0..255 scale
        (default 0.1, the paper's).
    step : int, optional
        Sliding-window step of the 8×8 patches in the low-pass band, in pixels (≥ 1, default 1;
        the authors' released code uses 2).

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale (not clipped).

    References
    ----------
    .. [1] Y. Liu, S. Liu and Z. Wang, "A general framework for image fusion based on multi-scale
       transform and sparse representation", Information Fusion 24:147-164, 2015.
       doi:10.1016/j.inffus.2014.09.004

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((32, 32), np.float32); b = np.full((32, 32), 80, np.float32)
    >>> a[8:24, 8:24] = 200
    >>> brainfuse.fuse(a, b, "lpsr")[16, ::4].round() + 0.0
    array([  0.,   0., 200., 200., 200., 200.,   0.,   0.], dtype=float32)
    """
    dictionary = load_dictionary()
    patch = round(np.sqrt(dictionary.shape[0]))
    used = _levels_for(a.shape, levels, patch)
    pyr_a = laplacian_pyramid(a, used)
    pyr_b = laplacian_pyramid(b, used)
    fused = [consistency_select(da, db) for da, db in zip(pyr_a[:-1], pyr_b[:-1], strict=True)]
    fused.append(sparse_fuse(pyr_a[-1], pyr_b[-1], dictionary, epsilon=epsilon, step=step))
    return reconstruct_laplacian_pyramid(fused).astype(np.float32)
