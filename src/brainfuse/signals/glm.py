"""EEG-informed fMRI: the alpha regressor, the first-level GLM and the group permutation test.

After Gallego-Rudolf et al. (2022), who ran it in FSL: per subject, alpha (8-12 Hz) power of
O1 or O2 per 2-s epoch (one epoch per volume when TR = 2 s), rejected epochs replaced by the
mean of their neighbours, convolved with a haemodynamic response and fitted voxel by voxel;
the contrast is the negative one (BOLD falls when alpha rises). The group test is a
one-sample permutation test with threshold-free cluster enhancement (Smith & Nichols 2009,
NeuroImage 44:83), like FSL's ``randomise -T``. Here nilearn does the fitting
(:class:`nilearn.glm.first_level.FirstLevelModel`, Glover HRF via
:func:`nilearn.glm.first_level.compute_regressor`, cosine drifts below 0.01 Hz) and the group
test (:func:`nilearn.glm.second_level.non_parametric_inference` with ``tfce=True``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["alpha_regressor", "first_level", "group_tfce", "hrf_regressor", "interpolate_gaps"]


def interpolate_gaps(values: np.ndarray, rejected: np.ndarray) -> np.ndarray:
    """Replace rejected entries by the mean of the nearest kept ones before and after.

    Parameters
    ----------
    values : numpy.ndarray
        One value per epoch.
    rejected : numpy.ndarray of bool
        Which epochs were rejected.

    Returns
    -------
    numpy.ndarray
        A copy with the gaps filled (an end gap takes its one neighbour).

    Examples
    --------
    >>> interpolate_gaps(np.array([1.0, 9.0, 3.0, 5.0]), np.array([False, True, False, False]))
    array([1., 2., 3., 5.])
    """
    out = np.asarray(values, dtype=float).copy()
    rejected = np.asarray(rejected, bool)
    kept = np.flatnonzero(~rejected)
    if kept.size == 0:
        raise InputError(None, "every epoch was rejected; no alpha regressor can be built")
    for i in np.flatnonzero(rejected):
        before = kept[kept < i]
        after = kept[kept > i]
        near = [out[before[-1]]] if before.size else []
        near += [out[after[0]]] if after.size else []
        out[i] = float(np.mean(near))
    return out


def hrf_regressor(values: np.ndarray, tr: float) -> np.ndarray:
    """``values`` (one per volume, each lasting one TR) convolved with the Glover HRF
    (:func:`nilearn.glm.first_level.compute_regressor`), z-scored.

    Parameters
    ----------
    values : numpy.ndarray
        One value per volume.
    tr : float
        Repetition time (s).

    Returns
    -------
    numpy.ndarray
        The regressor, mean 0 and SD 1 (all zeros for a constant input).
    """
    from nilearn.glm.first_level import compute_regressor

    n_vol = values.size
    frame_times = np.arange(n_vol) * tr
    reg, _ = compute_regressor(
        np.vstack([frame_times, np.full(n_vol, tr), values]), "glover", frame_times,
        oversampling=16,
    )  # fmt: skip
    reg = reg[:, 0] - reg[:, 0].mean()
    return reg / (reg.std() or 1.0)


def alpha_regressor(
    raw: Any,
    *,
    marker: str = "TR",
    channels: tuple[str, ...] = ("O1", "O2"),
    band: tuple[float, float] = (8.0, 12.0),
    reject_uv: float = 200.0,
    n_volumes: int | None = None,
) -> tuple[np.ndarray, str]:
    """Alpha power per volume from the epochs between consecutive volume markers.

    The channel among ``channels`` whose alpha series varies most (relative SD) is used (the
    article picked O1 or O2 per subject, whichever predicted best; without the BOLD at hand,
    the larger modulation is the stand-in).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The corrected recording with volume markers.
    marker : str
        Annotation description of a volume onset.
    channels : tuple of str
        Candidate electrodes.
    band : tuple of float
        Alpha band (Hz).
    reject_uv : float
        Peak-to-peak rejection (µV); rejected epochs are interpolated.
    n_volumes : int, optional
        Keep the first ``n_volumes`` values.

    Returns
    -------
    power : numpy.ndarray
        One value per volume.
    channel : str
        The electrode used.
    """
    from mne.time_frequency import psd_array_welch

    from .artefacts import volume_onsets

    onsets = volume_onsets(raw, marker)
    length = int(np.min(np.diff(onsets)))
    onsets = onsets[onsets + length <= raw.n_times]
    present = [c for c in channels if c in raw.ch_names]
    if not present:
        raise InputError(None, f"none of the channels {list(channels)} is in the recording")
    data = raw.get_data(picks=present)
    ep = data[:, onsets[:, None] + np.arange(length)[None, :]]  # (ch, vol, samples)
    psd, _f = psd_array_welch(
        ep, raw.info["sfreq"], fmin=band[0], fmax=band[1], n_fft=length, window="boxcar",
        verbose="error",
    )  # fmt: skip
    power = psd.sum(axis=-1)
    rejected = (ep.max(axis=-1) - ep.min(axis=-1)) > reject_uv * 1e-6
    best = int(np.argmax(power.std(axis=1) / np.maximum(power.mean(axis=1), 1e-30)))
    series = interpolate_gaps(power[best], rejected[best])
    if n_volumes is not None:
        series = series[:n_volumes]
    return series, present[best]


def first_level(
    bold: Any,
    regressor: np.ndarray,
    tr: float,
    *,
    mask: Any = None,
    smoothing_fwhm: float | None = 6.0,
    high_pass: float = 0.01,
) -> Any:
    """Fit the alpha regressor (Glover HRF, z-scored) and return the effect map of −alpha.

    Parameters
    ----------
    bold : nibabel.Nifti1Image or str
        4-D BOLD series.
    regressor : numpy.ndarray
        Alpha power per volume (same length as the series).
    tr : float
        Repetition time (s).
    mask : nibabel.Nifti1Image, optional
        Brain mask.
    smoothing_fwhm : float, optional
        Gaussian smoothing (mm; the article: 6).
    high_pass : float
        Cosine drift cut-off (Hz; the article: 0.01).

    Returns
    -------
    nibabel.Nifti1Image
        The effect size of the negative contrast.

    Raises
    ------
    InputError
        The regressor and the series differ in length.
    """
    import pandas as pd
    from nilearn.glm.first_level import FirstLevelModel
    from nilearn.glm.first_level.design_matrix import make_first_level_design_matrix
    from nilearn.image import load_img

    img = load_img(bold)
    n_vol = img.shape[-1]
    if regressor.size != n_vol:
        raise InputError(
            None, f"the alpha regressor has {regressor.size} values, the BOLD {n_vol} volumes"
        )
    frame_times = np.arange(n_vol) * tr
    reg = hrf_regressor(regressor, tr)
    design = make_first_level_design_matrix(
        frame_times,
        add_regs=reg[:, None],
        add_reg_names=["alpha"],
        drift_model="cosine",
        high_pass=high_pass,
        hrf_model=None,
    )
    model = FirstLevelModel(mask_img=mask, smoothing_fwhm=smoothing_fwhm, minimize_memory=True)
    with warnings.catch_warnings():  # nilearn notes that it uses the given mask: it should
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(img, design_matrices=[pd.DataFrame(design)])
    return model.compute_contrast("-alpha", output_type="effect_size")


def group_tfce(
    effect_maps: list[Any], *, mask: Any = None, n_perm: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """One-sample permutation test (sign flips) with TFCE over subjects' effect maps.

    Parameters
    ----------
    effect_maps : list of nibabel.Nifti1Image
        One negative-contrast map per subject.
    mask : nibabel.Nifti1Image, optional
        Brain mask.
    n_perm : int
        Permutations (the article: FSL randomise's default, 5000).
    seed : int
        Seed of the permutations.

    Returns
    -------
    dict
        nilearn's outputs: ``"t"``, ``"tfce"``, ``"logp_max_tfce"`` (−log10 FWE p) ...
    """
    import pandas as pd
    from nilearn.glm.second_level import non_parametric_inference

    if len(effect_maps) < 2:
        raise InputError(None, f"the group test needs 2 or more subjects, got {len(effect_maps)}")
    design = pd.DataFrame({"intercept": np.ones(len(effect_maps))})
    return non_parametric_inference(
        effect_maps,
        design_matrix=design,
        mask=mask,
        n_perm=n_perm,
        two_sided_test=False,
        random_state=seed,
        tfce=True,
    )
