//! The preview: the newest rendered frame (alone, split with the untouched source, or
//! beside it), the overlays over it, and the transport (play, pause, step, loop, scrub).

pub mod anchor_pick;
pub mod overlay;
pub mod split;

use std::time::{Duration, Instant};

use effect_api::manifest::Manifest;
use effect_api::trigger::{TriggerPhase, TriggerSignal};
use iced::widget::{
    button, canvas, center, checkbox, column, container, image, row, slider, stack, text,
};
use iced::{Alignment, ContentFit, Element, Fill, Size, Task};
use serde::{Deserialize, Serialize};

use crate::preview_bridge::{FrameUpdate, PreviewCommand, PreviewImage};
use crate::screen::widgets;
use overlay::{Flash, OverlayCanvas, Overlays, TriggerMeter};
use split::{SplitCanvas, SplitMoved};

/// How long a trigger's start or end flashes.
pub const FLASH_TIME: Duration = Duration::from_millis(900);

/// How the result is compared with the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// The result alone.
    #[default]
    Off,
    /// One picture: the source left of a divider, the result right of it.
    Split,
    /// The source beside the result.
    SideBySide,
}

impl Compare {
    /// The next mode, for the shortcut that cycles through them.
    pub fn next(self) -> Self {
        match self {
            Compare::Off => Compare::Split,
            Compare::Split => Compare::SideBySide,
            Compare::SideBySide => Compare::Off,
        }
    }
}

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
    /// The ids of the landmarks near the pointer.
    Ids,
}

/// The viewer's state.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    frame: Option<FrameUpdate>,
    playing: bool,
    looping: bool,
    compare: Compare,
    /// The split view's divider, 0..=1 across the picture.
    split: f32,
    /// The split picture of the frame shown, when splitting.
    split_picture: Option<PreviewImage>,
    overlays: Overlays,
    frame_count: Option<u64>,
    fps: f64,
    still_images: bool,
    meters: Vec<TriggerMeter>,
    /// Triggers that started or ended lately.
    flashes: Vec<Flash>,
    /// A sticker is being placed: clicks pick landmarks, drags move, the wheel scales.
    placing: bool,
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
    /// How to compare with the source.
    Compare(Compare),
    /// The split view's divider moved (0..=1).
    SplitMoved(f32),
    /// An overlay shown or hidden.
    Overlay(OverlayKind, bool),
    /// A landmark clicked while a sticker's anchor is picked.
    AnchorPicked(u32),
    /// The sticker dragged by this much, in face widths (x right, y down).
    StickerDragged([f32; 2]),
    /// The wheel turned over the picture: scale the sticker by this factor.
    StickerScaled(f32),
}

impl From<SplitMoved> for Message {
    fn from(SplitMoved(position): SplitMoved) -> Self {
        Message::SplitMoved(position)
    }
}

/// What the studio must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Tell the preview.
    Command(PreviewCommand),
    /// The overlays or the comparison changed (worth remembering).
    ViewChanged,
    /// The sticker being placed was anchored, moved or scaled.
    Sticker(StickerPlacement),
}

/// A change to the sticker being placed on the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StickerPlacement {
    /// Anchored to this landmark.
    Anchor(u32),
    /// Moved by this much, in face widths.
    Offset([f32; 2]),
    /// Scaled by this factor.
    Scale(f32),
}

impl Viewer {
    /// A viewer with no frame yet, showing `overlays` and comparing as `compare` says;
    /// the source loops by default.
    pub fn new(overlays: Overlays, compare: Compare) -> Self {
        Self {
            looping: true,
            overlays,
            compare,
            split: 0.5,
            ..Self::default()
        }
    }

    /// A bundle opened: the source's rate and the meters of its triggers. Returns the
    /// commands that put the preview in the viewer's state (playing unless the source is
    /// stills, looping as the toggle says).
    pub fn opened(
        &mut self,
        manifest: &Manifest,
        fps: f64,
        still_images: bool,
    ) -> Vec<PreviewCommand> {
        self.frame_count = None;
        self.fps = fps;
        self.still_images = still_images;
        self.flashes.clear();
        self.set_meters(manifest);
        self.playing = !still_images;
        let mut commands = vec![PreviewCommand::SetLooping(self.looping)];
        if self.playing {
            commands.push(PreviewCommand::Play);
        }
        commands
    }

    /// The source's length became known.
    pub fn set_length(&mut self, frames: u64) {
        self.frame_count = Some(frames);
    }

    /// The bundle was reloaded: its trigger rules may have changed.
    pub fn reloaded(&mut self, manifest: &Manifest) {
        self.set_meters(manifest);
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

    /// Shows a newer frame, flashing the triggers that started or ended since the last.
    pub fn show(&mut self, frame: FrameUpdate, now: Instant) {
        for notice in &frame.events {
            let started = notice.phase == TriggerPhase::Started;
            // A newer flash of the same trigger on the same face replaces the older one.
            self.flashes
                .retain(|flash| (flash.face_id, &flash.rule) != (notice.face_id, &notice.rule));
            self.flashes.push(Flash {
                face_id: notice.face_id,
                rule: notice.rule.clone(),
                started,
                shown_at: now,
                strength: 1.0,
            });
        }
        self.frame = Some(frame);
        self.compose_split();
    }

    /// Composes the split picture of the frame shown, when splitting.
    fn compose_split(&mut self) {
        self.split_picture = match (&self.frame, self.compare) {
            (Some(frame), Compare::Split) => {
                split::compose(&frame.source, &frame.rendered, self.split)
            }
            _ => None,
        };
    }

    /// Fades the flashes; those older than [`FLASH_TIME`] go.
    pub fn tick(&mut self, now: Instant) {
        self.flashes.retain_mut(|flash| {
            let age = now.saturating_duration_since(flash.shown_at);
            flash.strength = 1.0 - age.as_secs_f32() / FLASH_TIME.as_secs_f32();
            age < FLASH_TIME
        });
    }

    /// The triggers flashing now.
    pub fn flashes(&self) -> &[Flash] {
        &self.flashes
    }

    /// The overlays shown.
    pub fn overlays(&self) -> Overlays {
        self.overlays
    }

    /// The frame shown.
    pub fn frame(&self) -> Option<&FrameUpdate> {
        self.frame.as_ref()
    }

    /// How the result is compared with the source.
    pub fn compare(&self) -> Compare {
        self.compare
    }

    /// True when the source is stills.
    pub fn is_still(&self) -> bool {
        self.still_images
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
                self.compose_split();
                return (Task::none(), Some(Event::ViewChanged));
            }
            Message::SplitMoved(position) => {
                self.split = position.clamp(0.0, 1.0);
                self.compose_split();
                None
            }
            Message::Overlay(kind, shown) => {
                let flag = match kind {
                    OverlayKind::Mesh => &mut self.overlays.mesh,
                    OverlayKind::Crop => &mut self.overlays.crop,
                    OverlayKind::Pose => &mut self.overlays.pose,
                    OverlayKind::Meters => &mut self.overlays.meters,
                    OverlayKind::Ids => &mut self.overlays.ids,
                };
                *flag = shown;
                return (Task::none(), Some(Event::ViewChanged));
            }
            Message::AnchorPicked(landmark) => {
                return (
                    Task::none(),
                    Some(Event::Sticker(StickerPlacement::Anchor(landmark))),
                );
            }
            Message::StickerDragged(by) => {
                return (
                    Task::none(),
                    Some(Event::Sticker(StickerPlacement::Offset(by))),
                );
            }
            Message::StickerScaled(factor) => {
                return (
                    Task::none(),
                    Some(Event::Sticker(StickerPlacement::Scale(factor))),
                );
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
            Some(frame) => match self.compare {
                Compare::Off => self.picture(&frame.rendered, None, true),
                Compare::Split => self.split_picture(frame),
                Compare::SideBySide => row![
                    self.picture(&frame.source, Some("before"), false),
                    self.picture(&frame.rendered, Some("after"), true)
                ]
                .spacing(4)
                .into(),
            },
        };
        let stage = container(picture)
            .width(Fill)
            .height(Fill)
            .style(|_theme| container::background(iced::Color::from_rgb(0.06, 0.06, 0.07)));
        column![stage, self.transport(), self.toggles()]
            .spacing(6)
            .into()
    }

    /// The source and the result in one picture, split by a divider the designer drags;
    /// the overlays over it.
    fn split_picture<'a>(&'a self, frame: &'a FrameUpdate) -> Element<'a, Message> {
        let image_size = Size::new(frame.rendered.width as f32, frame.rendered.height as f32);
        // A frame whose pixels cannot be split (never from the worker) shows the result.
        let picture = self.split_picture.as_ref().unwrap_or(&frame.rendered);
        let mut layers = stack![
            image(picture.handle.clone())
                .content_fit(ContentFit::Contain)
                .width(Fill)
                .height(Fill),
            canvas(SplitCanvas {
                image_size,
                position: self.split,
            })
            .width(Fill)
            .height(Fill)
        ];
        if let Some(overlay) = self.overlay(image_size) {
            layers = layers.push(overlay);
        }
        layers.width(Fill).height(Fill).into()
    }

    /// Whether a sticker is being placed on the face (clicks pick its anchor).
    pub fn set_placing(&mut self, placing: bool) {
        self.placing = placing;
        if placing {
            // The landmarks must be seen to be picked.
            self.overlays.mesh = true;
            self.overlays.ids = true;
        }
    }

    /// Whether a sticker is being placed.
    pub fn placing(&self) -> bool {
        self.placing
    }

    /// The overlays for a picture of `image_size`, when any is on and a frame is shown,
    /// with the sticker placer over them while a sticker is placed.
    fn overlay(&self, image_size: Size) -> Option<Element<'_, Message>> {
        let frame = self
            .frame
            .as_ref()
            .filter(|_| self.overlays.any() || self.placing)?;
        let drawn = canvas(OverlayCanvas {
            image_size,
            faces: &frame.faces,
            overlays: self.overlays,
            meters: &self.meters,
            flashes: &self.flashes,
        })
        .width(Fill)
        .height(Fill);
        if !self.placing {
            return Some(drawn.into());
        }
        let picker = canvas(anchor_pick::AnchorPicker {
            image_size,
            face: frame.faces.first(),
        })
        .width(Fill)
        .height(Fill);
        Some(stack![drawn, picker].width(Fill).height(Fill).into())
    }

    /// One image (with the overlays when `overlays`), labelled when `name` is given.
    fn picture<'a>(
        &'a self,
        picture: &'a PreviewImage,
        name: Option<&'a str>,
        overlays: bool,
    ) -> Element<'a, Message> {
        let mut layers = stack![
            image(picture.handle.clone())
                .content_fit(ContentFit::Contain)
                .width(Fill)
                .height(Fill)
        ];
        if overlays
            && let Some(overlay) =
                self.overlay(Size::new(picture.width as f32, picture.height as f32))
        {
            layers = layers.push(overlay);
        }
        if let Some(name) = name {
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
        // A segmented choice: the mode shown is highlighted.
        let compare = |label: &'static str, mode: Compare| {
            button(text(label).size(13))
                .padding([3, 8])
                .style(if self.compare == mode {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::Compare(mode))
        };
        row![
            widgets::caption("Overlays"),
            toggle("Mesh", OverlayKind::Mesh, self.overlays.mesh),
            toggle("Landmark ids", OverlayKind::Ids, self.overlays.ids),
            toggle("Crop box", OverlayKind::Crop, self.overlays.crop),
            toggle("Pose axes", OverlayKind::Pose, self.overlays.pose),
            toggle("Expressions", OverlayKind::Meters, self.overlays.meters),
            iced::widget::space::horizontal(),
            widgets::caption("Compare"),
            compare("Result", Compare::Off),
            compare("Split", Compare::Split),
            compare("Side by side", Compare::SideBySide),
        ]
        .spacing(14)
        .align_y(Alignment::Center)
        .wrap()
        .into()
    }
}
