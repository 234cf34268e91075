//! A face-mask-sized mesh and a full-frame grade, timed (ignored: run in release).

use std::time::{Duration, Instant};

use super::*;
use crate::render::{LutDraw, LutId, LutRegion};

/// CPU time this thread has used, where Linux says (`/proc/thread-self/schedstat`): on a
/// busy machine it is steadier than the wall clock.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}

/// The fastest of `runs` renders by the wall clock, and their mean CPU time where known.
fn timed(
    runs: u32,
    renderer: &mut CpuRenderer,
    frame: &mut Frame,
    scene: &Scene,
) -> (Duration, Option<Duration>) {
    let cpu_start = thread_cpu_time();
    let fastest = (0..runs)
        .map(|_| {
            let start = Instant::now();
            renderer.render(frame, scene).unwrap();
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    let cpu = cpu_start
        .zip(thread_cpu_time())
        .map(|(start, end)| (end - start) / runs.max(1));
    (fastest, cpu)
}

#[test]
#[ignore = "a timing to read, not a check: run in release with --ignored --nocapture"]
fn time_a_face_mask() {
    // 21×21 cells: 882 triangles over 300×400 pixels.
    let runs: u32 = std::env::var("LENSMITH_TIMING_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(200);
    let (scene, mut frame, mut renderer) = face_mask_scene(300, 400, 21);
    let mesh = timed(runs, &mut renderer, &mut frame, &scene);
    let mut scene = Scene::default();
    scene.commands.push(DrawCommand::Lut(LutDraw {
        lut: LutId(0),
        region: LutRegion::Frame,
        strength: 0.8,
    }));
    renderer
        .load_assets(&SceneAssets {
            luts: vec![table(33, true)],
            ..SceneAssets::default()
        })
        .unwrap();
    let lut = timed(runs.div_ceil(10), &mut renderer, &mut frame, &scene);
    println!(
        "882-triangle mesh over 300×400 px: fastest {:?}, mean CPU {:?}",
        mesh.0, mesh.1
    );
    println!("1280×720 LUT: fastest {:?}, mean CPU {:?}", lut.0, lut.1);
}
