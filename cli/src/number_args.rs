//! Parsers for number options whose useful range is narrower than their type's, so that a
//! value that would do nothing (or everything) is refused with why, instead of being
//! quietly treated as the nearest one that works.

/// A count of at least one (`--max-faces`, `--rounds`).
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 would do nothing: give 1 or more".to_owned()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// A factor of at least 1 (`--max-upscale`).
pub fn factor_at_least_one(text: &str) -> Result<f32, String> {
    let value = number(text)?;
    if value >= 1.0 {
        Ok(value)
    } else {
        Err(format!("{value} is below 1: give 1 or more"))
    }
}

/// A share or score within 0..=1 (`--min-score`).
pub fn zero_to_one(text: &str) -> Result<f32, String> {
    let value = number(text)?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is outside 0..=1"))
    }
}

fn number(text: &str) -> Result<f32, String> {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or_else(|| format!("{text:?} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_would_do_nothing_are_refused() {
        assert_eq!(at_least_one("3"), Ok(3));
        assert!(at_least_one("0").unwrap_err().contains("give 1 or more"));
        assert!(
            at_least_one("-1")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert_eq!(factor_at_least_one("2.5"), Ok(2.5));
        assert!(factor_at_least_one("0").unwrap_err().contains("below 1"));
        assert_eq!(zero_to_one("0.5"), Ok(0.5));
        assert!(zero_to_one("2").unwrap_err().contains("outside 0..=1"));
        assert!(zero_to_one("NaN").unwrap_err().contains("not a number"));
        assert!(zero_to_one("half").unwrap_err().contains("not a number"));
    }
}
