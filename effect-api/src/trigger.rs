//! Trigger rules, declared in data: which expression or face event a trigger listens to,
//! the thresholds and timings that make it reliable, and the events it produces.
//!
//! A rule file (and, from #5 on, a bundle manifest) lists rules as TOML tables:
//!
//! ```toml
//! [[trigger]]
//! name = "show_mask"
//! when = "mouth_open"   # an expression, or "face_found" / "face_lost"
//! on = 0.6              # the score that starts it ...
//! off = 0.4             # ... and the lower score that ends it (hysteresis)
//! hold_ms = 80          # the score must stay at `on` or above this long before it starts
//! cooldown_ms = 500     # after it ends (or fires), it cannot start again for this long
//! mode = "while_active" # or "toggle", or "once"
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::expression::Expression;

/// What a trigger listens to: an expression's score, or a face appearing or disappearing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TriggerSignal {
    /// An expression's score, compared with the rule's `on` and `off` levels.
    Expression(Expression),
    /// A face appeared (a new id): fires once, on the frame it appears.
    FaceFound,
    /// A face disappeared: fires once, on the first frame without it.
    FaceLost,
}

impl TriggerSignal {
    /// The name used in rule files (`"smile"`, `"face_found"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Expression(expression) => expression.name(),
            Self::FaceFound => "face_found",
            Self::FaceLost => "face_lost",
        }
    }

    /// Every name a rule's `when` accepts, for error messages.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        Expression::ALL
            .into_iter()
            .map(Expression::name)
            .chain(["face_found", "face_lost"])
    }
}

impl fmt::Display for TriggerSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `when` that names no expression or face event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown trigger signal `{given}`: expected one of {}", TriggerSignal::all_names().collect::<Vec<_>>().join(", "))]
pub struct UnknownSignal {
    /// The name given.
    pub given: String,
}

impl FromStr for TriggerSignal {
    type Err = UnknownSignal;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "face_found" => return Ok(Self::FaceFound),
            "face_lost" => return Ok(Self::FaceLost),
            _ => {}
        }
        Expression::ALL
            .into_iter()
            .find(|expression| expression.name() == name)
            .map(Self::Expression)
            .ok_or_else(|| UnknownSignal {
                given: name.to_owned(),
            })
    }
}

impl TryFrom<String> for TriggerSignal {
    type Error = UnknownSignal;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        name.parse()
    }
}

impl From<TriggerSignal> for String {
    fn from(signal: TriggerSignal) -> Self {
        signal.name().to_owned()
    }
}

/// How a trigger turns its condition into events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerMode {
    /// Active for as long as the condition holds: `started`, then `active` every frame,
    /// then `ended`.
    #[default]
    WhileActive,
    /// Each new start of the condition flips the trigger: the first starts it (then
    /// `active` every frame), the next ends it.
    Toggle,
    /// Fires `started` once at each start of the condition; no `active` or `ended`.
    Once,
}

fn default_on() -> f32 {
    0.6
}

fn default_off() -> f32 {
    0.4
}

/// One trigger rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerRule {
    /// The name events carry and effects refer to.
    pub name: String,
    /// What the rule listens to.
    pub when: TriggerSignal,
    /// The score at or above which the condition starts (default 0.6).
    #[serde(default = "default_on")]
    pub on: f32,
    /// The score below which the condition ends (default 0.4); at most `on`. The gap
    /// between the two keeps a score hovering near one level from flickering.
    #[serde(default = "default_off")]
    pub off: f32,
    /// How long the score must stay at `on` or above before the condition starts, in ms.
    #[serde(default)]
    pub hold_ms: u32,
    /// After the trigger ends (`while_active`, `toggle`) or fires (`once`), how long new
    /// starts are ignored, in ms.
    #[serde(default)]
    pub cooldown_ms: u32,
    /// How the condition becomes events.
    #[serde(default)]
    pub mode: TriggerMode,
}

/// Why a rule cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TriggerRuleError {
    /// The name is empty.
    #[error("trigger {index}: `name` is empty; give every trigger a name")]
    EmptyName {
        /// Position of the rule in its file, from 0.
        index: usize,
    },
    /// Two rules share a name.
    #[error("trigger `{name}` is defined twice; trigger names must be unique")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A level is outside 0..=1, or `off` is above `on`.
    #[error(
        "trigger `{name}`: `on` = {on} and `off` = {off} must satisfy 0 <= off <= on <= 1 \
         (scores run from 0 to 1; `off` below `on` gives hysteresis)"
    )]
    Levels {
        /// The rule's name.
        name: String,
        /// Its `on` level.
        on: f32,
        /// Its `off` level.
        off: f32,
    },
}

impl TriggerRule {
    fn check(&self, index: usize) -> Result<(), TriggerRuleError> {
        if self.name.trim().is_empty() {
            return Err(TriggerRuleError::EmptyName { index });
        }
        let levels_ok = (0.0..=1.0).contains(&self.on)
            && (0.0..=1.0).contains(&self.off)
            && self.off <= self.on;
        if !levels_ok {
            return Err(TriggerRuleError::Levels {
                name: self.name.clone(),
                on: self.on,
                off: self.off,
            });
        }
        Ok(())
    }
}

/// A list of rules, as a rule file holds them (`[[trigger]]` tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerRules {
    /// The rules, in file order; events refer to them by position.
    #[serde(default, rename = "trigger")]
    pub rules: Vec<TriggerRule>,
}

impl TriggerRules {
    /// Checks every rule and that names are unique.
    pub fn check(&self) -> Result<(), TriggerRuleError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem.error),
            None => Ok(()),
        }
    }

    /// Every problem of every rule, in file order, each with the rule's position and the
    /// field it is in (for pointing at its line).
    pub fn problems(&self) -> Vec<TriggerRuleProblem> {
        let mut problems = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if let Err(error) = rule.check(index) {
                let field = match error {
                    TriggerRuleError::EmptyName { .. } => "name",
                    _ => "on",
                };
                problems.push(TriggerRuleProblem {
                    index,
                    field,
                    error,
                });
            }
            if !rule.name.trim().is_empty()
                && self.rules[..index]
                    .iter()
                    .any(|other| other.name == rule.name)
            {
                problems.push(TriggerRuleProblem {
                    index,
                    field: "name",
                    error: TriggerRuleError::DuplicateName {
                        name: rule.name.clone(),
                    },
                });
            }
        }
        problems
    }
}

/// One problem of a rule in a list (see [`TriggerRules::problems`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRuleProblem {
    /// The rule's position in its list, from 0.
    pub index: usize,
    /// The field the problem is in (`name`, `on`).
    pub field: &'static str,
    /// What is wrong.
    pub error: TriggerRuleError,
}

/// Where a trigger is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerPhase {
    /// It began this frame.
    Started,
    /// It is still on (every frame after the one it started in).
    Active,
    /// It ended this frame.
    Ended,
}

/// Something a trigger did in one frame, for one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TriggerEvent {
    /// The rule's position in its list.
    pub rule: u32,
    /// The face it happened on.
    pub face_id: u32,
    /// What happened.
    pub phase: TriggerPhase,
    /// The frame's time, in seconds.
    pub time_s: f64,
}

/// Why a rule file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TriggerFileError {
    /// The TOML is malformed or a field has the wrong name or type (the message gives the
    /// line and column).
    #[error("{0}")]
    Syntax(String),
    /// A rule parsed but makes no sense.
    #[error(transparent)]
    Rule(#[from] TriggerRuleError),
}

impl TriggerRules {
    /// Parses and checks a rule file's text.
    pub fn from_toml(text: &str) -> Result<Self, TriggerFileError> {
        let rules: Self =
            toml::from_str(text).map_err(|error| TriggerFileError::Syntax(error.to_string()))?;
        rules.check()?;
        Ok(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_rule_and_a_minimal_one_parse() {
        let rules = TriggerRules::from_toml(
            r#"
            [[trigger]]
            name = "show_mask"
            when = "mouth_open"
            on = 0.7
            off = 0.5
            hold_ms = 80
            cooldown_ms = 500
            mode = "toggle"

            [[trigger]]
            name = "hello"
            when = "face_found"
            "#,
        )
        .unwrap();
        assert_eq!(rules.rules.len(), 2);
        let first = &rules.rules[0];
        assert_eq!(first.when, TriggerSignal::Expression(Expression::MouthOpen));
        assert_eq!(
            (first.on, first.off, first.hold_ms, first.cooldown_ms),
            (0.7, 0.5, 80, 500)
        );
        assert_eq!(first.mode, TriggerMode::Toggle);
        let second = &rules.rules[1];
        assert_eq!(second.when, TriggerSignal::FaceFound);
        assert_eq!(
            (second.on, second.off, second.mode),
            (0.6, 0.4, TriggerMode::WhileActive)
        );
    }

    #[test]
    fn mistakes_are_named_with_their_line_or_rule() {
        let unknown = TriggerRules::from_toml("[[trigger]]\nname = \"a\"\nwhen = \"smiel\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("smiel") && unknown.contains("smile"),
            "{unknown}"
        );
        assert!(unknown.contains("line 3"), "{unknown}");

        let typo =
            TriggerRules::from_toml("[[trigger]]\nname = \"a\"\nwhen = \"smile\"\nhold = 5\n")
                .unwrap_err()
                .to_string();
        assert!(typo.contains("hold") && typo.contains("line 4"), "{typo}");

        let levels = TriggerRules::from_toml(
            "[[trigger]]\nname = \"a\"\nwhen = \"smile\"\non = 0.3\noff = 0.5\n",
        )
        .unwrap_err();
        assert!(matches!(
            levels,
            TriggerFileError::Rule(TriggerRuleError::Levels { .. })
        ));

        let twice = TriggerRules::from_toml(
            "[[trigger]]\nname = \"a\"\nwhen = \"smile\"\n[[trigger]]\nname = \"a\"\nwhen = \"kiss\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(twice.contains("`a` is defined twice"), "{twice}");
    }

    #[test]
    fn signals_round_trip_through_their_names() {
        for name in TriggerSignal::all_names() {
            let signal: TriggerSignal = name.parse().unwrap();
            assert_eq!(signal.name(), name);
        }
    }
}
