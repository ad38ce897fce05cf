//! `tifa._tifa`: the index opened once, calls answered by the library's
//! [`tifa::api`] (the CLI's options and `--json` shapes), mistakes of the user
//! raised as the matching `tifa.Error` subclass. The package `tifa` (Python,
//! beside this crate) turns the JSON into pandas tables.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use tifa::engine::Engine;
use tifa::error::UserError;

create_exception!(_tifa, Error, PyException, "Any error of tifa.");
create_exception!(
    _tifa,
    BadQuery,
    Error,
    "A query or option tifa cannot read."
);
create_exception!(_tifa, BadDate, Error, "A date or period tifa cannot read.");
create_exception!(_tifa, BadFilter, Error, "A filter tifa cannot apply.");
create_exception!(
    _tifa,
    UnknownField,
    Error,
    "A metadata field no document has."
);
create_exception!(
    _tifa,
    UnknownFamily,
    Error,
    "An @family that is not defined."
);
create_exception!(
    _tifa,
    BadTermFile,
    Error,
    "A term list with lines tifa cannot read."
);
create_exception!(
    _tifa,
    IndexUnavailable,
    Error,
    "No usable index at the path (missing, damaged, or built by another version)."
);

/// The Python exception of an error: the user's mistakes by kind, the rest
/// as `tifa.Error` with the whole chain of causes in the message.
fn to_py(e: anyhow::Error) -> PyErr {
    let message = e
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    match e.chain().find_map(|c| c.downcast_ref::<UserError>()) {
        Some(UserError::BadQuery(m)) => BadQuery::new_err(m.clone()),
        Some(UserError::BadDate(m)) => BadDate::new_err(m.clone()),
        Some(UserError::BadFilter(m)) => BadFilter::new_err(m.clone()),
        Some(UserError::UnknownField(m)) => UnknownField::new_err(m.clone()),
        Some(UserError::UnknownFamily(m)) => UnknownFamily::new_err(m.clone()),
        Some(UserError::BadTermFile(m)) => BadTermFile::new_err(m.clone()),
        None => Error::new_err(message),
    }
}

/// An opened index.
#[pyclass(frozen, module = "tifa._tifa")]
struct Index {
    engine: Arc<Engine>,
    path: PathBuf,
}

#[pymethods]
impl Index {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Index> {
        let opened = py.detach(|| Engine::open(&path));
        match opened {
            Ok(engine) => Ok(Index {
                engine: Arc::new(engine),
                path,
            }),
            Err(e) => Err(IndexUnavailable::new_err(
                e.chain()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(": "),
            )),
        }
    }

    /// The folder this index was opened from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Documents in the index.
    #[getter]
    fn documents(&self) -> u64 {
        self.engine.num_docs()
    }

    /// Answers `name` (search, kwic, timeline, trace, emerging, collocates,
    /// renderings, document, fields, info) with the options of `request`
    /// (JSON); returns JSON. The work runs without the GIL.
    fn call(&self, py: Python<'_>, name: &str, request: &str) -> PyResult<String> {
        let engine = Arc::clone(&self.engine);
        py.detach(move || tifa::api::call(&engine, name, request))
            .map_err(to_py)
    }
}

/// Builds the index in `index` from `paths` (as `tifa index`), calling
/// `progress(done_bytes, total_bytes)` about ten times a second from the
/// calling thread. Returns JSON: {"manifest","generation","problems"}.
#[pyfunction]
#[pyo3(signature = (paths, index, request, progress=None))]
fn build(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    index: PathBuf,
    request: String,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let request = tifa::api::build_request(&request).map_err(to_py)?;
    let total = py
        .detach(|| tifa::api::build_total(&paths, request.follow_links))
        .map_err(to_py)?;
    let done = Arc::new(AtomicU64::new(0));
    let worker = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            tifa::api::build(&index, &paths, &request, |bytes| {
                done.fetch_add(bytes, Ordering::Relaxed);
            })
        })
    };
    // The build runs on its own thread; this one reports its progress (a
    // Python callback must run with the GIL held). A callback that fails is
    // not called again, and its error is raised once the build has ended: a
    // build cannot be stopped half-way (the previous index stays live until
    // the new one is complete either way).
    let mut callback_error = None;
    loop {
        let finished = py.detach(|| {
            std::thread::sleep(Duration::from_millis(100));
            worker.is_finished()
        });
        if let (Some(callback), None) = (&progress, &callback_error)
            && let Err(e) = callback.call1(py, (done.load(Ordering::Relaxed), total))
        {
            callback_error = Some(e);
        }
        if finished {
            break;
        }
    }
    let result = match worker.join() {
        Ok(result) => result.map_err(to_py),
        Err(_) => Err(Error::new_err("the index build panicked")),
    };
    match callback_error {
        Some(e) => Err(e),
        None => result,
    }
}

#[pymodule]
fn _tifa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Index>()?;
    m.add_function(wrap_pyfunction!(build, m)?)?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("BadQuery", py.get_type::<BadQuery>())?;
    m.add("BadDate", py.get_type::<BadDate>())?;
    m.add("BadFilter", py.get_type::<BadFilter>())?;
    m.add("UnknownField", py.get_type::<UnknownField>())?;
    m.add("UnknownFamily", py.get_type::<UnknownFamily>())?;
    m.add("BadTermFile", py.get_type::<BadTermFile>())?;
    m.add("IndexUnavailable", py.get_type::<IndexUnavailable>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
