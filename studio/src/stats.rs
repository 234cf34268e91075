//! The performance figures of the last seconds of preview: frames per second and the p50
//! and p95 of every stage, from the per-frame times the preview worker reports.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One frame's times, stage by stage, in pipeline order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageTimes {
    /// Each stage's name (`detect`, `landmarks`, …, `layer paint`, `render`) and milliseconds.
    pub stages: Vec<(String, f64)>,
    /// The whole frame, in milliseconds.
    pub total_ms: f64,
    /// Faces tracked.
    pub faces: usize,
}

/// A stage's median and 95th percentile over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSummary {
    /// The stage.
    pub name: String,
    /// Median milliseconds.
    pub p50: f64,
    /// 95th-percentile milliseconds.
    pub p95: f64,
}

/// The frames shown over the `span` before the newest one (by their arrival on the UI), so
/// a paused preview or a still keeps showing its last figures.
#[derive(Debug, Clone)]
pub struct PerfWindow {
    span: Duration,
    frames: VecDeque<(Instant, StageTimes)>,
}

impl Default for PerfWindow {
    fn default() -> Self {
        Self::new(Duration::from_secs(2))
    }
}

impl PerfWindow {
    /// A window over the last `span`.
    pub fn new(span: Duration) -> Self {
        Self {
            span,
            frames: VecDeque::new(),
        }
    }

    /// How far back the window reaches.
    pub fn span(&self) -> Duration {
        self.span
    }

    /// Forgets every frame (a new bundle or source).
    pub fn clear(&mut self) {
        self.frames.clear();
    }

    /// Adds a frame that arrived at `now`, dropping those older than the window.
    pub fn push(&mut self, now: Instant, times: StageTimes) {
        self.frames.push_back((now, times));
        self.prune(now);
    }

    /// Drops the frames older than the window as seen at `now`.
    pub fn prune(&mut self, now: Instant) {
        while let Some((at, _)) = self.frames.front() {
            if now.saturating_duration_since(*at) > self.span {
                self.frames.pop_front();
            } else {
                break;
            }
        }
    }

    /// Frames in the window.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when no frame is in the window.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The newest frame's times.
    pub fn latest(&self) -> Option<&StageTimes> {
        self.frames.back().map(|(_, times)| times)
    }

    /// Frames shown per second as seen at `now`: the frames of the last `span` over the
    /// time since the first of them (0 once frames stop coming: a paused preview or a still).
    pub fn fps(&self, now: Instant) -> f64 {
        let mut recent = self
            .frames
            .iter()
            .filter(|(at, _)| now.saturating_duration_since(*at) <= self.span);
        let Some((first, _)) = recent.next() else {
            return 0.0;
        };
        let count = 1 + recent.count();
        let elapsed = now.saturating_duration_since(*first);
        if count < 2 || elapsed.is_zero() {
            return 0.0;
        }
        (count - 1) as f64 / elapsed.as_secs_f64()
    }

    /// Each stage's p50 and p95 over the window, the stages of the newest frame in order
    /// and `total` last.
    pub fn summary(&self) -> Vec<StageSummary> {
        let Some(latest) = self.latest() else {
            return Vec::new();
        };
        let names = latest
            .stages
            .iter()
            .map(|(name, _)| name.as_str())
            .chain(std::iter::once("total"));
        names
            .map(|name| {
                let mut values: Vec<f64> = self
                    .frames
                    .iter()
                    .filter_map(|(_, times)| {
                        if name == "total" {
                            Some(times.total_ms)
                        } else {
                            times
                                .stages
                                .iter()
                                .find(|(stage, _)| stage == name)
                                .map(|(_, ms)| *ms)
                        }
                    })
                    .collect();
                values.sort_by(f64::total_cmp);
                StageSummary {
                    name: name.to_owned(),
                    p50: percentile(&values, 0.50),
                    p95: percentile(&values, 0.95),
                }
            })
            .collect()
    }

    /// The frames' total times with their age in seconds at `now` (oldest first), for
    /// the chart.
    pub fn totals(&self, now: Instant) -> Vec<(f32, f32)> {
        self.frames
            .iter()
            .map(|(at, times)| {
                (
                    now.saturating_duration_since(*at).as_secs_f32(),
                    times.total_ms as f32,
                )
            })
            .collect()
    }
}

/// The nearest-rank percentile `q` (0..=1) of sorted `values`; 0 for none.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(detect: f64, total: f64) -> StageTimes {
        StageTimes {
            stages: vec![("detect".into(), detect), ("render".into(), 1.0)],
            total_ms: total,
            faces: 1,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), 50.0);
        assert_eq!(percentile(&values, 0.95), 95.0);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn window_keeps_two_seconds_and_summarises_each_stage() {
        let start = Instant::now();
        let mut window = PerfWindow::default();
        // 30 fps for 3 s: only the last 2 s stay.
        for index in 0..90u32 {
            let at = start + Duration::from_micros(u64::from(index) * 33_333);
            window.push(
                at,
                times(f64::from(index % 10), 10.0 + f64::from(index % 10)),
            );
        }
        let now = start + Duration::from_micros(89 * 33_333);
        // Frames 29..=89: 0 to 8 six times each, 9 seven times.
        assert_eq!(window.len(), 61);
        let fps = window.fps(now);
        assert!((fps - 30.0).abs() < 1.0, "{fps}");
        let summary = window.summary();
        let names: Vec<_> = summary.iter().map(|stage| stage.name.as_str()).collect();
        assert_eq!(names, ["detect", "render", "total"]);
        assert_eq!(summary[0].p50, 5.0);
        assert_eq!(summary[0].p95, 9.0);
        assert_eq!(summary[2].p95, 19.0);
        let totals = window.totals(now);
        assert_eq!(totals.len(), window.len());
        assert!(totals[0].0 > totals[totals.len() - 1].0);
        // Frames stop coming: the figures stay, the rate falls to nothing.
        let later = now + Duration::from_secs(5);
        assert_eq!(window.fps(later), 0.0);
        assert_eq!(window.summary(), summary);
        window.prune(later);
        assert!(window.is_empty());
    }
}
