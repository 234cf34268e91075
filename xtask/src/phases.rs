//! Wall-clock time of each step of a long command (`cargo xtask test`, `cargo xtask
//! aarch64`), printed as each step ends and again as one table at the end, so that a CI log
//! shows where its minutes went.

use std::time::{Duration, Instant};

use anyhow::Result;

/// Runs `steps` on a new clock, then prints the table of their times, whether they
/// succeeded or not.
pub fn run_timed(steps: impl FnOnce(&mut PhaseClock) -> Result<()>) -> Result<()> {
    let mut clock = PhaseClock::start();
    let result = steps(&mut clock);
    println!("{}", clock.summary());
    result
}

/// The steps timed so far, in the order they ran.
pub struct PhaseClock {
    started: Instant,
    finished: Vec<(&'static str, Duration)>,
}

impl PhaseClock {
    /// A clock whose total counts from now.
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            finished: Vec::new(),
        }
    }

    /// Runs `step`, printing and recording how long it took, whether it succeeded or not.
    pub fn time<T>(&mut self, name: &'static str, step: impl FnOnce() -> Result<T>) -> Result<T> {
        let step_started = Instant::now();
        let result = step();
        let took = step_started.elapsed();
        let outcome = if result.is_ok() { "" } else { " (failed)" };
        println!("time: {name}: {}{outcome}", seconds(took));
        self.finished.push((name, took));
        result
    }

    /// The table of every step's time and the total since [`PhaseClock::start`].
    pub fn summary(&self) -> String {
        let width = self
            .finished
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0)
            .max("total".len());
        let mut table = String::from("time per step:\n");
        for (name, took) in &self.finished {
            table.push_str(&format!("  {name:<width$}  {:>7}\n", seconds(*took)));
        }
        table.push_str(&format!(
            "  {:<width$}  {:>7}\n",
            "total",
            seconds(self.started.elapsed())
        ));
        table
    }
}

/// `took` as whole seconds, e.g. `"312 s"`.
fn seconds(took: Duration) -> String {
    format!("{} s", took.as_secs_f64().round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_recorded_even_when_it_fails_and_the_table_ends_with_the_total() {
        let mut clock = PhaseClock::start();
        assert_eq!(clock.time("first", || Ok(7)).unwrap(), 7);
        assert!(
            clock
                .time("second step", || -> Result<()> { anyhow::bail!("broken") })
                .is_err()
        );
        let table = clock.summary();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[1].trim_start().starts_with("first "), "{table}");
        assert!(lines[2].trim_start().starts_with("second step "), "{table}");
        assert!(lines[3].trim_start().starts_with("total "), "{table}");
        assert!(
            lines.iter().skip(1).all(|line| line.ends_with(" s")),
            "{table}"
        );
    }
}
