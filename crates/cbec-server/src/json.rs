//! Extractors that answer in the API's error format: [`Json`] (a bad body
//! is `400 json.invalid`, a body of another type `415`, a body over the
//! limit `413`), [`Query`] and [`Path`] (`400 request.invalid`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body (request) or JSON response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// `application/json`, `application/json; charset=utf-8`, or any
/// `application/*+json`.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The whole body, within the configured limit.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::bad_request(format!("the request body could not be read: {}", rejection.body_text()))
        }
    })
}

/// A CEB message body: `application/xml`, `text/xml` or any
/// `application/*+xml`, read whole within the configured limit.
#[derive(Debug, Clone)]
pub struct XmlBody(pub Bytes);

fn is_xml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/xml"
        || essence == "text/xml"
        || (essence.starts_with("application/") && essence.ends_with("+xml"))
}

impl<S: Send + Sync> FromRequest<S> for XmlBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let xml = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_xml);
        if !xml {
            return Err(ApiError::NotXml);
        }
        read_body(req, state).await.map(XmlBody)
    }
}

/// A rule file body: `application/toml`, `text/plain` or any `text/*toml`,
/// read whole within the configured limit, UTF-8. `None` when the body is
/// empty (for routes where it may be left out).
#[derive(Debug, Clone)]
pub struct TomlBody(pub Option<String>);

fn is_toml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    matches!(essence.as_str(), "application/toml" | "text/plain" | "text/toml" | "text/x-toml")
}

impl<S: Send + Sync> FromRequest<S> for TomlBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(TomlBody(None));
        }
        if !content_type.as_deref().is_some_and(is_toml) {
            return Err(ApiError::NotToml);
        }
        String::from_utf8(bytes.to_vec())
            .map(|s| TomlBody(Some(s)))
            .map_err(|e| ApiError::bad_request(format!("the rule file is not UTF-8: {e}")))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_json);
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = read_body(req, state).await?;
        serde_json::from_slice(&bytes).map(Json).map_err(|e| ApiError::InvalidJson {
            message: format!("the request body is not valid JSON for this endpoint: {e}"),
            diagnostics: Vec::new(),
        })
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Query(q.0))
            .map_err(|r| ApiError::bad_request(format!("the query string is not valid: {}", r.body_text())))
    }
}

/// Path parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|r| ApiError::bad_request(format!("the path is not valid: {}", r.body_text())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_content_types() {
        for ok in ["application/json", "Application/JSON; charset=utf-8", "application/problem+json"] {
            assert!(super::is_json(ok), "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonp"] {
            assert!(!super::is_json(bad), "{bad}");
        }
    }

    #[test]
    fn toml_content_types() {
        for ok in ["application/toml", "text/plain; charset=utf-8", "Text/TOML"] {
            assert!(super::is_toml(ok), "{ok}");
        }
        for bad in ["application/json", "text/xml", "", "application/octet-stream"] {
            assert!(!super::is_toml(bad), "{bad}");
        }
    }
}

/// A JSON body that may also be left out entirely (an empty body reads as
/// `T::default()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let has_type = req.headers().contains_key(CONTENT_TYPE);
        let empty = req.headers().get(axum::http::header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() == b"0");
        if empty || !has_type {
            // Without a content type, only an empty body is accepted.
            let bytes = read_body(req, state).await?;
            return if bytes.iter().all(u8::is_ascii_whitespace) {
                Ok(OptionalJson(T::default()))
            } else {
                Err(ApiError::UnsupportedMediaType)
            };
        }
        Json::<T>::from_request(req, state).await.map(|Json(t)| OptionalJson(t))
    }
}
