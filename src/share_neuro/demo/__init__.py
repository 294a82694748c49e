"""The end-to-end demo: train, convert, simulate on the reference and on Lava, energy, report.

`run_demo(DemoOptions(...))` writes every result into one folder and resumes an
interrupted run at the stage that did not finish. This package file imports no torch.
"""

from share_neuro.demo.options import DemoOptions
from share_neuro.demo.pipeline import STAGES, DemoError, DemoResult, run_demo

__all__ = ["STAGES", "DemoError", "DemoOptions", "DemoResult", "run_demo"]
