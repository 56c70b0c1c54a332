//! The report's pictures, as SVG: the ECDF of every class, box plots, and
//! the confidence intervals of the differences from the first class.

use std::path::Path;

use plotters::prelude::*;

use super::analysis::{Analysis, Samples};
use super::stats::bootstrap::quantile_sorted;

const SIZE: (u32, u32) = (1000, 640);

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// The x range that leaves out the slowest and fastest 1% of all samples,
/// so a few stalls do not squash the picture.
fn x_range(samples: &Samples) -> (f64, f64) {
    let all: Vec<f64> = samples.blocks.iter().flatten().copied().collect();
    let all = sorted(&all);
    let (lo, hi) = (quantile_sorted(&all, 0.01), quantile_sorted(&all, 0.99));
    match lo.is_finite() && hi > lo {
        true => (lo, hi),
        false => (0.0, 1.0),
    }
}

/// ECDF per class.
pub fn ecdf(samples: &Samples, path: &Path) -> Result<(), String> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (lo, hi) = x_range(samples);
    let mut chart = ChartBuilder::on(&root)
        .caption("Answer time, ECDF per class (1st-99th percentile)", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(lo / 1e3..hi / 1e3, 0f64..1f64)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("microseconds")
        .y_desc("fraction of samples")
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, name) in samples.classes.iter().enumerate() {
        let v = sorted(&samples.class(i));
        let n = v.len().max(1) as f64;
        let points = v
            .iter()
            .enumerate()
            .filter(|(_, x)| **x >= lo && **x <= hi)
            .map(|(j, x)| (x / 1e3, (j + 1) as f64 / n));
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Box plots: box from the first to the third quartile, the median across
/// it, whiskers to the 5th and 95th percentiles.
pub fn boxes(samples: &Samples, path: &Path) -> Result<(), String> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (lo, hi) = x_range(samples);
    let k = samples.classes.len();
    let names = samples.classes.clone();
    let mut chart = ChartBuilder::on(&root)
        .caption("Answer time per class (box: quartiles; whiskers: 5th-95th percentile)", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(lo / 1e3..hi / 1e3, -0.5f64..k as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("microseconds")
        .y_labels(k.max(1))
        .y_label_formatter(&|y| {
            let i = y.round();
            match (i - y).abs() < 0.01 && i >= 0.0 {
                true => names.get(i as usize).cloned().unwrap_or_default(),
                false => String::new(),
            }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    for i in 0..k {
        let v = sorted(&samples.class(i));
        let q = |p| quantile_sorted(&v, p) / 1e3;
        let y = i as f64;
        let color = Palette99::pick(i).to_rgba();
        let lines = vec![
            PathElement::new(vec![(q(0.05), y), (q(0.25), y)], color.stroke_width(1)),
            PathElement::new(vec![(q(0.75), y), (q(0.95), y)], color.stroke_width(1)),
            PathElement::new(vec![(q(0.5), y - 0.3), (q(0.5), y + 0.3)], BLACK.stroke_width(2)),
        ];
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(q(0.25), y - 0.3), (q(0.75), y + 0.3)],
                color.stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
        chart.draw_series(lines).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// 95% bootstrap intervals of the median difference of every class from
/// the first one, with the trimmed mean's beside it; classes in
/// `left_out` are not drawn.
pub fn intervals(analysis: &Analysis, left_out: &[String], path: &Path) -> Result<(), String> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let Some(first) = analysis.pairs.first().map(|p| p.a.clone()) else {
        return root.present().map_err(|e| e.to_string());
    };
    let pairs: Vec<_> = analysis.pairs.iter().filter(|p| p.a == first && !left_out.contains(&p.b)).collect();
    let bounds = pairs
        .iter()
        .flat_map(|p| [p.median, p.trimmed_mean])
        .flatten()
        .flat_map(|i| [i.low / 1e3, i.high / 1e3])
        .fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let pad = ((bounds.1 - bounds.0) * 0.1).max(0.01);
    let labels: Vec<String> = pairs.iter().map(|p| p.b.clone()).collect();
    let n = pairs.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Difference from {first}, us: 95% CI of the median (dot) and trimmed mean (square)"),
            ("sans-serif", 18),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(bounds.0 - pad..bounds.1 + pad, -0.5f64..n as f64 - 0.5)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("microseconds (positive: slower than the first class)")
        .y_labels(n.max(1))
        .y_label_formatter(&|y| {
            let i = y.round();
            match (i - y).abs() < 0.01 && i >= 0.0 {
                true => labels.get(i as usize).cloned().unwrap_or_default(),
                false => String::new(),
            }
        })
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| e.to_string())?;
    for (i, p) in pairs.iter().enumerate() {
        let y = i as f64;
        let color = match p.significant {
            true => RED.to_rgba(),
            false => BLUE.to_rgba(),
        };
        let us = |i: super::stats::Interval| super::stats::Interval {
            estimate: i.estimate / 1e3,
            low: i.low / 1e3,
            high: i.high / 1e3,
        };
        if let Some(m) = p.median.map(us) {
            chart
                .draw_series([PathElement::new(
                    vec![(m.low, y + 0.1), (m.high, y + 0.1)],
                    color.stroke_width(2),
                )])
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Circle::new((m.estimate, y + 0.1), 4, color.filled())))
                .map_err(|e| e.to_string())?;
        }
        if let Some(t) = p.trimmed_mean.map(us) {
            chart
                .draw_series([PathElement::new(
                    vec![(t.low, y - 0.1), (t.high, y - 0.1)],
                    color.stroke_width(1),
                )])
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(t.estimate - pad * 0.02, y - 0.15), (t.estimate + pad * 0.02, y - 0.05)],
                    color.filled(),
                )))
                .map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}
