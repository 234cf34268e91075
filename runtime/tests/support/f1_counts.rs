//! True and false positives and negatives of one expression signal at the 0.5 threshold
//! (the one the default trigger rules use), and its F1.

/// The counts of one signal over labelled faces or frames.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub true_positive: u32,
    pub false_positive: u32,
    pub false_negative: u32,
    pub true_negative: u32,
}

impl Counts {
    /// Counts one judgement: whether the expression is there (`truth`), and its score.
    pub fn add(&mut self, truth: bool, score: f32) {
        match (truth, score >= 0.5) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => self.true_negative += 1,
        }
    }

    /// F1: twice the true positives over twice the true positives plus every mistake.
    pub fn f1(&self) -> f32 {
        let found = 2 * self.true_positive;
        found as f32 / (found + self.false_positive + self.false_negative).max(1) as f32
    }
}
