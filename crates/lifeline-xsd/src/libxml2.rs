//! The only `unsafe` of the crate: compiling embedded XSDs with libxml2 and validating a
//! `Read` through `xmlSchemaValidateStream`, with callbacks back into Rust for reading,
//! element tracking and errors.
//!
//! libxml2 state touched, and why it is safe to touch:
//! - `xmlInitParser` once per process (libxml2 asks for it before use from several threads);
//! - the external-entity loader, process-wide, once: it serves `lifeline-xsd:///NAME` from
//!   [`crate::EMBEDDED`] and refuses everything else, so nothing is read from the network
//!   or the file system (schema imports, DTDs and external entities alike);
//! - the structured error handler of the calling thread (thread-local in libxml2), set for
//!   the duration of one compile or validation and cleared after, so libxml2 prints nothing
//!   to stderr.
#![allow(
    unsafe_code,
    reason = "FFI to libxml2; every block states what it relies on"
)]

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::io::{ErrorKind, Read};
use std::ptr;
use std::sync::Once;

use libxml::bindings as xml;

use crate::path::Tracker;
use crate::{EMBEDDED, MAX_PROBLEMS, ProblemKind, Validation, XsdError, XsdProblem};

/// The URL scheme of embedded schemas; relative `schemaLocation`s resolve inside it.
const SCHEME: &str = "lifeline-xsd:///";

static INIT: Once = Once::new();

fn init() {
    INIT.call_once(|| {
        // SAFETY: plain libxml2 initialisation calls, run once before any other use; the
        // loader is a valid `extern "C"` function for the whole process lifetime.
        unsafe {
            xml::xmlInitParser();
            xml::xmlSetExternalEntityLoader(Some(embedded_loader));
        }
    });
}

/// Serves embedded schemas and refuses every other URL (returns NULL).
unsafe extern "C" fn embedded_loader(
    url: *const c_char,
    _id: *const c_char,
    context: xml::xmlParserCtxtPtr,
) -> xml::xmlParserInputPtr {
    if url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: libxml2 passes a NUL-terminated URL.
    let url_bytes = unsafe { CStr::from_ptr(url) }.to_bytes();
    let Some(name) = url_bytes.strip_prefix(SCHEME.as_bytes()) else {
        return ptr::null_mut();
    };
    let Some(file) = EMBEDDED.iter().find(|file| file.name.as_bytes() == name) else {
        return ptr::null_mut();
    };
    let Ok(size) = c_int::try_from(file.bytes.len()) else {
        return ptr::null_mut();
    };
    // SAFETY: libxml2 copies the bytes into a memory buffer (its static, non-copying
    // buffer misreads large schemas in 2.9.14); the input stream takes ownership of the
    // buffer, and its `filename` is a libxml2-allocated copy freed with the stream.
    unsafe {
        let buffer = xml::xmlParserInputBufferCreateMem(
            file.bytes.as_ptr().cast::<c_char>(),
            size,
            xml::xmlCharEncoding_XML_CHAR_ENCODING_NONE,
        );
        if buffer.is_null() {
            return ptr::null_mut();
        }
        let input =
            xml::xmlNewIOInputStream(context, buffer, xml::xmlCharEncoding_XML_CHAR_ENCODING_NONE);
        if input.is_null() {
            xml::xmlFreeParserInputBuffer(buffer);
            return ptr::null_mut();
        }
        (*input).filename = xml::xmlStrdup(url.cast::<xml::xmlChar>()).cast::<c_char>();
        input
    }
}

/// Collects the messages of a schema compilation.
unsafe extern "C" fn collect_compile_error(user: *mut c_void, error: xml::xmlErrorPtr) {
    if user.is_null() || error.is_null() {
        return;
    }
    // SAFETY: `user` is the `Vec<String>` handed over in `compile`, alive for the whole
    // `xmlSchemaParse` call; `error` is a valid libxml2 error for the duration of the call.
    let (messages, error) = unsafe { (&mut *user.cast::<Vec<String>>(), &*error) };
    if error.level < xml::xmlErrorLevel_XML_ERR_ERROR {
        return;
    }
    messages.push(message_of(error));
}

fn message_of(error: &xml::xmlError) -> String {
    if error.message.is_null() {
        return format!("libxml2 error {}", error.code);
    }
    // SAFETY: libxml2 messages are NUL-terminated strings alive during the callback.
    let message = unsafe { CStr::from_ptr(error.message) };
    // libxml2 quotes values of the document: escaped, and cut where a hostile value would
    // make one message grow with the input (its own lists of expected elements fit).
    lifeline_text::excerpt_to(message.to_string_lossy().trim_end(), 2000).into_owned()
}

/// A compiled libxml2 schema; freed on drop.
pub(crate) struct CompiledSchema {
    schema: xml::xmlSchemaPtr,
}

// SAFETY: a compiled `xmlSchema` is a heap structure owned by this value alone; libxml2 does
// not tie it to the thread that compiled it (its dictionary is reference-counted under
// libxml2's global lock). It is not `Sync`: concurrent validations against one schema are
// not documented as safe.
unsafe impl Send for CompiledSchema {}

impl Drop for CompiledSchema {
    fn drop(&mut self) {
        // SAFETY: `schema` came from `xmlSchemaParse`, is non-null and freed only here.
        unsafe { xml::xmlSchemaFree(self.schema) }
    }
}

impl CompiledSchema {
    /// Compiles the embedded schema `entry` (a name in [`EMBEDDED`]).
    pub(crate) fn compile(entry: &str) -> Result<CompiledSchema, XsdError> {
        init();
        let compile_error = |messages: Vec<String>| XsdError::Compile {
            schema: entry.to_owned(),
            messages,
        };
        let url = CString::new(format!("{SCHEME}{entry}"))
            .map_err(|_| compile_error(vec!["schema name contains NUL".into()]))?;
        let mut messages: Vec<String> = Vec::new();
        let messages_ptr: *mut Vec<String> = &mut messages;
        // SAFETY: `url` outlives the parser context (it is copied by libxml2 anyway);
        // `messages_ptr` stays valid until the handlers are cleared below, and `messages`
        // is not touched in between. The parser context is freed exactly once.
        let schema = unsafe {
            xml::xmlSetStructuredErrorFunc(messages_ptr.cast(), Some(collect_compile_error));
            let parser = xml::xmlSchemaNewParserCtxt(url.as_ptr());
            let schema = if parser.is_null() {
                ptr::null_mut()
            } else {
                xml::xmlSchemaSetParserStructuredErrors(
                    parser,
                    Some(collect_compile_error),
                    messages_ptr.cast(),
                );
                let schema = xml::xmlSchemaParse(parser);
                xml::xmlSchemaFreeParserCtxt(parser);
                schema
            };
            xml::xmlSetStructuredErrorFunc(ptr::null_mut(), None);
            schema
        };
        if schema.is_null() {
            if messages.is_empty() {
                messages.push("libxml2 returned no schema and no message".into());
            }
            return Err(compile_error(messages));
        }
        Ok(CompiledSchema { schema })
    }

    /// Validates the document read from `reader`.
    pub(crate) fn validate(&self, reader: &mut dyn Read) -> Result<Validation, XsdError> {
        init();
        let mut state = State {
            reader,
            read_error: None,
            tracker: Tracker::default(),
            validation: Validation::default(),
        };
        let state_ptr: *mut State<'_> = &mut state;
        // SAFETY (whole block): `state_ptr` is the only access path to `state` until the
        // handlers are cleared and the stream call returned; libxml2 calls the callbacks
        // only from inside `xmlSchemaValidateStream`, on this thread. The SAX handler is a
        // zeroed struct (all callbacks NULL) with the SAX2 magic and the two element
        // callbacks, alive on this stack frame for the whole call. The input buffer is
        // owned by libxml2 once handed to `xmlSchemaValidateStream`, which frees it (the
        // close callback does nothing: the reader belongs to the caller).
        let code = unsafe {
            let context = xml::xmlSchemaNewValidCtxt(self.schema);
            if context.is_null() {
                return Err(XsdError::Internal(
                    "could not create a validation context".into(),
                ));
            }
            xml::xmlSchemaSetValidStructuredErrors(context, Some(on_error), state_ptr.cast());
            xml::xmlSetStructuredErrorFunc(state_ptr.cast(), Some(on_error));
            let buffer = xml::xmlParserInputBufferCreateIO(
                Some(on_read),
                Some(on_close),
                state_ptr.cast(),
                xml::xmlCharEncoding_XML_CHAR_ENCODING_NONE,
            );
            let code = if buffer.is_null() {
                -1
            } else {
                let mut sax: xml::xmlSAXHandler = std::mem::zeroed();
                sax.initialized = xml::XML_SAX2_MAGIC;
                sax.startElementNs = Some(on_start);
                sax.endElementNs = Some(on_end);
                sax.serror = Some(on_error);
                xml::xmlSchemaValidateStream(
                    context,
                    buffer,
                    xml::xmlCharEncoding_XML_CHAR_ENCODING_NONE,
                    &mut sax,
                    state_ptr.cast(),
                )
            };
            xml::xmlSetStructuredErrorFunc(ptr::null_mut(), None);
            xml::xmlSchemaFreeValidCtxt(context);
            code
        };
        if let Some(error) = state.read_error {
            return Err(XsdError::Read(error));
        }
        let mut validation = state.validation;
        if code != 0 && validation.is_valid() {
            if code < 0 {
                return Err(XsdError::Internal(format!(
                    "xmlSchemaValidateStream returned {code}"
                )));
            }
            validation.problems.push(XsdProblem {
                kind: ProblemKind::Other,
                line: None,
                column: None,
                path: Default::default(),
                message: format!("libxml2 rejected the document (code {code}) without a message"),
            });
        }
        Ok(validation)
    }
}

struct State<'a> {
    reader: &'a mut dyn Read,
    read_error: Option<std::io::Error>,
    tracker: Tracker,
    validation: Validation,
}

/// # Safety
/// `user` must be the `State` of the running validation.
unsafe fn state<'s>(user: *mut c_void) -> Option<&'s mut State<'s>> {
    // SAFETY: per the function contract; NULL is answered with None.
    unsafe { user.cast::<State<'s>>().as_mut() }
}

unsafe extern "C" fn on_read(user: *mut c_void, buffer: *mut c_char, len: c_int) -> c_int {
    // SAFETY: libxml2 passes back the `State` given to `xmlParserInputBufferCreateIO`.
    let Some(state) = (unsafe { state(user) }) else {
        return -1;
    };
    let Ok(len) = usize::try_from(len) else {
        return -1;
    };
    if buffer.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: libxml2 hands a writable buffer of `len` bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(buffer.cast::<u8>(), len) };
    loop {
        match state.reader.read(out) {
            Ok(count) => return c_int::try_from(count).unwrap_or(-1),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => {
                state.read_error = Some(error);
                return -1;
            }
        }
    }
}

unsafe extern "C" fn on_close(_user: *mut c_void) -> c_int {
    0
}

#[allow(
    clippy::too_many_arguments,
    reason = "the signature of libxml2's startElementNs callback"
)]
unsafe extern "C" fn on_start(
    user: *mut c_void,
    localname: *const xml::xmlChar,
    _prefix: *const xml::xmlChar,
    _uri: *const xml::xmlChar,
    _namespaces_count: c_int,
    _namespaces: *mut *const xml::xmlChar,
    _attributes_count: c_int,
    _defaulted_count: c_int,
    _attributes: *mut *const xml::xmlChar,
) {
    // SAFETY: the split SAX plug passes our user data back; `localname` is NUL-terminated.
    let Some(state) = (unsafe { state(user) }) else {
        return;
    };
    if localname.is_null() {
        return;
    }
    let name = unsafe { CStr::from_ptr(localname.cast::<c_char>()) };
    state.tracker.start(name.to_bytes());
}

unsafe extern "C" fn on_end(
    user: *mut c_void,
    _localname: *const xml::xmlChar,
    _prefix: *const xml::xmlChar,
    _uri: *const xml::xmlChar,
) {
    // SAFETY: as in `on_start`.
    if let Some(state) = unsafe { state(user) } {
        state.tracker.end();
    }
}

unsafe extern "C" fn on_error(user: *mut c_void, error: xml::xmlErrorPtr) {
    // SAFETY: `user` is the running validation's `State` (set as the structured handler's
    // data for this thread and context); `error` is valid during the call.
    let (Some(state), Some(error)) = (unsafe { state(user) }, unsafe { error.as_ref() }) else {
        return;
    };
    if error.level < xml::xmlErrorLevel_XML_ERR_ERROR {
        return;
    }
    if state.validation.problems.len() >= MAX_PROBLEMS {
        state.validation.omitted += 1;
        return;
    }
    let message = message_of(error);
    let domain = u32::try_from(error.domain).unwrap_or(u32::MAX);
    let kind = match domain {
        xml::xmlErrorDomain_XML_FROM_PARSER => ProblemKind::Syntax,
        xml::xmlErrorDomain_XML_FROM_SCHEMASV => ProblemKind::Schema,
        _ => ProblemKind::Other,
    };
    let positive = |value: c_int| u32::try_from(value).ok().filter(|v| *v > 0);
    state.validation.problems.push(XsdProblem {
        kind,
        line: positive(error.line),
        column: positive(error.int2),
        path: state.tracker.path(&message),
        message,
    });
}
