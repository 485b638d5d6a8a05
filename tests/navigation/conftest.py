"""A small analytic head CT in HU (no data files): brain, CSF ventricle, skull, scalp, air."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.io.image import Image, Modality


def small_head(spacing: float = 1.5, seed: int = 0) -> Image:
    """An ellipsoidal head on a ``spacing`` mm grid centred on the origin (world mm).

    Brain 34 HU (+ 3 HU texture), a central CSF ventricle (6 HU), 6 mm skull (1300 HU),
    5 mm scalp (25 HU), air −1000 HU.
    """
    n = (np.array([190.0, 220.0, 180.0]) / spacing).astype(int)
    affine = np.diag([spacing] * 3 + [1.0])
    affine[:3, 3] = -(n - 1) / 2 * spacing
    ijk = np.indices(tuple(n), dtype=np.float32)
    x, y, z = (ijk[k] * spacing + affine[k, 3] for k in range(3))
    r = np.sqrt((x / 70) ** 2 + (y / 85) ** 2 + (z / 65) ** 2)
    hu = np.full(tuple(n), -1000.0, np.float32)
    hu[r <= 1.16] = 25.0
    hu[r <= 1.09] = 1300.0
    hu[r <= 1.0] = 34.0
    rng = np.random.default_rng(seed)
    hu[r <= 1.0] += rng.normal(0, 3, int((r <= 1.0).sum())).astype(np.float32)
    vent = ((x / 8) ** 2 + ((y + 5) / 22) ** 2 + ((z - 10) / 10) ** 2) <= 1
    hu[vent] = 6.0
    return Image(hu, modality=Modality.CT, affine=affine, source="small head")


@pytest.fixture(scope="session")
def head() -> Image:
    return small_head()
