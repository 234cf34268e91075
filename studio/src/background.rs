//! Blocking work the UI starts (an export, a plugin's first build, a golden recording) run
//! on a named thread of its own and awaited without blocking the UI's executor.

use iced::futures::channel::oneshot;

/// Runs `work` on a thread named `thread`; `what` names the work in the error when the
/// thread cannot start or stops without an answer (it panicked).
pub async fn on_thread<T: Send + 'static>(
    thread: &str,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (sender, receiver) = oneshot::channel();
    std::thread::Builder::new()
        .name(thread.to_owned())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .map_err(|error| format!("cannot start the {what}: {error}"))?;
    receiver
        .await
        .map_err(|_| format!("the {what} stopped unexpectedly"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_comes_back_and_a_panic_is_an_error() {
        let answer = iced::futures::executor::block_on(on_thread("test", "sum", || 2 + 2));
        assert_eq!(answer, Ok(4));
        let panicked =
            iced::futures::executor::block_on(on_thread("test", "sum", || -> u8 { panic!("x") }));
        assert_eq!(panicked, Err("the sum stopped unexpectedly".to_owned()));
    }
}
