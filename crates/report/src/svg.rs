//! Small SVG charts written by hand: horizontal bar charts and line charts.
//! Every label is XML-escaped, so the output is well-formed whatever the data.

use crate::escape::xml;

const WIDTH: u32 = 720;
const COLOURS: [&str; 4] = ["#2f5aa8", "#d9822b", "#3a9a5b", "#a83f2f"];

/// A horizontal bar chart with one bar per `(label, value)`.
pub fn bar_chart(title: &str, bars: &[(String, u64)]) -> String {
    // Wide enough for a 34-character label at 12 px.
    let label_width = 250u32;
    let row = 22u32;
    let top = 34u32;
    let height = top + row * (bars.len().max(1) as u32) + 12;
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let plot = WIDTH - label_width - 60;
    let mut out = svg_open(title, height);
    if bars.is_empty() {
        out.push_str(&format!(
            "<text x=\"{label_width}\" y=\"{}\" font-size=\"12\" fill=\"#666\">No data for this period</text>\n",
            top + 14
        ));
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = top + row * i as u32;
        let bar = ((*value as f64 / max as f64) * plot as f64).round() as u32;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>\n",
            label_width - 6,
            y + 14,
            xml(&truncate(label, 34))
        ));
        out.push_str(&format!(
            "<rect x=\"{label_width}\" y=\"{}\" width=\"{bar}\" height=\"{}\" fill=\"{}\"><title>{}: {value}</title></rect>\n",
            y + 3,
            row - 6,
            COLOURS[0],
            xml(label)
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\">{value}</text>\n",
            label_width + bar + 4,
            y + 14
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// A line chart of one or more series over shared x labels.
pub fn line_chart(title: &str, labels: &[String], series: &[(String, Vec<u64>)]) -> String {
    let height = 300u32;
    // The right margin leaves room for the last x label, centred on its point.
    let (left, right, top, bottom) = (50u32, 40u32, 40u32, 50u32);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let step = if labels.len() > 1 {
        plot_w as f64 / (labels.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| left as f64 + step * i as f64;
    let y_of = |v: u64| (top + plot_h) as f64 - (v as f64 / max as f64) * plot_h as f64;
    let mut out = svg_open(title, height);
    out.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\n",
        top + plot_h,
        left + plot_w,
        top + plot_h
    ));
    out.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#999\"/>\n",
        top + plot_h
    ));
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{max}</text>\n",
        left - 4,
        top + 4
    ));
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
        left - 4,
        top + plot_h
    ));
    for (i, label) in labels.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
            x_of(i),
            top + plot_h + 16,
            xml(label)
        ));
    }
    for (index, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n",
            points.join(" ")
        ));
        for (i, v) in values.iter().enumerate() {
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {v}</title></circle>\n",
                x_of(i),
                y_of(*v),
                xml(name)
            ));
        }
        let legend_x = left + 160 * index as u32;
        out.push_str(&format!(
            "<rect x=\"{legend_x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\n<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>\n",
            height - 18,
            legend_x + 16,
            height - 8,
            xml(&truncate(name, 22))
        ));
    }
    out.push_str("</svg>\n");
    out
}

fn svg_open(title: &str, height: u32) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{0}\">\n<title>{0}</title>\n<text x=\"8\" y=\"20\" font-size=\"15\" font-weight=\"bold\">{0}</text>\n",
        xml(title)
    )
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
