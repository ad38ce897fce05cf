//! Step 3 of `emerging`: the keyness statistics of a 2×2 table of document counts.

/// Dunning's G² of a 2×2 table: `a` of `n1` period documents and `b` of `n2`
/// reference documents have the string.
pub fn log_likelihood(a: f64, b: f64, n1: f64, n2: f64) -> f64 {
    let n = n1 + n2;
    if n1 <= 0.0 || n2 <= 0.0 {
        return 0.0;
    }
    let e1 = n1 * (a + b) / n;
    let e2 = n2 * (a + b) / n;
    let cells = [(a, e1), (b, e2), (n1 - a, n1 - e1), (n2 - b, n2 - e2)];
    2.0 * cells
        .iter()
        .filter(|(o, e)| *o > 0.0 && *e > 0.0)
        .map(|(o, e)| o * (o / e).ln())
        .sum::<f64>()
}

/// Hardie's log ratio: log2 of (a/n1) / (b/n2), a zero count taken as 0.5.
pub fn log_ratio(a: f64, b: f64, n1: f64, n2: f64) -> f64 {
    if n1 <= 0.0 {
        return 0.0;
    }
    if n2 <= 0.0 {
        return f64::INFINITY;
    }
    ((a.max(0.5) / n1) / (b.max(0.5) / n2)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics() {
        // Equal shares: no keyness, log ratio 0.
        assert!(log_likelihood(10.0, 20.0, 100.0, 200.0).abs() < 1e-9);
        assert!(log_ratio(10.0, 20.0, 100.0, 200.0).abs() < 1e-9);
        // Twice the share: log ratio 1.
        assert!((log_ratio(20.0, 20.0, 100.0, 200.0) - 1.0).abs() < 1e-9);
        assert!(log_likelihood(50.0, 0.0, 100.0, 1000.0) > log_likelihood(5.0, 0.0, 100.0, 1000.0));
    }
}
