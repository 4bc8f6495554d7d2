//! Behavioural analyses over stored facts. Pure functions: the caller loads
//! rows from the store and renders the results; nothing here does IO.

pub mod backtest;
pub mod components;
pub mod controls;
pub mod coupling;
pub mod defect_model;
pub mod execution;
pub mod fixes;
pub mod hotspots;
pub mod knowledge;
pub mod maat;
pub mod risk;
pub mod teams;
pub mod workflows;
