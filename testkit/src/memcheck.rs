//! Running a program under Valgrind's memcheck and failing the test on any invalid access
//! or definite or indirect leak ("still reachable" memory, such as what the dynamic loader
//! keeps for libraries that are never unloaded, is not counted).

use std::process::Command;

/// True when valgrind runs here; otherwise announces why `test` is skipped. Fails instead
/// when `LENSMITH_REQUIRE_VALGRIND=1` (as CI sets it), so a missing valgrind cannot go
/// unnoticed.
pub fn valgrind_or_skip(test: &str) -> bool {
    crate::tools_or_skip(
        test,
        &[("valgrind", &["--version"])],
        "LENSMITH_REQUIRE_VALGRIND",
        "apt-get install -y valgrind",
    )
}

/// Runs `command` under memcheck (with `suppressions`, a Valgrind suppressions file, when
/// given), prints what it printed and valgrind's summary, and panics with the full report
/// unless it is clean.
pub fn assert_clean(command: &Command, suppressions: Option<&std::path::Path>) {
    let mut valgrind = Command::new("valgrind");
    if let Some(file) = suppressions {
        valgrind.arg(format!("--suppressions={}", file.display()));
    }
    valgrind
        .args([
            "--error-exitcode=97",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect",
        ])
        .arg(command.get_program())
        .args(command.get_args())
        .env("RUST_BACKTRACE", "0");
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => valgrind.env(name, value),
            None => valgrind.env_remove(name),
        };
    }
    let program = command.get_program().to_string_lossy().into_owned();
    let output = valgrind.output().expect("valgrind runs");
    let report = String::from_utf8_lossy(&output.stderr);
    let summary: Vec<&str> = report
        .lines()
        .filter(|line| {
            [
                "ERROR SUMMARY",
                "definitely lost",
                "indirectly lost",
                "still reachable",
            ]
            .iter()
            .any(|key| line.contains(key))
        })
        .collect();
    let printed = String::from_utf8_lossy(&output.stdout);
    // Shown with --nocapture, and quoted in the notes of changes to what runs here.
    println!(
        "{program} under valgrind:\n{}\n{}",
        printed.trim_end(),
        summary.join("\n")
    );
    assert!(
        output.status.success(),
        "valgrind found problems in {program} ({}):\n{printed}\n{report}",
        output.status
    );
    assert!(
        report.contains("ERROR SUMMARY: 0 errors"),
        "no clean error summary for {program}:\n{report}"
    );
}
