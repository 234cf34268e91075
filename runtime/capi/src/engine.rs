//! The state behind a `LensmithRuntime` handle: its settings, the playing effect, the
//! upright frame reused from call to call and the last frame's results. Calls reach it
//! through a lock that is tried, never waited on, so two threads using one runtime at
//! once get `LENSMITH_ERROR_BUSY` instead of a race.

use std::sync::{Mutex, TryLockError};

use effect_api::{Frame, TriggerRule};
use lensmith_runtime::bundle::BundleError;
use lensmith_runtime::bundle::archive::BundleFiles;
use lensmith_runtime::helper_thread::HelperThread;
use lensmith_runtime::host_image::{read_upright_on, write_upright_on};
use lensmith_runtime::models::ModelError;
use lensmith_runtime::player::{EffectPlayer, FrameStats, PlayerError};
use lensmith_runtime::render::cpu::CpuRenderer;

use crate::config::RuntimeSettings;
use crate::image::LensmithImage;
use crate::results::FrameResults;
use crate::status::{Failure, LensmithStatus};

/// A runtime: created by `lensmith_runtime_create`, used by one thread at a time.
pub struct LensmithRuntime {
    engine: Mutex<Engine>,
}

impl LensmithRuntime {
    pub(crate) fn new(settings: RuntimeSettings) -> Self {
        Self {
            engine: Mutex::new(Engine {
                settings,
                effect: None,
                converter: HelperThread::for_this_machine("lensmith-convert"),
            }),
        }
    }

    /// Runs `body` on the engine, refusing a second thread and an engine a panic left
    /// half-changed.
    pub(crate) fn with<T>(
        &self,
        body: impl FnOnce(&mut Engine) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        match self.engine.try_lock() {
            Ok(mut engine) => body(&mut engine),
            Err(TryLockError::WouldBlock) => Err(Failure::new(
                LensmithStatus::LENSMITH_ERROR_BUSY,
                "another thread is inside a call on this runtime; use each runtime from one \
                 thread at a time (or one runtime per thread)",
            )),
            Err(TryLockError::Poisoned(_)) => Err(Failure::new(
                LensmithStatus::LENSMITH_ERROR_INTERNAL,
                "this runtime stopped at an internal error earlier; destroy it and create \
                 another",
            )),
        }
    }
}

/// What a runtime holds.
pub(crate) struct Engine {
    settings: RuntimeSettings,
    effect: Option<Effect>,
    /// Converts half of each camera buffer's rows, in and out (none on a one-core machine).
    converter: Option<HelperThread>,
}

/// A loaded bundle, playing.
struct Effect {
    player: EffectPlayer,
    rules: Vec<TriggerRule>,
    upright: Frame,
    results: FrameResults,
    last_time_s: Option<f64>,
}

impl Engine {
    /// Plays `files` from now on; on failure the effect loaded before keeps playing.
    pub fn load(
        &mut self,
        files: Result<BundleFiles, BundleError>,
        label: &str,
    ) -> Result<(), Failure> {
        let files = files.map_err(|error| bundle_failure(&error))?;
        let mut player = EffectPlayer::from_files(
            &files,
            label,
            &self.settings.cache,
            &self.settings.options,
            Box::new(CpuRenderer::new()),
        )
        .map_err(|error| player_failure(&error))?;
        player.keep_snapshots(true);
        let rules = player.manifest().triggers.clone();
        let results = FrameResults::for_rules(&rules);
        self.effect = Some(Effect {
            player,
            rules,
            // Replaced by the first frame's size.
            upright: Frame::filled(1, 1, [0, 0, 0]).expect("a 1x1 frame is valid"),
            results,
            last_time_s: None,
        });
        Ok(())
    }

    /// The archive limits bundles are read with.
    pub fn limits(&self) -> &lensmith_runtime::bundle::archive::ArchiveLimits {
        &self.settings.options.limits
    }

    fn effect(&mut self) -> Result<&mut Effect, Failure> {
        self.effect.as_mut().ok_or_else(no_effect)
    }

    /// Plays the effect on `input` taken at `time_s` and writes the result into `output`
    /// (`input` itself when `None`).
    ///
    /// # Safety
    /// The images' planes are valid as `LensmithImage` documents; `output`'s, when given,
    /// may be the same memory as `input`'s, which is read in full before it is written.
    pub unsafe fn process(
        &mut self,
        input: &LensmithImage,
        output: Option<&LensmithImage>,
        time_s: f64,
    ) -> Result<(), Failure> {
        // Two fields borrowed apart: the effect, and the thread converting half of the rows.
        let mut converter = self.converter.as_mut();
        let effect = self.effect.as_mut().ok_or_else(no_effect)?;
        if !time_s.is_finite() {
            return Err(Failure::invalid(format!(
                "timestamp_s is {time_s}, not a number of seconds"
            )));
        }
        if let Some(last) = effect.last_time_s
            && time_s <= last
        {
            return Err(Failure::invalid(format!(
                "timestamp_s {time_s} is not after the previous frame's {last}: timestamps \
                 must increase (call lensmith_reset when the stream starts over)"
            )));
        }
        // The input is read in full, and its borrow ends, before the output is touched.
        {
            // SAFETY: the caller's promise about the input's planes.
            let view = unsafe { input.read_view("input") }?;
            read_upright_on(&view, &mut effect.upright, converter.as_deref_mut());
        }
        let target = output.unwrap_or(input);
        // Checked before playing, so a bad output buffer costs no frame of the stream.
        // SAFETY: the caller's promise about the output's planes.
        let mut out =
            unsafe { target.write_view(if output.is_some() { "output" } else { "input" }) }?;
        if out.layout().upright_size() != (effect.upright.width(), effect.upright.height()) {
            let (width, height) = out.layout().upright_size();
            return Err(Failure::invalid(format!(
                "output is {width}x{height} upright, but the input is {}x{} upright; give an \
                 output of the same upright size",
                effect.upright.width(),
                effect.upright.height()
            )));
        }
        effect
            .player
            .process(&mut effect.upright, time_s)
            .map_err(|error| player_failure(&error))?;
        effect.last_time_s = Some(time_s);
        if let Some(snapshot) = effect.player.snapshot() {
            effect.results.capture(snapshot, &effect.rules);
        }
        write_upright_on(effect.upright.view(), &mut out, converter)
            .map_err(|error| Failure::invalid(format!("output: {error}")))
    }

    /// Forgets every face and the last timestamp.
    pub fn reset(&mut self) -> Result<(), Failure> {
        let effect = self.effect()?;
        effect.player.reset();
        effect.last_time_s = None;
        Ok(())
    }

    /// The player, for parameters.
    pub fn player(&mut self) -> Result<&mut EffectPlayer, Failure> {
        Ok(&mut self.effect()?.player)
    }

    /// The last frame's results (empty before the first frame).
    pub fn results(&mut self) -> Result<&FrameResults, Failure> {
        Ok(&self.effect()?.results)
    }

    /// The last frame's figures.
    pub fn stats(&mut self) -> Result<FrameStats, Failure> {
        Ok(self.effect()?.player.last_stats().clone())
    }
}

/// The failure of a call that needs a loaded bundle, before one is loaded.
fn no_effect() -> Failure {
    Failure::new(
        LensmithStatus::LENSMITH_ERROR_NO_EFFECT,
        "no bundle is loaded; call lensmith_load_bundle_file or lensmith_load_bundle_memory \
         first",
    )
}

/// The status and message of a bundle that cannot be read.
pub(crate) fn bundle_failure(error: &BundleError) -> Failure {
    let status = match error {
        BundleError::Io { .. } => LensmithStatus::LENSMITH_ERROR_NOT_FOUND,
        BundleError::SignatureMalformed { .. }
        | BundleError::SignatureInvalid { .. }
        | BundleError::UntrustedSigner { .. }
        | BundleError::Unsigned { .. } => LensmithStatus::LENSMITH_ERROR_SIGNATURE,
        _ => LensmithStatus::LENSMITH_ERROR_BUNDLE,
    };
    Failure::new(status, error.to_string())
}

/// The status and message of a player that failed to open or to play a frame.
pub(crate) fn player_failure(error: &PlayerError) -> Failure {
    let status = match error {
        PlayerError::Bundle(bundle) => return bundle_failure(bundle),
        PlayerError::Invalid { .. }
        | PlayerError::Asset { .. }
        | PlayerError::Unsupported { .. } => LensmithStatus::LENSMITH_ERROR_BUNDLE,
        PlayerError::Model(ModelError::Missing { .. } | ModelError::NotAFile { .. }) => {
            LensmithStatus::LENSMITH_ERROR_NOT_FOUND
        }
        PlayerError::Model(_) => LensmithStatus::LENSMITH_ERROR_MODEL,
        PlayerError::Plugin(_) => LensmithStatus::LENSMITH_ERROR_PLUGIN,
        PlayerError::Parameter(_) => LensmithStatus::LENSMITH_ERROR_INVALID_ARGUMENT,
        PlayerError::Pipeline(_) | PlayerError::EffectModel { .. } | PlayerError::Render(_) => {
            LensmithStatus::LENSMITH_ERROR_PROCESSING
        }
    };
    Failure::new(status, error.to_string())
}

#[cfg(test)]
mod tests;
