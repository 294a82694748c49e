"""`share-neuro profiles`: list the hardware profiles and the sources of their constants."""

from __future__ import annotations

import json

import click

COLUMNS = ("name", "kind", "title", "constants", "sources")


def _render(header: tuple, rows: list) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


@click.command()
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print every profile with all its constants as JSON.")
def profiles(names, as_json):
    """List hardware profiles, or show the constants of NAMES (bundled names or TOML paths)."""
    from share_neuro.energy.profiles import list_profiles, load_profile

    loaded = [load_profile(name) for name in names] if names else list_profiles()

    if as_json:
        click.echo(json.dumps([profile.to_dict() for profile in loaded], indent=2))
        return

    if not names:
        rows = [
            (profile.name, profile.kind, profile.title, len(profile.constants), "; ".join(profile.sources()))
            for profile in loaded
        ]
        click.echo(_render(COLUMNS, rows))
        return

    for profile in loaded:
        click.echo(f"{profile.name}: {profile.title} ({profile.path})")
        rows = [
            (key, f"{constant.value:g}", constant.unit, constant.kind, constant.source)
            for key, constant in sorted(profile.constants.items())
        ]
        click.echo(_render(("field", "value", "unit", "kind", "source"), rows))
        click.echo("")
