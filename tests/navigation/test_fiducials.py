"""Point-based rigid registration, its geometry checks, and the Fitzpatrick (1998) prediction."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from brainfuse.errors import InputError
from brainfuse.navigation.fiducials import (
    expected_fre,
    expected_tre,
    find_markers,
    register_points,
)
from brainfuse.navigation.phantom import _plant_markers, place_markers

MARKERS = np.array([[70.0, 20.0, 10.0], [75.0, -30.0, 25.0], [68.0, -5.0, -30.0]])


def test_exact_transform_is_recovered() -> None:
    r = Rotation.from_euler("xyz", [10, -20, 35], degrees=True).as_matrix()
    t = np.array([12.0, -40.0, 7.0])
    reg = register_points(MARKERS, MARKERS @ r.T + t)
    np.testing.assert_allclose(reg.rotation, r, atol=1e-9)
    np.testing.assert_allclose(reg.translation, t, atol=1e-8)
    assert reg.fre_mm < 1e-8
    assert np.linalg.det(reg.rotation) == pytest.approx(1.0)


def test_a_mirror_image_still_gives_a_rotation() -> None:
    four = np.vstack([MARKERS, [20.0, 0.0, 60.0]])  # three points alone are always planar
    reg = register_points(four, four * np.array([-1.0, 1.0, 1.0]))
    assert np.linalg.det(reg.rotation) == pytest.approx(1.0)
    assert reg.fre_mm > 1.0  # a reflection cannot be fitted by a rotation


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (MARKERS[:2], "at least 3"),
        (np.array([[0.0, 0, 0], [40, 0, 0], [80, 0.3, 0]]), "collinear"),
        (np.array([[0.0, 0, 0], [40, 0, 0], [np.nan, 1, 0]]), "NaN"),
    ],
)
def test_bad_geometry_is_refused(points: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        register_points(points, points)


def test_fre_and_tre_match_fitzpatrick_within_10_percent() -> None:
    rng = np.random.default_rng(1)
    target = np.array([20.0, 5.0, 0.0])
    fle = 1.0  # RMS 3D: sigma = 1/sqrt(3) per axis
    fre2, tre2 = [], []
    for _ in range(3000):
        noisy = MARKERS + rng.normal(0, fle / np.sqrt(3), MARKERS.shape)
        reg = register_points(noisy, MARKERS)
        fre2.append(reg.fre_mm**2)
        tre2.append(np.sum((reg.apply(target[None])[0] - target) ** 2))
    assert np.sqrt(np.mean(fre2)) == pytest.approx(expected_fre(fle, 3), rel=0.1)
    assert np.sqrt(np.mean(tre2)) == pytest.approx(expected_tre(fle, MARKERS, target), rel=0.1)


def test_markers_are_found_in_the_ct(head) -> None:
    truth = place_markers(head, np.array([20.0, 0.0, 0.0]), seed=2)
    ct = _plant_markers(head, truth)
    found = find_markers(ct)
    assert found.shape == (3, 3)
    d = np.linalg.norm(found[:, None] - truth[None], axis=2).min(axis=1)
    assert d.max() < 0.3
    assert len(find_markers(head)) == 0
