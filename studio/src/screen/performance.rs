//! The performance panel: frames per second, each stage's p50 and p95 over the last two
//! seconds, a live chart of the frame time against the budget line, and the bundle's size
//! against its `[budget]`.

use std::time::Instant;

use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke};
use iced::widget::{column, progress_bar, row, text, tooltip};
use iced::{Color, Element, Fill, Point, Rectangle, Renderer, Task, Theme, mouse};

use crate::screen::widgets;
use crate::stats::{PerfWindow, StageTimes};

/// The panel's state.
#[derive(Debug, Clone)]
pub struct Performance {
    window: PerfWindow,
    now: Instant,
    budget_ms: f64,
    /// The source is stills: frames come only when something changes.
    still_images: bool,
    /// The bundle's size in bytes and its budget in MiB.
    bundle: Option<(u64, f64)>,
    /// What draws the effect.
    renderer: Option<String>,
}

impl Default for Performance {
    fn default() -> Self {
        Self {
            window: PerfWindow::default(),
            now: Instant::now(),
            budget_ms: 1000.0 / 30.0,
            still_images: false,
            bundle: None,
            renderer: None,
        }
    }
}

/// The panel takes no input yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {}

/// Nor does it raise events.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {}

impl Performance {
    /// Forgets the frames and sets the budget to one frame at `fps`.
    pub fn reset(&mut self, fps: f64) {
        self.window.clear();
        if fps.is_finite() && fps > 0.0 {
            self.budget_ms = 1000.0 / fps;
        }
    }

    /// The bundle opened or reloaded: its size, its `[budget] max_total_mb`, and whether
    /// the source is stills.
    pub fn set_bundle(&mut self, bytes: u64, budget_mb: f64, still_images: bool) {
        self.bundle = Some((bytes, budget_mb));
        self.still_images = still_images;
    }

    /// What draws the effect, as the worker names it.
    pub fn set_renderer(&mut self, renderer: String) {
        self.renderer = Some(renderer);
    }

    /// A frame shown at `now`.
    pub fn push(&mut self, now: Instant, times: StageTimes) {
        self.now = now;
        self.window.push(now, times);
    }

    /// Time passes: the rate and the chart move on; the figures of the last frames stay
    /// (a paused preview or a still keeps showing what its frame cost).
    pub fn tick(&mut self, now: Instant) {
        self.now = now;
    }

    /// The figures.
    pub fn window(&self) -> &PerfWindow {
        &self.window
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {}
    }

    /// The panel.
    pub fn view(&self) -> Element<'_, Message> {
        let fps = self.window.fps(self.now);
        let faces = self.window.latest().map_or(0, |times| times.faces);
        let summary = self.window.summary();
        // What the effect alone could play at: its median frame time.
        let effect_fps = summary
            .last()
            .filter(|total| total.p50 > 0.0)
            .map_or(0.0, |total| 1000.0 / total.p50);
        let shown = if self.still_images {
            "a still".to_owned()
        } else {
            format!("{fps:5.1} fps shown")
        };
        let headline = row![
            tooltip(
                widgets::mono(shown).size(16),
                widgets::tip(
                    "Frames the window showed per second (the UI drops stale ones); a still is drawn again only when something changes"
                ),
                tooltip::Position::Bottom,
            ),
            tooltip(
                widgets::mono(format!("effect {effect_fps:.0} fps")).style(text::secondary),
                widgets::tip("1000 / the median frame time: what the effect alone could play at"),
                tooltip::Position::Bottom,
            ),
            widgets::mono(format!("{faces} face(s)")).style(text::secondary),
        ]
        .spacing(14)
        .align_y(iced::Alignment::Center);
        let mut table = column![
            row![
                widgets::mono("stage").width(Fill),
                widgets::mono("p50 ms").width(64),
                widgets::mono("p95 ms").width(64)
            ]
            .spacing(4)
        ]
        .spacing(1);
        for stage in summary {
            let over = stage.p95 > self.budget_ms;
            let p95 = widgets::mono(format!("{:6.2}", stage.p95)).width(64);
            table = table.push(
                row![
                    widgets::mono(stage.name).width(Fill).style(text::secondary),
                    widgets::mono(format!("{:6.2}", stage.p50)).width(64),
                    if over { p95.style(text::danger) } else { p95 },
                ]
                .spacing(4),
            );
        }
        let chart = canvas::Canvas::new(Chart {
            points: self.window.totals(self.now),
            span_s: self.window.span().as_secs_f32(),
            budget_ms: self.budget_ms as f32,
        })
        .width(Fill)
        .height(90);
        let legend = widgets::caption(format!(
            "frame time, last {:.0} s; dashed: the budget, {:.1} ms (one frame of the source)",
            self.window.span().as_secs_f32(),
            self.budget_ms
        ));
        let mut panel = column![headline, chart, legend, table].spacing(6);
        if let Some(renderer) = &self.renderer {
            panel =
                panel.push(widgets::mono(format!("drawn by {renderer}")).style(text::secondary));
        }
        if let Some(size) = self.bundle_size() {
            panel = panel.push(size);
        }
        panel.into()
    }

    /// The bundle's size as a bar filled up to its budget.
    fn bundle_size(&self) -> Option<Element<'_, Message>> {
        let (bytes, budget_mb) = self.bundle?;
        let mib = bytes as f64 / (1024.0 * 1024.0);
        let over = mib > budget_mb;
        let figure = widgets::mono(format!(
            "bundle {mib:.2} MiB of {budget_mb:.0} MiB ({:.0}%)",
            100.0 * mib / budget_mb.max(f64::MIN_POSITIVE)
        ));
        Some(
            column![
                if over {
                    figure.style(text::danger)
                } else {
                    figure
                },
                progress_bar(0.0..=budget_mb.max(0.001) as f32, mib as f32)
                    .girth(6)
                    .style(if over {
                        progress_bar::danger
                    } else {
                        progress_bar::primary
                    }),
            ]
            .spacing(3)
            .into(),
        )
    }
}

/// The frame times of the window, newest at the right, with the budget as a dashed line.
#[derive(Debug)]
struct Chart {
    points: Vec<(f32, f32)>,
    span_s: f32,
    budget_ms: f32,
}

impl<Message> canvas::Program<Message> for Chart {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        let palette = theme.extended_palette();
        frame.fill_rectangle(Point::ORIGIN, bounds.size(), palette.background.weak.color);
        let peak = self
            .points
            .iter()
            .map(|(_, ms)| *ms)
            .fold(self.budget_ms * 1.5, f32::max);
        let (width, height) = (bounds.width, bounds.height);
        let y = |ms: f32| height - (ms / peak) * (height - 4.0);
        let x = |age: f32| width - (age / self.span_s.max(0.001)) * width;
        let budget = Path::line(
            Point::new(0.0, y(self.budget_ms)),
            Point::new(width, y(self.budget_ms)),
        );
        frame.stroke(
            &budget,
            Stroke {
                line_dash: canvas::LineDash {
                    segments: &[4.0, 4.0],
                    offset: 0,
                },
                ..Stroke::default()
                    .with_color(palette.danger.base.color)
                    .with_width(1.0)
            },
        );
        if self.points.len() > 1 {
            let line = Path::new(|builder| {
                let mut points = self.points.iter();
                if let Some((age, ms)) = points.next() {
                    builder.move_to(Point::new(x(*age), y(*ms)));
                }
                for (age, ms) in points {
                    builder.line_to(Point::new(x(*age), y(*ms)));
                }
            });
            frame.stroke(
                &line,
                Stroke::default()
                    .with_color(palette.primary.strong.color)
                    .with_width(1.5),
            );
        }
        frame.fill_text(canvas::Text {
            content: format!("{peak:.0} ms"),
            position: Point::new(4.0, 2.0),
            color: Color {
                a: 0.7,
                ..palette.background.base.text
            },
            size: 11.0.into(),
            ..canvas::Text::default()
        });
        vec![frame.into_geometry()]
    }
}
