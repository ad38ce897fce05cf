//! Researchers' own files (#12): HTML in GBK with page chrome, a PDF with a
//! Chinese text layer, a PDF without one, a .docx, a plain .txt, and a
//! manifest.csv with bad rows; then `index --update` after adding, changing
//! and deleting files, compared with a full rebuild. Every fixture is written
//! here by the test.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{answers, assert_same, build_index, json, stdout, tifa, update_index, write};
use serde_json::Value;

// ---------- fixture writers ----------

/// A one-page PDF whose text layer draws `lines` (x, y, text) with a Type0
/// font (Identity-H, a ToUnicode map, ASCII 500 units wide, CJK 1000), like
/// the PDFs Word or WPS export for Chinese text. No glyphs are embedded:
/// only the text layer matters here.
fn pdf_with_text(lines: &[(f64, f64, &str)], title: Option<&str>) -> Vec<u8> {
    let mut cjk: Vec<char> = Vec::new();
    let mut content = String::from("BT\n/F1 12 Tf\n");
    for (x, y, text) in lines {
        let mut hex = String::new();
        for c in text.chars() {
            let cid = if c.is_ascii() {
                c as u32
            } else {
                let at = cjk.iter().position(|&k| k == c).unwrap_or_else(|| {
                    cjk.push(c);
                    cjk.len() - 1
                });
                1000 + at as u32
            };
            hex.push_str(&format!("{cid:04X}"));
        }
        content.push_str(&format!("1 0 0 1 {x} {y} Tm\n<{hex}> Tj\n"));
    }
    content.push_str("ET\n");
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Test-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let mut pairs: Vec<(u32, char)> = (0x20u32..0x7F)
        .map(|c| (c, char::from_u32(c).expect("ascii")))
        .collect();
    pairs.extend(cjk.iter().enumerate().map(|(i, &c)| (1000 + i as u32, c)));
    for chunk in pairs.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (cid, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{cid:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let info = title.map(|t| {
        let hex: String = t.encode_utf16().map(|u| format!("{u:04X}")).collect();
        format!("<< /Title <FEFF{hex}> >>")
    });
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        stream(&content),
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".to_string(),
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 /W [32 126 500] >>".to_string(),
        stream(&cmap),
        "<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>".to_string(),
        info.unwrap_or_else(|| "<< >>".to_string()),
    ];
    pdf(&objects)
}

/// A PDF whose only page draws a filled rectangle (a scan has an image; no text either way).
/// A scanned page: an image drawn over the page, no text.
fn pdf_without_text() -> Vec<u8> {
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>".to_string(),
        stream("q 595 0 0 842 0 0 cm /Im1 Do Q\n"),
        "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 2 >>\nstream\nx\nendstream".to_string(),
    ];
    pdf(&objects)
}

/// A page with a drawing and neither text nor images: nothing OCR could read.
fn pdf_with_nothing_to_read() -> Vec<u8> {
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_string(),
        stream("0 0 1 rg 100 100 300 500 re f\n"),
    ];
    pdf(&objects)
}

fn stream(body: &str) -> String {
    format!("<< /Length {} >>\nstream\n{body}endstream", body.len())
}

/// Objects 1..n, an xref table with their offsets, a trailer (Info = the
/// last object when there are nine).
fn pdf(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let info = if objects.len() == 9 {
        " /Info 9 0 R"
    } else {
        ""
    };
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A .docx with the given paragraphs (a table cell among them) and title.
fn docx(paragraphs: &[&str], title: &str) -> Vec<u8> {
    let mut body = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let escaped = p.replace('&', "&amp;").replace('<', "&lt;");
        let para = format!(
            r#"<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>"#
        );
        if i == 1 {
            body.push_str(&format!("<w:tbl><w:tr><w:tc>{para}</w:tc></w:tr></w:tbl>"));
        } else {
            body.push_str(&para);
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in [
            ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string()),
            ("word/document.xml", document),
            ("docProps/core.xml", core),
        ] {
            zip.start_file(name, options).expect("zip entry");
            zip.write_all(text.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    buf.into_inner()
}

const GBK_PAGE: &str = r#"<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>在第二届世界互联网大会开幕式上的讲话_中国网信网</title>
<meta name="PubDate" content="2015-12-16 10:30">
<script>document.write("网络主权脚本");</script><style>body{font:12px}</style>
</head><body>
<div class="top-nav"><a href="/">首页</a> | <a href="/a">网信要闻</a> | <a href="/b">政策法规</a></div>
<div class="breadcrumb">当前位置：首页 &gt; 讲话</div>
<div id="content"><h1>在第二届世界互联网大会开幕式上的讲话</h1>
<p>尊敬的各位嘉宾：</p>
<p>网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、扩大共识、深化合作，
共同构建网络空间命运共同体。</p>
<p>Cyberspace is the common space of activities for mankind &amp; its future should be in the hands of all countries.</p>
</div>
<div class="footer">版权所有：中国网信网 主办单位 copyright 2015</div>
</body></html>"#;

/// The folder of own documents used by the tests below.
fn own_documents(dir: &Path) -> PathBuf {
    let root = dir.join("own");
    let (gbk, _, _) = encoding_rs::GBK.encode(GBK_PAGE);
    write(&root, "pages/wic-2015.html", &gbk);
    write(
        &root,
        "papers/cyber-strategy.pdf",
        &pdf_with_text(
            &[
                (72.0, 760.0, "构建网络空间命运共同体，推进"),
                (72.0, 746.0, "全球互联网治理体系变革。"),
                (72.0, 716.0, "Respect for cyber sovereignty is an inter-"),
                (72.0, 702.0, "national principle of the order."),
                (290.0, 60.0, "- 1 -"),
            ],
            Some("PDF info title"),
        ),
    );
    write(&root, "papers/scanned.pdf", &pdf_without_text());
    write(&root, "papers/blank.pdf", &pdf_with_nothing_to_read());
    write(
        &root,
        "notes/memo.docx",
        &docx(
            &[
                "关于网络主权的说明",
                "表格中的网络安全审查",
                "Cyber sovereignty & data security",
            ],
            "Memo on cyber sovereignty",
        ),
    );
    write(
        &root,
        "notes/plain.txt",
        "没有前言的纯文本：网络强国战略。\n第二段。\n".as_bytes(),
    );
    write(
        &root,
        "manifest.csv",
        "path,id,date,title,lang,kind,speaker\n\
         pages/wic-2015.html,wic-2015-speech,,,,speech,Xi Jinping\n\
         papers/cyber-strategy.pdf,,2016-12-27,国家网络空间安全战略,,white_paper,\n\
         papers/missing.pdf,gone,2016,,,,\n\
         notes/memo.docx,memo-1,2017-03,,,memo,\n\
         notes/memo.docx,memo-again,2017-04,,,,\n\
         notes/plain.txt,plain-1,2018-01-02,,zh,note,\"A, B\",extra\n\
         notes/plain.txt,plain-1,2018-01-02,,zh,note,\n"
            .as_bytes(),
    );
    root
}

fn documents(paths: &[PathBuf]) -> (Vec<tifa::corpus::Document>, tifa::corpus::LoadReport) {
    let mut report = tifa::corpus::LoadReport::default();
    let mut docs = Vec::new();
    tifa::corpus::load(
        paths,
        tifa::corpus::Limits::default(),
        &mut report,
        |d| {
            docs.push(d);
            Ok(())
        },
        |_| {},
    )
    .expect("load");
    (docs, report)
}

// ---------- formats and the sheet ----------

#[test]
fn own_files_give_the_right_text_and_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = own_documents(dir.path());
    let (docs, report) = documents(std::slice::from_ref(&root));
    let by_id = |id: &str| {
        docs.iter().find(|d| d.id == id).unwrap_or_else(|| {
            panic!(
                "no document {id}: {:?}",
                docs.iter().map(|d| &d.id).collect::<Vec<_>>()
            )
        })
    };

    let html = by_id("wic-2015-speech");
    assert_eq!(html.title, "在第二届世界互联网大会开幕式上的讲话");
    assert_eq!(
        html.date.map(|d| d.to_string()).as_deref(),
        Some("2015-12-16")
    );
    assert_eq!(html.kind, "speech");
    assert_eq!(html.lang, "zh");
    assert_eq!(
        html.extra.get("speaker").map(String::as_str),
        Some("Xi Jinping")
    );
    assert_eq!(html.extra.get("encoding").map(String::as_str), Some("gbk"));
    assert_eq!(
        html.text,
        "在第二届世界互联网大会开幕式上的讲话\n尊敬的各位嘉宾：\n网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、扩大共识、深化合作，共同构建网络空间命运共同体。\nCyberspace is the common space of activities for mankind & its future should be in the hands of all countries."
    );
    for chrome in ["首页", "网信要闻", "版权所有", "网络主权脚本", "font:12px"] {
        assert!(!html.text.contains(chrome), "{chrome} kept");
    }

    // Id from the path, title and date from the sheet (over the PDF's own title).
    let pdf = by_id("papers/cyber-strategy.pdf");
    assert_eq!(pdf.title, "国家网络空间安全战略");
    assert_eq!(
        pdf.date.map(|d| d.to_string()).as_deref(),
        Some("2016-12-27")
    );
    assert_eq!(pdf.kind, "white_paper");
    assert_eq!(pdf.lang, "zh");
    assert_eq!(
        pdf.text,
        "构建网络空间命运共同体，推进全球互联网治理体系变革。\nRespect for cyber sovereignty is an international principle of the order."
    );

    let memo = by_id("memo-1");
    assert_eq!(memo.title, "Memo on cyber sovereignty");
    assert_eq!(memo.date.map(|d| d.to_string()).as_deref(), Some("2017-03"));
    assert_eq!(memo.lang, "zh");
    assert_eq!(
        memo.text,
        "关于网络主权的说明\n表格中的网络安全审查\nCyber sovereignty & data security"
    );

    let plain = by_id("plain-1");
    assert_eq!(plain.text, "没有前言的纯文本：网络强国战略。\n第二段。");
    assert_eq!(plain.title, "plain");
    assert_eq!(docs.len(), 4, "the scanned PDF is not a document");

    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    let sheet = root.join("manifest.csv").display().to_string();
    assert!(
        has(&format!(
            "{sheet}:4: skipped: \"papers/missing.pdf\" does not exist"
        )),
        "{problems:#?}"
    );
    assert!(
        has(&format!(
            "{sheet}:6: skipped: \"notes/memo.docx\" already has a row (line 5)"
        )),
        "{problems:#?}"
    );
    assert!(
        has(&format!(
            "{sheet}:7: skipped: 8 cells where the header has 7"
        )),
        "{problems:#?}"
    );
    assert!(
        has("scanned.pdf:1: skipped: no text layer in 1 page(s): scanned? run OCR first"),
        "{problems:#?}"
    );
}

#[test]
fn an_ocr_column_on_a_file_that_is_not_a_pdf_is_named() {
    // OCR reads scanned PDFs; `ocr=yes` on a text or web page would be
    // ignored without a word, so the file's warning says so (with the
    // sheet's line) and the text is read as it is.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("asked");
    write(&root, "note.txt", "网络主权的说明。\n".as_bytes());
    write(
        &root,
        "page.html",
        b"<html><body><p>\xe7\xbd\x91\xe7\xbb\x9c</p></body></html>",
    );
    write(&root, "plain.txt", "没有要求。\n".as_bytes());
    write(
        &root,
        "manifest.csv",
        b"path,date,ocr\nnote.txt,2016-01-01,yes\npage.html,2016-01-02,no\nplain.txt,2016-01-03,\n",
    );
    let (docs, report) = documents(std::slice::from_ref(&root));
    assert_eq!(docs.len(), 3, "{:?}", report.problems);
    let note = docs.iter().find(|d| d.id == "note.txt").expect("note.txt");
    assert_eq!(note.text, "网络主权的说明。");
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let about = |file: &str| problems.iter().filter(|p| p.contains(file)).count();
    assert!(
        problems.iter().any(|p| p.contains("note.txt")
            && p.contains("ocr column says \"yes\" (line 2)")
            && p.contains("scanned PDFs only")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("page.html") && p.contains("says \"no\" (line 3)")),
        "{problems:?}"
    );
    assert_eq!(
        about("plain.txt"),
        0,
        "an empty cell asks nothing: {problems:?}"
    );
}

#[test]
fn own_files_are_searchable_with_their_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = own_documents(dir.path());
    let index = dir.path().join("idx");
    let out = tifa(&index).arg("index").arg(&root).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("manifest.csv:4: skipped"), "{stderr}");
    assert!(stderr.contains("no text layer"), "{stderr}");
    // A PDF with neither text nor images is not sent to OCR.
    assert!(
        stderr.contains(
            "blank.pdf:1: skipped: no text could be read from its 1 page(s), and it holds no images"
        ),
        "{stderr}"
    );
    let hits = |args: &[&str]| -> Vec<String> {
        let v: Value = json(&index, &[&["search"], args, &["--json", "--all"]].concat());
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().expect("id").to_string())
            .collect()
    };
    let mut both = hits(&["网络空间命运共同体"]);
    both.sort();
    assert_eq!(both, ["papers/cyber-strategy.pdf", "wic-2015-speech"]);
    assert_eq!(
        hits(&["international principle"]),
        ["papers/cyber-strategy.pdf"]
    );
    assert_eq!(hits(&["首页"]), Vec::<String>::new());
    assert_eq!(hits(&["网络主权", "--where", "kind=memo"]), ["memo-1"]);
    assert_eq!(
        hits(&["网络空间", "--where", "speaker=Xi Jinping"]),
        ["wic-2015-speech"]
    );
    let trace = json(&index, &["trace", "网络空间命运共同体", "--json"]);
    let text = trace.to_string();
    assert!(
        text.contains("2015-12-16") && text.contains("wic-2015-speech"),
        "{text}"
    );
}

// ---------- incremental updates ----------

const UPDATE_TERMS: [&str; 6] = [
    "网络空间命运共同体",
    "网络主权",
    "cyber sovereignty",
    "共同体",
    "新闻",
    "网络",
];

fn jsonl(records: &[(&str, &str, &str)]) -> Vec<u8> {
    records
        .iter()
        .map(|(id, date, text)| {
            serde_json::json!({"id": id, "date": date, "title": format!("标题 {id}"), "lang": "zh", "kind": "article", "text": text})
                .to_string()
                + "\n"
        })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn update_after_adding_changing_and_deleting_equals_a_full_rebuild() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = own_documents(dir.path());
    let news = dir.path().join("news");
    write(
        &news,
        "a.jsonl",
        &jsonl(&[
            ("x", "2015-01-01", "网络主权是新闻 x 的主题。"),
            ("y", "2015-02-01", "网络空间命运共同体，新闻 y。"),
            ("w", "2015-02-01", "网络与共同体，新闻 w。"),
        ]),
    );
    write(
        &news,
        "b.jsonl",
        &jsonl(&[
            ("y", "2016-01-01", "b 里重复的 y：网络。"),
            ("z", "2016-03-01", "网络主权，新闻 z。"),
        ]),
    );
    let paths = [root.as_path(), news.as_path()];
    let index = dir.path().join("idx");
    tifa(&index).arg("index").args(paths).assert().success();
    let unchanged = update_index(&index, &paths);
    assert!(
        unchanged.contains("0 files added, 0 replaced, 0 removed, 8 unchanged"),
        "{unchanged}"
    );

    // Add, change, delete; move ids between files.
    write(
        &root,
        "pages/new.htm",
        "<html><head><title>新页面</title><meta name=\"date\" content=\"2019-05-06\"></head><body><article><p>网络主权 and cyber sovereignty.</p></article></body></html>".as_bytes(),
    );
    write(
        &root,
        "papers/cyber-strategy.pdf",
        &pdf_with_text(&[(72.0, 760.0, "修订后的文本：网络主权。")], None),
    );
    std::fs::remove_file(root.join("notes/memo.docx")).expect("rm");
    let sheet = std::fs::read_to_string(root.join("manifest.csv")).expect("sheet");
    std::fs::write(
        root.join("manifest.csv"),
        sheet.replace(
            "plain-1,2018-01-02,,zh,note,\n",
            "plain-1,2019-01-02,,zh,note,\n",
        ),
    )
    .expect("sheet");
    // y leaves a.jsonl, so b.jsonl's y (repeated until now) must become live;
    // a new file sorted first takes x from a.jsonl.
    write(
        &news,
        "a.jsonl",
        &jsonl(&[
            ("x", "2015-01-01", "网络主权是新闻 x 的主题。"),
            ("w", "2015-02-01", "网络与共同体，新闻 w，改过。"),
        ]),
    );
    write(
        &news,
        "0-first.jsonl",
        &jsonl(&[("x", "2014-06-01", "更早的 x：网络空间命运共同体。")]),
    );
    let changed = update_index(&index, &paths);
    assert!(changed.contains("2 files added"), "{changed}");
    assert!(changed.contains("3 replaced"), "{changed}");
    assert!(changed.contains("1 removed (notes/memo.docx)"), "{changed}");
    assert!(
        changed.contains("unchanged files read again because ids moved"),
        "{changed}"
    );

    let rebuilt = dir.path().join("rebuilt");
    tifa(&rebuilt).arg("index").args(paths).assert().success();
    let updated = answers(&index, &UPDATE_TERMS);
    assert_same(&updated, &answers(&rebuilt, &UPDATE_TERMS));
    // The answers are the new ones (not the old index's).
    let x = stdout(&index, &["trace", "网络空间命运共同体", "--json"]).to_string();
    assert!(x.contains("2014-06-01"), "{x}");
    assert!(common::search_ids(&index, &["关于网络主权的说明"]).is_empty());
    assert_eq!(common::search_ids(&index, &["b 里重复的 y"]), ["y"]);
}

#[test]
fn killed_update_leaves_the_previous_index_and_a_running_build_refuses_it() {
    use std::process::{Command as StdCommand, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("tempdir");
    let root = own_documents(dir.path());
    let index = dir.path().join("idx");
    tifa(&index).arg("index").arg(&root).assert().success();
    let before = answers(&index, &UPDATE_TERMS[..2]);
    write(
        &root,
        "later.md",
        "---\nid: later\ndate: 2020-01-01\n---\n网络主权的新文本。\n".as_bytes(),
    );
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("tifa"))
        .arg("--index")
        .arg(&index)
        .args(["index", "--update"])
        .arg(&root)
        .env("TIFA_TEST_PAUSE_AFTER_DOCS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while !std::fs::read_dir(&index)
        .expect("index")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with(".build-"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "update did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    tifa(&index)
        .args(["index", "--update"])
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains("being built by another process"));
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    assert_same(&answers(&index, &UPDATE_TERMS[..2]), &before);
    let done = update_index(&index, &[&root]);
    assert!(done.contains("1 files added (later.md)"), "{done}");
    assert_eq!(common::search_ids(&index, &["网络主权的新文本"]), ["later"]);
}

#[test]
fn update_without_an_index_says_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = own_documents(dir.path());
    tifa(&dir.path().join("none"))
        .args(["index", "--update"])
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains("run `tifa index PATHS` first"));
}

// ---------- PDFs in the predefined CJK encodings (#24) ----------

/// A one-page PDF whose text is `hex` (the string's codes in `encoding`)
/// set in a non-embedded standard CJK font, as ReportLab writes
/// STSong-Light (GB1) and MSung-Light (CNS1).
fn pdf_predefined(encoding: &str, ordering: &str, font: &str, hex: &str) -> Vec<u8> {
    pdf_predefined_lines(
        encoding,
        ordering,
        font,
        &[(12.0, 72.0, 760.0, hex.to_string())],
    )
}

/// [`pdf_predefined`] with lines of their own size and place: (size, x, y, hex).
fn pdf_predefined_lines(
    encoding: &str,
    ordering: &str,
    font: &str,
    lines: &[(f64, f64, f64, String)],
) -> Vec<u8> {
    let content: String = lines
        .iter()
        .map(|(size, x, y, hex)| format!("BT /F1 {size} Tf {x} {y} Td <{hex}> Tj ET\n"))
        .collect();
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>".to_string(),
        format!("<< /Type /Font /Subtype /Type0 /BaseFont /{font} /Encoding /{encoding} /DescendantFonts [5 0 R] >>"),
        format!("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{font} /CIDSystemInfo << /Registry (Adobe) /Ordering ({ordering}) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>"),
        stream(&content),
        format!("<< /Type /FontDescriptor /FontName /{font} /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"),
    ];
    pdf(&objects)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn utf16_be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// pdf-extract cannot decode the predefined encodings; Poppler's pdftotext
/// reads them (`.ci/run` installs poppler-utils and sets TIFA_PDF_TESTS):
/// the text is exact, the document says which reader gave it, and the
/// phrase is found. Without pdftotext the error names the package.
/// A two-column page drawn row by row (left line 1, right line 1, left line
/// 2, …: how many publishing systems write it) under a heading that spans
/// both columns: read as the heading, the left column, the right column —
/// not interleaved.
#[test]
fn two_column_pdfs_are_read_column_by_column() {
    let left = [
        "网络空间命运共同体是各",
        "国的共同愿景，需要各方",
        "携手努力。",
    ];
    let right = [
        "互联网是人类的共同家园",
        "，让它更好地造福世界各",
        "国人民。",
    ];
    let mut lines: Vec<(f64, f64, &str)> = vec![(
        72.0,
        760.0,
        "第二届世界互联网大会主旨演讲摘要与各方回应全文",
    )];
    for (i, (l, r)) in left.iter().zip(&right).enumerate() {
        let y = 730.0 - 15.0 * i as f64;
        lines.push((72.0, y, l));
        lines.push((320.0, y, r));
    }
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("own");
    write(&root, "columns.pdf", &pdf_with_text(&lines, None));
    let (docs, report) = documents(&[root.join("columns.pdf")]);
    assert_eq!(docs.len(), 1, "{:?}", report.problems);
    let paragraphs: Vec<&str> = docs[0].text.lines().collect();
    assert_eq!(
        paragraphs,
        [
            "第二届世界互联网大会主旨演讲摘要与各方回应全文",
            "网络空间命运共同体是各国的共同愿景，需要各方携手努力。",
            "互联网是人类的共同家园，让它更好地造福世界各国人民。",
        ],
        "{}",
        docs[0].text
    );
    // One column with a wide gap on a line (a tab stop) stays one line.
    let tabbed = pdf_with_text(
        &[
            (72.0, 760.0, "第一条"),
            (200.0, 760.0, "为了保障网络安全，维护网络空间主权，"),
            (72.0, 745.0, "制定本法。"),
        ],
        None,
    );
    write(&root, "tabbed.pdf", &tabbed);
    let (docs, _) = documents(&[root.join("tabbed.pdf")]);
    assert!(
        docs[0].text.contains("第一条 为了保障网络安全"),
        "{}",
        docs[0].text
    );
}

/// A PDF as researchers often make one: a web page printed by headless
/// Chromium (embedded CID TrueType subsets with a Unicode map, Type 3 glyphs
/// for marks). The test prints a page the test writes and reads it back:
/// every paragraph exact, title from the PDF, both languages searchable.
#[test]
fn chromium_printed_pdfs_are_read_exactly() {
    let chromium = std::path::Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        assert!(
            std::env::var_os("TIFA_BROWSER_TESTS").is_none(),
            "TIFA_BROWSER_TESTS is set but /usr/bin/chromium is missing: apt-get install chromium"
        );
        eprintln!("SKIPPED: no Chromium here (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let paragraphs = [
        "各国应尊重网络主权，共同构建网络空间命运共同体。",
        "China advocates a community with a shared future in cyberspace.",
        "互联网是人类的共同家园。",
    ];
    let html = format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>网络空间国际合作</title></head><body><h1>网络空间国际合作战略</h1>{}</body></html>",
        paragraphs
            .iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>()
    );
    let page = dir.path().join("page.html");
    std::fs::write(&page, html).expect("html");
    let root = dir.path().join("own");
    std::fs::create_dir_all(&root).expect("own");
    let pdf = root.join("printed.pdf");
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("chromium runs");
    assert!(status.success() && pdf.exists(), "chromium printed no PDF");
    let (docs, report) = documents(std::slice::from_ref(&pdf));
    assert_eq!(docs.len(), 1, "{:?}", report.problems);
    let text = &docs[0].text;
    assert!(text.contains("网络空间国际合作战略"), "{text}");
    for p in paragraphs {
        assert!(
            text.contains(p),
            "{p} not read exactly from the printed PDF: {text}"
        );
    }
    let index = dir.path().join("idx");
    tifa(&index).arg("index").arg(&root).assert().success();
    for q in [
        "网络空间命运共同体",
        "\"community with a shared future in cyberspace\"",
    ] {
        let hits = json(&index, &["search", q, "--json"]);
        assert_eq!(hits["total"], 1, "{q}: {hits}");
    }
}

/// Word 97–2003: LibreOffice writes a `.doc` from a text the test writes
/// (Simplified, Traditional and English paragraphs), tifa reads it through
/// catdoc with every paragraph exact; an HTML page and an RTF file named
/// `.doc` (as government sites serve them) are read as HTML and named; a .doc
/// without catdoc on the PATH is skipped with the package to install.
/// `.ci/run` installs libreoffice-writer-nogui and catdoc and sets
/// TIFA_DOC_TESTS.
#[test]
fn word_97_doc_files_are_read_through_catdoc() {
    let soffice = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !soffice || !tifa::extract::doc::available() {
        assert!(
            std::env::var_os("TIFA_DOC_TESTS").is_none(),
            "TIFA_DOC_TESTS is set but soffice or catdoc is missing: apt-get install libreoffice-writer-nogui catdoc"
        );
        eprintln!("SKIPPED: no LibreOffice or catdoc here (.ci/run installs them)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let paragraphs = [
        "网络安全审查办法",
        "各国应尊重网络主权，共同构建网络空间命运共同体。",
        "推動構建網絡空間命運共同體。",
        "China advocates a community with a shared future in cyberspace.",
    ];
    let source = dir.path().join("rules.txt");
    std::fs::write(&source, paragraphs.join("\n\n")).expect("txt");
    let root = dir.path().join("own");
    std::fs::create_dir_all(&root).expect("own");
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "doc:MS Word 97", "--outdir"])
        .arg(&root)
        .arg(&source)
        // Its own profile, so that a user's running LibreOffice is not asked.
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("profile").display()
        ))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("soffice runs");
    let doc = root.join("rules.doc");
    assert!(
        status.success() && doc.exists(),
        "LibreOffice wrote no .doc"
    );
    assert!(
        std::fs::read(&doc)
            .expect("doc")
            .starts_with(&[0xD0, 0xCF, 0x11, 0xE0]),
        "not a Word 97 (OLE2) file"
    );
    let (docs, report) = documents(std::slice::from_ref(&doc));
    assert_eq!(docs.len(), 1, "{:?}", report.problems);
    let lines: Vec<&str> = docs[0].text.lines().collect();
    assert_eq!(lines, paragraphs, "the paragraphs, exactly and in order");
    // Downloads named .doc that are not Word files.
    write(
        &root,
        "page.doc",
        "<html><head><meta charset=\"utf-8\"><title>网页另存</title></head><body><p>数字中国建设整体布局规划</p></body></html>".as_bytes(),
    );
    write(&root, "letter.doc", b"{\\rtf1\\ansi hello}");
    let index = dir.path().join("idx");
    tifa(&index)
        .arg("index")
        .arg(&root)
        .assert()
        .success()
        .stderr(predicates::str::contains("letter.doc"))
        .stderr(predicates::str::contains("an RTF file named .doc"));
    for (q, id) in [
        ("网络空间命运共同体", "rules.doc"),
        ("網絡空間命運共同體", "rules.doc"),
        (
            "\"community with a shared future in cyberspace\"",
            "rules.doc",
        ),
        ("数字中国建设整体布局规划", "page.doc"),
    ] {
        let hits = json(&index, &["search", q, "--json"]);
        assert_eq!(hits["total"], 1, "{q}: {hits}");
        assert_eq!(hits["hits"][0]["id"], id, "{q}: {hits}");
    }
    // Without catdoc the file is skipped, and the message says what to install.
    let empty_path = dir.path().join("no-tools");
    std::fs::create_dir_all(&empty_path).expect("dir");
    let lonely = dir.path().join("lonely");
    std::fs::create_dir_all(&lonely).expect("dir");
    std::fs::copy(&doc, lonely.join("rules.doc")).expect("copy");
    tifa(&dir.path().join("idx2"))
        .env("PATH", &empty_path)
        .arg("index")
        .arg(&lonely)
        .assert()
        .stderr(predicates::str::contains("rules.doc"))
        .stderr(predicates::str::contains("apt-get install catdoc"));
}

/// Through Poppler, a heading and the paragraphs under it stay apart (its
/// plain text runs them together with single line breaks, which made
/// "战略各国" a phrase of the document), and a line wrap inside a paragraph
/// is joined.
#[test]
fn poppler_keeps_paragraphs_apart_and_joins_wrapped_lines() {
    if !tifa::extract::poppler::available() {
        assert!(
            std::env::var_os("TIFA_PDF_TESTS").is_none(),
            "TIFA_PDF_TESTS is set but pdftotext is missing: apt-get install poppler-utils"
        );
        eprintln!("SKIPPED: no pdftotext here (.ci/run installs poppler-utils)");
        return;
    }
    let ucs2 = |s: &str| hex(&utf16_be(s));
    let bytes = pdf_predefined_lines(
        "UniGB-UCS2-H",
        "GB1",
        "STSong-Light",
        &[
            (18.0, 72.0, 780.0, ucs2("网络空间国际合作战略")),
            (
                12.0,
                72.0,
                740.0,
                ucs2(
                    "各国应尊重网络主权，维护和平安全，促进开放合作，构建良好秩序，共同构建网络空间",
                ),
            ),
            (12.0, 72.0, 724.0, ucs2("命运共同体。")),
            (12.0, 72.0, 690.0, ucs2("推进全球互联网治理体系变革。")),
        ],
    );
    let e = tifa::extract::pdf::extract(&bytes).expect("read through pdftotext");
    assert_eq!(
        e.text,
        "网络空间国际合作战略\n各国应尊重网络主权，维护和平安全，促进开放合作，构建良好秩序，共同构建网络空间命运共同体。\n推进全球互联网治理体系变革。"
    );
}

#[test]
fn predefined_cjk_encodings_are_read_through_poppler() {
    let simplified = "各国应尊重网络主权";
    let traditional = "各國應尊重網絡主權";
    let encode = |name: &'static str, s: &str| -> Vec<u8> {
        let encoding = encoding_rs::Encoding::for_label(name.as_bytes()).expect("encoding");
        encoding.encode(s).0.into_owned()
    };
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "ucs2.pdf",
            pdf_predefined(
                "UniGB-UCS2-H",
                "GB1",
                "STSong-Light",
                &hex(&utf16_be(simplified)),
            ),
            simplified,
        ),
        (
            "utf16.pdf",
            pdf_predefined(
                "UniGB-UTF16-H",
                "GB1",
                "STSong-Light",
                &hex(&utf16_be(simplified)),
            ),
            simplified,
        ),
        (
            "gbk.pdf",
            pdf_predefined(
                "GBK-EUC-H",
                "GB1",
                "STSong-Light",
                &hex(&encode("gbk", simplified)),
            ),
            simplified,
        ),
        (
            "cns.pdf",
            pdf_predefined(
                "UniCNS-UCS2-H",
                "CNS1",
                "MSung-Light",
                &hex(&utf16_be(traditional)),
            ),
            traditional,
        ),
        (
            "big5.pdf",
            pdf_predefined(
                "B5pc-H",
                "CNS1",
                "MSung-Light",
                &hex(&encode("big5", traditional)),
            ),
            traditional,
        ),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("pdfs");
    for (name, bytes, _) in &files {
        write(&root, name, bytes);
    }
    let (docs, report) = documents(std::slice::from_ref(&root));
    if !tifa::extract::poppler::available() {
        assert!(
            std::env::var_os("TIFA_PDF_TESTS").is_none(),
            "TIFA_PDF_TESTS is set but pdftotext is missing: apt-get install poppler-utils"
        );
        eprintln!("SKIPPED: no pdftotext on this machine (.ci/run installs poppler-utils)");
        let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("apt-get install poppler-utils")),
            "{problems:?}"
        );
        return;
    }
    assert_eq!(docs.len(), files.len(), "{:?}", report.problems);
    for (name, _, text) in &files {
        let doc = docs
            .iter()
            .find(|d| d.id.ends_with(name))
            .unwrap_or_else(|| panic!("{name} indexed"));
        assert_eq!(doc.text, *text, "{name}");
        let extractor = doc.extra.get("extractor").cloned().unwrap_or_default();
        assert!(extractor.starts_with("pdftotext"), "{name}: {extractor}");
    }
    // Searchable: the simplified phrase in three files, the traditional in two.
    let index = build_index(dir.path(), &root);
    let hits = json(&index, &["search", "网络主权", "--json"]);
    assert_eq!(hits["total"], 3);
    let hits = json(&index, &["search", "網絡主權", "--json"]);
    assert_eq!(hits["total"], 2);
}

// ---------- scanned PDFs and OCR (#24) ----------

/// A PDF of raw objects (bytes: an image stream is binary).
fn pdf_bytes(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A scan as researchers have them: the lines set in a standard Chinese
/// font, rendered to a 300-dpi grey image by Poppler, and that image alone
/// wrapped as a one-page PDF (no text layer).
fn scanned_pdf(lines: &[&str], dir: &Path) -> Vec<u8> {
    let shown: String = lines
        .iter()
        .map(|l| format!("<{}> Tj T* ", hex(&utf16_be(l))))
        .collect();
    let text_pdf = pdf(&[
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>".to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>".to_string(),
        stream(&format!("BT /F1 24 Tf 60 760 Td 30 TL {shown}ET\n")),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_string(),
    ]);
    let source = write(dir, "render/text.pdf", &text_pdf);
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-singlefile"])
        .arg(&source)
        .arg(dir.join("render/page"))
        .status()
        .expect("run pdftoppm");
    assert!(status.success());
    let pgm = std::fs::read(dir.join("render/page.pgm")).expect("the rendered page");
    // P5 header: "P5\nW H\n255\n", then W×H bytes.
    let mut header = pgm.splitn(4, |b| *b == b'\n');
    let (_, size, _) = (header.next(), header.next().expect("size"), header.next());
    let pixels = header.next().expect("pixels");
    let size = String::from_utf8_lossy(size);
    let (w, h) = size.split_once(' ').expect("W H");
    let dark = pixels.iter().filter(|p| **p < 128).count();
    assert!(
        dark > 1000,
        "the rendered page is blank: Poppler needs a Chinese font to draw STSong-Light (apt-get install fonts-wqy-microhei)"
    );
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(pixels).expect("compress");
    let image = z.finish().expect("compress");
    let mut image_object = format!(
        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {} >>\nstream\n",
        image.len()
    )
    .into_bytes();
    image_object.extend_from_slice(&image);
    image_object.extend_from_slice(b"\nendstream");
    let content = "q 595 0 0 842 0 0 cm /Im1 Do Q";
    pdf_bytes(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        image_object,
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes(),
    ])
}

/// `tifa index --ocr` reads a scanned PDF (the test makes it): the phrase is
/// found, the document says it is OCR text and how confident, the result is
/// cached by content (a rebuild reads the cache, not Tesseract), and without
/// --ocr the scan is skipped with the advice to use it.
#[test]
fn scanned_pdfs_are_read_by_ocr_marked_and_cached() {
    if tifa::extract::ocr::missing().is_some() || !tifa::extract::poppler::available() {
        assert!(
            std::env::var_os("TIFA_OCR_TESTS").is_none(),
            "TIFA_OCR_TESTS is set but OCR cannot run: {:?}",
            tifa::extract::ocr::missing()
        );
        eprintln!("SKIPPED: no Tesseract/Poppler here (.ci/run installs them)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let scan = scanned_pdf(
        &[
            "各国应尊重网络主权，",
            "共同构建网络空间命运共同体。",
            "互联网是人类的共同家园。",
        ],
        dir.path(),
    );
    let root = dir.path().join("scans");
    write(&root, "wic-2015-scan.pdf", &scan);
    // Dated by the sheet, so that it is a first appearance of a trace.
    write(
        &root,
        "manifest.csv",
        b"path,date,title\nwic-2015-scan.pdf,2015-12-16,Scan of a speech\n",
    );
    let cache = dir.path().join("ocr-cache");
    let index = dir.path().join("idx");
    let build = |ocr: bool| {
        let mut cmd = tifa(&index);
        cmd.env("TIFA_OCR_CACHE", &cache).arg("index").arg(&root);
        if ocr {
            cmd.arg("--ocr");
        }
        cmd.assert().success()
    };
    // Without --ocr: skipped, with the advice.
    let out = build(false);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("no text layer"), "{err}");
    build(true);
    let hits = json(&index, &["search", "网络空间命运共同体", "--json"]);
    assert_eq!(hits["total"], 1, "{hits}");
    let meta = &hits["hits"][0]["meta"];
    assert_eq!(meta["ocr"], "true");
    let confidence: f64 = meta["ocr_confidence"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .expect("confidence");
    assert!((1.0..=100.0).contains(&confidence), "{meta}");
    // Every view of it says so: the terminal's search, trace and concordance
    // lines, their JSON, and the trace, concordance and document pages.
    let note = format!("text from OCR, confidence {confidence:.0} %");
    let terminal_says = |args: &[&str]| {
        let shown = stdout(&index, args);
        assert!(
            shown.as_str().unwrap_or_default().contains(&note),
            "{args:?}: {shown}"
        );
    };
    terminal_says(&["search", "网络空间命运共同体"]);
    terminal_says(&["trace", "网络空间命运共同体"]);
    terminal_says(&["kwic", "网络空间命运共同体"]);
    for (args, pointer) in [
        (
            ["trace", "网络空间命运共同体", "--json"],
            "/first/ocr_confidence",
        ),
        (
            ["kwic", "网络空间命运共同体", "--json"],
            "/lines/0/ocr_confidence",
        ),
    ] {
        let answer = json(&index, &args);
        assert_eq!(
            answer.pointer(pointer).and_then(Value::as_str),
            meta["ocr_confidence"].as_str(),
            "{args:?}: {answer}"
        );
    }
    let server = common::serve(&index);
    let enc = common::enc("网络主权");
    for (path, marker) in [
        (
            format!("/kwic?q={enc}"),
            "class=\"ocr small\">text from OCR, confidence",
        ),
        (
            format!("/trace?term={enc}"),
            "class=\"ocr\">text from OCR, confidence",
        ),
        (
            "/doc/wic-2015-scan.pdf".to_string(),
            "id=\"ocr-note\">text from OCR, confidence",
        ),
    ] {
        let (status, _, page) = common::get(&server.base, &path);
        assert_eq!(status, 200, "{path}: {page}");
        assert!(page.contains(marker), "{path}: {page}");
    }
    drop(server);
    // Cached by content: a changed cache entry is what the rebuild reads.
    let entries: Vec<PathBuf> = std::fs::read_dir(&cache)
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let cached = std::fs::read_to_string(&entries[0]).expect("cached");
    std::fs::write(
        &entries[0],
        cached.replace("网络空间命运共同体", "缓存里的文字"),
    )
    .expect("edit");
    build(true);
    let hits = json(&index, &["search", "缓存里的文字", "--json"]);
    assert_eq!(hits["total"], 1, "the rebuild read the cache: {hits}");
    // The sheet's `ocr` column asks per file, without --ocr (the same scan
    // under two names: read from the cache); `ocr=no` keeps a file out of
    // OCR; an unreadable value is named; the column is not a field.
    let asked = dir.path().join("asked");
    write(&asked, "yes.pdf", &scan);
    write(&asked, "no.pdf", &scan);
    write(&asked, "maybe.pdf", &scan);
    write(
        &asked,
        "manifest.csv",
        b"path,date,ocr\nyes.pdf,2016-01-01,yes\nno.pdf,2016-01-01,no\nmaybe.pdf,2016-01-01,perhaps\n",
    );
    let asked_index = dir.path().join("asked-idx");
    let out = tifa(&asked_index)
        .env("TIFA_OCR_CACHE", &cache)
        .arg("index")
        .arg(&asked)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("no.pdf:1: skipped") && err.contains("no text layer"),
        "{err}"
    );
    let maybe = err
        .lines()
        .find(|l| l.contains("maybe.pdf:1: skipped"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(maybe.contains("ocr column says \"perhaps\""), "{maybe}");
    let hits = json(&asked_index, &["search", "缓存里的文字", "--json"]);
    assert_eq!(hits["total"], 1, "{hits}");
    assert_eq!(hits["hits"][0]["id"], "yes.pdf", "{hits}");
    assert_eq!(hits["hits"][0]["meta"]["ocr"], "true", "{hits}");
}
