"""`share-neuro datasets`: list the registered datasets and whether they can be loaded here."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from share_neuro.atomic import write_text_atomic
from share_neuro.errors import InputFileError

COLUMNS = ("name", "task", "classes", "channels", "length", "sizes", "availability", "licence", "source")


def dataset_rows() -> list:
    """Return one dict per registered dataset with the registry facts and its availability."""
    from share_neuro.data import list_datasets

    rows = []
    for info in list_datasets():
        row = asdict(info)
        row["availability"] = info.availability()
        row["offline"] = info.offline
        rows.append(row)
    return rows


def format_table(rows: list) -> str:
    """Format `rows` as a plain-text table with the columns in `COLUMNS`."""
    cells = [[str(row[column]) for column in COLUMNS] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(COLUMNS)]

    lines = ["  ".join(column.ljust(width) for column, width in zip(COLUMNS, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in cells]
    return "\n".join(line.rstrip() for line in lines)


@click.command("datasets")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table as a JSON list to this file.")
def datasets(json_path):
    """List the datasets, their shapes, sizes (train/val/test), licences and availability."""
    rows = dataset_rows()
    click.echo(format_table(rows))

    if json_path is not None:
        _write_json(json_path, rows)
        click.echo(f"wrote {json_path}")


def _write_json(path: Path, rows: list) -> None:
    if not path.parent.is_dir():
        raise InputFileError(f"cannot write {path}: folder {path.parent} not found; create it first")

    write_text_atomic(path, json.dumps(rows, indent=2))
