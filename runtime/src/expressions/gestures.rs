//! Head gestures read from the pose over the last second: a nod (down and back up), a
//! shake (to both sides), and the head held turned to one side.

use std::collections::VecDeque;

/// How far back gestures look, in seconds.
const WINDOW_S: f64 = 1.2;
/// Samples kept at most (a second and a bit at 60 fps); older ones drop out first.
const CAPACITY: usize = 80;

/// Degrees of down-and-back pitch that make a full nod.
const FULL_NOD_DEG: f32 = 12.0;
/// Degrees of yaw to each side that make a full shake.
const FULL_SHAKE_DEG: f32 = 10.0;
/// Yaw below which the head does not count as turned, and the yaw of a full turn.
const TURN_START_DEG: f32 = 12.0;
const TURN_FULL_DEG: f32 = 30.0;

#[derive(Debug, Clone, Copy)]
struct PoseSample {
    time_s: f64,
    yaw: f32,
    pitch: f32,
}

/// The recent head poses of one face.
#[derive(Debug, Clone)]
pub struct GestureHistory {
    samples: VecDeque<PoseSample>,
}

impl Default for GestureHistory {
    fn default() -> Self {
        Self {
            samples: VecDeque::with_capacity(CAPACITY),
        }
    }
}

/// Gesture scores, each in 0..=1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GestureScores {
    /// Nodding.
    pub nod: f32,
    /// Shaking.
    pub shake: f32,
    /// Turned to the subject's left.
    pub turn_left: f32,
    /// Turned to the subject's right.
    pub turn_right: f32,
}

fn ramp(value: f32, start: f32, full: f32) -> f32 {
    ((value - start) / (full - start)).clamp(0.0, 1.0)
}

impl GestureHistory {
    /// Adds this frame's pose (degrees; yaw positive towards the subject's left, pitch
    /// positive looking down) and scores the gestures. A time that does not move forward
    /// restarts the history.
    pub fn update(&mut self, time_s: f64, yaw: f32, pitch: f32) -> GestureScores {
        if self
            .samples
            .back()
            .is_some_and(|last| last.time_s >= time_s)
        {
            self.samples.clear();
        }
        while self.samples.len() >= CAPACITY
            || self
                .samples
                .front()
                .is_some_and(|first| time_s - first.time_s > WINDOW_S)
        {
            self.samples.pop_front();
        }
        self.samples.push_back(PoseSample { time_s, yaw, pitch });
        let first = self.samples[0];
        let (mut pitch_peak, mut yaw_high, mut yaw_low) = (f32::MIN, f32::MIN, f32::MAX);
        for sample in &self.samples {
            pitch_peak = pitch_peak.max(sample.pitch);
            yaw_high = yaw_high.max(sample.yaw);
            yaw_low = yaw_low.min(sample.yaw);
        }
        // A nod went down from where the window began and has come back up since.
        let nod_depth = (pitch_peak - first.pitch).min(pitch_peak - pitch);
        // A shake went to both sides of where the head is now.
        let shake_reach = (yaw_high - yaw).min(yaw - yaw_low);
        GestureScores {
            nod: ramp(nod_depth, 0.0, FULL_NOD_DEG),
            shake: ramp(shake_reach, 0.0, FULL_SHAKE_DEG),
            turn_left: ramp(yaw, TURN_START_DEG, TURN_FULL_DEG),
            turn_right: ramp(-yaw, TURN_START_DEG, TURN_FULL_DEG),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(poses: impl Iterator<Item = (f32, f32)>) -> Vec<GestureScores> {
        let mut history = GestureHistory::default();
        poses
            .enumerate()
            .map(|(frame, (yaw, pitch))| history.update(frame as f64 / 30.0, yaw, pitch))
            .collect()
    }

    #[test]
    fn a_nod_scores_once_the_head_comes_back_up() {
        // Down by 15° over 10 frames and back up over 10.
        let pitch = (0..=20).map(|frame| 15.0 * (1.0 - (frame as f32 - 10.0).abs() / 10.0));
        let scores = play(pitch.map(|pitch| (0.0, pitch)));
        assert_eq!(scores[10].nod, 0.0, "at the bottom the nod is not done yet");
        assert!(scores[20].nod > 0.99, "{:?}", scores[20]);
        assert!(scores.iter().all(|score| score.shake == 0.0));
    }

    #[test]
    fn a_shake_needs_both_sides_and_a_turn_holds() {
        let shake =
            (0..=30).map(|frame| 15.0 * (frame as f32 / 30.0 * std::f32::consts::TAU).sin());
        let scores = play(shake.map(|yaw| (yaw, 0.0)));
        assert!(scores[30].shake > 0.99, "{:?}", scores[30]);

        let turn = play((0..30).map(|frame| ((frame as f32).min(10.0) * 3.5, 0.0)));
        let last = turn.last().unwrap();
        assert_eq!(
            (last.turn_left, last.turn_right, last.shake),
            (1.0, 0.0, 0.0)
        );
    }
}
