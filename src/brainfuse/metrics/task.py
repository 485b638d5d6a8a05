r"""Task-based and truth-based image quality of fused images, on phantom cases with known truth.

Fusion metrics compare the fused image with its sources, which rewards copying them, artefacts
included. With a phantom the truth is known, so one can ask what a reader needs instead:

- **Lesion detectability** by a model observer, the channelized Hotelling observer (CHO) with
  Laguerre–Gauss channels (Barrett & Myers 2004, *Foundations of Image Science*, ch. 13-14;
  Barrett, Yao, Rolland & Myers 1993, PNAS 90:9758; Gallas & Barrett 2003, JOSA A 20:1725;
  Abbey & Barrett 2001, JOSA A 18:473): :func:`cho`, :func:`cho_cases`.
- **Contrast recovery** of each lesion against the true activity: :func:`contrast_recovery`,
  and its contrast-to-noise ratio, :func:`lesion_cnr`.
- **Anatomical fidelity** against the noise-free anatomy inside the brain:
  :func:`gradient_correlation` and :func:`ssim_in_mask`.
- **Noise amplification**: :func:`noise_amplification`.
- **Colour read-back**: whether the functional value can be read back from a colour rendering:
  :func:`colour_readback`.

:func:`score_case` gives all the single-image scores of one fused image against one case
(:class:`brainfuse.phantom.Case` or any object with the same attributes). Pure NumPy/SciPy; the
observer is written here because no maintained Python library implements a CHO.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import linalg, ndimage, special, stats

from ..color import apply_palette, rgb_to_ycbcr
from ..errors import InputError
from .structural import ssim_map

__all__ = [
    "CHOResult",
    "CaseLike",
    "channel_outputs",
    "cho",
    "cho_cases",
    "colour_readback",
    "contrast_recovery",
    "default_channel_width",
    "gradient_correlation",
    "laguerre_gauss",
    "lesion_cnr",
    "noise_amplification",
    "palette_readback",
    "score_case",
    "ssim_in_mask",
]

_LUMA = np.array([0.299, 0.587, 0.114])  # BT.601


class _LesionLike(Protocol):
    centre: tuple[float, ...]
    mask: np.ndarray
    background: np.ndarray
    true_ratio: float
    present: bool


class CaseLike(Protocol):
    """What the scores read from a case (:class:`brainfuse.phantom.Case` has it all)."""

    ndim: int
    anatomy_true: np.ndarray
    functional: np.ndarray
    activity: np.ndarray
    brain_mask: np.ndarray
    uniform_mask: np.ndarray
    lesions: Sequence[_LesionLike]
    spacing: tuple[float, ...]
    fwhm_mm: float
    palette: str | None

    def functional_rgb(self) -> np.ndarray: ...


# --- channels ---------------------------------------------------------------------------------


def laguerre_gauss(offsets: np.ndarray, width: float, n_channels: int = 10) -> np.ndarray:
    r"""Laguerre–Gauss channel profiles at points given by their offsets from the lesion centre.

    Parameters
    ----------
    offsets : numpy.ndarray
        Shape ``(..., d)``: offsets in pixels (any dimension ``d``; the channels are radial).
    width : float
        The Gaussian width :math:`a` in pixels, > 0.
    n_channels : int, optional
        Number of channels :math:`J` (default 10).

    Returns
    -------
    channels : numpy.ndarray
        Shape ``(J,) + offsets.shape[:-1]``.

    Notes
    -----
    .. math:: u_j(r) = \frac{\sqrt{2}}{a} \exp\left(-\frac{\pi r^2}{a^2}\right)
              L_j\left(\frac{2\pi r^2}{a^2}\right), \quad j = 0 \dots J-1,

    with :math:`L_j` the Laguerre polynomial (Barrett & Myers 2004, §14.2; Gallas & Barrett
    2003). In 2D they are orthonormal; in 3D they are the same radial functions (not
    orthonormal, which the Hotelling observer does not need).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import laguerre_gauss
    >>> yy, xx = np.mgrid[-40:41, -40:41]
    >>> u = laguerre_gauss(np.stack([yy, xx], -1).astype(float), 8.0, 3)
    >>> gram = u.reshape(3, -1) @ u.reshape(3, -1).T
    >>> bool(np.allclose(gram, np.eye(3), atol=1e-3))
    True
    """
    if not (math.isfinite(width) and width > 0):
        raise InputError("width", f"must be a positive number of pixels, got {width}")
    if not (isinstance(n_channels, int) and 1 <= n_channels <= 40):
        raise InputError("n_channels", f"must be an integer from 1 to 40, got {n_channels}")
    r2 = (np.asarray(offsets, dtype=np.float64) ** 2).sum(axis=-1)
    g = (math.sqrt(2.0) / width) * np.exp(-math.pi * r2 / width**2)
    x = 2.0 * math.pi * r2 / width**2
    return np.stack([g * special.eval_laguerre(j, x) for j in range(n_channels)])


def _grey(img: np.ndarray, ndim: int) -> np.ndarray:
    arr = np.asarray(img, dtype=np.float64)
    if arr.ndim == ndim + 1 and arr.shape[-1] == 3:
        return arr @ _LUMA
    return arr


def channel_outputs(
    images: Sequence[np.ndarray],
    centres: Sequence[Sequence[float]],
    *,
    width: float,
    n_channels: int = 10,
    ndim: int = 2,
) -> np.ndarray:
    """Channel outputs ``v = Uᵀ g`` of each image, channels centred on each image's lesion.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        Grey images (``ndim`` axes) or stacks of planes (``ndim`` axes + planes, e.g. RGB):
        each plane gets its own channels, so a colour image gives ``3 · n_channels`` outputs.
    centres : sequence of sequences of float
        The lesion centre of each image, in array indices (may be fractional).
    width : float
        Channel width in pixels (:func:`laguerre_gauss`).
    n_channels : int, optional
        Channels per plane (default 10).
    ndim : {2, 3}, optional
        Spatial dimensions of the images (default 2).

    Returns
    -------
    v : numpy.ndarray
        Shape ``(len(images), n_outputs)``, float64.

    Raises
    ------
    InputError
        If the images differ in shape, the counts differ, or an image holds NaN.

    Notes
    -----
    Only a patch of half-side ``ceil(3 · width)`` around the centre is read (the channels are
    below ``1e-10`` of their peak beyond it); outside the image counts as 0.
    """
    if len(images) != len(centres):
        raise InputError("centres", f"{len(centres)} centres for {len(images)} images")
    if not images:
        raise InputError("images", "no images")
    shape = np.shape(images[0])
    half = math.ceil(3.0 * width)
    side = 2 * half + 1
    grid = np.stack(np.meshgrid(*[np.arange(-half, half + 1)] * ndim, indexing="ij"), -1)
    out = []
    for n, (img, c) in enumerate(zip(images, centres, strict=True)):
        arr = np.asarray(img, dtype=np.float64)
        if arr.shape != shape:
            raise InputError(f"image {n}", f"shape {arr.shape} differs from {shape}")
        if not np.isfinite(arr).all():
            raise InputError(f"image {n}", "contains NaN or infinite values")
        planes = arr[..., None] if arr.ndim == ndim else arr
        c = np.asarray(c, dtype=np.float64)
        base = np.rint(c).astype(int)
        u = laguerre_gauss(grid + (base - c), width, n_channels).reshape(n_channels, -1)
        padded = np.pad(planes, [(half, half)] * ndim + [(0, 0)])
        sl = tuple(slice(b, b + side) for b in base)
        if any(not 0 <= b < s for b, s in zip(base, shape, strict=False)):
            raise InputError(f"image {n}", f"centre {tuple(c)} lies outside the image")
        patch = padded[sl].reshape(-1, planes.shape[-1])
        out.append((u @ patch).T.ravel())
    return np.asarray(out)


# --- the observer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CHOResult:
    """What :func:`cho` measured.

    Attributes
    ----------
    d_prime : float
        Detectability index of the held-out test statistics (or the resubstitution estimate
        when ``estimate="resubstitution"``).
    auc : float
        :math:`\\Phi(d'/\\sqrt{2})`, the area under the ROC curve of a normal observer.
    auc_empirical : float
        The Mann–Whitney estimate of the AUC from the test statistics (ties count ½).
    d_prime_resubstitution : float
        :math:`\\sqrt{\\Delta\\mu^T K^{-1} \\Delta\\mu}` with all cases (biased upwards).
    n_present, n_absent : int
        Ensemble sizes.
    n_channels : int
        Channel outputs per image (``3 ×`` per plane for colour).
    width : float
        Channel width in pixels.
    estimate : str
        ``"holdout"`` or ``"resubstitution"``.
    statistics_present, statistics_absent : numpy.ndarray
        The test statistic of each case (under ``"holdout"``: from the template of the other
        half, so compare them within a half only).
    """

    d_prime: float
    auc: float
    auc_empirical: float
    d_prime_resubstitution: float
    n_present: int
    n_absent: int
    n_channels: int
    width: float
    estimate: str
    statistics_present: np.ndarray
    statistics_absent: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """The scalar results, for tables and JSON."""
        return {
            "d_prime": self.d_prime,
            "auc": self.auc,
            "auc_empirical": self.auc_empirical,
            "d_prime_resubstitution": self.d_prime_resubstitution,
            "n_present": self.n_present,
            "n_absent": self.n_absent,
            "n_channels": self.n_channels,
            "width": self.width,
            "estimate": self.estimate,
        }


def _template(v1: np.ndarray, v0: np.ndarray, internal_noise: float) -> np.ndarray:
    dmu = v1.mean(axis=0) - v0.mean(axis=0)
    k = 0.5 * (np.cov(v1, rowvar=False) + np.cov(v0, rowvar=False))
    k = np.atleast_2d(k)
    k = k + internal_noise * np.diag(np.diag(k))
    ridge = 1e-10 * max(float(np.trace(k)) / len(k), 1e-300)
    try:
        return linalg.solve(k + ridge * np.eye(len(k)), dmu, assume_a="pos")
    except (linalg.LinAlgError, ValueError):
        return np.linalg.pinv(k) @ dmu


def _d_prime(t1: np.ndarray, t0: np.ndarray) -> float:
    s = math.sqrt(0.5 * (float(np.var(t1, ddof=1)) + float(np.var(t0, ddof=1))))
    diff = float(t1.mean() - t0.mean())
    if s == 0:
        return math.inf if diff > 0 else (0.0 if diff == 0 else -math.inf)
    return diff / s


def _auc_empirical(t1: np.ndarray, t0: np.ndarray) -> float:
    u = stats.mannwhitneyu(t1, t0, alternative="two-sided").statistic
    return float(u) / (len(t1) * len(t0))


def cho(
    present: np.ndarray,
    absent: np.ndarray,
    *,
    estimate: str = "holdout",
    internal_noise: float = 0.0,
    width: float = float("nan"),
) -> CHOResult:
    r"""Channelized Hotelling observer on channel outputs of lesion-present and -absent images.

    Parameters
    ----------
    present, absent : numpy.ndarray
        Channel outputs, shape ``(n_cases, n_outputs)`` (:func:`channel_outputs`); at least 4
        cases each (``"holdout"``) and more cases than outputs per half for a stable estimate.
    estimate : {"holdout", "resubstitution"}, optional
        ``"holdout"`` (default): two-fold cross-validation; the template trained on one half
        (even-numbered cases) scores the other, and the reverse, so that every case's statistic
        comes from a template it did not train; d′ and the empirical AUC are computed on each
        test half and averaged over the two folds (the two templates differ in scale and
        offset, so their statistics are not pooled). ``"resubstitution"``: train and test on
        all cases (biased upwards for small ensembles; Barrett & Myers 2004, §13.2.12).
    internal_noise : float, optional
        Internal channel noise as a fraction of each channel's variance, added to the
        covariance: :math:`K \to K + \alpha\,\mathrm{diag}(K)` (the "proportional" internal noise
        of Abbey & Barrett 2001). Default 0.
    width : float, optional
        The channel width, recorded in the result only.

    Returns
    -------
    result : CHOResult

    Raises
    ------
    InputError
        If the arrays are not 2D, differ in width, hold NaN or too few cases, or an option is
        unknown.

    Notes
    -----
    With :math:`\Delta\mu = \bar v_1 - \bar v_0` and :math:`K = \tfrac12 (K_1 + K_0)` the
    channel covariance, the Hotelling template is :math:`w = K^{-1}\Delta\mu` and the test
    statistic :math:`t = w^T v`. Then

    .. math:: d' = \frac{\bar t_1 - \bar t_0}{\sqrt{\tfrac12(\sigma_1^2 + \sigma_0^2)}},
              \qquad \mathrm{AUC} = \Phi(d'/\sqrt2),

    and without holdout :math:`d'^2 = \Delta\mu^T K^{-1} \Delta\mu`. The empirical AUC is the
    Mann–Whitney statistic :math:`U / (n_1 n_0)`.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import cho
    >>> rng = np.random.default_rng(0)
    >>> absent = rng.normal(size=(400, 3))
    >>> present = rng.normal(size=(400, 3)) + [1.0, 0.0, 0.0]
    >>> r = cho(present, absent)                 # the true d' is 1, the AUC 0.760
    >>> abs(r.d_prime - 1) < 0.2, abs(r.auc_empirical - 0.76) < 0.05
    (True, True)
    """
    v1 = np.asarray(present, dtype=np.float64)
    v0 = np.asarray(absent, dtype=np.float64)
    if v1.ndim != 2 or v0.ndim != 2 or v1.shape[1] != v0.shape[1]:
        raise InputError(
            "channels", f"expected (cases, outputs) arrays, got {v1.shape}, {v0.shape}"
        )
    if not (np.isfinite(v1).all() and np.isfinite(v0).all()):
        raise InputError("channels", "contain NaN or infinite values")
    if estimate not in ("holdout", "resubstitution"):
        raise InputError("estimate", f"expected 'holdout' or 'resubstitution', got {estimate!r}")
    if not (math.isfinite(internal_noise) and internal_noise >= 0):
        raise InputError("internal_noise", f"must be >= 0, got {internal_noise}")
    need = 4 if estimate == "holdout" else 2
    if len(v1) < need or len(v0) < need:
        raise InputError("ensemble", f"needs at least {need} present and {need} absent cases")
    w_all = _template(v1, v0, internal_noise)
    dmu = v1.mean(axis=0) - v0.mean(axis=0)
    d_resub = math.sqrt(max(float(dmu @ w_all), 0.0))
    if estimate == "holdout":
        t1 = np.empty(len(v1))
        t0 = np.empty(len(v0))
        ds, aucs = [], []
        for train in (0, 1):
            tr1, te1 = np.arange(train, len(v1), 2), np.arange(1 - train, len(v1), 2)
            tr0, te0 = np.arange(train, len(v0), 2), np.arange(1 - train, len(v0), 2)
            w = _template(v1[tr1], v0[tr0], internal_noise)
            t1[te1] = v1[te1] @ w
            t0[te0] = v0[te0] @ w
            ds.append(_d_prime(t1[te1], t0[te0]))
            aucs.append(_auc_empirical(t1[te1], t0[te0]))
        d = float(np.mean(ds))
        auc_emp = float(np.mean(aucs))
    else:
        t1, t0 = v1 @ w_all, v0 @ w_all
        d = d_resub
        auc_emp = _auc_empirical(t1, t0)
    return CHOResult(
        d_prime=d,
        auc=float(stats.norm.cdf(d / math.sqrt(2.0))),
        auc_empirical=auc_emp,
        d_prime_resubstitution=d_resub,
        n_present=len(v1),
        n_absent=len(v0),
        n_channels=v1.shape[1],
        width=float(width),
        estimate=estimate,
        statistics_present=t1,
        statistics_absent=t0,
    )


def default_channel_width(cases: Sequence[CaseLike]) -> float:
    """The default Laguerre–Gauss width for an ensemble, in pixels.

    ``a = 2.5 · median(√(r² + σ²))``, with ``r`` the first lesion's radius and ``σ`` the
    functional PSF's standard deviation (both mm, divided by the pixel size): the channels then
    span the blurred lesion and its surround, the choice Gallas & Barrett (2003) found near
    the observer's best for Gaussian-like signals.

    Parameters
    ----------
    cases : sequence of Case
        The cases.

    Returns
    -------
    width : float
    """
    sizes = [
        math.hypot(c.lesions[0].planted.radius_mm, c.fwhm_mm / 2.3548200450309493)  # type: ignore[attr-defined]
        / float(np.mean(c.spacing))
        for c in cases
    ]
    return 2.5 * float(np.median(sizes))


def cho_cases(
    fused_present: Sequence[np.ndarray],
    fused_absent: Sequence[np.ndarray],
    cases_present: Sequence[CaseLike],
    cases_absent: Sequence[CaseLike] | None = None,
    *,
    n_channels: int = 5,
    width: float | None = None,
    estimate: str = "holdout",
    internal_noise: float = 0.0,
) -> CHOResult:
    """The CHO's d′ and AUC of fused images of a phantom ensemble (location-known task).

    Channels are centred on each case's first lesion (where it is, or would be in the twin).
    The lesions must all be hyper- or all hypo-metabolic: a linear observer detects one signal.

    Parameters
    ----------
    fused_present, fused_absent : sequence of numpy.ndarray
        The fused images of the lesion-present cases and of the lesion-absent cases (grey or
        colour).
    cases_present : sequence of Case
        The lesion-present cases, in the order of ``fused_present``.
    cases_absent : sequence of Case, optional
        The lesion-absent cases (default: ``cases_present``, i.e. the twins in the same order).
    n_channels : int, optional
        Laguerre–Gauss channels per colour plane (default 5: the covariance of ``3 × 5``
        colour outputs is then estimated well from a few hundred cases; use more channels with
        larger ensembles).
    width : float, optional
        Channel width in pixels (default :func:`default_channel_width` of ``cases_present``).
    estimate : {"holdout", "resubstitution"}, optional
        See :func:`cho`.
    internal_noise : float, optional
        See :func:`cho`.

    Returns
    -------
    result : CHOResult

    Raises
    ------
    InputError
        If the counts differ or as :func:`cho` and :func:`channel_outputs`.

    Examples
    --------
    >>> from brainfuse.phantom import make_ensemble
    >>> from brainfuse.metrics.task import cho_cases
    >>> ens = make_ensemble(20, seed=1, hyper=True)
    >>> pet = cho_cases([c.functional for c in ens.present], [c.functional for c in ens.absent],
    ...                 ens.present, ens.absent)
    >>> mri = cho_cases([c.anatomy for c in ens.present], [c.anatomy for c in ens.absent],
    ...                 ens.present, ens.absent)
    >>> pet.d_prime > 1 > 0.1 > mri.d_prime, pet.n_present     # the lesion is not on the MRI
    (True, 20)
    """
    cases_absent = cases_present if cases_absent is None else cases_absent
    if len(fused_present) != len(cases_present) or len(fused_absent) != len(cases_absent):
        raise InputError("ensemble", "the fused images and the cases differ in number")
    if not cases_present:
        raise InputError("ensemble", "no cases")
    if len({c.lesions[0].true_ratio > 1 for c in cases_present}) > 1:
        raise InputError(
            "ensemble",
            "mixes hyper- and hypo-metabolic lesions, whose signals cancel in a linear observer; "
            "score them as two tasks (make_ensemble(..., hyper=True) and hyper=False)",
        )
    a = default_channel_width(cases_present) if width is None else float(width)
    ndim = cases_present[0].ndim
    kw = {"width": a, "n_channels": n_channels, "ndim": ndim}
    v1 = channel_outputs(fused_present, [c.lesions[0].centre for c in cases_present], **kw)
    v0 = channel_outputs(fused_absent, [c.lesions[0].centre for c in cases_absent], **kw)
    return cho(v1, v0, estimate=estimate, internal_noise=internal_noise, width=a)


# --- single-image, truth-based scores -----------------------------------------------------------


def contrast_recovery(
    image: np.ndarray, lesion_mask: np.ndarray, background_mask: np.ndarray, true_ratio: float
) -> float:
    r"""Contrast recovery coefficient of one lesion.

    .. math:: \mathrm{CRC} = \frac{\bar F_L / \bar F_B - 1}{R_\mathrm{true} - 1}

    with :math:`\bar F_L` the mean of the image over the lesion, :math:`\bar F_B` over its
    background shell (for phantom cases the tissue between ``r + FWHM`` and ``r + FWHM + 10``
    mm from the centre) and :math:`R_\mathrm{true}` the true lesion-to-background ratio (NEMA
    NU 2-2018 §7.4 "contrast recovery", here for hot and cold lesions alike). 1 is full
    recovery; the PSF alone gives less; fusion with anatomy dilutes it further.

    Parameters
    ----------
    image : numpy.ndarray
        A grey image (use the luminance of a colour one).
    lesion_mask, background_mask : numpy.ndarray
        Boolean masks of the image's shape.
    true_ratio : float
        :math:`R_\mathrm{true}`, not 1.

    Returns
    -------
    crc : float
        NaN when the background mean is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import contrast_recovery
    >>> img = np.full((5, 5), 10.0); img[2, 2] = 15.0
    >>> lesion = np.zeros((5, 5), bool); lesion[2, 2] = True
    >>> contrast_recovery(img, lesion, ~lesion, 2.0)
    0.5
    """
    if true_ratio == 1.0 or not math.isfinite(true_ratio):
        raise InputError("true_ratio", f"must be finite and not 1, got {true_ratio}")
    img = np.asarray(image, dtype=np.float64)
    fb = float(img[background_mask].mean())
    if fb == 0 or not np.any(lesion_mask):
        return math.nan
    return (float(img[lesion_mask].mean()) / fb - 1.0) / (true_ratio - 1.0)


def lesion_cnr(
    image: np.ndarray, lesion_mask: np.ndarray, background_mask: np.ndarray, hyper: bool = True
) -> float:
    r"""Contrast-to-noise ratio of a lesion, signed so that the expected direction is positive.

    .. math:: \mathrm{CNR} = \pm\frac{\bar F_L - \bar F_B}{\sigma_B}

    (+ for a hyper-, - for a hypo-metabolic lesion; :math:`\sigma_B` the standard deviation
    over the background shell). It is a single-image detectability proxy (the Rose criterion
    asks about 3-5, Barrett & Myers 2004 §13.2); the CHO's d′ is the ensemble measure.

    Parameters
    ----------
    image : numpy.ndarray
        A grey image.
    lesion_mask, background_mask : numpy.ndarray
        Boolean masks.
    hyper : bool, optional
        The lesion's direction (default True).

    Returns
    -------
    cnr : float
        NaN for a flat background.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import lesion_cnr
    >>> img = np.array([[1.0, 3.0, 1.0, 3.0, 8.0]])
    >>> les = img == 8.0
    >>> lesion_cnr(img, les, ~les)
    6.0
    """
    img = np.asarray(image, dtype=np.float64)
    sd = float(img[background_mask].std())
    if sd == 0 or not np.any(lesion_mask):
        return math.nan
    diff = float(img[lesion_mask].mean() - img[background_mask].mean())
    return (diff if hyper else -diff) / sd


def _gradient_magnitude(x: np.ndarray, spacing: Sequence[float] | None) -> np.ndarray:
    spacing = spacing or [1.0] * x.ndim
    return np.sqrt(sum((ndimage.sobel(x, axis=a) / s) ** 2 for a, s in enumerate(spacing)))


def gradient_correlation(
    image: np.ndarray,
    reference: np.ndarray,
    mask: np.ndarray,
    spacing: Sequence[float] | None = None,
) -> float:
    r"""Pearson correlation of the gradient magnitudes of an image and a reference, in a mask.

    .. math:: \rho = \mathrm{corr}_{x \in M}\left(|\nabla F|(x),\ |\nabla A_0|(x)\right)

    with Sobel gradients: whether the edges of the noise-free anatomy :math:`A_0` are where the
    fused image has its edges (a gradient-correlation criterion, as used for registration by
    Penney et al. 1998, IEEE TMI 17:586, here against the truth). Noise and artefacts add
    gradients the truth lacks and lower it; blur lowers it too.

    Parameters
    ----------
    image, reference : numpy.ndarray
        Grey images or volumes of one shape.
    mask : numpy.ndarray
        Boolean, where to compare (the brain).
    spacing : sequence of float, optional
        Pixel size per axis (default 1).

    Returns
    -------
    rho : float
        In [-1, 1]; NaN when either gradient is flat in the mask.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import gradient_correlation
    >>> ref = np.zeros((16, 16)); ref[4:12, 4:12] = 100.0
    >>> round(gradient_correlation(0.5 * ref + 7, ref, np.ones((16, 16), bool)), 6)
    1.0
    """
    g1 = _gradient_magnitude(np.asarray(image, dtype=np.float64), spacing)[mask]
    g0 = _gradient_magnitude(np.asarray(reference, dtype=np.float64), spacing)[mask]
    if g1.std() == 0 or g0.std() == 0:
        return math.nan
    return float(np.corrcoef(g1, g0)[0, 1])


def ssim_in_mask(image: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> float:
    """Mean of the SSIM map (Wang et al. 2004, Gaussian window 11, σ = 1.5, L = 255) in a mask.

    Parameters
    ----------
    image, reference : numpy.ndarray
        Grey images or volumes of one shape, 0..255.
    mask : numpy.ndarray
        Boolean, where to average (the brain).

    Returns
    -------
    ssim : float

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import ssim_in_mask
    >>> ref = np.tile(np.arange(32.0) * 8, (32, 1))
    >>> ssim_in_mask(ref, ref, np.ones((32, 32), bool))
    1.0
    """
    m = ssim_map(
        np.asarray(image, dtype=np.float64),
        np.asarray(reference, dtype=np.float64),
        window="gaussian-replicate",
    )
    return float(m[mask].mean())


def noise_amplification(image: np.ndarray, source: np.ndarray, mask: np.ndarray) -> float:
    r"""Noise of the fused image over that of the functional source, in a region of flat truth.

    .. math:: \mathrm{NA} = \sigma_{x \in U}(F) / \sigma_{x \in U}(B)

    with :math:`U` a region where the true activity and the noise-free anatomy are both
    uniform (deep white matter for phantom cases), so any spread there is noise (or texture
    the method added). Below 1 the method smooths the functional noise; above 1 it adds noise
    (e.g. MRI noise or ringing).

    Parameters
    ----------
    image, source : numpy.ndarray
        The fused image and the source on the same scale (grey, or both luminance).
    mask : numpy.ndarray
        Boolean, the uniform region.

    Returns
    -------
    na : float
        NaN when the mask holds fewer than 10 pixels or the source is flat there.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics.task import noise_amplification
    >>> src = np.random.default_rng(0).normal(100, 5, (32, 32))
    >>> noise_amplification(0.5 * src, src, np.ones((32, 32), bool))
    0.5
    """
    if int(np.count_nonzero(mask)) < 10:
        return math.nan
    s = float(np.asarray(source, dtype=np.float64)[mask].std())
    if s == 0:
        return math.nan
    return float(np.asarray(image, dtype=np.float64)[mask].std()) / s


def _palette_lut(palette: str | np.ndarray) -> np.ndarray:
    if isinstance(palette, str):
        return apply_palette(np.arange(256.0), palette, vmin=0.0, vmax=255.0).astype(np.float64)
    lut = np.asarray(palette, dtype=np.float64)
    if lut.ndim != 2 or lut.shape[1] != 3 or len(lut) < 2:
        raise InputError("palette", f"expected a (n, 3) colour table, got shape {lut.shape}")
    return lut


def palette_readback(
    rgb: np.ndarray, palette: str | np.ndarray, *, luma_weight: float = 0.1
) -> np.ndarray:
    """The value a reader reads off the colour bar: each colour inverted through the palette.

    The palette entry nearest in YCbCr (BT.601), the luma difference weighted by
    ``luma_weight`` because fusion rewrites luminance and keeps chroma (a KD-tree search,
    ``scipy.spatial.cKDTree``).

    Parameters
    ----------
    rgb : numpy.ndarray
        Colour image, ``shape + (3,)``, 0..255.
    palette : str or numpy.ndarray
        A palette name (:func:`brainfuse.color.apply_palette`) or an ``(n, 3)`` table.
    luma_weight : float, optional
        Weight of the luma difference (default 0.1).

    Returns
    -------
    value : numpy.ndarray
        ``shape``, float64 on 0..255 (the palette index scaled).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import apply_palette
    >>> from brainfuse.metrics.task import palette_readback
    >>> v = np.array([[0.0, 64.0, 200.0]])
    >>> palette_readback(apply_palette(v, "pet", vmin=0, vmax=255), "pet")
    array([[  0.,  64., 200.]])
    """
    from scipy.spatial import cKDTree

    lut = _palette_lut(palette)
    arr = np.asarray(rgb, dtype=np.float64)
    if arr.ndim < 2 or arr.shape[-1] != 3:
        raise InputError("rgb", f"expected a colour image (..., 3), got shape {arr.shape}")
    w = np.array([math.sqrt(luma_weight), 1.0, 1.0])
    tree = cKDTree(rgb_to_ycbcr(lut.astype(np.float32)).astype(np.float64) * w)
    flat = rgb_to_ycbcr(arr.reshape(-1, 3).astype(np.float32)).astype(np.float64) * w
    _, idx = tree.query(flat)
    return (idx.astype(np.float64) * (255.0 / (len(lut) - 1))).reshape(arr.shape[:-1])


def colour_readback(
    rgb: np.ndarray,
    truth: np.ndarray,
    mask: np.ndarray,
    palette: str | np.ndarray,
    *,
    luma_weight: float = 0.1,
) -> tuple[float, float]:
    r"""Can the functional value be read back from a colour rendering?

    Each pixel's colour is inverted through the palette (:func:`palette_readback`), which
    gives the read value :math:`\hat v \in [0, 255]`. Then

    - Spearman's :math:`\rho(\hat v, a)` over the mask, :math:`a` the true activity;
    - :math:`R^2 = 1 - \sum (a - m(\hat v))^2 / \sum (a - \bar a)^2` of the best monotone
      (isotonic) fit :math:`m` of the truth on the read value (scipy's
      ``isotonic_regression``): the share of the truth's variance a reader can recover with
      the colour bar.

    Parameters
    ----------
    rgb : numpy.ndarray
        The colour image, ``shape + (3,)``, 0..255.
    truth : numpy.ndarray
        The true activity, ``shape``.
    mask : numpy.ndarray
        Boolean, where to compare (the brain).
    palette : str or numpy.ndarray
        The palette the functional image was shown with (a name as
        :func:`brainfuse.color.apply_palette` takes, or an ``(n, 3)`` table).
    luma_weight : float, optional
        Weight of the luma difference in the nearest-colour search (default 0.1).

    Returns
    -------
    rho, r2 : float
        NaN when the truth or the read value is constant in the mask.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import apply_palette
    >>> from brainfuse.metrics.task import colour_readback
    >>> truth = np.tile(np.linspace(0, 255, 64), (8, 1))
    >>> rgb = apply_palette(truth, "pet", vmin=0, vmax=255)
    >>> [round(x, 3) for x in colour_readback(rgb, truth, np.ones((8, 64), bool), "pet")]
    [1.0, 1.0]
    """
    from scipy.optimize import isotonic_regression

    arr = np.asarray(rgb, dtype=np.float64)
    if arr.shape[:-1] != np.shape(truth) or arr.shape[-1] != 3:
        raise InputError("rgb", f"shape {arr.shape} is not the truth's {np.shape(truth)} + (3,)")
    read = palette_readback(arr[mask], palette, luma_weight=luma_weight)
    a = np.asarray(truth, dtype=np.float64)[mask]
    if read.std() == 0 or a.std() == 0:
        return math.nan, math.nan
    rho = float(stats.spearmanr(read, a).statistic)
    order = np.lexsort((a, read))
    fit = isotonic_regression(a[order]).x
    r2 = 1.0 - float(((a[order] - fit) ** 2).sum()) / float(((a - a.mean()) ** 2).sum())
    return rho, r2


def score_case(
    fused: np.ndarray, case: CaseLike, *, palette: str | np.ndarray | None = None
) -> dict[str, float]:
    """Every single-image truth-based score of one fused image against its phantom case.

    Parameters
    ----------
    fused : numpy.ndarray
        The fused image, grey (the case's shape) or colour (shape + 3), 0..255.
    case : Case
        The phantom case it was fused from (:func:`brainfuse.phantom.make_case`).
    palette : str or numpy.ndarray, optional
        The palette of a colour rendering (default: the case's).

    Returns
    -------
    scores : dict of str to float
        ``crc`` (:func:`contrast_recovery`, mean over the lesions; NaN for a lesion-absent
        case), ``cnr`` (:func:`lesion_cnr`, mean; NaN when absent), ``gradient_correlation``
        and ``ssim_anatomy`` (against the noise-free anatomy in the brain),
        ``noise_amplification`` (against the functional source, luminance for colour, in deep
        white matter), ``colour_rho`` and ``colour_r2`` (:func:`colour_readback` against the
        true activity; NaN for grey images). For colour images the CRC and CNR are computed
        on the value read back through the palette (:func:`palette_readback`: what a reader
        reads off the colour bar), the other scores on the luminance (BT.601).

    Raises
    ------
    InputError
        If the image's shape is not the case's, or it holds NaN.

    Examples
    --------
    >>> from brainfuse.phantom import make_case
    >>> from brainfuse.metrics.task import score_case
    >>> case = make_case(2)
    >>> pet, mri = score_case(case.functional, case), score_case(case.anatomy, case)
    >>> pet["crc"] > 0.5 > mri["crc"], mri["ssim_anatomy"] > 0.9 > pet["ssim_anatomy"]
    (True, True)
    """
    arr = np.asarray(fused, dtype=np.float64)
    colour = arr.ndim == case.ndim + 1 and arr.shape[-1] == 3
    shape = tuple(np.shape(case.anatomy_true))
    if (arr.shape[:-1] if colour else arr.shape) != shape:
        raise InputError("fused", f"shape {arr.shape} does not match the case's {shape}")
    if not np.isfinite(arr).all():
        raise InputError("fused", "contains NaN or infinite values")
    grey = _grey(arr, case.ndim)
    source = _grey(case.functional_rgb(), case.ndim) if colour else case.functional
    pal = case.palette if palette is None else palette
    value = palette_readback(arr, pal) if colour and pal is not None else grey
    crcs, cnrs = [], []
    for les in case.lesions:
        if les.present:
            crcs.append(contrast_recovery(value, les.mask, les.background, les.true_ratio))
            cnrs.append(lesion_cnr(value, les.mask, les.background, les.true_ratio > 1))
    rho = r2 = math.nan
    if colour and pal is not None:
        rho, r2 = colour_readback(arr, case.activity, case.brain_mask, pal)
    inner = ndimage.binary_erosion(case.brain_mask, iterations=2)
    return {
        "crc": float(np.mean(crcs)) if crcs else math.nan,
        "cnr": float(np.mean(cnrs)) if cnrs else math.nan,
        "gradient_correlation": gradient_correlation(grey, case.anatomy_true, inner, case.spacing),
        "ssim_anatomy": ssim_in_mask(grey, case.anatomy_true, inner),
        "noise_amplification": noise_amplification(grey, source, case.uniform_mask),
        "colour_rho": rho,
        "colour_r2": r2,
    }
