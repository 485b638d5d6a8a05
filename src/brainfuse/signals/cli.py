"""``brainfuse eeg-fmri``: BCG correction, spectral tables, EEG-informed GLM, the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..clikit import parse_params

__all__ = ["eeg_fmri_command"]


@click.group("eeg-fmri")
def eeg_fmri_command() -> None:
    """Simultaneous EEG-fMRI: gradient and ballistocardiogram (BCG) correction, spectra, GLM.

    After Gallego-Rudolf et al. (2022), Front. Neurosci. 16:951321. Needs brainfuse[signals].
    """


@eeg_fmri_command.command("correct")
@click.argument("raw_path", metavar="RAW", type=click.Path(path_type=Path))
@click.option("--ecg", default=None, help="ECG channel (default: the channel typed ECG).")
@click.option("-m", "--method", default="obs-ica", show_default=True, help="brainfuse list bcg.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help=".fif or .edf")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Method parameter."
)
@click.option("--marker", default="TR", show_default=True, help="Volume-onset annotation.")
@click.option(
    "--no-gradient", is_flag=True, help="No gradient-artefact removal (recorded without imaging)."
)
@click.option(
    "--gradient-window",
    default=5,
    show_default=True,
    type=click.IntRange(2, None),
    help="Volumes per gradient template; the template takes about 1/N of the EEG power.",
)
def correct_command(
    raw_path: Path,
    ecg: str | None,
    method: str,
    output: Path,
    params: tuple[str, ...],
    marker: str,
    no_gradient: bool,
    gradient_window: int,
) -> None:
    """Remove the gradient artefact (TR-locked AAS) and the BCG from RAW, write OUTPUT.

    RAW is any recording MNE reads (EDF/BDF, BrainVision, EGI .mff, FIF, EEGLAB .set) with an
    ECG channel and one annotation per volume (--marker). The chain: gradient AAS (5-volume
    window), 1-50 Hz band-pass, QRS detection with correction, then the BCG correction.
    OUTPUT is FIF or EDF by its suffix, with the provenance in it.
    \f

    Parameters
    ----------
    raw_path : pathlib.Path
        The recording.
    ecg : str or None
        The ECG channel.
    method : str
        A name of ``brainfuse list bcg``.
    output : pathlib.Path
        The corrected recording (``.fif``, ``.fif.gz``, ``.edf``).
    params : tuple of str
        ``KEY=VALUE`` method parameters.
    marker : str
        Annotation description of a volume onset.
    no_gradient : bool
        Skip the gradient-artefact removal.
    gradient_window : int
        Volumes per gradient template.
    """
    from .cohort import correct_recording

    prov = correct_recording(
        raw_path,
        output,
        method,
        ecg=ecg,
        gradient=not no_gradient,
        marker=marker,
        gradient_window=gradient_window,
        params=parse_params(params),
    )
    comps = f", components {prov['components']}" if prov["components"] else ""
    click.echo(f"wrote {output} ({method}, {prov['beats']} beats{comps})")


@eeg_fmri_command.command("correct-cohort")
@click.argument("folder", metavar="FOLDER", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Folder.")
@click.option("--ecg", default=None, help="ECG channel (default: the channel typed ECG).")
@click.option("-m", "--method", default="obs-ica", show_default=True, help="brainfuse list bcg.")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Method parameter."
)
@click.option("--marker", default="TR", show_default=True, help="Volume-onset annotation.")
@click.option("--gradient-window", default=5, show_default=True, type=click.IntRange(2, None))
@click.option(
    "--scheduler",
    default=None,
    help="Run on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT (workers see the paths).",
)
@click.option("--workers", type=int, default=None, help="Workers of a local Dask cluster.")
def correct_cohort_command(
    folder: Path,
    output: Path,
    ecg: str | None,
    method: str,
    params: tuple[str, ...],
    marker: str,
    gradient_window: int,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Correct every recording in FOLDER into OUTPUT (<name>_<method>_raw.fif each).

    The same chain as ``correct`` per recording, one task per recording, here or on Dask.
    If any recording fails, nothing is written and the first failure is reported.
    \f

    Parameters
    ----------
    folder : pathlib.Path
        Folder of recordings (EDF/BDF, BrainVision, FIF, EEGLAB, EGI .mff).
    output : pathlib.Path
        Output folder.
    ecg : str or None
        The ECG channel.
    method : str
        A name of ``brainfuse list bcg``.
    params : tuple of str
        ``KEY=VALUE`` method parameters.
    marker : str
        Annotation description of a volume onset.
    gradient_window : int
        Volumes per gradient template.
    scheduler : str or None
        ``"local"`` or a Dask scheduler address; None runs here, one after another.
    workers : int or None
        Workers of a local cluster.
    """
    from .cohort import correct_cohort, find_recordings

    inputs = find_recordings(folder)
    written = correct_cohort(
        inputs,
        output,
        method,
        scheduler=scheduler,
        workers=workers,
        ecg=ecg,
        marker=marker,
        gradient_window=gradient_window,
        params=parse_params(params),
    )
    click.echo(f"wrote {len(written)} recordings to {output} ({method})")


@eeg_fmri_command.command("spectra")
@click.argument("raw_path", metavar="RAW", type=click.Path(path_type=Path))
@click.option(
    "--reference",
    type=click.Path(path_type=Path),
    default=None,
    help="Outside-scanner recording for the % change.",
)
@click.option("--epochs", "n_epochs", default=22, show_default=True, help="2-s epochs used.")
@click.option("--reject", default=200.0, show_default=True, help="Peak-to-peak rejection (µV).")
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=None)
def spectra_command(
    raw_path: Path, reference: Path | None, n_epochs: int, reject: float, json_out: Path | None
) -> None:
    """Band power (absolute, relative, % change vs --reference), EC/EO ratio, IAF and CoG.

    The article's analysis: the first --epochs clean 2-s epochs, bands delta to gamma; the
    EC/EO alpha ratio on O1/O2 when RAW has EC and EO annotations; IAF and CoG (Savitzky-Golay,
    frame 11, order 5, 7-13 Hz) on O1 and O2.
    \f

    Parameters
    ----------
    raw_path : pathlib.Path
        The (corrected) recording.
    reference : pathlib.Path or None
        The outside recording.
    n_epochs : int
        Epochs per recording.
    reject : float
        Rejection threshold (µV).
    json_out : pathlib.Path or None
        Where to write the table as JSON.
    """
    from ..io.atomic import atomic_path, check_output_path
    from .io import read_recording
    from .report import spectral_table

    if json_out is not None:
        check_output_path(json_out, [raw_path, reference])
    raw = read_recording(raw_path)
    ref = read_recording(reference) if reference is not None else None
    table = spectral_table(
        raw, ref, n_epochs=n_epochs, reject_uv=reject, names=(raw_path, reference)
    )
    click.echo(f"{'band':<10} {'absolute µV²':>13} {'relative':>9} {'% change':>9}")
    for band, row in table["bands"].items():
        change = "" if row["percent_change"] is None else f"{row['percent_change']:9.1f}"
        click.echo(f"{band:<10} {row['absolute_uv2']:13.3f} {row['relative']:9.3f} {change:>9}")
    for key in ("ec_eo_ratio", "iaf_hz", "cog_hz"):
        if table.get(key) is not None:
            click.echo(f"{key}: {table[key]:.3f}")
    if json_out is not None:
        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
        click.echo(f"wrote {json_out}")


@eeg_fmri_command.command("glm")
@click.argument("raw_path", metavar="RAW", type=click.Path(path_type=Path))
@click.argument("bold_path", metavar="BOLD", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help=".nii.gz")
@click.option("--marker", default="TR", show_default=True, help="Volume-onset annotation.")
@click.option("--fwhm", default=6.0, show_default=True, help="Smoothing (mm).")
def glm_command(raw_path: Path, bold_path: Path, output: Path, marker: str, fwhm: float) -> None:
    """EEG-informed first level: BOLD against −(alpha power ∗ HRF); writes the effect map.

    The alpha (8-12 Hz) power of O1 or O2 per volume of the corrected RAW (its --marker
    annotations), rejected epochs interpolated, Glover HRF, cosine drifts below 0.01 Hz. The
    TR is the markers' spacing; a BOLD header whose TR (with its time unit set) differs is
    refused.
    \f

    Parameters
    ----------
    raw_path : pathlib.Path
        The corrected recording with volume markers.
    bold_path : pathlib.Path
        The 4-D BOLD series (NIfTI).
    output : pathlib.Path
        The negative-contrast effect map (NIfTI).
    marker : str
        Annotation description of a volume onset.
    fwhm : float
        Gaussian smoothing (mm).
    """
    import nibabel as nib
    import numpy as np

    from ..errors import InputError
    from ..io.atomic import atomic_path, check_output_path
    from .artefacts import volume_onsets
    from .glm import alpha_regressor, first_level
    from .io import read_recording

    check_output_path(output, [raw_path, bold_path])
    if not str(output).lower().endswith((".nii", ".nii.gz")):
        raise InputError(output, "the effect map is written as NIfTI: use .nii or .nii.gz")
    raw = read_recording(raw_path)
    if not bold_path.exists():
        raise InputError(bold_path, "file not found")
    try:
        bold = nib.load(bold_path)
        shape = bold.shape
    except Exception as exc:
        raise InputError(bold_path, f"cannot read as NIfTI ({exc})") from None
    if len(shape) != 4:
        raise InputError(bold_path, f"not a 4-D series (shape {shape})")
    onsets = volume_onsets(raw, marker)
    tr_eeg = float(np.median(np.diff(onsets))) / raw.info["sfreq"]
    # the header's TR counts only when its time unit is set (many writers leave 1 and no unit)
    unit = bold.header.get_xyzt_units()[1]
    scale = {"sec": 1.0, "msec": 1e-3, "usec": 1e-6}.get(unit)
    tr_bold = float(bold.header.get_zooms()[3]) * scale if scale else 0.0
    if tr_bold > 0 and abs(tr_bold - tr_eeg) > 0.01 * tr_eeg:
        raise InputError(
            bold_path,
            f"TR {tr_bold:g} s differs from the EEG volume markers' {tr_eeg:g} s "
            "(mismatched sampling rates)",
        )
    alpha, channel = alpha_regressor(raw, marker=marker)
    if alpha.size < shape[3]:
        raise InputError(raw_path, f"{alpha.size} volume markers for {shape[3]} BOLD volumes")
    effect = first_level(bold, alpha[: shape[3]], tr_eeg, smoothing_fwhm=fwhm or None)
    with atomic_path(output) as tmp:
        nib.save(effect, tmp)
    click.echo(f"wrote {output} (alpha from {channel}, {shape[3]} volumes, TR {tr_eeg:g} s)")


@eeg_fmri_command.command("bench")
@click.option("--subjects", default=3, show_default=True, help="Simulated subjects (seeds 0..N-1).")
@click.option("--duration", default=120.0, show_default=True, help="Recording length (s).")
@click.option("--sfreq", default=250.0, show_default=True, help="Sampling rate (Hz).")
@click.option(
    "--scheduler",
    default=None,
    help="Run the subjects on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT.",
)
@click.option("--workers", type=int, default=None, help="Workers of a local Dask cluster.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=None)
def bench_command(
    subjects: int,
    duration: float,
    sfreq: float,
    scheduler: str | None,
    workers: int | None,
    json_out: Path | None,
) -> None:
    """Score every BCG correction on simulated subjects against the known truth.

    Prints, per method: cut of the BCG power at cardiac harmonics, alpha and mean band-power
    error against the clean EEG, EC/EO ratio recovery, IAF error, ICA components. The full
    benchmark with the GLM and figures is ``python -m benchmarks.eeg_fmri``.
    \f

    Parameters
    ----------
    subjects : int
        How many subjects.
    duration : float
        Seconds per recording.
    sfreq : float
        Sampling rate.
    scheduler : str or None
        ``"local"`` or a Dask scheduler address; None runs the subjects one after another.
    workers : int or None
        Workers of a local cluster.
    json_out : pathlib.Path or None
        Where to write the per-subject results and the summary.
    """
    from rich.progress import track

    from ..errors import InputError
    from ..io.atomic import atomic_path, check_output_path
    from .report import evaluate_subject, summarise

    if json_out is not None:
        check_output_path(json_out)
    if subjects < 1 or duration < 60 or sfreq < 200:
        raise InputError(None, "need --subjects ≥ 1, --duration ≥ 60 s and --sfreq ≥ 200 Hz")
    seeds = list(range(subjects))
    if scheduler is None:
        rows = [
            evaluate_subject(s, duration=duration, sfreq=sfreq)
            for s in track(seeds, description="subjects", transient=True)
        ]
    else:
        from ..bench.cluster import check_scheduler, dask_client

        with dask_client(check_scheduler(scheduler), workers) as client:
            futures = client.map(
                evaluate_subject, seeds, duration=duration, sfreq=sfreq, pure=False
            )
            rows = client.gather(futures)
    summary = summarise(rows)
    click.echo(
        f"{'method':<12} {'cardiac cut %':>13} {'alpha err %':>11} {'bands |err| %':>13} "
        f"{'EC/EO rec.':>10} {'IAF err Hz':>10} {'ICs':>5}"
    )
    for name, r in summary.items():
        click.echo(
            f"{name:<12} {r['cardiac_cut_pct']:13.1f} {r['alpha_error_pct']:11.1f} "
            f"{r['band_error_pct']:13.1f} {r['ec_eo_recovery']:10.2f} {r['iaf_error_hz']:10.3f} "
            f"{r['components']:5.1f}"
        )
    if json_out is not None:
        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps({"summary": summary, "subjects": rows}) + "\n")
        click.echo(f"wrote {json_out}")
