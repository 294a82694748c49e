"""The `share-neuro` command line.

Each command lives in its own module and is imported only when it runs, so that
`share-neuro --help` is fast and commands that need no torch work without it.
"""

import importlib
import sys

import click

from share_neuro.errors import ShareNeuroError

# command name -> "module:function" under share_neuro.cli
COMMANDS = {
    "datasets": "datasets:datasets",
    "train": "train:train",
    "convert": "convert:convert",
    "simulate": "simulate:simulate",
    "energy": "energy:energy",
    "profiles": "profiles:profiles",
    "export": "export:export",
    "demo": "demo:demo",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module on first use."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(f"share_neuro.cli.{module_name}")
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith("share_neuro.cli."):
                return None
            raise
        return getattr(module, attribute)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ShareNeuroError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="share-neuro")
def main():
    """Train SHaRe-SSM spiking state-space models and deploy them to Lava and Loihi."""
