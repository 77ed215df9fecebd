//! The peak memory of this process, for the model-check report and the benchmarks.
//!
//! Linux keeps the high-water mark of the process's resident memory (`VmHWM` in
//! `/proc/self/status`), and writing `5` to `/proc/self/clear_refs` resets it to the current
//! resident size (Linux 4.0 and later). Resetting before each model-check run lets the
//! report give each configuration its own peak, even after a larger one ran in the same
//! process. Elsewhere (or where `/proc` is not readable) the peak is simply unknown: the
//! reports say so rather than fail.

use std::fs;

/// Resets the process's peak resident memory to its current resident memory. Returns
/// whether the reset worked, so callers can tell a per-run peak from a whole-process one.
pub fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory in bytes since it started or since the last
/// [`reset_peak`].
pub fn peak_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The 1, 5 and 15 minute load averages: how busy the machine was around a measurement.
/// Benchmarks on a shared machine are only comparable at similar loads.
pub fn load_average() -> Option<[f64; 3]> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(str::parse::<f64>);
    Some([
        fields.next()?.ok()?,
        fields.next()?.ok()?,
        fields.next()?.ok()?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn peak_grows_with_an_allocation_and_resets() {
        // Other tests run in this process at the same time: the peak is reset first where
        // it can be (so a higher mark they left does not hide the growth), and the block is
        // large enough that what they free meanwhile cannot either.
        reset_peak();
        let before = peak_bytes().expect("VmHWM on Linux");
        let block = vec![1u8; 256 << 20];
        std::hint::black_box(&block);
        let during = peak_bytes().expect("VmHWM on Linux");
        assert!(during >= before + (192 << 20), "{before} → {during}");
        drop(block);
        if reset_peak() {
            assert!(peak_bytes().expect("VmHWM on Linux") < during);
        }
    }
}
