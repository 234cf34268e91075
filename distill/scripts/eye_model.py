"""Lensmith's eye landmark model: a small CNN distilled from MediaPipe's iris landmark model,
with the same input and outputs, so the runtime refines eyes with it at a fraction of the
cost (MediaPipe's model takes 54 M multiply-adds an eye; this one 4.4 M).

The teacher labels every crop itself, so the training crops need no hand labels, only eyes:
those of the faces catalogue's *train* people (`python -m lensmith_distill faces fetch`;
`split.json` splits it by person), cut as the runtime cuts them, each many times with its
position, turn, size and light varied. The tune people check training; the evaluation
people are scored only at the end, with `score`.

    # 1. Track the catalogue, cut eye crops and label them with the teacher (per split).
    python distill/scripts/eye_model.py crops FACES OUT --lensmith target/release/lensmith \
        --teacher ~/.cache/lensmith/models/iris_landmark.onnx
    # 2. Train on the train people's crops (about 1 min an epoch on 2 CPU cores).
    python distill/scripts/eye_model.py train OUT --epochs 30
    # 3. ONNX with the teacher's interface (`input_1` 1x64x64x3 in 0..1; two outputs).
    python distill/scripts/eye_model.py export OUT eye_landmarks.onnx
    # 4. Student against teacher on each split's crops (no augmentation outside train).
    python distill/scripts/eye_model.py score OUT eye_landmarks.onnx

These defaults made the shipped model. `crops --full-range-fallback --glasses-share 0.25` and
`train --balance-people` made a variant that followed the teacher more closely on average but
read closed eyes as more open, and was not shipped (runtime/models/eye_landmarks.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

# The runtime's eye crop (runtime/src/eyes.rs): a square around the eye's two corners, turned
# with the line between them, CROP_SCALE times their distance wide; the image-right eye is
# mirrored so that both look like the image-left eye the teacher was trained on.
EYE_CORNERS = ((33, 133), (362, 263))
CROP_SCALE = 2.3
SIDE = 64
CONTOUR_POINTS, IRIS_POINTS = 71, 5
# The lid points the runtime measures openness with: upper-lid point over lower-lid point.
LID_PAIRS = ((11, 3), (12, 4), (13, 5))
STILL_SUFFIXES = (".jpg", ".jpeg", ".png")
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv")
# Crops per eye: stills are few, so each is cut many times; a video's frames already vary.
AUGMENTED_CUTS = {"still": 120, "video": 3}
TRAIN_EVERY_NTH_FRAME = 2


def crop_matrix(left, right, jitter=None) -> np.ndarray:
    """The 2x3 matrix taking crop pixel centres to frame pixel centres for the eye whose
    corners are `left` and `right` (frame pixels), as `cv2.warpAffine` with
    `WARP_INVERSE_MAP` wants it. `jitter` = (turn in radians, log scale, shift x, shift y
    in eye widths) moves the crop off the runtime's."""
    dx, dy = right[0] - left[0], right[1] - left[1]
    width = float(np.hypot(dx, dy))
    cx, cy = (left[0] + right[0]) / 2, (left[1] + right[1]) / 2
    rotation, scale = float(np.arctan2(dy, dx)), width * CROP_SCALE / SIDE
    if jitter is not None:
        turn, log_scale, shift_x, shift_y = jitter
        rotation += turn
        scale *= float(np.exp(log_scale))
        cx, cy = cx + shift_x * width, cy + shift_y * width
    a, c = np.cos(rotation) * scale, np.sin(rotation) * scale
    half = SIDE / 2
    # frame = centre + R·scale·(crop − half), in pixel-edge coordinates (the runtime's).
    edges = np.array([[a, -c, cx - (a - c) * half], [c, a, cy - (c + a) * half]])
    centres = edges.copy()
    centres[:, 2] = edges[:, :2] @ [0.5, 0.5] + edges[:, 2] - 0.5
    return centres


def cut_eye(image: np.ndarray, matrix: np.ndarray, mirrored: bool) -> np.ndarray:
    """The 64x64 RGB eye crop, bilinear, the frame's edge repeated outside it."""
    crop = cv2.warpAffine(
        image, matrix, (SIDE, SIDE), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    return np.ascontiguousarray(crop[:, ::-1] if mirrored else crop)


def vary_light(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The crop under other light and cameras: exposure, colour cast, gamma, blur, noise,
    grey, JPEG."""
    x = crop.astype(np.float32)
    if rng.random() < 0.8:
        x = x * np.exp(rng.normal(0, 0.25)) + rng.normal(0, 15)
        x = x * (1 + rng.normal(0, 0.08, 3))
    if rng.random() < 0.3:
        x = 255 * np.clip(x / 255, 0, 1) ** np.exp(rng.normal(0, 0.25))
    if rng.random() < 0.25:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.3, 1.2))
    if rng.random() < 0.3:
        x = x + rng.normal(0, rng.uniform(1, 6), x.shape)
    if rng.random() < 0.15:
        x = np.repeat(x.mean(2, keepdims=True), 3, 2)
    x = np.clip(x, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        _, encoded = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, int(rng.uniform(30, 90))])
        x = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return x


def add_glasses(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The crop seen through glasses: a rim (part of an ellipse around the eye, dark or
    light, thin or thick) and sometimes a pale reflection over the lens. The teacher labels
    the crop afterwards, so the labels are what it reads through them."""
    x = crop.copy()
    centre = (SIDE / 2 + rng.normal(0, 3), SIDE / 2 + rng.normal(0, 3))
    axes = (rng.uniform(0.30, 0.48) * SIDE, rng.uniform(0.22, 0.40) * SIDE)
    shade = rng.uniform(0, 60) if rng.random() < 0.7 else rng.uniform(150, 255)
    colour = tuple(float(np.clip(shade + rng.normal(0, 15), 0, 255)) for _ in range(3))
    start = rng.uniform(0, 360)
    arc = rng.uniform(120, 360)
    thickness = int(rng.integers(1, 4))
    scale = 16  # cv2.ellipse's fixed-point shift of 4 bits: sub-pixel rims
    cv2.ellipse(
        x, (int(centre[0] * scale), int(centre[1] * scale)), (int(axes[0] * scale), int(axes[1] * scale)),
        rng.normal(0, 5), start, start + arc, colour, thickness, cv2.LINE_AA, 4,
    )
    if rng.random() < 0.4:
        glare = np.zeros((SIDE, SIDE), np.float32)
        cv2.ellipse(
            glare, (int(rng.uniform(8, SIDE - 8)), int(rng.uniform(8, SIDE - 8))),
            (int(rng.uniform(4, 16)), int(rng.uniform(2, 8))), rng.uniform(0, 180), 0, 360, 1.0, -1,
        )
        glare = cv2.GaussianBlur(glare, (0, 0), rng.uniform(1, 4))[:, :, None] * rng.uniform(0.2, 0.6)
        x = np.clip(x * (1 - glare) + 255 * glare, 0, 255).astype(np.uint8)
    return x


def openness(outputs: np.ndarray) -> np.ndarray:
    """The runtime's eye openness from model outputs (N x 228): the mean gap between the
    three lid pairs over the distance between the corners."""
    points = outputs[:, : CONTOUR_POINTS * 3].reshape(-1, CONTOUR_POINTS, 3)
    width = np.linalg.norm(points[:, 8, :2] - points[:, 0, :2], axis=1)
    gap = sum(points[:, lower, 1] - points[:, upper, 1] for upper, lower in LID_PAIRS) / len(LID_PAIRS)
    return gap / width


def media(faces: Path) -> list[dict]:
    """Every still and video of the catalogue, with its person and split."""
    splits = json.loads((faces / "split.json").read_text())["splits"]
    found = []
    for split, people in splits.items():
        for person in people:
            for path in sorted((faces / person).iterdir()):
                kind = "still" if path.suffix.lower() in STILL_SUFFIXES else "video" if path.suffix.lower() in VIDEO_SUFFIXES else None
                if kind:
                    found.append({"split": split, "person": person, "path": path, "kind": kind})
    return found


def track(item: dict, lensmith: str, tracks: Path, full_range_fallback: bool) -> dict | None:
    """`lensmith track`'s JSON for one file, made once: by the short-range detector, and
    with `full_range_fallback`, a still where it finds no face by the full-range one, as
    `expression_people.py` does."""
    out = tracks / f"{item['person']}__{item['path'].name}.json"
    if not out.exists():
        command = [lensmith, "track", str(item["path"]), "--json", str(out), "--max-faces", "4"]
        if item["kind"] == "still":
            command.append("--static")
        detectors = ([], ["--full-range"]) if full_range_fallback and item["kind"] == "still" else ([],)
        for detector in detectors:
            done = subprocess.run(command + detector, capture_output=True, text=True)
            if done.returncode:
                print(f"eye_model: {item['path']}: lensmith track failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
                return None
            if any(frame["faces"] for frame in json.loads(out.read_text())["frames"]):
                break
    return json.loads(out.read_text())


def frames_of(item: dict, tracked: dict, every: int):
    """(tracked frame, RGB image) for each frame with a face, every `every`th of a video."""
    if item["kind"] == "still":
        image = cv2.imread(str(item["path"]), cv2.IMREAD_COLOR)
        yield tracked["frames"][0], cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        return
    video = cv2.VideoCapture(str(item["path"]))
    for frame in tracked["frames"]:
        ok, image = video.read()
        if not ok:
            print(f"eye_model: {item['path']}: ends before frame {frame['index']}", file=sys.stderr)
            return
        if frame["index"] % every == 0 and frame["faces"]:
            yield frame, cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def cut_split(items: list[dict], split: str, args, tracks: Path, rng) -> tuple[np.ndarray, list]:
    """Every eye crop of one split: augmented many times for train (a share
    `args.glasses_share` of them seen through drawn glasses), as the runtime cuts it for
    the others."""
    crops, where = [], []
    training = split == "train"
    for item in items:
        tracked = track(item, args.lensmith, tracks, args.full_range_fallback)
        if tracked is None:
            continue
        cuts = AUGMENTED_CUTS[item["kind"]] if training else 1
        every = TRAIN_EVERY_NTH_FRAME if training else 1
        for frame, image in frames_of(item, tracked, every):
            for face_number, face in enumerate(frame["faces"]):
                points = face["landmarks"]
                for eye, (left, right) in enumerate(EYE_CORNERS):
                    for cut in range(cuts):
                        varied = training and (cut > 0 or item["kind"] == "video")
                        jitter = (rng.normal(0, 0.12), rng.normal(0, 0.08), rng.normal(0, 0.05), rng.normal(0, 0.05)) if varied else None
                        crop = cut_eye(image, crop_matrix(points[left], points[right], jitter), mirrored=eye == 1)
                        if varied:
                            crop = vary_light(crop, rng)
                            # No draw without glasses: the default crops stay those of the shipped model.
                            if args.glasses_share > 0 and rng.random() < args.glasses_share:
                                crop = add_glasses(crop, rng)
                        crops.append(crop)
                        where.append((item["person"], item["path"].name, frame["index"], face_number, eye, cut))
    return np.stack(crops), where


def crops_command(args) -> None:
    import onnxruntime as ort

    out = Path(args.out)
    (out / "tracks").mkdir(parents=True, exist_ok=True)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    teacher = ort.InferenceSession(args.teacher, options, providers=["CPUExecutionProvider"])
    items = media(Path(args.faces))
    rng = np.random.default_rng(args.seed)
    summary = {}
    for split in ("train", "tune", "evaluation"):
        crops, where = cut_split([i for i in items if i["split"] == split], split, args, out / "tracks", rng)
        labels = np.stack(
            [np.concatenate([o[0] for o in teacher.run(None, {"input_1": c[None].astype(np.float32) / 255})]) for c in crops]
        )
        np.savez_compressed(out / f"crops_{split}.npz", x=crops, y=labels.astype(np.float32), where=np.array(where, dtype=object))
        summary[split] = {"crops": len(crops), "people": len({w[0] for w in where})}
        print(f"{split}: {len(crops)} eye crops of {summary[split]['people']} people")
    (out / "crops.json").write_text(json.dumps(summary, indent=1))


def student_network(torch):
    """The student: a depthwise-separable CNN (64→4 px, 96 channels) and a two-layer head
    regressing the teacher's 76 points (x, y, z in crop pixels)."""
    nn = torch.nn

    def separable(inputs, outputs, stride):
        return nn.Sequential(
            nn.Conv2d(inputs, inputs, 3, stride, 1, groups=inputs), nn.ReLU(inplace=True),
            nn.Conv2d(inputs, outputs, 1), nn.ReLU(inplace=True),
        )

    class Residual(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(channels, channels, 3, 1, 1, groups=channels), nn.ReLU(inplace=True),
                nn.Conv2d(channels, channels, 1),
            )

        def forward(self, x):
            return torch.relu(x + self.body(x))

    class EyeStudent(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 24, 3, 2, 1), nn.ReLU(inplace=True),
                separable(24, 32, 1), separable(32, 48, 2), Residual(48),
                separable(48, 64, 2), Residual(64), Residual(64),
                separable(64, 96, 2), Residual(96),
            )
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 96, 256), nn.ReLU(inplace=True), nn.Linear(256, 228))
            self.register_buffer("centre", torch.tensor([SIDE / 2, SIDE / 2, 0.0]).repeat(CONTOUR_POINTS + IRIS_POINTS))

        def forward(self, rgb):  # N x 64 x 64 x 3, values 0..1, as the teacher takes it
            points = self.head(self.features(rgb.permute(0, 3, 1, 2) * 2 - 1)) * SIDE + self.centre
            return points[:, : CONTOUR_POINTS * 3], points[:, CONTOUR_POINTS * 3 :]

    return EyeStudent()


def train_command(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    train = np.load(out / "crops_train.npz", allow_pickle=True)
    tune = np.load(out / "crops_tune.npz", allow_pickle=True)
    x, y = torch.from_numpy(train["x"]), torch.from_numpy(train["y"])
    # Closed and closing eyes are rare in the crops but decide blinks: drawn 4 times as often.
    draw_weight = np.where(openness(train["y"]) < 0.25, 4.0, 1.0)
    if args.balance_people:
        # Every person weighs the same, however many crops their stills and videos gave.
        people = np.array([w[0] for w in train["where"]])
        _, person_index, person_crops = np.unique(people, return_inverse=True, return_counts=True)
        draw_weight = draw_weight / person_crops[person_index]
    draw_weight = torch.from_numpy(draw_weight)
    # The lids (the first 16 points) and the iris decide openness and gaze; depth matters least.
    point_weight = torch.ones(CONTOUR_POINTS + IRIS_POINTS, 3)
    point_weight[:16] = 3
    point_weight[CONTOUR_POINTS:] = 3
    point_weight[:, 2] = 0.2
    point_weight = point_weight.flatten()
    model = student_network(torch)
    batch = 64
    steps_per_epoch = len(x) // batch
    optimiser = torch.optim.AdamW(model.parameters(), args.learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, args.learning_rate, total_steps=args.epochs * steps_per_epoch, pct_start=0.1)
    print(f"train: {len(x)} crops of {len({w[0] for w in train['where']})} people; tune: {len(tune['x'])} crops")
    for epoch in range(args.epochs):
        started, total = time.time(), 0.0
        order = torch.multinomial(draw_weight, len(x), replacement=True)
        for step in range(steps_per_epoch):
            chosen = order[step * batch : (step + 1) * batch]
            rgb = x[chosen].float() / 255
            rgb = (rgb * torch.exp(torch.randn(len(chosen), 1, 1, 1) * 0.1) + torch.randn(len(chosen), 1, 1, 1) * 0.03).clamp(0, 1)
            loss = ((torch.cat(model(rgb), 1) - y[chosen]).abs() * point_weight).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item()
        model.eval()
        with torch.no_grad():
            predicted = torch.cat(model(torch.from_numpy(tune["x"]).float() / 255), 1).numpy()
        model.train()
        error = np.abs(openness(predicted) - openness(tune["y"])).mean()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / steps_per_epoch:.3f}, tune openness error {error:.4f} ({time.time() - started:.0f} s)", flush=True)
        torch.save(model.state_dict(), out / "student.pt")


def export_command(args) -> None:
    import torch

    model = student_network(torch)
    model.load_state_dict(torch.load(Path(args.out) / "student.pt"))
    model.eval()
    torch.onnx.export(
        model, torch.rand(1, SIDE, SIDE, 3), args.onnx, input_names=["input_1"],
        output_names=["output_eyes_contours_and_brows", "output_iris"], opset_version=13,
    )
    print(f"wrote {args.onnx}")


def score_command(args) -> None:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    student = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    for split in ("train", "tune", "evaluation"):
        data = np.load(Path(args.out) / f"crops_{split}.npz", allow_pickle=True)
        x, y, where = data["x"], data["y"], data["where"]
        p = np.stack([np.concatenate([o[0] for o in student.run(None, {"input_1": c[None].astype(np.float32) / 255})]) for c in x])
        error = np.linalg.norm((p - y).reshape(-1, CONTOUR_POINTS + IRIS_POINTS, 3)[:, :, :2], axis=2)
        width = np.linalg.norm(y[:, 24:26] - y[:, 0:2], axis=1)
        signed = openness(p) - openness(y)
        open_error = np.abs(signed)
        people = np.array([w[0] for w in where])
        # Each person's mean signed difference: how much more (or less) open the student
        # reads that person's eyes than the teacher does.
        per_person = [signed[people == person].mean() for person in np.unique(people)]
        print(
            f"{split}: {len(x)} eyes of {len(per_person)} people; error over eye width: lids {np.mean(error[:, :16].mean(1) / width):.4f}, "
            f"iris centre {np.mean(error[:, CONTOUR_POINTS] / width):.4f}; openness error mean {open_error.mean():.4f}, "
            f"p95 {np.percentile(open_error, 95):.4f}; student minus teacher {signed.mean():+.4f}, "
            f"by person median {np.median(per_person):+.4f} ({min(per_person):+.4f} to {max(per_person):+.4f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    crops = commands.add_parser("crops", help="eye crops of every split, labelled by the teacher")
    crops.add_argument("faces")
    crops.add_argument("out")
    crops.add_argument("--lensmith", required=True)
    crops.add_argument("--teacher", required=True, help="MediaPipe's iris_landmark.onnx")
    crops.add_argument("--seed", type=int, default=0)
    crops.add_argument("--full-range-fallback", action="store_true",
                       help="track a still where the short-range detector finds no face with the full-range one")
    crops.add_argument("--glasses-share", type=float, default=0.0,
                       help="share of the varied training crops seen through drawn glasses (add_glasses)")
    crops.set_defaults(run=crops_command)
    train = commands.add_parser("train", help="train the student on the train people's crops")
    train.add_argument("out")
    train.add_argument("--epochs", type=int, default=30)
    train.add_argument("--learning-rate", type=float, default=2e-3)
    train.add_argument("--threads", type=int, default=2)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--balance-people", action="store_true",
                       help="draw every train person as often, however many crops they gave")
    train.set_defaults(run=train_command)
    export = commands.add_parser("export", help="the trained student as ONNX")
    export.add_argument("out")
    export.add_argument("onnx")
    export.set_defaults(run=export_command)
    score = commands.add_parser("score", help="student against teacher on every split")
    score.add_argument("out")
    score.add_argument("onnx")
    score.set_defaults(run=score_command)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
