//! Temporal smoothing of landmarks with the One Euro filter (Casiez et al., CHI 2012): a
//! low-pass filter whose cutoff rises with speed, so a still face stops shimmering while
//! a moving one is followed without visible lag. Speed is measured in face sizes per
//! second, so one setting suits near and far faces alike.

/// What a designer may tune in smoothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SmoothingSettings {
    /// Cutoff frequency (Hz) when still; lower removes more jitter.
    pub min_cutoff_hz: f32,
    /// How fast the cutoff rises with speed (per face-size per second); higher lags less.
    pub speed_coefficient: f32,
    /// Cutoff (Hz) of the filter that estimates speed.
    pub derivative_cutoff_hz: f32,
}

impl Default for SmoothingSettings {
    fn default() -> Self {
        Self {
            min_cutoff_hz: 0.05,
            speed_coefficient: 80.0,
            derivative_cutoff_hz: 1.0,
        }
    }
}

fn smoothing_factor(cutoff_hz: f32, elapsed_s: f32) -> f32 {
    let time_constant = 1.0 / (2.0 * std::f32::consts::PI * cutoff_hz);
    1.0 / (1.0 + time_constant / elapsed_s)
}

/// One Euro filter state for one value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OneEuro {
    value: f32,
    speed: f32,
}

impl OneEuro {
    /// A filter resting at `value`.
    pub(crate) fn at(value: f32) -> Self {
        Self { value, speed: 0.0 }
    }

    /// The last filtered value.
    pub(crate) fn value(&self) -> f32 {
        self.value
    }

    /// Filters `raw` (pixels); `scale` (the face's size in pixels) turns speed into face
    /// sizes per second. Positions themselves are never divided by the scale: it changes
    /// from frame to frame, and would shake every point with it.
    pub(crate) fn update(
        &mut self,
        raw: f32,
        elapsed_s: f32,
        scale: f32,
        settings: &SmoothingSettings,
    ) -> f32 {
        let raw_speed = (raw - self.value) / elapsed_s / scale;
        self.speed +=
            smoothing_factor(settings.derivative_cutoff_hz, elapsed_s) * (raw_speed - self.speed);
        let cutoff = settings.min_cutoff_hz + settings.speed_coefficient * self.speed.abs();
        self.value += smoothing_factor(cutoff, elapsed_s) * (raw - self.value);
        self.value
    }
}

/// Smooths a stream of point sets (one face's landmarks) in place.
#[derive(Debug, Clone, Default)]
pub struct LandmarkSmoother {
    filters: Vec<[OneEuro; 3]>,
    last_time_s: Option<f64>,
}

impl LandmarkSmoother {
    /// Filters `points` (frame pixels) taken at `time_s`, with `scale` the face's size in
    /// pixels. The first call, a changed point count or a time that does not move forward
    /// restarts the filter from the raw points.
    pub fn smooth(
        &mut self,
        points: &mut [[f32; 3]],
        time_s: f64,
        scale: f32,
        settings: &SmoothingSettings,
    ) {
        let scale = scale.max(1.0);
        let elapsed = self.last_time_s.map(|last| (time_s - last) as f32);
        let restart = self.filters.len() != points.len() || !elapsed.is_some_and(|e| e > 0.0);
        self.last_time_s = Some(time_s);
        if restart {
            self.filters = points.iter().map(|point| point.map(OneEuro::at)).collect();
            return;
        }
        let elapsed = elapsed.unwrap_or(1.0 / 30.0);
        for (point, filters) in points.iter_mut().zip(&mut self.filters) {
            for (value, filter) in point.iter_mut().zip(filters.iter_mut()) {
                *value = filter.update(*value, elapsed, scale, settings);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_noise_is_damped_and_a_step_is_followed() {
        let settings = SmoothingSettings::default();
        let mut smoother = LandmarkSmoother::default();
        let mut spread = 0.0f32;
        for frame in 0..120 {
            let noise = if frame % 2 == 0 { 0.5 } else { -0.5 };
            let mut points = [[100.0 + noise, 50.0, 0.0]];
            smoother.smooth(&mut points, frame as f64 / 30.0, 100.0, &settings);
            if frame > 60 {
                spread = spread.max((points[0][0] - 100.0).abs());
            }
        }
        assert!(spread < 0.1, "±0.5 px noise left {spread} px");
        // A 20 px jump is mostly followed within a few frames.
        let mut points = [[120.0, 50.0, 0.0]];
        for frame in 120..124 {
            points = [[120.0, 50.0, 0.0]];
            smoother.smooth(&mut points, frame as f64 / 30.0, 100.0, &settings);
        }
        assert!(
            points[0][0] > 118.0,
            "after 4 frames the point is at {}",
            points[0][0]
        );
    }

    #[test]
    fn a_time_that_does_not_advance_restarts_the_filter() {
        let settings = SmoothingSettings::default();
        let mut smoother = LandmarkSmoother::default();
        let mut points = [[10.0, 10.0, 0.0]];
        smoother.smooth(&mut points, 1.0, 50.0, &settings);
        let mut jumped = [[30.0, 10.0, 0.0]];
        smoother.smooth(&mut jumped, 1.0, 50.0, &settings);
        assert_eq!(jumped[0][0], 30.0);
    }
}
