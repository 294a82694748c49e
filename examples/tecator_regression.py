"""Regression: predict the fat content of meat from Tecator spectra, deploy the model and estimate energy.

Uses the tecator-small preset (FIR readout over the last steps) and writes to
runs/examples/tecator. The report gives mean squared errors instead of accuracies.
Run it with `.venv/bin/python examples/tecator_regression.py`.
"""

import sys

from _common import argument_parser, run

from share_neuro.demo import DemoOptions


def main() -> int:
    arguments = argument_parser(__doc__.splitlines()[0], "tecator").parse_args()
    options = DemoOptions(dataset="tecator", out=arguments.out, lava_samples=arguments.lava_samples,
                          resume=not arguments.no_resume, max_steps=arguments.max_steps)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
