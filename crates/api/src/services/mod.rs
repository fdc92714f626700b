//! Operations that change several tables at once, each in one transaction.

pub mod accounts;
pub mod actions;
pub mod activity;
pub mod applicant_mail;
pub mod applications;
pub mod borrowers;
pub mod documents;
pub mod import;
pub mod new_lead;
pub mod requests;
