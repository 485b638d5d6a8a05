"""Tang et al.'s scoring rule (Eq. 6) and the shipped weights of the learned quality assessment.

To score a fused image ``F`` of sources ``A`` and ``B``, the generator draws the fused image that
each of the five MOS levels 0.2, 0.4, 0.6, 0.8, 1.0 would look like for this pair,
``G(A, B | MOS_k)``; the score is the MOS whose image is most similar to ``F`` by SSIM (Wang et
al. 2004: Gaussian window 11×11, σ = 1.5, data range 1, computed by
:func:`brainfuse.metrics.structural.ssim_map`). The paper prints ``Q = max SSIM(...)`` but its text
takes "the MOS corresponding to the optimal value": the argmax. Ties go to the lower MOS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..metrics.structural import ssim_map
from .network import CGANConfig, QualityCGAN, torch

__all__ = [
    "MOS_LEVELS",
    "SHIPPED",
    "argmax_mos",
    "load_model",
    "predict",
    "ssim_to_levels",
]

#: The five MOS conditions of the scoring rule (the 1..5 scale divided by 5).
MOS_LEVELS: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0)

#: The shipped weights (trained here on the proxy-MOS database; see ``docs/quality.md``).
SHIPPED = Path(__file__).resolve().parent / "weights" / "tang-cgan.pt"


def ssim01(x: np.ndarray, y: np.ndarray) -> float:
    """SSIM of two grey images on 0..1 (Wang et al. 2004; Gaussian 11×11, σ = 1.5).

    The mean of :func:`brainfuse.metrics.structural.ssim_map` over the windows inside the
    image (the value scikit-image's ``structural_similarity`` gives with Gaussian weights and
    population statistics, to 1e-15).

    Parameters
    ----------
    x, y : numpy.ndarray
        Same shape.

    Returns
    -------
    ssim : float

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.assess import ssim01
    >>> x = np.random.default_rng(0).random((32, 32))
    >>> ssim01(x, x)
    1.0
    """
    m = ssim_map(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), data_range=1.0)
    return float(m.mean())


def argmax_mos(similarities: Sequence[float], levels: Sequence[float] = MOS_LEVELS) -> float:
    """The level whose similarity is the largest; ties go to the lower level.

    Parameters
    ----------
    similarities : sequence of float
        One per level.
    levels : sequence of float, optional
        The levels (default :data:`MOS_LEVELS`).

    Returns
    -------
    mos : float

    Examples
    --------
    >>> from brainfuse.quality.assess import argmax_mos
    >>> argmax_mos([0.1, 0.9, 0.3, 0.9, 0.2])
    0.4
    """
    s = np.asarray(similarities, dtype=float)
    if s.shape != (len(levels),):
        raise InputError(None, f"{s.size} similarities for {len(levels)} MOS levels")
    return float(levels[int(np.argmax(s))])


def ssim_to_levels(
    generate: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    fused: np.ndarray,
    levels: Sequence[float] = MOS_LEVELS,
) -> list[float]:
    """SSIM of ``fused`` with ``generate(a, b, level)`` for each level.

    Parameters
    ----------
    generate : callable
        ``generate(a, b, mos)`` → the image of that quality (a trained generator, or any
        stand-in: the rule does not depend on how the images are made).
    a, b, fused : numpy.ndarray
        Grey images on 0..1, same shape.
    levels : sequence of float, optional
        The MOS conditions.

    Returns
    -------
    similarities : list of float

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.assess import argmax_mos, ssim_to_levels
    >>> rng = np.random.default_rng(1)
    >>> a, noise = rng.random((48, 48)), rng.random((48, 48))
    >>> def generate(a, b, mos):  # quality mos = a with (1 - mos) of noise
    ...     return mos * a + (1 - mos) * noise
    >>> argmax_mos(ssim_to_levels(generate, a, a, 0.6 * a + 0.4 * noise))
    0.6
    """
    return [ssim01(fused, generate(a, b, m)) for m in levels]


def load_model(weights: str | Path | None = None) -> tuple[QualityCGAN, dict[str, Any]]:
    """The trained model (eval mode) and its manifest; the weights' SHA-256 is checked.

    Parameters
    ----------
    weights : str or pathlib.Path, optional
        A ``.pt`` written by ``brainfuse quality train`` with its ``.json`` beside it (default:
        :data:`SHIPPED`).

    Returns
    -------
    model : QualityCGAN
    manifest : dict

    Raises
    ------
    InputError
        When the file or its manifest is missing, the hash differs, or the weights do not fit.
    """
    from ..models.pretrained import load_state_dict, manifest

    path = Path(weights) if weights else SHIPPED
    if not path.is_file():
        raise InputError(
            path, "quality weights not found; train them with `brainfuse quality train`"
        )
    info = manifest(path)
    state = load_state_dict(path)
    try:
        config = CGANConfig(**info["params"])
        model = QualityCGAN(config)
        missing, unexpected = model.load_state_dict(state, strict=False)
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(path, f"not weights of the quality model ({first})") from None
    if unexpected or any(not k.startswith("discriminator.") for k in missing):
        raise InputError(path, "not weights of the quality model (keys differ)")
    model.eval()
    return model, info


def predict(
    model: QualityCGAN,
    a: np.ndarray,
    b: np.ndarray,
    fused: np.ndarray,
    *,
    batch: int = 16,
    levels: Sequence[float] = MOS_LEVELS,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of many fused images by the rule of Eq. 6.

    Parameters
    ----------
    model : QualityCGAN
        A trained model (put in eval mode here).
    a, b, fused : numpy.ndarray
        ``(N, 128, 128)`` on 0..1.
    batch : int, optional
        Images per forward pass.
    levels : sequence of float, optional
        The MOS conditions.

    Returns
    -------
    scores : numpy.ndarray
        ``(N,)``, each one of ``levels``.
    similarities : numpy.ndarray
        ``(N, len(levels))``: SSIM with each level's generated image.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.network import CGANConfig, QualityCGAN
    >>> from brainfuse.quality.assess import predict
    >>> model = QualityCGAN(CGANConfig(width=4))
    >>> x = np.random.default_rng(0).random((2, 128, 128)).astype(np.float32)
    >>> scores, sims = predict(model, x, x, x)
    >>> scores.shape, sims.shape, set(scores) <= {0.2, 0.4, 0.6, 0.8, 1.0}
    ((2,), (2, 5), True)
    """
    model.eval()
    n = len(fused)
    sims = np.zeros((n, len(levels)))
    with torch.no_grad():
        for start in range(0, n, batch):
            sl = slice(start, min(start + batch, n))
            ta = torch.from_numpy(np.ascontiguousarray(a[sl], dtype=np.float32))[:, None]
            tb = torch.from_numpy(np.ascontiguousarray(b[sl], dtype=np.float32))[:, None]
            for k, level in enumerate(levels):
                mos = torch.full((ta.shape[0],), float(level))
                fake, _, _ = model.generate(ta, tb, mos)
                for i, img in enumerate(fake[:, 0].numpy()):
                    sims[start + i, k] = ssim01(fused[start + i], img)
    scores = np.array([argmax_mos(s, levels) for s in sims])
    return scores, sims


def manifest_summary(info: dict[str, Any]) -> str:
    """One line naming what the weights were trained on.

    Parameters
    ----------
    info : dict
        A manifest.

    Returns
    -------
    line : str
    """
    data = info.get("data", {})
    return json.dumps({"data": data.get("table"), "images": data.get("train_images")})
