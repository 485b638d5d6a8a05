"""Shared fixtures: short simulated sessions (250 Hz, so the tests stay fast)."""

from __future__ import annotations

import pytest

pytest.importorskip("mne", reason="brainfuse[signals] (MNE-Python) is not installed")
pytest.importorskip("nilearn", reason="brainfuse[signals] (nilearn) is not installed")


@pytest.fixture(scope="session")
def session():
    """Subject 0: 60 s at 250 Hz, 18 channels, gradient artefact, BCG, EC/EO blocks."""
    from brainfuse.signals.simulate import simulate_session

    return simulate_session(0, duration=60.0, sfreq=250.0)


@pytest.fixture(scope="session")
def prepared(session):
    """The inside recording after gradient AAS, 1-50 Hz and QRS detection."""
    from brainfuse.signals.methods import prepare

    return prepare(session.inside)


@pytest.fixture(scope="session")
def truth_filtered(session):
    """The true EEG, band-passed like the prepared recording."""
    return session.truth.copy().filter(1.0, 50.0, verbose="error").get_data()
