"""``brainfuse quality``: Tang et al.'s learned fusion quality assessment guided by MOS.

``score`` rates a fused image with the shipped (or given) weights; ``train`` trains the model on
a MOS database CSV; ``evaluate`` compares the learned score and the traditional metrics with the
MOS of a database split (Tang et al.'s Table 1). Every problem is one line on stderr and exit
status 2, before any file is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError

__all__ = ["quality_command"]


@click.group("quality")
def quality_command() -> None:
    """Learned fusion quality assessment guided by MOS (Tang et al.'s conditional GAN)."""


@quality_command.command("score")
@click.argument("fused", type=click.Path(path_type=Path))
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--weights",
    type=click.Path(path_type=Path),
    default=None,
    help="Weights from `brainfuse quality train` (default: the shipped ones).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def score_command(fused: Path, a: Path, b: Path, weights: Path | None, as_json: bool) -> None:
    """Rate FUSED as a fusion of A and B: the MOS level (1..5) the model finds it most like.

    The shipped weights were trained on a proxy MOS built from degradations and phantom truth,
    not on radiologists' scores: see docs/quality.md.
    """
    from .api import score

    result = score(fused, a, b, weights=weights)
    if as_json:
        click.echo(json.dumps({"fused": str(fused), **result.as_dict()}, indent=2))
        return
    sims = ", ".join(f"{k}: {v:.4f}" for k, v in result.similarities.items())
    click.echo(f"{fused}: quality {result.level}/5 (MOS {result.mos:.1f}); SSIM per level {sims}")


@quality_command.command("train")
@click.option(
    "--db",
    "table",
    required=True,
    type=click.Path(path_type=Path),
    help="MOS database CSV: source_a,source_b,fused,mos[,split] (MOS 1..5).",
)
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Weights file to write (.pt)."
)
@click.option("--steps", type=int, default=2000, show_default=True, help="Training steps.")
@click.option("--batch-size", type=int, default=8, show_default=True, help="Images per step.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of weights and batches.")
@click.option("--threads", type=int, default=1, show_default=True, help="Torch CPU threads.")
@click.option(
    "--max-minutes", type=float, default=0.0, show_default=True, help="Stop after (0: no limit)."
)
@click.option("--width", type=int, default=16, show_default=True, help="Network width.")
@click.option(
    "--val-every", type=int, default=250, show_default=True, help="Validate every N steps."
)
@click.option(
    "--init", type=click.Path(path_type=Path), default=None, help="Weights to start from."
)
@click.option("--resume", is_flag=True, help="Continue from OUT.ckpt.")
@click.option("--log", type=click.Path(path_type=Path), default=None, help="Progress log file.")
def train_command(
    table: Path,
    out: Path,
    steps: int,
    batch_size: int,
    seed: int,
    threads: int,
    max_minutes: float,
    width: int,
    val_every: int,
    init: Path | None,
    resume: bool,
    log: Path | None,
) -> None:
    """Train the model on the train lines of a MOS database; val lines pick the checkpoint."""
    from .api import train

    manifest = train(
        table,
        out,
        steps=steps,
        batch_size=batch_size,
        seed=seed,
        threads=threads,
        max_minutes=max_minutes,
        width=width,
        val_every=val_every,
        init=init,
        resume=resume,
        log=log,
    )
    click.echo(
        f"wrote {out} ({manifest['steps_done']} steps, checkpoint of step "
        f"{manifest['chosen_step']}) and {out.with_suffix('.json').name}"
    )


@quality_command.command("build-db")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--harvard",
    type=click.Path(path_type=Path),
    default=None,
    help="The harvard-aanlib folder (train pairs train; val pairs test).",
)
@click.option(
    "--harvard-pairs",
    nargs=3,
    type=int,
    default=(40, 10, 10),
    show_default=True,
    help="Harvard pairs per pair set: train, val, test.",
)
@click.option(
    "--phantom-cases",
    nargs=3,
    type=int,
    default=(20, 5, 10),
    show_default=True,
    help="Phantom cases per modality (PET, SPECT, CT): train, val, test.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the degradations.")
def build_db_command(
    out: Path,
    harvard: Path | None,
    harvard_pairs: tuple[int, int, int],
    phantom_cases: tuple[int, int, int],
    seed: int,
) -> None:
    """Build a proxy-MOS database in OUT (new or empty): fused by 12 methods, degraded, scored.

    The MOS is a proxy, not radiologists' scores: 5 minus the degradation level for Harvard
    pairs, the quintile of a task score against the truth for phantom cases (docs/quality.md).
    """
    from .api import build_proxy_database

    table = build_proxy_database(
        out,
        harvard=harvard,
        harvard_pairs=harvard_pairs,
        phantom_cases=phantom_cases,
        seed=seed,
    )
    click.echo(f"wrote {table}")


@quality_command.command("evaluate")
@click.option(
    "--db", "table", required=True, type=click.Path(path_type=Path), help="MOS database CSV."
)
@click.option("--split", default="test", show_default=True, help="Lines to evaluate.")
@click.option("--weights", type=click.Path(path_type=Path), default=None, help="Model weights.")
@click.option(
    "--mapping",
    type=click.Choice(["none", "logistic4", "logistic5"]),
    default="logistic4",
    show_default=True,
    help="Mapping of scores onto the MOS before PLCC and RMSE.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def evaluate_command(
    table: Path, split: str, weights: Path | None, mapping: str, as_json: bool
) -> None:
    """SRCC, KRCC, PLCC and RMSE of the learned score and the traditional metrics (Table 1)."""
    from .assess import load_model, predict
    from .compare import comparison_table, traditional_scores
    from .database import load_database

    db = load_database(table)
    part = db.subset(split)
    if len(part) < 3:
        raise InputError(table, f"split '{split}' has {len(part)} lines; at least 3 are needed")
    model, _ = load_model(weights)
    learned, _ = predict(model, part.a, part.b, part.fused)
    scores = {**traditional_scores(part.a, part.b, part.fused), "learned (Tang et al.)": learned}
    rows = comparison_table(scores, part.mos, mapping=mapping)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in rows.items()}, indent=2))
        return
    click.echo(
        f"{'score':24s} {'SRCC':>7s} {'KRCC':>7s} {'PLCC':>7s} {'RMSE':>7s}  (n={len(part)})"
    )
    for k, r in rows.items():
        click.echo(f"{k:24s} {r.srcc:7.4f} {r.krcc:7.4f} {r.plcc:7.4f} {r.rmse:7.4f}")
