//! The preview: the newest rendered frame (beside the untouched source for before/after),
//! the overlays over it, and the transport (play, pause, step, loop, scrub).

pub mod overlay;

use effect_api::manifest::Manifest;
use effect_api::trigger::TriggerSignal;
use iced::widget::{
    button, canvas, center, checkbox, column, container, image, row, slider, stack, text,
};
use iced::{Alignment, ContentFit, Element, Fill, Size, Task};

use crate::preview_bridge::{FrameUpdate, OpenedBundle, PreviewCommand, PreviewImage};
use crate::screen::widgets;
use overlay::{OverlayCanvas, Overlays, TriggerMeter};

/// One overlay kind, for the toggles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayKind {
    /// The face mesh.
    Mesh,
    /// The crop box.
    Crop,
    /// The pose axes.
    Pose,
    /// The expression meters.
    Meters,
}

/// The viewer's state.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    frame: Option<FrameUpdate>,
    playing: bool,
    looping: bool,
    compare: bool,
    overlays: Overlays,
    frame_count: Option<u64>,
    fps: f64,
    still_images: bool,
    meters: Vec<TriggerMeter>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Play if paused, pause if playing.
    PlayPause,
    /// One frame on, then pause.
    Step,
    /// Loop at the end or not.
    Looping(bool),
    /// The scrubber moved to this frame.
    Scrubbed(f64),
    /// Before/after side by side or not.
    Compare(bool),
    /// An overlay shown or hidden.
    Overlay(OverlayKind, bool),
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Tell the preview.
    Command(PreviewCommand),
}

impl Viewer {
    /// A viewer with no frame yet, showing `overlays` and, when `compare`, the source
    /// beside the result; the source loops by default.
    pub fn new(overlays: Overlays, compare: bool) -> Self {
        Self {
            looping: true,
            overlays,
            compare,
            ..Self::default()
        }
    }

    /// A bundle opened: the source's rate and the meters of its triggers. Returns the
    /// commands that put the preview in the viewer's state (playing unless the source is
    /// stills, looping as the toggle says).
    pub fn opened(&mut self, opened: &OpenedBundle) -> Vec<PreviewCommand> {
        self.frame_count = None;
        self.fps = opened.fps;
        self.still_images = opened.still_images;
        self.set_meters(&opened.manifest);
        self.playing = !opened.still_images;
        let mut commands = vec![PreviewCommand::SetLooping(self.looping)];
        if self.playing {
            commands.push(PreviewCommand::Play);
        }
        commands
    }

    /// The source's length became known (it played to its end once).
    pub fn set_length(&mut self, frames: u64) {
        self.frame_count = Some(frames);
    }

    /// The bundle was reloaded: its trigger rules may have changed.
    pub fn reloaded(&mut self, opened: &OpenedBundle) {
        self.set_meters(&opened.manifest);
    }

    fn set_meters(&mut self, manifest: &Manifest) {
        self.meters = manifest
            .triggers
            .iter()
            .filter_map(|rule| match rule.when {
                TriggerSignal::Expression(expression) => Some(TriggerMeter {
                    rule: rule.name.clone(),
                    expression: expression.name().to_owned(),
                    on: rule.on,
                    off: rule.off,
                }),
                _ => None,
            })
            .collect();
    }

    /// Shows a newer frame.
    pub fn show(&mut self, frame: FrameUpdate) {
        self.frame = Some(frame);
    }

    /// The frame shown.
    pub fn frame(&self) -> Option<&FrameUpdate> {
        self.frame.as_ref()
    }

    /// True while the source is shown beside the result.
    pub fn is_comparing(&self) -> bool {
        self.compare
    }

    /// True while playing.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let command = match message {
            // A still has nothing to play; the worker ignores Play for it too.
            Message::PlayPause if self.still_images => None,
            Message::PlayPause => {
                self.playing = !self.playing;
                Some(if self.playing {
                    PreviewCommand::Play
                } else {
                    PreviewCommand::Pause
                })
            }
            Message::Step => {
                self.playing = false;
                Some(PreviewCommand::Step)
            }
            Message::Looping(looping) => {
                self.looping = looping;
                Some(PreviewCommand::SetLooping(looping))
            }
            Message::Scrubbed(position) => {
                let last = self.frame_count.unwrap_or(1).saturating_sub(1);
                Some(PreviewCommand::Seek(
                    (position.max(0.0).round() as u64).min(last),
                ))
            }
            Message::Compare(compare) => {
                self.compare = compare;
                None
            }
            Message::Overlay(kind, shown) => {
                let flag = match kind {
                    OverlayKind::Mesh => &mut self.overlays.mesh,
                    OverlayKind::Crop => &mut self.overlays.crop,
                    OverlayKind::Pose => &mut self.overlays.pose,
                    OverlayKind::Meters => &mut self.overlays.meters,
                };
                *flag = shown;
                None
            }
        };
        (Task::none(), command.map(Event::Command))
    }

    /// The preview with its transport and overlay toggles.
    pub fn view(&self) -> Element<'_, Message> {
        let picture: Element<'_, Message> = match &self.frame {
            None => center(widgets::caption(
                "No frame yet: open a bundle and a source.",
            ))
            .into(),
            Some(frame) => {
                let after = self.picture(&frame.rendered, "after", true);
                if self.compare {
                    row![self.picture(&frame.source, "before", false), after]
                        .spacing(4)
                        .into()
                } else {
                    after
                }
            }
        };
        let stage = container(picture)
            .width(Fill)
            .height(Fill)
            .style(|_theme| container::background(iced::Color::from_rgb(0.06, 0.06, 0.07)));
        column![stage, self.transport(), self.toggles()]
            .spacing(6)
            .into()
    }

    /// One image (with the overlays when `overlays`), labelled in compare mode.
    fn picture<'a>(
        &'a self,
        picture: &'a PreviewImage,
        name: &'a str,
        overlays: bool,
    ) -> Element<'a, Message> {
        let mut layers = stack![
            image(picture.handle.clone())
                .content_fit(ContentFit::Contain)
                .width(Fill)
                .height(Fill)
        ];
        if overlays
            && self.overlays.any()
            && let Some(frame) = &self.frame
        {
            layers = layers.push(
                canvas(OverlayCanvas {
                    image_size: Size::new(picture.width as f32, picture.height as f32),
                    faces: &frame.faces,
                    overlays: self.overlays,
                    meters: &self.meters,
                })
                .width(Fill)
                .height(Fill),
            );
        }
        if self.compare {
            layers = layers.push(container(widgets::mono(name)).padding(6));
        }
        layers.width(Fill).height(Fill).into()
    }

    fn transport(&self) -> Element<'_, Message> {
        let position = self.frame.as_ref().map_or(0, |frame| frame.index);
        let time = self.frame.as_ref().map_or(0.0, |frame| frame.time_s);
        let mut bar = row![
            button(
                text(if self.playing { "Pause" } else { "Play" })
                    .width(48)
                    .center()
            )
            .on_press_maybe((!self.still_images).then_some(Message::PlayPause)),
            button(text("Step")).on_press(Message::Step),
            checkbox(self.looping)
                .label("Loop")
                .on_toggle(Message::Looping),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        match self.frame_count {
            Some(count) if count > 1 => {
                bar = bar.push(
                    slider(0.0..=(count - 1) as f64, position as f64, Message::Scrubbed)
                        .step(1.0)
                        .width(Fill),
                );
                bar = bar.push(widgets::mono(format!(
                    "frame {position} / {} · {time:.2} s",
                    count - 1
                )));
            }
            _ => {
                bar = bar.push(iced::widget::space::horizontal());
                bar = bar.push(widgets::mono(format!("frame {position} · {time:.2} s")));
            }
        }
        bar.into()
    }

    fn toggles(&self) -> Element<'_, Message> {
        let toggle = |label: &'static str, kind: OverlayKind, shown: bool| {
            checkbox(shown)
                .label(label)
                .on_toggle(move |shown| Message::Overlay(kind, shown))
        };
        row![
            widgets::caption("Overlays"),
            toggle("Mesh", OverlayKind::Mesh, self.overlays.mesh),
            toggle("Crop box", OverlayKind::Crop, self.overlays.crop),
            toggle("Pose axes", OverlayKind::Pose, self.overlays.pose),
            toggle("Expressions", OverlayKind::Meters, self.overlays.meters),
            iced::widget::space::horizontal(),
            checkbox(self.compare)
                .label("Before / after")
                .on_toggle(Message::Compare),
        ]
        .spacing(14)
        .align_y(Alignment::Center)
        .into()
    }
}
