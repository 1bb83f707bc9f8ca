//! The overview with 5,000 rollouts at 200×60: one frame, a navigation key (j/k) and a
//! `/` filter keystroke, the reducer alone and reducer + frame (the work between a key
//! press and its frame, without the terminal's own write).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::state::{AppState, Event, Overlay, update};

use common::{ROLLOUTS_N, draw, fleet_rows, screen, state_with, terminal, theme};

const W: u16 = 200;
const H: u16 = 60;

fn key(s: &mut AppState, chord: KeyChord) {
    black_box(update(s, Event::Key(chord)));
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        key(s, KeyChord::ch(c));
    }
}

fn bench_render(c: &mut Criterion) {
    let theme = theme();
    let mut g = c.benchmark_group("overview 200x60, 5,000 rollouts");
    g.sample_size(20);

    // The first screen: the cursor on the first row.
    let s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    let mut term = terminal(W, H);
    draw(&mut term, &s, &theme);
    let text = screen(&term);
    assert!(
        text.contains(&format!("Rollouts {ROLLOUTS_N}")),
        "the title counts every row:\n{text}"
    );
    g.bench_function("render (cursor on top)", |b| {
        b.iter(|| draw(&mut term, black_box(&s), &theme))
    });

    // The cursor on the last row: the visible window is found by walking the list.
    let mut s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    key(&mut s, KeyChord::ch('G'));
    let mut term = terminal(W, H);
    g.bench_function("render (cursor on the last row)", |b| {
        b.iter(|| draw(&mut term, black_box(&s), &theme))
    });

    // A fresh terminal each frame: every cell differs from the previous buffer.
    let s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    g.bench_function("render (full repaint)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut term = terminal(W, H);
                let t = Instant::now();
                draw(&mut term, black_box(&s), &theme);
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

/// `j` then `k`, each timed: the cursor moves one row and back (the frame changes each time).
fn bench_navigation(c: &mut Criterion) {
    let theme = theme();
    let mut g = c.benchmark_group("navigation key, 5,000 rollouts");
    g.sample_size(20);
    let mut s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    // Half-way down: the window has to be found among thousands of rows.
    for _ in 0..2_500 {
        key(&mut s, KeyChord::ch('j'));
    }
    g.bench_function("reducer (j or k)", |b| {
        let mut down = true;
        b.iter(|| {
            key(&mut s, KeyChord::ch(if down { 'j' } else { 'k' }));
            down = !down;
        })
    });
    let mut term = terminal(W, H);
    draw(&mut term, &s, &theme);
    g.bench_function("reducer + frame (j or k)", |b| {
        let mut down = true;
        b.iter(|| {
            key(&mut s, KeyChord::ch(if down { 'j' } else { 'k' }));
            draw(&mut term, &s, &theme);
            down = !down;
        })
    });
    g.finish();
}

/// The `/` filter open with `svc-01` typed; the timed key types `2` (`svc-012`, 100 of the
/// 5,000 rows match) and the untimed Backspace restores the filter before the next one.
fn bench_filter(c: &mut Criterion) {
    let theme = theme();
    let mut g = c.benchmark_group("filter keystroke, 5,000 rollouts");
    g.sample_size(20);
    let mut s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    key(&mut s, KeyChord::ch('/'));
    assert!(
        matches!(s.overlay, Overlay::Filter(_)),
        "`/` opens the filter"
    );
    type_text(&mut s, "svc-01");
    assert_eq!(s.rollouts.filter(), "svc-01");
    assert_eq!(s.rollouts.visible_len(), 1_000);
    key(&mut s, KeyChord::ch('2'));
    assert_eq!(s.rollouts.visible_len(), 100);
    key(&mut s, KeyChord::plain(KeyCode::Backspace));
    let mut term = terminal(W, H);
    draw(&mut term, &s, &theme);

    let mut one_key = |s: &mut AppState, with_frame: bool, iters: u64| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let t = Instant::now();
            key(s, KeyChord::ch('2'));
            if with_frame {
                draw(&mut term, s, &theme);
            }
            total += t.elapsed();
            key(s, KeyChord::plain(KeyCode::Backspace));
        }
        total
    };
    g.bench_function("reducer (one character)", |b| {
        b.iter_custom(|iters| one_key(&mut s, false, iters))
    });
    g.bench_function("reducer + frame (one character)", |b| {
        b.iter_custom(|iters| one_key(&mut s, true, iters))
    });

    // The first character typed: every row's haystack is searched.
    let mut s = state_with(fleet_rows(ROLLOUTS_N), W, H);
    key(&mut s, KeyChord::ch('/'));
    g.bench_function("reducer (first character, 5,000 rows match)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                key(&mut s, KeyChord::ch('s'));
                total += t.elapsed();
                key(&mut s, KeyChord::plain(KeyCode::Backspace));
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench_render, bench_navigation, bench_filter);
criterion_main!(benches);
