//! The crate's error type: user mistakes (4xx) apart from internal failures (5xx).

/// An error as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: 400.
    #[error("{0}")]
    BadRequest(String),
    /// The thing asked for does not exist: 404.
    #[error("{0}")]
    NotFound(String),
    /// Credentials are missing or wrong: 401.
    #[error("{0}")]
    Unauthorized(String),
    /// The route is switched off: 403.
    #[error("{0}")]
    Forbidden(String),
    /// Something on our side failed: 500, logged, details not shown to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Internal(e.into())
    }
}

impl Error {
    /// A stable machine-readable code for the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "bad_request",
            Error::NotFound(_) => "not_found",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Internal(_) => "internal",
        }
    }
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
