//! [`Fetch`] over the host's `fetch` function (the `fetch` option, default
//! `globalThis.fetch`): requests are standard `Request`s, so any WHATWG fetch
//! works, including an in-process `server.fetch`, and responses are read
//! duck-typed (a polyfilled `Response` is not `instanceof` the global one).
//!
//! Every call has a timeout (an `AbortSignal`), sends no cookies, does not
//! follow redirects (a token request must not carry a client secret to
//! another origin), and reads at most [`MAX_BODY_BYTES`] + 1 bytes of body.
//!
//! Nothing here may throw: a JS exception thrown through a task of
//! `future_to_promise` is uncaught (Node ends the process) and leaves that
//! request without an answer. So every JS call that can throw goes through
//! a binding that returns its exception (`catch`), and every value from the
//! host is checked before it is used: a request that cannot be built is
//! [`FetchFailure::BeforeSend`], an answer that is not a response
//! [`FetchFailure::AfterSend`].

use js_sys::{ArrayBuffer, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStreamDefaultReader, Request, RequestCredentials, RequestInit,
    RequestRedirect,
};

use super::convert::{array_from, get, input_error, optional_whole, settled};
use crate::http::{
    FetchFailure, HttpRequest, HttpResponse, MAX_BODY_BYTES, classify_fetch_error,
    header_value_problem, is_header_name,
};
use crate::ports::Fetch;

pub use crate::ports::DEFAULT_TIMEOUT_MS;

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`; an error where the runtime lacks it
    /// (web-sys's binding would throw).
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(milliseconds: u32) -> Result<AbortSignal, JsValue>;
}

/// The host's `fetch`.
pub struct HostFetch {
    /// `None`: the global `fetch`, looked up at each call. Node defines it
    /// as a getter that loads undici (~10 ms of a cold start that may never
    /// call a provider), and a test double installed later is used.
    function: Option<Function>,
    timeout_ms: u32,
}

/// Why a request could not be built, as a JS error (never shown to callers:
/// it becomes [`FetchFailure::BeforeSend`]).
fn unbuildable(why: &str) -> JsValue {
    js_sys::Error::new(why).into()
}

impl HostFetch {
    /// From the `fetch` and `timeoutMs` options (`undefined` for the defaults).
    pub fn from_options(fetch: &JsValue, timeout_ms: &JsValue) -> Result<HostFetch, JsValue> {
        let function = if fetch.is_undefined() || fetch.is_null() {
            if !js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("fetch"))
                .unwrap_or(false)
            {
                return Err(input_error(
                    "This runtime has no global fetch: pass the fetch option",
                ));
            }
            None
        } else {
            Some(
                fetch
                    .clone()
                    .dyn_into::<Function>()
                    .map_err(|_| input_error("fetch must be a function"))?,
            )
        };
        let timeout_ms =
            optional_whole(timeout_ms, "timeoutMs", 1, 600_000)?.unwrap_or(DEFAULT_TIMEOUT_MS);
        Ok(HostFetch {
            function,
            timeout_ms,
        })
    }

    /// The standard `Request` for `request`, built only with calls that
    /// return their exception. Each header is checked against the rules of
    /// [`is_header_name`] and [`header_value_problem`] first: the engine
    /// checks what callers and providers send before it gets here, so this
    /// is the last guard, not the message anyone sees.
    fn build(&self, request: &HttpRequest) -> Result<Request, JsValue> {
        let headers = Headers::new()?;
        for (name, value) in &request.headers {
            if !is_header_name(name) || header_value_problem(value).is_some() {
                return Err(unbuildable("A header cannot be sent"));
            }
            headers.append(name, value)?;
        }
        let init = RequestInit::new();
        init.set_method(request.method);
        init.set_headers(&headers);
        init.set_redirect(RequestRedirect::Manual);
        init.set_credentials(RequestCredentials::Omit);
        init.set_signal(Some(&abort_signal_timeout(self.timeout_ms)?));
        if !request.body.is_empty() {
            init.set_body(&Uint8Array::from(request.body.as_slice()));
        }
        Request::new_with_str_and_init(&request.url, &init)
    }

    /// Sends the request; resolves the host's answer once it looks like a
    /// `Response` (an object with a whole `status` up to 999; 0 is a
    /// browser's opaque redirect).
    async fn send(&self, request: &HttpRequest) -> Result<(u16, JsValue), JsValue> {
        let raw = self.build(request).map_err(|_| JsValue::NULL)?;
        let function = match &self.function {
            Some(function) => function.clone(),
            None => get(&js_sys::global(), "fetch")
                .dyn_into::<Function>()
                .map_err(|_| JsValue::NULL)?,
        };
        let answer = function.call1(&JsValue::UNDEFINED, &raw)?;
        let response = settled(&answer).await?;
        let status = get(&response, "status")
            .as_f64()
            .filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s))
            .filter(|_| response.is_object());
        match status {
            Some(status) => Ok((status as u16, response)),
            None => Err(js_sys::Error::new("fetch did not return a Response").into()),
        }
    }
}

/// The failure a rejected `fetch` stands for. `null` stands for a request
/// that could not be built, hence never sent.
fn failure(error: &JsValue) -> FetchFailure {
    if error.is_null() {
        return FetchFailure::BeforeSend;
    }
    let text = |v: JsValue| v.as_string().unwrap_or_default();
    let cause = get(error, "cause");
    let cause_code = if cause.is_object() {
        get(&cause, "code").as_string()
    } else {
        None
    };
    classify_fetch_error(
        &text(get(error, "name")),
        &text(get(error, "message")),
        cause_code.as_deref(),
    )
}

/// The `[name, value]` pairs of a `Headers`-like object (anything with an
/// `entries()` that iterates pairs); pairs that are not two strings are
/// skipped. Every step may throw in JS and is caught.
pub(super) fn header_entries(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let mut pairs = Vec::new();
    if !headers.is_object() {
        return Ok(pairs);
    }
    let Ok(entries) = Reflect::get(headers, &"entries".into())?.dyn_into::<Function>() else {
        return Ok(pairs);
    };
    // Array.from runs the iteration in JS, where a throwing iterator or
    // result getter is caught (js-sys's iterator reads `done` uncaught).
    for pair in array_from(&entries.call0(headers)?)?.iter() {
        if !pair.is_object() {
            continue;
        }
        let key = Reflect::get_u32(&pair, 0)?.as_string();
        let value = Reflect::get_u32(&pair, 1)?.as_string();
        if let (Some(key), Some(value)) = (key, value) {
            pairs.push((key, value));
        }
    }
    Ok(pairs)
}

/// The bytes of an `arrayBuffer()` answer (of a `Request` or `Response`
/// that has no web stream), at most `limit`.
pub(super) async fn read_array_buffer(owner: &JsValue, limit: usize) -> Result<Vec<u8>, JsValue> {
    let method = Reflect::get(owner, &"arrayBuffer".into())?
        .dyn_into::<Function>()
        .map_err(|_| unbuildable("no arrayBuffer()"))?;
    let buffer = settled(&method.call0(owner)?)
        .await?
        .dyn_into::<ArrayBuffer>()
        .map_err(|_| unbuildable("arrayBuffer() did not answer an ArrayBuffer"))?;
    let len = (buffer.byte_length() as usize).min(limit);
    Ok(Uint8Array::new_with_byte_offset_and_length(&buffer, 0, len as u32).to_vec())
}

/// The body, stopping after `limit` bytes (the stream is cancelled there).
async fn read_body(response: &JsValue, limit: usize) -> Result<Vec<u8>, JsValue> {
    let stream = get(response, "body");
    if stream.is_null() || stream.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(body) = read_stream(&stream, limit).await? {
        return Ok(body);
    }
    // Not a web stream (a polyfill): read it whole, then cap.
    read_array_buffer(response, limit).await
}

/// A web stream's bytes, stopping after `limit` (the stream is cancelled
/// there); `None` when `stream` is not a web stream.
pub(super) async fn read_stream(
    stream: &JsValue,
    limit: usize,
) -> Result<Option<Vec<u8>>, JsValue> {
    // The constructor checks that `stream` is a real ReadableStream (and
    // throws, caught, when it is not); its reader's methods then cannot throw.
    let Ok(reader) = ReadableStreamDefaultReader::new(stream.unchecked_ref()) else {
        return Ok(None);
    };
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            return Ok(Some(body));
        }
        let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value"))?
            .dyn_into()
            .map_err(|_| unbuildable("a body chunk is not a Uint8Array"))?;
        let take = limit
            .saturating_sub(body.len())
            .min(value.length() as usize);
        // `to_vec` sizes its copy from the array itself (`copy_to` panics on
        // a length mismatch, as with a detached buffer).
        body.extend(value.subarray(0, take as u32).to_vec());
        if body.len() >= limit {
            let _ = reader.cancel();
            return Ok(Some(body));
        }
    }
}

impl Fetch for HostFetch {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure> {
        let (status, response) = self.send(&request).await.map_err(|e| failure(&e))?;
        let headers =
            header_entries(&get(&response, "headers")).map_err(|_| FetchFailure::AfterSend)?;
        let body = read_body(&response, MAX_BODY_BYTES + 1)
            .await
            .map_err(|_| FetchFailure::AfterSend)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    fn timeout_ms(&self) -> u64 {
        u64::from(self.timeout_ms)
    }
}
