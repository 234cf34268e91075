"""`MODEL_CARD.md`: what a bundled student is, what it was trained on (every source with
its licence), by which teacher, how close it comes to it and how fast it runs."""

from __future__ import annotations

from collections import Counter

from .dataset import is_held_out


def _start(run: dict) -> str:
    """How training began: from scratch, or from an earlier run's weights (and how that one
    was trained, so the card accounts for all the training the student had)."""
    initial = run.get("initialised_from")
    if not initial:
        return "Trained from scratch"
    if initial.get("steps") is None:
        return f"Started from the weights in `{initial['model']}` (step {initial.get('step')}), then trained"
    earlier = (f"{initial['steps']} steps, {initial['seconds'] / 60:.0f} min on {initial.get('device') or 'cpu'}, "
               f"{initial.get('training_pairs')} training pairs; its weights of step {initial.get('step')}")
    if initial.get("initialised_from"):
        earlier += ", itself started from an earlier run"
    return f"Started from an earlier run's student ({earlier}), then trained on the pairs below"


def model_card(run: dict, history: dict, export: dict, pairs: dict, model_file: str) -> str:
    """The card's Markdown from the run's records."""
    config = history["config"]
    student = config["student"]
    teacher = pairs.get("teacher", {})
    teacher_ms = pairs.get("totals", {}).get("teacher_ms_mean", 0.0)
    exported = export.get("variants", [{}])[0]
    lines = [
        f"# Model card: `{model_file}`",
        "",
        "A distilled student: a small UNet (MobileNetV2 inverted-residual encoder, MobileNet "
        "depthwise-separable decoder) trained by Lensmith's `distill` to reproduce a slow "
        "teacher's effect on aligned face crops in real time.",
        "",
        "## Model",
        f"- Input `image`, output `stylized`: [1, 3, {student['size']}, {student['size']}], NCHW, RGB, "
        "values in [-1, 1]; ONNX opset 17.",
        f"- Width multiplier {student['width']}, {student.get('full_channels', 8)} full-size channels; "
        f"{export.get('multiply_adds', 0) / 1e9:.2f} G multiply-adds "
        f"per crop; {export.get('parameters', 0):,} parameters.",
        f"- {_start(run)} for {config['steps']} steps (batch {config['batch']}, {config['patch']}² "
        f"patches, AdamW, peak learning rate {config['learning_rate']}) in "
        f"{history['seconds'] / 60:.0f} min on {processes(run)}{run.get('device', 'cpu')}; losses L1 + SSIM + edge "
        f"(weights {config['losses']['l1']}, {config['losses']['ssim']}, {config['losses']['edge']}).",
        "",
        "## Teacher",
        f"- `{teacher.get('name', '?')}`: {teacher.get('description', '')}",
        f"- Mean teacher time per crop: {teacher_ms:.0f} ms.",
        "",
        "## Quality against the teacher (held-out crops, never trained on)",
        f"- Held out: sources matching {', '.join(run.get('held_out', [])) or 'nothing'}, and every "
        f"evaluation-only source ({exported.get('count', 0)} crops), scored on the exported "
        f"`{exported.get('file', '?')}`.",
        f"- PSNR {exported.get('psnr', float('nan')):.2f} dB (worst crop {exported.get('psnr_min', float('nan')):.2f}), "
        f"SSIM {exported.get('ssim', float('nan')):.4f} (worst {exported.get('ssim_min', float('nan')):.4f}).",
    ]
    identity = export.get("identity")
    if identity and identity.get("mean_nme") is not None:
        lines.append(
            f"- Identity: the runtime's tracker finds the stylised face's landmarks on average "
            f"{100 * identity['mean_nme']:.2f} % of the inter-ocular distance from the input's "
            f"(worst {100 * identity['max_nme']:.2f} %, {identity['crops']} crops, {len(identity['lost'])} lost)."
        )
    lines += ["", "## Speed (ONNX Runtime on the CPU it was measured on)", "",
              "| file | size | threads | median | p95 | PSNR | SSIM |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for variant in export.get("variants", []):
        lines.append(
            f"| `{variant['file']}` | {variant['bytes'] / 2**20:.2f} MiB | {variant['threads']} | "
            f"{variant['median_ms']:.1f} ms | {variant['p95_ms']:.1f} ms | {variant['psnr']:.2f} dB | {variant['ssim']:.4f} |"
        )
    speed_up = teacher_ms / max(1e-9, exported.get("median_ms", 0.0))
    lines += ["", f"The student is {speed_up:.0f}× faster than its teacher.", "", "## Training data", ""]
    def use(pair: dict) -> str:
        return "held out" if is_held_out(pair, run.get("held_out", [])) else "training"

    sources = Counter((pair["source"].split("/")[-1], use(pair), pair["licence"], pair["origin"])
                      for pair in pairs["pairs"])
    lines += ["| source | crops | used for | licence | origin |", "| --- | --- | --- | --- | --- |"]
    for (source, used, licence, origin), count in sorted(sources.items()):
        lines.append(f"| `{source}` | {count} | {used} | {licence} | {origin} |")
    lines += ["", "The crops themselves are not shipped; the table says where each came from.", ""]
    return "\n".join(lines)


def processes(run: dict) -> str:
    """`2 processes (DDP), each on ` for a data-parallel run; nothing for one process."""
    count = run.get("processes", 1)
    return f"{count} processes (DDP), each on " if count > 1 else ""
