//! The proofs as checked lines with their times, and the totals.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The proofs run so far and when the run began.
pub struct Report {
    started: Instant,
    lines: Vec<(String, Duration)>,
}

impl Report {
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            lines: Vec::new(),
        }
    }

    /// Runs `proof`, timing it; prints a checked line when it holds, or
    /// returns its failure named after it.
    pub fn check<T>(
        &mut self,
        name: &str,
        proof: impl FnOnce() -> Result<(T, String), String>,
    ) -> Result<T, String> {
        if aio_vm::INTERRUPTED.load(Ordering::SeqCst) {
            return Err(format!("{name}: interrupted"));
        }
        let began = Instant::now();
        match proof() {
            Ok((value, detail)) => {
                let took = began.elapsed();
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                };
                println!("  ✓ {name}{detail} ({:.1} s)", took.as_secs_f64());
                self.lines.push((name.to_string(), took));
                Ok(value)
            }
            Err(why) => {
                println!("  ✗ {name} (after {:.1} s)", began.elapsed().as_secs_f64());
                Err(format!("{name}: {why}"))
            }
        }
    }

    /// The totals line.
    pub fn finish(&self) {
        let proofs: Duration = self.lines.iter().map(|(_, took)| *took).sum();
        println!(
            "{} proofs passed in {:.1} s ({:.1} s in all, with setup and cleanup)",
            self.lines.len(),
            proofs.as_secs_f64(),
            self.started.elapsed().as_secs_f64()
        );
    }
}
