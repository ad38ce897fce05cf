//! Compares tifa's two PDF readers — pdf-extract (with tifa's joining and
//! column rules) and Poppler's pdftotext (with the same joining rules) — on
//! PDFs of different producers, against the paragraphs each PDF was made
//! from. Used by `bench/pdf-producers.sh`.
//!
//!     cargo run --release --example pdf_readers -- [--show] EXPECTED.txt A.pdf B.pdf …
//!
//! EXPECTED.txt holds one paragraph per line. For each PDF and reader it
//! prints: paragraphs found exactly (as a line of the text), whether the text
//! with all white space removed equals the expected one, and the spaces left
//! between two Chinese characters (each one breaks a phrase search).

use std::process::ExitCode;

use tifa::extract::{Extracted, pdf, poppler};

fn main() -> ExitCode {
    // pdf-extract panics on what it cannot decode; tifa contains it (and so
    // does this), and the message is the table's, not a backtrace.
    std::panic::set_hook(Box::new(|_| {}));
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // --show: each reader's text after the table row (to see what differs).
    let show = args.first().is_some_and(|a| a == "--show");
    if show {
        args.remove(0);
    }
    let Some((expected, pdfs)) = args.split_first() else {
        eprintln!("usage: pdf_readers EXPECTED.txt FILE.pdf…");
        return ExitCode::from(2);
    };
    let expected = match std::fs::read_to_string(expected) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot read {expected}: {e}");
            return ExitCode::from(2);
        }
    };
    let paragraphs: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let want = squeeze(&paragraphs.concat());
    println!(
        "| producer | reader | paragraphs exact | text equal (white space aside) | spaces between Han |"
    );
    println!("|---|---|---:|---|---:|");
    for path in pdfs {
        let name = std::path::Path::new(path)
            .file_stem()
            .map_or(path.clone(), |s| s.to_string_lossy().to_string());
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        };
        // tifa's reader: pdf-extract, or pdftotext when pdf-extract fails
        // (the document's extractor field says which).
        let tifa = pdf::extract(&bytes);
        let pdf_extract = match &tifa {
            Ok(e) if !used_pdftotext(e) => Ok(e.text.clone()),
            Ok(e) => Err(extractor(e)),
            Err(why) => Err(why.clone()),
        };
        let pdftotext = poppler::pdftotext(&bytes);
        for (reader, text) in [("pdf-extract", pdf_extract), ("pdftotext", pdftotext)] {
            match text {
                Ok(text) => {
                    let lines: Vec<&str> = text.lines().map(str::trim).collect();
                    let exact = paragraphs.iter().filter(|p| lines.contains(p)).count();
                    let han_spaces = han_spaces(&text);
                    println!(
                        "| {name} | {reader} | {exact}/{} | {} | {han_spaces} |",
                        paragraphs.len(),
                        if squeeze(&text) == want { "yes" } else { "no" }
                    );
                    if show {
                        println!("\n```\n{text}\n```\n");
                    }
                }
                Err(why) => {
                    let why: String = why.chars().take(80).collect();
                    println!("| {name} | {reader} | failed: {why} | | |");
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn extractor(e: &Extracted) -> String {
    e.fields
        .iter()
        .find(|(k, _)| k == "extractor")
        .map_or(String::new(), |(_, v)| v.clone())
}

fn used_pdftotext(e: &Extracted) -> bool {
    extractor(e).starts_with("pdftotext")
}

/// Spaces with a Chinese character on both sides.
fn han_spaces(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .filter(|w| w[1] == ' ' && tifa::text::is_cjk(w[0]) && tifa::text::is_cjk(w[2]))
        .count()
}
