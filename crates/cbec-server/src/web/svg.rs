//! Charts drawn on the server as SVG: stacked bars over labelled buckets
//! (hours), with a title and a description for screen readers and a
//! tooltip (`<title>`) on every bar. Colours come from the style sheet
//! (classes `s0`…`s7`), so the page needs no inline style.

use super::escape;

/// The drawing area, in SVG units.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

/// A stacked bar chart: one bar per label, one segment per series (the
/// series' values, in label order; missing values count as 0).
pub(crate) fn stacked_bars(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[(String, Vec<i64>)],
) -> String {
    let totals: Vec<i64> =
        (0..labels.len()).map(|i| series.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0).max(0)).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let scale = nice(max);
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    let bar_w = (slot * 0.75).max(1.0);
    let mut out = format!(
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        id = escape(id),
        title = escape(title),
        desc = escape(desc),
    );
    // Axis and grid: 0, half and the top of the scale.
    for (n, v) in [(0i64, 0.0), (scale / 2, 0.5), (scale, 1.0)] {
        let y = TOP + plot_h * (1.0 - v);
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"end\">{n}</text>",
            x2 = WIDTH - 4.0,
            tx = LEFT - 4.0,
            ty = y + 4.0,
        ));
    }
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let mut y = TOP + plot_h;
        for (s, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0).max(0);
            if v == 0 {
                continue;
            }
            let h = plot_h * v as f64 / scale as f64;
            y -= h;
            out.push_str(&format!(
                "<rect class=\"s{c}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\">\
                 <title>{label} {name}: {v}</title></rect>",
                c = s % 8,
                label = escape(label),
                name = escape(name),
            ));
        }
        // A label under every fourth bar (and the last), to stay legible.
        if i % 4 == 0 || i + 1 == labels.len() {
            out.push_str(&format!(
                "<text class=\"axis\" x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">{label}</text>",
                cx = x + bar_w / 2.0,
                ly = HEIGHT - 6.0,
                label = escape(label),
            ));
        }
    }
    out.push_str("</svg>");
    // The legend, as text (not in the image), so it is read and wraps.
    if series.len() > 1 {
        out.push_str("<ul class=\"legend\">");
        for (s, (name, _)) in series.iter().enumerate() {
            out.push_str(&format!(
                "<li><span class=\"key s{}\" aria-hidden=\"true\"></span>{}</li>",
                s % 8,
                escape(name)
            ));
        }
        out.push_str("</ul>");
    }
    out
}

/// The top of the scale: the maximum rounded up to 1, 2 or 5 × 10ⁿ.
fn nice(max: i64) -> i64 {
    let mut base = 1i64;
    loop {
        for m in [1, 2, 5] {
            let v = base.saturating_mul(m);
            if v >= max {
                return v;
            }
        }
        if base > i64::MAX / 10 {
            return max;
        }
        base *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice(1), 1);
        assert_eq!(nice(3), 5);
        assert_eq!(nice(7), 10);
        assert_eq!(nice(11), 20);
        assert_eq!(nice(4321), 5000);
    }

    #[test]
    fn a_chart_is_accessible_svg_with_a_bar_per_value() {
        let labels = vec!["08:00".to_string(), "09:00".to_string()];
        let series = vec![("9610".to_string(), vec![3, 0]), ("1210 <x>".to_string(), vec![1, 2])];
        let svg = stacked_bars("c1", "Lists", "per hour", &labels, &series);
        assert!(svg.starts_with("<svg class=\"chart\" id=\"c1\""));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"c1-title\">Lists</title>"));
        assert_eq!(svg.matches("<rect").count(), 3, "zero values draw nothing");
        assert!(svg.contains("1210 &lt;x&gt;: 2"), "names are escaped");
    }
}
