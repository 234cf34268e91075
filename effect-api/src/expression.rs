//! Facial expressions and head gestures that effects react to, and their per-frame scores.
//!
//! Left and right are the subject's own, as in MediaPipe: `blink_left` is the subject's
//! left eye, which appears on the right of an unmirrored camera image; `turn_left` is the
//! subject turning their head to their left.

use serde::{Deserialize, Serialize};

/// One expression or head gesture, as a trigger names it (`"mouth_open"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expression {
    /// The subject's left eye closed.
    BlinkLeft,
    /// The subject's right eye closed.
    BlinkRight,
    /// Both eyes closed: the two eyes' mean closure, at most twice the more open eye's score
    /// (a wink is no blink).
    Blink,
    /// Mouth corners drawn out and up.
    Smile,
    /// Lips parted, jaw dropped.
    MouthOpen,
    /// Eyebrows lifted.
    BrowsRaised,
    /// Lips pushed together and forward (a pucker).
    Kiss,
    /// The head nodding: down and back up.
    Nod,
    /// The head shaking: turning to one side and back.
    Shake,
    /// The head turned to the subject's left.
    TurnLeft,
    /// The head turned to the subject's right.
    TurnRight,
    /// Eyebrows drawn down (a frown).
    BrowsLowered,
    /// The eyes looking to the subject's left, within the head (the iris, not the head, turns).
    LookLeft,
    /// The eyes looking to the subject's right, within the head.
    LookRight,
    /// The eyes looking up, within the head.
    LookUp,
    /// The eyes looking down, within the head (open eyes: looking down is not a blink).
    LookDown,
}

impl Expression {
    /// Every expression, in the order [`ExpressionScores`] lists them.
    pub const ALL: [Expression; 16] = [
        Self::BlinkLeft,
        Self::BlinkRight,
        Self::Blink,
        Self::Smile,
        Self::MouthOpen,
        Self::BrowsRaised,
        Self::Kiss,
        Self::Nod,
        Self::Shake,
        Self::TurnLeft,
        Self::TurnRight,
        Self::BrowsLowered,
        Self::LookLeft,
        Self::LookRight,
        Self::LookUp,
        Self::LookDown,
    ];

    /// The name used in manifests and JSON (`"blink_left"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::BlinkLeft => "blink_left",
            Self::BlinkRight => "blink_right",
            Self::Blink => "blink",
            Self::Smile => "smile",
            Self::MouthOpen => "mouth_open",
            Self::BrowsRaised => "brows_raised",
            Self::Kiss => "kiss",
            Self::Nod => "nod",
            Self::Shake => "shake",
            Self::TurnLeft => "turn_left",
            Self::TurnRight => "turn_right",
            Self::BrowsLowered => "brows_lowered",
            Self::LookLeft => "look_left",
            Self::LookRight => "look_right",
            Self::LookUp => "look_up",
            Self::LookDown => "look_down",
        }
    }
}

impl std::fmt::Display for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One face's expression scores in one frame, each in `0..=1` (0: absent, 1: fully shown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpressionScores {
    /// See [`Expression::BlinkLeft`].
    pub blink_left: f32,
    /// See [`Expression::BlinkRight`].
    pub blink_right: f32,
    /// See [`Expression::Blink`].
    pub blink: f32,
    /// See [`Expression::Smile`].
    pub smile: f32,
    /// See [`Expression::MouthOpen`].
    pub mouth_open: f32,
    /// See [`Expression::BrowsRaised`].
    pub brows_raised: f32,
    /// See [`Expression::Kiss`].
    pub kiss: f32,
    /// See [`Expression::Nod`].
    pub nod: f32,
    /// See [`Expression::Shake`].
    pub shake: f32,
    /// See [`Expression::TurnLeft`].
    pub turn_left: f32,
    /// See [`Expression::TurnRight`].
    pub turn_right: f32,
    /// See [`Expression::BrowsLowered`].
    #[serde(default)]
    pub brows_lowered: f32,
    /// See [`Expression::LookLeft`].
    #[serde(default)]
    pub look_left: f32,
    /// See [`Expression::LookRight`].
    #[serde(default)]
    pub look_right: f32,
    /// See [`Expression::LookUp`].
    #[serde(default)]
    pub look_up: f32,
    /// See [`Expression::LookDown`].
    #[serde(default)]
    pub look_down: f32,
}

impl ExpressionScores {
    /// The score of one expression.
    pub fn get(&self, expression: Expression) -> f32 {
        match expression {
            Expression::BlinkLeft => self.blink_left,
            Expression::BlinkRight => self.blink_right,
            Expression::Blink => self.blink,
            Expression::Smile => self.smile,
            Expression::MouthOpen => self.mouth_open,
            Expression::BrowsRaised => self.brows_raised,
            Expression::Kiss => self.kiss,
            Expression::Nod => self.nod,
            Expression::Shake => self.shake,
            Expression::TurnLeft => self.turn_left,
            Expression::TurnRight => self.turn_right,
            Expression::BrowsLowered => self.brows_lowered,
            Expression::LookLeft => self.look_left,
            Expression::LookRight => self.look_right,
            Expression::LookUp => self.look_up,
            Expression::LookDown => self.look_down,
        }
    }

    /// Every expression with its score, in [`Expression::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (Expression, f32)> + '_ {
        Expression::ALL
            .into_iter()
            .map(|expression| (expression, self.get(expression)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_serialized_form() {
        for expression in Expression::ALL {
            let json = format!("\"{}\"", expression.name());
            let parsed: Expression = serde_json_free_parse(&json);
            assert_eq!(parsed, expression);
        }
    }

    /// Parses a quoted snake_case name through serde's own derive, without a JSON crate.
    fn serde_json_free_parse(quoted: &str) -> Expression {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};
        let name = quoted.trim_matches('"');
        let deserializer: StrDeserializer<'_, Error> = name.into_deserializer();
        Expression::deserialize(deserializer).expect("every name parses")
    }

    #[test]
    fn scores_list_every_expression_once() {
        let scores = ExpressionScores {
            smile: 0.7,
            turn_right: 0.2,
            ..ExpressionScores::default()
        };
        let listed: Vec<_> = scores.iter().collect();
        assert_eq!(listed.len(), Expression::ALL.len());
        assert_eq!(scores.get(Expression::Smile), 0.7);
        assert_eq!(listed[10], (Expression::TurnRight, 0.2));
    }
}
