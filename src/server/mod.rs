//! `tifa serve`: a local web page and a JSON API over the same library calls
//! as the CLI, so that every number on the page is the number the CLI prints.
//!
//! Safety: binds to 127.0.0.1 unless told otherwise; every corpus string is
//! HTML-escaped ([`pages::esc`]); a Content-Security-Policy allows only the
//! page's own stylesheet (no scripts at all); the index is opened read-only
//! and re-opened when `tifa index` switches generations; each request has a
//! time budget and bounded page sizes.

mod pages;
mod renderings;
mod views;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::engine::{Engine, Filter};
use crate::error::is_user_error;
use crate::index;
use crate::query::QueryOptions;

/// How the server is reached and how long a request may work.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port.
    pub port: u16,
    /// Work per request before the answer is "too long".
    pub time_budget: Duration,
    /// A connection that moves nothing this long is closed (at least the
    /// time budget and 5 s).
    pub idle_timeout: Duration,
    /// Host names (besides the bound address and localhost) a request may
    /// name in its `Host` header: a shared server's DNS name.
    pub allow_hosts: Vec<String>,
    /// An extra families file (TOML, like corpus/families.toml) whose @name
    /// words every page takes besides the built-in ones.
    pub families: Option<PathBuf>,
}

/// The extra families file of this server (`tifa serve --families FILE`),
/// set once when it starts: every page reads @name words through it.
static EXTRA_FAMILIES: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The extra families file, if the server was given one.
pub(crate) fn extra_families() -> Option<&'static Path> {
    EXTRA_FAMILIES.get().map(PathBuf::as_path)
}

/// A query as typed, with the @name words of the extra families file
/// written out as their variants (the built-in families the query language
/// reads itself), as `tifa search --families FILE` does.
pub(crate) fn expand_query(q: &str) -> Result<String> {
    match extra_families() {
        // Only a query with an @name reads the file.
        Some(path) if q.contains('@') => {
            let families = crate::terms::Families::load(Some(path))?;
            crate::query::expand_families_in(q, &families)
                .map_err(|e| crate::error::UserError::UnknownFamily(e).into())
        }
        _ => Ok(q.to_string()),
    }
}

/// Which `Host` a request may name: the bound address, localhost, and the
/// names allowed with `--allow-host`. Anything else is a request that reached
/// this server under a name it does not answer to — DNS rebinding lets any
/// web page send such requests from a browser and read the answers.
#[derive(Clone, Debug)]
pub struct HostRule {
    names: Vec<String>,
    /// Bound to 0.0.0.0/::: any IP literal reaches it (rebinding uses names).
    any_ip: bool,
}

impl HostRule {
    /// Which Host headers to accept for a server bound to `bind`.
    pub fn new(bind: IpAddr, allow_hosts: &[String]) -> HostRule {
        let mut names: Vec<String> = vec![
            "localhost".into(),
            "127.0.0.1".into(),
            "[::1]".into(),
            match bind {
                IpAddr::V6(v6) => format!("[{v6}]"),
                IpAddr::V4(v4) => v4.to_string(),
            },
        ];
        names.extend(allow_hosts.iter().map(|h| h.trim().to_ascii_lowercase()));
        HostRule {
            names,
            any_ip: bind.is_unspecified(),
        }
    }

    /// True when the `Host` header value (with or without a port) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        // Strip the port: "[::1]:8717" → "[::1]", "localhost:8717" → "localhost".
        let name = if host.starts_with('[') {
            host.split_inclusive(']')
                .next()
                .unwrap_or(&host)
                .to_string()
        } else {
            host.rsplit_once(':')
                .map_or(host.clone(), |(h, _)| h.to_string())
        };
        let name = name.trim_end_matches('.');
        self.names.iter().any(|n| n == name)
            || (self.any_ip
                && name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok())
    }
}

/// The stylesheet, compiled in: the page works offline and loads nothing else.
const CSS: &str = include_str!("assets/tifa.css");

/// Scripts: none; styles: the page's own stylesheet; images: inline SVG only.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The largest page of hits, concordance lines or API results per request.
pub const MAX_PAGE: usize = 1000;

/// The queries the search page's help line shows, each a link (a real-corpus
/// test checks that each has hits on the shared corpus).
pub const SEARCH_EXAMPLES: &[&str] = &[
    "网络主权",
    "community with a shared future",
    "网络?权",
    "命运*体",
    "cyber*",
    "网络 NEAR/3 主权",
];

/// The terms the renderings page offers as examples (Chinese and English).
pub const RENDERINGS_EXAMPLES: &[&str] = &["零和博弈", "人类命运共同体", "win-win cooperation"];

/// The most occurrences a concordance is built for on the server (its lines
/// are held in memory before sorting; 的 has millions).
pub const MAX_KWIC_LINES: usize = 200_000;

/// Requests doing work at once: more wait (within their time budget) rather
/// than all running and exhausting memory — six concurrent concordances of
/// 的 took the server to 8 GB before this bound.
fn worker_permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

/// Says on a response whether it was read from a kept evaluation
/// (`X-Tifa-Evaluation: kept` or `new`).
fn from_cache(kept: bool, mut response: Response) -> Response {
    response.headers_mut().insert(
        "x-tifa-evaluation",
        HeaderValue::from_static(if kept { "kept" } else { "new" }),
    );
    response
}

/// What every request shares: the opened index and the server's rules.
pub struct AppState {
    dir: PathBuf,
    /// The generation open now, and its engine.
    current: RwLock<(PathBuf, Arc<Engine>)>,
    budget: Duration,
    hosts: HostRule,
    /// Bounds the work running at once (see [`worker_permits`]).
    permits: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Opens the index at `dir` for serving.
    pub fn new(dir: &Path, budget: Duration, hosts: HostRule) -> Result<AppState> {
        let generation = index::current_generation(dir)?;
        let engine = Arc::new(Engine::open(dir)?);
        Ok(AppState {
            dir: dir.to_path_buf(),
            current: RwLock::new((generation, engine)),
            budget,
            hosts,
            permits: Arc::new(tokio::sync::Semaphore::new(worker_permits())),
        })
    }

    /// The engine of the live generation: a rebuild that switched generations
    /// is picked up on the next request, the old one keeps serving until then.
    fn engine(&self) -> Result<Arc<Engine>> {
        let generation = index::current_generation(&self.dir)?;
        {
            let current = self
                .current
                .read()
                .map_err(|_| anyhow::anyhow!("poisoned lock"))?;
            if current.0 == generation {
                return Ok(current.1.clone());
            }
        }
        let engine = Arc::new(Engine::open(&self.dir)?);
        *self
            .current
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned lock"))? = (generation, engine.clone());
        Ok(engine)
    }
}

/// The routes: pages at `/`, `/search`, `/kwic`, `/doc/ID`, `/trace`,
/// `/timeline`, `/report`; the JSON API under `/api/`; CSV exports under `/export/`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::search_page))
        .route("/search", get(pages::search_page))
        .route("/kwic", get(pages::kwic_page))
        .route("/doc/{id}", get(pages::doc_page))
        .route("/trace", get(pages::trace_page))
        .route("/timeline", get(pages::timeline_page))
        .route("/report", get(pages::report_page))
        .route("/emerging", get(pages::emerging_page))
        .route("/renderings", get(renderings::renderings_page))
        .route("/export/search.csv", get(pages::search_csv))
        .route("/export/kwic.csv", get(pages::kwic_csv))
        .route("/export/timeline.csv", get(pages::timeline_csv))
        .route("/export/report/{file}", get(pages::report_file))
        .route("/api/search", get(pages::api_search))
        .route("/api/kwic", get(pages::api_kwic))
        .route("/api/trace", get(pages::api_trace))
        .route("/api/timeline", get(pages::api_timeline))
        .route("/api/emerging", get(pages::api_emerging))
        .route("/api/renderings", get(renderings::api_renderings))
        .route("/collocates", get(views::collocates_page))
        .route("/coverage", get(views::coverage_page))
        .route("/fields", get(views::fields_page))
        .route("/families", get(views::families_page))
        .route("/dossier", get(views::dossier_page))
        .route("/api/collocates", get(views::api_collocates))
        .route("/api/coverage", get(views::api_coverage))
        .route("/api/fields", get(views::api_fields))
        .route("/assets/tifa.css", get(css))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), stamp))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_host_and_origin,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// 421 for a `Host` the server does not answer to; 403 for a cross-site
/// request (by `Sec-Fetch-Site` or `Origin`) to the API or an export that is
/// not a navigation: another web site's script must not read the corpus.
async fn check_host_and_origin(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("\u{fffd}").to_string())
    };
    if let Some(host) = text(header::HOST)
        && !state.hosts.allows(&host)
    {
        return pages::error_page(
            StatusCode::MISDIRECTED_REQUEST,
            &format!(
                "This server does not answer to the host name {host:?}: open it by its address (http://127.0.0.1:PORT/), or start it with --allow-host NAME"
            ),
        );
    }
    let path = request.uri().path();
    let guarded = path.starts_with("/api/") || path.starts_with("/export/");
    let navigation =
        text(header::HeaderName::from_static("sec-fetch-mode")).as_deref() == Some("navigate");
    let cross_site =
        text(header::HeaderName::from_static("sec-fetch-site")).as_deref() == Some("cross-site");
    let foreign_origin = text(header::ORIGIN).is_some_and(|origin| {
        let host = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, rest)| rest);
        // "null" (a sandboxed frame, a file) is not an allowed host either.
        !state.hosts.allows(host)
    });
    if guarded && !navigation && (cross_site || foreign_origin) {
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "A request from another web site to this server's API or exports is refused (cross-site): open the page itself",
        );
    }
    next.run(request).await
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

async fn not_found() -> Response {
    pages::error_page(
        StatusCode::NOT_FOUND,
        "No such page: try /search, /kwic, /trace, /timeline or /report.",
    )
}

/// The reproducibility stamp on what carries numbers: a footer on every page
/// (unless it has its own, as the dossier), a `"stamp"` key in every JSON
/// object the API answers; the address of the request reproduces it.
/// Marks a response whose body carries its stamp already (the middleware
/// leaves it as it is).
#[derive(Clone, Copy)]
pub(crate) struct Stamped;

async fn stamp(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let address = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), ToString::to_string);
    let response = next.run(request).await;
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let html = kind.starts_with("text/html");
    let json = kind.starts_with("application/json");
    let csv = kind.starts_with("text/csv");
    if !response.status().is_success()
        || !(html || json || csv)
        || response.extensions().get::<Stamped>().is_some()
    {
        return response;
    }
    let Ok(current) = state.current.read().map(|c| c.1.clone()) else {
        return response;
    };
    if csv {
        // The table stays plain; the stamp goes with it as a header.
        let mut response = response;
        let header = crate::stamp::Stamp::of(&current, address).header();
        if let Ok(v) = HeaderValue::from_str(&header) {
            response.headers_mut().insert("x-tifa-stamp", v);
        }
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot read the response",
        )
            .into_response();
    };
    let stamp = crate::stamp::Stamp::of(&current, address);
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if html
        && !text.contains("class=\"stamp\"")
        && let Some(end) = text.rfind("</body>")
    {
        text.insert_str(
            end,
            &format!(
                "<footer class=\"stamp\">{}</footer>",
                crate::output::escape_html(&stamp.line())
            ),
        );
    } else if json
        && text.starts_with('{')
        && text.len() > 2
        && let Ok(value) = serde_json::to_string(&stamp)
    {
        text.insert_str(1, &format!("\"stamp\":{value},"));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(text))
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    // A page that carries its own policy (the self-contained dossier) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Runs `f` on a blocking thread within the time budget; errors of the user
/// become 400, a request over budget 503, anything else 500.
async fn work<F>(state: &Arc<AppState>, json: bool, f: F) -> Response
where
    F: FnOnce(&Engine) -> Result<Response> + Send + 'static,
{
    let state2 = state.clone();
    let fail = |status: StatusCode, message: String| {
        if json {
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({ "error": message }).to_string(),
            )
                .into_response()
        } else {
            pages::error_page(status, &message)
        }
    };
    let started = tokio::time::Instant::now();
    // Wait for a worker within the budget; the permit goes with the work, so
    // work a client gave up on still counts until it ends.
    let permit = match tokio::time::timeout(state.budget, state.permits.clone().acquire_owned())
        .await
    {
        Ok(Ok(permit)) => permit,
        _ => {
            // Busy, not failed: a client may come back (a request over its
            // budget gets no such header — it would take as long again).
            let mut busy = fail(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the server is busy ({} requests are being answered): try again in a moment",
                    worker_permits()
                ),
            );
            busy.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            return busy;
        }
    };
    // Set when the budget runs out or the client goes away (this future is
    // dropped): the evaluation loops stop at their next document and the
    // worker is free again.
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let task = tokio::task::spawn_blocking(move || -> Result<Response> {
        let _permit = permit;
        let engine = state2.engine()?;
        crate::engine::cancellable(cancel, || f(&engine))
    });
    let left = state.budget.saturating_sub(started.elapsed());
    match tokio::time::timeout(left, task).await {
        Ok(Ok(Ok(response))) => response,
        Ok(Ok(Err(e))) if is_user_error(&e) => fail(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Ok(Err(e))) => fail(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Ok(Err(e)) => fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed: {e}"),
        ),
        Err(_) => fail(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request took longer than {} s and was given up: narrow the query (a longer phrase) or the filters (--from/--to, kind, collection)",
                state.budget.as_secs()
            ),
        ),
    }
}

/// Sets its flag when dropped: the request's work is no longer wanted.
struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Query parameters in order, repeated keys kept (`term=a&term=b`).
pub struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<String>) -> Params {
        Params(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first non-empty value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `key`, comma-separated values split (as the CLI's lists).
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every non-empty value of `key`, whole.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// Whether a checkbox parameter is on.
    pub fn flag(&self, key: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k == key && matches!(v.as_str(), "" | "1" | "true" | "on" | "yes"))
    }

    /// A number, `default` when absent; an error names the parameter.
    pub fn number(&self, key: &str, default: usize, max: usize) -> Result<usize> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => {
                let n: usize = v.parse().map_err(|_| {
                    crate::error::UserError::BadQuery(format!("{key}={v:?} is not a number"))
                })?;
                if n > max {
                    return Err(crate::error::UserError::BadQuery(format!(
                        "{key}={n} is more than {max}, the most one request may ask for"
                    ))
                    .into());
                }
                Ok(n)
            }
        }
    }

    /// The CLI's filters: lang, kind, collection, from, to, where, where_not.
    pub fn filter(&self) -> Result<Filter> {
        Filter::parse(
            &self.list("lang"),
            &self.list("kind"),
            &self.list("collection"),
            self.get("from"),
            self.get("to"),
            &self.all("where"),
            &self.all("where_not"),
        )
    }

    /// Pattern options: gap, loose_punct, variants (scan is refused on the server).
    pub fn query_options(&self) -> Result<QueryOptions> {
        Ok(QueryOptions {
            patterns: crate::matcher::PatternOptions {
                gap: self.number("gap", crate::matcher::DEFAULT_GAP, 50)?,
                loose_punct: self.flag("loose_punct"),
            },
            scan: false,
            variants: self.flag("variants"),
        })
    }

    /// This query string with `key` set to `value` (or removed for `None`).
    pub fn with(&self, changes: &[(&str, Option<&str>)]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if changes.iter().any(|(c, _)| c == k) || v.is_empty() {
                continue;
            }
            out.append_pair(k, v);
        }
        for (k, v) in changes {
            if let Some(v) = v {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }
}

/// Serves until Ctrl-C; prints the address first (port 0 picks a free one).
pub fn run(dir: &Path, options: &ServeOptions) -> Result<()> {
    if let Some(path) = &options.families {
        // A bad file is said now, not on every page.
        crate::terms::Families::load(Some(path))?;
        EXTRA_FAMILIES
            .set(path.clone())
            .map_err(|_| anyhow::anyhow!("the families file of this server is set already"))?;
    }
    let state = Arc::new(AppState::new(
        dir,
        options.time_budget,
        HostRule::new(options.bind, &options.allow_hosts),
    )?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}: is the port in use? try --port"))?;
        let local = listener.local_addr()?;
        println!(
            "tifa serve: http://{local}/ (index {}; Ctrl-C stops it)",
            crate::output::escape_terminal(&dir.display().to_string())
        );
        use std::io::Write;
        std::io::stdout().flush()?;
        if !options.bind.is_loopback() {
            eprintln!(
                "tifa: note: listening on {} — anyone who can reach this machine can read the corpus",
                options.bind
            );
        }
        // Never shorter than a request's work: a connection waiting for its
        // answer is not idle.
        let idle = (options.time_budget + Duration::from_secs(5)).max(options.idle_timeout);
        axum::serve(IdleListener { inner: listener, idle }, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped")
    })
}

/// The default: a connection that sends and receives nothing for this long
/// (or for the time budget and 5 s, when that is longer) is closed: idle connections
/// must not hold the server's file descriptors (1,100 of them locked
/// everyone out at a 1,024-descriptor limit).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The TCP listener whose connections close when idle.
struct IdleListener {
    inner: tokio::net::TcpListener,
    idle: Duration,
}

impl axum::serve::Listener for IdleListener {
    type Io = IdleStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (IdleStream, SocketAddr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (
            IdleStream {
                inner: stream,
                idle: self.idle,
                deadline: Box::pin(tokio::time::sleep(self.idle)),
            },
            addr,
        )
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that fails its read once nothing moved for `idle`.
struct IdleStream {
    inner: tokio::net::TcpStream,
    idle: Duration,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl IdleStream {
    fn touch(&mut self) {
        let next = tokio::time::Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }
}

impl tokio::io::AsyncRead for IdleStream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::future::Future;
        use std::task::Poll;
        let this = self.get_mut();
        match std::pin::Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                this.touch();
                Poll::Ready(result)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "idle connection closed",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl tokio::io::AsyncWrite for IdleStream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = std::pin::Pin::new(&mut this.inner).poll_write(cx, buf);
        if polled.is_ready() {
            this.touch();
        }
        polled
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

pub(crate) fn json_response<T: serde::Serialize>(value: &T) -> Result<Response> {
    let mut body = Vec::new();
    crate::output::write_json(&mut body, value, false)?;
    Ok((
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response())
}

pub(crate) fn download(content_type: &'static str, name: &str, mut body: Vec<u8>) -> Response {
    // Excel (Chinese Windows above all) reads a CSV without a byte-order mark
    // in the local code page: Chinese turns to mojibake. A UTF-8 BOM tells it.
    if content_type.starts_with("text/csv") && !body.starts_with("\u{feff}".as_bytes()) {
        body.splice(0..0, "\u{feff}".bytes());
    }
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut r = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub(crate) type UrlId = UrlPath<String>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_allowed() {
        let local = HostRule::new("127.0.0.1".parse().expect("ip"), &[]);
        assert!(local.allows("127.0.0.1:8717"));
        assert!(local.allows("localhost:8717"));
        assert!(local.allows("LOCALHOST"));
        assert!(local.allows("[::1]:8717"));
        assert!(!local.allows("attacker.example:8717"));
        assert!(!local.allows("10.0.0.5:8717"));
        let shared = HostRule::new("0.0.0.0".parse().expect("ip"), &["tifa.lab".into()]);
        assert!(shared.allows("10.0.0.5:8717"));
        assert!(shared.allows("tifa.lab:8717"));
        assert!(shared.allows("tifa.lab."));
        assert!(!shared.allows("rebind.attacker.example"));
    }
}
