//! The one error type of the application layer. A front-end maps its kinds to
//! what it shows (the CLI: exit code 2 and a `help:` line; an HTTP front-end
//! would map them to statuses); the message is one line of what went wrong and
//! the help, when there is one, says what to do about it.

/// What went wrong, by whose move it is to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument, a selector or the configuration is not usable.
    #[error("{message}")]
    Input {
        message: String,
        help: Option<String>,
    },
    /// The repository cannot be opened or read.
    #[error("{message}")]
    Repository {
        message: String,
        help: Option<String>,
    },
    /// The store cannot be opened, read, written or locked.
    #[error("{message}")]
    Store {
        message: String,
        help: Option<String>,
    },
    /// What was asked for is not there yet (no store, no history, no snapshot).
    #[error("{message}")]
    Missing {
        message: String,
        help: Option<String>,
    },
}

/// The result of every operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An unusable argument, selector or configuration.
    pub fn input(message: impl Into<String>, help: Option<&str>) -> Self {
        Error::Input {
            message: message.into(),
            help: help.map(str::to_owned),
        }
    }

    /// An unreadable repository.
    pub fn repository(message: impl Into<String>, help: Option<&str>) -> Self {
        Error::Repository {
            message: message.into(),
            help: help.map(str::to_owned),
        }
    }

    /// An unusable store.
    pub fn store(message: impl Into<String>, help: Option<&str>) -> Self {
        Error::Store {
            message: message.into(),
            help: help.map(str::to_owned),
        }
    }

    /// Something not recorded yet.
    pub fn missing(message: impl Into<String>, help: Option<&str>) -> Self {
        Error::Missing {
            message: message.into(),
            help: help.map(str::to_owned),
        }
    }

    /// What to do about it, when there is something to say.
    pub fn help(&self) -> Option<&str> {
        match self {
            Error::Input { help, .. }
            | Error::Repository { help, .. }
            | Error::Store { help, .. }
            | Error::Missing { help, .. } => help.as_deref(),
        }
    }
}
