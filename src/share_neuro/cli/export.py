"""`share-neuro export`: write a trained checkpoint as an ONNX model."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("checkpoint_path", metavar="MODEL.pt", type=click.Path(dir_okay=False))
@click.option("--format", "export_format", type=click.Choice(("onnx",)), default="onnx", show_default=True,
              help="Output format.")
@click.option("-o", "--output", "output_path", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: MODEL.onnx next to the checkpoint).")
@click.option("--length", type=click.IntRange(min=1), default=None,
              help="Fix the sequence length (time steps) in the graph; by default it is a run-time dimension.")
@click.option("--trace-outputs", is_flag=True,
              help="Add every intermediate (currents, pre-threshold values, spikes) as extra outputs.")
def export(checkpoint_path, export_format, output_path, length, trace_outputs):
    """Export MODEL.pt (SHaRe-SSM or LinOSS) to ONNX, opset 17, with the HRF recurrence as a Scan."""
    from share_neuro.onnx_io.export import export_checkpoint, output_name
    from share_neuro.onnx_io.importer import load_onnx

    output_path = Path(output_path) if output_path else Path(checkpoint_path).with_suffix(".onnx")
    written = export_checkpoint(checkpoint_path, output_path, length=length, trace_outputs=trace_outputs)

    exported = load_onnx(written)
    config = exported.config
    time = length if length is not None else "length"
    click.echo(f"Wrote {written} ({config['model']}, {config['task']}, ONNX opset 17)")
    click.echo(f"  input  x: float32 (batch, {time}, {config['input_size']}), raw (not normalised) values")
    click.echo(f"  output {output_name(config)}: float32")
