//! The statistics of a `lensmith render` run: frames, faces per frame, frames per second
//! (of the effect alone and overall), each stage's p50 and p95, and the peak memory; as
//! text for `--report` and as JSON for `--json-report`.

use std::fmt::Write as _;

use lensmith_runtime::player::FrameStats;
use serde::Serialize;

use crate::bench::Summary;

/// What the run was, beside the figures collected per frame.
pub struct RunInfo {
    pub bundle: String,
    pub effect: String,
    pub input: String,
    pub output: String,
    pub renderer: String,
    pub width: u32,
    pub height: u32,
    /// What happened to the audio, when there was any.
    pub audio: Option<String>,
    /// Seconds spent opening the renderer and the bundle (models included).
    pub load_s: f64,
    /// Seconds from the first frame's decoding to the output's completion.
    pub overall_s: f64,
}

/// Collects each frame's figures.
pub struct Recorder {
    layer_names: Vec<String>,
    faces: Vec<usize>,
    detect: Vec<f64>,
    landmarks: Vec<f64>,
    smoothing: Vec<f64>,
    crop: Vec<f64>,
    pose: Vec<f64>,
    eyes: Vec<f64>,
    expressions: Vec<f64>,
    layers: Vec<Vec<f64>>,
    render: Vec<f64>,
    total: Vec<f64>,
    /// The wall time around each `process` call.
    process: Vec<f64>,
    decode: Vec<f64>,
    encode: Vec<f64>,
    finish_ms: f64,
}

impl Recorder {
    /// A recorder for a player whose layers are `layer_names`, in order.
    pub fn new(layer_names: Vec<String>) -> Self {
        Self {
            layers: vec![Vec::new(); layer_names.len()],
            layer_names,
            faces: Vec::new(),
            detect: Vec::new(),
            landmarks: Vec::new(),
            smoothing: Vec::new(),
            crop: Vec::new(),
            pose: Vec::new(),
            eyes: Vec::new(),
            expressions: Vec::new(),
            render: Vec::new(),
            total: Vec::new(),
            process: Vec::new(),
            decode: Vec::new(),
            encode: Vec::new(),
            finish_ms: 0.0,
        }
    }

    /// One frame: the player's figures, the wall time of its `process` call and of
    /// decoding the frame.
    pub fn record(&mut self, stats: &FrameStats, process_ms: f64, decode_ms: f64) {
        let tracking = &stats.pipeline.tracking;
        self.faces.push(stats.faces);
        self.detect.push(tracking.detect_ms);
        self.landmarks.push(tracking.landmarks_ms);
        self.smoothing.push(tracking.smoothing_ms);
        self.crop.push(stats.pipeline.crop_ms);
        self.pose.push(stats.pipeline.pose_ms);
        self.eyes.push(stats.pipeline.eyes_ms);
        self.expressions.push(stats.pipeline.expressions_ms);
        for (times, &ms) in self.layers.iter_mut().zip(&stats.layers_ms) {
            times.push(ms);
        }
        self.render.push(stats.render_ms);
        self.total.push(stats.total_ms);
        self.process.push(process_ms);
        self.decode.push(decode_ms);
    }

    /// The time the last frame took to be written.
    pub fn record_encode(&mut self, ms: f64) {
        self.encode.push(ms);
    }

    /// The time finishing the output took (flushing the encoder, renaming into place).
    pub fn record_finish(&mut self, ms: f64) {
        self.finish_ms = ms;
    }

    /// The report.
    pub fn finish(self, info: RunInfo) -> Report {
        let frames = self.faces.len();
        let processing_s = self.process.iter().sum::<f64>() / 1e3;
        let per_second = |seconds: f64| (seconds > 0.0).then(|| frames as f64 / seconds);
        let total_faces: usize = self.faces.iter().sum();
        let mut stages = vec![
            Stage::of("detect", None, &self.detect),
            Stage::of("landmarks", None, &self.landmarks),
            Stage::of("smoothing", None, &self.smoothing),
            Stage::of("crop", None, &self.crop),
            Stage::of("pose", None, &self.pose),
            Stage::of("eyes", None, &self.eyes),
            Stage::of("expressions+triggers", None, &self.expressions),
        ];
        for (name, times) in self.layer_names.iter().zip(&self.layers) {
            stages.push(Stage::of("layer", Some(name), times));
        }
        stages.push(Stage::of("render", None, &self.render));
        stages.push(Stage::of("total", None, &self.total));
        Report {
            bundle: info.bundle,
            effect: info.effect,
            input: info.input,
            output: info.output,
            renderer: info.renderer,
            width: info.width,
            height: info.height,
            frames,
            faces: Faces {
                total: total_faces,
                per_frame: if frames == 0 {
                    0.0
                } else {
                    total_faces as f64 / frames as f64
                },
                min: self.faces.iter().copied().min().unwrap_or(0),
                max: self.faces.iter().copied().max().unwrap_or(0),
                frames_without: self.faces.iter().filter(|&&faces| faces == 0).count(),
            },
            detector_frames: self.detect.iter().filter(|&&ms| ms > 0.0).count(),
            fps: Fps {
                processing: per_second(processing_s),
                overall: per_second(info.overall_s),
            },
            seconds: Seconds {
                load: info.load_s,
                processing: processing_s,
                overall: info.overall_s,
            },
            stages_ms: stages,
            io_ms: Io {
                decode: Percentiles::of(&self.decode),
                encode: Percentiles::of(&self.encode),
                finish: self.finish_ms,
            },
            peak_memory_bytes: peak_memory_bytes(),
            audio: info.audio,
        }
    }
}

/// The 50th and 95th percentiles and the mean of a set of times, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub mean: f64,
}

impl Percentiles {
    /// Percentiles by linear interpolation between order statistics (numpy's default, as
    /// `lensmith bench` computes them); zeros for no values.
    fn of(times: &[f64]) -> Self {
        let summary = Summary::of(times);
        Self {
            p50: summary.median_ms,
            p95: summary.p95_ms,
            mean: summary.mean_ms,
        }
    }
}

/// One stage's times per frame.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// `detect`, `landmarks`, `smoothing`, `crop`, `pose`, `expressions+triggers`,
    /// `layer` (one per layer), `render` or `total`.
    pub stage: &'static str,
    /// The layer's name, for `layer` stages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(flatten)]
    pub ms: Percentiles,
}

impl Stage {
    fn of(stage: &'static str, layer: Option<&String>, times: &[f64]) -> Self {
        Self {
            stage,
            layer: layer.cloned(),
            ms: Percentiles::of(times),
        }
    }

    /// The name shown in the text report.
    fn label(&self) -> String {
        match &self.layer {
            Some(layer) => format!("layer `{layer}`"),
            None => self.stage.to_owned(),
        }
    }
}

/// Faces tracked per frame.
#[derive(Debug, Clone, Serialize)]
pub struct Faces {
    /// Over all frames.
    pub total: usize,
    /// Mean per frame.
    pub per_frame: f64,
    pub min: usize,
    pub max: usize,
    /// Frames where no face was found.
    pub frames_without: usize,
}

/// Frames per second; `None` (null) when no time was measured.
#[derive(Debug, Clone, Serialize)]
pub struct Fps {
    /// Frames over the time spent playing the effect (`EffectPlayer::process`), without
    /// decoding and encoding.
    pub processing: Option<f64>,
    /// Frames over the whole run's wall time from the first frame's decoding to the
    /// output's completion (loading excluded).
    pub overall: Option<f64>,
}

/// Wall times of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Seconds {
    /// Opening the renderer and the bundle, models included.
    pub load: f64,
    /// Playing the effect, summed over frames.
    pub processing: f64,
    /// From the first frame's decoding to the output's completion.
    pub overall: f64,
}

/// Decoding and encoding, outside the effect's time.
#[derive(Debug, Clone, Serialize)]
pub struct Io {
    pub decode: Percentiles,
    pub encode: Percentiles,
    /// Finishing the output once (the encoder's flush, the rename), in milliseconds.
    pub finish: f64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub bundle: String,
    /// The effect's id.
    pub effect: String,
    pub input: String,
    pub output: String,
    pub renderer: String,
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    pub faces: Faces,
    /// Frames on which the face detector ran (it runs when tracking is lost).
    pub detector_frames: usize,
    pub fps: Fps,
    pub seconds: Seconds,
    /// Per stage, in pipeline order; `total` is the player's whole frame.
    pub stages_ms: Vec<Stage>,
    pub io_ms: Io,
    /// The process's peak resident memory (VmHWM); null where it cannot be measured.
    pub peak_memory_bytes: Option<u64>,
    /// What happened to the input's audio; absent when there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<String>,
}

impl Report {
    /// The text `--report` prints.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let fps = |value: Option<f64>| match value {
            Some(value) => format!("{value:.1}"),
            None => "unknown".to_owned(),
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "report: {} frame(s) of {}x{}, effect {}, renderer {}",
            self.frames, self.width, self.height, self.effect, self.renderer
        );
        let _ = writeln!(
            text,
            "  faces per frame  {:.2} (min {}, max {}; {} frame(s) without a face)",
            self.faces.per_frame, self.faces.min, self.faces.max, self.faces.frames_without
        );
        let _ = writeln!(
            text,
            "  fps              {} processing (the effect alone), {} overall (with decoding \
             and encoding)",
            fps(self.fps.processing),
            fps(self.fps.overall)
        );
        let _ = writeln!(
            text,
            "  seconds          {:.2} loading, {:.2} processing, {:.2} overall",
            self.seconds.load, self.seconds.processing, self.seconds.overall
        );
        let _ = writeln!(
            text,
            "  {:<28} {:>9} {:>9} {:>9}",
            "stage (ms per frame)", "p50", "p95", "mean"
        );
        for stage in &self.stages_ms {
            let note = if stage.stage == "detect" {
                format!("   (ran on {} frame(s))", self.detector_frames)
            } else {
                String::new()
            };
            let _ = writeln!(
                text,
                "  {:<28} {:>9.3} {:>9.3} {:>9.3}{note}",
                stage.label(),
                stage.ms.p50,
                stage.ms.p95,
                stage.ms.mean
            );
        }
        for (label, ms) in [("decode", self.io_ms.decode), ("encode", self.io_ms.encode)] {
            let _ = writeln!(
                text,
                "  {:<28} {:>9.3} {:>9.3} {:>9.3}   (outside processing)",
                label, ms.p50, ms.p95, ms.mean
            );
        }
        let memory = match self.peak_memory_bytes {
            Some(bytes) => format!("{:.1} MiB (VmHWM)", bytes as f64 / (1024.0 * 1024.0)),
            None => "unknown (measured on Linux only)".to_owned(),
        };
        let _ = writeln!(text, "  peak memory      {memory}");
        text
    }
}

/// The process's peak resident set size, from `VmHWM` in `/proc/self/status`.
#[cfg(target_os = "linux")]
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// Elsewhere there is no equally cheap and exact source; the report says "unknown".
#[cfg(not(target_os = "linux"))]
fn peak_memory_bytes() -> Option<u64> {
    None
}

/// `VmHWM:   12345 kB` in a `/proc/<pid>/status` text, in bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?;
    let kilobytes: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let ms = Percentiles::of(&[4.0, 1.0, 3.0, 2.0]);
        assert!((ms.p50 - 2.5).abs() < 1e-12);
        assert!((ms.p95 - 3.85).abs() < 1e-12);
        assert!((ms.mean - 2.5).abs() < 1e-12);
        assert_eq!(Percentiles::of(&[]), Percentiles::default());
    }

    #[test]
    fn peak_memory_is_read_from_vm_hwm() {
        let status = "Name:\tlensmith\nVmPeak:\t  900 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2048 * 1024));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
    }

    #[test]
    fn the_text_lists_every_stage_and_layer_with_p50_and_p95() {
        let mut recorder = Recorder::new(vec!["paint".to_owned()]);
        let stats = FrameStats {
            faces: 1,
            layers_ms: vec![2.0],
            render_ms: 3.0,
            total_ms: 10.0,
            ..FrameStats::default()
        };
        for _ in 0..3 {
            recorder.record(&stats, 10.0, 1.0);
            recorder.record_encode(1.0);
        }
        let report = recorder.finish(RunInfo {
            bundle: "b/".to_owned(),
            effect: "com.example.paint".to_owned(),
            input: "in.y4m".to_owned(),
            output: "out.y4m".to_owned(),
            renderer: "cpu".to_owned(),
            width: 4,
            height: 2,
            audio: None,
            load_s: 0.5,
            overall_s: 0.06,
        });
        assert_eq!(report.frames, 3);
        assert!((report.fps.processing.unwrap() - 100.0).abs() < 1e-9);
        assert!((report.fps.overall.unwrap() - 50.0).abs() < 1e-9);
        let text = report.text();
        for stage in [
            "detect",
            "landmarks",
            "smoothing",
            "crop",
            "pose",
            "eyes",
            "expressions+triggers",
            "layer `paint`",
            "render",
            "total",
            "p50",
            "p95",
            "peak memory",
        ] {
            assert!(text.contains(stage), "{stage} missing from:\n{text}");
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["stages_ms"][7]["layer"], "paint");
        assert_eq!(json["stages_ms"][7]["p50"], 2.0);
    }
}
