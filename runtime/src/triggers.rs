//! The trigger state machine: turns each face's expression scores, frame after frame, into
//! the `started` / `active` / `ended` events of the rules an effect declares
//! ([`effect_api::TriggerRules`]). Every face runs every rule independently.
//!
//! Per rule and face, a *condition* is debounced from the score: it starts once the score
//! has stayed at `on` or above for `hold_ms`, and ends when the score falls below `off`.
//! The mode then turns the condition into events, with `cooldown_ms` of rest after each
//! end (or, for `once`, after each firing). `face_found` and `face_lost` rules fire a
//! single `started` on the frame a face appears or on the first frame without it.

use effect_api::{
    ExpressionScores, TriggerEvent, TriggerMode, TriggerPhase, TriggerRule, TriggerSignal,
};

/// One rule's state for one face.
#[derive(Debug, Clone, Copy, Default)]
struct RuleState {
    /// The debounced condition.
    condition: bool,
    /// Since when the score has been at `on` or above while the condition was off.
    pending_since: Option<f64>,
    /// Whether the trigger is on (`while_active`, `toggle`).
    output: bool,
    /// No new start before this time.
    rest_until: f64,
}

#[derive(Debug, Clone)]
struct FaceState {
    face_id: u32,
    rules: Vec<RuleState>,
    seen_this_frame: bool,
}

/// Runs trigger rules over the faces of successive frames.
#[derive(Debug, Clone)]
pub struct TriggerEngine {
    rules: Vec<TriggerRule>,
    faces: Vec<FaceState>,
    events: Vec<TriggerEvent>,
}

/// One face's input for one frame: its id and its scores.
#[derive(Debug, Clone, Copy)]
pub struct FaceSignals<'a> {
    /// The tracked face's id.
    pub face_id: u32,
    /// Its expression scores this frame.
    pub scores: &'a ExpressionScores,
}

impl<'a> From<&'a crate::expressions::FaceExpressions> for FaceSignals<'a> {
    fn from(face: &'a crate::expressions::FaceExpressions) -> Self {
        Self {
            face_id: face.face_id,
            scores: &face.scores,
        }
    }
}

impl TriggerEngine {
    /// An engine for `rules` (checked with [`effect_api::TriggerRules::check`] by whoever
    /// loaded them); events refer to rules by their position here.
    pub fn new(rules: Vec<TriggerRule>) -> Self {
        Self {
            rules,
            faces: Vec::new(),
            events: Vec::new(),
        }
    }

    /// The rules, in the order events refer to them.
    pub fn rules(&self) -> &[TriggerRule] {
        &self.rules
    }

    /// The events of the last [`Self::update`].
    pub fn events(&self) -> &[TriggerEvent] {
        &self.events
    }

    /// Forgets every face (for a cut in the video); no events are sent for them.
    pub fn reset(&mut self) {
        self.faces.clear();
        self.events.clear();
    }

    /// Advances every rule for every face to `time_s` and returns this frame's events,
    /// face by face in the order given (faces that disappeared come last), each face's
    /// events in rule order.
    pub fn update<'s>(
        &mut self,
        faces: impl IntoIterator<Item = FaceSignals<'s>>,
        time_s: f64,
    ) -> &[TriggerEvent] {
        self.events.clear();
        for face in &mut self.faces {
            face.seen_this_frame = false;
        }
        for signals in faces {
            let index = match self
                .faces
                .iter()
                .position(|face| face.face_id == signals.face_id)
            {
                Some(index) => index,
                None => {
                    self.faces.push(FaceState {
                        face_id: signals.face_id,
                        rules: vec![RuleState::default(); self.rules.len()],
                        seen_this_frame: false,
                    });
                    self.fire_face_event(self.faces.len() - 1, TriggerSignal::FaceFound, time_s);
                    self.faces.len() - 1
                }
            };
            let face = &mut self.faces[index];
            face.seen_this_frame = true;
            for (rule_index, (rule, state)) in self.rules.iter().zip(&mut face.rules).enumerate() {
                let TriggerSignal::Expression(expression) = rule.when else {
                    continue;
                };
                let phase = state.advance(rule, signals.scores.get(expression), time_s);
                if let Some(phase) = phase {
                    self.events.push(TriggerEvent {
                        rule: rule_index as u32,
                        face_id: signals.face_id,
                        phase,
                        time_s,
                    });
                }
            }
        }
        // Faces gone this frame: end what was on, fire `face_lost`, forget them.
        let mut index = 0;
        while index < self.faces.len() {
            if self.faces[index].seen_this_frame {
                index += 1;
                continue;
            }
            let face = &self.faces[index];
            for (rule_index, state) in face.rules.iter().enumerate() {
                if state.output {
                    self.events.push(TriggerEvent {
                        rule: rule_index as u32,
                        face_id: face.face_id,
                        phase: TriggerPhase::Ended,
                        time_s,
                    });
                }
            }
            self.fire_face_event(index, TriggerSignal::FaceLost, time_s);
            self.faces.remove(index);
        }
        &self.events
    }

    /// Fires the rules listening to a face appearing or disappearing, respecting each
    /// rule's rest time.
    fn fire_face_event(&mut self, face_index: usize, signal: TriggerSignal, time_s: f64) {
        let face = &mut self.faces[face_index];
        for (rule_index, (rule, state)) in self.rules.iter().zip(&mut face.rules).enumerate() {
            if rule.when != signal || time_s < state.rest_until {
                continue;
            }
            state.rest_until = time_s + f64::from(rule.cooldown_ms) / 1e3;
            self.events.push(TriggerEvent {
                rule: rule_index as u32,
                face_id: face.face_id,
                phase: TriggerPhase::Started,
                time_s,
            });
        }
    }
}

impl RuleState {
    /// Feeds one score; returns the event this frame brings, if any.
    fn advance(&mut self, rule: &TriggerRule, score: f32, time_s: f64) -> Option<TriggerPhase> {
        let was = self.condition;
        if self.condition {
            if score < rule.off {
                self.condition = false;
            }
        } else if score >= rule.on {
            let since = *self.pending_since.get_or_insert(time_s);
            if time_s - since >= f64::from(rule.hold_ms) / 1e3 {
                self.condition = true;
                self.pending_since = None;
            }
        } else {
            self.pending_since = None;
        }
        let rose = self.condition && !was;
        let resting = time_s < self.rest_until;
        let cooldown = f64::from(rule.cooldown_ms) / 1e3;
        match rule.mode {
            TriggerMode::WhileActive => match (self.output, self.condition) {
                // A condition held through the rest time starts once the rest is over.
                (false, true) if !resting => {
                    self.output = true;
                    Some(TriggerPhase::Started)
                }
                (true, true) => Some(TriggerPhase::Active),
                (true, false) => {
                    self.output = false;
                    self.rest_until = time_s + cooldown;
                    Some(TriggerPhase::Ended)
                }
                _ => None,
            },
            TriggerMode::Toggle => {
                if rose && !resting {
                    self.output = !self.output;
                    self.rest_until = time_s + cooldown;
                    Some(if self.output {
                        TriggerPhase::Started
                    } else {
                        TriggerPhase::Ended
                    })
                } else if self.output {
                    Some(TriggerPhase::Active)
                } else {
                    None
                }
            }
            TriggerMode::Once => {
                if rose && !resting {
                    self.rest_until = time_s + cooldown;
                    Some(TriggerPhase::Started)
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use effect_api::Expression;

    const FRAME: f64 = 1.0 / 30.0;

    fn rule(mode: TriggerMode, hold_ms: u32, cooldown_ms: u32) -> TriggerRule {
        TriggerRule {
            name: "smile".to_owned(),
            when: TriggerSignal::Expression(Expression::Smile),
            on: 0.6,
            off: 0.4,
            hold_ms,
            cooldown_ms,
            mode,
        }
    }

    fn smiling(score: f32) -> ExpressionScores {
        ExpressionScores {
            smile: score,
            ..ExpressionScores::default()
        }
    }

    /// Plays one face's smile scores at 30 fps; returns (frame, phase) for every event.
    fn play(rule: TriggerRule, scores: &[f32]) -> Vec<(usize, TriggerPhase)> {
        let mut engine = TriggerEngine::new(vec![rule]);
        let mut events = Vec::new();
        for (frame, &score) in scores.iter().enumerate() {
            let face = [FaceSignals {
                face_id: 0,
                scores: &smiling(score),
            }];
            for event in engine.update(face, frame as f64 * FRAME) {
                events.push((frame, event.phase));
            }
        }
        events
    }

    use TriggerPhase::{Active, Ended, Started};

    #[test]
    fn while_active_starts_at_on_and_ends_below_off() {
        let events = play(
            rule(TriggerMode::WhileActive, 0, 0),
            &[0.0, 0.7, 0.65, 0.5, 0.45, 0.3, 0.0],
        );
        assert_eq!(
            events,
            [
                (1, Started),
                (2, Active),
                (3, Active),
                (4, Active),
                (5, Ended)
            ]
        );
    }

    #[test]
    fn flicker_around_either_level_makes_no_spurious_events() {
        let mut scores = vec![0.0];
        scores.extend((0..20).map(|frame| if frame % 2 == 0 { 0.61 } else { 0.59 }));
        scores.extend((0..20).map(|frame| if frame % 2 == 0 { 0.39 } else { 0.41 }));
        let events = play(rule(TriggerMode::WhileActive, 0, 0), &scores);
        let starts = events.iter().filter(|(_, phase)| *phase == Started).count();
        let ends: Vec<_> = events.iter().filter(|(_, phase)| *phase == Ended).collect();
        assert_eq!(starts, 1);
        assert_eq!(ends, [&(21, Ended)], "{events:?}");

        // Without hysteresis (off == on) the same flicker would toggle every frame: the
        // gap is what keeps it quiet.
        let mut no_gap = rule(TriggerMode::WhileActive, 0, 0);
        no_gap.off = 0.6;
        let starts = play(no_gap, &scores[..21])
            .iter()
            .filter(|(_, phase)| *phase == Started)
            .count();
        assert_eq!(starts, 10);
    }

    #[test]
    fn hold_ignores_short_peaks_and_starts_after_the_hold() {
        // A 90 ms hold at 30 fps: three frames above `on` span 67 ms, not enough; the
        // fourth frame is 100 ms after the first.
        let short = play(
            rule(TriggerMode::WhileActive, 90, 0),
            &[0.0, 0.9, 0.9, 0.9, 0.0, 0.0],
        );
        assert!(short.is_empty(), "{short:?}");
        let long = play(
            rule(TriggerMode::WhileActive, 90, 0),
            &[0.0, 0.9, 0.9, 0.9, 0.9, 0.9],
        );
        assert_eq!(long, [(4, Started), (5, Active)]);
    }

    #[test]
    fn cooldown_delays_a_restart() {
        // Ends at frame 3; comes back at frame 4 and stays; a 190 ms cooldown holds the
        // start off until frame 9 (the first frame 190 ms after frame 3).
        let mut scores = vec![0.0, 0.9, 0.9, 0.0];
        scores.extend([0.9; 8]);
        let events = play(rule(TriggerMode::WhileActive, 0, 190), &scores);
        let starts: Vec<_> = events
            .iter()
            .filter(|(_, phase)| *phase == Started)
            .map(|(frame, _)| *frame)
            .collect();
        assert_eq!(starts, [1, 9]);
    }

    #[test]
    fn toggle_flips_on_each_new_start() {
        let events = play(
            rule(TriggerMode::Toggle, 0, 0),
            &[0.0, 0.9, 0.9, 0.0, 0.0, 0.9, 0.0, 0.9],
        );
        assert_eq!(
            events,
            [
                (1, Started),
                (2, Active),
                (3, Active),
                (4, Active),
                (5, Ended),
                (7, Started)
            ]
        );
    }

    #[test]
    fn once_fires_only_at_each_start_and_rests() {
        let scores = [
            0.0, 0.9, 0.9, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9,
        ];
        assert_eq!(
            play(rule(TriggerMode::Once, 0, 0), &scores),
            [(1, Started), (4, Started), (12, Started)]
        );
        // A 300 ms cooldown swallows the start at frame 4 (100 ms after the first).
        assert_eq!(
            play(rule(TriggerMode::Once, 0, 300), &scores),
            [(1, Started), (12, Started)]
        );
    }

    #[test]
    fn faces_trigger_independently_and_a_lost_face_ends_its_triggers() {
        let rules = vec![
            rule(TriggerMode::WhileActive, 0, 0),
            TriggerRule {
                name: "hello".to_owned(),
                when: TriggerSignal::FaceFound,
                ..rule(TriggerMode::Once, 0, 0)
            },
            TriggerRule {
                name: "bye".to_owned(),
                when: TriggerSignal::FaceLost,
                ..rule(TriggerMode::Once, 0, 0)
            },
        ];
        let mut engine = TriggerEngine::new(rules);
        let (happy, neutral) = (smiling(0.9), smiling(0.1));
        let both = [
            FaceSignals {
                face_id: 3,
                scores: &happy,
            },
            FaceSignals {
                face_id: 8,
                scores: &neutral,
            },
        ];
        let first: Vec<_> = engine
            .update(both, 0.0)
            .iter()
            .map(|event| (event.face_id, event.rule, event.phase))
            .collect();
        assert_eq!(first, [(3, 1, Started), (3, 0, Started), (8, 1, Started)]);
        // Face 3 leaves while smiling: its smile ends and `bye` fires for it alone.
        let second: Vec<_> = engine
            .update(both[1..].iter().copied(), FRAME)
            .iter()
            .map(|event| (event.face_id, event.rule, event.phase))
            .collect();
        assert_eq!(second, [(3, 0, Ended), (3, 2, Started)]);
        assert!(
            engine
                .update(both[1..].iter().copied(), 2.0 * FRAME)
                .is_empty()
        );
    }
}
