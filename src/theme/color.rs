//! Colour values of theme files, and their downgrade to what the terminal can show.

use ratatui::style::Color;

/// What the terminal can show, from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    /// `NO_COLOR` is set: no colours at all, only modifiers and symbols.
    Mono,
}

impl ColorDepth {
    /// `NO_COLOR` (any non-empty value) wins; `COLORTERM=truecolor|24bit` allows RGB;
    /// anything else gets the 256-colour palette.
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Self::Mono;
        }
        match colorterm.map(str::to_ascii_lowercase).as_deref() {
            Some("truecolor") | Some("24bit") => Self::TrueColor,
            _ => Self::Ansi256,
        }
    }
}

const NAMED: &[(&str, Color)] = &[
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

/// Parses `#rrggbb`, a name (`red`, `dark_gray`, `reset`, …) or `ansi:N` (0–255).
pub fn parse_color(text: &str) -> Result<Color, String> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
    } else if let Some(n) = t.strip_prefix("ansi:") {
        if let Ok(i) = n.parse::<u8>() {
            return Ok(Color::Indexed(i));
        }
    } else if let Some((_, c)) = NAMED.iter().find(|(name, _)| *name == t) {
        return Ok(*c);
    }
    Err(format!(
        "`{text}` is not a colour; use #rrggbb, ansi:0-255 or a name (black, red, green, \
         yellow, blue, magenta, cyan, gray, dark_gray, light_red, …, white, reset)"
    ))
}

/// The colour as the terminal will get it.
pub fn downgrade(color: Color, depth: ColorDepth) -> Color {
    match (depth, color) {
        (ColorDepth::Mono, _) => Color::Reset,
        (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(rgb_to_ansi256(r, g, b)),
        (_, c) => c,
    }
}

/// Nearest xterm-256 colour: the 6×6×6 cube or the 24-step grey ramp, whichever is closer.
pub fn rgb_to_ansi256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| -> (u8, u8) {
        let (i, l) = LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map(|(i, l)| (i as u8, *l))
            .unwrap_or((0, 0));
        (i, l)
    };
    let (ri, rl) = nearest(r);
    let (gi, gl) = nearest(g);
    let (bi, bl) = nearest(b);
    let cube = 16 + 36 * ri + 6 * gi + bi;
    let dist = |a: (u8, u8, u8)| {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(a.0, r) + d(a.1, g) + d(a.2, b)
    };
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let gi_step = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * gi_step;
    if dist((grey, grey, grey)) < dist((rl, gl, bl)) {
        232 + gi_step
    } else {
        cube
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_names_and_indexes() {
        assert_eq!(parse_color("#ff8700"), Ok(Color::Rgb(255, 135, 0)));
        assert_eq!(parse_color("dark_gray"), Ok(Color::DarkGray));
        assert_eq!(parse_color("ansi:208"), Ok(Color::Indexed(208)));
        for bad in ["#12345", "#gggggg", "purple-ish", "ansi:256", ""] {
            assert!(parse_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn depth_follows_no_color_and_colorterm() {
        assert_eq!(
            ColorDepth::detect(Some("1"), Some("truecolor")),
            ColorDepth::Mono
        );
        assert_eq!(
            ColorDepth::detect(Some(""), Some("truecolor")),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(None, Some("24bit")),
            ColorDepth::TrueColor
        );
        assert_eq!(ColorDepth::detect(None, None), ColorDepth::Ansi256);
        assert_eq!(ColorDepth::detect(None, Some("yes")), ColorDepth::Ansi256);
    }

    #[test]
    fn rgb_maps_onto_the_256_palette() {
        assert_eq!(rgb_to_ansi256(0, 0, 0), 16);
        assert_eq!(rgb_to_ansi256(255, 255, 255), 231);
        assert_eq!(rgb_to_ansi256(255, 0, 0), 196);
        assert_eq!(rgb_to_ansi256(255, 135, 0), 208);
        assert_eq!(rgb_to_ansi256(128, 128, 128), 244);
        assert_eq!(
            downgrade(Color::Rgb(255, 0, 0), ColorDepth::Ansi256),
            Color::Indexed(196)
        );
        assert_eq!(downgrade(Color::Red, ColorDepth::Mono), Color::Reset);
        assert_eq!(
            downgrade(Color::Rgb(1, 2, 3), ColorDepth::TrueColor),
            Color::Rgb(1, 2, 3)
        );
    }
}
