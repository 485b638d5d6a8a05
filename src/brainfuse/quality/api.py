"""The learned quality assessment as a user calls it: score a fused image, train on a MOS CSV.

>>> from brainfuse.quality import score
>>> result = score("fused.png", "mri.png", "pet.png")          # doctest: +SKIP
>>> result.mos, result.level                                  # doctest: +SKIP
(0.8, 4)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["QualityScore", "build_proxy_database", "score", "train"]

ImageInput = str | os.PathLike[str] | np.ndarray


@dataclass(frozen=True)
class QualityScore:
    """The learned quality of one fused image.

    Parameters
    ----------
    mos : float
        Tang et al.'s score Q: the MOS condition (0.2, 0.4, 0.6, 0.8 or 1.0) whose generated
        image is the most similar to the fused image.
    similarities : dict of str to float
        SSIM of the fused image with the generated image of each MOS level.
    weights : str
        The SHA-256 of the weights used.
    trained_on : str
        What the weights were trained on (from their manifest).

    Examples
    --------
    >>> from brainfuse.quality.api import QualityScore
    >>> QualityScore(0.8, {}, "", "").level
    4
    """

    mos: float
    similarities: dict[str, float] = field(default_factory=dict)
    weights: str = ""
    trained_on: str = ""

    @property
    def level(self) -> int:
        """The score on the radiologists' 1..5 scale (``round(5 · mos)``)."""
        return round(5 * self.mos)

    def as_dict(self) -> dict[str, Any]:
        """The fields and the level, for JSON.

        Returns
        -------
        fields : dict
        """
        return {
            "mos": self.mos,
            "level": self.level,
            "similarities": self.similarities,
            "weights_sha256": self.weights,
            "trained_on": self.trained_on,
        }


def _grey(x: ImageInput, name: str) -> tuple[np.ndarray, str]:
    from ..io import load

    if isinstance(x, np.ndarray):
        if x.ndim == 3 and x.shape[-1] == 3:
            from ..color import rgb_to_grey

            arr = rgb_to_grey(x.astype(np.float32))
        else:
            arr = np.asarray(x, dtype=np.float32)
        label = name
    else:
        img = load(x)
        if img.is_volume:
            raise InputError(x, "the learned quality assessment scores 2D images, not volumes")
        arr, label = img.grey(), str(x)
    if arr.ndim != 2:
        raise InputError(label, f"expected a 2D image, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(label, "holds NaN or infinite values")
    return arr, label


def score(
    fused: ImageInput,
    a: ImageInput,
    b: ImageInput,
    *,
    weights: str | os.PathLike[str] | None = None,
) -> QualityScore:
    """Tang et al.'s learned quality of ``fused`` as a fusion of ``a`` and ``b``.

    The images are reduced to grey (BT.601 luminance of colour ones), read on 0..255 and
    resampled to 128×128; the model generates the fused image of each MOS level and the score
    is the level whose image has the highest SSIM with ``fused`` (see
    :mod:`brainfuse.quality.assess`). The shipped weights were trained on a proxy MOS (see
    ``docs/quality.md``): the score says how this machinery ranks degradations, not what a
    radiologist would say.

    Parameters
    ----------
    fused, a, b : str, os.PathLike or numpy.ndarray
        The fused image and its two sources (files or arrays on 0..255), the same size.
    weights : str or os.PathLike, optional
        Weights from ``brainfuse quality train`` (default: the shipped ones).

    Returns
    -------
    result : QualityScore

    Raises
    ------
    InputError
        For a missing or unreadable image, a volume, images of different sizes, NaN values,
        or weights that are missing, corrupt or of another model.
    MissingExtraError
        Without torch (``pip install 'brainfuse[learned]'``).
    """
    from .database import to_model_grid

    f, lf = _grey(fused, "fused")
    ga, _ = _grey(a, "a")
    gb, _ = _grey(b, "b")
    if not f.shape == ga.shape == gb.shape:
        raise InputError(lf, f"size {f.shape} differs from the sources' ({ga.shape}, {gb.shape})")
    from .assess import MOS_LEVELS, load_model, predict

    model, info = load_model(weights)
    grids = [to_model_grid(x)[None] for x in (ga, gb, f)]
    scores, sims = predict(model, *grids)
    data = info.get("data", {})
    return QualityScore(
        float(scores[0]),
        {f"{m:.1f}": round(float(s), 6) for m, s in zip(MOS_LEVELS, sims[0], strict=True)},
        str(info.get("sha256", "")),
        f"{data.get('table', '?')} ({data.get('images', {})})",
    )


def train(
    table: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    steps: int = 2000,
    batch_size: int = 8,
    seed: int = 0,
    threads: int = 1,
    max_minutes: float = 0.0,
    width: int = 16,
    val_every: int = 250,
    init: str | os.PathLike[str] | None = None,
    resume: bool = False,
    progress: bool = True,
    log: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Train Tang et al.'s model on a MOS database CSV; write the weights and their manifest.

    Parameters
    ----------
    table : str or os.PathLike
        The CSV (:mod:`brainfuse.quality.database` describes the format).
    out : str or os.PathLike
        The weights file ``W.pt`` (its folder must exist; never one of the database's files).
    steps, batch_size, seed, threads, max_minutes, width, val_every : optional
        See :class:`~brainfuse.quality.training.QualityTrainConfig`.
    init : str or os.PathLike, optional
        Weights to start from (e.g. the shipped ones, to fine-tune on a site's real MOS).
    resume : bool, optional
        Continue from ``W.pt.ckpt``.
    progress : bool, optional
        Show a progress bar.
    log : str or os.PathLike, optional
        A text file receiving one line per validation.

    Returns
    -------
    manifest : dict

    Raises
    ------
    InputError
        For a bad database (see :func:`~brainfuse.quality.database.load_database`), a bad
        setting, an output path that is an input or lies in a missing folder, or a checkpoint
        that cannot be resumed.
    """
    from ..io.atomic import check_output_path
    from .database import load_database
    from .training import QualityTrainConfig, train_quality

    config = QualityTrainConfig(
        steps=steps,
        batch_size=batch_size,
        seed=seed,
        threads=threads,
        max_minutes=max_minutes,
        width=width,
        val_every=val_every,
    )
    out_path = Path(out)
    if out_path.suffix != ".pt":
        raise InputError(out_path, "the weights file must end in .pt")
    check_output_path(out_path, [table, init])
    db = load_database(table)
    root = Path(table).parent
    listed = {root / r[c] for r in db.rows for c in ("source_a", "source_b", "fused")}
    manifest_path = out_path.with_name(out_path.stem + ".json")
    check_output_path(manifest_path, [table, *listed])
    check_output_path(out_path, listed)
    if init is not None and not Path(init).is_file():
        raise InputError(init, "weights to start from not found")
    return train_quality(db, out_path, config, resume=resume, init=init, progress=progress, log=log)


def build_proxy_database(
    out: str | os.PathLike[str],
    *,
    harvard: str | os.PathLike[str] | None = None,
    harvard_pairs: tuple[int, int, int] = (40, 10, 10),
    phantom_cases: tuple[int, int, int] = (20, 5, 10),
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Build the proxy-MOS training database "like MMIFID" (see :mod:`~.database`).

    Parameters
    ----------
    out : str or os.PathLike
        A new or empty folder.
    harvard : str or os.PathLike, optional
        The ``harvard-aanlib`` folder (``../shared/data/harvard-aanlib``); without it only
        phantom cases are used.
    harvard_pairs : tuple of 3 int, optional
        Harvard pairs per pair set for train, val, test (default 40, 10, 10).
    phantom_cases : tuple of 3 int, optional
        Phantom cases per modality (PET, SPECT, CT) for train, val, test (default 20, 5, 10;
        ``(0, 0, 0)`` for none).
    seed : int, optional
        Seed of the degradations.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    table : pathlib.Path
        The CSV (``out/mos.csv``).

    Raises
    ------
    InputError
        For a missing Harvard folder or ``split.csv``, an ``out`` that is not new or empty, or
        no pairs at all.
    """
    from .builder import build_database
    from .builder import harvard_pairs as read_harvard
    from .proxy import phantom_pairs

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(out, "database folder must be new or empty")
    pairs = read_harvard(harvard, harvard_pairs) if harvard is not None else []
    if any(phantom_cases):
        pairs += phantom_pairs(phantom_cases)
    if not pairs:
        raise InputError(None, "no source pairs: give a Harvard folder or phantom cases")
    return build_database(out, pairs, seed=seed, progress=progress)
