"""Train SHaRe-SSM on UCR FordA (engine noise, 500 steps, 2 classes), deploy it and estimate energy.

Uses the forda-small preset and writes to runs/examples/forda. Run it with
`.venv/bin/python examples/forda.py`. The sequences are four times longer than HAPT's,
so training and the Lava stage take longer than `make demo`.
"""

import sys

from _common import argument_parser, run

from share_neuro.demo import DemoOptions


def main() -> int:
    arguments = argument_parser(__doc__.splitlines()[0], "forda", lava_samples=10).parse_args()
    options = DemoOptions(dataset="forda", out=arguments.out, lava_samples=arguments.lava_samples,
                          resume=not arguments.no_resume, max_steps=arguments.max_steps)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
