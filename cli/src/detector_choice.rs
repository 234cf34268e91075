//! `--full-range`: which of MediaPipe's face detectors finds the faces, for the commands
//! that track faces (`track`, `crops`, `render`).

use lensmith_runtime::detection::DetectorRange;

/// The detector flag, flattened into each command's arguments.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct DetectorChoice {
    /// Find faces with MediaPipe's full-range detector: faces down to about 5% of the
    /// frame's width (group photos, selfie sticks), at 2–3 times the detector's cost.
    #[arg(long)]
    full_range: bool,
}

impl DetectorChoice {
    /// The detector asked for.
    pub fn range(self) -> DetectorRange {
        match self.full_range {
            true => DetectorRange::Full,
            false => DetectorRange::Short,
        }
    }
}
