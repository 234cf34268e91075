//! The bundle commands: `validate`, `pack`, `verify`, `inspect` and `keygen`. A bundle is
//! validated in full before it is packed, so a broken one cannot be shipped by accident,
//! files nothing uses are left out of the package unless asked for, and a packed one is
//! checked member by member (and signature) before anything trusts it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use effect_api::LayerKind;
use lensmith_runtime::bundle::archive::{self, ArchiveLimits, BundleFiles, Provenance};
use lensmith_runtime::bundle::usage::human_size;
use lensmith_runtime::bundle::{BundleReport, Checksums, PackOptions, signing, validate};
use lensmith_runtime::models::AssetCache;
use serde::Serialize;

/// Arguments of `lensmith validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// A bundle folder or a packed `.effect` file.
    path: PathBuf,
    /// Print the findings as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `lensmith pack`.
#[derive(Args)]
pub struct PackArgs {
    /// The bundle folder (with `effect.toml` at its root).
    dir: PathBuf,
    /// The `.effect` file to write.
    #[arg(short, long)]
    out: PathBuf,
    /// Sign it with this secret key (made by `lensmith keygen`).
    #[arg(long)]
    sign: Option<PathBuf>,
    /// Keep files that nothing uses (no layer, not the manifest, not a README, LICENSE,
    /// NOTICE or model card); by default they are left out and listed.
    #[arg(long)]
    include_unused: bool,
}

/// Arguments of `lensmith verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The `.effect` file.
    path: PathBuf,
    /// Require a signature by this public key; repeat it to accept a signature by any one
    /// of several (your studio's key and a partner's, say).
    #[arg(long)]
    key: Vec<PathBuf>,
}

/// Arguments of `lensmith inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The `.effect` file or bundle folder.
    path: PathBuf,
}

/// Arguments of `lensmith keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the secret key; the public key goes beside it with `.pub` added.
    #[arg(short, long, default_value = "lensmith.key")]
    out: PathBuf,
}

/// Reads a bundle folder or `.effect` file with default limits, verifying what it can.
pub(crate) fn read_bundle(path: &Path, limits: &ArchiveLimits) -> Result<BundleFiles> {
    let files = if path.is_dir() {
        archive::read_dir(path, limits)?
    } else {
        archive::read(path, limits)?
    };
    Ok(files)
}

/// The ONNX Runtime library models are checked with, when set-up has provided it.
fn onnx_runtime() -> Option<PathBuf> {
    AssetCache::locate()
        .and_then(|cache| cache.onnxruntime_library())
        .ok()
}

pub(crate) fn validate_files(path: &Path, files: &BundleFiles) -> BundleReport {
    let label = format!("{}/", path.display());
    validate(&files.files, &label, onnx_runtime().as_deref())
}

#[derive(Serialize)]
struct ValidationJson<'a> {
    path: String,
    valid: bool,
    diagnostics: &'a [effect_api::Diagnostic],
    warnings: &'a [effect_api::Diagnostic],
}

/// A warning as printed: `warning: FILE: MESSAGE` (with `:LINE:COLUMN` when it has a
/// place in the file) and its hint on the next line.
fn warning_text(warning: &effect_api::Diagnostic) -> String {
    let place = if warning.line == 0 {
        warning.file.clone()
    } else {
        format!("{}:{}:{}", warning.file, warning.line, warning.column)
    };
    let mut text = format!("warning: {place}: {}", warning.message);
    if let Some(hint) = &warning.hint {
        text.push_str(&format!("\n  hint: {hint}"));
    }
    text
}

/// `lensmith validate`: every problem, then a non-zero exit if there was one.
pub fn run_validate(args: &ValidateArgs) -> Result<()> {
    let files = match read_bundle(&args.path, &ArchiveLimits::default()) {
        Ok(files) => files,
        Err(error) if args.json => {
            // A bundle that cannot be read at all is still one problem, in the same JSON.
            let problem = effect_api::Diagnostic {
                file: args.path.display().to_string(),
                line: 0,
                column: 0,
                message: format!("{error:#}"),
                hint: None,
            };
            let json = ValidationJson {
                path: args.path.display().to_string(),
                valid: false,
                diagnostics: std::slice::from_ref(&problem),
                warnings: &[],
            };
            println!("{}", serde_json::to_string_pretty(&json)?);
            return Err(error);
        }
        Err(error) => return Err(error),
    };
    let report = validate_files(&args.path, &files);
    if args.json {
        let json = ValidationJson {
            path: args.path.display().to_string(),
            valid: report.is_valid(),
            diagnostics: &report.diagnostics,
            warnings: &report.warnings,
        };
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        for diagnostic in &report.diagnostics {
            println!("{diagnostic}");
        }
        for warning in &report.warnings {
            println!("{}", warning_text(warning));
        }
    }
    if !report.is_valid() {
        bail!(
            "{}: {} problem(s) found",
            args.path.display(),
            report.diagnostics.len()
        );
    }
    if !args.json {
        match report.warnings.len() {
            0 => println!("{}: valid", args.path.display()),
            count => println!("{}: valid, {count} warning(s)", args.path.display()),
        }
    }
    Ok(())
}

/// `lensmith pack`: validate, then pack (and sign).
pub fn run_pack(args: &PackArgs) -> Result<()> {
    let key = args
        .sign
        .as_deref()
        .map(signing::read_secret_key)
        .transpose()?;
    let files = archive::read_dir(&args.dir, &ArchiveLimits::default())?;
    let report = validate_files(&args.dir, &files);
    if !report.is_valid() {
        for diagnostic in &report.diagnostics {
            eprintln!("{diagnostic}");
        }
        bail!(
            "{}: not packed, {} problem(s) to fix first (listed above)",
            args.dir.display(),
            report.diagnostics.len()
        );
    }
    let options = PackOptions {
        include_unused: args.include_unused,
    };
    let summary = archive::pack_with(&args.dir, &args.out, key.as_ref(), &options)?;
    println!(
        "{}: {} file(s), {} bytes{}",
        summary.out.display(),
        summary.files.len(),
        summary.archive_bytes,
        summary
            .signer
            .map(|id| format!(", signed by key {id}"))
            .unwrap_or_else(|| ", unsigned".to_owned())
    );
    for skipped in &summary.skipped {
        println!("  skipped {skipped} (never content: system, editor or version-control files)");
    }
    if summary.tests_left_out {
        println!("  left out tests/ (the bundle's golden-frame tests, for `lensmith test`)");
    }
    for (path, bytes) in &summary.unused_left_out {
        println!(
            "  left out {path} ({}): not used by any layer; --include-unused keeps it",
            human_size(*bytes)
        );
    }
    if args.include_unused {
        let label = format!("{}/", args.dir.display());
        for warning in &report.warnings {
            let path = warning.file.strip_prefix(&label).unwrap_or(&warning.file);
            println!("  kept {path}, which no layer uses (--include-unused)");
        }
    }
    Ok(())
}

/// What vouches for a bundle, in words; `limits` are those it was read under.
fn describe_provenance(provenance: &Provenance, limits: &ArchiveLimits) -> String {
    match provenance {
        Provenance::Unverified => "unverified (a source folder without checksums)".to_owned(),
        Provenance::Unsigned => "checksums verified, unsigned".to_owned(),
        Provenance::Signed(signer) => format!(
            "checksums verified, signed by key {} ({})",
            signer.key_id,
            match (signer.trusted, limits.trusted_keys.len()) {
                (false, _) => "no trusted key given: pass --key to require it",
                (true, 1) => "the trusted key",
                (true, _) => "one of the trusted keys",
            }
        ),
    }
}

/// `lensmith verify`: checksums, signature and (with `--key`, once or more) the signer.
pub fn run_verify(args: &VerifyArgs) -> Result<()> {
    let keys = args
        .key
        .iter()
        .map(|path| signing::read_public_key(path))
        .collect::<Result<Vec<_>, _>>()?;
    let limits = ArchiveLimits::requiring_signature_by_any(keys);
    let files = archive::read(&args.path, &limits)?;
    println!(
        "{}: {} file(s), {}",
        args.path.display(),
        files.files.len(),
        describe_provenance(&files.provenance, &limits)
    );
    Ok(())
}

/// `lensmith inspect`: what is inside, without playing it.
pub fn run_inspect(args: &InspectArgs) -> Result<()> {
    let limits = ArchiveLimits::default();
    let files = read_bundle(&args.path, &limits)?;
    let report = validate_files(&args.path, &files);
    println!(
        "{}: {}",
        args.path.display(),
        describe_provenance(&files.provenance, &limits)
    );
    if let Some(manifest) = &report.manifest {
        let effect = &manifest.effect;
        println!(
            "  {} \"{}\" {} (runtime contract {}){}",
            effect.id,
            effect.name,
            effect.version,
            effect.api_version,
            if effect.author.is_empty() {
                String::new()
            } else {
                format!(" by {}", effect.author)
            }
        );
        for layer in &manifest.layers {
            let target = match &layer.kind {
                LayerKind::FaceModel(model) => model.model.as_str(),
                LayerKind::FaceMask(mask) => mask.texture.as_str(),
                LayerKind::Sticker(sticker) => sticker.image.as_str(),
                LayerKind::Lut(lut) => lut.file.as_str(),
                LayerKind::Plugin(plugin) => plugin.library.as_str(),
            };
            println!(
                "  layer {:<16} {:<10} {target}{}",
                layer.name,
                layer.kind.name(),
                layer
                    .trigger
                    .as_deref()
                    .map(|trigger| format!("  (while `{trigger}`)"))
                    .unwrap_or_default()
            );
        }
    }
    let checksums = Checksums::of(&files.files);
    for (path, digest) in checksums.files() {
        let size = files.files.get(path).map_or(0, Vec::len);
        println!(
            "  {:>10}  {}  {path}",
            size,
            lensmith_runtime::bundle::checksums::to_hex(digest)
        );
    }
    if !report.is_valid() {
        println!(
            "  {} problem(s): run `lensmith validate {}`",
            report.diagnostics.len(),
            args.path.display()
        );
    }
    Ok(())
}

/// `lensmith keygen`: a new signing key pair.
pub fn run_keygen(args: &KeygenArgs) -> Result<()> {
    let public = PathBuf::from(format!("{}.pub", args.out.display()));
    let key = signing::generate_key()?;
    signing::write_secret_key(&args.out, &key)
        .with_context(|| format!("writing {}", args.out.display()))?;
    signing::write_public_key(&public, &key.verifying_key())
        .with_context(|| format!("writing {}", public.display()))?;
    println!(
        "key {}: secret key in {} (keep it private), public key in {} (give it to apps that load your effects)",
        signing::key_id(&key.verifying_key()),
        args.out.display(),
        public.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use lensmith_runtime::bundle::archive;
    use lensmith_testkit::TempDir;

    use super::*;

    #[test]
    fn verify_accepts_any_of_several_keys_and_names_them_all_when_refusing() {
        let tmp = TempDir::new("cli-verify-keys");
        let bundle = tmp.join("hat");
        std::fs::create_dir(&bundle).unwrap();
        std::fs::write(bundle.join("effect.toml"), b"name = \"hat\"\n").unwrap();
        let keys = ["studio", "partner", "stranger"].map(|name| {
            let key = signing::generate_key().unwrap();
            signing::write_public_key(&tmp.join(&format!("{name}.pub")), &key.verifying_key())
                .unwrap();
            key
        });
        let [studio, partner] = ["studio", "partner"].map(|name| tmp.join(&format!("{name}.pub")));
        let verify = |signer: usize| {
            let path = tmp.join(&format!("signed-{signer}.effect"));
            archive::pack(&bundle, &path, Some(&keys[signer])).unwrap();
            run_verify(&VerifyArgs {
                path,
                key: vec![studio.clone(), partner.clone()],
            })
        };

        verify(1).expect("the partner's signature is trusted");
        let message = format!("{:#}", verify(2).unwrap_err());
        let ids = keys
            .each_ref()
            .map(|key| signing::key_id(&key.verifying_key()));
        assert!(
            message.contains(&format!(
                "signed by key {}, which is not one of the trusted keys {}, {}",
                ids[2], ids[0], ids[1]
            )),
            "{message}"
        );
    }
}
