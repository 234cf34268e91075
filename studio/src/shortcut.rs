//! The keyboard shortcuts: which key presses (that no widget took) stand for what.

use iced::keyboard::{self, Key, key::Named};

use crate::app::Message;

/// The keyboard shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Space.
    PlayPause,
    /// Right arrow.
    Step,
    /// Ctrl+R (Cmd+R on macOS).
    Reload,
    /// Ctrl+S (Cmd+S on macOS).
    Save,
    /// Ctrl+O (Cmd+O on macOS): open what the toolbar says.
    Open,
    /// B.
    Compare,
    /// Ctrl+Z (Cmd+Z on macOS): undo the last edit of `effect.toml`.
    Undo,
    /// Ctrl+Shift+Z or Ctrl+Y: redo it.
    Redo,
}

/// The shortcut a key press stands for (only presses no widget took, such as typing in a
/// path field).
pub fn shortcut_for(event: keyboard::Event) -> Option<Message> {
    let keyboard::Event::KeyPressed { key, modifiers, .. } = event else {
        return None;
    };
    let shortcut = match (key.as_ref(), modifiers.command()) {
        (Key::Character("z" | "Z"), true) if modifiers.shift() => Shortcut::Redo,
        (Key::Character("z"), true) => Shortcut::Undo,
        (Key::Character("y"), true) => Shortcut::Redo,
        (Key::Named(Named::Space), false) => Shortcut::PlayPause,
        (Key::Named(Named::ArrowRight), false) => Shortcut::Step,
        (Key::Character("r"), true) => Shortcut::Reload,
        (Key::Character("s"), true) => Shortcut::Save,
        (Key::Character("o"), true) => Shortcut::Open,
        (Key::Character("b"), false) => Shortcut::Compare,
        _ => return None,
    };
    Some(Message::Shortcut(shortcut))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::keyboard::{Location, Modifiers};

    fn press(key: Key, modifiers: Modifiers) -> keyboard::Event {
        keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key.clone(),
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        }
    }

    #[test]
    fn keys_map_to_shortcuts() {
        let shortcut = |key: Key, modifiers| match shortcut_for(press(key, modifiers)) {
            Some(Message::Shortcut(shortcut)) => Some(shortcut),
            _ => None,
        };
        let none = Modifiers::empty();
        assert_eq!(
            shortcut(Key::Named(Named::Space), none),
            Some(Shortcut::PlayPause)
        );
        assert_eq!(
            shortcut(Key::Named(Named::ArrowRight), none),
            Some(Shortcut::Step)
        );
        assert_eq!(
            shortcut(Key::Character("s".into()), Modifiers::COMMAND),
            Some(Shortcut::Save)
        );
        assert_eq!(
            shortcut(Key::Character("r".into()), Modifiers::COMMAND),
            Some(Shortcut::Reload)
        );
        assert_eq!(
            shortcut(Key::Character("b".into()), none),
            Some(Shortcut::Compare)
        );
        // A plain `s` is typing, not saving.
        assert_eq!(shortcut(Key::Character("s".into()), none), None);
    }
}
