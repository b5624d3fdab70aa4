//! Inline SVG charts for the HTML report, drawn here so the report needs no
//! script, font or stylesheet from anywhere. Every text is escaped.

use std::fmt::Write as _;

use super::escape::markup as escape;

/// Distinct colours for series; they repeat after eight.
pub const PALETTE: [&str; 8] = [
    "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

const WIDTH: f64 = 960.0;

/// Shortens `text` to `width` characters by cutting its start: the end of a
/// path says the most.
fn shorten_start(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - width + 1).collect();
    format!("…{tail}")
}

/// A horizontal bar chart: one labelled bar per entry, in the given order.
pub fn bar_chart(title: &str, bars: &[(String, usize)]) -> String {
    const ROW: f64 = 24.0;
    const LABEL: f64 = 300.0;
    const TOP: f64 = 8.0;
    let height = TOP * 2.0 + ROW * bars.len().max(1) as f64;
    let max = bars
        .iter()
        .map(|(_, value)| *value)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let span = WIDTH - LABEL - 70.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart bar-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = escape(title)
    );
    if bars.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" class="muted">no violations</text>"#,
            LABEL,
            TOP + ROW * 0.65
        );
    }
    for (row, (label, value)) in bars.iter().enumerate() {
        let y = TOP + ROW * row as f64;
        let length = (span * *value as f64 / max).max(1.0);
        let _ = write!(
            svg,
            r#"<g><title>{full}: {value}</title><text x="{lx}" y="{ty:.1}" text-anchor="end" class="label">{short}</text><rect x="{LABEL}" y="{ry:.1}" width="{length:.1}" height="{h:.1}" rx="2" fill="{colour}"/><text x="{vx:.1}" y="{ty:.1}" class="value">{value}</text></g>"#,
            full = escape(label),
            short = escape(&shorten_start(label, 42)),
            lx = LABEL - 8.0,
            ty = y + ROW * 0.68,
            ry = y + 3.0,
            h = ROW - 6.0,
            colour = PALETTE[0],
            vx = LABEL + length + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a line chart.
pub struct Series {
    pub name: String,
    /// One value per x position; None: no data there (no point, a gap in
    /// the line).
    pub values: Vec<Option<f64>>,
}

/// A line chart of percentages (0–100) over `points`, left to right, with a
/// legend; each point has a tooltip naming its series, point and value.
pub fn percent_line_chart(title: &str, points: &[String], series: &[Series]) -> String {
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 24.0;
    const TOP: f64 = 16.0;
    const PLOT: f64 = 220.0;
    const LEGEND_ROW: f64 = 20.0;
    let legend_top = TOP + PLOT + 48.0;
    let height = legend_top + LEGEND_ROW * series.len().max(1) as f64 + 8.0;
    let plot_width = WIDTH - LEFT - RIGHT;
    let x_of = |at: usize| {
        if points.len() <= 1 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * at as f64 / (points.len() - 1) as f64
        }
    };
    let y_of = |value: f64| TOP + PLOT * (1.0 - value.clamp(0.0, 100.0) / 100.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart line-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{label}"><title>{label}</title>"#,
        label = escape(title)
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let y = y_of(tick);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" class="grid"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="end" class="axis">{tick}%</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        );
    }
    // Labels (first line: the point's name up to a space, second: the rest)
    // at least 120 pixels apart, counted back from the newest point.
    let per_point = if points.len() > 1 {
        plot_width / (points.len() - 1) as f64
    } else {
        plot_width
    };
    let stride = ((120.0 / per_point).ceil() as usize).max(1);
    let labelled: Vec<usize> = (0..points.len()).rev().step_by(stride).collect();
    for at in labelled {
        let anchor = if points.len() <= 1 {
            "middle"
        } else if at == 0 {
            "start"
        } else if at == points.len() - 1 {
            "end"
        } else {
            "middle"
        };
        let (first, second) = points[at].split_once(' ').unwrap_or((&points[at], ""));
        let x = x_of(at);
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" class="axis"><tspan x="{x:.1}">{first}</tspan><tspan x="{x:.1}" dy="13">{second}</tspan></text>"#,
            y = TOP + PLOT + 16.0,
            first = escape(first),
            second = escape(second),
        );
    }
    for (index, line) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        // One polyline per run of points with data.
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (at, value) in line.values.iter().enumerate() {
            match value {
                Some(value) => {
                    if let Some(run) = runs.last_mut() {
                        run.push(format!("{:.1},{:.1}", x_of(at), y_of(*value)));
                    }
                }
                None => runs.push(Vec::new()),
            }
        }
        for coordinates in runs.iter().filter(|run| run.len() > 1) {
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                coordinates.join(" ")
            );
        }
        for (at, value) in line
            .values
            .iter()
            .enumerate()
            .filter_map(|(at, value)| value.map(|value| (at, value)))
        {
            let _ = write!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{colour}"><title>{name} at {point}: {value:.2}%</title></circle>"#,
                x = x_of(at),
                y = y_of(value),
                name = escape(&line.name),
                point = escape(points.get(at).map_or("", String::as_str)),
            );
        }
        let y = legend_top + LEGEND_ROW * index as f64;
        let _ = write!(
            svg,
            r#"<rect x="{LEFT}" y="{ry:.1}" width="12" height="12" fill="{colour}"/><text x="{tx:.1}" y="{ty:.1}" class="label">{name}</text>"#,
            ry = y,
            tx = LEFT + 18.0,
            ty = y + 11.0,
            name = escape(&line.name),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_long_paths_keep_their_end() {
        let svg = bar_chart("per <dir>", &[("a/<b>".into(), 3), ("c".into(), 1)]);
        assert!(svg.contains("per &lt;dir&gt;"));
        assert!(svg.contains("a/&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert_eq!(shorten_start("abcdef", 4), "…def");
    }

    #[test]
    fn a_single_point_is_drawn_without_a_line() {
        let svg = percent_line_chart(
            "trend",
            &["abc".into()],
            &[Series {
                name: "x".into(),
                values: vec![Some(50.0)],
            }],
        );
        assert!(svg.contains("<circle"));
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn no_data_is_a_gap_not_a_point() {
        let svg = percent_line_chart(
            "trend",
            &["a".into(), "b".into(), "c".into(), "d".into()],
            &[Series {
                name: "x".into(),
                values: vec![None, Some(50.0), Some(75.0), None],
            }],
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(!svg.contains("at a:"));
    }
}
