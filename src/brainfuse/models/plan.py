"""Training a network on a folder of pairs: :func:`plan_training` checks everything, then runs.

What ``brainfuse train`` does, as a Python API: every argument (the model and its parameters,
the training settings, the data folder and its ``split.csv``, the output files, the start
model) is checked before the first file is written; :meth:`TrainingPlan.run` then trains.

>>> plan = plan_training("funfusean", "harvard-aanlib", "ffa.pt", steps=100)  # doctest: +SKIP
>>> print(plan.describe())                                                     # doctest: +SKIP
>>> result = plan.run()                                                        # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.atomic import check_output_path
from . import get_spec
from .data import PatchSampler, load_pairs
from .train import ModelSpec, TrainConfig, TrainResult, train

__all__ = ["TrainingPlan", "output_files", "plan_training"]


def output_files(out: str | os.PathLike[str], inputs: list[Path]) -> list[Path]:
    """The four files training writes beside ``out``: weights, manifest, loss curve, checkpoint.

    Parameters
    ----------
    out : str or os.PathLike
        The weights file ``W.pt``.
    inputs : list of pathlib.Path
        Files that must not be replaced.

    Returns
    -------
    files : list of pathlib.Path
        ``W.pt``, ``W.json``, ``W.loss.png``, ``W.pt.ckpt``.

    Raises
    ------
    InputError
        When one cannot be written or would replace an input.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.models.plan import output_files
    >>> [p.name for p in output_files(Path(tempfile.mkdtemp()) / "net.pt", [])]
    ['net.pt', 'net.json', 'net.loss.png', 'net.pt.ckpt']
    """
    out = Path(out)
    if out.suffix != ".pt":
        raise InputError(out, "weights file name must end in .pt")
    stem = out.name.removesuffix(".pt")
    written = [
        out,
        out.with_name(stem + ".json"),
        out.with_name(stem + ".loss.png"),
        out.with_name(out.name + ".ckpt"),
    ]
    for path in written:
        check_output_path(path, inputs)
    return written


@dataclass(frozen=True)
class TrainingPlan:
    """A checked training run, ready to start (made by :func:`plan_training`).

    Parameters
    ----------
    spec : ModelSpec
        The network.
    config : TrainConfig
        The training settings.
    params : dict
        The bound parameters of the network and its loss.
    out : pathlib.Path
        The weights file to write.
    split : str
        The training split.
    pairsets : tuple of str
        The pair sets trained on.
    sampler : PatchSampler
        The training patches.
    val : PatchSampler or None
        The validation patches.
    """

    spec: ModelSpec
    config: TrainConfig
    params: dict[str, Any]
    out: Path
    split: str
    pairsets: tuple[str, ...]
    sampler: PatchSampler
    val: PatchSampler | None

    def describe(self) -> str:
        """One line: what will be trained on what.

        Returns
        -------
        line : str
        """
        c = self.config
        return (
            f"training {self.spec.name} on {len(self.sampler.pairs)} {self.split} pairs "
            f"({', '.join(self.pairsets)}), {c.steps} steps of {c.batch_size}x{c.patch}² patches"
        )

    def run(self, *, resume: bool = False, progress: bool = True) -> TrainResult:
        """Train; write the weights, their manifest, the loss curve and a checkpoint.

        Parameters
        ----------
        resume : bool
            Continue from the checkpoint beside :attr:`out`.
        progress : bool
            Show a progress bar (on a terminal).

        Returns
        -------
        TrainResult
            The files written, the manifest, the loss history and the time taken.
        """
        build, objective = self.spec.make(**self.params)
        return train(
            build,
            objective,
            self.sampler,
            self.config,
            self.out,
            val_data=self.val,
            name=self.spec.name,
            params=self.spec.recorded_params(self.params),
            resume=resume,
            progress=progress,
        )


def plan_training(
    model: str,
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    split: str = "train",
    val_split: str = "val",
    params: Mapping[str, Any] | None = None,
    pairsets: tuple[str, ...] | None = None,
    **settings: Any,
) -> TrainingPlan:
    """Check a training run of ``model`` on the ``split`` pairs of ``data``.

    Parameters
    ----------
    model : str
        A trainable network (``brainfuse.models.TRAINABLE``).
    data : path
        A folder of registered pairs with ``split.csv`` (the ``harvard-aanlib`` layout).
    out : path
        The weights file to write (``.pt``); its manifest, loss curve and checkpoint go beside.
    split, val_split : str
        The splits to train and validate on (``val_split=""``: no validation).
    params : mapping, optional
        Parameters of the network and its loss (values or text), checked by the registry.
    pairsets : tuple of str, optional
        Pair sets to train on (default: the model's).
    **settings
        Training settings of :class:`~brainfuse.models.train.TrainConfig` to change
        (``steps``, ``batch_size``, ``patch``, ``lr``, ``seed``, ``threads``, ``max_minutes``).

    Returns
    -------
    TrainingPlan
        Ready to :meth:`~TrainingPlan.run`; nothing is written before that.

    Raises
    ------
    InputError
        Naming the model, parameter, setting, file or folder that is wrong.
    """
    spec = get_spec(model)
    unknown = set(settings) - {f.name for f in dataclasses.fields(TrainConfig)}
    if unknown:
        raise InputError(None, f"unknown training setting(s) {', '.join(sorted(unknown))}")
    config = dataclasses.replace(spec.config, **settings)
    bound = spec.bind(params)
    spec.make(**bound)  # parameters that build no network are refused here
    start_files = list(spec.input_files(bound).values())
    output_files(out, start_files)  # before reading the data; again below against every image
    data_dir = Path(data)
    if not data_dir.exists():
        raise InputError(data_dir, "data folder not found")
    if not data_dir.is_dir():
        raise InputError(data_dir, "not a folder (give the folder that holds split.csv)")
    sets = tuple(pairsets) if pairsets is not None else spec.pairsets
    train_pairs = load_pairs(data_dir, split, sets)
    sampler = PatchSampler(
        train_pairs, patch=config.patch, batch_size=config.batch_size, seed=config.seed
    )
    inputs = [data_dir / "split.csv", *train_pairs.files, *start_files]
    val = None
    if val_split:
        val_pairs = load_pairs(data_dir, val_split, sets)
        val = PatchSampler(
            val_pairs, patch=config.patch, batch_size=config.batch_size, seed=config.seed + 1
        )
        inputs += val_pairs.files
    output_files(out, inputs)
    return TrainingPlan(spec, config, bound, Path(out), split, sets, sampler, val)
