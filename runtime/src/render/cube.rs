//! Reading Adobe `.cube` 3-D colour tables (the format colour-grading tools export) into a
//! [`Lut3d`], with the line of the first problem when a file is wrong.

use super::Lut3d;

/// Why a `.cube` file cannot be used, with the 1-based line it was found on (0 for the file
/// as a whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CubeError {
    /// 1-based line number, 0 when no single line is to blame.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn problem(line: usize, message: impl Into<String>) -> CubeError {
    CubeError {
        line,
        message: message.into(),
    }
}

/// Parses a `.cube` file: `TITLE`, `LUT_3D_SIZE N` (2..=256), optional `DOMAIN_MIN 0 0 0`
/// and `DOMAIN_MAX 1 1 1`, `#` comments, then N³ lines of three numbers, red varying
/// fastest.
pub fn parse_cube(bytes: &[u8]) -> Result<Lut3d, CubeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| problem(0, "the LUT is not UTF-8 text"))?;
    let mut size: Option<u32> = None;
    let mut rgb: Vec<[f32; 3]> = Vec::new();
    let numbers = |line: &str, number: usize| -> Result<[f32; 3], CubeError> {
        let mut values = [0.0f32; 3];
        let mut words = line.split_whitespace();
        for value in &mut values {
            *value = words
                .next()
                .and_then(|word| word.parse::<f32>().ok())
                .filter(|value| value.is_finite())
                .ok_or_else(|| problem(number, format!("`{line}` is not three numbers")))?;
        }
        if words.next().is_some() {
            return Err(problem(number, format!("`{line}` is not three numbers")));
        }
        Ok(values)
    };
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match keyword {
            "TITLE" => {}
            "LUT_1D_SIZE" => {
                return Err(problem(number, "1-D LUTs are not supported; use a 3-D LUT"));
            }
            "LUT_3D_SIZE" => match rest.trim().parse::<u32>() {
                Ok(value) if (2..=256).contains(&value) && size.is_none() => {
                    size = Some(value);
                    rgb.reserve_exact((value as usize).pow(3));
                }
                Ok(_) if size.is_some() => {
                    return Err(problem(number, "a second `LUT_3D_SIZE` line"));
                }
                _ => {
                    return Err(problem(
                        number,
                        format!("`{line}`: the size must be 2 to 256"),
                    ));
                }
            },
            "DOMAIN_MIN" | "DOMAIN_MAX" => {
                let expected = if keyword == "DOMAIN_MIN" { 0.0 } else { 1.0 };
                if numbers(rest, number)? != [expected; 3] {
                    return Err(problem(
                        number,
                        format!(
                            "`{line}`: only the domain 0..1 is supported; re-export the LUT \
                             with DOMAIN_MIN 0 0 0 and DOMAIN_MAX 1 1 1"
                        ),
                    ));
                }
            }
            _ => {
                let Some(size) = size else {
                    return Err(problem(number, "colour data before `LUT_3D_SIZE`"));
                };
                if rgb.len() == (size as usize).pow(3) {
                    return Err(problem(
                        number,
                        format!(
                            "more than the {} colour lines LUT_3D_SIZE {size} needs",
                            size.pow(3)
                        ),
                    ));
                }
                rgb.push(numbers(line, number)?);
            }
        }
    }
    let size = size.ok_or_else(|| problem(0, "no `LUT_3D_SIZE` line"))?;
    if rgb.len() != (size as usize).pow(3) {
        return Err(problem(
            text.lines().count(),
            format!(
                "{} colour lines, but LUT_3D_SIZE {size} needs {}",
                rgb.len(),
                size.pow(3)
            ),
        ));
    }
    Ok(Lut3d { size, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDENTITY_2: &str = "TITLE \"id\"\nLUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\n\
        0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";

    #[test]
    fn a_good_table_is_read_red_fastest() {
        let lut = parse_cube(IDENTITY_2.as_bytes()).unwrap();
        assert_eq!(lut.size, 2);
        assert_eq!(lut.rgb[1], [1.0, 0.0, 0.0]);
        assert_eq!(lut.rgb[2], [0.0, 1.0, 0.0]);
        assert_eq!(lut.rgb[4], [0.0, 0.0, 1.0]);
    }

    #[test]
    fn problems_name_their_line() {
        let cases = [
            (
                IDENTITY_2.replace("0 1 0\n", "0 x 0\n"),
                7,
                "is not three numbers",
            ),
            (
                IDENTITY_2.replace("DOMAIN_MAX 1 1 1", "DOMAIN_MAX 2 2 2"),
                4,
                "domain 0..1",
            ),
            (
                IDENTITY_2.replace("LUT_3D_SIZE 2", "LUT_1D_SIZE 2"),
                2,
                "1-D LUTs",
            ),
            (
                IDENTITY_2.replace("LUT_3D_SIZE 2", "LUT_3D_SIZE 999"),
                2,
                "2 to 256",
            ),
            (format!("{IDENTITY_2}1 1 1\n"), 13, "more than the 8"),
            (
                IDENTITY_2
                    .trim_end()
                    .rsplit_once('\n')
                    .unwrap()
                    .0
                    .to_owned(),
                11,
                "7 colour lines",
            ),
            ("0 0 0\n".to_owned(), 1, "before `LUT_3D_SIZE`"),
        ];
        for (text, line, words) in cases {
            let error = parse_cube(text.as_bytes()).unwrap_err();
            assert_eq!(error.line, line, "{error}");
            assert!(error.message.contains(words), "{error}");
        }
    }
}
