//! OCR of scanned PDFs (`tifa index --ocr`): Poppler's `pdftoppm` renders
//! each page at 300 dpi in grey, Tesseract reads it (`tsv` output, for the
//! word confidences). Tesseract directly rather than `ocrmypdf --sidecar`:
//! one Debian package fewer, and the confidences come with the words.
//!
//! Tesseract writes a space between Chinese characters; single spaces
//! between two Han characters (or a Han character and CJK punctuation) are
//! removed so that 网络主权 matches, and the lines of a paragraph are joined
//! with the rules of every other reader. Results are cached by the file's
//! content hash (`TIFA_OCR_CACHE`, or `~/.cache/tifa/ocr`), so `--update` and
//! rebuilds do not run Tesseract again.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The Debian packages OCR needs.
pub const PACKAGES: &str =
    "tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng poppler-utils";

/// What OCR read from one file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OcrText {
    /// The recognised text.
    pub text: String,
    /// Mean word confidence, 0–100.
    pub confidence: f64,
    /// Pages read.
    pub pages: usize,
    /// Tesseract's languages, e.g. `chi_sim+eng`.
    pub languages: String,
    /// The OCR engine and its version.
    pub engine: String,
}

/// A scanned PDF read by OCR, its facts kept as fields: `ocr=true`,
/// `ocr_confidence` (mean word confidence, %), and the engine.
pub fn extracted(bytes: &[u8], languages: &str) -> Result<super::Extracted, String> {
    // Asked by a sheet's `ocr` column on a machine without Tesseract.
    if let Some(why) = missing() {
        return Err(why);
    }
    let read = ocr_pdf(bytes, languages)?;
    if read.text.chars().all(char::is_whitespace) {
        return Err(format!(
            "no text layer in {} page(s), and OCR ({}) read no text in them",
            read.pages, read.languages
        ));
    }
    Ok(super::Extracted {
        text: read.text,
        fields: vec![
            ("ocr".into(), "true".into()),
            ("ocr_confidence".into(), format!("{:.0}", read.confidence)),
            (
                "extractor".into(),
                format!(
                    "{} ({}), {} page(s)",
                    read.engine, read.languages, read.pages
                ),
            ),
        ],
        ..super::Extracted::default()
    })
}

/// The Tesseract languages installed here, asked once.
fn installed_languages() -> &'static [String] {
    static LANGS: OnceLock<Vec<String>> = OnceLock::new();
    LANGS.get_or_init(|| {
        Command::new("tesseract")
            .arg("--list-langs")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .skip(1)
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// How every view marks a document read by OCR, from its `ocr_confidence`
/// field: "text from OCR, confidence 87 %".
pub fn note(confidence: &str) -> String {
    format!("text from OCR, confidence {confidence} %")
}

/// Why OCR cannot run here (None: it can).
pub fn missing() -> Option<String> {
    // Asked once: every scanned document of a build asks again.
    static MISSING: OnceLock<Option<String>> = OnceLock::new();
    MISSING.get_or_init(find_missing).clone()
}

fn find_missing() -> Option<String> {
    if !super::runs("pdftoppm", "-v") || installed_languages().is_empty() {
        return Some(format!(
            "OCR (--ocr, or ocr=yes in a sheet) needs Tesseract and Poppler: apt-get install {PACKAGES}"
        ));
    }
    if !installed_languages().iter().any(|l| l == "chi_sim") {
        return Some(format!(
            "OCR (--ocr, or ocr=yes in a sheet) needs Tesseract's Chinese data: apt-get install {PACKAGES}"
        ));
    }
    None
}

/// Tesseract's languages for a document of language `lang` (the sheet's, or
/// none): Chinese (simplified, or traditional for `zh-Hant`/`zh-TW`) with
/// English, or English alone; only those installed.
pub fn languages_for(lang: Option<&str>) -> String {
    let wanted: &[&str] = match lang.map(str::to_ascii_lowercase).as_deref() {
        Some("en") => &["eng"],
        Some("zh-hant" | "zh-tw" | "zh-hk") => &["chi_tra", "eng"],
        _ => &["chi_sim", "eng"],
    };
    wanted
        .iter()
        .filter(|w| installed_languages().iter().any(|l| l == *w))
        .copied()
        .collect::<Vec<_>>()
        .join("+")
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TIFA_OCR_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("tifa").join("ocr")
}

/// The cache file of these bytes read with these languages.
pub fn cache_path(bytes: &[u8], languages: &str) -> PathBuf {
    let hash = blake3::hash(bytes).to_hex();
    cache_dir().join(format!("{hash}-{languages}.json"))
}

/// OCR of a PDF's pages, from the cache when these bytes were read before.
pub fn ocr_pdf(bytes: &[u8], languages: &str) -> Result<OcrText, String> {
    let cached = cache_path(bytes, languages);
    if let Ok(json) = std::fs::read(&cached)
        && let Ok(found) = serde_json::from_slice::<OcrText>(&json)
    {
        return Ok(found);
    }
    let read = run(bytes, languages)?;
    // A cache that cannot be written costs time next build, nothing else.
    if let Some(parent) = cached.parent()
        && std::fs::create_dir_all(parent).is_ok()
        && let Ok(json) = serde_json::to_vec(&read)
    {
        let tmp = cached.with_extension("tmp");
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, &cached);
        }
    }
    Ok(read)
}

fn run(bytes: &[u8], languages: &str) -> Result<OcrText, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a folder for OCR: {e}"))?;
    let pdf = dir.path().join("in.pdf");
    std::fs::write(&pdf, bytes).map_err(|e| format!("cannot write a file for OCR: {e}"))?;
    super::output_of(
        Command::new("pdftoppm")
            .args(["-r", "300", "-gray", "-png"])
            .arg(&pdf)
            .arg(dir.path().join("page")),
        "pdftoppm could not render the pages for OCR",
    )?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|e| format!("cannot list the rendered pages: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    // page-1.png … page-10.png: by the number, not the name.
    pages.sort_by_key(|p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit('-').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let mut paragraphs: Vec<String> = Vec::new();
    let (mut conf_sum, mut words) = (0f64, 0u64);
    // Pages are read in parallel, one Tesseract process per core, each held
    // to one thread (its own OpenMP threads would fight the others for the
    // cores); the pages' texts are joined in page order.
    let read: Vec<Result<Vec<u8>, String>> = pages
        .par_iter()
        .map(|page| {
            super::output_of(
                Command::new("tesseract")
                    .env("OMP_THREAD_LIMIT", "1")
                    .arg(page)
                    .arg("stdout")
                    .args(["-l", languages, "tsv"]),
                &format!("tesseract failed on page {}", page.display()),
            )
        })
        .collect();
    for tsv in read {
        let tsv = tsv?;
        let (page_paragraphs, sum, n) = from_tsv(&String::from_utf8_lossy(&tsv));
        paragraphs.extend(page_paragraphs);
        conf_sum += sum;
        words += n;
    }
    let version = Command::new("tesseract")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).to_string()
                + &String::from_utf8_lossy(&o.stderr);
            text.lines().next().map(str::to_string)
        })
        .unwrap_or_else(|| "tesseract".into());
    Ok(OcrText {
        text: super::paragraphs(paragraphs.iter().map(String::as_str)),
        confidence: if words > 0 {
            conf_sum / words as f64
        } else {
            0.0
        },
        pages: pages.len(),
        languages: languages.to_string(),
        engine: version,
    })
}

/// Tesseract's TSV (level, page, block, paragraph, line, word, left, top,
/// width, height, conf, text) as paragraphs, with the sum and number of the
/// word confidences.
fn from_tsv(tsv: &str) -> (Vec<String>, f64, u64) {
    let mut paragraphs: Vec<String> = Vec::new();
    let (mut open, mut line) = (String::new(), String::new());
    let mut at: Option<(&str, &str, &str)> = None;
    let (mut sum, mut n) = (0f64, 0u64);
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let (block, par, ln) = (cols[2], cols[3], cols[4]);
        if let Some((b, p, l)) = at {
            if (b, p) != (block, par) {
                super::join_wrapped(&mut open, &unspace_han(&std::mem::take(&mut line)));
                paragraphs.push(std::mem::take(&mut open));
            } else if l != ln {
                super::join_wrapped(&mut open, &unspace_han(&std::mem::take(&mut line)));
            }
        }
        at = Some((block, par, ln));
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        if let Ok(c) = cols[10].parse::<f64>()
            && c >= 0.0
        {
            sum += c;
            n += 1;
        }
    }
    if !line.is_empty() {
        super::join_wrapped(&mut open, &unspace_han(&line));
    }
    if !open.is_empty() {
        paragraphs.push(open);
    }
    (paragraphs, sum, n)
}

/// Removes the single spaces Tesseract puts between Chinese characters (and
/// between a Chinese character and CJK punctuation); spaces beside Latin
/// letters or digits stay.
pub fn unspace_han(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' '
            && i > 0
            && i + 1 < chars.len()
            && super::joins_without_space(chars[i - 1])
            && super::joins_without_space(chars[i + 1])
        {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_characters_go() {
        assert_eq!(
            unspace_han("各 国 应 尊 重 网 络 主 权 。"),
            "各国应尊重网络主权。"
        );
        assert_eq!(unspace_han("在 2015 年 的 WIC 上"), "在 2015 年的 WIC 上");
    }

    #[test]
    fn tsv_words_make_lines_and_paragraphs() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t网 络\n\
            5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t80\t主 权\n\
            5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t70\tnext\n";
        let (paragraphs, sum, n) = from_tsv(tsv);
        assert_eq!(paragraphs, ["网络主权", "next"]);
        assert_eq!((sum, n), (240.0, 3));
    }
}
