"""Train SHaRe-SSM on UCI HAPT (smartphone accelerometer and gyroscope), deploy it and estimate energy.

The same run as `make demo`, written to runs/examples/hapt. Run it with
`.venv/bin/python examples/hapt.py`; about 5 to 15 minutes on two cores.
"""

import sys

from _common import argument_parser, run

from share_neuro.demo import DemoOptions


def main() -> int:
    arguments = argument_parser(__doc__.splitlines()[0], "hapt").parse_args()
    options = DemoOptions(dataset="hapt", out=arguments.out, lava_samples=arguments.lava_samples,
                          resume=not arguments.no_resume, max_steps=arguments.max_steps)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
