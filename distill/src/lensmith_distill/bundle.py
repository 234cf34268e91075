"""`distill bundle`: puts an exported student into an effect bundle folder: the model file
under `models/`, a `face_model` layer that declares it (in a new `effect.toml`, or added
to an existing one) and `MODEL_CARD.md`, which says what the model was trained on, by
which teacher, how well it matches it and how fast it runs."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .crops import write_atomic

LAYER_TEMPLATE = """
# The distilled student: the stable face crop at {size}x{size} -> the model -> pasted back with
# a feathered edge around `region` ("face_oval", "head" with hair and ears, or the whole
# "crop"). Made by `distill bundle`; MODEL_CARD.md says how it was trained.
[[layer]]
kind = "face_model"
name = "{layer}"
model = "models/{model}"
crop_size = {size}
input_layout = "nchw"
output_layout = "nchw"
value_range = "minus_one_to_one"
channel_order = "rgb"
feather = 0.08
region = "{region}"

[[layer.parameter]]
name = "opacity"
type = "float"
min = 0.0
max = 1.0
default = 1.0
"""

MANIFEST_HEAD = """# {name}: made by `distill bundle` from a distilled student model.

[effect]
id = "{effect_id}"
name = "{name}"
version = "0.1.0"
api_version = "1.0"
author = ""
description = "{description}"

[budget]
max_total_mb = 8.0
max_texture_px = 1024
max_model_mb = 4.0
device_class = "mid"
"""


def write_atomically(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def toml_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# The `region` values a face_model layer accepts (effect-api's PasteRegion).
REGIONS = ("face_oval", "head", "crop")


def install(model: Path, file_name: str, bundle: Path, layer: str, size: int, card: str, effect_id: str, name: str,
            description: str, region: str = "face_oval") -> list[str]:
    """Copies `model` into `bundle/models/file_name`, declares it, writes the card; returns
    what it did."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", layer):
        raise SystemExit(f"layer name {layer!r}: use letters, digits, '-', '_' and '.'")
    done = []
    models = bundle / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / file_name
    scratch = models / f".{file_name}.partial"
    shutil.copyfile(model, scratch)
    os.replace(scratch, target)
    done.append(f"copied {model} to {target}")
    manifest = bundle / "effect.toml"
    if region not in REGIONS:
        raise SystemExit(f"region {region!r}: use one of {', '.join(REGIONS)}")
    block = LAYER_TEMPLATE.format(size=size, layer=layer, model=file_name, region=region)
    if not manifest.exists():
        head = MANIFEST_HEAD.format(effect_id=toml_string(effect_id), name=toml_string(name),
                                    description=toml_string(description))
        write_atomically(manifest, head + block)
        done.append(f"wrote {manifest} with the face_model layer `{layer}`")
    else:
        text = manifest.read_text()
        declared = re.search(rf'(?m)^name\s*=\s*"{re.escape(layer)}"\s*$', text)
        if declared:
            if f'model = "models/{file_name}"' not in text:
                raise SystemExit(f"{manifest} already has a layer `{layer}` that names another model file; "
                                 f"set its model to \"models/{file_name}\" or choose another --layer")
            done.append(f"{manifest} already declares `{layer}`; left as it is")
        else:
            write_atomically(manifest, text.rstrip("\n") + "\n" + block)
            done.append(f"added the face_model layer `{layer}` to {manifest}")
    write_atomically(bundle / "MODEL_CARD.md", card)
    done.append(f"wrote {bundle / 'MODEL_CARD.md'}")
    return done
