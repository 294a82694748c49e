"""The UEA benchmark sets of the SHaRe-SSM paper (EigenWorms, SelfRegulationSCP1, ...) through the demo.

These sets ship in no package. Pass a folder with `<Problem>_TRAIN.ts` and
`<Problem>_TEST.ts` as --data-dir, or run with internet access and aeon installed.
Offline and without a folder, the script stops at once and names the files to download.

The defaults (the generic `small` preset, 300 optimiser steps, 2 Lava sequences) are far
smaller than the paper's settings, because these sequences are long (EigenWorms: 17,984
steps). NOTE: their run time is not measured, since the files are not available offline. `--preset eigenworms` and the like select the per-dataset settings of the SHaRe-SSM paper
(Agrawal et al., arXiv 2510.14386; see share_neuro.model.presets), which need far
more compute.

    .venv/bin/python examples/uea_paper_sets.py --dataset eigenworms --data-dir ~/uea
"""

import sys
from pathlib import Path

from _common import argument_parser, run

from share_neuro.demo import DemoOptions

PAPER_SETS = ("eigenworms", "selfregulationscp1", "selfregulationscp2", "ethanolconcentration", "heartbeat",
              "motorimagery")


def main() -> int:
    parser = argument_parser(__doc__.splitlines()[0], "uea", lava_samples=2, max_steps=300)
    parser.add_argument("--dataset", choices=PAPER_SETS, default="eigenworms", help="UEA set (default: eigenworms)")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder with <Problem>_TRAIN.ts and _TEST.ts")
    parser.add_argument("--preset", default="small", help="training preset (default: small)")
    arguments = parser.parse_args()

    out = arguments.out
    if out == parser.get_default("out"):
        out = out.with_name(arguments.dataset)
    options = DemoOptions(dataset=arguments.dataset, out=out, lava_samples=arguments.lava_samples,
                          resume=not arguments.no_resume, preset=arguments.preset, max_steps=arguments.max_steps,
                          data_dir=arguments.data_dir)
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
