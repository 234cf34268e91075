//! Reading Adobe `.cube` 3-D colour tables (the format colour-grading tools export) into a
//! [`Lut3d`], with the line of the first problem when a file is wrong.

use super::Lut3d;

/// Why a `.cube` file cannot be used, with the line it was found on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CubeError {
    /// 1-based line number: the line to blame, or the last line when something is missing.
    pub line: usize,
    /// What is wrong, and what was expected.
    pub message: String,
}

fn problem(line: usize, message: impl Into<String>) -> CubeError {
    CubeError {
        line,
        message: message.into(),
    }
}

/// The shortest colour line, `0 0 0` and its line break: a bound on how many entries a
/// file of some size can hold, so that a lying `LUT_3D_SIZE` does not reserve memory the
/// file cannot fill.
const SHORTEST_ENTRY: usize = 6;

/// Parses a `.cube` file: `TITLE`, `LUT_3D_SIZE N` (2..=256), optional `DOMAIN_MIN 0 0 0`
/// and `DOMAIN_MAX 1 1 1` (or `LUT_3D_INPUT_RANGE 0 1`), `#` comments and blank lines,
/// then N³ lines of three numbers, red varying fastest.
pub fn parse_cube(bytes: &[u8]) -> Result<Lut3d, CubeError> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let line = 1 + bytes[..error.valid_up_to()]
            .iter()
            .filter(|&&byte| byte == b'\n')
            .count();
        problem(line, "the LUT is not UTF-8 text")
    })?;
    // Some editors start the file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut size: Option<u32> = None;
    let mut rgb: Vec<[f32; 3]> = Vec::new();
    let mut last_line = 1;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        last_line = number;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let needs_size = |what: &str| {
            problem(
                number,
                format!("{what} before `LUT_3D_SIZE`; the size comes first"),
            )
        };
        match keyword {
            "TITLE" => {}
            "LUT_1D_SIZE" => {
                return Err(problem(
                    number,
                    "1-D LUTs are not supported; export a 3-D LUT (`LUT_3D_SIZE`)",
                ));
            }
            "LUT_3D_SIZE" => match rest.trim().parse::<u32>() {
                _ if size.is_some() => {
                    return Err(problem(number, "a second `LUT_3D_SIZE` line"));
                }
                Ok(value) if (2..=256).contains(&value) => {
                    size = Some(value);
                    let entries = (value as usize).pow(3);
                    rgb.reserve_exact(entries.min(bytes.len() / SHORTEST_ENTRY + 1));
                }
                _ => {
                    return Err(problem(
                        number,
                        format!("`{line}`: the size must be a whole number from 2 to 256"),
                    ));
                }
            },
            "DOMAIN_MIN" | "DOMAIN_MAX" => {
                let expected = if keyword == "DOMAIN_MIN" { 0.0 } else { 1.0 };
                if numbers::<3>(rest, line, number)? != [expected; 3] {
                    return Err(unsupported_domain(line, number));
                }
            }
            "LUT_3D_INPUT_RANGE" => {
                if numbers::<2>(rest, line, number)? != [0.0, 1.0] {
                    return Err(unsupported_domain(line, number));
                }
            }
            _ if keyword.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                return Err(problem(
                    number,
                    format!(
                        "unknown keyword `{keyword}`; a 3-D .cube LUT has TITLE, LUT_3D_SIZE, \
                         DOMAIN_MIN, DOMAIN_MAX and lines of three numbers"
                    ),
                ));
            }
            _ => {
                let Some(size) = size else {
                    return Err(needs_size("colour data"));
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
                rgb.push(numbers::<3>(line, line, number)?);
            }
        }
    }
    let size = size.ok_or_else(|| {
        problem(
            last_line,
            "no `LUT_3D_SIZE` line; a 3-D .cube LUT says its size before its colours",
        )
    })?;
    if rgb.len() != (size as usize).pow(3) {
        return Err(problem(
            last_line,
            format!(
                "{} colour lines, but LUT_3D_SIZE {size} needs {}",
                rgb.len(),
                size.pow(3)
            ),
        ));
    }
    Ok(Lut3d { size, rgb })
}

/// Exactly `N` finite numbers from `words`; the error quotes `line`.
fn numbers<const N: usize>(words: &str, line: &str, number: usize) -> Result<[f32; N], CubeError> {
    let mut values = [0.0f32; N];
    let mut words = words.split_whitespace();
    for value in &mut values {
        let word = words.next().ok_or_else(|| {
            problem(
                number,
                format!("`{line}` has too few numbers; expected {N}"),
            )
        })?;
        *value = word
            .parse::<f32>()
            .ok()
            .filter(|value| value.is_finite())
            .ok_or_else(|| {
                problem(
                    number,
                    format!("`{line}` is not {N} numbers: `{word}` is not a number"),
                )
            })?;
    }
    if words.next().is_some() {
        return Err(problem(
            number,
            format!("`{line}` has too many values; expected {N} numbers"),
        ));
    }
    Ok(values)
}

fn unsupported_domain(line: &str, number: usize) -> CubeError {
    problem(
        number,
        format!(
            "`{line}`: only the domain 0..1 is supported; re-export the LUT with \
             DOMAIN_MIN 0 0 0 and DOMAIN_MAX 1 1 1"
        ),
    )
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
                "`x` is not a number",
            ),
            (
                IDENTITY_2.replace("0 1 0\n", "0 1 0 1\n"),
                7,
                "too many values",
            ),
            (IDENTITY_2.replace("0 1 0\n", "0 1\n"), 7, "too few numbers"),
            (
                IDENTITY_2.replace("DOMAIN_MIN 0 0 0", "DOMAIN_MIN -0.1 0 0"),
                3,
                "domain 0..1",
            ),
            (
                IDENTITY_2.replace("DOMAIN_MIN 0 0 0", "LUT_3D_INPUT_RANGE 0 2"),
                3,
                "domain 0..1",
            ),
            (
                IDENTITY_2.replace("TITLE", "LUT_SIZE"),
                1,
                "unknown keyword `LUT_SIZE`",
            ),
            (
                IDENTITY_2.replace("DOMAIN_MIN 0 0 0", "LUT_3D_SIZE 2"),
                3,
                "a second `LUT_3D_SIZE`",
            ),
            (
                IDENTITY_2.replace("LUT_3D_SIZE 2\n", "# no size\n"),
                5,
                "before `LUT_3D_SIZE`",
            ),
            ("TITLE \"empty\"\n\n".to_owned(), 2, "no `LUT_3D_SIZE` line"),
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
        let mut latin1 = IDENTITY_2.as_bytes().to_vec();
        latin1[13] = 0xE9;
        let error = parse_cube(&latin1).unwrap_err();
        assert_eq!(
            (error.line, error.to_string().as_str()),
            (2, "line 2: the LUT is not UTF-8 text")
        );
    }

    #[test]
    fn comments_blank_lines_crlf_and_a_byte_order_mark_are_accepted() {
        let text = format!(
            "\u{feff}# made by hand\r\n\r\n{}",
            IDENTITY_2
                .replace("DOMAIN_MIN 0 0 0", "LUT_3D_INPUT_RANGE 0.0 1.0")
                .replace('\n', "\r\n")
                .replace("0 1 1", "  0   1\t1  ")
        );
        let lut = parse_cube(text.as_bytes()).unwrap();
        assert_eq!(lut, parse_cube(IDENTITY_2.as_bytes()).unwrap());
    }

    #[test]
    fn a_lying_size_reserves_no_more_than_the_file_can_fill() {
        let lut = parse_cube(b"LUT_3D_SIZE 256\n0 0 0\n").unwrap_err();
        assert!(
            lut.message
                .contains("1 colour lines, but LUT_3D_SIZE 256 needs 16777216")
        );
    }
}
