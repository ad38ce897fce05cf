//! Report charts render (to PNG, with resvg) as a paper needs them: one unit
//! on the y axis, a marker with a tooltip for every point, a CJK font list,
//! no local path in the source line.

mod common;

use common::{build_index, run_report, write};

fn record(id: &str, lang: &str, date: &str, text: &str) -> String {
    serde_json::json!({"id": id, "lang": lang, "kind": "speech", "date": date, "title": "t", "text": text})
        .to_string()
}

/// Renders an SVG to pixels with the machine's fonts (RGBA, 960×560).
fn render(svg: &str) -> resvg::tiny_skia::Pixmap {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &options).expect("a valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
}

#[test]
fn charts_have_one_unit_tooltips_and_render() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut lines = Vec::new();
    for (i, year) in (2013..=2018).enumerate() {
        for k in 0..=i {
            lines.push(record(
                &format!("zh-{year}-{k}"),
                "zh",
                &format!("{year}-03-0{}", k + 1),
                "构建人类命运共同体，推动发展。",
            ));
        }
        lines.push(record(
            &format!("en-{year}"),
            "en",
            &format!("{year}-05-01"),
            "a community with a shared future for mankind",
        ));
    }
    let corpus = write(
        dir.path(),
        "corpus/speeches.jsonl",
        (lines.join("\n") + "\n").as_bytes(),
    );
    let index = build_index(dir.path(), corpus.parent().expect("folder"));
    let terms = write(
        dir.path(),
        "terms.txt",
        "@mankind-community\n人类命运共同体\n".as_bytes(),
    );
    let out = dir.path().join("report");
    run_report(&index, &terms, &out);
    let family = std::fs::read_to_string(out.join("chart-mankind-community.svg")).expect("chart");
    // Chinese and English variants: one unit for all lines, the documents' share.
    assert!(family.contains("% of the year&apos;s documents"), "y axis");
    assert!(!family.contains("per million Han characters + English words</text>"));
    // Every marker has its tooltip.
    let markers = family.matches("<circle").count();
    assert!(markers > 0);
    assert_eq!(family.matches("<title>").count(), markers);
    assert!(
        family.contains("人类命运共同体 2018: 6 documents"),
        "tooltip"
    );
    assert!(family.contains("Noto Sans CJK SC"), "font list");
    assert!(
        !family.contains(dir.path().to_string_lossy().as_ref()),
        "local path"
    );
    // The overview mixes the family (both languages) with a Chinese term: shares.
    let overview = std::fs::read_to_string(out.join("overview.svg")).expect("overview");
    assert!(
        overview.contains("% of the year&apos;s documents"),
        "overview unit"
    );
    // Chinese terms only: per million Han characters.
    let terms = write(
        dir.path(),
        "zh.txt",
        "人类命运共同体\n推动发展\n".as_bytes(),
    );
    let zh = dir.path().join("zh");
    run_report(&index, &terms, &zh);
    let zh_overview = std::fs::read_to_string(zh.join("overview.svg")).expect("overview");
    assert!(
        zh_overview.contains("occurrences per million Han characters"),
        "zh unit"
    );
    // Rendered: the first series' colour (#1F77B4) is drawn, the page is white around it.
    for svg in [&family, &overview] {
        let pixmap = render(svg);
        // 960 wide; as tall as the plot (530), a margin (10) and the footer's wrapped lines
        // (the source and the stamp, 17 pixels each).
        assert_eq!(pixmap.width(), 960);
        let footer_lines = (pixmap.height() as usize).saturating_sub(540) / 17;
        assert!(
            (1..=6).contains(&footer_lines) && pixmap.height() as usize == 540 + 17 * footer_lines,
            "{}",
            pixmap.height()
        );
        let px = |r: u8, g: u8, b: u8| {
            pixmap
                .pixels()
                .iter()
                .filter(|p| p.red() == r && p.green() == g && p.blue() == b)
                .count()
        };
        assert!(px(0x1F, 0x77, 0xB4) > 100, "the first line is drawn");
        assert!(
            px(255, 255, 255) > (960 * pixmap.height() / 2) as usize,
            "white page"
        );
        // Keep the image for a look (target/tmp), as the issue asks.
        let name = if std::ptr::eq(svg, &family) {
            "family"
        } else {
            "overview"
        };
        let png =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("chart-{name}.png"));
        pixmap.save_png(&png).expect("png");
    }
}
