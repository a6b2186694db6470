//! [`Fetch`] over the host's `fetch` function (the `fetch` option, default
//! `globalThis.fetch`): requests and responses are gloo-net's wrappers of the
//! standard `Request` and `Response`, so any WHATWG fetch works, including an
//! in-process `server.fetch`.
//!
//! Every call has a timeout (an `AbortSignal`), sends no cookies, does not
//! follow redirects (a token request must not carry a client secret to
//! another origin), and reads at most [`MAX_BODY_BYTES`] + 1 bytes of body.

use gloo_net::http::{Method, RequestBuilder, Response};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader, RequestCredentials, RequestRedirect};

use super::{get, input_error, optional_whole};
use crate::http::{
    Fetch, FetchFailure, HttpRequest, HttpResponse, MAX_BODY_BYTES, classify_fetch_error,
};

pub use crate::http::DEFAULT_TIMEOUT_MS;

/// The host's `fetch`.
pub struct HostFetch {
    function: Function,
    timeout_ms: u32,
}

impl HostFetch {
    /// From the `fetch` and `timeoutMs` options (`undefined` for the defaults).
    pub fn from_options(fetch: &JsValue, timeout_ms: &JsValue) -> Result<HostFetch, JsValue> {
        let function = if fetch.is_undefined() || fetch.is_null() {
            get(&js_sys::global(), "fetch")
                .dyn_into::<Function>()
                .map_err(|_| {
                    input_error("This runtime has no global fetch: pass the fetch option")
                })?
        } else {
            fetch
                .clone()
                .dyn_into::<Function>()
                .map_err(|_| input_error("fetch must be a function"))?
        };
        let timeout_ms =
            optional_whole(timeout_ms, "timeoutMs", 1, 600_000)?.unwrap_or(DEFAULT_TIMEOUT_MS);
        Ok(HostFetch {
            function,
            timeout_ms,
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<Response, JsValue> {
        let method = match request.method {
            "GET" => Method::GET,
            "DELETE" => Method::DELETE,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "HEAD" => Method::HEAD,
            _ => Method::POST,
        };
        let signal = AbortSignal::timeout_with_u32(self.timeout_ms);
        let mut builder = RequestBuilder::new(&request.url)
            .method(method)
            .redirect(RequestRedirect::Manual)
            .credentials(RequestCredentials::Omit)
            .abort_signal(Some(&signal));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = if request.body.is_empty() {
            builder.build()
        } else {
            builder.body(Uint8Array::from(request.body.as_slice()))
        }
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
        let raw: web_sys::Request = built.into();
        let answer = self.function.call1(&JsValue::UNDEFINED, &raw)?;
        let response = JsFuture::from(Promise::resolve(&answer)).await?;
        if !response.is_object() || get(&response, "status").as_f64().is_none() {
            return Err(js_sys::Error::new("fetch did not return a Response").into());
        }
        // Duck-typed: a polyfilled Response is not `instanceof` the global one.
        Ok(Response::from(
            response.unchecked_into::<web_sys::Response>(),
        ))
    }
}

/// The failure a rejected `fetch` stands for.
fn failure(error: &JsValue) -> FetchFailure {
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

/// The body, stopping after `limit` bytes (the stream is cancelled there).
async fn read_body(response: &Response, limit: usize) -> Result<Vec<u8>, JsValue> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    if let Some(body) = read_stream(&stream, limit).await? {
        return Ok(body);
    }
    // Not a web stream (a polyfill): read it whole, then cap.
    let mut bytes = response
        .binary()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    bytes.truncate(limit);
    Ok(bytes)
}

/// A web stream's bytes, stopping after `limit` (the stream is cancelled
/// there); `None` when `stream` is not a web stream.
pub(super) async fn read_stream(
    stream: &web_sys::ReadableStream,
    limit: usize,
) -> Result<Option<Vec<u8>>, JsValue> {
    let Ok(reader) = ReadableStreamDefaultReader::new(stream) else {
        return Ok(None);
    };
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &JsValue::from_str("done"))?.is_truthy() {
            return Ok(Some(body));
        }
        let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value"))?.dyn_into()?;
        let take = (limit - body.len()).min(value.length() as usize);
        let start = body.len();
        body.resize(start + take, 0);
        value.subarray(0, take as u32).copy_to(&mut body[start..]);
        if body.len() >= limit {
            let _ = reader.cancel();
            return Ok(Some(body));
        }
    }
}

impl Fetch for HostFetch {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure> {
        let response = self.send(request).await.map_err(|e| failure(&e))?;
        let headers = response.headers().entries().collect();
        let body = read_body(&response, MAX_BODY_BYTES + 1)
            .await
            .map_err(|_| FetchFailure::AfterSend)?;
        Ok(HttpResponse {
            status: response.status(),
            headers,
            body,
        })
    }

    fn timeout_ms(&self) -> u64 {
        u64::from(self.timeout_ms)
    }
}
