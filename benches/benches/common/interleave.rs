//! An A/B comparison that holds up on a shared machine.
//!
//! Criterion measures one benchmark after the other, so when the background
//! load changes between two of them (other builds on a 2-core machine), their
//! ratio moves by tens of percent. Here contenders run in short blocks, one
//! after the other, round after round (in a rotating order), and each round
//! yields a ratio of two blocks timed under nearly the same load; the median
//! of those ratios is what the summaries report next to criterion's.

use std::time::Instant;

/// The outcome of [`interleave`].
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Median time per operation of each contender, in nanoseconds.
    pub per_op_ns: Vec<f64>,
    /// For each contender, the median, smallest and largest over the rounds
    /// of (first contender's time / this contender's time).
    pub ratio_of_first: Vec<Spread>,
}

/// A ratio over the rounds: median, smallest and largest.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    /// Median over the rounds.
    pub median: f64,
    /// Smallest over the rounds.
    pub min: f64,
    /// Largest over the rounds.
    pub max: f64,
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.3}x (rounds {:.3}x..{:.3}x)",
            self.median, self.min, self.max
        )
    }
}

/// Runs `rounds` rounds; in each, every contender runs one block of `ops`
/// operations (`run(contender, ops)`), in an order rotated round by round.
pub fn interleave(
    rounds: usize,
    contenders: usize,
    ops: usize,
    mut run: impl FnMut(usize, usize),
) -> Comparison {
    let mut times = vec![Vec::with_capacity(rounds); contenders];
    for round in 0..rounds {
        for k in 0..contenders {
            let i = (k + round) % contenders;
            let started = Instant::now();
            run(i, ops);
            times[i].push(started.elapsed().as_nanos() as f64 / ops as f64);
        }
    }
    let ratio_of_first = (0..contenders)
        .map(|i| {
            let mut ratios: Vec<f64> = (0..rounds).map(|r| times[0][r] / times[i][r]).collect();
            let median = median(&mut ratios);
            Spread {
                median,
                min: ratios[0],
                max: ratios[rounds - 1],
            }
        })
        .collect();
    let per_op_ns = times.iter_mut().map(|t| median(t)).collect();
    Comparison {
        per_op_ns,
        ratio_of_first,
    }
}

/// The median of `values`, which it sorts.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}
