//! Homeward's domain core: the types, commands, events and rules of Assisted Voluntary
//! Return and Reintegration.
//!
//! This crate performs no I/O, has no async, knows no database and reads no clock: the
//! time is passed in with each decision. Every business rule lives here, once.

pub mod access;
pub mod airports;
pub mod case;
pub mod countries;
pub mod disclosure;
pub mod funding;
pub mod ids;
#[macro_use]
pub mod organisation;
pub mod inbound;
pub mod person;
pub mod programme;
pub mod rules;
pub mod stats;
pub mod survey;
pub mod values;

pub use access::{Actor, Role};
pub use case::{Assignee, Case, Command, CommandKind, Event, RecordedEvent, Stage};
pub use rules::{Refusal, Violation};
