#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// Layering: openapi.yaml → build.rs (progenitor) → `generated` → the hand-written
// modules below. Each hand-written module does one job.

pub mod action;
mod basic_auth;
mod client;
pub mod config;
mod error;
mod generated;
mod hooks;
pub mod notification;
pub mod receiver;
pub mod retry;
pub mod secret;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod subscription;

pub use action::Action;
pub use client::Client;
pub use config::ClientBuilder;
pub use error::Error;
pub use notification::{Event, Notification, NotificationError};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use subscription::Ensured;
pub use types::{ApiError, ApiErrorItem, Webhook, WebhookCreate};

/// The request and response types generated from `openapi.yaml`.
pub mod types {
    pub use crate::generated::types::*;
}
