//! Authentication: `Bearer <token>` or HTTP Basic with the token as the
//! password (what `taxii2-client` sends).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use crosswatch_store::Caller;

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
pub struct Auth(pub Caller);

/// Extracts the presented token from an `Authorization` header value.
pub fn presented_token(header: &str) -> Option<String> {
    let (scheme, credentials) = header.trim().split_once(' ')?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(credentials.to_string());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_user, password) = text.split_once(':')?;
        return Some(password.to_string());
    }
    None
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(presented_token)
            .ok_or_else(ApiError::unauthorized)?;
        match state.store.authenticate(&token).await? {
            Some(caller) => Ok(Auth(caller)),
            None => {
                state.metrics.auth_failures.inc();
                Err(ApiError::unauthorized())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_and_basic() {
        assert_eq!(presented_token("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(presented_token("bearer  abc ").as_deref(), Some("abc"));
        let basic = base64::engine::general_purpose::STANDARD.encode("Org A:cwt_123");
        assert_eq!(
            presented_token(&format!("Basic {basic}")).as_deref(),
            Some("cwt_123")
        );
        assert_eq!(presented_token("Basic !!!"), None);
        assert_eq!(presented_token("Digest x"), None);
        assert_eq!(presented_token("Bearer"), None);
    }
}
